import Foundation

/// Recognises a release's format from the files in its directory.
///
/// `ratings.csv` → `.latestCSV`; `u.data` → `.ml100k`; `ratings.dat` whose first non-blank line
/// contains `::` → `.dat`, or `|` (and no `::`) → `.seedPipe`.
public enum FormatDetection {
    /// The format of the MovieLens release in `directory`.
    public static func detect(directory: String) throws -> DataFormat {
        guard FileBytes.isDirectory(directory) else { throw MovieLensError.notADirectory(path: directory) }
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if FileBytes.exists(dir + "/ratings.csv") { return .latestCSV }
        if FileBytes.exists(dir + "/u.data") { return .ml100k }
        let dat = dir + "/ratings.dat"
        if FileBytes.exists(dat) {
            let head = try firstLine(dat)
            if head.text.contains("::") { return .dat }
            if head.text.contains("|") { return .seedPipe }
            throw MovieLensError.notMovieLens(path: dat, line: head.number,
                                              reason: "expected fields separated by '::' (ml-1m, ml-10m) or '|' (seed set)")
        }
        let found = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        throw MovieLensError.noMovieLensFiles(directory: directory, found: found)
    }

    /// The first non-blank line of a file (at most 64 KiB of it), as bytes, with its number.
    static func firstLine(_ path: String) throws -> (text: [UInt8], number: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MovieLensError.unreadable(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 1 << 16)) ?? Data()
        var number = 1
        for piece in data.split(separator: 10, omittingEmptySubsequences: false) {
            if piece.contains(where: { $0 != 32 && $0 != 13 && $0 != 9 }) { return (Array(piece), number) }
            number += 1
        }
        throw MovieLensError.emptyFile(path: path)
    }
}

private extension Array where Element == UInt8 {
    func contains(_ s: String) -> Bool {
        let needle = Array(s.utf8)
        guard needle.count <= count else { return false }
        for i in 0...(count - needle.count) where self[i..<(i + needle.count)].elementsEqual(needle) { return true }
        return false
    }
}
