import Boosting
import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// The fast all-movie scoring path (`CandidateScorer`, `ForestSpecialization`) against naive
/// references: the feature matrix of the pairs predicted by the boosted model, and rankers
/// written out by hand. Every comparison is exact (bit patterns, identical lists).
final class AllMovieScoringTests: XCTestCase {
    /// A depth-2 tree: root splits on feature 0 (< 1, missing right), its children on feature 1
    /// (< 0.5, missing left) and feature 2 (< 3, missing right). Leaves 1 … 4 from left to right.
    private func handTree(scale: Float) -> Tree {
        var t = Tree()
        // node: 0 root, 1–2 children, 3–6 leaves
        t.feature = [0, 1, 2, -1, -1, -1, -1]
        t.threshold = [1, 0.5, 3, 0, 0, 0, 0]
        t.splitBin = [0, 0, 0, 0, 0, 0, 0]
        t.left = [1, 3, 5, -1, -1, -1, -1]
        t.defaultLeft = [false, true, false, false, false, false, false]
        t.value = [0, 0, 0, 1 * scale, 2 * scale, 3 * scale, 4 * scale]
        t.gain = [Float](repeating: 0, count: 7)
        t.cover = [Float](repeating: 1, count: 7)
        return t
    }

    /// Hand-computed: with feature 0 constant, each tree keeps one branch; the sums are those of
    /// the full model, for a constant value on either side of the threshold and for NaN.
    func testSpecialisedForestMatchesTheModelByHand() throws {
        let model = BoostedModel(objective: .squaredError, baseScore: 0.5, featureNames: ["a", "b", "c"],
                                 trees: [handTree(scale: 1), handTree(scale: 0.1)])
        // Rows: (b, c) varying; a set per case.
        let bc: [(Float, Float)] = [(0, 0), (0.7, 0), (.nan, 5), (0.2, 3), (1, .nan)]
        for a: Float in [0, 2, .nan] {
            let n = bc.count
            var block = [Float](repeating: 0, count: 3 * n)
            for (i, (b, c)) in bc.enumerated() { block[i] = a; block[n + i] = b; block[2 * n + i] = c }
            let forest = block.withUnsafeBufferPointer { ForestSpecialization(model, block: $0, rows: n, columns: 3) }
            // One tree level is resolved: every specialised tree has depth 1.
            XCTAssertEqual(forest.depths, [1, 1])
            var out = [Float](repeating: model.baseMargin, count: n)
            block.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { forest.accumulate(block: b, rows: n, range: 0..<n, into: $0) } }
            // By hand: a < 1 → feature-1 subtree (b < 0.5 or missing → leaf 1, else leaf 2);
            // a ≥ 1 or missing → feature-2 subtree (c < 3 → leaf 3, else or missing → leaf 4).
            let expected: [Float] = bc.map { b, c in
                let leaf: Float = a < 1 ? (b.isNaN || b < 0.5 ? 1 : 2) : (c < 3 ? 3 : 4)
                return 0.5 + leaf + 0.1 * leaf
            }
            XCTAssertEqual(out, expected, "a = \(a)")
            let reference = try model.predictMargins(FeatureMatrix(rows: n, columns: 3, columnMajor: block), threads: 1)
            XCTAssertEqual(out.map(\.bitPattern), reference.map(\.bitPattern), "a = \(a)")
        }
    }

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

    /// A large block (many rows, several threads) still matches, so the row blocking and the
    /// lockstep tails are exercised: the fixture's movies repeated to 2,500 rows.
    func testLargeBlockMatches() throws {
        let bundle = try BundleFixture.bundle()
        let inference = bundle.features.inference
        let movies = (0..<2_500).map { Int32(($0 * 7) % bundle.catalog.movieCount) }
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
