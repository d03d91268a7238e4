import ArgumentParser
import Foundation
import Recommender
import XCTest
@testable import movierec

final class RecommendCLITests: XCTestCase {
    func testOptionsAreValidated() throws {
        XCTAssertThrowsError(try RecommendCommand.parse(["--models", "m"]), "needs --user or --genres")
        XCTAssertThrowsError(try RecommendCommand.parse(["--models", "m", "--user", "1", "--genres", "Comedy"]))
        XCTAssertThrowsError(try RecommendCommand.parse(["--models", "m", "--user", "1", "--model", "magic"]))
        XCTAssertThrowsError(try RecommendCommand.parse(["--models", "m", "--user", "1", "--top", "0"]))
        let c = try RecommendCommand.parse(["--models", "m", "--genres", "Comedy|Romance", "--json"])
        XCTAssertEqual(c.genres, "Comedy|Romance")
        XCTAssertNil(c.model, "the bundle's default model")
    }

    func testCommandRunsOnATrainedBundle() async throws {
        let models = try CLIFixture.bundleDirectory.get()
        for model in try BundleStore.read(models).servableModels {
            try await RecommendCommand.parse(["--models", models, "--user", "1", "--top", "3", "--model", model.rawValue, "--quiet"]).run()
        }
        try await RecommendCommand.parse(["--models", models, "--genres", "Comedy|Drama", "--quiet"]).run()
        do {
            try await RecommendCommand.parse(["--models", models, "--user", "424242", "--quiet"]).run()
            XCTFail("an unknown user must fail")
        } catch {
            XCTAssertEqual((error as? ExitCode)?.rawValue, 1)
        }
    }

    func testTableShowsTitlesScoresAndReasons() throws {
        let list = [Recommendation(movieId: 6, title: "Heat (1995)", genres: ["Action", "Crime"], score: 0.912, reason: "popular with everyone")]
        XCTAssertEqual(RecommendationPrinting.table(list), "  1. 0.912  Heat (1995) [Action|Crime] — popular with everyone\n")
        XCTAssertEqual(RecommendationPrinting.table([]), "  (nothing to recommend)\n")
    }
}
