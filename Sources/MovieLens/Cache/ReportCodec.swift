import Foundation
import Runtime

/// The cleaning report in the cache, in binary (the report was JSON until cache layout 4:
/// `JSONDecoder` took a tenth of a cached ml-latest-small load). Dictionaries are written in
/// sorted key order, so the same report always gives the same bytes.
///
/// Every stored property of `CleaningReport` and `FileReport` is written: a property added to
/// either must be added here too, with a `CacheFile.version` bump (the round-trip tests compare
/// cached and parsed reports, which catches a forgotten property that is not always empty).
enum ReportCodec {
    static func encode(_ report: CleaningReport) -> Data {
        var w = BinaryWriter()
        w.write(report.format.rawValue)
        w.write(report.directory)
        w.write(UInt64(report.files.count))
        for (role, f) in report.files.sorted(by: { $0.key < $1.key }) {
            w.write(role)
            w.write(f.file)
            for n in [f.read, f.kept, f.repairedRows, f.droppedRows] { w.write(Int64(n)) }
            for counts in [f.repaired, f.dropped] {
                w.write(UInt64(counts.count))
                for (reason, n) in counts.sorted(by: { $0.key < $1.key }) {
                    w.write(reason)
                    w.write(Int64(n))
                }
            }
            w.write(UInt64(f.examples.count))
            for (reason, lines) in f.examples.sorted(by: { $0.key < $1.key }) {
                w.write(reason)
                w.write(array: lines.map { Int64($0) })
            }
        }
        return w.data
    }

    /// Decodes `encode`'s bytes; throws on any truncation, unknown format or leftover byte.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> CleaningReport {
        var r = BinaryReader(Data(bytes))
        func int(_ what: String) throws -> Int {
            let v = try r.read(Int64.self, what)
            guard let n = Int(exactly: v) else { throw BinaryFormatError.invalid("report: \(what) \(v) does not fit") }
            return n
        }
        /// A count of entries that each take at least `minimum` bytes (so damage cannot allocate much).
        func count(_ what: String, minimum: Int) throws -> Int {
            let n = try r.read(UInt64.self, what)
            guard n <= UInt64(r.remaining / minimum) else { throw BinaryFormatError.truncated(what: "report \(what)", offset: r.offset) }
            return Int(n)
        }
        let formatName = try r.readString("report format")
        guard let format = DataFormat(rawValue: formatName) else { throw BinaryFormatError.invalid("report: unknown format '\(formatName)'") }
        var report = CleaningReport(format: format, directory: try r.readString("report directory"))
        for _ in 0..<(try count("files", minimum: 48)) {
            let role = try r.readString("report role")
            var f = FileReport(file: try r.readString("report file"))
            f.read = try int("read")
            f.kept = try int("kept")
            f.repairedRows = try int("repaired rows")
            f.droppedRows = try int("dropped rows")
            for k in 0..<2 {
                var counts: [String: Int] = [:]
                for _ in 0..<(try count("reasons", minimum: 16)) { counts[try r.readString("reason")] = try int("reason count") }
                if k == 0 { f.repaired = counts } else { f.dropped = counts }
            }
            for _ in 0..<(try count("examples", minimum: 16)) {
                let reason = try r.readString("example reason")
                f.examples[reason] = try r.readArray(Int64.self, "example lines").map { Int(truncatingIfNeeded: $0) }
            }
            report.files[role] = f
        }
        guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) unread bytes in the report") }
        return report
    }
}
