import Boosting
import MovieLens
import Runtime

/// Features of arbitrary (user, movie) pairs, computed from the statistics (and factorisation
/// and clusters) of one fixed set of training ratings — the inference side of `FeatureBuilder`.
///
/// Use it to score candidates for top-N ranking or serving with a model trained on
/// `FeatureBuilder.build` output: a pair's row is computed exactly as a *test* row of `build`
/// with the same training rows (no out-of-fold split: every training rating counts). Pairs are
/// dense indices (`0..<dataset.userCount`, `0..<dataset.movieCount`), not MovieLens ids.
///
/// The only time-dependent column, `movie_age_at_rating`, uses the `time` you pass (Unix
/// seconds); the default is `referenceTime`, the latest training rating's time, so results are
/// deterministic.
///
/// ```swift
/// let inference = try FeatureBuilder.inferenceContext(dataset: data, trainRows: Array(0..<data.ratingCount))
/// let x = try inference.features(pairs: [(user: 0, movie: 10), (user: 0, movie: 11)])
/// let p = try classifier.predict(x)
/// ```
public struct FeatureInference: Sendable {
    /// Column layout (identical to `FeatureBuilder.schema(for:options:)`).
    public let schema: FeatureSchema
    /// Number of training ratings the statistics come from.
    public let trainRowCount: Int
    /// Default time of `movie_age_at_rating`: the latest training rating's Unix time (0 if none).
    public let referenceTime: Int64
    let context: FeatureContext
    let dataset: Dataset

    init(schema: FeatureSchema, trainRowCount: Int, referenceTime: Int64, context: FeatureContext, dataset: Dataset) {
        self.schema = schema
        self.trainRowCount = trainRowCount
        self.referenceTime = referenceTime
        self.context = context
        self.dataset = dataset
    }

    /// The feature matrix of `pairs` (one row per pair, in order), evaluated at Unix time `time`
    /// (default `referenceTime`). Throws `RecommenderError.invalidArgument` naming the first
    /// pair whose user or movie index is out of range.
    public func features(pairs: [(user: Int, movie: Int)], time: Int64? = nil, threads: Int? = nil) throws -> FeatureMatrix {
        let users = dataset.userCount, movies = dataset.movieCount
        for (k, p) in pairs.enumerated() where p.user < 0 || p.user >= users || p.movie < 0 || p.movie >= movies {
            throw RecommenderError.invalidArgument(
                "pair \(k): user index \(p.user) (0..<\(users)) or movie index \(p.movie) (0..<\(movies)) out of range")
        }
        let n = pairs.count, cols = schema.count
        let t = time ?? referenceTime
        var values = [Float](repeating: .nan, count: n * cols)
        let ctx = context, data = dataset
        let pairsCopy = pairs
        values.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            let workers = n < 4096 ? 1 : Threads.resolve(threads)
            parallelRanges(n, threads: workers, minBlock: 1024) { range in
                for i in range {
                    ctx.fill(user: pairsCopy[i].user, movie: pairsCopy[i].movie, time: t, of: data,
                             into: out.value, row: i, rows: n)
                }
            }
        }
        return try FeatureMatrix(rows: n, columns: cols, columnMajor: values, names: schema.names)
    }

    /// The feature matrix of one user against many movies (a top-N candidate list).
    public func features(user: Int, movies: [Int], time: Int64? = nil, threads: Int? = nil) throws -> FeatureMatrix {
        try features(pairs: movies.map { (user: user, movie: $0) }, time: time, threads: threads)
    }

    /// The feature row of one pair, in schema order (the low-latency path for a single prediction).
    public func row(user: Int, movie: Int, time: Int64? = nil) throws -> [Float] {
        guard user >= 0, user < dataset.userCount, movie >= 0, movie < dataset.movieCount else {
            throw RecommenderError.invalidArgument(
                "user index \(user) (0..<\(dataset.userCount)) or movie index \(movie) (0..<\(dataset.movieCount)) out of range")
        }
        var values = [Float](repeating: .nan, count: schema.count)
        let t = time ?? referenceTime
        values.withUnsafeMutableBufferPointer { buf in
            context.fill(user: user, movie: movie, time: t, of: dataset, into: buf, row: 0, rows: 1)
        }
        return values
    }
}

extension FeatureBuilder {
    /// The inference context of `trainRows` (indices into the dataset's ratings; order does not
    /// matter): statistics, factorisation and clusters fitted on exactly those ratings, as for
    /// the test rows of `build(dataset:trainRows:testRows:options:)`. For serving, pass every
    /// rating (`Array(0..<dataset.ratingCount)`).
    public static func inferenceContext(dataset: Dataset, trainRows: [Int],
                                        options: FeatureOptions = FeatureOptions()) throws -> FeatureInference {
        try options.validate()
        let r = dataset.ratingCount
        for x in trainRows where x < 0 || x >= r { throw RecommenderError.invalidArgument("training row \(x) outside 0..<\(r)") }
        guard !trainRows.isEmpty else { throw RecommenderError.insufficientData("no training ratings") }
        let schema = FeatureSchema(dataset: dataset, options: options)
        var sums = RatingSums(users: dataset.userCount, movies: dataset.movieCount, genres: schema.genreCount)
        for row in trainRows { sums.add(row: row, of: dataset, likeThreshold: options.likeThreshold) }
        let ctx = try context(dataset: dataset, sortedRows: trainRows.sorted(), sums: sums, schema: schema, options: options,
                              threads: Threads.resolve(options.threads))
        let latest = trainRows.lazy.map { dataset.ratingTime[$0] }.max() ?? 0
        return FeatureInference(schema: schema, trainRowCount: trainRows.count, referenceTime: latest, context: ctx,
                                dataset: dataset)
    }
}
