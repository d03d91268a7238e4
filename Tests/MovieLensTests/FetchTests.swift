import Runtime
import Foundation
import XCTest
import ZIPFoundation
@testable import MovieLens
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for the fetch tests: one connection at a time,
/// `Connection: close`, GET only, optional `Range: bytes=N-` support, optional truncation of a
/// response (announces the full length, sends part, closes). Every blocking call is bounded:
/// the accept loop polls with a 50 ms timeout and client sockets have 2 s receive/send timeouts.
final class LocalHTTPServer: @unchecked Sendable {
    struct Route {
        var status: Int = 200
        var body: Data
        /// Close the connection after this many body bytes (simulates a dropped connection).
        var truncateAt: Int? = nil
        /// Answer `Range` requests with 206 (false: ignore Range, always 200).
        var honorRange: Bool = true
    }

    private let lock = NSLock()
    private var routes: [String: Route] = [:]
    private var log: [(path: String, range: String?)] = []
    private var stopping = false
    private let listenFD: Int32
    private let done = DispatchSemaphore(value: 0)
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FetchError.network(url: "test server", reason: "socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw FetchError.network(url: "test server", reason: "bind/listen failed")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listenFD = fd
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/movielens" }

    func set(_ path: String, _ route: Route?) {
        lock.lock(); routes["/movielens/" + path] = route; lock.unlock()
    }

    var requests: [(path: String, range: String?)] {
        lock.lock(); defer { lock.unlock() }; return log
    }

    func stop() {
        lock.lock(); stopping = true; lock.unlock()
        _ = done.wait(timeout: .now() + 5)
        close(listenFD)
    }

    private func serve() {
        defer { done.signal() }
        let deadline = Date().addingTimeInterval(120)  // no test runs this long
        while Date() < deadline {
            lock.lock(); let stop = stopping; lock.unlock()
            if stop { return }
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            handle(client)
            close(client)
        }
    }

    private func handle(_ fd: Int32) {
        var request = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while request.count < 65536 {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return }
            request.append(contentsOf: buf[0..<n])
            if request.count >= 4, String(decoding: request, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let text = String(decoding: request, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append((path, range))
        let route = routes[path]
        lock.unlock()

        guard let route else {
            respond(fd, status: 404, reason: "Not Found", headers: [:], body: Data("not found".utf8))
            return
        }
        guard route.status == 200 else {
            respond(fd, status: route.status, reason: "Error", headers: [:], body: route.body)
            return
        }
        var status = 200
        var body = route.body
        var headers: [String: String] = [:]
        if route.honorRange, let range, range.hasPrefix("bytes="), range.hasSuffix("-"),
           let from = Int(range.dropFirst(6).dropLast()) {
            if from >= route.body.count {
                respond(fd, status: 416, reason: "Range Not Satisfiable", headers: ["Content-Range": "bytes */\(route.body.count)"], body: Data())
                return
            }
            status = 206
            body = route.body.subdata(in: from..<route.body.count)
            headers["Content-Range"] = "bytes \(from)-\(route.body.count - 1)/\(route.body.count)"
        }
        respond(fd, status: status, reason: status == 200 ? "OK" : "Partial Content", headers: headers, body: body,
             truncateAt: route.truncateAt)
    }

    private func respond(_ fd: Int32, status: Int, reason: String, headers: [String: String], body: Data, truncateAt: Int? = nil) {
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        head += "Content-Type: application/octet-stream\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        var out = Data(head.utf8)
        out.append(truncateAt.map { body.prefix($0) } ?? body)
        out.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                guard let base = raw.baseAddress else { return }
                let n = send(fd, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }
}

final class FetchTests: XCTestCase {
    // MARK: MD5

    func testMD5MatchesRFC1321TestSuite() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, expected) in vectors {
            XCTAssertEqual(MD5.hex(Array(input.utf8)), expected, "MD5(\"\(input)\")")
        }
        // A million 'a's (a common extra vector) exercises many blocks.
        XCTAssertEqual(MD5.hex([UInt8](repeating: 0x61, count: 1_000_000)), "7707d6ae4e027c70eea2a935c2296f21")
    }

    func testMD5StreamingEqualsOneShotForEveryPaddingBoundary() {
        // Lengths around the 55/56/64-byte padding edges, fed in uneven pieces.
        var rng = FetchTestRNG(seed: 7)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var streamed = MD5()
            var i = 0
            while i < length {
                let step = Int(rng.next() % 70) + 1
                let j = min(length, i + step)
                streamed.update(Array(bytes[i..<j]))
                i = j
            }
            XCTAssertEqual(streamed.hexDigest, MD5.hex(bytes), "length \(length)")
        }
        // Changing one bit changes the digest.
        XCTAssertNotEqual(MD5.hex(Array("abc".utf8)), MD5.hex(Array("abd".utf8)))
    }

    func testParseMD5FileAcceptsBSDAndGNUFormats() {
        XCTAssertEqual(DatasetFetcher.parseMD5File("MD5 (ml-latest-small.zip) = 0FD1A5A5A5A5A5A5A5A5A5A5A5A5A5A5\n"),
                       "0fd1a5a5a5a5a5a5a5a5a5a5a5a5a5a5")
        XCTAssertEqual(DatasetFetcher.parseMD5File("6b51fb2759a8657d3bfcbfc42b592ada  ml-25m.zip\n"), "6b51fb2759a8657d3bfcbfc42b592ada")
        XCTAssertNil(DatasetFetcher.parseMD5File("<html>404 not found</html>"))
        XCTAssertNil(DatasetFetcher.parseMD5File("abc123"))
        // 33 hex digits is not a digest.
        XCTAssertNil(DatasetFetcher.parseMD5File(String(repeating: "a", count: 33)))
    }

    // MARK: releases

    func testUnknownReleaseListsValidNames() {
        XCTAssertThrowsError(try MovieLensRelease.named("ml-2m")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("ml-2m"), text)
            for name in ["ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m", "ml-latest-small", "ml-latest"] {
                XCTAssertTrue(text.contains(name), "\(name) missing from: \(text)")
            }
        }
        XCTAssertEqual(try MovieLensRelease.named("ml-10m").archiveRoot, "ml-10M100K")
        XCTAssertEqual(try MovieLensRelease.named("ml-25m").archiveURL(base: "https://x/y/"), "https://x/y/ml-25m.zip")
        XCTAssertEqual(try MovieLensRelease.named("ml-25m").checksumURL(base: "https://x/y"), "https://x/y/ml-25m.zip.md5")
    }

    // MARK: end-to-end against the local server

    /// Files of a fake release: enough content to span several TCP reads.
    private func sampleFiles() -> [(String, Data)] {
        var ratings = "userId,movieId,rating,timestamp\n"
        for i in 0..<4000 { ratings += "\(i % 97 + 1),\(i % 389 + 1),\(Double(i % 10 + 1) / 2),\(964_982_703 + i)\n" }
        return [
            ("ratings.csv", Data(ratings.utf8)),
            ("movies.csv", Data("movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n".utf8)),
            ("README.txt", Data("test release\n".utf8)),
        ]
    }

    private func makeZip(root: String, files: [(String, Data)], in dir: URL, extraEntries: [String] = []) throws -> Data {
        let url = dir.appendingPathComponent("build-\(UUID().uuidString).zip")
        let archive = try Archive(url: url, accessMode: .create)
        try archive.addEntry(with: root + "/", type: .directory, uncompressedSize: Int64(0), provider: { _, _ in Data() })
        for (name, data) in files {
            try archive.addEntry(with: root + "/" + name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate, provider: { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            })
        }
        for path in extraEntries {
            let data = Data("x".utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(1), provider: { _, _ in data })
        }
        let bytes = try Data(contentsOf: url)
        try FileManager.default.removeItem(at: url)
        return bytes
    }

    private struct Fixture {
        let server: LocalHTTPServer
        let tmp: URL
        var dataDir: String { tmp.appendingPathComponent("data").path }
        func fetcher(force: Bool = false) -> DatasetFetcher {
            DatasetFetcher(dataDirectory: dataDir, baseURL: server.baseURL, force: force,
                           downloader: HTTPDownloader(idleTimeout: 5))
        }
        /// Names in the data directory (including hidden ones).
        func listing() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []).sorted() }
    }

    private func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let server = try LocalHTTPServer()
        let tmp = try TestData.temporaryDirectory("movierec-fetch")
        defer {
            server.stop()
            try? FileManager.default.removeItem(at: tmp)
        }
        try await body(Fixture(server: server, tmp: tmp))
    }

    private func serve(_ f: Fixture, archive: String, zip: Data, md5: String? = nil) {
        f.server.set(archive, .init(body: zip))
        f.server.set(archive + ".md5", .init(body: Data("MD5 (\(archive)) = \(md5 ?? MD5.hex(zip))\n".utf8)))
    }

    private func assertUnpacked(_ dir: String, _ files: [(String, Data)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, data) in files {
            let got = FileManager.default.contents(atPath: dir + "/" + name)
            XCTAssertEqual(got, data, "\(name) differs after unpacking", file: file, line: line)
        }
        let listed = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        XCTAssertEqual(listed, files.map(\.0).sorted(), file: file, line: line)
    }

    func testFetchDownloadsVerifiesAndUnpacks() async throws {
        try await withFixture { f in
            let files = sampleFiles()
            let zip = try makeZip(root: "ml-latest-small", files: files, in: f.tmp)
            serve(f, archive: "ml-latest-small.zip", zip: zip)
            let events = EventLog()
            let outcome = try await f.fetcher().fetch(try MovieLensRelease.named("ml-latest-small")) { events.add($0) }
            XCTAssertFalse(outcome.alreadyPresent)
            XCTAssertEqual(outcome.archiveBytes, Int64(zip.count))
            XCTAssertEqual(outcome.md5, MD5.hex(zip))
            XCTAssertEqual(outcome.resumedFrom, 0)
            XCTAssertEqual(outcome.files, files.count)
            XCTAssertEqual(outcome.directory, f.dataDir + "/ml-latest-small")
            assertUnpacked(outcome.directory, files)
            // Nothing else left behind: no .part, no staging directory.
            XCTAssertEqual(f.listing(), ["ml-latest-small"])
            let seen = events.all
            XCTAssertTrue(seen.contains(.downloading(received: Int64(zip.count), total: Int64(zip.count))), "\(seen)")
            XCTAssertTrue(seen.contains(.verifying))
            XCTAssertEqual(seen.last, .unpacking(done: files.count + 1, total: files.count + 1))

            // A second fetch without --force finds it and does not touch the network.
            let before = f.server.requests.count
            let again = try await f.fetcher().fetch(try MovieLensRelease.named("ml-latest-small"))
            XCTAssertTrue(again.alreadyPresent)
            XCTAssertEqual(f.server.requests.count, before)

            // --force replaces the directory with the server's (new) content.
            var changed = files
            changed[2] = ("README.txt", Data("second version\n".utf8))
            serve(f, archive: "ml-latest-small.zip", zip: try makeZip(root: "ml-latest-small", files: changed, in: f.tmp))
            _ = try await f.fetcher(force: true).fetch(try MovieLensRelease.named("ml-latest-small"))
            assertUnpacked(outcome.directory, changed)
            XCTAssertEqual(f.listing(), ["ml-latest-small"])
        }
    }

    func testML10MUnpacksFromItsOddlyNamedRoot() async throws {
        try await withFixture { f in
            let files = [("ratings.dat", Data("1::122::5::838985046\n".utf8)), ("movies.dat", Data("122::Boomerang (1992)::Comedy|Romance\n".utf8))]
            serve(f, archive: "ml-10m.zip", zip: try makeZip(root: "ml-10M100K", files: files, in: f.tmp))
            let outcome = try await f.fetcher().fetch(try MovieLensRelease.named("ml-10m"))
            XCTAssertEqual(outcome.directory, f.dataDir + "/ml-10m")
            assertUnpacked(outcome.directory, files)
            XCTAssertEqual(f.listing(), ["ml-10m"])
        }
    }

    func testWrongMD5FailsDeletesDownloadAndLeavesNoDirectory() async throws {
        try await withFixture { f in
            let zip = try makeZip(root: "ml-100k", files: sampleFiles(), in: f.tmp)
            serve(f, archive: "ml-100k.zip", zip: zip, md5: String(repeating: "0", count: 32))
            do {
                _ = try await f.fetcher().fetch(try MovieLensRelease.named("ml-100k"))
                XCTFail("a wrong MD5 must fail")
            } catch let error as FetchError {
                guard case .checksumMismatch(_, let expected, let actual) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(expected, String(repeating: "0", count: 32))
                XCTAssertEqual(actual, MD5.hex(zip))
                XCTAssertTrue(error.description.contains("MD5 mismatch"), error.description)
                XCTAssertTrue(error.description.contains("deleted"), error.description)
            }
            XCTAssertEqual(f.listing(), [], "neither data/ml-100k nor the download may remain")
        }
    }

    func testHTTP404FailsClearly() async throws {
        try await withFixture { f in
            // Digest present, archive missing.
            f.server.set("ml-1m.zip.md5", .init(body: Data("MD5 (ml-1m.zip) = \(String(repeating: "a", count: 32))\n".utf8)))
            do {
                _ = try await f.fetcher().fetch(try MovieLensRelease.named("ml-1m"))
                XCTFail("a 404 must fail")
            } catch let error as FetchError {
                XCTAssertEqual(error, .httpStatus(url: f.server.baseURL + "/ml-1m.zip", status: 404))
                XCTAssertTrue(error.description.contains("404"))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.dataDir + "/ml-1m"))
            // Digest missing: fails before downloading the archive.
            f.server.set("ml-1m.zip.md5", nil)
            let before = f.server.requests.count
            do {
                _ = try await f.fetcher().fetch(try MovieLensRelease.named("ml-1m"))
                XCTFail("a 404 on the digest must fail")
            } catch let error as FetchError {
                XCTAssertEqual(error, .httpStatus(url: f.server.baseURL + "/ml-1m.zip.md5", status: 404))
            }
            XCTAssertEqual(f.server.requests.count, before + 1)
        }
    }

    func testConnectionRefusedFailsClearly() async throws {
        let tmp = try TestData.temporaryDirectory("movierec-fetch")
        defer { try? FileManager.default.removeItem(at: tmp) }
        // Port 1 on loopback: nothing listens there.
        let fetcher = DatasetFetcher(dataDirectory: tmp.path + "/data", baseURL: "http://127.0.0.1:1/x",
                                     downloader: HTTPDownloader(idleTimeout: 5))
        do {
            _ = try await fetcher.fetch(try MovieLensRelease.named("ml-1m"))
            XCTFail("must fail")
        } catch let error as FetchError {
            guard case .network(let url, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(url, "http://127.0.0.1:1/x/ml-1m.zip.md5")
        }
    }

    func testInterruptedDownloadIsDetectedThenResumedWithRange() async throws {
        try await withFixture { f in
            let files = sampleFiles()
            let zip = try makeZip(root: "ml-latest-small", files: files, in: f.tmp)
            let cut = zip.count / 2
            serve(f, archive: "ml-latest-small.zip", zip: zip)
            f.server.set("ml-latest-small.zip", .init(body: zip, truncateAt: cut))
            let release = try MovieLensRelease.named("ml-latest-small")
            do {
                _ = try await f.fetcher().fetch(release)
                XCTFail("a short download must be detected")
            } catch let error as FetchError {
                guard case .incomplete(_, let received, let expected, let partial) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(received, Int64(cut))
                XCTAssertEqual(expected, Int64(zip.count))
                XCTAssertEqual(partial, f.fetcher().partialFile(of: release))
                XCTAssertTrue(error.description.contains("interrupted"), error.description)
            }
            XCTAssertEqual(f.listing(), [".ml-latest-small.zip.part"], "only the partial download may remain")
            XCTAssertEqual(FileManager.default.contents(atPath: f.fetcher().partialFile(of: release)), zip.prefix(cut))

            // The server recovers: the next fetch asks only for the rest.
            f.server.set("ml-latest-small.zip", .init(body: zip))
            let outcome = try await f.fetcher().fetch(release)
            XCTAssertEqual(outcome.resumedFrom, Int64(cut))
            XCTAssertEqual(outcome.archiveBytes, Int64(zip.count))
            XCTAssertEqual(f.server.requests.last?.range, "bytes=\(cut)-")
            assertUnpacked(outcome.directory, files)
            XCTAssertEqual(f.listing(), ["ml-latest-small"])
        }
    }

    func testServerIgnoringRangeRestartsFromZero() async throws {
        try await withFixture { f in
            let files = sampleFiles()
            let zip = try makeZip(root: "ml-20m", files: files, in: f.tmp)
            serve(f, archive: "ml-20m.zip", zip: zip)
            f.server.set("ml-20m.zip", .init(body: zip, honorRange: false))
            let release = try MovieLensRelease.named("ml-20m")
            try FileManager.default.createDirectory(atPath: f.dataDir, withIntermediateDirectories: true)
            // A stale partial file with wrong bytes: must be discarded, not prepended.
            XCTAssertTrue(FileManager.default.createFile(atPath: f.fetcher().partialFile(of: release), contents: Data(repeating: 0xAB, count: 100)))
            let outcome = try await f.fetcher().fetch(release)
            XCTAssertEqual(outcome.resumedFrom, 0)
            XCTAssertEqual(f.server.requests.last?.range, "bytes=100-")
            assertUnpacked(outcome.directory, files)
        }
    }

    func testCompletePartialFileIsVerifiedWithoutDownloadingAgain() async throws {
        try await withFixture { f in
            let files = sampleFiles()
            let zip = try makeZip(root: "ml-32m", files: files, in: f.tmp)
            serve(f, archive: "ml-32m.zip", zip: zip)
            let release = try MovieLensRelease.named("ml-32m")
            try FileManager.default.createDirectory(atPath: f.dataDir, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: f.fetcher().partialFile(of: release), contents: zip))
            let outcome = try await f.fetcher().fetch(release)  // server answers 416 with the full size
            XCTAssertEqual(outcome.resumedFrom, Int64(zip.count))
            assertUnpacked(outcome.directory, files)
        }
    }

    func testCorruptArchiveWithMatchingDigestFailsWithoutDirectory() async throws {
        try await withFixture { f in
            let junk = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            serve(f, archive: "ml-25m.zip", zip: junk)
            do {
                _ = try await f.fetcher().fetch(try MovieLensRelease.named("ml-25m"))
                XCTFail("a corrupt archive must fail")
            } catch let error as FetchError {
                guard case .unpack = error else { return XCTFail("\(error)") }
            }
            XCTAssertFalse(f.listing().contains("ml-25m"))
            XCTAssertFalse(f.listing().contains { $0.contains("unpack") }, "\(f.listing())")
        }
    }

    func testArchiveEntryEscapingTheDestinationIsRefused() async throws {
        try await withFixture { f in
            let zip = try makeZip(root: "ml-latest", files: sampleFiles(), in: f.tmp, extraEntries: ["../../escaped.txt"])
            serve(f, archive: "ml-latest.zip", zip: zip)
            do {
                _ = try await f.fetcher().fetch(try MovieLensRelease.named("ml-latest"))
                XCTFail("a path-traversal entry must fail")
            } catch let error as FetchError {
                XCTAssertTrue(error.description.contains("outside the destination"), error.description)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.tmp.appendingPathComponent("escaped.txt").path))
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.dataDir + "/escaped.txt"))
            XCTAssertFalse(f.listing().contains("ml-latest"))
        }
    }
}

/// Thread-safe event recorder for progress callbacks.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DatasetFetcher.Event] = []
    func add(_ e: DatasetFetcher.Event) { lock.lock(); events.append(e); lock.unlock() }
    var all: [DatasetFetcher.Event] { lock.lock(); defer { lock.unlock() }; return events }
}

/// SplitMix64, for the fetch tests' inputs.
private struct FetchTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
