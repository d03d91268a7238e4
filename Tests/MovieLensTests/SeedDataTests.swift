import XCTest
import TestSupport
@testable import MovieLens

/// The notebook's corrupted ml-1m subset: every defect class found with its exact count.
///
/// Every expected number below was first counted by hand with the awk command in the comment
/// next to it, run inside `../shared/data/seed-ml1m-dirty` (mawk; `!seen[$1]++` restricts a
/// count to the first row of each id, which is the row the reader keeps).
final class SeedDataTests: XCTestCase {
    static let window = "946684800 .. 1072915199"  // 2000-01-01 .. 2003-12-31T23:59:59 UTC

    private func load(threads: Int = 2) throws -> LoadResult {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        return try MovieLensReader.load(directory: dir, threads: threads)
    }

    func testDetectsSeedFormat() throws {
        let r = try load()
        XCTAssertEqual(r.report.format, .seedPipe)
        XCTAssertEqual(r.dataset.format, .seedPipe)
        XCTAssertEqual(r.dataset.genreNames, Genres.ml1m)
        XCTAssertTrue(r.report.isBalanced)
        try r.dataset.validate()
    }

    func testRatingsReport() throws {
        let f = try XCTUnwrap(try load().report.files["ratings"])
        XCTAssertEqual(f.file, "ratings.dat")
        XCTAssertEqual(f.read, 132_984)                        // wc -l ratings.dat
        XCTAssertEqual(f.dropped(.ratingMissing), 6_388)       // awk -F'|' '$3==""' ratings.dat | wc -l
        XCTAssertEqual(f.dropped(.ratingOutOfRange), 5_256)    // awk -F'|' '$3!="" && ($3<1 || $3>5 || $3!=int($3))' ratings.dat | wc -l   (-1.0: 1330, 0.0: 1318, 10.0: 2608)
        XCTAssertEqual(f.dropped(.timestampOutOfWindow), 3_644) // awk -F'|' '$3!="" && $3>=1 && $3<=5 && $3==int($3) && ($4<946684800 || $4>1072915199)' ratings.dat | wc -l   (-1: 2638 rows, 9999999999: 1332 rows before the rating rules)
        XCTAssertEqual(f.dropped(.duplicatePair), 11)          // awk -F'|' '$3!="" && $3>=1 && $3<=5 && $3==int($3) && $4>=946684800 && $4<=1072915199 {c[$1"|"$2]++} END{for(k in c) if(c[k]>1) n+=c[k]-1; print n}' ratings.dat
        XCTAssertEqual(f.dropped(.unknownUser), 0)
        XCTAssertEqual(f.dropped(.unknownMovie), 0)
        XCTAssertEqual(f.droppedRows, 6_388 + 5_256 + 3_644 + 11)
        XCTAssertEqual(f.kept, 117_685)
        XCTAssertEqual(f.repairedRows, 0)
        XCTAssertEqual(f.read, f.kept + f.repairedRows + f.droppedRows)
        XCTAssertEqual(f.examples(.ratingMissing), [4, 31, 60, 105, 129])  // awk -F'|' '$3=="" {print NR}' ratings.dat | head -5
        XCTAssertEqual(f.examples(.ratingOutOfRange).first, 13)            // sed -n 13p ratings.dat → 1|1197|10.0|978302268
    }

    func testUsersReport() throws {
        let f = try XCTUnwrap(try load().report.files["users"])
        XCTAssertEqual(f.read, 6_064)                           // wc -l users.dat
        XCTAssertEqual(f.dropped(.duplicateUserId), 14)         // awk -F'|' 'seen[$1]++' users.dat | wc -l
        XCTAssertEqual(f.repaired(.genderInvalid), 478)         // awk -F'|' '!seen[$1]++ && $2!="M" && $2!="F"' users.dat | wc -l   ("" and "X")
        XCTAssertEqual(f.repaired(.ageInvalid), 529)            // awk -F'|' 'BEGIN{ok[1];ok[18];ok[25];ok[35];ok[45];ok[50];ok[56]} !seen[$1]++ && ($3=="" || !(($3+0) in ok))' users.dat | wc -l   ("", -5.0, 150.0)
        XCTAssertEqual(f.repaired(.occupationInvalid), 60)      // awk -F'|' '!seen[$1]++ && ($4=="" || $4<0 || $4>20)' users.dat | wc -l   (-1)
        XCTAssertEqual(f.repaired(.zipInvalid), 122)            // awk -F'|' '!seen[$1]++ && $5=="XXXXX"' users.dat | wc -l
        XCTAssertEqual(f.repairedRows, 1_113)                   // the four conditions above or-ed together, same awk
        XCTAssertEqual(f.kept, 6_064 - 14 - 1_113)
        XCTAssertEqual(f.droppedRows, 14)
        XCTAssertEqual(f.examples(.duplicateUserId).first, 95)  // grep -n '^86|' users.dat → lines 86 and 95
    }

    func testMoviesReport() throws {
        let f = try XCTUnwrap(try load().report.files["movies"])
        XCTAssertEqual(f.read, 4_023)                           // wc -l movies.dat
        XCTAssertEqual(f.dropped(.duplicateMovieId), 132)       // awk -F'|' 'seen[$1]++' movies.dat | wc -l
        XCTAssertEqual(f.repaired(.titleMissing), 189)          // awk -F'|' '!seen[$1]++ && $2==""' movies.dat | wc -l
        XCTAssertEqual(f.repaired(.yearMissing), 80)            // awk -F'|' '!seen[$1]++ && $2!="" && $2 !~ /\([0-9][0-9][0-9][0-9]\)$/' movies.dat | wc -l   ("Movie Without Year")
        XCTAssertEqual(f.repaired(.yearOutOfRange), 77)         // awk -F'|' '!seen[$1]++ && $2 ~ /\(3000\)$/' movies.dat | wc -l   ("Unknown Movie (3000)")
        XCTAssertEqual(f.repaired(.genresMissing), 190)         // awk -F'|' '!seen[$1]++ && NF==3 && $3==""' movies.dat | wc -l
        XCTAssertEqual(f.repaired(.genreSeparator), 77)         // awk -F'|' '!seen[$1]++ {g=$0; sub(/^[^|]*\|[^|]*\|/,"",g); if (g ~ /,/) n++} END{print n}' movies.dat   ("Action,Comedy")
        XCTAssertEqual(f.repaired(.genreUnknown), 117)          // same awk with g ~ /Invalid/
        XCTAssertEqual(f.repairedRows, 708)                     // awk -F'|' '!seen[$1]++ {g=$0; sub(/^[^|]*\|[^|]*\|/,"",g); if ($2=="" || $2 !~ /\([12][0-9][0-9][0-9]\)$/ || g=="" || g ~ /,|Invalid/) n++} END{print n}' movies.dat
        XCTAssertEqual(f.kept, 4_023 - 132 - 708)
        XCTAssertEqual(f.droppedRows, 132)
    }

    func testDatasetTotals() throws {
        let d = try load().dataset
        XCTAssertEqual(d.userCount, 6_050)     // awk -F'|' '!seen[$1]++' users.dat | wc -l
        XCTAssertEqual(d.movieCount, 3_891)    // awk -F'|' '!seen[$1]++' movies.dat | wc -l
        XCTAssertEqual(d.ratingCount, 117_685)
        XCTAssertEqual(d.tagCount, 0)
        XCTAssertTrue(d.hasDemographics)
        XCTAssertFalse(d.hasLinks)
    }

    /// Repaired fields: the values the reader stores for a few rows checked by eye.
    func testRepairedValues() throws {
        let d = try load().dataset
        // users.dat line 1: 1|F|1.0|10|48067
        let u1 = Int(try XCTUnwrap(d.userIndex(forId: 1)))
        XCTAssertEqual(d.userGender[u1], 2); XCTAssertEqual(d.userAge[u1], 1); XCTAssertEqual(d.userOccupation[u1], 10); XCTAssertEqual(d.userZip[u1], "48067")
        // line 3: 3|M|150.0|15|55117 → age missing
        let u3 = Int(try XCTUnwrap(d.userIndex(forId: 3)))
        XCTAssertEqual(d.userAge[u3], -1); XCTAssertEqual(d.userGender[u3], 1); XCTAssertEqual(d.userOccupation[u3], 15)
        // movies.dat line 1: 1|Toy Story (1995)|"Animation|Children's|Comedy"
        let m1 = Int(try XCTUnwrap(d.movieIndex(forId: 1)))
        XCTAssertEqual(d.titles[m1], "Toy Story (1995)"); XCTAssertEqual(d.years[m1], 1995)
        XCTAssertEqual(d.genreList(ofMovie: m1), ["Animation", "Children's", "Comedy"])
        // line 44: 44|Mortal Kombat (1995)|Action,Comedy → split on the comma
        let m44 = Int(try XCTUnwrap(d.movieIndex(forId: 44)))
        XCTAssertEqual(d.genreList(ofMovie: m44), ["Action", "Comedy"])
        // line 9: 9||Action → title missing, genre kept
        let m9 = Int(try XCTUnwrap(d.movieIndex(forId: 9)))
        XCTAssertEqual(d.titles[m9], ""); XCTAssertEqual(d.years[m9], 0); XCTAssertEqual(d.genreList(ofMovie: m9), ["Action"])
        // line 4: 4|Waiting to Exhale (1995)| → no genres
        XCTAssertEqual(d.genres[Int(try XCTUnwrap(d.movieIndex(forId: 4)))], 0)
    }

    /// Nothing valid is lost: an independent, naive re-implementation of the ratings rules
    /// (String splitting, Double parsing, a dictionary keyed by "user|movie") must give exactly
    /// the dataset's ratings.
    func testNoValidRatingLost() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        let text = try String(contentsOfFile: dir + "/ratings.dat", encoding: .utf8)
        var best: [String: (value: Float, time: Int64)] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count == 4, let v = Double(f[2]), [1.0, 2, 3, 4, 5].contains(v), let t = Int64(f[3]),
                  t >= 946_684_800, t <= 1_072_915_199 else { continue }
            let key = "\(f[0])|\(f[1])"
            if let old = best[key], old.time > t { continue }
            best[key] = (Float(v), t)
        }
        let d = try load().dataset
        XCTAssertEqual(best.count, d.ratingCount)
        var matched = 0
        for i in 0..<d.ratingCount {
            let key = "\(d.userIds[Int(d.ratingUser[i])])|\(d.movieIds[Int(d.ratingMovie[i])])"
            if let ref = best[key], ref.value == d.ratingValue[i], ref.time == d.ratingTime[i] { matched += 1 }
        }
        XCTAssertEqual(matched, best.count)
    }

    /// The result does not depend on the thread count.
    func testThreadCountDoesNotChangeResult() throws {
        let one = try load(threads: 1), two = try load(threads: 2), seven = try load(threads: 7)
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, seven)
        XCTAssertEqual(one.dataset.fingerprint, seven.dataset.fingerprint)
    }
}
