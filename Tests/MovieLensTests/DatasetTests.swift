import XCTest
@testable import MovieLens

final class DatasetTests: XCTestCase {
    private func sample() -> Dataset {
        Dataset(format: .latestCSV, userIds: [2, 7], movieIds: [10, 20, 30],
                ratingUser: [0, 1, 1], ratingMovie: [2, 0, 1], ratingValue: [4, 3.5, 5], ratingTime: [1, 2, 3],
                titles: ["A (1990)", "B", "C (2001)"], years: [1990, 0, 2001], genres: [0b1, 0, 0b11], genreNames: ["Action", "Drama"],
                tagUser: [1], tagMovie: [2], tagText: ["fun"], tagTime: [9])
    }

    func testLookupsAndCounts() throws {
        let d = sample()
        try d.validate()
        XCTAssertEqual(d.userIndex(forId: 7), 1)
        XCTAssertNil(d.userIndex(forId: 3))
        XCTAssertEqual(d.movieIndex(forId: 30), 2)
        XCTAssertNil(d.movieIndex(forId: 31))
        XCTAssertEqual(d.userCount, 2); XCTAssertEqual(d.movieCount, 3); XCTAssertEqual(d.ratingCount, 3); XCTAssertEqual(d.tagCount, 1)
        XCTAssertEqual(d.genreList(ofMovie: 2), ["Action", "Drama"])
        XCTAssertEqual(d.genreList(ofMovie: 99), [])
        XCTAssertEqual(d.genreBit("Drama"), 1)
        XCTAssertFalse(d.hasDemographics)
        XCTAssertFalse(d.hasLinks)
    }

    func testValidateCatchesInconsistencies() {
        var d = sample(); d.ratingMovie[0] = 3
        XCTAssertThrowsError(try d.validate())
        d = sample(); d.userIds = [7, 2]
        XCTAssertThrowsError(try d.validate())
        d = sample(); d.titles.removeLast()
        XCTAssertThrowsError(try d.validate())
        d = sample(); d.genres[0] = 0b100
        XCTAssertThrowsError(try d.validate())
        d = sample(); d.userGender = [1]
        XCTAssertThrowsError(try d.validate())
        d = sample(); d.tagUser = [-1]
        XCTAssertThrowsError(try d.validate())
    }

    func testFingerprintIsStableAndSensitive() {
        let d = sample()
        XCTAssertEqual(d.fingerprint, sample().fingerprint)
        var e = d; e.ratingValue[1] = 4
        XCTAssertNotEqual(d.fingerprint, e.fingerprint)
        e = d; e.titles[1] = "b"
        XCTAssertNotEqual(d.fingerprint, e.fingerprint)
        // Strings are delimited: moving a character between neighbours changes the fingerprint.
        e = d; e.titles[0] = "A (1990)B"; e.titles[1] = ""
        XCTAssertNotEqual(d.fingerprint, e.fingerprint)
        e = d; e.format = .dat
        XCTAssertNotEqual(d.fingerprint, e.fingerprint)
    }
}
