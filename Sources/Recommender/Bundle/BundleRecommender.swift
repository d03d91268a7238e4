import Foundation
import MovieLens
import Runtime

/// Answers recommendation requests from a loaded `ModelBundle`.
///
/// Every list excludes the movies the user rated in the training data, holds distinct movies
/// that have at least one training rating (the catalogue the models know), best first, ties by
/// the lower movie index.
///
/// Reasons: when a recommended movie is among the TF-IDF neighbours of a movie the user rated
/// ≥ 4 stars, "because you rated <that movie> <stars>★" (the best-rated such movie); otherwise the
/// model's own reason ("popular with everyone", "loved by users like you", "predicted like
/// probability 0.93", "predicted rating 4.4★").
///
/// Cold start (`recommend(genres:)`): a new user who names genres is placed in the genre cluster
/// nearest to a profile that rates the named genres one star above the data's mean rating and the
/// others at the mean; the movies having at least one named genre are ranked by that cluster's
/// shrunk like rate (`ClusterMovieAffinity`), ties by popularity.
public struct BundleRecommender: Sendable {
    public let bundle: ModelBundle
    /// Movies with at least one training rating.
    let catalogue: [Bool]
    /// Threads one request's all-movie scoring uses.
    public let threads: Int
    /// The bundle's classifier and notebook-hybrid rankers, scoring with `threads`.
    let classifierRanker: ClassifierRanker?, notebookRanker: NotebookHybridRanker?

    /// - Parameter threads: threads of one request's all-movie scoring (nil = `Threads.defaultCount`).
    public init(_ bundle: ModelBundle, threads: Int? = nil) {
        self.bundle = bundle
        catalogue = bundle.popularity.ratings.map { $0 > 0 }
        self.threads = Threads.resolve(threads)
        if let n = bundle.rankers?.notebook {
            var c = n.classifier
            c.threads = self.threads
            classifierRanker = c
            notebookRanker = NotebookHybridRanker(classifier: c, weight: n.weight, clustering: n.clustering)
        } else {
            classifierRanker = nil
            notebookRanker = nil
        }
    }

    /// The top `count` movies for the user with original id `userId`.
    public func recommend(userId: Int64, model: ServingModel = .classifier, count: Int = 10) throws -> [Recommendation] {
        guard count >= 1 else { throw ServingError.invalidRequest("--top must be at least 1") }
        guard let u = bundle.catalog.userIndex(forId: userId) else { throw ServingError.unknownUser(userId) }
        let seen = bundle.catalog.seen(user: u)
        guard bundle.servableModels.contains(model) else {
            throw ServingError.modelUnavailable("this bundle was trained without --model \(model.rawValue); it serves "
                + bundle.servableModels.map(\.rawValue).joined(separator: ", "))
        }
        if let rk = bundle.rankers {
            let ranker: (any TopNRanker)?
            switch model {
            case .hybrid: ranker = rk.hybrid
            case .als: ranker = rk.als
            case .notebookHybrid: ranker = notebookRanker
            case .classifier: ranker = classifierRanker
            default: ranker = nil
            }
            if let ranker {
                return ranker.recommend(user: u, excluding: Array(seen.movies), count: count).map {
                    entry(Int($0.movie), $0.score, reason: text($0.reason))
                }
            }
        }
        var allowed = catalogue
        for m in seen.movies { allowed[Int(m)] = false }
        let candidates = (0..<allowed.count).filter { allowed[$0] }
        let scores: [Float]
        let fallback: (Int, Float) -> String
        switch model {
        case .classifier, .regressor:
            // The same numbers as `bundle.predict` (`CandidateScorer` is bit-identical to it),
            // computing only the model asked for.
            let scorer = try CandidateScorer(inference: bundle.features.inference,
                                             model: model == .classifier ? bundle.classifier : bundle.regressor)
            let p = try scorer.predictions(user: u, movies: candidates.map(Int32.init), time: bundle.catalog.servingTime,
                                           threads: threads)
            let range = bundle.ratingRange
            scores = model == .classifier ? p : p.map { min(max($0, range.lowerBound), range.upperBound) }
            fallback = model == .classifier
                ? { _, s in String(format: "predicted like probability %.2f", s) }
                : { _, s in String(format: "predicted rating %.1f★", s) }
        case .popularity:
            scores = candidates.map { Float(bundle.popularity.likes[$0]) }
            fallback = { _, _ in "popular with everyone" }
        case .cluster:
            guard let c = bundle.genreLabels?[u], let rate = bundle.genreClusterLikeRate(Int(c)) else {
                throw ServingError.modelUnavailable("this bundle was trained without user clusters")
            }
            scores = candidates.map { rate[$0] }
            fallback = { _, _ in "loved by users like you" }
        case .hybrid, .als, .notebookHybrid:
            throw ServingError.modelUnavailable("--model \(model.rawValue) needs the top-N rankers, which this bundle was trained without")
        }
        let top = Self.top(candidates, scores, count: count, tieBreak: { Float(bundle.popularity.likes[$0]) })
        let liked = zip(seen.movies, seen.ratings).filter { $0.1 >= 4 }
        return top.map { m, s in
            entry(m, s, reason: becauseYouRated(m, liked: liked) ?? fallback(m, s))
        }
    }

    /// Cold start: the top `count` movies for a new user who likes `genres` (see the type's documentation).
    public func recommend(genres names: [String], count: Int = 10) throws -> [Recommendation] {
        guard count >= 1 else { throw ServingError.invalidRequest("--top must be at least 1") }
        let cat = bundle.catalog
        var mask: UInt32 = 0
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let g = cat.genreNames.firstIndex(where: { $0.caseInsensitiveCompare(trimmed) == .orderedSame }), g < 32 else {
                throw ServingError.unknownGenre(trimmed, known: cat.genreNames)
            }
            mask |= 1 << UInt32(g)
        }
        guard mask != 0 else { throw ServingError.invalidRequest("--genres names no genre") }
        let candidates = (0..<cat.movieCount).filter { catalogue[$0] && cat.genres[$0] & mask != 0 }
        let mean = Float(cat.seenRating.reduce(0.0) { $0 + Double($1) } / Double(max(1, cat.seenRating.count)))
        let profile = (0..<bundle.genreCentroids.genres).map { g -> Float in mask & (1 << UInt32(g)) != 0 ? mean + 1 : mean }
        let cluster = bundle.genreCentroids.nearest(profile)
        let scores: [Float]
        let reason: String
        if let rate = bundle.genreClusterLikeRate(cluster) {
            scores = candidates.map { rate[$0] }
            reason = "loved by users who like " + names.joined(separator: " and ")
        } else {
            scores = candidates.map { Float(bundle.popularity.likes[$0]) }
            reason = "popular with everyone"
        }
        return Self.top(candidates, scores, count: count, tieBreak: { Float(bundle.popularity.likes[$0]) })
            .map { entry($0.0, $0.1, reason: reason) }
    }

    /// The movies most similar to movie index `m` (TF-IDF neighbours stored in the bundle).
    public func similar(movie m: Int, count: Int = 10) throws -> [Recommendation] {
        guard m >= 0, m < bundle.catalog.movieCount else { throw ServingError.invalidRequest("movie index \(m) out of range") }
        guard count >= 1 else { throw ServingError.invalidRequest("--top must be at least 1") }
        return bundle.similar.neighbours(of: m).prefix(count).map { entry($0.movie, $0.score, reason: "similar genres, tags and title words") }
    }

    /// The best `count` (candidate, score) pairs: score descending (NaN last), then `tieBreak`
    /// descending, then index ascending.
    static func top(_ candidates: [Int], _ scores: [Float], count: Int, tieBreak: (Int) -> Float) -> [(Int, Float)] {
        var pairs = Array(zip(candidates, scores))
        func better(_ a: (Int, Float), _ b: (Int, Float)) -> Bool {
            let sa = a.1.isNaN ? -Float.infinity : a.1, sb = b.1.isNaN ? -Float.infinity : b.1
            if sa != sb { return sa > sb }
            let ta = tieBreak(a.0), tb = tieBreak(b.0)
            return ta != tb ? ta > tb : a.0 < b.0
        }
        if pairs.count > 4 * count {
            // Partial selection: keep a sorted buffer of the best `count`.
            var best: [(Int, Float)] = []
            best.reserveCapacity(count + 1)
            for p in pairs {
                if best.count == count, let last = best.last, !better(p, last) { continue }
                let at = best.firstIndex { better(p, $0) } ?? best.count
                best.insert(p, at: at)
                if best.count > count { best.removeLast() }
            }
            return best
        }
        pairs.sort(by: better)
        return Array(pairs.prefix(count))
    }

    /// "because you rated X n★" when `m` is a TF-IDF neighbour of a movie the user liked.
    func becauseYouRated(_ m: Int, liked: [(Int32, Float)]) -> String? {
        var best: (Int, Float)? = nil
        for (movie, rating) in liked where best == nil || rating > best?.1 ?? 0 {
            if bundle.similar.neighbours(of: Int(movie)).contains(where: { $0.movie == m }) { best = (Int(movie), rating) }
        }
        guard let (movie, rating) = best else { return nil }
        let stars = rating == rating.rounded() ? String(Int(rating)) : String(rating)
        return "because you rated \(bundle.catalog.displayTitle(movie)) \(stars)★"
    }

    /// The text of a ranker's reason (titles as "Title (year)").
    func text(_ reason: RecommendationReason) -> String {
        if case .becauseYouRated(let m, let rating) = reason {
            let stars = rating == rating.rounded() ? String(Int(rating)) : String(rating)
            return "because you rated \(bundle.catalog.displayTitle(Int(m))) \(stars)★"
        }
        return reason.text(titles: [])
    }

    func entry(_ m: Int, _ score: Float, reason: String) -> Recommendation {
        Recommendation(movieId: bundle.catalog.movieIds[m], title: bundle.catalog.displayTitle(m),
                       genres: bundle.catalog.genreList(ofMovie: m), score: score, reason: reason)
    }
}
