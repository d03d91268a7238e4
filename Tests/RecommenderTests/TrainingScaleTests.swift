import Foundation
import MovieLens
import TestSupport
import XCTest
@testable import Recommender

/// The sampling `ModelTrainer` switches to on large data sets (`TrainingRows`, `UserSubset`).
final class TrainingScaleTests: XCTestCase {
    func testRowSplitIsAnExactSeededPartition() throws {
        let (s, r) = try TrainingRows.split(count: 10_000, limit: 2_500, seed: 5)
        XCTAssertEqual(s.count, 2_500)
        XCTAssertEqual(r.count, 7_500)
        XCTAssertEqual(s, s.sorted())
        XCTAssertEqual(r, r.sorted())
        XCTAssertEqual(Set(s).union(r), Set(0..<10_000))
        XCTAssertTrue(Set(s).isDisjoint(with: r))
        let again = try TrainingRows.split(count: 10_000, limit: 2_500, seed: 5)
        XCTAssertEqual(again.sample, s)
        XCTAssertNotEqual(try TrainingRows.split(count: 10_000, limit: 2_500, seed: 6).sample, s)
        // Uniform: each quarter of the range holds about a quarter of the sample (binomial sd ≈ 22).
        for q in 0..<4 {
            let inQuarter = s.filter { $0 / 2_500 == q }.count
            XCTAssertEqual(Double(inQuarter), 625, accuracy: 110, "quarter \(q)")
        }
        XCTAssertThrowsError(try TrainingRows.split(count: 10, limit: 10, seed: 1))
        XCTAssertThrowsError(try TrainingRows.split(count: 10, limit: 0, seed: 1))
    }

    /// Above the limit, the sampled rows' features are exactly what `FeatureBuilder` computes for
    /// them as test rows of a split whose training rows are all the other ratings — so no sampled
    /// row is described by statistics that include its own rating.
    func testSampledRowsAreTestRowsOfTheOtherRatings() throws {
        let ds = try SyntheticMovieLens(users: 40, movies: 80, ratingsPerUser: 20, seed: 4).dataset()
        var options = FeatureOptions()
        options.seed = 11
        options.innerFolds = 3
        options.mf.epochs = 3
        options.mf.factors = 4
        options.genreClusters = 3
        options.ratingClusters = 3
        options.threads = 2
        let limit = ds.ratingCount / 4
        let built = try TrainingRows.build(dataset: ds, options: options, limit: limit)
        let (sample, rest) = try TrainingRows.split(count: ds.ratingCount, limit: limit, seed: options.seed)
        XCTAssertEqual(built.trainRows, sample)
        XCTAssertEqual(built.train.rows, limit)
        let reference = try FeatureBuilder.build(dataset: ds, trainRows: rest, testRows: sample, options: options)
        XCTAssertEqual(built.train.names, reference.test.names)
        XCTAssertEqual(built.train.values.count, reference.test.values.count)
        for (a, b) in zip(built.train.values, reference.test.values) { XCTAssertTrue(a == b || (a.isNaN && b.isNaN)) }
        XCTAssertEqual(built.trainLike, reference.testLike)
        XCTAssertEqual(built.trainRating, reference.testRating)
        // At or below the limit: every rating, out-of-fold, as before.
        let full = try TrainingRows.build(dataset: ds, options: options, limit: ds.ratingCount)
        let direct = try FeatureBuilder.build(dataset: ds, trainRows: Array(0..<ds.ratingCount), testRows: [], options: options)
        XCTAssertEqual(full.train.rows, ds.ratingCount)
        for (a, b) in zip(full.train.values, direct.train.values) { XCTAssertTrue(a == b || (a.isNaN && b.isNaN)) }
    }

    func testUserSubsetKeepsWholeUsersAndTheirRatings() throws {
        let ds = try SyntheticMovieLens(users: 60, movies: 90, ratingsPerUser: 20, seed: 8).dataset()
        let limit = ds.ratingCount / 3
        let sub = UserSubset.dataset(ds, ratings: limit, seed: 3)
        XCTAssertEqual(sub, UserSubset.dataset(ds, ratings: limit, seed: 3))
        try sub.validate()
        XCTAssertGreaterThanOrEqual(sub.ratingCount, limit)
        XCTAssertLessThan(sub.userCount, ds.userCount)
        XCTAssertEqual(sub.movieIds, ds.movieIds)
        XCTAssertEqual(sub.userIds, sub.userIds.sorted())
        // Every kept user has exactly their original ratings, in the original order.
        let original = Dictionary(grouping: 0..<ds.ratingCount) { ds.userIds[Int(ds.ratingUser[$0])] }
        let kept = Dictionary(grouping: 0..<sub.ratingCount) { sub.userIds[Int(sub.ratingUser[$0])] }
        XCTAssertEqual(Set(kept.keys), Set(sub.userIds))
        var dropLast = sub.ratingCount
        for (id, rows) in kept {
            let o = try XCTUnwrap(original[id])
            XCTAssertEqual(rows.map { sub.ratingMovie[$0] }, o.map { ds.ratingMovie[$0] })
            XCTAssertEqual(rows.map { sub.ratingValue[$0] }, o.map { ds.ratingValue[$0] })
            XCTAssertEqual(rows.map { sub.ratingTime[$0] }, o.map { ds.ratingTime[$0] })
            dropLast = min(dropLast, sub.ratingCount - rows.count)
        }
        // Stops as soon as the limit is reached: without its largest user it would be below it.
        XCTAssertLessThan(dropLast, limit)
        // A data set within the limit is returned whole.
        XCTAssertEqual(UserSubset.dataset(ds, ratings: ds.ratingCount, seed: 3), ds)
    }

    /// A bundle trained with both samplings on: the boosted models see `boostRowLimit` rows and the
    /// notebook hybrid is still tuned; the limits are in the manifest.
    func testTrainingWithSamplingRecordsItsLimits() throws {
        let ds = try BundleFixture.dataset.get()
        var o = BundleFixture.options()
        o.boostRowLimit = ds.ratingCount / 2
        o.notebookTuningRatings = ds.ratingCount / 2
        let bundle = try ModelTrainer.train(dataset: ds, options: o)
        XCTAssertEqual(bundle.manifest.parameters["boost_row_limit"], String(ds.ratingCount / 2))
        XCTAssertEqual(bundle.manifest.parameters["notebook_tuning"], "users=30 ratings=\(ds.ratingCount / 2)")
        let auc = try XCTUnwrap(bundle.manifest.metrics["classifier.train_auc"])
        XCTAssertGreaterThan(auc, 0.6)
        XCTAssertNotNil(bundle.manifest.metrics["notebook_hybrid.weight"])
        XCTAssertNotEqual(bundle.classifier.serialized(), try BundleFixture.bundle().classifier.serialized())
    }
}
