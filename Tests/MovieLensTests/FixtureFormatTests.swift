import XCTest
import TestSupport
@testable import MovieLens

/// Small hand-written releases of every format, with the expected dataset worked out by hand.
final class FixtureFormatTests: XCTestCase {
    func testLatestCSV() throws {
        let fx = try Fixture(text: [
            "ratings.csv": """
            userId,movieId,rating,timestamp
            1,10,4.5,1000000000
            1,20,3.0,1000000100
            2,10,5.0,1000000200
            2,10,2.0,1000000300
            3,30,0.0,1000000000
            3,20,4.25,1000000000
            3,20,,1000000000
            4,20,abc,1000000000
            4,10,3.5,100
            x,10,3.5,1000000000
            5,99,3.5,1000000000

            5,10,4.0
            5,20,1.5,1000000000
            """,  // no newline after the last line: it parses, so it is kept
            "movies.csv": """
            movieId,title,genres
            10,"Movie, The (1999)",Action|Comedy
            20,Plain Title,(no genres listed)
            30,"Quote ""Q"" (2001) ",Drama|Unknowngenre
            10,Dup (2000),Drama

            """,
            "tags.csv": """
            userId,movieId,tag,timestamp
            1,10,"funny, smart",1000000000
            2,99,x,1000000000
            6,20,"",1000000000
            7,20,nice,1000000000

            """,
            "links.csv": "movieId,imdbId,tmdbId\r\n10,0114709,862\r\n20,0113497,\r\n99,1,2\r\n",
        ])
        defer { fx.remove() }
        let r = try MovieLensReader.load(directory: fx.path)
        let d = r.dataset
        XCTAssertEqual(r.report.format, .latestCSV)
        XCTAssertTrue(r.report.isBalanced)
        try d.validate()

        let ratings = try XCTUnwrap(r.report.files["ratings"])
        XCTAssertEqual(ratings.read, 14)
        XCTAssertEqual(ratings.kept, 4)
        XCTAssertEqual(ratings.dropped, [
            "duplicate (user, movie)": 1, "rating out of range": 2, "rating missing": 1, "rating not a number": 1,
            "timestamp outside collection window": 1, "user id not a positive integer": 1, "unknown movie id": 1,
            "empty line": 1, "wrong field count": 1,
        ])
        XCTAssertEqual(ratings.examples(.duplicatePair), [4])  // 2,10,5.0 (line 4) loses to the later 2,10,2.0
        XCTAssertEqual(ratings.examples(.ratingOutOfRange), [6, 7])
        XCTAssertEqual(ratings.examples(.emptyLine), [13])

        XCTAssertEqual(d.userIds, [1, 2, 5, 7])  // everyone with a parsed rating or a kept tag
        XCTAssertEqual(d.movieIds, [10, 20, 30])
        var triples: [String] = []
        for i in 0..<d.ratingCount {
            triples.append("\(d.userIds[Int(d.ratingUser[i])]):\(d.movieIds[Int(d.ratingMovie[i])]):\(d.ratingValue[i]):\(d.ratingTime[i])")
        }
        XCTAssertEqual(triples, ["1:10:4.5:1000000000", "1:20:3.0:1000000100", "2:10:2.0:1000000300", "5:20:1.5:1000000000"])

        let movies = try XCTUnwrap(r.report.files["movies"])
        XCTAssertEqual(movies.read, 4)
        XCTAssertEqual(movies.dropped(.duplicateMovieId), 1)
        XCTAssertEqual(movies.repaired, ["title without year": 1, "unknown genre name": 1])
        XCTAssertEqual(d.titles, ["Movie, The (1999)", "Plain Title", "Quote \"Q\" (2001)"])
        XCTAssertEqual(d.years, [1999, 0, 2001])
        XCTAssertEqual(d.genreList(ofMovie: 0), ["Action", "Comedy"])
        XCTAssertEqual(d.genres[1], 0)
        XCTAssertEqual(d.genreList(ofMovie: 2), ["Drama"])

        let tags = try XCTUnwrap(r.report.files["tags"])
        XCTAssertEqual(tags.read, 4)
        XCTAssertEqual(tags.dropped, ["unknown movie id": 1, "tag empty": 1])
        XCTAssertEqual(d.tagText, ["funny, smart", "nice"])
        XCTAssertEqual(d.tagUser.map { d.userIds[Int($0)] }, [1, 7])

        let links = try XCTUnwrap(r.report.files["links"])
        XCTAssertEqual(links.dropped, ["unknown movie id": 1])
        XCTAssertEqual(links.repaired, ["link id missing": 1])
        XCTAssertEqual(d.imdbIds, [114_709, 113_497, -1])
        XCTAssertEqual(d.tmdbIds, [862, -1, -1])
    }

    func testML100K() throws {
        var item: [UInt8] = Array("1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n".utf8)
        item += Array("2|Caf".utf8) + [0xE9] + Array(" (1994)|01-Jan-1994||http://y|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n".utf8)
        item += Array("3|Broken|01-Jan-1994||http://z|0|0|2|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n".utf8)
        let genre = Genres.ml100k.enumerated().map { "\($0.element)|\($0.offset)\n" }.joined() + "\n"
        let fx = try Fixture([
            "u.data": Array("1\t1\t5\t874965758\n1\t2\t3\t874965759\n2\t1\t6\t874965758\n2\t3\t4\t874965758\n3\t1\t4\t874965758\n".utf8),
            "u.item": item,
            "u.user": Array("1|24|M|technician|85711\n2|53|F|other|94043\n2|53|F|other|94043\n4|200|X|astronaut|T8H1N\n".utf8),
            "u.genre": Array(genre.utf8),
        ])
        defer { fx.remove() }
        let r = try MovieLensReader.load(directory: fx.path)
        let d = r.dataset
        XCTAssertEqual(r.report.format, .ml100k)
        XCTAssertTrue(r.report.isBalanced)
        try d.validate()
        XCTAssertEqual(d.genreNames, Genres.ml100k)
        XCTAssertEqual(d.movieIds, [1, 2])
        XCTAssertEqual(d.titles, ["Toy Story (1995)", "Café (1994)"])  // latin-1 0xE9 = é
        XCTAssertEqual(d.genreList(ofMovie: 0), ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(d.genreList(ofMovie: 1), ["Drama"])
        XCTAssertEqual(r.report.files["movies"]?.dropped, ["genre flag not 0 or 1": 1])  // a flag of 2
        XCTAssertEqual(d.userIds, [1, 2, 4])
        XCTAssertEqual(d.userAge, [24, 53, -1])
        XCTAssertEqual(d.userGender, [1, 2, 0])
        XCTAssertEqual(d.userOccupation, [19, 13, -1])  // technician, other in the ml-100k list
        XCTAssertEqual(d.userZip, ["85711", "94043", "T8H1N"])
        XCTAssertEqual(r.report.files["users"]?.dropped, ["duplicate user id": 1])
        XCTAssertEqual(r.report.files["users"]?.repaired, ["age not a valid code": 1, "gender not M/F": 1, "occupation out of range": 1])
        XCTAssertEqual(r.report.files["users"]?.repairedRows, 1)
        let ratings = try XCTUnwrap(r.report.files["ratings"])
        XCTAssertEqual(ratings.read, 5)
        XCTAssertEqual(ratings.dropped, ["rating out of range": 1, "unknown movie id": 1, "unknown user id": 1])
        XCTAssertEqual(d.ratingValue, [5, 3])
        XCTAssertEqual(d.ratingTime, [874_965_758, 874_965_759])
    }

    func testML1MDat() throws {
        var movies = Array("1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n".utf8)
        movies += Array("2000::Caf".utf8) + [0xE9] + Array(" (1999)::Comedy\n".utf8)  // latin-1 inside a UTF-8 file
        let fx = try Fixture([
            "ratings.dat": Array("1::1193::5::978300760\n1::661::3.5::978302109\n2::1193::4::978300760\n2::2000::1::978300761\n".utf8),
            "movies.dat": movies,
            "users.dat": Array("1::F::1::10::48067\n2::M::56::16::70072\n".utf8),
        ])
        defer { fx.remove() }
        let r = try MovieLensReader.load(directory: fx.path)
        let d = r.dataset
        XCTAssertEqual(r.report.format, .dat)
        XCTAssertTrue(r.report.isBalanced)
        try d.validate()
        XCTAssertEqual(d.genreNames, Genres.ml1m)
        XCTAssertEqual(r.report.files["ratings"]?.dropped, ["rating out of range": 1])  // ml-1m has whole stars only
        XCTAssertEqual(d.ratingCount, 3)
        XCTAssertEqual(d.movieIds, [661, 1193, 2000])
        XCTAssertEqual(d.titles[2], "Café (1999)")
        XCTAssertEqual(r.report.files["movies"]?.repaired, ["invalid UTF-8 (decoded as latin-1)": 1])
        XCTAssertEqual(d.genreList(ofMovie: 0), ["Animation", "Children's", "Musical"])
        XCTAssertEqual(d.userGender, [2, 1]); XCTAssertEqual(d.userAge, [1, 56]); XCTAssertEqual(d.userOccupation, [10, 16])
        XCTAssertEqual(d.userZip, ["48067", "70072"])
    }

    func testML10MDat() throws {
        let fx = try Fixture(text: [
            "ratings.dat": "1::122::5::838985046\n1::185::4.5::838983525\n1::186::0.5::838983525\n",
            "movies.dat": "122::Boomerang (1992)::Comedy|Romance\n185::Net, The (1995)::Action|Crime|Thriller|IMAX\n186::X (1995)::Children\n187::Y (1996)::(no genres listed)\n",
            "tags.dat": "15::4973::excellent!::1215184630\n15::122::dark hero::1215184630\n",
        ])
        defer { fx.remove() }
        let r = try MovieLensReader.load(directory: fx.path)
        let d = r.dataset
        XCTAssertEqual(r.report.format, .dat)
        XCTAssertTrue(r.report.isBalanced)
        try d.validate()
        XCTAssertEqual(d.genreNames, Genres.ml10m)
        XCTAssertEqual(d.ratingValue, [5, 4.5, 0.5])  // half stars are valid in ml-10m
        XCTAssertEqual(d.genreList(ofMovie: 1), ["Action", "Crime", "Thriller", "IMAX"])
        XCTAssertEqual(d.genreList(ofMovie: 2), ["Children's"])  // ml-10m spells it Children
        XCTAssertEqual(d.genres[3], 0)
        XCTAssertEqual(r.report.files["movies"]?.repairedRows, 0)
        XCTAssertEqual(d.userIds, [1, 15])
        XCTAssertFalse(d.hasDemographics)
        XCTAssertEqual(d.tagText, ["dark hero"])
        XCTAssertEqual(r.report.files["tags"]?.dropped, ["unknown movie id": 1])
    }

    func testSeedPipe() throws {
        let fx = try Fixture(text: [
            "ratings.dat": "1|10|5.0|978300760\n1|20|3.0|978302109\n2|10||978300760\n2|20|4.0|-1\n2|10|4.0|9999999999\n2|20|10.0|978300760\n",
            "users.dat": "1|F|25.0|10|48067\n2|X|150.0|-1|XXXXX\n1|M|18.0|3|11111\n",
            "movies.dat": "10|Toy Story (1995)|\"Animation|Children's|Comedy\"\n20||Action,Comedy\n30|Movie Without Year|\"Fantasy|Invalid\"\n",
        ])
        defer { fx.remove() }
        let r = try MovieLensReader.load(directory: fx.path)
        let d = r.dataset
        XCTAssertEqual(r.report.format, .seedPipe)
        XCTAssertTrue(r.report.isBalanced)
        try d.validate()
        XCTAssertEqual(r.report.files["ratings"]?.dropped, ["rating missing": 1, "timestamp outside collection window": 2, "rating out of range": 1])
        XCTAssertEqual(d.ratingValue, [5, 3])
        XCTAssertEqual(d.userAge, [25, -1]); XCTAssertEqual(d.userGender, [2, 0]); XCTAssertEqual(d.userOccupation, [10, -1])
        XCTAssertEqual(d.userZip, ["48067", ""])
        XCTAssertEqual(r.report.files["users"]?.repaired, ["gender not M/F": 1, "age not a valid code": 1, "occupation out of range": 1, "zip code missing or malformed": 1])
        XCTAssertEqual(r.report.files["users"]?.dropped, ["duplicate user id": 1])
        XCTAssertEqual(d.genreList(ofMovie: 0), ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(d.genreList(ofMovie: 1), ["Action", "Comedy"])
        XCTAssertEqual(d.genreList(ofMovie: 2), ["Fantasy"])
        XCTAssertEqual(r.report.files["movies"]?.repaired, ["title missing": 1, "genres with wrong separator": 1, "title without year": 1, "unknown genre name": 1])
        XCTAssertEqual(r.report.files["movies"]?.repairedRows, 2)
    }

    /// Detection can be overridden: the seed fixture read as `.dat` finds no `::` fields.
    func testFormatOverride() throws {
        let fx = try Fixture(text: ["ratings.dat": "1|10|5.0|978300760\n"])
        defer { fx.remove() }
        XCTAssertEqual(try MovieLensReader.load(directory: fx.path).dataset.ratingCount, 1)
        XCTAssertThrowsError(try MovieLensReader.load(directory: fx.path, format: .dat)) { error in
            XCTAssertEqual(error as? MovieLensError, .noUsableRows(path: fx.path + "/ratings.dat", line: 1, reason: "wrong field count"))
        }
        XCTAssertThrowsError(try MovieLensReader.load(directory: fx.path, format: .latestCSV)) { error in
            XCTAssertEqual(error as? MovieLensError, .missingFile(path: fx.path + "/ratings.csv"))
        }
    }
}
