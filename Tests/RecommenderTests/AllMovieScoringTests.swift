import Boosting
import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// The all-movie scoring path (`CandidateScorer`, the rankers built on it) against naive
/// references: the feature matrix of the pairs predicted by the boosted model, and rankers
/// written out by hand. Every comparison is exact (bit patterns, identical lists).
final class AllMovieScoringTests: XCTestCase {
    /// Bit-identical margins and predictions to `predictMargins(features(user:movies:))` for
    /// every user of the fixture, the classifier and the regressor, 1 and 2 threads.
    func testScorerIsBitIdenticalToTheFeatureMatrixPath() throws {
        let bundle = try BundleFixture.bundle()
        let inference = bundle.features.inference
        let movies = (0..<bundle.catalog.movieCount).map(Int32.init)
        for model in [bundle.classifier, bundle.regressor] {
            let scorer = try CandidateScorer(inference: inference, model: model)
            for u in 0..<bundle.catalog.userCount {
                let x = try inference.features(user: u, movies: movies.map(Int.init), threads: 1)
                let reference = try model.predict(x, threads: 1)
                for threads in [1, 2] {
                    let p = try scorer.predictions(user: u, movies: movies, threads: threads)
                    XCTAssertEqual(p.map(\.bitPattern), reference.map(\.bitPattern), "user \(u), \(threads) threads")
                }
            }
            // A subset in another order, and an empty list.
            let some: [Int32] = [7, 3, 80, 3, 41]
            let x = try inference.features(user: 5, movies: some.map(Int.init))
            XCTAssertEqual(try scorer.margins(user: 5, movies: some), try model.predictMargins(x, threads: 1))
            XCTAssertEqual(try scorer.margins(user: 5, movies: []), [])
        }
        let scorer = try CandidateScorer(inference: inference, model: bundle.classifier)
        XCTAssertThrowsError(try scorer.margins(user: bundle.catalog.userCount, movies: [0]))
        XCTAssertThrowsError(try scorer.margins(user: 0, movies: [Int32(bundle.catalog.movieCount)]))
        XCTAssertThrowsError(try CandidateScorer(inference: inference, model: BoostedModel(
            objective: .squaredError, baseScore: 0, featureNames: ["x"], trees: [])))
    }

    /// A large block (many rows, several threads: more than one row block) still matches: the
    /// fixture's movies repeated to 9,000 rows.
    func testLargeBlockMatches() throws {
        let bundle = try BundleFixture.bundle()
        let inference = bundle.features.inference
        let movies = (0..<9_000).map { Int32(($0 * 7) % bundle.catalog.movieCount) }
        let scorer = try CandidateScorer(inference: inference, model: bundle.classifier)
        let reference = try bundle.classifier.predictMargins(inference.features(user: 3, movies: movies.map(Int.init)), threads: 1)
        XCTAssertEqual(try scorer.margins(user: 3, movies: movies, threads: 2).map(\.bitPattern), reference.map(\.bitPattern))
    }

    /// The classifier and notebook-hybrid rankers against rankers written out naively (every
    /// allowed movie's features predicted as one matrix; scores compared in a full sort).
    func testRankersEqualNaiveReferences() throws {
        let bundle = try BundleFixture.bundle()
        let rk = try XCTUnwrap(bundle.rankers)
        let notebook = rk.notebook, classifier = notebook.classifier
        var checkedBoost = false
        for u in 0..<bundle.catalog.userCount {
            let seen = Array(bundle.catalog.seen(user: u).movies)
            let allowed = (0..<bundle.catalog.movieCount).filter { classifier.catalogue[$0] && !seen.contains(Int32($0)) }
            let p = try classifier.classifier.predict(classifier.inference.features(user: u, movies: allowed), threads: 1)
            func naiveTop(_ s: [Float]) -> [Int32] {
                zip(allowed, s).sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(10).map { Int32($0.0) }
            }
            let c = classifier.recommend(user: u, excluding: seen, count: 10)
            XCTAssertEqual(c.map(\.movie), naiveTop(p), "classifier user \(u)")
            XCTAssertEqual(c.map(\.score), Array(p.sorted(by: >).prefix(10)), "classifier user \(u)")
            let boosts = allowed.map { notebook.weight * NotebookHybridRanker.affinity(classifier, notebook.clustering, user: u, movie: $0) }
            let h = notebook.recommend(user: u, excluding: seen, count: 10)
            let total = zip(p, boosts).map { $0 + $1 }
            XCTAssertEqual(h.map(\.movie), naiveTop(total), "notebook user \(u)")
            for r in h {
                let k = try XCTUnwrap(allowed.firstIndex(of: Int(r.movie)))
                XCTAssertEqual(r.score, total[k])
                if boosts[k] > p[k] {
                    checkedBoost = true
                    guard case .lovedBySimilarUsers = r.reason else { return XCTFail("user \(u): \(r.reason)") }
                } else {
                    XCTAssertEqual(r.reason, .predictedLike(probability: p[k]))
                }
            }
        }
        if notebook.weight > 1 { XCTAssertTrue(checkedBoost, "no boosted reason seen with weight \(notebook.weight)") }
    }

    /// The bundle's regressor and classifier lists (fast path, 2 threads) equal a naive top-N of
    /// `ModelBundle.predict` over the unseen catalogue movies (ties by popularity, then index).
    func testBundleRegressorAndClassifierListsEqualNaive() throws {
        let bundle = try BundleFixture.bundle()
        let recommender = BundleRecommender(bundle, threads: 2)
        for u in [0, 7, 19, bundle.catalog.userCount - 1] {
            let seen = Set(bundle.catalog.seen(user: u).movies)
            let allowed = (0..<bundle.catalog.movieCount).filter { bundle.popularity.ratings[$0] > 0 && !seen.contains(Int32($0)) }
            let p = try bundle.predict(users: allowed.map { _ in Int32(u) }, movies: allowed.map(Int32.init))
            for (model, scores) in [(ServingModel.regressor, p.rating), (.classifier, p.like)] {
                let naive = zip(allowed, scores).sorted { a, b in
                    if a.1 != b.1 { return a.1 > b.1 }
                    let la = bundle.popularity.likes[a.0], lb = bundle.popularity.likes[b.0]
                    return la != lb ? la > lb : a.0 < b.0
                }.prefix(10)
                let got = try recommender.recommend(userId: bundle.catalog.userIds[u], model: model, count: 10)
                if model == .regressor {
                    XCTAssertEqual(got.map(\.movieId), naive.map { bundle.catalog.movieIds[$0.0] }, "\(model) user \(u)")
                    XCTAssertEqual(got.map(\.score), naive.map(\.1), "\(model) user \(u)")
                } else {
                    // The classifier is served by the top-N ranker (ties by movie index only).
                    XCTAssertEqual(Set(got.map(\.score)), Set(naive.map(\.1)), "\(model) user \(u)")
                }
            }
        }
    }
}
