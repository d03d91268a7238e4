import Foundation

/// Runs tasks of uneven or unpredictable cost on several threads, each thread taking the next
/// task in index order as soon as it is free (`parallelFor` instead fixes in advance
/// which thread runs which chunk, so one descheduled thread on a busy machine holds everyone
/// up). Use only where results do not depend on which thread ran a task: each task writes its
/// own outputs.
public enum DynamicTasks {
    /// Runs `body(task)` once for every task in `0..<count` on up to `threads` threads and waits
    /// for all; inline, in order, with one thread or one task.
    public static func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(threads, count)
        guard workers > 1 else {
            for t in 0..<count { body(t) }
            return
        }
        let next = Counter()
        parallelFor(chunks: workers, threads: workers) { _ in
            while true {
                let t = next.take()
                guard t < count else { return }
                body(t)
            }
        }
    }

    /// The index of the next task to hand out.
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func take() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value - 1
        }
    }
}
