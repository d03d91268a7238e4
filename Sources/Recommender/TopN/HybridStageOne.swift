import Factorization
import Foundation
import LinearAlgebra
import MovieLens
import Runtime

/// Where a stage-1 candidate came from (a bit set).
struct CandidateSources: OptionSet, Sendable {
    let rawValue: UInt8
    static let als = CandidateSources(rawValue: 1)
    static let genreCluster = CandidateSources(rawValue: 2)
    static let ratingCluster = CandidateSources(rawValue: 4)
    static let popular = CandidateSources(rawValue: 8)
}

/// One stage-1 candidate of a user.
struct HybridCandidate: Sendable {
    var movie: Int32
    var sources: CandidateSources
    /// Rank in the ALS list (0-based), or −1 when ALS did not propose it.
    var alsRank: Int32
}

/// Stage 1 of the two-stage hybrid, fitted on one set of ratings: implicit ALS, popularity, the
/// genre and rating user clusters with their cluster × movie like rates, and the per-user /
/// per-movie statistics and timelines the stage-2 features need.
///
/// `candidates(user:seen:)` proposes a few hundred movies per user (the union of the ALS top
/// list, the user's clusters' best-liked movies and the most popular ones); `features` describes
/// a (user, candidate) pair by `HybridStageOne.featureNames`.
struct HybridStageOne: Sendable {
    let options: TwoStageHybridOptions
    let lists: RatingLists
    let als: ALSRanker
    let popularity: PopularityRanker
    let clusters: ClusterContext
    /// Catalogue movies by descending popularity.
    let popularOrder: [Int32]
    /// 0-based popularity rank of each movie (Int32.max outside the catalogue).
    let popularRank: [Int32]
    /// Per genre (rating) cluster: catalogue movies by descending shrunk like rate.
    let genreClusterOrder: [[Int32]], ratingClusterOrder: [[Int32]]
    /// Per movie: ratings, shrunk mean, shrunk like rate.
    let movieCount: [Float], movieMean: [Float], movieLike: [Float]
    /// Per user: ratings, shrunk mean, shrunk like rate, latest rating time, mean release year.
    let userCount: [Float], userMean: [Float], userLike: [Float], userLastTime: [Int64], userMeanYear: [Float]
    /// Per movie: its ratings' times, ascending (CSR by movie).
    let movieTimeOffsets: [Int], movieTimes: [Int64]
    let years: [Int16], genres: [UInt32], genreCount: Int, genreNames: [String]

    static let day: Double = 86_400

    /// The stage-2 feature columns.
    static let featureNames = [
        "als_score", "als_rank", "als_recent_similarity",
        "popularity_log_likes", "popularity_rank",
        "genre_cluster_like_rate", "genre_cluster_mean", "genre_cluster_raters",
        "rating_cluster_like_rate", "rating_cluster_mean", "rating_cluster_raters",
        "movie_count", "movie_mean", "movie_like_rate",
        "user_count", "user_mean", "user_like_rate",
        "year", "year_minus_user_mean_year",
        "days_since_movie_first_rating", "days_since_movie_last_rating", "movie_ratings_last_180_days",
        "genre_affinity_mean", "genre_affinity_max", "genre_exposure",
        "source_flags",
    ]

    /// Fits stage 1 on the ratings `rows` (sorted dataset indices). `als`, when given, must have
    /// been fitted on exactly these ratings (it is reused instead of refitted).
    static func fit(dataset: Dataset, rows: [Int], options: TwoStageHybridOptions, als prefitted: ALSRanker? = nil,
                    progress: (any ProgressReporter)? = nil) throws -> HybridStageOne {
        let lists = RatingLists(dataset: dataset, rows: rows)
        let als = try prefitted ?? ALSRanker.fit(lists, parameters: options.als, progress: progress)
        var clusterOptions = options.features
        clusterOptions.seed = options.seed
        let clusters = try ClusterContext.fit(dataset: dataset, rows: rows, options: clusterOptions)
        return try assemble(dataset: dataset, lists: lists, options: options, als: als.model,
                            genreLabels: clusters.genreLabels, ratingLabels: clusters.ratingLabels)
    }

    /// Builds stage 1 from its fitted parts (the ALS model and the two clusterings' labels,
    /// all fitted on `lists`); everything else is recomputed from `lists` in one pass.
    static func assemble(dataset: Dataset, lists: RatingLists, options: TwoStageHybridOptions, als model: ALSModel,
                         genreLabels: [Int32], ratingLabels: [Int32]) throws -> HybridStageOne {
        let users = dataset.userCount
        guard lists.userCount == users, lists.movieCount == dataset.movieCount, model.users == users, model.items == dataset.movieCount,
              genreLabels.count == users, ratingLabels.count == users else {
            throw RecommenderError.invalidArgument("hybrid stage 1: parts do not match the data set (\(users) users, \(dataset.movieCount) movies)")
        }
        let kg = max(1, min(options.features.genreClusters, users)), kr = max(1, min(options.features.ratingClusters, users))
        guard genreLabels.allSatisfy({ $0 >= 0 && Int($0) < kg }), ratingLabels.allSatisfy({ $0 >= 0 && Int($0) < kr }) else {
            throw RecommenderError.invalidArgument("hybrid stage 1: cluster labels outside 0..<\(kg) / 0..<\(kr)")
        }
        let als = ALSRanker(model: model, history: lists)
        let popularity = PopularityRanker.fit(lists, likeThreshold: options.features.likeThreshold)
        let raw = try lists.sparseMatrix()
        let clusters = try ClusterContext(raw: raw, genreLabels: genreLabels, genreClusters: kg,
                                          ratingLabels: ratingLabels, ratingClusters: kr, options: options.features)
        let catalogue = popularity.catalogue
        let movies = dataset.movieCount
        let inCatalogue = (0..<movies).filter { catalogue[$0] }.map { Int32($0) }
        func order(_ score: (Int) -> Float) -> [Int32] {
            inCatalogue.sorted { a, b in
                let sa = score(Int(a)), sb = score(Int(b))
                return sa != sb ? sa > sb : a < b
            }
        }
        let popularOrder = order { popularity.scores[$0] }
        var popularRank = [Int32](repeating: Int32.max, count: movies)
        for (i, m) in popularOrder.enumerated() { popularRank[Int(m)] = Int32(i) }
        let ga = clusters.genreAffinity.like.shrunkMeans, ra = clusters.ratingAffinity.like.shrunkMeans
        let genreOrder = (0..<clusters.genreAffinity.k).map { c in order { ga[c, $0] } }
        let ratingOrder = (0..<clusters.ratingAffinity.k).map { c in order { ra[c, $0] } }

        // Statistics, shrunk toward the global values.
        let like = options.features.likeThreshold
        var mN = [Double](repeating: 0, count: movies), mS = mN, mL = mN
        var uN = [Double](repeating: 0, count: users), uS = uN, uL = uN, uYear = uN, uYearN = uN
        var uLast = [Int64](repeating: Int64.min, count: users)
        var total = 0.0, likes = 0.0
        for u in 0..<users {
            for p in lists.offsets[u]..<lists.offsets[u + 1] {
                let m = Int(lists.movies[p]), v = Double(lists.values[p]), l: Double = lists.values[p] >= like ? 1 : 0
                mN[m] += 1; mS[m] += v; mL[m] += l
                uN[u] += 1; uS[u] += v; uL[u] += l
                total += v; likes += l
                uLast[u] = max(uLast[u], lists.times[p])
                if dataset.years[m] > 0 { uYear[u] += Double(dataset.years[m]); uYearN[u] += 1 }
            }
        }
        let n = Double(max(1, lists.movies.count))
        let mu = total / n, lambda = likes / n
        let km = options.features.moviePrior, ku = options.features.userPrior
        func shrink(_ s: Double, _ c: Double, _ k: Double, _ prior: Double) -> Float { Float((s + k * prior) / (c + k)) }
        // Movie timelines.
        var start = [Int](repeating: 0, count: movies + 1)
        for m in lists.movies { start[Int(m) + 1] += 1 }
        for m in 0..<movies { start[m + 1] += start[m] }
        var fill = start
        var times = [Int64](repeating: 0, count: lists.movies.count)
        for (m, t) in zip(lists.movies, lists.times) {
            times[fill[Int(m)]] = t
            fill[Int(m)] += 1
        }
        for m in 0..<movies { times[start[m]..<start[m + 1]].sort() }
        return HybridStageOne(
            options: options, lists: lists, als: als, popularity: popularity, clusters: clusters,
            popularOrder: popularOrder, popularRank: popularRank, genreClusterOrder: genreOrder, ratingClusterOrder: ratingOrder,
            movieCount: mN.map { Float($0) }, movieMean: (0..<movies).map { shrink(mS[$0], mN[$0], km, mu) },
            movieLike: (0..<movies).map { shrink(mL[$0], mN[$0], km, lambda) },
            userCount: uN.map { Float($0) }, userMean: (0..<users).map { shrink(uS[$0], uN[$0], ku, mu) },
            userLike: (0..<users).map { shrink(uL[$0], uN[$0], ku, lambda) }, userLastTime: uLast,
            userMeanYear: (0..<users).map { uYearN[$0] > 0 ? Float(uYear[$0] / uYearN[$0]) : .nan },
            movieTimeOffsets: start, movieTimes: times,
            years: dataset.years, genres: dataset.genres, genreCount: min(32, dataset.genreNames.count),
            genreNames: dataset.genreNames)
    }

    /// The user's stage-1 candidates: the union of ALS's best `alsCandidates` (at least
    /// `minimum`), the user's genre and rating clusters' `clusterCandidates` best-liked movies
    /// and the `popularCandidates` most popular ones, none in `seen`. Order: ALS list first, then
    /// the others in the order they were added (deterministic).
    func candidates(user u: Int, seen: [Int32], minimum: Int = 0) -> [HybridCandidate] {
        let o = options
        var mask = TopSelection.allowedMask(catalogue: popularity.catalogue, seen: seen)
        var out: [HybridCandidate] = []
        var position = [Int32: Int]()
        let alsList = als.scored(user: u, excluding: seen, count: max(o.alsCandidates, minimum))
        out.reserveCapacity(alsList.count + 3 * o.clusterCandidates)
        for (i, c) in alsList.enumerated() where Int(c.item) < mask.count && mask[Int(c.item)] {
            position[c.item] = out.count
            out.append(HybridCandidate(movie: c.item, sources: .als, alsRank: Int32(i)))
        }
        func add(_ order: [Int32], _ limit: Int, _ source: CandidateSources) {
            var taken = 0
            for m in order where taken < limit {
                guard mask[Int(m)] else { continue }
                taken += 1
                if let p = position[m] {
                    out[p].sources.insert(source)
                } else {
                    position[m] = out.count
                    out.append(HybridCandidate(movie: m, sources: source, alsRank: -1))
                }
            }
        }
        if u >= 0, u < clusters.genreLabels.count {
            let g = Int(clusters.genreLabels[u]), r = Int(clusters.ratingLabels[u])
            if g >= 0, g < genreClusterOrder.count { add(genreClusterOrder[g], o.clusterCandidates, .genreCluster) }
            if r >= 0, r < ratingClusterOrder.count { add(ratingClusterOrder[r], o.clusterCandidates, .ratingCluster) }
        }
        add(popularOrder, o.popularCandidates, .popular)
        mask.removeAll()
        return out
    }

    /// Per-user quantities shared by all of the user's candidates.
    struct UserProfile {
        var factors: [Float]
        var recent: [Float]
        var genreDeviation: [Float]
        var genreExposure: [Float]
        var known: Bool
    }

    func profile(user u: Int) -> UserProfile {
        let model = als.model, k = model.factors
        let known = u >= 0 && u < model.users && u < lists.userCount
        var factors = [Float](repeating: 0, count: k), recent = factors
        if known {
            factors = model.userFactors.row(u)
            for m in lists.recent(of: u, count: options.recentItems) where Int(m) < model.items {
                for f in 0..<k { recent[f] += als.unitItems[Int(m) * k + f] }
            }
            var s: Float = 0
            for f in 0..<k { s += recent[f] * recent[f] }
            if s > 0 { let inv = 1 / s.squareRoot(); for f in 0..<k { recent[f] *= inv } }
        }
        let g = genreCount
        var gs = [Double](repeating: 0, count: g), gn = gs
        var sum = 0.0, n = 0.0
        for (m, v) in zip(lists.movies(of: u), lists.values(of: u)) {
            sum += Double(v); n += 1
            var bits = genres[Int(m)]
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits - 1
                if b < g { gs[b] += Double(v); gn[b] += 1 }
            }
        }
        let mean = n > 0 ? sum / n : 0
        let prior = options.features.genrePrior
        return UserProfile(factors: factors, recent: recent,
                           genreDeviation: (0..<g).map { Float((gs[$0] - gn[$0] * mean) / (gn[$0] + prior)) },
                           genreExposure: (0..<g).map { n > 0 ? Float(gn[$0] / n) : 0 }, known: known)
    }

    /// Writes the features of the user's `candidates` row-major into `out`
    /// (`candidates.count × featureNames.count`).
    func features(user u: Int, profile p: UserProfile, candidates: [HybridCandidate], into out: inout [Float]) {
        let width = Self.featureNames.count
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(candidates.count * width)
        let model = als.model, k = model.factors
        let knownUser = u >= 0 && u < userCount.count
        let last = knownUser ? userLastTime[u] : Int64.min
        let gl = knownUser ? Int(clusters.genreLabels[u]) : -1, rl = knownUser ? Int(clusters.ratingLabels[u]) : -1
        let ga = clusters.genreAffinity, ra = clusters.ratingAffinity
        for c in candidates {
            let m = Int(c.movie)
            var dot: Float = 0, rec: Float = 0
            if m < model.items {
                model.itemFactors.withRow(m) { y in
                    for f in 0..<k { dot += p.factors[f] * y[f] }
                }
                for f in 0..<k { rec += p.recent[f] * als.unitItems[m * k + f] }
            }
            out.append(p.known ? dot : .nan)
            out.append(c.alsRank >= 0 ? Float(c.alsRank) : .nan)
            out.append(p.known ? rec : .nan)
            out.append(Float(log1p(Double(max(0, popularity.scores[m].isNaN ? 0 : popularity.scores[m])))))
            out.append(popularRank[m] == Int32.max ? .nan : Float(popularRank[m]))
            if gl >= 0, gl < ga.k {
                out.append(ga.like.shrunkMeans[gl, m]); out.append(ga.rating.shrunkMeans[gl, m]); out.append(ga.rating.counts[gl, m])
            } else { out.append(.nan); out.append(.nan); out.append(.nan) }
            if rl >= 0, rl < ra.k {
                out.append(ra.like.shrunkMeans[rl, m]); out.append(ra.rating.shrunkMeans[rl, m]); out.append(ra.rating.counts[rl, m])
            } else { out.append(.nan); out.append(.nan); out.append(.nan) }
            out.append(movieCount[m]); out.append(movieMean[m]); out.append(movieLike[m])
            if knownUser {
                out.append(userCount[u]); out.append(userMean[u]); out.append(userLike[u])
            } else { out.append(.nan); out.append(.nan); out.append(.nan) }
            let year: Float = years[m] > 0 ? Float(years[m]) : .nan
            out.append(year)
            out.append(knownUser ? year - userMeanYear[u] : .nan)
            let lo = movieTimeOffsets[m], hi = movieTimeOffsets[m + 1]
            if hi > lo, last != Int64.min {
                out.append(Float(Double(last - movieTimes[lo]) / Self.day))
                out.append(Float(Double(last - movieTimes[hi - 1]) / Self.day))
                let from = last - 180 * 86_400
                out.append(Float(Self.count(movieTimes, lo, hi, from: from, to: last)))
            } else { out.append(.nan); out.append(.nan); out.append(.nan) }
            var bits = genres[m], dsum: Float = 0, dmax = -Float.infinity, exp: Float = 0, gcount: Float = 0
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits - 1
                guard b < genreCount else { continue }
                dsum += p.genreDeviation[b]; dmax = max(dmax, p.genreDeviation[b]); exp += p.genreExposure[b]; gcount += 1
            }
            if gcount > 0 { out.append(dsum / gcount); out.append(dmax); out.append(exp / gcount) } else { out.append(.nan); out.append(.nan); out.append(.nan) }
            out.append(Float(c.sources.rawValue))
        }
    }

    /// Number of times in `t[lo..<hi]` (ascending) within `from...to`.
    static func count(_ t: [Int64], _ lo: Int, _ hi: Int, from: Int64, to: Int64) -> Int {
        func lowerBound(_ x: Int64) -> Int {
            var a = lo, b = hi
            while a < b { let mid = (a + b) / 2; if t[mid] < x { a = mid + 1 } else { b = mid } }
            return a
        }
        func upperBound(_ x: Int64) -> Int {
            var a = lo, b = hi
            while a < b { let mid = (a + b) / 2; if t[mid] <= x { a = mid + 1 } else { b = mid } }
            return a
        }
        return upperBound(to) - lowerBound(from)
    }
}
