import Boosting
import Factorization
import Foundation
import MovieLens
import Runtime

/// Settings of the two-stage hybrid.
public struct TwoStageHybridOptions: Sendable, Equatable {
    /// Stage-1 candidates from ALS per user.
    public var alsCandidates = 150
    /// Stage-1 candidates from each of the user's two clusters (genre, rating).
    public var clusterCandidates = 50
    /// Stage-1 candidates from popularity.
    public var popularCandidates = 50
    /// The user's most recent movies whose mean factor gives `als_recent_similarity`.
    public var recentItems = 10
    /// Share of negative (not liked in the validation slice) candidates kept for training the
    /// ranker; every positive is kept. A pointwise model ranks the same when negatives are
    /// subsampled uniformly (only its intercept shifts).
    public var negativeRate: Double = 0.3
    /// Subtracted from the stage-2 margin per unit of log(1 + the movie's training likes): a
    /// nudge away from the most popular movies that widens catalogue coverage (0 = off).
    public var popularityPenalty: Float = 0.25
    /// Stage-1 ALS (32 factors, 10 sweeps: as good a candidate generator as 64 × 15, 4× cheaper).
    public var als = TwoStageHybridOptions.defaultALS
    /// Cluster counts, shrinkage priors and the like threshold.
    public var features = FeatureOptions()
    /// Stage-2 booster (objective forced to `binary:logistic`).
    public var booster = TwoStageHybridOptions.defaultBooster
    /// Seed of the clusters, the negative sampling and the booster.
    public var seed: UInt64 = 42
    /// Threads (nil = `Threads.defaultCount`).
    public var threads: Int? = nil

    public init() {}

    /// Stage-1 ALS defaults: the engine's defaults with 32 factors and 10 sweeps.
    public static var defaultALS: ImplicitALSParameters {
        var p = ImplicitALSParameters()
        p.factors = 32
        p.iterations = 10
        return p
    }

    /// 100 rounds of depth-6 trees at η = 0.1 with 80 % row and column sampling.
    public static var defaultBooster: BoostingParameters {
        var p = BoostingParameters()
        p.objective = .binaryLogistic
        p.rounds = 100
        p.eta = 0.1
        p.maxDepth = 6
        p.minChildWeight = 5
        p.subsample = 0.8
        p.colsampleBytree = 0.8
        return p
    }

    func validate() throws {
        guard alsCandidates >= 0, clusterCandidates >= 0, popularCandidates >= 0,
              alsCandidates + clusterCandidates + popularCandidates > 0 else {
            throw RecommenderError.invalidArgument("the hybrid needs at least one stage-1 candidate source")
        }
        guard negativeRate > 0, negativeRate <= 1 else {
            throw RecommenderError.invalidArgument("negative rate must be in (0, 1], got \(negativeRate)")
        }
        guard popularityPenalty >= 0, popularityPenalty.isFinite else {
            throw RecommenderError.invalidArgument("popularity penalty must be finite and ≥ 0, got \(popularityPenalty)")
        }
        guard recentItems >= 1 else { throw RecommenderError.invalidArgument("recent items must be ≥ 1, got \(recentItems)") }
    }
}

/// The two-stage hybrid (issue 7): stage 1 proposes a few hundred candidates per user from
/// ALS, the user's clusters and popularity (`HybridStageOne`); stage 2, a gradient-boosted
/// like-model over the pipeline's kind of features plus the stage-1 scores and ranks, orders
/// them.
///
/// Training (`fit`) never looks at the test period: the training period is split again
/// (`TemporalSplit.validation`); stage 1 is fitted on its earlier part and the booster learns
/// which candidates the user went on to rate ≥ 4 in the validation slice. Stage 1 is then
/// refitted on the whole training period, and the booster ranks its candidates.
public struct TwoStageHybridRanker: TopNRanker {
    public var name: String { "hybrid" }
    let stageOne: HybridStageOne
    /// The stage-2 booster.
    public let booster: BoostedModel

    /// Stage-2 feature names.
    public static var featureNames: [String] { HybridStageOne.featureNames }

    init(stageOne: HybridStageOne, booster: BoostedModel) {
        self.stageOne = stageOne
        self.booster = booster
    }

    /// Rebuilds the ranker from a saved booster: stage 1 is refitted on `rows` (cheap: ALS,
    /// clusters, counts) — the bundle stores the booster, the options and the rows' identity.
    /// `als`, when given, must have been fitted on `rows` with `options.als`.
    public static func rebuild(dataset: Dataset, rows: [Int], options: TwoStageHybridOptions, booster: BoostedModel,
                               als: ALSRanker? = nil) throws -> TwoStageHybridRanker {
        guard booster.featureCount == HybridStageOne.featureNames.count else {
            throw RecommenderError.invalidArgument("hybrid booster has \(booster.featureCount) features, expected \(HybridStageOne.featureNames.count)")
        }
        return TwoStageHybridRanker(stageOne: try HybridStageOne.fit(dataset: dataset, rows: rows, options: options, als: als),
                                    booster: booster)
    }

    /// Trains the hybrid on the training ratings `trainRows` (sorted dataset indices).
    /// - Parameter als: an ALS ranker already fitted on `trainRows` with `options.als` (reused
    ///   for the final stage 1).
    public static func fit(dataset: Dataset, trainRows: [Int], options: TwoStageHybridOptions = TwoStageHybridOptions(),
                           als: ALSRanker? = nil, progress: any ProgressReporter = SilentProgress()) throws -> TwoStageHybridRanker {
        try options.validate()
        let threads = Threads.resolve(options.threads)
        let slice = try TemporalSplit(dataset: dataset, rows: trainRows)
        let early = try HybridStageOne.fit(dataset: dataset, rows: slice.trainRows, options: options)
        let validation = RatingLists(dataset: dataset, rows: slice.testRows)
        let like = options.features.likeThreshold
        let users = (0..<dataset.userCount).filter { u in validation.values(of: u).contains { $0 >= like } }
        let width = HybridStageOne.featureNames.count
        var rowsPerUser = [[Float]](repeating: [], count: users.count)
        var labelsPerUser = [[Float]](repeating: [], count: users.count)
        progress.begin("hybrid: training candidates", total: users.count)
        rowsPerUser.withUnsafeMutableBufferPointer { rb in
            labelsPerUser.withUnsafeMutableBufferPointer { lb in
                let r = UnsafeSendable(rb), l = UnsafeSendable(lb)
                parallelRanges(users.count, threads: threads, minBlock: 8) { range in
                    var buffer: [Float] = []
                    for i in range {
                        let u = users[i]
                        let positives = Set(zip(validation.movies(of: u), validation.values(of: u)).filter { $0.1 >= like }.map(\.0))
                        let candidates = early.candidates(user: u, seen: Array(early.lists.movies(of: u)))
                        guard candidates.contains(where: { positives.contains($0.movie) }) else { continue }
                        var rng = SplitMix64(seed: options.seed ^ (UInt64(u) &* 0x9E37_79B9_7F4A_7C15))
                        let kept = candidates.filter { positives.contains($0.movie) || rng.nextUnit() < options.negativeRate }
                        early.features(user: u, profile: early.profile(user: u), candidates: kept, into: &buffer)
                        r.value[i] = buffer
                        l.value[i] = kept.map { positives.contains($0.movie) ? 1 : 0 }
                    }
                    progress.advance(range.count)
                }
            }
        }
        progress.end()
        let labels = labelsPerUser.flatMap { $0 }
        guard labels.contains(1), labels.contains(0) else {
            throw RecommenderError.insufficientData("the validation slice gives no positive or no negative stage-1 candidate to train the hybrid on")
        }
        let matrix = try FeatureMatrix(rows: labels.count, columns: width, rowMajor: rowsPerUser.flatMap { $0 },
                                       names: HybridStageOne.featureNames)
        var p = options.booster
        p.objective = .binaryLogistic
        p.seed = options.seed
        p.threads = threads
        let booster = try progress.stage("hybrid: stage-2 booster", total: p.rounds) {
            do {
                return try BoostedModel.train(features: matrix, labels: labels, parameters: p, progress: { _, _ in progress.advance(1) }).model
            } catch {
                throw RecommenderError.training("hybrid booster: \(error)")
            }
        }
        let final = try HybridStageOne.fit(dataset: dataset, rows: trainRows, options: options, als: als)
        return TwoStageHybridRanker(stageOne: final, booster: booster)
    }

    public func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie] {
        guard count > 0 else { return [] }
        let s = stageOne
        let candidates = s.candidates(user: user, seen: seen, minimum: count)
        var rows: [Float] = []
        s.features(user: user, profile: s.profile(user: user), candidates: candidates, into: &rows)
        let width = HybridStageOne.featureNames.count
        let penalty = s.options.popularityPenalty
        var scored: [(movie: Int32, score: Float)] = []
        scored.reserveCapacity(candidates.count)
        rows.withUnsafeBufferPointer { buf in
            for (i, c) in candidates.enumerated() {
                let row = UnsafeBufferPointer(rebasing: buf[(i * width)..<((i + 1) * width)])
                let likes = s.popularity.scores[Int(c.movie)]
                let nudge = penalty > 0 && !likes.isNaN ? penalty * Float(log1p(Double(likes))) : 0
                scored.append((c.movie, booster.predictMargin(row: row) - nudge))
            }
        }
        let byMovie = Dictionary(uniqueKeysWithValues: candidates.map { ($0.movie, $0) })
        return TopSelection.top(candidates: scored, count: count).map {
            RankedMovie(movie: $0.movie, score: $0.score, reason: reason(user: user, candidate: byMovie[$0.movie]))
        }
    }

    /// The strongest stage-1 signal behind a candidate.
    func reason(user: Int, candidate: HybridCandidate?) -> RecommendationReason {
        guard let c = candidate else { return .popular }
        if c.alsRank >= 0 && c.alsRank < 50 { return stageOne.als.reason(user: user, movie: c.movie) }
        if c.sources.contains(.ratingCluster), user >= 0, user < stageOne.clusters.ratingLabels.count {
            return .lovedBySimilarUsers(cluster: Int(stageOne.clusters.ratingLabels[user]))
        }
        if c.sources.contains(.genreCluster), user >= 0, user < stageOne.clusters.genreLabels.count {
            return .lovedBySimilarUsers(cluster: Int(stageOne.clusters.genreLabels[user]))
        }
        if c.alsRank >= 0 { return stageOne.als.reason(user: user, movie: c.movie) }
        return .popular
    }
}
