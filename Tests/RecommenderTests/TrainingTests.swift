import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

final class ModelTrainerTests: XCTestCase {
    func testSyntheticDataIsDeterministicAndMovieLensShaped() throws {
        let a = try SyntheticMovieLens(users: 30, movies: 60, ratingsPerUser: 20, seed: 9).dataset()
        let b = try SyntheticMovieLens(users: 30, movies: 60, ratingsPerUser: 20, seed: 9).dataset()
        let c = try SyntheticMovieLens(users: 30, movies: 60, ratingsPerUser: 20, seed: 10).dataset()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.ratingValue, c.ratingValue)
        try a.validate()
        XCTAssertTrue(a.ratingValue.allSatisfy { $0 >= 0.5 && $0 <= 5 && ($0 * 2).rounded() == $0 * 2 })
        // One rating per (user, movie) and at least 20 per user.
        var pairs = Set<Int64>()
        for r in 0..<a.ratingCount { XCTAssertTrue(pairs.insert(Int64(a.ratingUser[r]) << 32 | Int64(a.ratingMovie[r])).inserted) }
        var perUser = [Int](repeating: 0, count: a.userCount)
        for u in a.ratingUser { perUser[Int(u)] += 1 }
        XCTAssertTrue(perUser.allSatisfy { $0 >= 20 })
        // Written as ml-latest CSV, the reader gives the same data back.
        let dir = try TestData.temporaryDirectory("movierec-synth")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SyntheticMovieLens(users: 30, movies: 60, ratingsPerUser: 20, seed: 9).write(to: dir.path)
        let read = try MovieLensReader.load(directory: dir.path, threads: 1).dataset
        XCTAssertEqual(read.ratingValue, a.ratingValue)
        XCTAssertEqual(read.ratingUser, a.ratingUser)
        XCTAssertEqual(read.ratingMovie, a.ratingMovie)
        XCTAssertEqual(read.genres, a.genres)
        XCTAssertEqual(read.years, a.years)
    }

    /// Same seed and threads → byte-identical components; another seed → different trees.
    func testTrainingIsDeterministic() throws {
        let ds = try BundleFixture.dataset.get()
        let a = try BundleFixture.bundle()
        let b = try ModelTrainer.train(dataset: ds, options: BundleFixture.options())
        XCTAssertEqual(a.classifier.serialized(), b.classifier.serialized())
        XCTAssertEqual(a.regressor.serialized(), b.regressor.serialized())
        XCTAssertEqual(a.genreLabels, b.genreLabels)
        XCTAssertEqual(a.similar, b.similar)
        let c = try ModelTrainer.train(dataset: ds, options: BundleFixture.options(seed: 7))
        XCTAssertNotEqual(a.classifier.serialized(), c.classifier.serialized())
    }

    func testManifestDescribesTheTraining() throws {
        let bundle = try BundleFixture.bundle()
        let ds = try BundleFixture.dataset.get()
        let m = bundle.manifest
        XCTAssertEqual(m.dataset.ratings, ds.ratingCount)
        XCTAssertEqual(m.dataset.users, ds.userCount)
        XCTAssertEqual(m.dataset.crc32c, BundleError.hex(ds.fingerprint))
        XCTAssertEqual(m.featureSchema, bundle.classifier.featureNames)
        XCTAssertEqual(m.parameters["seed"], "42")
        let auc = try XCTUnwrap(m.metrics["classifier.train_auc"])
        XCTAssertGreaterThan(auc, 0.6)
        XCTAssertLessThanOrEqual(auc, 1)
        for stage in ["features", "classifier", "regressor", "serving statistics", "similar movies"] {
            XCTAssertNotNil(m.trainingSeconds[stage], stage)
        }
        // The popularity counts are the data's.
        var likes = [Int32](repeating: 0, count: ds.movieCount)
        for r in 0..<ds.ratingCount where ds.ratingValue[r] >= 4 { likes[Int(ds.ratingMovie[r])] += 1 }
        XCTAssertEqual(bundle.popularity.likes, likes)
    }

    func testTooFewRatingsIsAClearError() throws {
        var ds = try BundleFixture.dataset.get()
        ds.ratingUser = Column(ds.ratingUser.prefix(5)); ds.ratingMovie = Column(ds.ratingMovie.prefix(5))
        ds.ratingValue = Column(ds.ratingValue.prefix(5)); ds.ratingTime = Column(ds.ratingTime.prefix(5))
        XCTAssertThrowsError(try ModelTrainer.train(dataset: ds, options: BundleFixture.options())) { error in
            guard case RecommenderError.insufficientData = error else { return XCTFail("\(error)") }
        }
    }
}
