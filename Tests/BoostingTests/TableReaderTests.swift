import Runtime
import XCTest
import Boosting

final class TableReaderTests: XCTestCase {
    private func csv(_ text: String, label: String? = "y") throws -> NumericTable {
        try TableReader.parse(Data(text.utf8), path: "t.csv", format: .csv, label: label)
    }

    func testCSVValuesMissingAndLabel() throws {
        let t = try csv("a,y,b\n1.5,1,-2e-3\n,0,NaN\r\n  7 ,1, NA\n\n")
        XCTAssertEqual(t.features.names, ["a", "b"])
        XCTAssertEqual(t.labels, [1, 0, 1])
        XCTAssertEqual(t.features.rows, 3)
        XCTAssertEqual(t.features[0, 0], 1.5)
        XCTAssertEqual(t.features[0, 1], -0.002)
        XCTAssertTrue(t.features[1, 0].isNaN)
        XCTAssertTrue(t.features[1, 1].isNaN)
        XCTAssertEqual(t.features[2, 0], 7)
        XCTAssertTrue(t.features[2, 1].isNaN)
    }

    /// The fast decimal path agrees with strtof on many random decimal strings.
    func testNumberParsingMatchesStrtof() throws {
        var rng = SplitMix64(seed: 5)
        var lines = ["x,y"]
        var expected: [Float] = []
        for _ in 0..<3000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x3FFF_FFFF | 0x3000_0000) * (rng.nextUnit() < 0.5 ? -1 : 1)
            let text = String(format: rng.nextUnit() < 0.5 ? "%.9g" : "%.6f", Double(v))
            lines.append("\(text),0")
            expected.append(strtof(text, nil))
        }
        let t = try csv(lines.joined(separator: "\n"))
        for (i, e) in expected.enumerated() { XCTAssertEqual(t.features[i, 0].bitPattern, e.bitPattern, "line \(i + 2)") }
    }

    func testCSVErrorsNameLineAndReason() {
        XCTAssertThrowsError(try csv("a,y\n1,0\n2\n")) { e in
            XCTAssertEqual(e as? TableError, .raggedRow(path: "t.csv", line: 3, expected: 2, found: 1))
            XCTAssertTrue("\(e)".hasPrefix("t.csv:3:"), "\(e)")
        }
        XCTAssertThrowsError(try csv("a,y\n1,0\n2,1,3\n")) { e in
            XCTAssertEqual(e as? TableError, .raggedRow(path: "t.csv", line: 3, expected: 2, found: 3))
        }
        XCTAssertThrowsError(try csv("a,y\n1,0\nabc,1\n")) { e in
            XCTAssertEqual(e as? TableError, .notNumeric(path: "t.csv", line: 3, column: "a", cell: "abc"))
        }
        XCTAssertThrowsError(try csv("a,y\n1,0\n2,\n")) { e in
            XCTAssertEqual(e as? TableError, .missingLabel(path: "t.csv", line: 3))
        }
        XCTAssertThrowsError(try csv("a,b\n1,0\n", label: "y")) { e in
            XCTAssertEqual(e as? TableError, .missingLabelColumn(path: "t.csv", label: "y", columns: ["a", "b"]))
        }
        XCTAssertThrowsError(try csv("")) { e in XCTAssertEqual(e as? TableError, .empty(path: "t.csv")) }
    }

    func testLibSVM() throws {
        let t = try TableReader.parse(Data("1 0:1.5 3:2\n0 1:-1 # comment\n\n1\n".utf8), path: "t.svm", format: .libsvm, label: nil)
        XCTAssertEqual(t.labels, [1, 0, 1])
        XCTAssertEqual(t.features.columns, 4)
        XCTAssertEqual(t.features[0, 0], 1.5)
        XCTAssertEqual(t.features[0, 3], 2)
        XCTAssertTrue(t.features[0, 1].isNaN, "absent entries are missing")
        XCTAssertEqual(t.features[1, 1], -1)
        XCTAssertThrowsError(try TableReader.parse(Data("1 0:1\n0 x:2\n".utf8), path: "t.svm", format: .libsvm, label: nil)) { e in
            XCTAssertEqual(e as? TableError, .badLibSVMEntry(path: "t.svm", line: 2, entry: "x:2"))
        }
        XCTAssertThrowsError(try TableReader.parse(Data("1 0:1\nfoo 1:2\n".utf8), path: "t.svm", format: .libsvm, label: nil)) { e in
            XCTAssertTrue("\(e)".hasPrefix("t.svm:2:"), "\(e)")
        }
    }

    func testSelectingColumnsByName() throws {
        let t = try csv("b,y,a\n1,0,2\n3,1,4\n")
        let s = try t.features.selecting(columns: ["a", "b"], source: "t.csv")
        XCTAssertEqual(s.values, [2, 4, 1, 3])
        XCTAssertThrowsError(try t.features.selecting(columns: ["c"], source: "t.csv")) { e in
            XCTAssertEqual(e as? TableError, .missingFeatureColumn(path: "t.csv", column: "c"))
        }
    }
}
