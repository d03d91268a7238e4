import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads over HTTP(S) with `URLSession`: small files into memory, archives streamed to disk
/// with resume (an existing partial file is continued with an HTTP `Range` request).
public struct HTTPDownloader: Sendable {
    /// Seconds without any bytes arriving before a request is abandoned.
    public var idleTimeout: TimeInterval

    public init(idleTimeout: TimeInterval = 60) {
        self.idleTimeout = idleTimeout
    }

    /// The result of streaming a resource to disk.
    public struct Transfer: Sendable, Equatable {
        /// Bytes that were already in the partial file and were kept (0 when starting afresh).
        public let resumedFrom: Int64
        /// Size of the complete file on disk.
        public let size: Int64
    }

    private func makeSession(delegate: URLSessionDelegate?) -> URLSession {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = idleTimeout
        config.timeoutIntervalForResource = 7 * 24 * 3600
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        return URLSession(configuration: config, delegate: delegate, delegateQueue: nil)
    }

    private func request(_ url: String, range from: Int64 = 0) throws -> URLRequest {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw FetchError.badURL(url)
        }
        var r = URLRequest(url: u)
        r.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        r.setValue("movierec", forHTTPHeaderField: "User-Agent")
        if from > 0 { r.setValue("bytes=\(from)-", forHTTPHeaderField: "Range") }
        return r
    }

    /// Fetches a small resource (at most `limit` bytes) into memory.
    public func fetchData(_ url: String, limit: Int = 1 << 20) async throws -> Data {
        let req = try request(url)
        let session = makeSession(delegate: nil)
        defer { session.finishTasksAndInvalidate() }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: req)
        } catch {
            throw FetchError.network(url: url, reason: HTTPDownloader.describe(error))
        }
        guard let http = response as? HTTPURLResponse else { throw FetchError.network(url: url, reason: "not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else { throw FetchError.httpStatus(url: url, status: http.statusCode) }
        if http.expectedContentLength >= 0, Int64(data.count) != http.expectedContentLength {
            throw FetchError.network(url: url, reason: "received \(data.count) of \(http.expectedContentLength) bytes")
        }
        guard data.count <= limit else { throw FetchError.network(url: url, reason: "response larger than \(limit) bytes") }
        return data
    }

    /// Streams `url` into `path`. When `path` already holds bytes, asks the server for the rest
    /// (`Range: bytes=N-`); a server that ignores the range restarts the file from zero.
    /// `progress(received, total)` is called as bytes arrive (`received` counts the kept bytes too).
    ///
    /// A transfer that ends short of the announced length throws `FetchError.incomplete` and keeps
    /// the partial file, so calling again resumes it.
    public func download(
        _ url: String, to path: String,
        progress: (@Sendable (_ received: Int64, _ total: Int64?) -> Void)? = nil
    ) async throws -> Transfer {
        var restarted = false
        while true {
            let existing = HTTPDownloader.fileSize(path)
            if existing == nil {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw FetchError.fileSystem(path: path, reason: "cannot create file")
                }
            }
            let offset = existing ?? 0
            let handle: FileHandle
            do {
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seekToEnd()
            } catch {
                throw FetchError.fileSystem(path: path, reason: "cannot open for writing: \(error.localizedDescription)")
            }
            let delegate = StreamingDelegate(url: url, handle: handle, offset: offset, progress: progress)
            let session = makeSession(delegate: delegate)
            let task = session.dataTask(with: try request(url, range: offset))
            let outcome = await delegate.run(task)
            session.finishTasksAndInvalidate()
            try? handle.close()

            switch outcome {
            case .failed(let error):
                throw error
            case .rangeNotSatisfiable(let total):
                // The partial file is already complete, or the server's file changed size.
                if let total, total == offset { return Transfer(resumedFrom: offset, size: offset) }
                guard !restarted else { throw FetchError.httpStatus(url: url, status: 416) }
                restarted = true
                try HTTPDownloader.remove(path)
            case .finished(let start, let expectedTotal, let transportError):
                let size = HTTPDownloader.fileSize(path) ?? 0
                if let expectedTotal, size != expectedTotal {
                    if size > expectedTotal { try? HTTPDownloader.remove(path) }
                    throw FetchError.incomplete(url: url, received: size, expected: expectedTotal, partialFile: path)
                }
                if let transportError {
                    throw FetchError.network(url: url, reason: transportError)
                }
                return Transfer(resumedFrom: start, size: size)
            }
        }
    }

    static func fileSize(_ path: String) -> Int64? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              let n = attrs[.size] as? NSNumber else { return nil }
        return n.int64Value
    }

    static func remove(_ path: String) throws {
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw FetchError.fileSystem(path: path, reason: "cannot remove: \(error.localizedDescription)")
        }
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch ns.code {
            case NSURLErrorTimedOut: return "timed out"
            case NSURLErrorCannotConnectToHost: return "cannot connect to host"
            case NSURLErrorCannotFindHost: return "cannot resolve host"
            case NSURLErrorNotConnectedToInternet: return "not connected to the internet"
            case NSURLErrorNetworkConnectionLost: return "connection lost"
            default: break
            }
        }
        return ns.localizedDescription
    }
}

/// Receives a data task's bytes and writes them to a file. All state is behind `lock`;
/// URLSession calls the delegate methods on its own queue.
private final class StreamingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome {
        /// The transfer ended; `start` is where writing began, `expectedTotal` the full size the
        /// server announced (nil when unknown), `transportError` any error that ended it.
        case finished(start: Int64, expectedTotal: Int64?, transportError: String?)
        case rangeNotSatisfiable(total: Int64?)
        case failed(FetchError)
    }

    private let lock = NSLock()
    private let url: String
    private let handle: FileHandle
    private var start: Int64
    private var written: Int64 = 0
    private var expectedTotal: Int64?
    private var outcome: Outcome?
    private var continuation: CheckedContinuation<Outcome, Never>?
    private let progress: (@Sendable (Int64, Int64?) -> Void)?

    init(url: String, handle: FileHandle, offset: Int64, progress: (@Sendable (Int64, Int64?) -> Void)?) {
        self.url = url
        self.handle = handle
        self.start = offset
        self.progress = progress
    }

    func run(_ task: URLSessionDataTask) async -> Outcome {
        await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
            lock.lock()
            continuation = c
            lock.unlock()
            task.resume()
        }
    }

    /// Records the first decisive outcome (later ones, e.g. the cancellation error, are ignored).
    private func decide(_ o: Outcome) {
        lock.lock()
        if outcome == nil { outcome = o }
        lock.unlock()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            decide(.failed(.network(url: url, reason: "not an HTTP response")))
            completionHandler(.cancel)
            return
        }
        let contentRange = http.value(forHTTPHeaderField: "Content-Range")
        switch http.statusCode {
        case 200:
            lock.lock()
            let hadBytes = start > 0
            start = 0
            expectedTotal = http.expectedContentLength >= 0 ? http.expectedContentLength : nil
            lock.unlock()
            if hadBytes {
                // The server ignored our Range: start over.
                do {
                    try handle.truncate(atOffset: 0)
                } catch {
                    decide(.failed(.fileSystem(path: "\(url) partial file", reason: "cannot truncate: \(error.localizedDescription)")))
                    completionHandler(.cancel)
                    return
                }
            }
            completionHandler(.allow)
        case 206:
            let parsed = contentRange.flatMap(StreamingDelegate.parseContentRange)
            lock.lock()
            let offset = start
            lock.unlock()
            guard let parsed, parsed.start == offset else {
                decide(.failed(.network(url: url, reason: "server resumed at the wrong offset (Content-Range: \(contentRange ?? "missing"), wanted \(offset))")))
                completionHandler(.cancel)
                return
            }
            lock.lock()
            expectedTotal = parsed.total ?? (http.expectedContentLength >= 0 ? offset + http.expectedContentLength : nil)
            lock.unlock()
            completionHandler(.allow)
        case 416:
            let total = contentRange.flatMap(StreamingDelegate.parseContentRange)?.total
            decide(.rangeNotSatisfiable(total: total))
            completionHandler(.cancel)
        default:
            decide(.failed(.httpStatus(url: url, status: http.statusCode)))
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        do {
            try handle.write(contentsOf: data)
        } catch {
            decide(.failed(.fileSystem(path: url, reason: "cannot write the download: \(error.localizedDescription)")))
            dataTask.cancel()
            return
        }
        lock.lock()
        written += Int64(data.count)
        let received = start + written
        let total = expectedTotal
        lock.unlock()
        progress?(received, total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let o = outcome ?? .finished(start: start, expectedTotal: expectedTotal, transportError: error.map(HTTPDownloader.describe))
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: o)
    }

    /// Parses `bytes START-END/TOTAL` or `bytes */TOTAL` (TOTAL may be `*`).
    static func parseContentRange(_ value: String) -> (start: Int64?, total: Int64?)? {
        let v = value.trimmingCharacters(in: .whitespaces)
        guard v.lowercased().hasPrefix("bytes") else { return nil }
        let rest = v.dropFirst(5).trimmingCharacters(in: .whitespaces)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let total = Int64(parts[1])
        if parts[0] == "*" { return (nil, total) }
        guard let dash = parts[0].firstIndex(of: "-"), let s = Int64(parts[0][..<dash]) else { return nil }
        return (s, total)
    }
}
