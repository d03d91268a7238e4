import Runtime
import XCTest
import Foundation
import LinearAlgebra
@testable import Similarity

final class TokenizerTests: XCTestCase {
    func testWordTokensFollowSklearnPattern() {
        XCTAssertEqual(WordTokenizer.tokens("Star Wars: Episode IV - A New Hope"), ["star", "wars", "episode", "iv", "new", "hope"])
        XCTAssertEqual(WordTokenizer.tokens("Amélie"), ["amélie"])
        XCTAssertEqual(WordTokenizer.tokens("sci-fi"), ["sci", "fi"])
        XCTAssertEqual(WordTokenizer.tokens("x 42 9 snake_case ÆON"), ["42", "snake_case", "æon"])
        XCTAssertEqual(WordTokenizer.tokens("don't"), ["don"])
        // A combining mark is not a word character (Python's \w), so a decomposed é splits the run.
        XCTAssertEqual(WordTokenizer.tokens("cafe\u{301}s"), ["cafe"])
        XCTAssertEqual(WordTokenizer.tokens(""), [])
    }

    func testWholeTokens() {
        XCTAssertEqual(WordTokenizer.wholeToken("Sci-Fi"), "sci-fi")
        XCTAssertEqual(WordTokenizer.wholeToken("Film-Noir"), "film-noir")
        XCTAssertEqual(WordTokenizer.wholeToken(" Martial  Arts "), "martial_arts")
        XCTAssertNil(WordTokenizer.wholeToken("  "))
    }
}

final class TfidfTests: XCTestCase {
    let docs = [["apple", "banana", "apple"], ["banana", "cherry"], ["cherry", "cherry", "cherry", "date"]]

    /// Hand computation with scikit-learn's formulas (n = 3).
    func testWeightsMatchSklearnFormulas() throws {
        for (smooth, sublinear) in [(true, false), (false, false), (true, true), (false, true)] {
            let m = try TfidfVectorizer(smoothIdf: smooth, sublinearTf: sublinear).fitTransform(docs)
            XCTAssertEqual(m.vocabulary, ["apple", "banana", "cherry", "date"])
            let df: [Double] = [1, 2, 2, 1]
            let idf = df.map { smooth ? log(4 / (1 + $0)) + 1 : log(3 / $0) + 1 }
            for j in 0..<4 { XCTAssertEqual(m.idf[j], idf[j], accuracy: 1e-12) }
            let counts: [[Double]] = [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 3, 1]]
            let dense = m.matrix.densified()
            for i in 0..<3 {
                let raw = (0..<4).map { j -> Double in
                    let c = counts[i][j]
                    return c == 0 ? 0 : (sublinear ? 1 + log(c) : c) * idf[j]
                }
                let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for j in 0..<4 { XCTAssertEqual(Double(dense[i, j]), raw[j] / norm, accuracy: 1e-6, "doc \(i) term \(j)") }
            }
        }
        // Spot values by hand: idf(apple) = ln(4/2) + 1 = 1.693147, idf(banana) = ln(4/3) + 1 =
        // 1.287682; doc 0 = (2·1.693147, 1.287682) / 3.622863 = (0.934702, 0.355432), which is
        // what scikit-learn 1.9.1 prints for this corpus.
        let m = try TfidfVectorizer().fitTransform(docs)
        XCTAssertEqual(m.matrix.densified()[0, 0], 0.934702, accuracy: 1e-5)
        XCTAssertEqual(m.matrix.densified()[0, 1], 0.355432, accuracy: 1e-5)
        XCTAssertEqual(m.column(of: "cherry"), 2)
        XCTAssertNil(m.column(of: "zzz"))
    }

    func testEmptyDocumentsAndCorpus() throws {
        let m = try TfidfVectorizer().fitTransform([["a1"], [], ["a1", "b2"]])
        XCTAssertEqual(m.matrix.count(ofRow: 1), 0)
        XCTAssertThrowsError(try TfidfVectorizer().fitTransform([[], []])) { XCTAssertEqual($0 as? SimilarityError, .emptyCorpus) }
        XCTAssertThrowsError(try TfidfVectorizer().fitTransform([]))
    }

    func testTopKEqualsNaiveCosineSort() throws {
        // 60 random documents over a 25-word vocabulary, many ties (short documents).
        var g = SplitMix64(seed: 3)
        let words = (0..<25).map { "w\($0)" }
        let docs: [[String]] = (0..<60).map { i in
            i % 17 == 0 ? [] : (0..<(1 + Int(g.next() % 4))).map { _ in words[Int(g.next() % 25)] }
        }
        let model = try TfidfVectorizer(sublinearTf: true).fitTransform(docs)
        let dense = model.matrix.densified()
        for backend in Backend.allCases {
            let nb = try CosineNeighbours(vectors: model.matrix, k: 7, backend: backend, threads: 2)
            for i in 0..<60 {
                var naive: [(Int, Double)] = []
                for j in 0..<60 where j != i {
                    var s = 0.0
                    for c in 0..<dense.cols { s += Double(dense[i, c]) * Double(dense[j, c]) }
                    if s > 1e-9 { naive.append((j, s)) }
                }
                // Ties (equal up to float rounding) by index.
                naive.sort { abs($0.1 - $1.1) > 1e-6 ? $0.1 > $1.1 : $0.0 < $1.0 }
                let got = try nb.neighbours(of: i)
                XCTAssertEqual(got.map(\.index), naive.prefix(7).map(\.0), "row \(i)")
                for (a, b) in zip(got, naive) { XCTAssertEqual(Double(a.score), b.1, accuracy: 1e-5) }
            }
        }
        XCTAssertThrowsError(try CosineNeighbours(vectors: model.matrix, k: 0))
    }
}

final class NameIndexTests: XCTestCase {
    let index = NameIndex(names: [
        ["Toy Story", "Toy Story (1995)"],
        ["Amélie (Fabuleux destin d'Amélie Poulain, Le)", "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)"],
        ["Matrix, The", "Matrix, The (1999)"],
        ["Hamlet", "Hamlet (1990)"],
        ["Hamlet", "Hamlet (1996)"],
        ["Toy Story 2", "Toy Story 2 (1999)"],
        ["Heat", "Heat (1995)"],
    ])

    func testExact() {
        XCTAssertEqual(index.lookup("toy story"), .unique(0))
        XCTAssertEqual(index.lookup("TOY STORY (1995)"), .unique(0))
        XCTAssertEqual(index.lookup("The Matrix"), .unique(2))
        XCTAssertEqual(index.lookup("matrix, the"), .unique(2))
        XCTAssertEqual(index.lookup("Hamlet (1996)"), .unique(4))
    }

    func testAccentInsensitive() {
        XCTAssertEqual(index.lookup("amelie (fabuleux destin d'amelie poulain, le)"), .unique(1))
    }

    func testFuzzy() {
        guard case .fuzzy(let i, let score) = index.lookup("amelie") else { return XCTFail("expected a fuzzy match") }
        XCTAssertEqual(i, 1)
        XCTAssertGreaterThanOrEqual(score, 0.5)
        guard case .fuzzy(let j, _) = index.lookup("The Matrx") else { return XCTFail("expected a fuzzy match for a typo") }
        XCTAssertEqual(j, 2)
        guard case .notFound = index.lookup("zzzz qqqq") else { return XCTFail("expected no match") }
    }

    func testAmbiguous() {
        XCTAssertEqual(index.lookup("hamlet"), .ambiguous([3, 4]))
        // "toy stor" is close to both Toy Story films.
        guard case .ambiguous(let c) = index.lookup("toy stor") else { return XCTFail("expected candidates") }
        XCTAssertEqual(Set(c), [0, 5])
    }
}

final class CosineNeighboursTests: XCTestCase {
    /// Signed values take the general path (touched list); compare with a naive full sort.
    func testSignedValuesEqualNaive() throws {
        var g = SplitMix64(seed: 9)
        var r: [Int] = [], c: [Int] = [], v: [Float] = []
        for i in 0..<50 { for j in 0..<12 where g.next() % 4 == 0 { r.append(i); c.append(j); v.append(Float(Int(g.next() % 7)) - 3) } }
        let x = try SparseMatrix(rows: 50, cols: 12, rowIndices: r, colIndices: c, values: v).normalizedRows()
        let nb = try CosineNeighbours(vectors: x, k: 5, threads: 2)
        let d = x.densified()
        for i in 0..<50 {
            var naive: [(Int, Double)] = []
            for j in 0..<50 where j != i {
                var s = 0.0
                for q in 0..<12 { s += Double(d[i, q]) * Double(d[j, q]) }
                if s > 1e-6 { naive.append((j, s)) }
            }
            naive.sort { abs($0.1 - $1.1) > 1e-6 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let got = try nb.neighbours(of: i)
            // Integer-valued rows give exact ties that float rounding may order either way, so
            // compare scores by rank and check each listed row's true score.
            XCTAssertEqual(got.count, min(5, naive.count), "row \(i)")
            XCTAssertEqual(Set(got.map(\.index)).count, got.count)
            for (p, e) in got.enumerated() {
                XCTAssertEqual(Double(e.score), naive[p].1, accuracy: 1e-5, "row \(i) rank \(p)")
                let truth = naive.first { $0.0 == e.index }?.1 ?? -1
                XCTAssertEqual(Double(e.score), truth, accuracy: 1e-5, "row \(i) neighbour \(e.index)")
            }
        }
        XCTAssertThrowsError(try nb.neighbours(of: 50))
    }
}
