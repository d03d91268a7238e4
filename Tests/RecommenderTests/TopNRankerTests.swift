import XCTest
import Foundation
import Factorization
import MovieLens
import Runtime
@testable import Recommender

/// Every ranker's contract, popularity by hand, the hybrid on planted data, determinism.
final class TopNRankerTests: XCTestCase {
    /// Two taste groups over 60 movies: group A (users 0..<70) loves movies 0..<30 and dislikes a
    /// few of 30..<60; group B (70..<120) the reverse. Group A is larger, so the overall most
    /// liked movies are A's — popularity serves B badly; a personalised model should not.
    static func planted(seed: UInt64 = 11) -> Dataset {
        var rng = SplitMix64(seed: seed)
        var ru: [Int32] = [], rm: [Int32] = [], rv: [Float] = [], rt: [Int64] = []
        for u in 0..<120 {
            let own = u < 70 ? 0 : 30, other = u < 70 ? 30 : 0
            var chosen = Set<Int>()
            while chosen.count < 15 { chosen.insert(own + rng.nextBelow(30)) }
            while chosen.count < 19 { chosen.insert(other + rng.nextBelow(30)) }
            for m in chosen.sorted() {
                ru.append(Int32(u)); rm.append(Int32(m))
                let mine = (m >= own && m < own + 30)
                rv.append(mine ? Float(4 + rng.nextBelow(2)) : Float(1 + rng.nextBelow(2)))
                rt.append(1_000_000_000 + Int64(rng.nextBelow(50_000_000)))
            }
        }
        let genreOf: (Int) -> UInt32 = { $0 < 30 ? 1 : 2 }
        return Dataset(format: .latestCSV, userIds: (0..<120).map { Int64($0 + 1) }, movieIds: (0..<60).map { Int64($0 + 1) },
                       ratingUser: Column(ru), ratingMovie: Column(rm), ratingValue: Column(rv), ratingTime: Column(rt),
                       titles: (0..<60).map { "Movie \($0) (2000)" }, years: (0..<60).map { Int16(1990 + $0 % 20) },
                       genres: (0..<60).map(genreOf), genreNames: ["Comedy", "Drama"])
    }

    static func smallHybridOptions() -> TwoStageHybridOptions {
        var o = TwoStageHybridOptions()
        o.alsCandidates = 30
        o.clusterCandidates = 10
        o.popularCandidates = 10
        o.als.factors = 8
        o.als.iterations = 8
        o.booster.rounds = 40
        o.features.genreClusters = 3
        o.features.ratingClusters = 3
        o.threads = 2
        return o
    }

    func testPopularityRanksByHand() {
        // Movie 0: three likes; movie 1: two likes and a dislike; movie 2: two likes; movie 3:
        // five 3★ ratings; movie 4: never rated (not in the catalogue).
        let ratings: [(Int32, Int32, Float)] = [
            (0, 0, 5), (1, 0, 4), (2, 0, 4.5),
            (0, 1, 4), (1, 1, 5), (2, 1, 1),
            (3, 2, 4), (4, 2, 4),
            (0, 3, 3), (1, 3, 3), (2, 3, 3), (3, 3, 3), (4, 3, 3),
        ]
        let data = Dataset(format: .latestCSV, userIds: (1...5).map { Int64($0) }, movieIds: (1...5).map { Int64($0) },
                           ratingUser: Column(ratings.map(\.0)), ratingMovie: Column(ratings.map(\.1)), ratingValue: Column(ratings.map(\.2)),
                           ratingTime: Column(ratings.indices.map { Int64($0) }), titles: Array(repeating: "", count: 5),
                           years: Array(repeating: 0, count: 5), genres: Array(repeating: 0, count: 5), genreNames: [])
        let lists = RatingLists(dataset: data, rows: Array(0..<data.ratingCount))
        let pop = PopularityRanker.fit(lists)
        XCTAssertEqual(pop.recommend(user: 4, excluding: [], count: 10).map(\.movie), [0, 1, 2, 3])
        XCTAssertEqual(pop.recommend(user: 3, excluding: [2, 3], count: 10).map(\.movie), [0, 1])
        XCTAssertEqual(pop.recommend(user: 3, excluding: [], count: 10).map(\.score), [3, 2, 2, 0])
        // Damped like rate, λ = 7 likes / 13 ratings, damping 2:
        // m0 (3 + 2λ)/5 = 0.815, m1 (2 + 2λ)/5 = 0.615, m2 (2 + 2λ)/4 = 0.769, m3 2λ/7 = 0.154.
        let damped = PopularityRanker.fit(lists, damping: 2)
        XCTAssertEqual(damped.recommend(user: 0, excluding: [], count: 4).map(\.movie), [0, 2, 1, 3])
        let lambda: Float = 7.0 / 13
        XCTAssertEqual(damped.scores[2], (2 + 2 * lambda) / 4, accuracy: 1e-6)
        XCTAssertTrue(damped.scores[4].isNaN)
        var w = BinaryWriter()
        pop.write(to: &w)
        var r = BinaryReader(w.data)
        XCTAssertEqual(try PopularityRanker.read(from: &r).scores.map(\.bitPattern), pop.scores.map(\.bitPattern))
    }

    /// The protocol's contract for one ranker on `data`'s temporal training part.
    func checkContract(_ ranker: any TopNRanker, train: RatingLists, file: StaticString = #filePath, line: UInt = #line) {
        let catalogue = train.catalogue()
        let available = catalogue.filter { $0 }.count
        for u in stride(from: 0, to: train.userCount, by: 7) {
            let seen = Array(train.movies(of: u))
            for count in [1, 5, 1000] {
                let list = ranker.recommend(user: u, excluding: seen, count: count)
                let movies = list.map(\.movie)
                let expected = min(count, available - seen.filter { catalogue[Int($0)] }.count)
                XCTAssertEqual(movies.count, expected, "\(ranker.name): user \(u), count \(count)", file: file, line: line)
                XCTAssertEqual(Set(movies).count, movies.count, "\(ranker.name): duplicates", file: file, line: line)
                XCTAssertTrue(Set(movies).isDisjoint(with: seen), "\(ranker.name): a seen movie", file: file, line: line)
                XCTAssertTrue(movies.allSatisfy { catalogue[Int($0)] }, "\(ranker.name): outside the catalogue", file: file, line: line)
                XCTAssertTrue(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score }, "\(ranker.name): not best first", file: file, line: line)
            }
        }
        XCTAssertEqual(ranker.recommend(user: 0, excluding: [], count: 0).count, 0)
    }

    func testEveryRankerKeepsTheContract() throws {
        let data = Self.planted()
        let split = try TemporalSplit(dataset: data)
        let train = RatingLists(dataset: data, rows: split.trainRows)
        let options = Self.smallHybridOptions()
        let als = try ALSRanker.fit(train, parameters: options.als)
        checkContract(PopularityRanker.fit(train), train: train)
        checkContract(als, train: train)
        checkContract(try TwoStageHybridRanker.fit(dataset: data, trainRows: split.trainRows, options: options), train: train)
        // An unknown user gets a cold-start list, not a crash.
        XCTAssertEqual(als.recommend(user: 10_000, excluding: [], count: 3).count, 3)
    }

    func testHybridBeatsPopularityOnPlantedTastes() throws {
        let data = Self.planted()
        var o = TopNOptions()
        o.models = [.popularity, .als, .hybrid]
        o.als = Self.smallHybridOptions().als
        o.hybrid = Self.smallHybridOptions()
        o.threads = 2
        let r = try TopNEvaluation.run(dataset: data, options: o)
        let pop = try XCTUnwrap(r[.popularity]).metrics.ndcg, hybrid = try XCTUnwrap(r[.hybrid]).metrics.ndcg
        XCTAssertGreaterThan(hybrid, pop * 1.3, "hybrid \(hybrid) vs popularity \(pop)")
        XCTAssertGreaterThan(hybrid, try XCTUnwrap(r[.als]).metrics.ndcg, "the booster adds to its own stage-1 ALS")
        // The evaluated users are exactly those with a relevant test rating of a catalogue movie.
        let split = try TemporalSplit(dataset: data)
        let catalogue = RatingLists(dataset: data, rows: split.trainRows).catalogue()
        let expected = Set(split.testRows.filter { data.ratingValue[$0] >= 4 && catalogue[Int(data.ratingMovie[$0])] }.map { data.ratingUser[$0] })
        XCTAssertEqual(r.evaluatedUsers, expected.count)
        XCTAssertEqual(r.trainRatings + r.testRatings, data.ratingCount)
        let json = r.json()
        for model in ["popularity", "als", "hybrid"] {
            for key in ["precision", "recall", "ndcg", "hit_rate", "coverage", "fit_seconds", "recommend_seconds"] {
                XCTAssertNotNil(json[path: "\(model).\(key)"], "\(model).\(key)")
            }
        }
    }

    func testHybridIsDeterministic() throws {
        let data = Self.planted(seed: 12)
        let split = try TemporalSplit(dataset: data)
        let a = try TwoStageHybridRanker.fit(dataset: data, trainRows: split.trainRows, options: Self.smallHybridOptions())
        var other = Self.smallHybridOptions()
        other.threads = 1
        let b = try TwoStageHybridRanker.fit(dataset: data, trainRows: split.trainRows, options: other)
        let train = RatingLists(dataset: data, rows: split.trainRows)
        for u in 0..<120 {
            let seen = Array(train.movies(of: u))
            XCTAssertEqual(a.recommend(user: u, excluding: seen, count: 10), b.recommend(user: u, excluding: seen, count: 10))
        }
    }

    func testHybridRoundTripsThroughBinaryCoding() throws {
        let data = Self.planted(seed: 13)
        let split = try TemporalSplit(dataset: data)
        let a = try TwoStageHybridRanker.fit(dataset: data, trainRows: split.trainRows, options: Self.smallHybridOptions())
        var w = BinaryWriter()
        a.write(to: &w)
        var r = BinaryReader(w.data)
        let b = try TwoStageHybridRanker.read(from: &r, dataset: data, trainRows: split.trainRows)
        XCTAssertEqual(r.remaining, 0)
        let train = RatingLists(dataset: data, rows: split.trainRows)
        for u in stride(from: 0, to: 120, by: 3) {
            let seen = Array(train.movies(of: u))
            XCTAssertEqual(a.recommend(user: u, excluding: seen, count: 10), b.recommend(user: u, excluding: seen, count: 10))
        }
        // A flipped byte inside the section is caught by the checksum; a short buffer by the reader.
        var bytes = [UInt8](w.data)
        bytes[bytes.count / 2] ^= 0x40
        var bad = BinaryReader(Data(bytes))
        XCTAssertThrowsError(try TwoStageHybridRanker.read(from: &bad, dataset: data, trainRows: split.trainRows))
        var short = BinaryReader(w.data.prefix(w.data.count - 9))
        XCTAssertThrowsError(try TwoStageHybridRanker.read(from: &short, dataset: data, trainRows: split.trainRows))
    }

    func testReasonsReadWell() {
        let titles = ["Heat (1995)", "Up (2009)"]
        XCTAssertEqual(RecommendationReason.becauseYouRated(movie: 0, rating: 5).text(titles: titles), "because you rated Heat (1995) 5★")
        XCTAssertEqual(RecommendationReason.becauseYouRated(movie: 1, rating: 4.5).text(titles: titles), "because you rated Up (2009) 4.5★")
        XCTAssertEqual(RecommendationReason.becauseYouRated(movie: 7, rating: 4).text(titles: titles), "because you rated movie #7 4★")
        XCTAssertEqual(RecommendationReason.matchesTaste(genre: "Comedy").text(titles: titles), "matches your taste for Comedy")
        XCTAssertEqual(RecommendationReason.popular.text(titles: []), "popular with everyone")
        XCTAssertEqual(RecommendationReason.lovedBySimilarUsers(cluster: 2).text(titles: []), "loved by users like you")
    }
}
