import Foundation
import XCTest
@testable import MovieLens
import Runtime
import TestSupport

final class SynthExpandTests: SynthTestCase {
    /// A small "real" data set to expand: generated, then read back.
    private func source() throws -> (String, Dataset) {
        let (dir, _) = try synth(SynthParameters(ratings: 12_000, users: 150, movies: 900, seed: 21, tags: 400))
        return (dir, try MovieLensReader.load(directory: dir, threads: 1).dataset)
    }

    private func expand(_ dir: String, _ f1: Int, _ f2: Int, seed: UInt64 = 1, threads: Int = 2,
                        blockRatings: Int = 1_000) throws -> (String, SynthSummary) {
        let out = try outputPath("expanded")
        let summary = try FractalExpansion.expand(ExpandParameters(source: dir, userFactor: f1, movieFactor: f2, seed: seed),
                                                  into: out, overwrite: false, threads: threads, progress: SilentProgress(),
                                                  blockRatings: blockRatings)
        return (out, summary)
    }

    func testExpansionMultipliesCountsAndKeepsDistributions() throws {
        let (dir, real) = try source()
        let (out, summary) = try expand(dir, 3, 2)
        let load = try MovieLensReader.load(directory: out, threads: 2)
        assertClean(load.report, files: ["ratings", "movies", "tags"])
        let d = load.dataset
        XCTAssertEqual(d.ratingCount, 3 * real.ratingCount)
        XCTAssertEqual(d.userCount, 3 * real.userCount)
        XCTAssertEqual(d.movieCount, 2 * real.movieCount)
        XCTAssertEqual(d.tagCount, 3 * real.tagCount)
        XCTAssertEqual(summary.ratings, d.ratingCount)
        XCTAssertEqual(summary.users, d.userCount)
        XCTAssertEqual(summary.movies, d.movieCount)

        // activity: every user copy has exactly its user's count → the sorted counts are the
        // real ones, each repeated three times
        func perUser(_ x: Dataset) -> [Int] {
            var c = [Int](repeating: 0, count: x.userCount)
            for u in x.ratingUser { c[Int(u)] += 1 }
            return c.sorted()
        }
        XCTAssertEqual(perUser(d), perUser(real).flatMap { [$0, $0, $0] })

        // rating values: each real rating three times
        func histogram(_ x: Dataset) -> [Int] {
            var h = [Int](repeating: 0, count: 11)
            for v in x.ratingValue { h[Int(v * 2)] += 1 }
            return h
        }
        XCTAssertEqual(histogram(d), histogram(real).map { 3 * $0 })

        // popularity: the copies of a movie hold 3× its ratings in total (copies are found by
        // title: copy j > 0 is "<title> #j+1 (year)"); the top 10% share stays close
        var perTitle: [String: Int] = [:]
        for m in d.ratingMovie {
            let title = d.titles[Int(m)].replacingOccurrences(of: #" #[0-9]+ \("#, with: " (", options: .regularExpression)
            perTitle[title, default: 0] += 1
        }
        var realPerTitle: [String: Int] = [:]
        for m in real.ratingMovie { realPerTitle[real.titles[Int(m)], default: 0] += 1 }
        XCTAssertEqual(perTitle, realPerTitle.mapValues { 3 * $0 })
        func topShare(_ x: Dataset) -> Double {
            var c = [Int](repeating: 0, count: x.movieCount)
            for m in x.ratingMovie { c[Int(m)] += 1 }
            return Double(c.sorted(by: >).prefix(x.movieCount / 10).reduce(0, +)) / Double(x.ratingCount)
        }
        XCTAssertEqual(topShare(d), topShare(real), accuracy: 0.08)

        // no duplicate pairs (the reader would have dropped them), checked directly too
        var pairs = Set<Int64>()
        for i in 0..<d.ratingCount { pairs.insert(Int64(d.ratingUser[i]) << 32 | Int64(d.ratingMovie[i])) }
        XCTAssertEqual(pairs.count, d.ratingCount)
        // times stay inside the real data's range
        XCTAssertGreaterThanOrEqual(d.ratingTime.min() ?? 0, real.ratingTime.min() ?? 0)
        XCTAssertLessThanOrEqual(d.ratingTime.max() ?? 0, real.ratingTime.max() ?? 0)
    }

    func testExpansionIsDeterministicAcrossThreadsAndSeedsDiffer() throws {
        let (dir, _) = try source()
        let (a, _) = try expand(dir, 2, 3, threads: 1)
        let (b, _) = try expand(dir, 2, 3, threads: 2, blockRatings: 333)
        let (c, _) = try expand(dir, 2, 3, seed: 2)
        for file in ["ratings.csv", "movies.csv", "tags.csv"] {
            XCTAssertEqual(try bytes(a, file), try bytes(b, file), file)
        }
        XCTAssertNotEqual(try bytes(a, "ratings.csv"), try bytes(c, "ratings.csv"))
    }

    func testSeedMatrixRowsAndColumns() {
        for (f1, f2) in [(3, 2), (2, 5), (4, 4), (1, 3), (16, 32)] {
            let w = ExpansionSeedMatrix(rows: f1, columns: f2, mixer: SeedMixer(seed: 3))
            for i in 0..<f1 {
                XCTAssertEqual((0..<f2).reduce(0.0) { $0 + w.weights[i * f2 + $1] }, 1, accuracy: 1e-12)
            }
            for j in 0..<f2 { XCTAssertEqual(w.columnSum(j), Double(f1) / Double(f2), accuracy: 1e-6, "\(f1)x\(f2) column \(j)") }
            XCTAssertTrue(w.weights.allSatisfy { $0 > 0 })
        }
    }

    func testCopyTitles() {
        XCTAssertEqual(FractalExpansion.copyTitle("Toy Story (1995)", copy: 0), "Toy Story (1995)")
        XCTAssertEqual(FractalExpansion.copyTitle("Toy Story (1995)", copy: 1), "Toy Story #2 (1995)")
        XCTAssertEqual(FractalExpansion.copyTitle("Babylon 5", copy: 2), "Babylon 5 #3")
        XCTAssertEqual(FractalExpansion.copyTitle("Hyena Road (2015) ", copy: 1), "Hyena Road #2 (2015)")
        XCTAssertEqual(TitleYear.parse(FractalExpansion.copyTitle("Kingdom, The (1987)", copy: 3)), .year(1987))
    }

    func testFactorParsingAndBadInput() throws {
        XCTAssertEqual(try ExpandParameters.parseFactor("4").users, 4)
        XCTAssertEqual(try ExpandParameters.parseFactor("4x2").movies, 2)
        XCTAssertEqual(try ExpandParameters.parseFactor("16X32").users, 16)
        for bad in ["0", "x", "4x", "2x3x4", "-1", "abc", "2000"] {
            XCTAssertThrowsError(try ExpandParameters.parseFactor(bad), bad) { error in
                XCTAssertTrue((error as? SynthError)?.description.hasPrefix("--factor:") ?? false, "\(error)")
            }
        }
        let missing = try outputPath("does-not-exist")
        XCTAssertThrowsError(try expand(missing, 2, 2)) { error in
            let text = (error as? SynthError)?.description ?? ""
            XCTAssertTrue(text.hasPrefix("cannot expand \(missing): "), text)
        }
    }

    /// ml-latest-small doubled: every count × 2 and the ratings load without a complaint.
    func testExpandMLLatestSmall() throws {
        guard let dir = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let realLoad = try MovieLensReader.load(directory: dir, threads: 2)
        let real = realLoad.dataset
        let (out, _) = try expand(dir, 2, 2, blockRatings: 20_000)
        let load = try MovieLensReader.load(directory: out, threads: 2)
        assertClean(load.report, files: ["ratings", "tags"])
        XCTAssertEqual(load.dataset.ratingCount, 2 * real.ratingCount)
        XCTAssertEqual(load.dataset.userCount, 2 * real.userCount)
        XCTAssertEqual(load.dataset.movieCount, 2 * real.movieCount)
        // movies: only the real file's own defects (titles without a year) come back, twice
        let realMovies = realLoad.report.files["movies"]
        let movies = load.report.files["movies"]
        XCTAssertEqual(movies?.droppedRows, 0)
        XCTAssertEqual(movies?.repaired(.yearMissing), 2 * (realMovies?.repaired(.yearMissing) ?? -1))
    }
}
