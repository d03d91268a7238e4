import XCTest
import Foundation
import MovieLens
import Runtime
@testable import Recommender

/// The temporal split, the per-user rating lists and the ranking metrics.
final class TopNSplitMetricsTests: XCTestCase {
    func testSplitInvariantsPerUser() throws {
        var data = SyntheticRatings.make(users: 40, movies: 50, perUser: 17, seed: 3)
        // Some users with few ratings (no test part) and equal timestamps (ties by movie id).
        for r in 0..<data.ratingCount where data.ratingUser[r] == 0 { data.ratingTime[r] = 1_000_000_000 }
        let keep = (0..<data.ratingCount).filter { !(data.ratingUser[$0] == 1 && $0 % 5 != 0) }
        let split = try TemporalSplit(dataset: data, rows: keep)
        XCTAssertEqual(Set(split.trainRows).intersection(split.testRows), [])
        XCTAssertEqual((split.trainRows + split.testRows).sorted(), keep)
        XCTAssertEqual(split.trainRows, split.trainRows.sorted())
        for u in 0..<data.userCount {
            let train = split.trainRows.filter { Int(data.ratingUser[$0]) == u }
            let test = split.testRows.filter { Int(data.ratingUser[$0]) == u }
            let n = train.count + test.count
            XCTAssertEqual(test.count, n / 5, "user \(u)")
            func key(_ r: Int) -> (Int64, Int64) { (data.ratingTime[r], data.movieIds[Int(data.ratingMovie[r])]) }
            for a in train { for b in test { XCTAssertTrue(key(a) < key(b), "user \(u): a train rating is not before every test rating") } }
        }
        XCTAssertTrue(split.testRows.contains { data.ratingUser[$0] == 0 })
        XCTAssertFalse(split.testRows.contains { data.ratingUser[$0] == 1 }, "3 ratings give no test rating")
    }

    func testValidationSliceLiesInTheTrainingPeriod() throws {
        let data = SyntheticRatings.make(users: 30, movies: 40, perUser: 20, seed: 4)
        let split = try TemporalSplit(dataset: data)
        let v = try split.validation(dataset: data)
        XCTAssertEqual((v.trainRows + v.testRows).sorted(), split.trainRows)
        XCTAssertTrue(Set(v.testRows).isDisjoint(with: split.testRows))
        XCTAssertEqual(v.testRows.count, 30 * (16 / 5))
        XCTAssertThrowsError(try TemporalSplit(dataset: data, rows: [data.ratingCount]))
    }

    func testRatingListsGroupAndSort() throws {
        let data = SyntheticRatings.make(users: 10, movies: 30, perUser: 8, seed: 5)
        let rows = Array(0..<data.ratingCount).filter { $0 % 3 != 0 }
        let lists = RatingLists(dataset: data, rows: rows)
        XCTAssertEqual(lists.movies.count, rows.count)
        for u in 0..<10 {
            let expected = rows.filter { Int(data.ratingUser[$0]) == u }.sorted { data.ratingMovie[$0] < data.ratingMovie[$1] }
            XCTAssertEqual(Array(lists.movies(of: u)), expected.map { data.ratingMovie[$0] })
            XCTAssertEqual(Array(lists.values(of: u)), expected.map { data.ratingValue[$0] })
            let latest = expected.max { (data.ratingTime[$0], data.ratingMovie[$0]) < (data.ratingTime[$1], data.ratingMovie[$1]) }
            XCTAssertEqual(lists.recent(of: u, count: 1).first, latest.map { data.ratingMovie[$0] })
        }
        XCTAssertEqual(lists.movies(of: 99), [])
        let m = try lists.sparseMatrix()
        XCTAssertEqual(m.nonZeroCount, rows.count)
    }

    func testMetricsHandCase() {
        let list: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 42]
        let m = UserRankingMetrics(recommended: list, relevant: [2, 5, 42], k: 10)
        XCTAssertEqual(m.precision, 0.2, accuracy: 1e-12)
        XCTAssertEqual(m.recall, 2.0 / 3, accuracy: 1e-12)
        let dcg = 1 / log2(3.0) + 1 / log2(6.0), idcg = 1 + 1 / log2(3.0) + 0.5
        XCTAssertEqual(m.ndcg, dcg / idcg, accuracy: 1e-12)
        XCTAssertEqual(m.hitRate, 1)
        // A perfect list has NDCG 1 even when there are more relevant movies than k.
        let perfect = UserRankingMetrics(recommended: [7, 8], relevant: [7, 8, 9], k: 2)
        XCTAssertEqual(perfect.ndcg, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.recall, 2.0 / 3, accuracy: 1e-12)
        let miss = UserRankingMetrics(recommended: [1], relevant: [2], k: 10)
        XCTAssertEqual(miss.ndcg, 0); XCTAssertEqual(miss.hitRate, 0); XCTAssertEqual(miss.precision, 0)
        // A short list still divides precision by k.
        XCTAssertEqual(UserRankingMetrics(recommended: [2], relevant: [2], k: 10).precision, 0.1, accuracy: 1e-12)
    }

    func testAccumulatorSkipsUsersWithoutRelevantMoviesAndCountsCoverage() {
        var acc = RankingAccumulator(k: 2)
        XCTAssertTrue(acc.add(recommended: [1, 2, 3], relevant: [1]))
        XCTAssertFalse(acc.add(recommended: [4, 5], relevant: []))
        XCTAssertTrue(acc.add(recommended: [2, 6], relevant: [6, 7]))
        let r = acc.result(catalogueSize: 10)
        XCTAssertEqual(r.users, 2)
        XCTAssertEqual(r.precision, (0.5 + 0.5) / 2, accuracy: 1e-12)
        XCTAssertEqual(r.recall, (1 + 0.5) / 2, accuracy: 1e-12)
        XCTAssertEqual(r.ndcg, (1 + (1 / log2(3.0)) / (1 + 1 / log2(3.0))) / 2, accuracy: 1e-12)
        XCTAssertEqual(r.hitRate, 1)
        XCTAssertEqual(r.coverage, 3.0 / 10, accuracy: 1e-12, "movies 1, 2, 6 (the first k of evaluated users)")
    }

    func testTopSelectionMatchesAFullSort() {
        var rng = SplitMix64(seed: 9)
        let scores = (0..<500).map { _ in Float(rng.nextBelow(40)) }
        let allowed = (0..<500).map { _ in rng.nextBelow(4) != 0 }
        let top = TopSelection.top(scores: scores, allowed: allowed, count: 37)
        let naive = (0..<500).filter { allowed[$0] }.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(37)
        XCTAssertEqual(top.map { Int($0.movie) }, Array(naive))
        XCTAssertEqual(TopSelection.top(scores: scores, allowed: allowed, count: 0).count, 0)
    }
}
