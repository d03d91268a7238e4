import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that is shared across the workers of a parallel loop although the compiler cannot
/// prove it safe. Use it for raw pointers into disjoint regions of a buffer: each worker must
/// write only its own part.
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public var value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}

/// How many threads MovieRec's own parallel loops use.
///
/// This is the one threading knob of the project: `MOVIEREC_THREADS` in the environment or the
/// `--threads` option of the CLI. The default is the number of online cores. OpenBLAS calls made
/// from inside our parallel regions must run single-threaded (see `LinearAlgebra.BLASThreads`),
/// so that our threads × OpenBLAS's threads never exceed the cores.
public enum Threads {
    /// Number of online processors (at least 1).
    public static var available: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, Int(sysconf(_SC_NPROCESSORS_ONLN)))
        #endif
    }

    /// The default thread count: `MOVIEREC_THREADS` if set to a positive integer, else `available`.
    public static var defaultCount: Int {
        if let text = getenv("MOVIEREC_THREADS").map({ String(cString: $0) }), let n = Int(text), n > 0 {
            return min(n, 1024)
        }
        return available
    }

    /// Resolves a user-supplied thread count: `nil` or `0` means the default.
    public static func resolve(_ requested: Int?) -> Int {
        guard let requested, requested > 0 else { return defaultCount }
        return min(requested, 1024)
    }
}

/// Runs `body(chunk)` for `chunk` in `0..<chunks` on up to `threads` threads and waits for all.
///
/// Work is handed out in index order by `DispatchQueue.concurrentPerform`; with `threads == 1`
/// or a single chunk the loop runs inline on the caller's thread. Results must not depend on
/// which thread ran a chunk: give each chunk its own output slot and reduce afterwards in chunk
/// order, which keeps results deterministic for a given thread count.
@inlinable
public func parallelFor(chunks: Int, threads: Int, _ body: (Int) -> Void) {
    if chunks <= 0 { return }
    if threads <= 1 || chunks == 1 {
        for c in 0..<chunks { body(c) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        let shared = UnsafeSendable(escapable)
        let workers = min(threads, chunks)
        // Each worker takes chunks w, w + workers, … so that the split is fixed for a thread count.
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var c = w
            while c < chunks {
                shared.value(c)
                c += workers
            }
        }
    }
}

/// Splits `0..<count` into `parts` contiguous ranges whose lengths differ by at most one.
@inlinable
public func splitRange(_ count: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, min(parts, max(count, 1)))
    var out: [Range<Int>] = []
    out.reserveCapacity(p)
    let base = count / p, extra = count % p
    var start = 0
    for i in 0..<p {
        let len = base + (i < extra ? 1 : 0)
        out.append(start..<(start + len))
        start += len
    }
    return out
}

/// Runs `body(range)` over contiguous blocks of `0..<count` in parallel. Blocks have at least
/// `minBlock` items (to keep small loops inline) and there are about `4 × threads` of them, so
/// uneven blocks balance out.
@inlinable
public func parallelRanges(_ count: Int, threads: Int, minBlock: Int = 1024, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let blocks = max(1, min(threads * 4, count / max(1, minBlock)))
    let ranges = splitRange(count, parts: blocks)
    parallelFor(chunks: ranges.count, threads: threads) { body(ranges[$0]) }
}
