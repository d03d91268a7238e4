import Factorization
import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// Bundle format 2: the two-stage hybrid is stored whole (no refitting at load) and still
/// recommends exactly what the version-1 load path (stage 1 refitted from the ratings) gave.
final class BundleLoadTests: XCTestCase {
    private func written(_ bundle: ModelBundle) throws -> (String, URL) {
        let root = try TestData.temporaryDirectory("movierec-bundle-load")
        let dir = root.appendingPathComponent("models").path
        try BundleStore.write(bundle, to: dir)
        return (dir, root)
    }

    func testHybridLoadsWithoutRefittingAndRanksAsTheRefittedOne() throws {
        let bundle = try BundleFixture.bundle()
        let (dir, root) = try written(bundle)
        defer { try? FileManager.default.removeItem(at: root) }
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertTrue(names.isSuperset(of: ["hybrid.bin", "notebook.bin"]))
        // `movierec train` shares one ALS model between the ALS ranker and the hybrid: stored once.
        XCTAssertFalse(names.contains("als.bin"))
        XCTAssertFalse(names.contains("hybrid.gbt"))
        let loaded = try BundleStore.read(dir)
        let trained = try XCTUnwrap(bundle.rankers), rk = try XCTUnwrap(loaded.rankers)
        XCTAssertEqual(rk.hybrid.stageOne.clusters.genreLabels, trained.hybrid.stageOne.clusters.genreLabels)
        XCTAssertEqual(rk.hybrid.stageOne.clusters.ratingLabels, trained.hybrid.stageOne.clusters.ratingLabels)
        XCTAssertEqual(rk.als.model, trained.als.model)
        XCTAssertEqual(rk.hybrid.stageOne.options.popularityPenalty, trained.hybridOptions.popularityPenalty)
        // The version-1 load path: stage 1 refitted (KMeans and all) on the catalogue's ratings.
        let ratings = loaded.catalog.ratingsDataset()
        let all = Array(0..<ratings.ratingCount)
        let refitted = try TwoStageHybridRanker.rebuild(dataset: ratings, rows: all, options: trained.hybridOptions,
                                                        booster: trained.hybrid.booster, als: trained.als)
        for u in 0..<loaded.catalog.userCount {
            let seen = Array(loaded.catalog.seen(user: u).movies)
            XCTAssertEqual(rk.hybrid.recommend(user: u, excluding: seen, count: 10), refitted.recommend(user: u, excluding: seen, count: 10), "user \(u)")
            XCTAssertEqual(rk.als.recommend(user: u, excluding: seen, count: 10), trained.als.recommend(user: u, excluding: seen, count: 10))
        }
    }

    /// An ALS ranker that is not the hybrid's own is stored in `als.bin` and read back.
    func testSeparateALSIsStored() throws {
        var bundle = try BundleFixture.bundle()
        var rk = try XCTUnwrap(bundle.rankers)
        var p = rk.als.model.parameters
        p.factors = 3
        p.iterations = 2
        p.threads = 1
        rk.als = try ALSRanker.fit(rk.als.history, parameters: p)
        bundle.rankers = rk
        let (dir, root) = try written(bundle)
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/als.bin"))
        let loaded = try XCTUnwrap(try BundleStore.read(dir).rankers)
        XCTAssertEqual(loaded.als.model, rk.als.model)
        XCTAssertNotEqual(loaded.als.model, loaded.hybrid.stageOne.als.model)
        for u in [0, 9, 33] {
            let seen = Array(bundle.catalog.seen(user: u).movies)
            XCTAssertEqual(loaded.als.recommend(user: u, excluding: seen, count: 10), rk.als.recommend(user: u, excluding: seen, count: 10))
        }
    }

    /// A version-1 bundle (hybrid refitted at load) is refused with a "retrain" error, as is a
    /// bundle listing only one of the ranker files.
    func testOldVersionAndPartialRankersAreClearErrors() throws {
        let bundle = try BundleFixture.bundle()
        let (dir, root) = try written(bundle)
        defer { try? FileManager.default.removeItem(at: root) }
        let manifestPath = dir + "/manifest.json"
        let original = try String(contentsOfFile: manifestPath, encoding: .utf8)
        XCTAssertTrue(original.contains("\"formatVersion\" : 2"))
        try original.replacingOccurrences(of: "\"formatVersion\" : 2", with: "\"formatVersion\" : 1")
            .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            XCTAssertEqual(error as? BundleError, .unsupportedVersion(path: manifestPath, found: 1, supported: 2))
            XCTAssertTrue("\(error)".contains("retrain"), "\(error)")
        }
        var manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(original.utf8))
        manifest.files.removeAll { $0.name == "notebook.bin" }
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.corrupt(let p, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, manifestPath)
            XCTAssertTrue(reason.contains("hybrid.bin"), reason)
        }
    }

    /// A flipped byte inside the hybrid section is caught (manifest CRC first; with a matching
    /// manifest entry, the section's own CRC) and names the file.
    func testCorruptHybridSectionNamesTheFile() throws {
        let bundle = try BundleFixture.bundle()
        let (dir, root) = try written(bundle)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = dir + "/hybrid.bin"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))
        let manifestPath = dir + "/manifest.json"
        var manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        for i in manifest.files.indices where manifest.files[i].name == "hybrid.bin" {
            manifest.files[i].crc32c = BundleError.hex(bytes.withUnsafeBytes { CRC32C.checksum($0) })
        }
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.corrupt(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
    }
}
