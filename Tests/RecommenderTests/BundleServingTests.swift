import Foundation
import MovieLens
import XCTest
@testable import Recommender

/// Recommendations, cold start and similar movies served from a trained bundle.
final class BundleServingTests: XCTestCase {
    func testRecommendExcludesSeenAndReturnsDistinctKnownMovies() throws {
        let bundle = try BundleFixture.bundle()
        let r = BundleRecommender(bundle)
        let cat = bundle.catalog
        for model in bundle.servableModels {
            for u in [0, 7, cat.userCount - 1] {
                let id = cat.userIds[u]
                let seen = Set(cat.seen(user: u).movies.map { cat.movieIds[Int($0)] })
                let rated = Set((0..<cat.movieCount).filter { bundle.popularity.ratings[$0] > 0 }.map { cat.movieIds[$0] })
                let list = try r.recommend(userId: id, model: model, count: 15)
                XCTAssertEqual(list.count, min(15, rated.subtracting(seen).count), "\(model)")
                XCTAssertEqual(Set(list.map(\.movieId)).count, list.count, "\(model): distinct")
                XCTAssertTrue(list.allSatisfy { !seen.contains($0.movieId) }, "\(model): a seen movie was recommended")
                XCTAssertTrue(list.allSatisfy { rated.contains($0.movieId) }, "\(model): a movie without ratings")
                XCTAssertEqual(list.map(\.score), list.map(\.score).sorted(by: >), "\(model): best first")
                XCTAssertTrue(list.allSatisfy { !$0.reason.isEmpty })
            }
        }
    }

    /// The classifier ranking is the classifier's probability over all unseen movies: the first
    /// movie's probability is the maximum of a brute-force prediction.
    func testClassifierRankingMatchesBruteForce() throws {
        let bundle = try BundleFixture.bundle()
        let u = 3
        let seen = Set(bundle.catalog.seen(user: u).movies)
        let candidates = (0..<bundle.catalog.movieCount).filter { bundle.popularity.ratings[$0] > 0 && !seen.contains(Int32($0)) }
        let p = try bundle.predict(users: [Int32](repeating: Int32(u), count: candidates.count), movies: candidates.map(Int32.init))
        let list = try BundleRecommender(bundle).recommend(userId: bundle.catalog.userIds[u], model: .classifier, count: 5)
        XCTAssertEqual(list.first?.score, p.like.max())
        XCTAssertEqual(list.map(\.score), Array(p.like.sorted(by: >).prefix(5)))
    }

    func testUnknownUserSuggestsGenres() throws {
        let r = BundleRecommender(try BundleFixture.bundle())
        XCTAssertThrowsError(try r.recommend(userId: 987_654, model: .popularity, count: 5)) { error in
            XCTAssertEqual(error as? ServingError, .unknownUser(987_654))
            XCTAssertTrue("\(error)".contains("--genres"))
        }
    }

    func testColdStartReturnsMoviesOfTheRequestedGenres() throws {
        let bundle = try BundleFixture.bundle()
        let r = BundleRecommender(bundle)
        for genres in [["Comedy"], ["Romance", "horror"]] {
            let list = try r.recommend(genres: genres, count: 8)
            XCTAssertFalse(list.isEmpty)
            XCTAssertEqual(Set(list.map(\.movieId)).count, list.count)
            let wanted = Set(genres.map { $0.lowercased() })
            for item in list {
                XCTAssertFalse(wanted.isDisjoint(with: item.genres.map { $0.lowercased() }), "\(item.title) \(item.genres) not in \(genres)")
            }
        }
        XCTAssertThrowsError(try r.recommend(genres: ["Cooking"], count: 5)) { error in
            guard case ServingError.unknownGenre("Cooking", _) = error else { return XCTFail("\(error)") }
        }
    }

    func testSimilarListsOtherMoviesBestFirst() throws {
        let bundle = try BundleFixture.bundle()
        let r = BundleRecommender(bundle)
        for m in [0, 10, 44] {
            let list = try r.similar(movie: m, count: 5)
            XCTAssertFalse(list.contains { $0.movieId == bundle.catalog.movieIds[m] })
            XCTAssertEqual(list.map(\.score), list.map(\.score).sorted(by: >))
            XCTAssertTrue(list.allSatisfy { $0.score > 0 && $0.score <= 1.0001 })
        }
    }

    func testBecauseYouRatedNamesALikedNeighbour() throws {
        let bundle = try BundleFixture.bundle()
        let r = BundleRecommender(bundle)
        var found = 0
        for u in 0..<bundle.catalog.userCount {
            for item in try r.recommend(userId: bundle.catalog.userIds[u], model: .cluster, count: 10) where item.reason.hasPrefix("because you rated ") {
                found += 1
                let m = try XCTUnwrap(bundle.catalog.movieIndex(forId: item.movieId))
                let seen = bundle.catalog.seen(user: u)
                let liked = zip(seen.movies, seen.ratings).filter { $0.1 >= 4 && item.reason.contains(bundle.catalog.displayTitle(Int($0.0))) }
                XCTAssertFalse(liked.isEmpty, item.reason)
                XCTAssertTrue(liked.contains { bundle.similar.neighbours(of: Int($0.0)).contains { $0.movie == m } }, item.reason)
            }
        }
        XCTAssertGreaterThan(found, 0)
    }
}
