import Foundation
import ZIPFoundation

/// Unpacks a zip archive with ZIPFoundation, refusing entries that would land outside the
/// destination and checking every entry's CRC-32.
enum ArchiveUnpacker {
    /// Extracts `archive` into the new directory `directory` (created; must not exist) and returns
    /// the number of regular files written. `progress(done, total)` counts entries.
    static func unpack(
        archive: String, into directory: String, progress: ((Int, Int) -> Void)? = nil
    ) throws -> Int {
        let fm = FileManager.default
        let dirURL = URL(fileURLWithPath: directory).standardizedFileURL
        do {
            try fm.createDirectory(at: dirURL, withIntermediateDirectories: false)
        } catch {
            throw FetchError.fileSystem(path: directory, reason: "cannot create directory: \(error.localizedDescription)")
        }
        let zip: Archive
        do {
            zip = try Archive(url: URL(fileURLWithPath: archive), accessMode: .read)
        } catch {
            throw FetchError.unpack(archive: archive, reason: "not a readable zip archive (\(error))")
        }
        let entries = Array(zip)
        var files = 0
        progress?(0, entries.count)
        for (i, entry) in entries.enumerated() {
            let path = entry.path
            let components = path.split(separator: "/", omittingEmptySubsequences: true)
            guard !path.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
                throw FetchError.unpack(archive: archive, reason: "entry '\(path)' would be written outside the destination")
            }
            let target = dirURL.appendingPathComponent(components.joined(separator: "/"))
            do {
                let crc = try zip.extract(entry, to: target, skipCRC32: false, allowUncontainedSymlinks: false)
                if entry.type == .file {
                    guard crc == entry.checksum else {
                        throw FetchError.unpack(archive: archive, reason: "CRC-32 mismatch in entry '\(path)'")
                    }
                    files += 1
                }
            } catch let error as FetchError {
                throw error
            } catch {
                throw FetchError.unpack(archive: archive, reason: "cannot extract '\(path)': \(error)")
            }
            progress?(i + 1, entries.count)
        }
        return files
    }
}
