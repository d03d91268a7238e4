import XCTest
import TestSupport
@testable import MovieLens

/// ml-latest-small read exactly: the counts GroupLens documents and zero drops.
final class LatestSmallTests: XCTestCase {
    private func load(threads: Int = 2) throws -> LoadResult {
        guard let dir = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        return try MovieLensReader.load(directory: dir, threads: threads)
    }

    func testCountsAndNoDrops() throws {
        let r = try load()
        XCTAssertEqual(r.report.format, .latestCSV)
        XCTAssertEqual(r.dataset.ratingCount, 100_836)
        XCTAssertEqual(r.dataset.userCount, 610)
        XCTAssertEqual(r.dataset.movieCount, 9_742)
        XCTAssertEqual(r.dataset.tagCount, 3_683)
        for (role, f) in r.report.orderedFiles {
            XCTAssertEqual(f.droppedRows, 0, "\(role): \(f.dropped)")
            XCTAssertTrue(f.isBalanced, role)
        }
        XCTAssertEqual(r.report.files["ratings"]?.read, 100_836)  // wc -l ratings.csv minus the header
        XCTAssertEqual(r.report.files["movies"]?.read, 9_742)
        XCTAssertEqual(r.report.files["links"]?.read, 9_742)
        // 12 titles have no (YYYY) (a range "(2006–2007)" counts as a year): python3 -c "import csv,re; print(sum(1 for r in csv.DictReader(open('movies.csv')) if not re.search(r'\(\d{4}(–\d{4})?\)\s*$', r['title'])))"
        XCTAssertEqual(r.report.files["movies"]?.repaired(.yearMissing), 12)
        // 8 links without a tmdbId (some lines end in \r\n): awk -F, 'NR>1 && ($3=="" || $3=="\r")' links.csv | wc -l
        XCTAssertEqual(r.report.files["links"]?.repaired(.linkMissing), 8)
        XCTAssertFalse(r.dataset.hasDemographics)
        try r.dataset.validate()
    }

    func testValuesSpotChecks() throws {
        let d = try load().dataset
        XCTAssertEqual(d.genreNames, Genres.latest)
        // movies.csv line 2: 1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
        let toy = Int(try XCTUnwrap(d.movieIndex(forId: 1)))
        XCTAssertEqual(d.titles[toy], "Toy Story (1995)")
        XCTAssertEqual(d.years[toy], 1995)
        XCTAssertEqual(d.genreList(ofMovie: toy), ["Adventure", "Animation", "Children", "Comedy", "Fantasy"])
        // links.csv line 2: 1,0114709,862
        XCTAssertEqual(d.imdbIds[toy], 114_709)
        XCTAssertEqual(d.tmdbIds[toy], 862)
        // a quoted title with a comma: 11,"American President, The (1995)",Comedy|Drama|Romance
        let m11 = Int(try XCTUnwrap(d.movieIndex(forId: 11)))
        XCTAssertEqual(d.titles[m11], "American President, The (1995)")
        // ratings.csv line 2: 1,1,4.0,964982703 is the first rating
        XCTAssertEqual(d.userIds[Int(d.ratingUser[0])], 1)
        XCTAssertEqual(d.movieIds[Int(d.ratingMovie[0])], 1)
        XCTAssertEqual(d.ratingValue[0], 4.0)
        XCTAssertEqual(d.ratingTime[0], 964_982_703)
        // half stars present, all on the scale
        XCTAssertTrue(d.ratingValue.contains(0.5))
        XCTAssertTrue(d.ratingValue.allSatisfy { $0 >= 0.5 && $0 <= 5 && ($0 * 2).rounded() == $0 * 2 })
        // mean rating of ml-latest-small: python3 -c "import pandas as p; print(p.read_csv('ratings.csv').rating.mean())" → 3.501556983616962
        let mean = d.ratingValue.reduce(0.0) { $0 + Double($1) } / Double(d.ratingCount)
        XCTAssertEqual(mean, 3.501556983616962, accuracy: 1e-9)
        // tags.csv line 2: 2,60756,funny,1445714994
        XCTAssertEqual(d.tagText[0], "funny")
        XCTAssertEqual(d.movieIds[Int(d.tagMovie[0])], 60756)
    }

    func testDeterministicAcrossThreads() throws {
        let a = try load(threads: 1), b = try load(threads: 2), c = try load(threads: 5)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.dataset.fingerprint, c.dataset.fingerprint)
        XCTAssertEqual(a.report, c.report)
    }
}
