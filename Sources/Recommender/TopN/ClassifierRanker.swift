import Boosting
import MovieLens
import Runtime

/// The like-classifier as a ranker: every catalogue movie the user has not rated is scored by
/// the classifier's like-probability (features from `FeatureInference` of the training ratings),
/// best first. This is the ranking the notebook implies; it favours obscure movies with a few
/// high ratings, which is why it ranks so badly (issue 7).
public struct ClassifierRanker: TopNRanker {
    public var name: String { "classifier" }
    /// Features of (user, movie) pairs from the training ratings.
    public let inference: FeatureInference
    /// The like-classifier (`binary:logistic`) trained on the training ratings' out-of-fold features.
    public let classifier: BoostedModel
    /// Movies with at least one training rating.
    public let catalogue: [Bool]
    /// Threads of one request's scoring (1 when many users are ranked in parallel, as the top-N
    /// evaluation does; the CLI's serving path uses every core).
    public var threads: Int = 1
    /// Probabilities computed earlier by this ranker's classifier for some users (see
    /// `ClassifierScores`); used instead of rescoring when the user and the seen list match.
    public private(set) var sharedScores: ClassifierScores? = nil

    /// Assembles the ranker from fitted parts.
    /// - Throws: `.invalidArgument` when the classifier's feature count is not the schema's.
    public init(inference: FeatureInference, classifier: BoostedModel, catalogue: [Bool]) throws {
        guard classifier.featureCount == inference.schema.count else {
            throw RecommenderError.invalidArgument("classifier has \(classifier.featureCount) features, the feature schema \(inference.schema.count)")
        }
        self.inference = inference
        self.classifier = classifier
        self.catalogue = catalogue
    }

    /// Trains the classifier on `trainRows` exactly as cross-validation trains it (out-of-fold
    /// features of the training ratings, like = rating ≥ threshold) and builds the inference context.
    public static func fit(dataset: Dataset, trainRows: [Int], features: FeatureOptions, booster: BoostingParameters,
                           threads: Int? = nil) throws -> ClassifierRanker {
        let rows = trainRows.sorted()
        var options = features
        options.threads = threads
        let built = try FeatureBuilder.build(dataset: dataset, trainRows: rows, testRows: [], options: options)
        var p = booster
        p.objective = .binaryLogistic
        p.threads = Threads.resolve(threads)
        let model: BoostedModel
        do {
            model = try BoostedModel.train(features: built.train, labels: built.trainLike, parameters: p).model
        } catch {
            throw RecommenderError.training("like-classifier: \(error)")
        }
        var catalogue = [Bool](repeating: false, count: dataset.movieCount)
        for r in rows { catalogue[Int(dataset.ratingMovie[r])] = true }
        return try ClassifierRanker(inference: try FeatureBuilder.inferenceContext(dataset: dataset, trainRows: rows, options: options),
                                    classifier: model, catalogue: catalogue)
    }

    /// Like-probabilities of every catalogue movie not in `seen` (movies ascending, probabilities
    /// aligned), scored by `CandidateScorer` (bit-identical to predicting the feature matrix).
    /// Empty for a user the features do not know.
    func probabilities(user: Int, excluding seen: [Int32], threads: Int = 1) -> (movies: [Int32], scores: [Float]) {
        if let stored = sharedScores?.lookup(user: user, seen: seen) { return stored }
        guard user >= 0, user < inference.dataset.userCount else { return ([], []) }
        let mask = TopSelection.allowedMask(catalogue: catalogue, seen: seen)
        var movies: [Int32] = []
        movies.reserveCapacity(mask.count)
        for m in mask.indices where mask[m] { movies.append(Int32(m)) }
        guard !movies.isEmpty, let scorer = try? CandidateScorer(inference: inference, model: classifier),
              let p = try? scorer.predictions(user: user, movies: movies, threads: threads) else { return ([], []) }
        return (movies, p)
    }

    /// This ranker with the probabilities of `users` (each excluding `seen[i]`) computed now,
    /// so rankers built on it (say a `NotebookHybridRanker`) reuse them instead of rescoring.
    /// The rankings are unchanged. `threads` spreads the users (one thread each).
    public func sharingScores(users: [Int], seen: [[Int32]], threads: Int? = nil) throws -> ClassifierRanker {
        var copy = self
        copy.sharedScores = try ClassifierScores.compute(self, users: users, seen: seen, threads: threads)
        return copy
    }

    public func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie] {
        guard count > 0 else { return [] }
        let (movies, p) = probabilities(user: user, excluding: seen, threads: threads)
        var scored = zip(movies, p).map { (movie: $0.0, score: $0.1) }
        if scored.isEmpty, user < 0 || user >= inference.dataset.userCount {
            // A user the features do not know: the movies' like rates (the user-free part).
            scored = PopularityRanker(scores: catalogue.indices.map { catalogue[$0] ? inference.context.movieLikeRate[$0] : .nan })
                .recommend(user: 0, excluding: seen, count: count).map { (movie: $0.movie, score: $0.score) }
        }
        return TopSelection.top(candidates: scored, count: count).map {
            RankedMovie(movie: $0.movie, score: $0.score, reason: .predictedLike(probability: $0.score))
        }
    }
}
