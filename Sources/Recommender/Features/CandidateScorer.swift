import Boosting
import Runtime

/// Scores one user against many movies with a boosted model — the all-movie rankers' inner loop
/// (`ClassifierRanker`, `NotebookHybridRanker`, the bundle's regressor ranking).
///
/// The result is bit-identical to `model.predictMargins(inference.features(user:movies:))`, for
/// a fraction of the work:
/// - the feature block (column-major, one row per movie) is filled into one buffer, without a
///   per-row allocation;
/// - every column that holds the same value in every row (the user's own statistics,
///   demographics, bias and clusters: constant for one user) is folded into the trees
///   (`ForestSpecialization`): a split on it takes the same branch for every row, so it is
///   resolved once, and the rows walk shorter trees;
/// - rows walk each tree eight at a time in lockstep (independent loads overlap), in blocks of
///   64 rows so a block's values stay in cache across the trees.
/// Leaf values are added to the base margin in tree order in `Float`, exactly as
/// `BoostedModel.predictMargins` adds them, so the margins are the same numbers.
public struct CandidateScorer: Sendable {
    /// Feature statistics (the schema must be the model's).
    public let inference: FeatureInference
    /// The model whose margins are computed.
    public let model: BoostedModel

    /// - Throws: `.invalidArgument` when the model's feature count is not the schema's.
    public init(inference: FeatureInference, model: BoostedModel) throws {
        guard model.featureCount == inference.schema.count else {
            throw RecommenderError.invalidArgument("the model has \(model.featureCount) features, the feature schema \(inference.schema.count)")
        }
        self.inference = inference
        self.model = model
    }

    /// Margins of (user, movies[i]) for every i, at Unix time `time` (default the inference's
    /// reference time). `user` and every movie must be valid dense indices.
    /// - Throws: `.invalidArgument` naming an index out of range.
    public func margins(user: Int, movies: [Int32], time: Int64? = nil, threads: Int = 1) throws -> [Float] {
        let data = inference.dataset
        guard user >= 0, user < data.userCount else {
            throw RecommenderError.invalidArgument("user index \(user) outside 0..<\(data.userCount)")
        }
        for m in movies where m < 0 || Int(m) >= data.movieCount {
            throw RecommenderError.invalidArgument("movie index \(m) outside 0..<\(data.movieCount)")
        }
        let n = movies.count, cols = inference.schema.count
        guard n > 0 else { return [] }
        let t = time ?? inference.referenceTime
        var values = [Float](repeating: .nan, count: n * cols)
        let ctx = inference.context
        values.withUnsafeMutableBufferPointer { buf in
            for i in 0..<n { ctx.fill(user: user, movie: Int(movies[i]), time: t, of: data, into: buf, row: i, rows: n) }
        }
        let forest = values.withUnsafeBufferPointer { ForestSpecialization(model, block: $0, rows: n, columns: cols) }
        var out = [Float](repeating: model.baseMargin, count: n)
        values.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let v = UnsafeSendable(vb), o = UnsafeSendable(ob)
                let workers = n < 2048 ? 1 : max(1, threads)
                parallelRanges(n, threads: workers, minBlock: 1024) { range in
                    forest.accumulate(block: v.value, rows: n, range: range, into: o.value)
                }
            }
        }
        return out
    }

    /// Predictions (probabilities for `binary:logistic`, else margins) of (user, movies[i]).
    public func predictions(user: Int, movies: [Int32], time: Int64? = nil, threads: Int = 1) throws -> [Float] {
        var m = try margins(user: user, movies: movies, time: time, threads: threads)
        if model.objective == .binaryLogistic {
            for i in m.indices { m[i] = model.objective.transform(m[i]) }
        }
        return m
    }
}
