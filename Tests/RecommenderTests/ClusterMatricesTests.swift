import XCTest
import LinearAlgebra
import MovieLens
@testable import Recommender

/// The domain matrices behind `movierec cluster` and `movierec similar` (owner: h5).
final class ClusterMatricesTests: XCTestCase {
    /// 3 users, 4 movies, genres over [Action, Comedy, Drama].
    func tinyDataset() -> Dataset {
        Dataset(format: .dat, userIds: [10, 20, 30], movieIds: [1, 2, 3, 4],
                ratingUser: [0, 0, 0, 1, 1, 2], ratingMovie: [0, 1, 2, 0, 3, 3], ratingValue: [5, 3, 4, 2, 4, 1],
                ratingTime: [0, 0, 0, 0, 0, 0],
                titles: ["Heat", "Amélie", "Matrix, The", "Heat"], years: [1995, 2001, 1999, 1986],
                genres: [0b001, 0b110, 0b101, 0b010], genreNames: ["Action", "Comedy", "Drama"],
                tagUser: [0, 1, 2], tagMovie: [2, 2, 1], tagText: ["cyberpunk", "Cyberpunk", "Paris"], tagTime: [0, 0, 0])
    }

    func testGenreMatrixAveragesAndFillRule() {
        let g = UserGenreMatrix(tinyDataset())
        XCTAssertEqual(g.genreNames, ["Action", "Comedy", "Drama"])
        // User 0: movie0 (A) 5, movie1 (C,D) 3, movie2 (A,D) 4 → A = 4.5, C = 3, D = 3.5.
        XCTAssertEqual(g.matrix.row(0), [4.5, 3, 3.5])
        // User 1: movie0 (A) 2, movie3 (C) 4 → Drama unrated → user mean 3.
        XCTAssertEqual(g.matrix.row(1), [2, 4, 3])
        // User 2: only movie3 (C) 1 → Action and Drama filled with 1.
        XCTAssertEqual(g.matrix.row(2), [1, 1, 1])
        XCTAssertEqual(g.counts, [2, 1, 2, 1, 1, 0, 0, 1, 0])
    }

    func testRatingMatrixRawAndCentred() throws {
        let raw = try UserMovieMatrix.build(tinyDataset())
        XCTAssertEqual(raw.densified().row(1), [2, 0, 0, 4])
        let c = try UserMovieMatrix.build(tinyDataset(), values: .meanCentred)
        XCTAssertEqual(c.densified().row(0), [1, -1, 0, 0])
        XCTAssertEqual(c.densified().row(1), [-1, 0, 0, 1])
        XCTAssertEqual(c.nonZeroCount, raw.nonZeroCount, "centring keeps the pattern (unrated stays implicit)")
    }

    func testAffinityEqualsNaiveLoop() throws {
        let ds = tinyDataset()
        let r = try UserMovieMatrix.build(ds)
        let labels: [Int32] = [0, 1, 1]
        let a = try ClusterMovieAffinity(ratings: r, assignments: labels, k: 2, shrinkage: 2)
        let mu = Double(ds.ratingValue.reduce(0, +)) / 6
        let lambda = Double(ds.ratingValue.filter { $0 >= 4 }.count) / 6
        for c in 0..<2 {
            for m in 0..<4 {
                var n = 0.0, s = 0.0, likes = 0.0
                for i in 0..<6 where labels[Int(ds.ratingUser[i])] == Int32(c) && ds.ratingMovie[i] == Int32(m) {
                    n += 1; s += Double(ds.ratingValue[i]); likes += ds.ratingValue[i] >= 4 ? 1 : 0
                }
                XCTAssertEqual(Double(a.rating.shrunkMeans[c, m]), (s + 2 * mu) / (n + 2), accuracy: 1e-5)
                XCTAssertEqual(Double(a.like.shrunkMeans[c, m]), (likes + 2 * lambda) / (n + 2), accuracy: 1e-5)
                XCTAssertEqual(Double(a.rating.counts[c, m]), n)
            }
        }
        let fav = a.favouriteMovies(cluster: 0, count: 2)
        XCTAssertEqual(fav.map(\.movie), [0, 2])
    }

    func testMovieDocumentsAndTitleLookup() {
        let ds = tinyDataset()
        let docs = MovieDocuments(ds).documents
        XCTAssertEqual(docs[2], ["action", "drama", "matrix", "the", "cyberpunk", "cyberpunk"])
        XCTAssertEqual(docs[1], ["comedy", "drama", "amélie", "paris"])
        XCTAssertEqual(MovieDocuments(ds, parts: .init(genres: false, tags: false)).documents[0], ["heat"])
        let idx = MovieTitleIndex(ds)
        XCTAssertEqual(idx.lookup("the matrix"), .unique(2))
        XCTAssertEqual(idx.lookup("AMELIE"), .unique(1))
        XCTAssertEqual(idx.lookup("heat"), .ambiguous([0, 3]))
        XCTAssertEqual(idx.lookup("Heat (1986)"), .unique(3))
    }

    func testTitleWithoutYear() {
        XCTAssertEqual(MovieTitles.withoutYear("Toy Story (1995)"), "Toy Story")
        XCTAssertEqual(MovieTitles.withoutYear("Babylon 5 (1994-1998) "), "Babylon 5")
        XCTAssertEqual(MovieTitles.withoutYear("Heat"), "Heat")
        XCTAssertEqual(MovieTitles.withoutYear("1984 (1956)"), "1984")
        XCTAssertEqual(MovieTitles.withoutYear("Big (Grande) "), "Big (Grande)")
        var ds = tinyDataset()
        ds.titles[2] = "Matrix, The (1999)"
        XCTAssertEqual(MovieDocuments(ds, parts: .init(genres: false, tags: false)).documents[2], ["matrix", "the"])
        XCTAssertEqual(MovieTitles.display(ds, 2), "Matrix, The (1999)")
        XCTAssertEqual(MovieTitleIndex(ds).lookup("the matrix (1999)"), .unique(2))
    }
}
