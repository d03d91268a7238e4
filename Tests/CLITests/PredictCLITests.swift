import ArgumentParser
import Foundation
import Recommender
import XCTest
@testable import movierec

final class PredictCLITests: XCTestCase {
    func testPredictionMatchesTheBundle() throws {
        let bundle = try BundleStore.read(try CLIFixture.bundleDirectory.get())
        let u = 4, m = 9
        let p = try PredictRun.predict(bundle, user: bundle.catalog.userIds[u], movie: bundle.catalog.movieIds[m])
        let direct = try bundle.predict(users: [Int32(u)], movies: [Int32(m)])
        XCTAssertEqual(p.like, direct.like[0])
        XCTAssertEqual(p.rating, direct.rating[0])
        XCTAssertEqual(p.title, bundle.catalog.displayTitle(m))
        // The actual rating is reported exactly when the user rated the movie.
        let seen = bundle.catalog.seen(user: u)
        let rated = zip(seen.movies, seen.ratings).first { $0.0 == Int32(m) }?.1
        XCTAssertEqual(p.actual, rated)
        if let first = seen.movies.first {
            let q = try PredictRun.predict(bundle, user: bundle.catalog.userIds[u], movie: bundle.catalog.movieIds[Int(first)])
            XCTAssertEqual(q.actual, seen.ratings.first)
        }
    }

    func testUnknownIdsAreClearErrors() throws {
        let bundle = try BundleStore.read(try CLIFixture.bundleDirectory.get())
        XCTAssertThrowsError(try PredictRun.predict(bundle, user: 777_777, movie: bundle.catalog.movieIds[0])) { error in
            XCTAssertEqual(error as? ServingError, .unknownUser(777_777))
        }
        XCTAssertThrowsError(try PredictRun.predict(bundle, user: bundle.catalog.userIds[0], movie: 888_888)) { error in
            XCTAssertEqual(error as? ServingError, .unknownMovie(888_888))
        }
    }

    func testCommandRuns() async throws {
        let models = try CLIFixture.bundleDirectory.get()
        try await PredictCommand.parse(["--models", models, "--user", "1", "--movie", "2", "--json"]).run()
        XCTAssertThrowsError(try PredictCommand.parse(["--models", models, "--user", "1"]), "--movie is required")
    }
}
