import Runtime

/// Generates rows block by block in parallel and writes them in block order.
///
/// Blocks are processed in waves of `2 × threads`; block `b` of a wave is generated into buffer
/// slot `b mod wave` by whichever thread takes it, then the wave's buffers are appended to the
/// files in block order. The output therefore depends only on what each block generates, never
/// on the thread count, and memory is one wave of buffers.
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

    /// Runs `generate(block, slot, ratings, tags)` for every block of `blockRatings` (its rating
    /// count, reported to `progress` once the block is written) and appends the buffers to the files.
    /// `slot` is in `0..<slots`, unique among the blocks generated at the same time.
    func run(blockRatings: [Int], ratingsFile: StreamFile, tagsFile: StreamFile, progress: any ProgressReporter,
             _ generate: (_ block: Int, _ slot: Int, _ ratings: ByteSink, _ tags: ByteSink) -> Stats) throws -> Stats {
        let wave = slots
        let ratingSinks = (0..<wave).map { _ in ByteSink(capacity: ratingsPerBlock * 28) }
        let tagSinks = (0..<wave).map { _ in ByteSink(capacity: 1 << 16) }
        var stats = [Stats](repeating: Stats(), count: wave)
        var total = Stats()
        var first = 0
        while first < blockRatings.count {
            let n = min(wave, blockRatings.count - first)
            stats.withUnsafeMutableBufferPointer { st in
                let shared = UnsafeSendable((ratingSinks, tagSinks, st))
                withoutActuallyEscaping(generate) { generate in
                    let body = UnsafeSendable(generate)
                    parallelFor(chunks: n, threads: threads) { c in
                        let (rs, ts, st) = shared.value
                        rs[c].removeAll()
                        ts[c].removeAll()
                        st[c] = body.value(first + c, c, rs[c], ts[c])
                    }
                }
            }
            for c in 0..<n {
                try ratingsFile.write(ratingSinks[c])
                try tagsFile.write(tagSinks[c])
                total.tagRows += stats[c].tagRows
                total.halfStars += stats[c].halfStars
                progress.advance(blockRatings[first + c])
            }
            first += n
        }
        return total
    }

    /// Buffer slots (blocks generated per wave).
    var slots: Int { max(1, threads * 2) }

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
