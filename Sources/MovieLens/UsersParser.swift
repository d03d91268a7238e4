/// Users as parsed, in file order, duplicates removed (first occurrence kept).
struct RawUsers: Sendable {
    var ids: [Int64] = []
    var gender: [UInt8] = []
    var age: [Int16] = []
    var occupation: [Int16] = []
    var zip: [String] = []
}

/// Reads `users.dat` (`id, gender, age, occupation, zip`; ml-1m and the seed set) and ml-100k's
/// `u.user` (`id|age|gender|occupation name|zip`).
enum UsersParser {
    /// The 21 ml-100k occupations in the order of the ml-100k README (used when `u.occupation`
    /// is absent).
    static let ml100kOccupations = ["administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
                                    "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
                                    "retired", "salesman", "scientist", "student", "technician", "writer"]

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, layout: ReleaseLayout, file: String,
                      occupations: [String]) -> (RawUsers, FileReport) {
        var out = RawUsers()
        var report = FileReport(file: file)
        var seen = IdSet()
        let is100k = layout.format == .ml100k
        let delimiter: Delimiter = is100k ? .byte(124) : layout.delimiter
        var scan = RowScan(delimiter: delimiter, quotes: layout.quotes, fields: 5...5)
        scan.run(bytes, 0..<bytes.count, firstLine: 1, report: &report) { f, line, report in
            guard let id = ByteNumbers.int64(bytes, f[0].start, f[0].end), id > 0, id <= RatingsParser.maxId else { report.drop(.badUserId, at: line); return }
            guard !seen.contains(id) else { report.drop(.duplicateUserId, at: line); return }
            var repairs: [CleaningReason] = []  // recorded only if the row is kept
            func repair(_ r: CleaningReason) { repairs.append(r) }
            let genderField = is100k ? f[2] : f[1]
            let ageField = is100k ? f[1] : f[2]
            // gender
            var gender: UInt8 = 0
            if genderField.end - genderField.start == 1 {
                switch bytes[genderField.start] {
                case 77, 109: gender = 1  // M m
                case 70, 102: gender = 2  // F f
                default: break
                }
            }
            if gender == 0 { repair(.genderInvalid) }
            // age: an integer, also written as `25.0`
            var age: Int16 = -1
            if let a = ByteNumbers.decimal(bytes, ageField.start, ageField.end), a == a.rounded(), a >= 0, a <= 1000,
               layout.isValidAge(Int(a)) {
                age = Int16(a)
            } else {
                repair(.ageInvalid)
            }
            // occupation: a code 0–20, or (ml-100k) a name
            var occupation: Int16 = -1
            if is100k {
                var bad = false
                let name = TextDecoding.string(bytes, f[3], latin1: true, invalidUTF8: &bad)
                if let k = occupations.firstIndex(of: name) { occupation = Int16(k) } else { repair(.occupationInvalid) }
            } else if let o = ByteNumbers.decimal(bytes, f[3].start, f[3].end), o == o.rounded(), o >= 0, o <= 20 {
                occupation = Int16(o)
            } else {
                repair(.occupationInvalid)
            }
            // zip
            var badUTF8 = false
            var zip = TextDecoding.string(bytes, f[4], latin1: layout.latin1, invalidUTF8: &badUTF8)
            if !isPlausibleZip(zip) {
                zip = ""
                repair(.zipInvalid)
            }
            seen.insert(id)
            out.ids.append(id); out.gender.append(gender); out.age.append(age); out.occupation.append(occupation); out.zip.append(zip)
            for r in repairs { report.repair(r, line: line.number) }
            report.keep(repairs: repairs.count)
        }
        return (out, report)
    }

    /// A zip code is kept when it is 1–10 characters of ASCII letters, digits, `-` and spaces,
    /// holds at least one digit, and is not a placeholder of X's (`XXXXX`). MovieLens zips are
    /// free text: ml-1m has 9-digit and ZIP+4 forms, ml-100k has Canadian codes like `T8H1N`.
    static func isPlausibleZip(_ zip: String) -> Bool {
        let u = Array(zip.utf8)
        guard !u.isEmpty, u.count <= 10 else { return false }
        var digits = 0
        for c in u {
            switch c {
            case 48...57: digits += 1
            case 65...90, 97...122, 45, 32: break
            default: return false
            }
        }
        return digits > 0
    }
}
