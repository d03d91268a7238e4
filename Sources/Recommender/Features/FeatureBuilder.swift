import Boosting
import MovieLens
import Runtime

/// The feature matrices of one train/test split, with both targets.
public struct FoldFeatures: Sendable {
    /// Column layout (the names are also the matrices' `names`).
    public var schema: FeatureSchema
    /// Features of the training ratings (out-of-fold statistics), in `trainRows` order.
    public var train: FeatureMatrix
    /// Features of the test ratings (statistics of the whole training set), in `testRows` order.
    public var test: FeatureMatrix
    /// Dataset rating indices of the training / test rows.
    public var trainRows: [Int], testRows: [Int]
    /// 1 when the rating is a like (≥ `likeThreshold`), else 0.
    public var trainLike: [Float], testLike: [Float]
    /// The star ratings.
    public var trainRating: [Float], testRating: [Float]
}

/// Builds leak-free features for a train/test split of a `Dataset`'s ratings.
///
/// - Test rows are described by statistics (and a factorisation) of the whole training set.
/// - Training rows are described out-of-fold: the training rows are dealt into
///   `options.innerFolds` seeded inner folds; the statistics for a row in inner fold f are the
///   training sums minus fold f's sums (one O(n) pass plus K subtractions), and the
///   factorisation for it is fitted on the training rows outside fold f.
///
/// So no row's features ever depend on its own rating — not through a mean, a count of likes,
/// a genre affinity or the factorisation. Leave-one-out means are deliberately not used: with
/// them a row's own rating is anti-correlated with its feature (the user mean without the row
/// drops exactly when the row is high), which a tree model learns and which does not carry over
/// to new ratings.
public enum FeatureBuilder {
    /// The schema `build` produces for `dataset`.
    public static func schema(for dataset: Dataset, options: FeatureOptions = FeatureOptions()) -> FeatureSchema {
        FeatureSchema(dataset: dataset, options: options)
    }

    /// Builds the features of `testRows` from `trainRows` (indices into the dataset's ratings).
    public static func build(dataset: Dataset, trainRows: [Int], testRows: [Int],
                             options: FeatureOptions = FeatureOptions()) throws -> FoldFeatures {
        try options.validate()
        let r = dataset.ratingCount
        for x in trainRows where x < 0 || x >= r { throw RecommenderError.invalidArgument("training row \(x) outside 0..<\(r)") }
        for x in testRows where x < 0 || x >= r { throw RecommenderError.invalidArgument("test row \(x) outside 0..<\(r)") }
        guard trainRows.count >= options.innerFolds else {
            throw RecommenderError.insufficientData("\(trainRows.count) training ratings cannot be split into \(options.innerFolds) inner folds")
        }
        let schema = FeatureSchema(dataset: dataset, options: options)
        let k = options.innerFolds
        let inner = try innerSplit(trainCount: trainRows.count, options: options)
        var foldSums = (0..<k).map { _ in RatingSums(users: dataset.userCount, movies: dataset.movieCount, genres: schema.genreCount) }
        for (pos, row) in trainRows.enumerated() {
            foldSums[Int(inner.fold[pos])].add(row: row, of: dataset, likeThreshold: options.likeThreshold)
        }
        var total = foldSums[0]
        for f in 1..<k { total = total.adding(foldSums[f]) }
        // Contexts: one per inner fold (the training rows outside it), and one of the whole
        // training set for the test rows (skipped when there are none, e.g. a final model).
        let jobs = testRows.isEmpty ? k : k + 1
        var fitted = [Result<FeatureContext, Error>?](repeating: nil, count: jobs)
        let foldSumsCopy = foldSums, totalCopy = total
        fitted.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            parallelFor(chunks: jobs, threads: Threads.resolve(options.threads)) { job in
                out.value[job] = Result {
                    if job < k {
                        let sums = totalCopy.subtracting(foldSumsCopy[job])
                        let outside = trainRows.indices.filter { Int(inner.fold[$0]) != job }.map { trainRows[$0] }.sorted()
                        return try context(dataset: dataset, sortedRows: outside, sums: sums, schema: schema, options: options)
                    }
                    return try context(dataset: dataset, sortedRows: trainRows.sorted(), sums: totalCopy, schema: schema,
                                       options: options)
                }
            }
        }
        var contexts: [FeatureContext] = []
        for result in fitted {
            guard let result else { throw RecommenderError.training("a feature context was not fitted") }
            contexts.append(try result.get())
        }
        return try assemble(dataset: dataset, schema: schema, likeThreshold: options.likeThreshold,
                            trainRows: trainRows, trainContexts: Array(contexts.prefix(k)),
                            trainContextOf: inner.fold.map { Int($0) }, testRows: testRows,
                            testContext: testRows.isEmpty ? nil : contexts.last, threads: Threads.resolve(options.threads))
    }

    /// The `FoldFeatures` of `trainRows` (row at position p described by
    /// `trainContexts[trainContextOf[p]]`) and `testRows` (described by `testContext`, which
    /// may be nil only when there are no test rows). Rows are filled in parallel.
    static func assemble(dataset: Dataset, schema: FeatureSchema, likeThreshold: Float,
                         trainRows: [Int], trainContexts: [FeatureContext], trainContextOf: [Int],
                         testRows: [Int], testContext: FeatureContext?, threads: Int) throws -> FoldFeatures {
        guard trainContextOf.count == trainRows.count, trainContextOf.allSatisfy({ $0 >= 0 && $0 < trainContexts.count }) else {
            throw RecommenderError.invalidArgument("every training row needs a context")
        }
        guard testRows.isEmpty || testContext != nil else { throw RecommenderError.invalidArgument("test rows need a context") }
        let cols = schema.count
        let nTrain = trainRows.count, nTest = testRows.count
        var trainValues = [Float](repeating: .nan, count: nTrain * cols)
        var testValues = [Float](repeating: .nan, count: nTest * cols)
        trainValues.withUnsafeMutableBufferPointer { trainBuf in
            testValues.withUnsafeMutableBufferPointer { testBuf in
                let tb = UnsafeSendable(trainBuf), sb = UnsafeSendable(testBuf)
                parallelRanges(nTrain + nTest, threads: threads, minBlock: 4096) { range in
                    for i in range {
                        if i < nTrain {
                            trainContexts[trainContextOf[i]].fill(rating: trainRows[i], of: dataset, into: tb.value, row: i, rows: nTrain)
                        } else if let testContext {
                            testContext.fill(rating: testRows[i - nTrain], of: dataset, into: sb.value, row: i - nTrain, rows: nTest)
                        }
                    }
                }
            }
        }
        let like: (Int) -> Float = { dataset.ratingValue[$0] >= likeThreshold ? 1 : 0 }
        return FoldFeatures(
            schema: schema,
            train: try FeatureMatrix(rows: nTrain, columns: cols, columnMajor: trainValues, names: schema.names),
            test: try FeatureMatrix(rows: nTest, columns: cols, columnMajor: testValues, names: schema.names),
            trainRows: trainRows, testRows: testRows,
            trainLike: trainRows.map(like), testLike: testRows.map(like),
            trainRating: trainRows.map { dataset.ratingValue[$0] }, testRating: testRows.map { dataset.ratingValue[$0] })
    }

    /// The context of the ratings `sortedRows` (ascending dataset indices) whose statistics are
    /// `sums`: fits the factorisation and the clusters on exactly those ratings.
    ///
    /// With `threads` ≥ 2 the factorisation (sequential SGD, one thread) and the clusters (the
    /// other threads) are fitted at the same time; each is a function of the ratings and the
    /// options only, so the context is the same as with one thread.
    static func context(dataset: Dataset, sortedRows: [Int], sums: RatingSums, schema: FeatureSchema,
                        options: FeatureOptions, threads: Int = 1) throws -> FeatureContext {
        guard threads >= 2, options.matrixFactorization, options.clusters else {
            let mf = try options.matrixFactorization ? fitMF(dataset, rows: sortedRows, options: options) : nil
            let cl = try options.clusters ? ClusterContext.fit(dataset: dataset, rows: sortedRows, options: options, threads: threads) : nil
            return FeatureContext(sums: sums, mf: mf, clusters: cl, schema: schema, options: options)
        }
        var mf: Result<BiasedMF, Error>? = nil
        var cl: Result<ClusterContext, Error>? = nil
        withUnsafeMutablePointer(to: &mf) { mfp in
            withUnsafeMutablePointer(to: &cl) { clp in
                let mfOut = UnsafeSendable(mfp), clOut = UnsafeSendable(clp)
                parallelFor(chunks: 2, threads: 2) { job in
                    if job == 0 {
                        mfOut.value.pointee = Result { try fitMF(dataset, rows: sortedRows, options: options) }
                    } else {
                        clOut.value.pointee = Result {
                            try ClusterContext.fit(dataset: dataset, rows: sortedRows, options: options, threads: max(1, threads - 1))
                        }
                    }
                }
            }
        }
        guard let mf, let cl else { throw RecommenderError.training("a feature context was not fitted") }
        return FeatureContext(sums: sums, mf: try mf.get(), clusters: try cl.get(), schema: schema, options: options)
    }

    /// The inner folds of the training rows (by position in `trainRows`). Depends only on the
    /// number of training rows and the seed.
    static func innerSplit(trainCount: Int, options: FeatureOptions) throws -> KFoldSplit {
        try KFoldSplit(count: trainCount, k: options.innerFolds, seed: options.seed &* 0x2545_F491_4F6C_DD1D &+ 0x1234_5678)
    }

    /// Fits the factorisation on the given ratings (sorted dataset indices, so the result does
    /// not depend on how the caller ordered its rows).
    /// The seed is the same for every context: a context's model is a function of its ratings
    /// and the options only (which the tests use to check out-of-fold = direct computation).
    static func fitMF(_ data: Dataset, rows: [Int], options: FeatureOptions) throws -> BiasedMF {
        var p = options.mf
        p.seed = options.mf.seed ^ options.seed
        return try BiasedMF.fit(users: rows.map { data.ratingUser[$0] }, items: rows.map { data.ratingMovie[$0] },
                                values: rows.map { data.ratingValue[$0] },
                                userCount: data.userCount, itemCount: data.movieCount, parameters: p)
    }
}
