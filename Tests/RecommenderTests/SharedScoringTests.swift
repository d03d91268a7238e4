import Boosting
import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// One user against many movies through `CandidateScorer` (whose large blocks fold the user's
/// constant columns into the trees) against the model's one-row walk on the same feature rows,
/// and the classifier scores shared by the top-N evaluation's classifier and notebook hybrid.
final class SharedScoringTests: XCTestCase {
    /// 9,000 candidate rows (the fixture's movies repeated, so the block is folded) give, bit
    /// for bit, `predictMargin(row:)` of each pair's feature row.
    func testLargeBlockEqualsTheOneRowWalk() throws {
        let bundle = try BundleFixture.bundle()
        let inference = bundle.features.inference
        let movies = (0..<9_000).map { Int32(($0 * 11) % bundle.catalog.movieCount) }
        for model in [bundle.classifier, bundle.regressor] {
            let scorer = try CandidateScorer(inference: inference, model: model)
            for u in [0, 7, bundle.catalog.userCount - 1] {
                var byMovie: [Int32: Float] = [:]
                for m in Set(movies) {
                    let row = try inference.row(user: u, movie: Int(m))
                    byMovie[m] = row.withUnsafeBufferPointer { model.predictMargin(row: $0) }
                }
                let reference = try movies.map { try XCTUnwrap(byMovie[$0]) }
                for threads in [1, 2] {
                    XCTAssertEqual(try scorer.margins(user: u, movies: movies, threads: threads).map(\.bitPattern),
                                   reference.map(\.bitPattern), "user \(u), \(threads) threads")
                }
            }
        }
    }

    /// Rankers sharing precomputed scores return the lists (movies, scores, reasons) of rankers
    /// that score afresh; a request with another seen list is scored afresh.
    func testSharedScoresLeaveRankingsUnchanged() throws {
        let bundle = try BundleFixture.bundle()
        let rk = try XCTUnwrap(bundle.rankers)
        let notebook = rk.notebook, classifier = notebook.classifier
        let users = Array(0..<min(12, bundle.catalog.userCount))
        let seen = users.map { Array(bundle.catalog.seen(user: $0).movies) }
        let shared = try classifier.sharingScores(users: users, seen: seen, threads: 2)
        XCTAssertEqual(shared.sharedScores?.count, users.count)
        let sharedNotebook = NotebookHybridRanker(classifier: shared, weight: notebook.weight, clustering: notebook.clustering)
        for (u, s) in zip(users, seen) {
            let fresh = classifier.probabilities(user: u, excluding: s)
            let stored = try XCTUnwrap(shared.sharedScores?.lookup(user: u, seen: s))
            XCTAssertEqual(stored.movies, fresh.movies)
            XCTAssertEqual(stored.scores.map(\.bitPattern), fresh.scores.map(\.bitPattern))
            XCTAssertEqual(shared.recommend(user: u, excluding: s, count: 10), classifier.recommend(user: u, excluding: s, count: 10))
            XCTAssertEqual(sharedNotebook.recommend(user: u, excluding: s, count: 10), notebook.recommend(user: u, excluding: s, count: 10))
            // Another seen list: not served from the store, scored afresh.
            let other = Array(s.dropFirst())
            XCTAssertNil(shared.sharedScores?.lookup(user: u, seen: other))
            XCTAssertEqual(shared.recommend(user: u, excluding: other, count: 10), classifier.recommend(user: u, excluding: other, count: 10))
        }
        XCTAssertThrowsError(try classifier.sharingScores(users: [0, 1], seen: [[]]))
    }

    /// The top-N evaluation of both classifier rankers together (one shared scoring) gives the
    /// metrics each gives on its own.
    func testTopNMetricsWithAndWithoutSharing() throws {
        let data = try BundleFixture.dataset.get()
        var o = TopNOptions()
        o.threads = 2
        o.classifierUsers = 20
        o.classifier.rounds = 10
        o.classifier.maxDepth = 4
        o.features.mf.epochs = 3
        o.features.mf.factors = 4
        o.features.genreClusters = 3
        o.features.ratingClusters = 3
        o.models = [.classifier, .notebookHybrid]
        let both = try TopNEvaluation.run(dataset: data, options: o)
        o.models = [.classifier]
        let alone = try TopNEvaluation.run(dataset: data, options: o)
        o.models = [.notebookHybrid]
        let hybridAlone = try TopNEvaluation.run(dataset: data, options: o)
        XCTAssertEqual(both[.classifier]?.metrics, alone[.classifier]?.metrics)
        XCTAssertEqual(both[.notebookHybrid]?.metrics, hybridAlone[.notebookHybrid]?.metrics)
        XCTAssertGreaterThan(both[.classifier]?.metrics.users ?? 0, 0)
    }
}
