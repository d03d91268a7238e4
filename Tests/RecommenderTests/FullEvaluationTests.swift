import Foundation
import MovieLens
import Runtime
import XCTest
@testable import Recommender

/// Small, fast settings shared by the full-evaluation tests (3 folds, 40 shallow trees).
enum FullEvaluationFixture {
    static func options(stages: [EvaluationStage] = EvaluationStage.allCases) -> FullEvaluationOptions {
        var o = FullEvaluationOptions()
        o.stages = stages
        o.folds = 3
        o.seed = 5
        o.threads = 2
        o.crossValidation.features.mf.epochs = 10
        o.crossValidation.features.mf.factors = 4
        o.crossValidation.features.genreClusters = 3
        o.crossValidation.features.ratingClusters = 3
        o.crossValidation.classifier.rounds = 40
        o.crossValidation.classifier.eta = 0.2
        o.crossValidation.classifier.maxDepth = 3
        o.crossValidation.regressor = o.crossValidation.classifier
        o.clusters.genreClusters = 4
        o.clusters.ratingClusters = 3
        o.clusters.nInit = 2
        o.clusters.silhouetteSample = 50
        // The top-N rankers have their own tests; here the stage's wiring is what matters.
        o.topN.models = [.popularity]
        return o
    }

    static let data = SyntheticRatings.make(users: 80, movies: 40, perUser: 15)

    /// One evaluation of every stage, computed once for all the tests that only read it.
    static let all: Result<EvaluationSummary, any Error> = Result {
        try FullEvaluation.run(dataset: data, dataName: "synthetic <80 users>", options: options())
    }
}

final class FullEvaluationTests: XCTestCase {
    func testEveryStageRunsAndIsTimed() throws {
        let s = try FullEvaluationFixture.all.get()
        XCTAssertEqual(s.stages, [.cv, .clusters, .topn])
        XCTAssertEqual(s.seconds.order, ["cv", "clusters", "topn"])
        XCTAssertTrue(s.seconds.order.allSatisfy { (s.seconds.seconds[$0] ?? -1) >= 0 })
        XCTAssertEqual(s.totalSeconds, s.seconds.order.reduce(0) { $0 + (s.seconds.seconds[$1] ?? 0) }, accuracy: 1e-12)

        let cv = try XCTUnwrap(s.crossValidation)
        XCTAssertEqual(cv.folds.count, 3)
        XCTAssertEqual(cv.folds.reduce(0) { $0 + $1.testRows }, FullEvaluationFixture.data.ratingCount)
        XCTAssertGreaterThan(cv.summary(\.auc).mean, 0.6, "the synthetic data has learnable structure")

        let rated = RatedUsers(FullEvaluationFixture.data).count
        for q in [try XCTUnwrap(s.genreClusters), try XCTUnwrap(s.ratingClusters)] {
            XCTAssertEqual(q.sizes.count, q.k)
            XCTAssertEqual(q.sizes.reduce(0, +), rated, "every rated user is in exactly one cluster")
            XCTAssertEqual(q.users, rated)
            XCTAssertTrue(q.inertia.isFinite && q.inertia >= 0)
            let sil = try XCTUnwrap(q.silhouette)
            XCTAssertTrue(sil >= -1 && sil <= 1)
            XCTAssertEqual(q.silhouetteSample, 50)
        }
        XCTAssertEqual(s.genreClusters?.k, 4)
        XCTAssertEqual(s.genreClusters?.features, FullEvaluationFixture.data.genreNames.count)
        XCTAssertEqual(s.ratingClusters?.k, 3)
        XCTAssertEqual(s.ratingClusters?.features, FullEvaluationFixture.data.movieCount)

        let topN = try XCTUnwrap(s.topN)
        XCTAssertEqual(topN.models.map(\.model), [.popularity])
        for m in topN.models {
            for v in [m.metrics.precision, m.metrics.recall, m.metrics.ndcg, m.metrics.hitRate, m.metrics.coverage] {
                XCTAssertTrue(v >= 0 && v <= 1, "\(m.model): \(v)")
            }
        }
        // Models not evaluated are reported as such, never invented.
        for model in FullEvaluation.rankingModels where model != "popularity" {
            XCTAssertTrue(s.unavailable.contains { $0.item == "topn.\(model)" }, model)
        }
    }

    func testClusterQualityMatchesAnIndependentInertia() throws {
        // Two well-separated groups of users by genre taste: k = 2 must find them, and the
        // inertia must be the sum of squared distances to the members' own mean.
        var ru: [Int32] = [], rm: [Int32] = [], rv: [Float] = [], rt: [Int64] = []
        for u in 0..<10 {
            for m in 0..<4 {
                ru.append(Int32(u)); rm.append(Int32(m)); rt.append(Int64(1_000_000 + u * 10 + m))
                let likesFirst = u < 5
                rv.append(m < 2 ? (likesFirst ? 5 : 1) : (likesFirst ? 1 : 5))
            }
        }
        let ds = Dataset(format: .latestCSV, userIds: (1...10).map(Int64.init), movieIds: (1...4).map(Int64.init),
                         ratingUser: Column(ru), ratingMovie: Column(rm), ratingValue: Column(rv), ratingTime: Column(rt),
                         titles: ["A", "B", "C", "D"], years: [2000, 2000, 2000, 2000], genres: [1, 1, 2, 2],
                         genreNames: ["Action", "Drama"], userGender: [], userAge: [], userOccupation: [], userZip: [])
        var o = ClusterQualityOptions()
        o.genreClusters = 2
        let q = try ClusterQuality.genre(dataset: ds, options: o, seed: 1, backend: .swift, threads: 1)
        XCTAssertEqual(q.sizes.sorted(), [5, 5])
        // Each user's row is (5, 1) or (1, 5): identical within a group, so the inertia is 0
        // and every silhouette value is 1.
        XCTAssertEqual(q.inertia, 0, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(q.silhouette), 1, accuracy: 1e-6)
        // k larger than the users is clamped; no silhouette with a sample of 0.
        o.genreClusters = 50
        o.silhouetteSample = 0
        let clamped = try ClusterQuality.genre(dataset: ds, options: o, seed: 1, backend: .swift, threads: 1)
        XCTAssertEqual(clamped.k, 10)
        XCTAssertNil(clamped.silhouette)
        XCTAssertEqual(clamped.inertia, 0, accuracy: 1e-6)
        // No ratings at all: a clear error, not a crash.
        var empty = ds
        empty.ratingUser = []; empty.ratingMovie = []; empty.ratingValue = []; empty.ratingTime = []
        XCTAssertThrowsError(try ClusterQuality.ratings(dataset: empty, options: o, seed: 1, backend: .swift, threads: 1)) {
            XCTAssertTrue("\($0)".contains("no user has a rating"), "\($0)")
        }
    }

    func testSelectedStagesOnlyAndDeterminism() throws {
        let o = FullEvaluationFixture.options(stages: [.clusters, .topn])
        let a = try FullEvaluation.run(dataset: FullEvaluationFixture.data, dataName: "x", options: o)
        XCTAssertNil(a.crossValidation)
        XCTAssertEqual(a.seconds.order, ["clusters", "topn"])
        let json = EvaluationReport.json(a)
        XCTAssertNil(json[path: "classifier"])
        XCTAssertNil(json[path: "regressor"])
        XCTAssertNotNil(json[path: "clusters.genre.inertia"])
        let b = try FullEvaluation.run(dataset: FullEvaluationFixture.data, dataName: "x", options: o)
        XCTAssertEqual(a.genreClusters?.sizes, b.genreClusters?.sizes)
        XCTAssertEqual(a.genreClusters?.inertia, b.genreClusters?.inertia)
        XCTAssertEqual(a.ratingClusters?.inertia, b.ratingClusters?.inertia)
        XCTAssertEqual(a.topN?.models.map(\.metrics), b.topN?.models.map(\.metrics))
        // The full run's clusters are the same as this one's (same seed, same settings).
        let full = try FullEvaluationFixture.all.get()
        XCTAssertEqual(full.genreClusters?.inertia, a.genreClusters?.inertia)
    }

    func testStageListParsing() throws {
        XCTAssertEqual(try EvaluationStage.parseList("topn,cv"), [.cv, .topn])
        XCTAssertEqual(try EvaluationStage.parseList(" CLUSTERS , cv,cv,"), [.cv, .clusters])
        XCTAssertThrowsError(try EvaluationStage.parseList("cv,rocket")) { XCTAssertTrue("\($0)".contains("'rocket'"), "\($0)") }
        XCTAssertThrowsError(try EvaluationStage.parseList(" , "))
    }

    func testLoadSecondsComeFirst() throws {
        let s = try FullEvaluationFixture.all.get().withSeconds(first: "load", 0.25)
        XCTAssertEqual(s.seconds.order, ["load", "cv", "clusters", "topn"])
        XCTAssertEqual(s.seconds.seconds["load"], 0.25)
    }
}
