import Boosting
import Foundation
import MovieLens
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// A small trained bundle shared by the bundle and serving tests (trained once per process).
enum BundleFixture {
    static func options(seed: UInt64 = 42) -> TrainingOptions {
        var o = TrainingOptions()
        o.seed = seed
        o.threads = 2
        o.classifier.rounds = 12
        o.classifier.maxDepth = 4
        o.regressor.rounds = 12
        o.regressor.maxDepth = 4
        o.features.innerFolds = 3
        o.features.mf.epochs = 4
        o.features.mf.factors = 4
        o.features.genreClusters = 3
        o.features.ratingClusters = 3
        o.similarNeighbours = 8
        o.hybrid.als.factors = 8
        o.hybrid.als.iterations = 5
        o.hybrid.booster.rounds = 20
        o.notebookTuningUsers = 30
        return o
    }

    static let dataset: Result<Dataset, any Error> = Result { try SyntheticMovieLens(users: 50, movies: 90, ratingsPerUser: 24, seed: 3).dataset() }
    static let trained: Result<ModelBundle, any Error> = Result { try ModelTrainer.train(dataset: dataset.get(), options: options()) }

    static func bundle() throws -> ModelBundle { try trained.get() }
}

final class BundleTests: XCTestCase {
    private func writtenBundle() throws -> (ModelBundle, String, URL) {
        let bundle = try BundleFixture.bundle()
        let root = try TestData.temporaryDirectory("movierec-bundle")
        let dir = root.appendingPathComponent("models").path
        try BundleStore.write(bundle, to: dir)
        return (bundle, dir, root)
    }

    func testRoundTripPredictsIdentically() throws {
        let (bundle, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let loaded = try BundleStore.read(dir)
        XCTAssertEqual(loaded.catalog, bundle.catalog)
        XCTAssertEqual(loaded.similar, bundle.similar)
        XCTAssertEqual(loaded.popularity, bundle.popularity)
        XCTAssertEqual(loaded.genreCentroids, bundle.genreCentroids)
        XCTAssertEqual(loaded.featureNames, bundle.featureNames)
        XCTAssertEqual(loaded.classifier.serialized(), bundle.classifier.serialized())
        XCTAssertEqual(loaded.manifest.featureSchema, bundle.featureNames)
        // Every (user, movie) pair of a slice: identical features and predictions.
        let users = (0..<bundle.catalog.userCount).flatMap { u in [Int32](repeating: Int32(u), count: 7) }
        let movies = users.indices.map { Int32(($0 * 13) % bundle.catalog.movieCount) }
        let a = try bundle.featureMatrix(users: users, movies: movies), b = try loaded.featureMatrix(users: users, movies: movies)
        XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern))
        let pa = try bundle.predict(users: users, movies: movies), pb = try loaded.predict(users: users, movies: movies)
        XCTAssertEqual(pa.like, pb.like)
        XCTAssertEqual(pa.rating, pb.rating)
        XCTAssertTrue(pa.like.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertTrue(pa.rating.allSatisfy { $0 >= 0.5 && $0 <= 5 })
        // Every model recommends the same from the loaded bundle (rankers rebuilt from stored parts).
        XCTAssertEqual(loaded.servableModels, bundle.servableModels)
        XCTAssertTrue(loaded.servableModels.contains(.hybrid))
        for model in bundle.servableModels {
            for u in [0, 11, bundle.catalog.userCount - 1] {
                let id = bundle.catalog.userIds[u]
                XCTAssertEqual(try BundleRecommender(loaded).recommend(userId: id, model: model, count: 10),
                               try BundleRecommender(bundle).recommend(userId: id, model: model, count: 10), "\(model) user \(id)")
            }
        }
        // The files the manifest lists are exactly the directory's files.
        let listed = Set(loaded.manifest.files.map(\.name) + ["manifest.json"])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), listed)
    }

    /// Serving features of a pair equal the features cross-validation gives a test rating of that
    /// pair with the whole data set as training set (all columns but the rating-time one). The
    /// models are trained on the catalogue's canonical ratings (one per pair, by user and movie).
    func testServingFeaturesEqualTestRowFeatures() throws {
        let bundle = try BundleFixture.bundle()
        let ds = bundle.catalog.ratingsDataset()
        XCTAssertEqual(ds.ratingCount, try BundleFixture.dataset.get().ratingCount)
        var o = BundleFixture.options().features
        o.seed = BundleFixture.options().seed
        o.threads = 2
        let rows = Array(stride(from: 0, to: ds.ratingCount, by: 37))
        let built = try FeatureBuilder.build(dataset: ds, trainRows: Array(0..<ds.ratingCount), testRows: rows, options: o)
        let served = try bundle.featureMatrix(users: rows.map { ds.ratingUser[$0] }, movies: rows.map { ds.ratingMovie[$0] })
        XCTAssertEqual(served.names, built.test.names)
        let timeColumn = try XCTUnwrap(served.names.firstIndex(of: "movie_age_at_rating"))
        for j in 0..<served.columns where j != timeColumn {
            for i in 0..<served.rows {
                let x = served[i, j], y = built.test[i, j]
                XCTAssertTrue(x == y || (x.isNaN && y.isNaN), "column \(served.names[j]) row \(i): \(x) vs \(y)")
            }
        }
    }

    func testCorruptedByteNamesTheFile() throws {
        let (_, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = dir + "/popularity.bin"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.checksumMismatch(let p, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue("\(error)".contains("popularity.bin"))
        }
    }

    func testTruncatedFileNamesTheFile() throws {
        let (_, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = dir + "/classifier.gbt"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            XCTAssertEqual(error as? BundleError, .sizeMismatch(path: path, expected: bytes.count, found: bytes.count - 10))
        }
    }

    func testMissingFileNamesTheFile() throws {
        let (_, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(atPath: dir + "/similar.bin")
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            XCTAssertEqual(error as? BundleError, .missingFile(path: dir + "/similar.bin"))
        }
    }

    func testWrongVersionAndForeignManifest() throws {
        let (_, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let manifestPath = dir + "/manifest.json"
        let text = try String(contentsOfFile: manifestPath, encoding: .utf8)
        XCTAssertTrue(text.contains("\"formatVersion\" : \(BundleManifest.currentVersion)"))
        try text.replacingOccurrences(of: "\"formatVersion\" : \(BundleManifest.currentVersion)", with: "\"formatVersion\" : 7")
            .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            XCTAssertEqual(error as? BundleError, .unsupportedVersion(path: manifestPath, found: 7, supported: BundleManifest.currentVersion))
        }
        try "{\"format\": \"something-else\", \"formatVersion\": 1}".write(toFile: manifestPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.notABundle(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, manifestPath)
        }
        try FileManager.default.removeItem(atPath: manifestPath)
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.notABundle(let p, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, dir)
            XCTAssertTrue(reason.contains("manifest.json"))
        }
        XCTAssertThrowsError(try BundleStore.read(root.appendingPathComponent("nowhere").path)) { error in
            guard case BundleError.notABundle = error else { return XCTFail("\(error)") }
        }
    }

    /// A file whose checksum matches the manifest but whose content is not the component (e.g. a
    /// file copied from another bundle under the wrong name) is reported as corrupt, naming it.
    func testSwappedComponentIsCorrupt() throws {
        let (_, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let manifestPath = dir + "/manifest.json"
        var manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        let pop = try Data(contentsOf: URL(fileURLWithPath: dir + "/popularity.bin"))
        try pop.write(to: URL(fileURLWithPath: dir + "/similar.bin"))
        let i = try XCTUnwrap(manifest.files.firstIndex { $0.name == "similar.bin" })
        manifest.files[i].bytes = pop.count
        manifest.files[i].crc32c = BundleError.hex(BundleStore.crc(pop))
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        XCTAssertThrowsError(try BundleStore.read(dir)) { error in
            guard case BundleError.corrupt(let p, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, dir + "/similar.bin")
            XCTAssertTrue(reason.contains("popularity"), reason)
        }
    }

    func testFailedWriteKeepsThePreviousBundle() throws {
        let (bundle, dir, root) = try writtenBundle()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))
        var other = bundle
        other.manifest.metrics["marker"] = 1
        for failAfter in [0, 3, 7] {
            XCTAssertThrowsError(try BundleStore.write(other, to: dir, failAfterFiles: failAfter)) { error in
                guard case BundleError.writeFailed = error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json")), before)
            XCTAssertNil(try BundleStore.read(dir).manifest.metrics["marker"])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["models"], "no temporary directory left")
        }
        // A successful write replaces it, leaving nothing else behind.
        try BundleStore.write(other, to: dir)
        XCTAssertEqual(try BundleStore.read(dir).manifest.metrics["marker"], 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["models"])
    }

    func testRefusesToReplaceADirectoryThatIsNotABundle() throws {
        let bundle = try BundleFixture.bundle()
        let root = try TestData.temporaryDirectory("movierec-bundle")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try BundleStore.write(bundle, to: dir.path)) { error in
            guard case BundleError.writeFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("notes.txt"), encoding: .utf8), "keep me")
    }
}
