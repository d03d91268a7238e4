import Runtime
import Boosting
import MovieLens
import XCTest
@testable import Recommender

/// The features never see the rating they describe.
final class FeatureLeakageTests: XCTestCase {
    private func options(mf: Bool = true, threads: Int = 1) -> FeatureOptions {
        var o = FeatureOptions()
        o.matrixFactorization = mf
        o.mf.epochs = 8
        o.mf.factors = 4
        o.genreClusters = 3
        o.ratingClusters = 3
        o.seed = 11
        o.threads = threads
        return o
    }

    private func split(_ data: Dataset) throws -> (train: [Int], test: [Int]) {
        let s = try KFoldSplit(count: data.ratingCount, k: 5, seed: 3)
        return (s.rows(notIn: 0), s.rows(in: 0))
    }

    private func row(_ m: FeatureMatrix, _ i: Int) -> [UInt32] { m.row(i).map { $0.bitPattern } }

    /// Changing one training rating leaves that row's own features bit-identical (it is out of
    /// every statistic and factorisation used for it), while other rows do change — so the
    /// check is sensitive.
    func testTrainingRowFeaturesIgnoreOwnRating() throws {
        let data = SyntheticRatings.make()
        let (train, test) = try split(data)
        let base = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: options())
        for pos in [0, 17, 101] {
            var changed = data
            let r = train[pos]
            changed.ratingValue[r] = changed.ratingValue[r] >= 3 ? 1 : 5
            let other = try FeatureBuilder.build(dataset: changed, trainRows: train, testRows: test, options: options())
            XCTAssertEqual(row(other.train, pos), row(base.train, pos), "training row \(pos) saw its own rating")
            XCTAssertNotEqual(other.trainRating[pos], base.trainRating[pos])
            let moved = (0..<train.count).filter { row(other.train, $0) != row(base.train, $0) }.count
            XCTAssertGreaterThan(moved, 0, "changing a rating should move some other row's features")
            XCTAssertNotEqual(other.test.values, base.test.values, "test rows use every training rating")
        }
    }

    /// Scrambling every test rating changes no feature at all (train or test).
    func testTestRatingsNeverReachTheFeatures() throws {
        let data = SyntheticRatings.make()
        let (train, test) = try split(data)
        let base = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: options())
        var scrambled = data
        var rng = SplitMix64(seed: 99)
        for r in test { scrambled.ratingValue[r] = Float(1 + rng.next() % 5) }
        let other = try FeatureBuilder.build(dataset: scrambled, trainRows: train, testRows: test, options: options())
        XCTAssertEqual(other.train.values.map(\.bitPattern), base.train.values.map(\.bitPattern))
        XCTAssertEqual(other.test.values.map(\.bitPattern), base.test.values.map(\.bitPattern))
        XCTAssertNotEqual(other.testRating, base.testRating)
    }

    /// The subtraction trick equals a direct computation: the out-of-fold features (statistics,
    /// factorisation, clusters) of the training rows in inner fold f are exactly the test-row
    /// features of a split whose training set is the other inner folds.
    func testOutOfFoldFeaturesEqualDirectComputation() throws {
        let data = SyntheticRatings.make(users: 30, movies: 25, perUser: 12)
        let (train, test) = try split(data)
        let o = options()
        let built = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: o)
        let inner = try FeatureBuilder.innerSplit(trainCount: train.count, options: o)
        for f in 0..<o.innerFolds {
            let inFold = inner.rows(in: f), outside = inner.rows(notIn: f)
            let direct = try FeatureBuilder.build(dataset: data, trainRows: outside.map { train[$0] },
                                                  testRows: inFold.map { train[$0] }, options: o)
            for (i, pos) in inFold.enumerated() {
                XCTAssertEqual(row(built.train, pos), row(direct.test, i), "inner fold \(f), position \(pos)")
            }
        }
    }

    /// Statistics of a hand-sized case, computed by hand.
    func testHandComputedFeatures() throws {
        let data = Dataset(
            format: .latestCSV, userIds: [1, 2], movieIds: [1, 2, 3],
            ratingUser: [0, 0, 1, 1, 0], ratingMovie: [0, 1, 0, 2, 2], ratingValue: [5, 3, 4, 2, 4],
            ratingTime: [0, 0, 0, 0, 1_000_000_000],
            titles: ["a", "b", "c"], years: [1990, 0, 1995], genres: [0b01, 0b11, 0b10], genreNames: ["Action", "Comedy"])
        var o = options(mf: false)
        o.clusters = false
        o.innerFolds = 2
        o.userPrior = 3; o.moviePrior = 10; o.genrePrior = 5
        let f = try FeatureBuilder.build(dataset: data, trainRows: [0, 1, 2, 3], testRows: [4], options: o)
        var v: [String: Float] = [:]
        for (j, name) in f.schema.names.enumerated() { v[name] = f.test[0, j] }
        // Training ratings: 5, 3, 4, 2 → global mean 3.5, like rate 0.5.
        XCTAssertEqual(v["user_count"], 2)
        XCTAssertEqual(v["user_mean"] ?? 0, (8 + 3 * 3.5) / 5, accuracy: 1e-6)
        XCTAssertEqual(v["user_std"] ?? 0, 1, accuracy: 1e-6)
        XCTAssertEqual(v["user_like_rate"] ?? 0, (1 + 3 * 0.5) / 5, accuracy: 1e-6)
        XCTAssertEqual(v["movie_count"], 1)
        XCTAssertEqual(v["movie_mean"] ?? 0, (2 + 10 * 3.5) / 11, accuracy: 1e-6)
        XCTAssertTrue(v["movie_std"]?.isNaN ?? false)
        XCTAssertEqual(v["movie_like_rate"] ?? 0, (0 + 10 * 0.5) / 11, accuracy: 1e-6)
        XCTAssertEqual(v["year"], 1995)
        XCTAssertEqual(v["movie_age_at_rating"] ?? 0, 2001.69 - 1995, accuracy: 0.05)
        XCTAssertEqual(v["genre_count"], 1)
        XCTAssertEqual(v["genre_Action"], 0)
        XCTAssertEqual(v["genre_Comedy"], 1)
        // User 0's Comedy ratings: movie 2 (3 stars) vs the user's mean 4 → (3 − 4) / (1 + 5).
        XCTAssertEqual(v["genre_affinity_mean"] ?? 0, -1.0 / 6, accuracy: 1e-6)
        XCTAssertEqual(v["genre_affinity_min"] ?? 0, -1.0 / 6, accuracy: 1e-6)
        XCTAssertEqual(v["genre_exposure"] ?? 0, 0.5, accuracy: 1e-6)
        XCTAssertNil(v["gender"], "no demographics column without demographics")
        XCTAssertEqual(f.testLike, [1])
        XCTAssertEqual(f.trainLike, [1, 0, 1, 0])
    }

    /// Same inputs → identical matrices, for 1 and 2 threads; a different seed changes the
    /// factorisation columns.
    func testDeterministicAcrossThreadCounts() throws {
        let data = SyntheticRatings.make()
        let (train, test) = try split(data)
        let a = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: options(threads: 1))
        let b = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: options(threads: 2))
        XCTAssertEqual(a.train.values.map(\.bitPattern), b.train.values.map(\.bitPattern))
        XCTAssertEqual(a.test.values.map(\.bitPattern), b.test.values.map(\.bitPattern))
        var o = options()
        o.seed = 12
        let c = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: o)
        XCTAssertNotEqual(a.test.values.map(\.bitPattern), c.test.values.map(\.bitPattern))
    }

    func testDemographicsMissingBecomeNaN() throws {
        let data = SyntheticRatings.make()
        let (train, test) = try split(data)
        let f = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: options(mf: false))
        let g = try XCTUnwrap(f.schema.names.firstIndex(of: "gender"))
        let a = try XCTUnwrap(f.schema.names.firstIndex(of: "age"))
        for (i, r) in test.enumerated() {
            let u = Int(data.ratingUser[r])
            XCTAssertEqual(f.test[i, g].isNaN, data.userGender[u] == 0)
            XCTAssertEqual(f.test[i, a].isNaN, data.userAge[u] < 0)
        }
    }

    /// The inference context of a training set describes any (user, movie, time) exactly as
    /// `build` describes a test rating with those values; the single-row path agrees; bad
    /// indices are rejected.
    func testInferenceContextMatchesTestRows() throws {
        let data = SyntheticRatings.make()
        let (train, test) = try split(data)
        let o = options()
        let built = try FeatureBuilder.build(dataset: data, trainRows: train, testRows: test, options: o)
        let inference = try FeatureBuilder.inferenceContext(dataset: data, trainRows: train.reversed(), options: o)
        XCTAssertEqual(inference.schema, built.schema)
        XCTAssertEqual(inference.referenceTime, train.map { data.ratingTime[$0] }.max())
        for (i, r) in test.enumerated().prefix(40) {
            let pair = [(user: Int(data.ratingUser[r]), movie: Int(data.ratingMovie[r]))]
            let x = try inference.features(pairs: pair, time: data.ratingTime[r])
            XCTAssertEqual(row(x, 0), row(built.test, i), "test row \(i)")
            let single = try inference.row(user: pair[0].user, movie: pair[0].movie, time: data.ratingTime[r])
            XCTAssertEqual(single.map(\.bitPattern), row(built.test, i))
        }
        // A user against many movies, including ones the user never rated.
        let many = try inference.features(user: 3, movies: Array(0..<data.movieCount))
        XCTAssertEqual(many.rows, data.movieCount)
        let mfCol = try XCTUnwrap(built.schema.names.firstIndex(of: "mf_prediction"))
        XCTAssertGreaterThan(Set((0..<many.rows).map { many[$0, mfCol] }).count, 1, "scores should differ across movies")
        XCTAssertThrowsError(try inference.features(pairs: [(user: data.userCount, movie: 0)]))
        XCTAssertThrowsError(try inference.row(user: 0, movie: -1))
        XCTAssertThrowsError(try FeatureBuilder.inferenceContext(dataset: data, trainRows: [data.ratingCount], options: o))
    }

    func testRejectsBadRows() {
        let data = SyntheticRatings.make(users: 5, movies: 5, perUser: 3)
        XCTAssertThrowsError(try FeatureBuilder.build(dataset: data, trainRows: [0, 1, 99], testRows: [2], options: options()))
        XCTAssertThrowsError(try FeatureBuilder.build(dataset: data, trainRows: [0, 1], testRows: [2], options: options()))
    }
}
