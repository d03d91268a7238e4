import ArgumentParser
import Foundation
import Recommender
import XCTest
@testable import movierec

final class SimilarCLITests: XCTestCase {
    /// The bundle's stored neighbours equal a fresh TF-IDF fit on the same data (`--data`).
    func testBundleAnswerEqualsAFreshFit() throws {
        let models = try CLIFixture.bundleDirectory.get(), data = try CLIFixture.dataDirectory.get()
        for id in ["1", "17", "42"] {
            let fromBundle = try SimilarRun.fromBundle(models, query: id, idAllowed: true, top: 5)
            let fresh = try SimilarRun.run(.init(data: data, movie: id, top: 5, threads: 1))
            XCTAssertEqual(fromBundle.query?.movieId, fresh.query?.movieId)
            XCTAssertEqual(fromBundle.similar.count, fresh.similar.count, "movie \(id)")
            for (a, b) in zip(fromBundle.similar, fresh.similar) { XCTAssertEqual(a.score, b.score, accuracy: 1e-5, "movie \(id)") }
            // Equal scores may come in another order only among ties.
            XCTAssertEqual(Set(fromBundle.similar.map(\.movieId)), Set(fresh.similar.map(\.movieId)), "movie \(id)")
        }
    }

    func testTitleLookupAndErrors() throws {
        let models = try CLIFixture.bundleDirectory.get()
        let bundle = try BundleStore.read(models)
        let title = bundle.catalog.titles[10]
        let r = try SimilarRun.fromBundle(models, query: title, idAllowed: false, top: 3)
        XCTAssertEqual(r.query?.movieId, bundle.catalog.movieIds[10])
        XCTAssertThrowsError(try SimilarRun.fromBundle(models, query: "Zzyzx Qwerty Plonk", idAllowed: true, top: 3))
        XCTAssertThrowsError(try SimilarCommand.parse(["--movie", "1"]), "needs --models or --data")
        XCTAssertThrowsError(try SimilarCommand.parse(["--movie", "1", "--models", "m", "--data", "d"]))
    }
}
