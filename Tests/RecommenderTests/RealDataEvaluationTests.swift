import MovieLens
import TestSupport
import XCTest
@testable import Recommender

/// One outer fold of ml-latest-small, end to end, with the default trees: the honest features and our boosted trees
/// reach the project's targets (AUC ≥ 0.80, RMSE ≤ 0.83) on a fold they never saw.
final class RealDataEvaluationTests: XCTestCase {
    func testOneFoldOfLatestSmallMeetsTargets() throws {
        guard let dir = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let data = try MovieLensReader.load(directory: dir).dataset
        let o = EvaluationOptions()  // the shipped defaults
        let features = try CrossValidation.foldFeatures(dataset: data, options: o, fold: 0)
        XCTAssertEqual(features.train.rows + features.test.rows, data.ratingCount)
        XCTAssertTrue(Set(features.trainRows).isDisjoint(with: features.testRows))
        var timer = StageTimer()
        let m = try CrossValidation.evaluate(features, options: o, seed: o.seed, threads: 2, timer: &timer)
        XCTAssertGreaterThanOrEqual(m.auc, 0.80, "AUC \(m.auc)")
        XCTAssertLessThanOrEqual(m.rmse, 0.83, "RMSE \(m.rmse)")
    }
}
