import Boosting
import MovieLens
import Runtime

/// The rows the bundle's boosted classifier and regressor are trained on.
///
/// Up to `limit` ratings: every rating, with out-of-fold features (`FeatureBuilder.build`, as
/// cross-validation builds them). Above it — a full out-of-fold pass fits the factorisation and
/// both clusterings once per inner fold on the whole data, and boosting then runs over every
/// row — a seeded uniform sample of `limit` ratings is held out: one context (statistics,
/// factorisation, clusters) is fitted on all the *other* ratings and describes the sample, exactly
/// as `FeatureBuilder.build` describes test rows. No sampled row's features depend on its own
/// rating (or on any sampled rating), so the features stay leak-free with one context fit
/// instead of `innerFolds`.
enum TrainingRows {
    /// The feature matrix (`train` side) of the training rows; `test` is empty.
    static func build(dataset: Dataset, options: FeatureOptions, limit: Int) throws -> FoldFeatures {
        let n = dataset.ratingCount
        guard n > limit else {
            return try FeatureBuilder.build(dataset: dataset, trainRows: Array(0..<n), testRows: [], options: options)
        }
        let (sample, rest) = try split(count: n, limit: limit, seed: options.seed)
        let inference = try FeatureBuilder.inferenceContext(dataset: dataset, trainRows: rest, options: options)
        let cols = inference.schema.count, rows = sample.count
        var values = [Float](repeating: .nan, count: rows * cols)
        let ctx = inference.context
        values.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            parallelRanges(rows, threads: Threads.resolve(options.threads), minBlock: 4096) { range in
                for i in range { ctx.fill(rating: sample[i], of: dataset, into: out.value, row: i, rows: rows) }
            }
        }
        let names = inference.schema.names
        let like: (Int) -> Float = { dataset.ratingValue[$0] >= options.likeThreshold ? 1 : 0 }
        return FoldFeatures(
            schema: inference.schema,
            train: try FeatureMatrix(rows: rows, columns: cols, columnMajor: values, names: names),
            test: try FeatureMatrix(rows: 0, columns: cols, columnMajor: [], names: names),
            trainRows: sample, testRows: [],
            trainLike: sample.map(like), testLike: [],
            trainRating: sample.map { dataset.ratingValue[$0] }, testRating: [])
    }

    /// A seeded uniform sample of exactly `limit` of `0..<count` and the other indices, both ascending
    /// (selection sampling, Knuth's Algorithm S: one pass, no shuffle of `count` indices).
    static func split(count: Int, limit: Int, seed: UInt64) throws -> (sample: [Int], rest: [Int]) {
        guard limit >= 1, limit < count else {
            throw RecommenderError.invalidArgument("row sample of \(limit) out of \(count) ratings")
        }
        var rng = SplitMix64(seed: seed ^ 0x5EED_B005_7000_0001)
        var sample: [Int] = [], rest: [Int] = []
        sample.reserveCapacity(limit)
        rest.reserveCapacity(count - limit)
        var needed = limit
        for i in 0..<count {
            // Keep i with probability needed / remaining.
            if Double(count - i) * rng.nextUnit() < Double(needed) {
                sample.append(i)
                needed -= 1
            } else {
                rest.append(i)
            }
        }
        return (sample, rest)
    }
}
