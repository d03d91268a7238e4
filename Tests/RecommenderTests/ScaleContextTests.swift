import Clustering
import Foundation
import MovieLens
import XCTest
@testable import Recommender

/// The whole-data feature context at scale: mini-batch clusters above
/// `FeatureOptions.clusterMiniBatchRatings`, and the factorisation fitted alongside the clusters.
final class ScaleContextTests: XCTestCase {
    private func options(threads: Int, miniBatchAbove: Int) -> FeatureOptions {
        var o = FeatureOptions()
        o.seed = 5
        o.mf.epochs = 4
        o.mf.factors = 4
        o.genreClusters = 4
        o.ratingClusters = 4
        o.threads = threads
        o.clusterMiniBatchRatings = miniBatchAbove
        return o
    }

    func testClustererSwitchesToMiniBatchAboveTheThreshold() {
        var o = FeatureOptions()
        o.clusterMiniBatchRatings = 1_000
        XCTAssertTrue(ClusterContext.clusterer(k: 4, seed: 1, ratings: 1_000, options: o, threads: 1) is KMeans)
        XCTAssertTrue(ClusterContext.clusterer(k: 4, seed: 1, ratings: 1_001, options: o, threads: 1) is MiniBatchKMeans)
        // The default keeps every context of data sets up to 2M ratings on full Lloyd.
        XCTAssertTrue(ClusterContext.clusterer(k: 8, seed: 1, ratings: 2_000_000, options: FeatureOptions(), threads: 2) is KMeans)
        var bad = FeatureOptions()
        bad.clusterMiniBatchRatings = -1
        XCTAssertThrowsError(try bad.validate())
    }

    /// Mini-batch clusters are a function of the ratings and the seed: the same with 1 and 2
    /// threads, labels in range, and the users' genre clustering nearly as tight as full Lloyd's.
    func testMiniBatchContextIsDeterministicAndClose() throws {
        let ds = try SyntheticMovieLens(users: 400, movies: 200, ratingsPerUser: 30, seed: 3).dataset()
        let rows = Array(0..<ds.ratingCount)
        let one = try ClusterContext.fit(dataset: ds, rows: rows, options: options(threads: 1, miniBatchAbove: 0), threads: 1)
        let two = try ClusterContext.fit(dataset: ds, rows: rows, options: options(threads: 2, miniBatchAbove: 0), threads: 2)
        XCTAssertEqual(one.genreLabels, two.genreLabels)
        XCTAssertEqual(one.ratingLabels, two.ratingLabels)
        XCTAssertEqual(one.ratingAffinity.rating.shrunkMeans.storage, two.ratingAffinity.rating.shrunkMeans.storage)
        XCTAssertEqual(one.genreAffinity.like.shrunkMeans.storage, two.genreAffinity.like.shrunkMeans.storage)
        XCTAssertEqual(one.genreLabels.count, ds.userCount)
        XCTAssertTrue(one.genreLabels.allSatisfy { $0 >= 0 && $0 < 4 })
        XCTAssertTrue(one.ratingLabels.allSatisfy { $0 >= 0 && $0 < 4 })
        XCTAssertGreaterThan(Set(one.genreLabels).count, 1)

        let genre = UserGenreMatrix(ds).matrix
        let o = options(threads: 1, miniBatchAbove: 0)
        let mini = try ClusterContext.clusterer(k: 4, seed: 9, ratings: ds.ratingCount, options: o, threads: 1).fit(genre)
        let lloyd = try ClusterContext.clusterer(k: 4, seed: 9, ratings: 0, options: o, threads: 1).fit(genre)
        XCTAssertLessThanOrEqual(mini.inertia, 1.15 * lloyd.inertia, "mini-batch \(mini.inertia) vs Lloyd \(lloyd.inertia)")
        // Labels are the nearest final centre of each user (the final full assignment pass).
        XCTAssertEqual(mini.labels, try mini.predict(genre))
    }

    /// A single (inference) context fits the factorisation and the clusters at the same time
    /// with 2 threads: every feature is bit-identical to the one-thread context, with full
    /// Lloyd and with mini-batch clusters.
    func testConcurrentContextEqualsSequential() throws {
        let ds = try SyntheticMovieLens(users: 150, movies: 120, ratingsPerUser: 25, seed: 8).dataset()
        let rows = Array(stride(from: 0, to: ds.ratingCount, by: 2))
        let pairs = (0..<400).map { (user: $0 % ds.userCount, movie: ($0 * 7) % ds.movieCount) }
        for miniBatch in [0, Int.max] {
            let a = try FeatureBuilder.inferenceContext(dataset: ds, trainRows: rows, options: options(threads: 1, miniBatchAbove: miniBatch))
            let b = try FeatureBuilder.inferenceContext(dataset: ds, trainRows: rows, options: options(threads: 2, miniBatchAbove: miniBatch))
            let x = try a.features(pairs: pairs), y = try b.features(pairs: pairs)
            XCTAssertEqual(x.values.count, y.values.count)
            var differing = 0
            for (p, q) in zip(x.values, y.values) where !(p == q || (p.isNaN && q.isNaN)) { differing += 1 }
            XCTAssertEqual(differing, 0, "mini-batch above \(miniBatch)")
            // The factorisation is really there (its prediction column is finite for rated pairs).
            let mfColumn = try XCTUnwrap(a.schema.names.firstIndex(of: "mf_prediction"))
            XCTAssertTrue((0..<pairs.count).contains { x.values[mfColumn * pairs.count + $0].isFinite })
        }
    }
}
