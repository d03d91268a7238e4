import Foundation
import Runtime

/// Generates rows block by block in parallel and writes them in block order, the writing
/// overlapped with the generation.
///
/// Buffers form a ring of `slots` slots. Worker threads claim blocks in increasing order; block
/// `b` is generated into slot `b mod slots` once block `b − slots` (the slot's previous
/// occupant) has been written. The calling thread is the writer: it waits for block 0, 1, 2, …
/// in turn, appends its buffers to the files and frees its slot. Workers never wait for a
/// whole wave, and the write of one block runs while the next ones are generated. The output
/// therefore depends only on what each block generates, never on the thread count or the
/// timing, and memory is `slots` buffers.
struct BlockStreamer {
    /// What one block wrote.
    struct Stats {
        var tagRows = 0
        /// Sum of the ratings in half stars.
        var halfStars = 0
    }

    let threads: Int
    /// Expected ratings per block (for the buffers' initial capacity).
    let ratingsPerBlock: Int

    /// Buffer slots: two blocks per worker (one being generated, one finished and waiting for
    /// the writer) and two more so that a slow block does not stall the others.
    var slots: Int { threads * 2 + 2 }

    /// Runs `generate(block, slot, ratings, tags)` for every block of `blockRatings` (its rating
    /// count, reported to `progress` once the block is written) and appends the buffers to the
    /// files. `slot` is in `0..<slots`, unique among the blocks generated at the same time.
    func run(blockRatings: [Int], ratingsFile: StreamFile, tagsFile: StreamFile, progress: any ProgressReporter,
             _ generate: (_ block: Int, _ slot: Int, _ ratings: ByteSink, _ tags: ByteSink) -> Stats) throws -> Stats {
        let count = blockRatings.count
        guard count > 0 else { return Stats() }
        let slots = self.slots
        let ratingSinks = (0..<slots).map { _ in ByteSink(capacity: ratingsPerBlock * 28) }
        let tagSinks = (0..<slots).map { _ in ByteSink(capacity: 1 << 16) }
        let ring = BlockRing(slots: slots, blocks: count)
        var total = Stats()
        var failure: (any Error)?
        withoutActuallyEscaping(generate) { generate in
            // The worker threads reach `generate` through this box, which is emptied once they
            // are done: a `Thread` keeps its closure until the thread object goes away, after
            // `group.wait()` returns, and `withoutActuallyEscaping` traps if the closure is still
            // referenced when it ends.
            let body = GeneratorBox(generate)
            defer { body.clear() }
            let sinks = UnsafeSendable(ratingSinks), tagBuffers = UnsafeSendable(tagSinks)
            // Dedicated threads (not the dispatch pool, which the waiting writer could starve).
            let group = DispatchGroup()
            for _ in 0..<max(1, min(threads, count)) {
                group.enter()
                Thread {
                    while let (block, slot) = ring.claim() {
                        let ratings = sinks.value[slot], tags = tagBuffers.value[slot]
                        ratings.removeAll()
                        tags.removeAll()
                        ring.finish(block: block, stats: body.call(block, slot, ratings, tags))
                    }
                    group.leave()
                }.start()
            }
            // The writer: blocks in order, each as soon as it is generated.
            do {
                for block in 0..<count {
                    let (slot, stats) = ring.waitFor(block: block)
                    try ratingsFile.write(ratingSinks[slot])
                    try tagsFile.write(tagSinks[slot])
                    total.tagRows += stats.tagRows
                    total.halfStars += stats.halfStars
                    ring.written(block: block)
                    progress.advance(blockRatings[block])
                }
            } catch {
                failure = error
                ring.cancel()
            }
            group.wait()
        }
        if let failure { throw failure }
        return total
    }

    /// Consecutive items (users) cut into blocks of at least `target` ratings (the last may be
    /// smaller); `count(i)` is the number of ratings of item `i`.
    static func blocks(items: Int, target: Int, count: (Int) -> Int) -> [(items: Range<Int>, ratings: Int)] {
        var blocks: [(items: Range<Int>, ratings: Int)] = []
        var start = 0, sum = 0
        for i in 0..<items {
            sum += count(i)
            if sum >= target {
                blocks.append((start..<(i + 1), sum))
                start = i + 1
                sum = 0
            }
        }
        if start < items { blocks.append((start..<items, sum)) }
        return blocks
    }
}

/// Holds `BlockStreamer.run`'s generator for its worker threads until `clear()`.
private final class GeneratorBox: @unchecked Sendable {
    typealias Generate = (_ block: Int, _ slot: Int, _ ratings: ByteSink, _ tags: ByteSink) -> BlockStreamer.Stats
    private var generate: Generate?

    init(_ generate: @escaping Generate) { self.generate = generate }

    /// Runs the generator (only before `clear()`: every worker has finished by then).
    func call(_ block: Int, _ slot: Int, _ ratings: ByteSink, _ tags: ByteSink) -> BlockStreamer.Stats {
        guard let generate else { return BlockStreamer.Stats() }
        return generate(block, slot, ratings, tags)
    }

    /// Drops the generator.
    func clear() { generate = nil }
}

/// The hand-off between the generating workers and the writer of `BlockStreamer`: which block
/// is next to claim, which slots hold finished blocks, how many blocks are written.
final class BlockRing: @unchecked Sendable {
    private let condition = NSCondition()
    private let slots: Int
    private let blocks: Int
    private var next = 0
    private var writtenCount = 0
    private var cancelled = false
    /// The block each slot holds once generated (-1: none), and its statistics.
    private var ready: [Int]
    private var stats: [BlockStreamer.Stats]

    init(slots: Int, blocks: Int) {
        self.slots = slots
        self.blocks = blocks
        ready = [Int](repeating: -1, count: slots)
        stats = [BlockStreamer.Stats](repeating: BlockStreamer.Stats(), count: slots)
    }

    /// The next block and its slot, once the slot is free; nil when every block is claimed or
    /// the run was cancelled.
    func claim() -> (block: Int, slot: Int)? {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, next < blocks else { return nil }
        let block = next
        next += 1
        while block - writtenCount >= slots && !cancelled { condition.wait() }
        return cancelled ? nil : (block, block % slots)
    }

    /// Marks `block` as generated.
    func finish(block: Int, stats s: BlockStreamer.Stats) {
        condition.lock()
        ready[block % slots] = block
        stats[block % slots] = s
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `block` is generated; returns its slot and statistics.
    func waitFor(block: Int) -> (slot: Int, stats: BlockStreamer.Stats) {
        condition.lock()
        defer { condition.unlock() }
        while ready[block % slots] != block { condition.wait() }
        return (block % slots, stats[block % slots])
    }

    /// Frees the slot of `block` (written to disk).
    func written(block: Int) {
        condition.lock()
        writtenCount = block + 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the workers (after a write error): no more claims, waiting claims return nil.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
