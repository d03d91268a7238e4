import Boosting
import MovieLens
import Runtime

/// Leak-free features for the outer folds of a K-fold cross-validation, with the contexts
/// (statistics, factorisation, clusters) shared between folds.
///
/// The inner folds of outer fold f's training set are the other outer folds:
/// - a test row (in fold f) is described by the context of every rating outside f;
/// - a training row in fold g ≠ f by the context of the ratings outside both f and g.
///
/// The context "outside {f, g}" serves outer fold f (for its training rows in g) and outer
/// fold g (for its training rows in f), so a whole K-fold run fits K + K(K−1)/2 contexts
/// (15 for K = 5) instead of K·(inner folds + 1) (30 with 5 inner folds). Honesty is the same
/// as `FeatureBuilder.build`'s: no row's features depend on its own rating (its fold is always
/// excluded from its context), and no test rating reaches any feature of its outer fold.
///
/// Every context is fitted with the same seed (`options.seed`), so a context is a function of
/// its ratings only and the features of a fold do not depend on which folds were requested.
struct NestedFoldFeatures: Sendable {
    let split: KFoldSplit
    let schema: FeatureSchema
    let options: FeatureOptions
    /// `outside[f]`: context of the ratings outside fold f (nil when not requested).
    let outside: [FeatureContext?]
    /// `outsidePair[a * k + b]` (a < b): context of the ratings outside folds a and b.
    let outsidePair: [FeatureContext?]

    /// Fits the contexts the outer folds `folds` need (all of them by default), `threads`
    /// contexts at a time.
    init(dataset: Dataset, split: KFoldSplit, folds: [Int]? = nil, options: FeatureOptions) throws {
        try options.validate()
        let k = split.k
        let wanted = Set(folds ?? Array(0..<k))
        for f in wanted where f < 0 || f >= k { throw RecommenderError.invalidArgument("fold \(f) outside 0..<\(k)") }
        guard split.fold.count == dataset.ratingCount else {
            throw RecommenderError.invalidArgument("the split covers \(split.fold.count) rows, the data set has \(dataset.ratingCount) ratings")
        }
        let schema = FeatureSchema(dataset: dataset, options: options)
        // Sufficient statistics per outer fold, and their total.
        var foldSums = (0..<k).map { _ in RatingSums(users: dataset.userCount, movies: dataset.movieCount, genres: schema.genreCount) }
        for row in 0..<dataset.ratingCount {
            foldSums[Int(split.fold[row])].add(row: row, of: dataset, likeThreshold: options.likeThreshold)
        }
        var total = foldSums[0]
        for f in 1..<k { total = total.adding(foldSums[f]) }
        // The contexts to fit: (excluded folds) — single folds first, then pairs.
        var jobs: [[Int]] = []
        for f in 0..<k where wanted.contains(f) { jobs.append([f]) }
        for a in 0..<k {
            for b in (a + 1)..<k where wanted.contains(a) || wanted.contains(b) { jobs.append([a, b]) }
        }
        var fitted = [Result<FeatureContext, Error>?](repeating: nil, count: jobs.count)
        let threads = Threads.resolve(options.threads)
        let sums = foldSums, all = total, jobList = jobs
        fitted.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            parallelFor(chunks: jobList.count, threads: threads) { j in
                out.value[j] = Result {
                    let excluded = jobList[j]
                    var s = all
                    for f in excluded { s = s.subtracting(sums[f]) }
                    let rows = split.fold.indices.filter { !excluded.contains(Int(split.fold[$0])) }
                    return try FeatureBuilder.context(dataset: dataset, sortedRows: rows, sums: s, schema: schema, options: options)
                }
            }
        }
        var outside = [FeatureContext?](repeating: nil, count: k)
        var outsidePair = [FeatureContext?](repeating: nil, count: k * k)
        for (j, excluded) in jobs.enumerated() {
            guard let result = fitted[j] else { throw RecommenderError.training("a feature context was not fitted") }
            let ctx = try result.get()
            if excluded.count == 1 { outside[excluded[0]] = ctx } else { outsidePair[excluded[0] * k + excluded[1]] = ctx }
        }
        self.split = split
        self.schema = schema
        self.options = options
        self.outside = outside
        self.outsidePair = outsidePair
    }

    /// The train/test features of outer fold `f` (training rows = every other fold, ascending;
    /// test rows = fold f, ascending).
    func features(dataset: Dataset, fold f: Int, threads: Int) throws -> FoldFeatures {
        let k = split.k
        guard f >= 0, f < k, let testContext = outside[f] else {
            throw RecommenderError.invalidArgument("fold \(f) was not prepared (0..<\(k))")
        }
        // Context g describes the training rows of fold g (entry f is unused: no training row is in f).
        var contexts: [FeatureContext] = []
        for g in 0..<k {
            if g == f { contexts.append(testContext); continue }
            guard let ctx = outsidePair[min(f, g) * k + max(f, g)] else {
                throw RecommenderError.invalidArgument("the contexts of fold \(f) were not prepared")
            }
            contexts.append(ctx)
        }
        let trainRows = split.rows(notIn: f), testRows = split.rows(in: f)
        return try FeatureBuilder.assemble(dataset: dataset, schema: schema, likeThreshold: options.likeThreshold,
                                           trainRows: trainRows, trainContexts: contexts,
                                           trainContextOf: trainRows.map { Int(split.fold[$0]) },
                                           testRows: testRows, testContext: testContext, threads: threads)
    }
}
