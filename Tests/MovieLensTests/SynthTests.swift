import Foundation
import XCTest
@testable import MovieLens
import Runtime
import TestSupport

final class SynthTests: SynthTestCase {
    static let small = SynthParameters(ratings: 30_000, users: 200, movies: 1_500, seed: 7, links: true)

    // MARK: determinism

    func testSameSeedGivesIdenticalFilesForOneAndTwoThreads() throws {
        let (a, _) = try synth(Self.small, threads: 1)
        let (b, _) = try synth(Self.small, threads: 2)
        // a different block size changes the parallel split, not the bytes
        let (c, _) = try synth(Self.small, threads: 2, blockRatings: 5_000)
        for file in ["ratings.csv", "movies.csv", "tags.csv", "links.csv"] {
            let x = try bytes(a, file)
            XCTAssertGreaterThan(x.count, 20, file)
            XCTAssertEqual(x, try bytes(b, file), "\(file) differs between 1 and 2 threads")
            XCTAssertEqual(x, try bytes(c, file), "\(file) differs with another block size")
        }
    }

    /// Many more blocks than ring slots, more workers than cores: the writer must still emit the
    /// blocks in order (the ring of `BlockStreamer` wraps around several times).
    func testRingOfBlocksKeepsTheOrderWithManyBlocksAndThreads() throws {
        let (a, _) = try synth(Self.small, threads: 1, blockRatings: 700)
        let (b, summary) = try synth(Self.small, threads: 3, blockRatings: 700)
        XCTAssertEqual(summary.ratings, Self.small.ratings)
        for file in ["ratings.csv", "tags.csv"] {
            XCTAssertEqual(try bytes(a, file), try bytes(b, file), "\(file) differs between 1 and 3 threads with 40+ blocks")
        }
        let (c, _) = try synth(Self.small, threads: 2)
        XCTAssertEqual(try bytes(a, "ratings.csv"), try bytes(c, "ratings.csv"))
    }

    func testDifferentSeedsDiffer() throws {
        var other = Self.small
        other.seed = 8
        let (a, _) = try synth(Self.small)
        let (b, _) = try synth(other)
        XCTAssertNotEqual(try bytes(a, "ratings.csv"), try bytes(b, "ratings.csv"))
        XCTAssertNotEqual(try bytes(a, "movies.csv"), try bytes(b, "movies.csv"))
    }

    // MARK: the reader loads it cleanly

    func testReaderLoadsItWithoutAComplaintAndExactCounts() throws {
        let (dir, summary) = try synth(Self.small)
        let load = try MovieLensReader.load(directory: dir, threads: 2)
        assertClean(load.report, files: ["ratings", "movies", "tags", "links"])
        let d = load.dataset
        XCTAssertEqual(d.format, .latestCSV)
        XCTAssertEqual(d.ratingCount, 30_000)
        XCTAssertEqual(d.userCount, 200)
        XCTAssertEqual(d.movieCount, 1_500)
        XCTAssertEqual(d.userIds, (1...200).map(Int64.init))
        XCTAssertEqual(summary.tags, d.tagCount)
        XCTAssertGreaterThan(d.tagCount, 0)
        XCTAssertTrue(d.hasLinks)
        XCTAssertFalse(d.imdbIds.contains(-1))
        // movie ids strictly increase with some gaps; every title has a year; some titles have a
        // comma (quoted in the file) and survived the round trip
        XCTAssertGreaterThan(d.movieIds.last ?? 0, 1_500)
        XCTAssertFalse(d.years.contains(0))
        XCTAssertTrue(d.titles.contains { $0.contains(", The (") || $0.contains(", A (") })
        let moviesText = String(decoding: try bytes(dir, "movies.csv"), as: UTF8.self)
        XCTAssertTrue(moviesText.contains(",\""), "titles with a comma are quoted")
        // the summary's mean matches the data
        let mean = d.ratingValue.reduce(0.0) { $0 + Double($1) } / Double(d.ratingCount)
        XCTAssertEqual(summary.meanRating, mean, accuracy: 1e-9)
        // no duplicate (user, movie) — also counted by the reader above, checked directly here
        var pairs = Set<Int64>()
        for i in 0..<d.ratingCount { pairs.insert(Int64(d.ratingUser[i]) << 32 | Int64(d.ratingMovie[i])) }
        XCTAssertEqual(pairs.count, d.ratingCount)
    }

    // MARK: marginals

    func testMarginalsLookLikeMLLatestSmall() throws {
        let p = SynthParameters(ratings: 100_836, users: 610, movies: 9_742, seed: 1)
        let (dir, _) = try synth(p, blockRatings: 20_000)
        let d = try MovieLensReader.load(directory: dir, threads: 2).dataset
        // half stars only, distribution close to ml-latest-small's, mean ≈ 3.5, mode 4.0
        var histogram = [Int](repeating: 0, count: 11)
        for v in d.ratingValue {
            let halves = Int(v * 2)
            XCTAssertEqual(Float(halves) / 2, v)
            XCTAssertTrue((1...10).contains(halves))
            histogram[halves] += 1
        }
        let n = Double(d.ratingCount)
        for k in 1...10 {
            XCTAssertEqual(Double(histogram[k]) / n, SynthModel.targetShare[k - 1], accuracy: 0.02, "share of \(Double(k) / 2) stars")
        }
        XCTAssertEqual(histogram.indices.max { histogram[$0] < histogram[$1] }, 8, "mode is 4.0")
        let mean = d.ratingValue.reduce(0.0) { $0 + Double($1) } / n
        XCTAssertEqual(mean, 3.5, accuracy: 0.1)

        // every user has ≥ 20 ratings; activity is skewed (mean well above median)
        var perUser = [Int](repeating: 0, count: d.userCount)
        for u in d.ratingUser { perUser[Int(u)] += 1 }
        XCTAssertGreaterThanOrEqual(perUser.min() ?? 0, 20)
        let sortedUsers = perUser.sorted()
        XCTAssertGreaterThan(Double(d.ratingCount) / Double(d.userCount), 1.4 * Double(sortedUsers[sortedUsers.count / 2]))

        // popularity: the top 10% of movies hold more than 40% (ml-latest-small: 60%)
        var perMovie = [Int](repeating: 0, count: d.movieCount)
        for m in d.ratingMovie { perMovie[Int(m)] += 1 }
        let top = perMovie.sorted(by: >).prefix(d.movieCount / 10).reduce(0, +)
        XCTAssertGreaterThan(Double(top) / n, 0.4)
        XCTAssertLessThan(Double(top) / n, 0.8)

        // timestamps: inside the window and non-decreasing within each user (rows are in
        // generation order, one user after another)
        var last = [Int64](repeating: 0, count: d.userCount)
        for i in 0..<d.ratingCount {
            let u = Int(d.ratingUser[i]), t = d.ratingTime[i]
            XCTAssertTrue((UserRatingsGenerator.firstTime...UserRatingsGenerator.lastTime).contains(t))
            XCTAssertGreaterThanOrEqual(t, last[u])
            last[u] = t
        }
        // genres: about 2.3 per movie, from the ml-latest vocabulary
        let genreCount = d.genres.reduce(0) { $0 + $1.nonzeroBitCount }
        XCTAssertEqual(Double(genreCount) / Double(d.movieCount), 2.27, accuracy: 0.15)
    }

    // MARK: learnable

    /// A user-mean + movie-offset baseline fitted on 80% of the ratings beats the global mean on
    /// the other 20% by a wide margin, and ranks likes (≥ 4 stars) well above chance.
    func testRatingsAreLearnable() throws {
        let p = SynthParameters(ratings: 60_000, users: 400, movies: 2_000, seed: 3)
        let (dir, _) = try synth(p)
        let d = try MovieLensReader.load(directory: dir, threads: 2).dataset
        var g = SplitMix64(seed: 11)
        let test = (0..<d.ratingCount).map { _ in g.nextBelow(5) == 0 }
        var sum = 0.0, count = 0.0
        var userSum = [Double](repeating: 0, count: d.userCount), userN = [Double](repeating: 0, count: d.userCount)
        for i in 0..<d.ratingCount where !test[i] {
            sum += Double(d.ratingValue[i]); count += 1
            userSum[Int(d.ratingUser[i])] += Double(d.ratingValue[i]); userN[Int(d.ratingUser[i])] += 1
        }
        let global = sum / count
        let userMean = (0..<d.userCount).map { (userSum[$0] + 5 * global) / (userN[$0] + 5) }
        var movieSum = [Double](repeating: 0, count: d.movieCount), movieN = [Double](repeating: 0, count: d.movieCount)
        for i in 0..<d.ratingCount where !test[i] {
            movieSum[Int(d.ratingMovie[i])] += Double(d.ratingValue[i]) - userMean[Int(d.ratingUser[i])]
            movieN[Int(d.ratingMovie[i])] += 1
        }
        var seGlobal = 0.0, seBaseline = 0.0
        var scored: [(Double, Bool)] = []
        for i in 0..<d.ratingCount where test[i] {
            let m = Int(d.ratingMovie[i])
            let prediction = userMean[Int(d.ratingUser[i])] + movieSum[m] / (movieN[m] + 5)
            let y = Double(d.ratingValue[i])
            seGlobal += (y - global) * (y - global)
            seBaseline += (y - prediction) * (y - prediction)
            scored.append((prediction, y >= 4))
        }
        let rmseGlobal = (seGlobal / Double(scored.count)).squareRoot()
        let rmseBaseline = (seBaseline / Double(scored.count)).squareRoot()
        XCTAssertLessThan(rmseBaseline, 0.9 * rmseGlobal, "baseline \(rmseBaseline) vs global mean \(rmseGlobal)")
        XCTAssertGreaterThan(Self.auc(scored), 0.70)
    }

    /// The latent score the generator planted correlates strongly with the star it wrote.
    func testStarsFollowThePlantedScore() throws {
        var model = SynthModel()
        let mixer = SeedMixer(seed: 5)
        let movies = MovieCatalog.make(movies: 500, model: model, mixer: mixer)
        let popularity = AliasTable(weights: movies.weight)
        let counts = [Int32](repeating: 50, count: 300)
        let pilot = UserRatingsGenerator(model: model, movies: movies, popularity: popularity, mixer: mixer, taggerShare: 0, tagRate: 0)
        model.calibrate(pilotScores: pilot.pilotScores(counts: counts))
        var g = SplitMix64(seed: 9)
        var xs: [Double] = [], ys: [Double] = []
        for _ in 0..<200 {
            let taste = UserTaste.draw(&g, model: model)
            for _ in 0..<50 {
                let m = popularity.draw(&g)
                let planted = taste.score(movie: m, movies: movies)
                xs.append(Double(planted))
                ys.append(Double(model.halfStars(planted + model.noiseSD * g.nextNoise())))
            }
        }
        // signal variance 0.68 of 1 → correlation ≈ 0.8 before the star cut
        XCTAssertGreaterThan(Self.correlation(xs, ys), 0.7)
        // thresholds increase
        XCTAssertEqual(model.thresholds, model.thresholds.sorted())
        XCTAssertEqual(model.thresholds.count, 9)
    }

    // MARK: parts

    func testActivityAddsUpExactlyAndRespectsBounds() {
        let mixer = SeedMixer(seed: 1)
        for (users, total, cap) in [(10, 200, 20), (10, 201, 40), (50, 5_000, 120), (7, 140 + 13, 25), (300, 40_000, 500)] {
            let counts = ActivityAllocation.counts(users: users, total: total, minimum: 20, cap: cap, mixer: mixer)
            XCTAssertEqual(counts.reduce(0) { $0 + Int($1) }, total, "\(users) users, \(total) ratings")
            XCTAssertTrue(counts.allSatisfy { $0 >= 20 && Int($0) <= cap })
        }
        // every user at the cap: the whole matrix
        let full = ActivityAllocation.counts(users: 5, total: 5 * 30, minimum: 20, cap: 30, mixer: mixer)
        XCTAssertEqual(full, [Int32](repeating: 30, count: 5))
    }

    func testAliasTableFollowsItsWeights() {
        let weights = [5.0, 1, 0, 3, 1]
        let table = AliasTable(weights: weights)
        var g = SplitMix64(seed: 2)
        var hits = [Int](repeating: 0, count: 5)
        let n = 200_000
        for _ in 0..<n { hits[table.draw(&g)] += 1 }
        XCTAssertEqual(hits[2], 0)
        for i in 0..<5 { XCTAssertEqual(Double(hits[i]) / Double(n), weights[i] / 10, accuracy: 0.005) }
    }

    /// A dense case: every user rates almost every movie (the heavy-user path).
    func testDenseMatrixHasNoDuplicates() throws {
        let p = SynthParameters(ratings: 30 * 40 - 7, users: 30, movies: 40, seed: 4, tags: 0)
        let (dir, _) = try synth(p, threads: 2, blockRatings: 100)
        let load = try MovieLensReader.load(directory: dir, threads: 1)
        assertClean(load.report, files: ["ratings", "movies"])
        XCTAssertEqual(load.dataset.ratingCount, 30 * 40 - 7)
        XCTAssertEqual(load.report.files["tags"]?.read, 0)
    }

    /// The digit-pair formatter against Swift's own decimal description.
    func testByteSinkIntegersMatchTheNaiveFormatting() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 828_124_615, 1_537_799_250, Int64.max]
        var p: Int64 = 1
        while p <= Int64.max / 10 {
            values += [p - 1, p, p + 1]
            p *= 10
        }
        var g = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            let bits = g.nextBelow(63) + 1
            values.append(Int64(truncatingIfNeeded: g.next() >> UInt64(64 - bits)))
        }
        let s = ByteSink(capacity: 16)  // grows as it goes
        var expected = ""
        for v in values {
            s.int(v); s.comma()
            expected += String(v) + ","
        }
        s.int(-5)
        expected += "0"
        XCTAssertEqual(String(decoding: s.bytes, as: UTF8.self), expected)
    }

    func testByteSinkFormatsLikeMovieLens() {
        let s = ByteSink(capacity: 64)
        s.int(0); s.comma(); s.int(1_537_799_250); s.comma(); s.halfStars(1); s.comma(); s.halfStars(8); s.comma(); s.halfStars(10)
        s.comma(); s.int(114_709, width: 7); s.comma(); s.csvField("Kingdom, The (1995)"); s.comma(); s.csvField("\"Quoted\" (2001)")
        XCTAssertEqual(String(decoding: s.bytes, as: UTF8.self),
                       "0,1537799250,0.5,4.0,5.0,0114709,\"Kingdom, The (1995)\",\"\"\"Quoted\"\" (2001)\"")
    }

    // MARK: bad arguments

    func testBadArgumentsAreClearErrors() throws {
        func message(_ p: SynthParameters) throws -> String {
            do {
                try synth(p)
                XCTFail("accepted \(p)")
                return ""
            } catch let e as SynthError {
                return e.description
            }
        }
        XCTAssertEqual(try message(SynthParameters(ratings: 100, users: 0, movies: 50, seed: 1)), "--users: must be at least 1 (got 0)")
        XCTAssertEqual(try message(SynthParameters(ratings: 2_001, users: 20, movies: 100, seed: 1)),
                       "--ratings: 2001 is more than users × movies = 2000: a user rates a movie at most once")
        XCTAssertTrue(try message(SynthParameters(ratings: 399, users: 20, movies: 100, seed: 1)).hasPrefix("--ratings: 399 is fewer than 20 per user × 20 users = 400"))
        XCTAssertTrue(try message(SynthParameters(ratings: 300, users: 10, movies: 19, seed: 1)).hasPrefix("--movies: must be at least 20"))
        XCTAssertEqual(try message(SynthParameters(ratings: 300, users: 10, movies: 0, seed: 1)), "--movies: must be at least 1 (got 0)")
    }

    func testExistingOutputIsKeptUnlessOverwriting() throws {
        let p = SynthParameters(ratings: 500, users: 10, movies: 60, seed: 1)
        let (dir, _) = try synth(p)
        let before = try bytes(dir, "ratings.csv")
        var q = p
        q.seed = 2
        XCTAssertThrowsError(try synth(q, to: dir)) { error in
            XCTAssertEqual(error as? SynthError, .outputExists(path: dir))
        }
        XCTAssertEqual(try bytes(dir, "ratings.csv"), before)
        _ = try DatasetSynthesizer.generate(q, into: dir, overwrite: true, threads: 1)
        XCTAssertNotEqual(try bytes(dir, "ratings.csv"), before)
        // no temporary directory left beside it
        let parent = URL(fileURLWithPath: dir).deletingLastPathComponent().path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent), ["synth"])
    }

    // MARK: helpers

    static func auc(_ scored: [(Double, Bool)]) -> Double {
        let sorted = scored.sorted { $0.0 < $1.0 }
        var rankSum = 0.0, positives = 0.0
        var i = 0
        while i < sorted.count {
            var j = i
            while j < sorted.count && sorted[j].0 == sorted[i].0 { j += 1 }
            let rank = Double(i + j + 1) / 2  // average 1-based rank of ties
            for k in i..<j where sorted[k].1 { rankSum += rank; positives += 1 }
            i = j
        }
        let negatives = Double(sorted.count) - positives
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}
