import Foundation

/// Errors from reading and writing files, naming the path.
public enum FileError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        }
    }
}

/// Atomic file writes: the bytes go to a temporary file in the same directory, are flushed to
/// disk, and the temporary file is renamed over the destination. A crash mid-write leaves the
/// previous file intact (rename is atomic on POSIX file systems).
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating parent directories as needed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw FileError.cannotWrite(path: path, reason: "cannot create directory \(dir.path): \(error.localizedDescription)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw FileError.cannotWrite(path: path, reason: "cannot create temporary file \(tmp.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: tmp)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(tmp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                throw FileError.cannotWrite(path: path, reason: reason)
            }
        } catch let error as FileError {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw FileError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes a string as UTF-8, atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
