/// The small vocabulary files of ml-100k.
enum ML100KMetadata {
    /// `u.genre`: `name|index` per line. Returns the names ordered by index; nil unless the
    /// indices are exactly 0..<count (then the standard list is used instead).
    static func genres(_ bytes: [UInt8]) -> [String]? {
        let text = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        var byIndex: [Int: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2, let k = Int(parts[1].trimming(" ")), k >= 0, k < 32, byIndex[k] == nil else {
                if line.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
                return nil
            }
            byIndex[k] = String(parts[0])
        }
        guard !byIndex.isEmpty, byIndex.count <= 32 else { return nil }
        var names: [String] = []
        for k in 0..<byIndex.count {
            guard let n = byIndex[k] else { return nil }
            names.append(n)
        }
        return names
    }

    /// `u.occupation`: one name per line.
    static func occupations(_ bytes: [UInt8]) -> [String]? {
        let text = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        let names = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { String($0).trimming(" ").trimming("\r") }
            .filter { !$0.isEmpty }
        return names.isEmpty ? nil : names
    }
}

extension Substring {
    func trimming(_ c: Character) -> String { String(self).trimming(c) }
}
