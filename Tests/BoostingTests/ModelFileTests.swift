import XCTest
import Boosting
import Runtime
import TestSupport

final class ModelFileTests: XCTestCase {
    private func model() throws -> (BoostedModel, FeatureMatrix) {
        let d = try Synthetic.make(rows: 1500, columns: 5, seed: 31, binary: true, missingRate: 0.1)
        var p = BoostingParameters()
        p.rounds = 6; p.maxDepth = 4
        return (try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model, d.features)
    }

    func testSaveLoadGivesIdenticalPredictions() throws {
        let (m, x) = try model()
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.mrgb").path
        try m.save(path: path)
        let back = try BoostedModel.load(path: path)
        XCTAssertEqual(back.trees, m.trees)
        XCTAssertEqual(back.featureNames, m.featureNames)
        XCTAssertEqual(try back.predict(x).map(\.bitPattern), try m.predict(x).map(\.bitPattern))
    }

    func testCorruptedTruncatedAndForeignFilesFail() throws {
        let (m, _) = try model()
        let bytes = m.serialized()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        XCTAssertThrowsError(try BoostedModel.deserialize(flipped)) { e in
            XCTAssertEqual(e as? BinaryFormatError, .checksumMismatch(section: "model payload"))
        }
        XCTAssertThrowsError(try BoostedModel.deserialize(bytes.prefix(bytes.count - 7))) { e in
            guard case .truncated = e as? BinaryFormatError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try BoostedModel.deserialize(Data("userId,movieId,rating\n1,2,3\n".utf8))) { e in
            guard case .badMagic = e as? BinaryFormatError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("MRGBTREE"))
        }
        XCTAssertThrowsError(try BoostedModel.deserialize(Data()))
    }

    /// A tree whose child index points backwards (a loop) is rejected even with a valid checksum.
    func testStructurallyInvalidTreeIsRejected() throws {
        var t = Tree()
        t.feature = [0, -1, -1]; t.threshold = [1, 0, 0]; t.splitBin = [0, 0, 0]; t.left = [0, -1, -1]
        t.defaultLeft = [false, false, false]; t.value = [0, 1, 2]; t.gain = [1, 0, 0]; t.cover = [3, 1, 2]
        let bad = BoostedModel(objective: .squaredError, baseScore: 0, featureNames: ["a"], trees: [t])
        XCTAssertThrowsError(try BoostedModel.deserialize(bad.serialized())) { e in
            XCTAssertTrue("\(e)".contains("child"), "\(e)")
        }
    }

    func testXGBoostJSONIsValidJSONWithOneEntryPerNode() throws {
        let (m, _) = try model()
        let json = m.xgboostJSON()
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let learner = try XCTUnwrap(object?["learner"] as? [String: Any])
        let booster = try XCTUnwrap(learner["gradient_booster"] as? [String: Any])
        let model = try XCTUnwrap(booster["model"] as? [String: Any])
        let trees = try XCTUnwrap(model["trees"] as? [[String: Any]])
        XCTAssertEqual(trees.count, m.trees.count)
        for (k, t) in trees.enumerated() {
            XCTAssertEqual((t["split_conditions"] as? [Any])?.count, m.trees[k].count)
            XCTAssertEqual((t["left_children"] as? [Int])?.filter { $0 >= 0 }.count, m.trees[k].count - m.trees[k].leafCount)
        }
    }

    func testSingleRowPathMatchesBatch() throws {
        let (m, x) = try model()
        let batch = try m.predict(x, threads: 2)
        for i in stride(from: 0, to: x.rows, by: 37) {
            XCTAssertEqual(try m.predict(row: x.row(i)).bitPattern, batch[i].bitPattern)
        }
    }

    /// The row-major entry point gives bitwise the column-major batch results and an independent
    /// walk of every tree (`Tree.leaf`), for a row count with an incomplete 8-row group and with
    /// missing values; wrong sizes throw.
    func testRowMajorPathMatchesColumnMajorAndTreeWalk() throws {
        let (m, x) = try model()
        let rows = x.rows - 3
        let sub = try FeatureMatrix(rows: rows, columns: x.columns,
                                    columnMajor: (0..<x.columns).flatMap { Array(x.column($0).prefix(rows)) })
        let rm = (0..<rows).flatMap { sub.row($0) }
        XCTAssertTrue(rm.contains { $0.isNaN })
        let col = try m.predictMargins(sub, threads: 1)
        for t in [1, 2] {
            XCTAssertEqual(try m.predictMargins(rowMajor: rm, rows: rows, threads: t).map(\.bitPattern), col.map(\.bitPattern))
        }
        XCTAssertEqual(try m.predict(rowMajor: rm, rows: rows).map(\.bitPattern), try m.predict(sub).map(\.bitPattern))
        for i in 0..<rows {
            var s = m.baseMargin
            for t in m.trees { s += t.value[t.leaf { sub[i, $0] }] }
            XCTAssertEqual(s.bitPattern, col[i].bitPattern, "row \(i)")
        }
        XCTAssertThrowsError(try m.predictMargins(rowMajor: Array(rm.dropLast()), rows: rows))
        var small = [Float](repeating: 0, count: 2)
        try rm.withUnsafeBufferPointer { vb in
            try small.withUnsafeMutableBufferPointer { ob in
                XCTAssertThrowsError(try m.predictMargins(rowMajor: UnsafeBufferPointer(rebasing: vb[0..<(3 * x.columns)]), rows: 3, into: ob))
                try m.predictMargins(rowMajor: UnsafeBufferPointer(rebasing: vb[0..<(2 * x.columns)]), rows: 2, into: ob)
            }
        }
        XCTAssertEqual(small.map(\.bitPattern), col.prefix(2).map(\.bitPattern))
        XCTAssertEqual(try m.predictMargins(rowMajor: [], rows: 0), [])
    }
}
