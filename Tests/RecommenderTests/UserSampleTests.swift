import Runtime
import MovieLens
import XCTest
@testable import Recommender

/// The evaluation's seeded user sample (for data sets too large to evaluate whole).
final class UserSampleTests: XCTestCase {
    /// The sample keeps exactly the chosen users' ratings (all of them, re-indexed, with their
    /// ids and demographics), every movie, and is a function of the seed.
    func testSampleKeepsWholeUsersAndIsSeeded() throws {
        let data = SyntheticRatings.make(users: 50, movies: 30, perUser: 10)
        let s = try UserSample(dataset: data, users: 12, seed: 7)
        XCTAssertEqual(s.users, 12)
        XCTAssertEqual(s.dataset.userCount, 12)
        XCTAssertEqual(s.ofUsers, 50)
        XCTAssertEqual(s.ofRatings, data.ratingCount)
        XCTAssertEqual(s.dataset.movieIds, data.movieIds)
        XCTAssertEqual(s.dataset.titles, data.titles)
        XCTAssertNoThrow(try s.dataset.validate())
        // Per original user id: the multiset of (movie, value, time) is unchanged.
        func ratings(_ d: Dataset) -> [Int64: [String]] {
            var out: [Int64: [String]] = [:]
            for r in 0..<d.ratingCount {
                out[d.userIds[Int(d.ratingUser[r])], default: []].append("\(d.ratingMovie[r]) \(d.ratingValue[r]) \(d.ratingTime[r])")
            }
            return out.mapValues { $0.sorted() }
        }
        let all = ratings(data), sampled = ratings(s.dataset)
        XCTAssertEqual(sampled.count, 12)
        XCTAssertEqual(s.ratings, sampled.values.map(\.count).reduce(0, +))
        XCTAssertEqual(s.dataset.ratingCount, s.ratings)
        for (id, list) in sampled { XCTAssertEqual(list, all[id], "user \(id)") }
        XCTAssertEqual(s.dataset.userIds, s.dataset.userIds.sorted(), "users keep their order")
        for (n, id) in s.dataset.userIds.enumerated() {
            guard let old = data.userIndex(forId: id) else { return XCTFail("unknown user \(id)") }
            XCTAssertEqual(s.dataset.userGender[n], data.userGender[Int(old)])
            XCTAssertEqual(s.dataset.userAge[n], data.userAge[Int(old)])
        }
        let again = try UserSample(dataset: data, users: 12, seed: 7)
        XCTAssertEqual(again.dataset.userIds, s.dataset.userIds)
        let other = try UserSample(dataset: data, users: 12, seed: 8)
        XCTAssertNotEqual(other.dataset.userIds, s.dataset.userIds)
        XCTAssertEqual(try UserSample(dataset: data, users: 500, seed: 1).users, 50, "at most every rated user")
        XCTAssertThrowsError(try UserSample(dataset: data, users: 0, seed: 1))
    }

    /// No sampling up to the limit; above it, enough users for about the target number of ratings.
    func testAutomaticSize() {
        let small = SyntheticRatings.make(users: 20, movies: 10, perUser: 5)
        XCTAssertNil(UserSample.automaticUsers(for: small))
        let n = UserSample.automaticRatingLimit + 1, users = 1000
        let big = Dataset(format: .latestCSV, userIds: (0..<Int64(users)).map { $0 }, movieIds: [1],
                          ratingUser: Column(repeating: 0, count: n), ratingMovie: Column(repeating: 0, count: n),
                          ratingValue: Column(repeating: 4, count: n), ratingTime: Column(repeating: 0, count: n),
                          titles: ["a"], years: [2000], genres: [1], genreNames: ["Drama"])
        // 2,000,001 ratings over 1,000 users = 2,000 per user → 500 users for 1,000,000 ratings.
        XCTAssertEqual(UserSample.automaticUsers(for: big), 500)
    }

    /// `FullEvaluation` runs on the sample when asked and reports it (JSON `sample`); without a
    /// request a small data set is not sampled and `sample` is null.
    func testFullEvaluationReportsTheSample() throws {
        let data = SyntheticRatings.make(users: 60, movies: 30, perUser: 12)
        var o = FullEvaluationOptions()
        o.stages = [.clusters]
        o.clusters.nInit = 1
        o.threads = 1
        o.sampleUsers = 25
        let s = try FullEvaluation.run(dataset: data, dataName: "synthetic", options: o)
        XCTAssertEqual(s.sample?.users, 25)
        XCTAssertEqual(s.users, 60, "the summary's counts are the whole data set's")
        XCTAssertEqual(s.genreClusters?.users, 25, "the stages ran on the sample")
        let json = EvaluationReport.json(s)
        XCTAssertEqual(json[path: "sample.users"], .integer(25))
        XCTAssertEqual(json[path: "sample.of_users"], .integer(60))
        XCTAssertEqual(json[path: "sample.automatic"], .bool(false))
        o.sampleUsers = nil
        let whole = try FullEvaluation.run(dataset: data, dataName: "synthetic", options: o)
        XCTAssertNil(whole.sample)
        XCTAssertEqual(EvaluationReport.json(whole)[path: "sample"], .null)
        XCTAssertEqual(whole.genreClusters?.users, 60)
    }
}
