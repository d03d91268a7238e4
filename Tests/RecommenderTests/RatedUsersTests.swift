import XCTest
import LinearAlgebra
import MovieLens
@testable import Recommender

/// Clustering matrices keep only users who rated (users.dat may list users with no rating left).
final class RatedUsersTests: XCTestCase {
    /// 4 users; user index 1 (id 20) has no rating.
    func dataset() -> Dataset {
        Dataset(format: .dat, userIds: [10, 20, 30, 40], movieIds: [1, 2],
                ratingUser: [0, 2, 2, 3], ratingMovie: [0, 0, 1, 1], ratingValue: [5, 3, 1, 4],
                ratingTime: [0, 0, 0, 0], titles: ["A", "B"], years: [0, 0],
                genres: [0b01, 0b10], genreNames: ["Action", "Comedy"],
                tagUser: [], tagMovie: [], tagText: [], tagTime: [])
    }

    func testRowsSkipUsersWithoutRatings() throws {
        let ds = dataset()
        let rated = RatedUsers(ds)
        XCTAssertEqual(rated.users, [0, 2, 3])
        XCTAssertEqual(rated.rowOfUser, [0, -1, 1, 2])

        let m = try UserMovieMatrix.build(ds, values: .raw, rows: rated).densified()
        XCTAssertEqual(m.rows, 3)
        XCTAssertEqual(m.row(0), [5, 0])
        XCTAssertEqual(m.row(1), [3, 1])
        XCTAssertEqual(m.row(2), [0, 4])

        let g = UserGenreMatrix(ds, rows: rated)
        XCTAssertEqual(g.matrix.rows, 3)
        // Row 1 = user 2: Action 3, Comedy 1.
        XCTAssertEqual(g.matrix.row(1), [3, 1])
        // Row 2 = user 3: Comedy 4, Action unrated → filled with the user's mean, 4.
        XCTAssertEqual(g.matrix.row(2), [4, 4])
        // Without `rows`, the user with no rating is a row of global means (13/4).
        XCTAssertEqual(UserGenreMatrix(ds).matrix.row(1), [3.25, 3.25])
    }
}
