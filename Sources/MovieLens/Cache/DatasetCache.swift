import Foundation
import Runtime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads MovieLens releases through a compact binary cache kept next to the data.
///
/// The first load parses the directory with `MovieLensReader` and writes the whole `LoadResult`
/// (dataset and cleaning report) to `<directory>/.movierec-cache-v1.bin`, or to the per-user
/// cache when the directory is read-only (see `CacheLocation`). Later loads read the cache
/// instead of parsing — an order of magnitude faster — and give an identical `LoadResult`.
///
/// A cache is trusted only when all of these hold; otherwise it is ignored and rebuilt:
/// - magic, format version and every checksum (CRC-32C of the header, `ChunkHash` of each
///   4 MiB payload chunk) check out;
/// - it was written under the same cache layout and `readerVersion` (changed cleaning rules
///   never serve old results);
/// - the data files are unchanged: same names, sizes, modification times and first/last 64 KiB;
/// - the format matches the one asked for (when one is given);
/// - the decoded dataset passes `Dataset.validate()`.
/// Failing to write a cache never fails the load.
public enum DatasetCache {
    /// Why the cache was not used.
    public enum Miss: Error, Sendable, Equatable, CustomStringConvertible {
        /// No cache file existed.
        case absent
        /// A cache existed but the data changed since (what changed).
        case stale(String)
        /// A cache existed but is damaged or unreadable (why).
        case corrupt(String)

        public var description: String {
            switch self {
            case .absent: return "no cache yet"
            case .stale(let why): return "cache is stale: \(why)"
            case .corrupt(let why): return "cache is unusable: \(why)"
            }
        }
    }

    /// What the cache did during one load.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        /// The result came from the cache at `path`.
        case hit(path: String)
        /// The directory was parsed (because of `miss`) and the cache written to `path`.
        case written(path: String, miss: Miss)
        /// The directory was parsed (because of `miss`); no cache could be written (`reason`).
        case unwritable(miss: Miss, reason: String)
        /// Caching was switched off; the directory was parsed.
        case disabled

        public var description: String {
            switch self {
            case .hit(let path): return "loaded from cache \(path)"
            case .written(let path, let miss): return "parsed (\(miss)); cache written to \(path)"
            case .unwritable(let miss, let reason): return "parsed (\(miss)); cache not written: \(reason)"
            case .disabled: return "parsed (cache disabled)"
            }
        }
    }

    /// A load and what the cache did.
    public struct Load: Sendable {
        public var result: LoadResult
        public var status: Status
        /// Whether the result came from the cache.
        public var cacheHit: Bool { if case .hit = status { return true } else { return false } }
    }

    /// Version of the reading and cleaning rules whose results a cache holds. Bump it whenever
    /// `MovieLensReader` or its cleaning rules change what a load returns: caches written under
    /// another version are ignored and rebuilt, never served.
    public static let readerVersion = 1

    /// Identifies what wrote a cache: the cache layout version and `readerVersion`.
    static let producer = "movierec-dataset-cache/\(CacheFile.version) reader/\(readerVersion)"

    /// Loads the release in `directory`, from its cache when valid, else by parsing (and then
    /// writing the cache). `format` and `threads` are passed to `MovieLensReader.load`;
    /// `threads` also verifies checksums in parallel. `userCacheDirectory` overrides the
    /// per-user fallback location (default: see `CacheLocation`).
    public static func load(
        directory: String, format: DataFormat? = nil, threads: Int? = nil,
        useCache: Bool = true, userCacheDirectory: String? = nil
    ) throws -> Load {
        guard useCache else {
            return Load(result: try MovieLensReader.load(directory: directory, format: format, threads: threads), status: .disabled)
        }
        guard FileBytes.isDirectory(directory) else { throw MovieLensError.notADirectory(path: directory) }
        let dir = normalized(directory)
        let location = CacheLocation(directory: dir, userCacheDirectory: userCacheDirectory)
        let threadCount = Threads.resolve(threads)
        // Fingerprint before parsing: a file edited during the parse makes the cache stale.
        // A directory that cannot be fingerprinted is parsed without a cache, never failed.
        let sources: [SourceFile]
        do { sources = try SourceFingerprint.scan(directory: dir) } catch {
            let result = try MovieLensReader.load(directory: directory, format: format, threads: threads)
            return Load(result: result, status: .unwritable(miss: .absent, reason: "cannot fingerprint the data files: \(error)"))
        }

        var miss = Miss.absent
        for path in location.candidates where FileManager.default.fileExists(atPath: path) {
            switch read(path, sources: sources, format: format, threads: threadCount) {
            case .success(var result):
                result.report.directory = dir
                return Load(result: result, status: .hit(path: path))
            case .failure(let m):
                if case .absent = miss { miss = m }
            }
        }

        let result = try MovieLensReader.load(directory: directory, format: format, threads: threads)
        return Load(result: result, status: write(result, sources: sources, location: location, miss: miss, threads: threadCount))
    }

    /// The cache files `load` would consult for `directory` (existing or not).
    public static func cachePaths(directory: String, userCacheDirectory: String? = nil) -> [String] {
        CacheLocation(directory: normalized(directory), userCacheDirectory: userCacheDirectory).candidates
    }

    /// Deletes the caches of `directory`; returns the paths removed.
    @discardableResult
    public static func remove(directory: String, userCacheDirectory: String? = nil) -> [String] {
        cachePaths(directory: directory, userCacheDirectory: userCacheDirectory).filter {
            (try? FileManager.default.removeItem(atPath: $0)) != nil
        }
    }

    /// The spelling `MovieLensReader` reports for a directory (no trailing slash).
    static func normalized(_ directory: String) -> String {
        directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    private static func read(_ path: String, sources: [SourceFile], format: DataFormat?, threads: Int) -> Result<LoadResult, Miss> {
        let file: CacheFile.Opened
        do { file = try CacheFile.open(path: path) } catch {
            return .failure(.corrupt("\(path): \(error)"))
        }
        defer { close(file.fd) }
        let header = file.header
        guard header.producer == producer else { return .failure(.stale("written by another reader version (\(header.producer))")) }
        if let why = SourceFingerprint.difference(cached: header.sources, current: sources) { return .failure(.stale(why)) }
        if let format, format != header.format {
            return .failure(.stale("cached as format \(header.format.rawValue), asked for \(format.rawValue)"))
        }
        do {
            let mapped = try CacheFile.map(file)
            return .success(try DatasetCodec.decode(mapped, header: header, threads: threads))
        } catch {
            return .failure(.corrupt("\(path): \(error)"))
        }
    }

    private static func write(_ result: LoadResult, sources: [SourceFile], location: CacheLocation, miss: Miss, threads: Int) -> Status {
        let data: Data
        do {
            data = CacheFile.encode(producer: producer, format: result.report.format, sources: sources,
                                    sections: try DatasetCodec.sections(of: result), threads: threads)
        } catch {
            return .unwritable(miss: miss, reason: "\(error)")
        }
        var reasons: [String] = []
        if location.directoryWritable {
            do {
                try AtomicFile.write(data, to: location.primary)
                return .written(path: location.primary, miss: miss)
            } catch {
                reasons.append("\(error)")
            }
        } else {
            reasons.append("\(location.primary): directory is read-only")
        }
        if let fallback = location.fallback {
            do {
                try AtomicFile.write(data, to: fallback)
                return .written(path: fallback, miss: miss)
            } catch {
                reasons.append("\(error)")
            }
        } else {
            reasons.append("no per-user cache directory (set MOVIEREC_CACHE_DIR, XDG_CACHE_HOME or HOME)")
        }
        return .unwritable(miss: miss, reason: reasons.joined(separator: "; "))
    }
}
