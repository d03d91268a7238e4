import Boosting
import Factorization
import Foundation
import Runtime

/// Writes and reads model bundles: a directory holding `manifest.json` and one file per component.
///
/// **Atomic replace.** `write` encodes every component in memory, writes the files into a fresh
/// sibling directory `.<name>.tmp-<pid>-<random>/` (each file fsynced, manifest last, then the
/// directory), and only then swaps it with the destination (`DirectorySwap`: one
/// `renameat2(RENAME_EXCHANGE)` on Linux) and deletes the previous bundle. If anything fails
/// before the swap, the temporary directory is removed and the previous bundle is untouched.
/// A destination that exists but is not a bundle (no MovieRec manifest, and not empty) is never
/// replaced.
///
/// **Verified load.** `read` checks the manifest's format name and version, then every listed
/// file's size and CRC-32C before decoding it, then the components against each other (feature
/// columns, catalogue sizes). Each failure is a `BundleError` naming the file.
public enum BundleStore {
    static let magic = Array("MRBUNDLE".utf8)
    static let componentVersion: UInt32 = 1

    /// File names of the components.
    enum File {
        static let manifest = "manifest.json"
        static let catalog = "catalog.bin"
        static let classifier = "classifier.gbt"
        static let regressor = "regressor.gbt"
        static let features = "features.bin"
        static let clusters = "clusters.bin"
        static let similar = "similar.bin"
        static let popularity = "popularity.bin"
        static let als = "als.bin"
        static let hybrid = "hybrid.bin"
        static let notebook = "notebook.bin"
        static let required = [catalog, classifier, regressor, features, clusters, similar, popularity]
        /// The top-N rankers (both or neither); `als.bin` is written only when the ALS ranker
        /// is not the hybrid's stage-1 ALS.
        static let rankers = [hybrid, notebook]
    }

    // MARK: writing

    /// Writes `bundle` to the directory `path` atomically (see the type's documentation). The
    /// manifest's file list is filled in here. Returns the manifest written.
    @discardableResult
    public static func write(_ bundle: ModelBundle, to path: String) throws -> BundleManifest {
        try write(bundle, to: path, failAfterFiles: nil)
    }

    /// `write` with a fault injected after `failAfterFiles` files (tests of the atomic replace).
    static func write(_ bundle: ModelBundle, to path: String, failAfterFiles: Int?) throws -> BundleManifest {
        let dest = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        try checkReplaceable(dest)
        var files: [(String, Data)] = []
        files.append((File.catalog, component("catalog") { bundle.catalog.encode(into: &$0) }))
        files.append((File.classifier, bundle.classifier.serialized()))
        files.append((File.regressor, bundle.regressor.serialized()))
        files.append((File.features, component("features") { bundle.features.encode(into: &$0) }))
        files.append((File.clusters, component("clusters") { bundle.genreCentroids.encode(into: &$0) }))
        files.append((File.similar, component("similar") { bundle.similar.encode(into: &$0) }))
        files.append((File.popularity, component("popularity") { bundle.popularity.encode(into: &$0) }))
        if let rk = bundle.rankers {
            files.append((File.hybrid, component("hybrid") { rk.hybrid.write(to: &$0) }))
            if !rk.alsIsHybridStageOne {
                files.append((File.als, component("als") { rk.als.model.write(to: &$0) }))
            }
            files.append((File.notebook, component("notebook") { RankerComponents.encode(notebook: rk.notebook, into: &$0) }))
        }
        var manifest = bundle.manifest
        manifest.format = BundleManifest.formatName
        manifest.formatVersion = BundleManifest.currentVersion
        manifest.files = files.map { BundleManifest.FileEntry(name: $0.0, bytes: $0.1.count, crc32c: BundleError.hex(crc($0.1))) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestData: Data
        do { manifestData = try encoder.encode(manifest) } catch {
            throw BundleError.writeFailed(path: dest, reason: "cannot encode the manifest: \(error)")
        }
        files.append((File.manifest, manifestData))

        let parent = URL(fileURLWithPath: dest).deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw BundleError.writeFailed(path: dest, reason: "cannot create \(parent): \(error.localizedDescription)")
        }
        let tmp = DirectorySwap.sibling(of: dest, tag: "tmp")
        do {
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        } catch {
            throw BundleError.writeFailed(path: dest, reason: "cannot create \(tmp): \(error.localizedDescription)")
        }
        do {
            for (i, (name, data)) in files.enumerated() {
                if let n = failAfterFiles, i >= n { throw BundleError.writeFailed(path: tmp + "/" + name, reason: "injected fault") }
                try writeSynced(data, to: tmp + "/" + name)
            }
            DirectorySwap.syncDirectory(tmp)
            let old = try DirectorySwap.replace(dest, with: tmp)
            DirectorySwap.syncDirectory(parent)
            if let old { try? FileManager.default.removeItem(atPath: old) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            if let e = error as? BundleError { throw e }
            throw BundleError.writeFailed(path: dest, reason: "\(error)")
        }
        return manifest
    }

    /// Refuses to replace something that is not a bundle (or an empty directory).
    static func checkReplaceable(_ dest: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dest, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw BundleError.writeFailed(path: dest, reason: "it exists and is not a directory") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dest)) ?? []
        if entries.isEmpty { return }
        if let data = FileManager.default.contents(atPath: dest + "/" + File.manifest),
           let m = try? JSONDecoder().decode(FormatProbe.self, from: data), m.format == BundleManifest.formatName { return }
        throw BundleError.writeFailed(path: dest, reason: "the directory exists and is not a MovieRec model bundle; refusing to replace it")
    }

    private struct FormatProbe: Decodable { var format: String }

    static func component(_ name: String, _ body: (inout BinaryWriter) -> Void) -> Data {
        var w = BinaryWriter()
        w.append(Data(magic))
        w.write(name)
        w.write(componentVersion)
        body(&w)
        return w.data
    }

    static func crc(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { CRC32C.checksum($0) }
    }

    private static func writeSynced(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BundleError.writeFailed(path: path, reason: "cannot create the file")
        }
        do {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.write(contentsOf: data)
            try h.synchronize()
            try h.close()
        } catch {
            throw BundleError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    // MARK: reading

    /// Reads and verifies the bundle in directory `path`.
    public static func read(_ path: String) throws -> ModelBundle {
        let dir = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw BundleError.notABundle(path: dir, reason: "no such directory (train one with `movierec train --data PATH --out \(dir)`)")
        }
        guard isDir.boolValue else { throw BundleError.notABundle(path: dir, reason: "not a directory") }
        let manifestPath = dir + "/" + File.manifest
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw BundleError.notABundle(path: dir, reason: "it has no \(File.manifest)")
        }
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: manifestData) else {
            throw BundleError.notABundle(path: manifestPath, reason: "the manifest is not a MovieRec bundle manifest (bad JSON or no format field)")
        }
        guard probe.format == BundleManifest.formatName else {
            throw BundleError.notABundle(path: manifestPath, reason: "format is \"\(probe.format)\", expected \"\(BundleManifest.formatName)\"")
        }
        guard probe.formatVersion == BundleManifest.currentVersion else {
            throw BundleError.unsupportedVersion(path: manifestPath, found: probe.formatVersion, supported: BundleManifest.currentVersion)
        }
        let manifest: BundleManifest
        do { manifest = try JSONDecoder().decode(BundleManifest.self, from: manifestData) } catch {
            throw BundleError.corrupt(path: manifestPath, reason: "the manifest is incomplete: \(error)")
        }
        var contents: [String: Data] = [:]
        for entry in manifest.files {
            let name = entry.name
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw BundleError.corrupt(path: manifestPath, reason: "bad file name \"\(name)\"")
            }
            let filePath = dir + "/" + name
            guard let data = FileManager.default.contents(atPath: filePath) else { throw BundleError.missingFile(path: filePath) }
            guard data.count == entry.bytes else { throw BundleError.sizeMismatch(path: filePath, expected: entry.bytes, found: data.count) }
            guard let expected = UInt32(entry.crc32c, radix: 16) else {
                throw BundleError.corrupt(path: manifestPath, reason: "bad checksum \"\(entry.crc32c)\" for \(name)")
            }
            let found = crc(data)
            guard found == expected else { throw BundleError.checksumMismatch(path: filePath, expected: expected, found: found) }
            contents[name] = data
        }
        for name in File.required where contents[name] == nil {
            throw BundleError.corrupt(path: manifestPath, reason: "the manifest does not list \(name)")
        }
        func decode<T>(_ name: String, _ body: (inout BinaryReader) throws -> T) throws -> T {
            let filePath = dir + "/" + name
            do {
                var r = try open(contents[name] ?? Data(), component: String(name.prefix { $0 != "." }))
                let value = try body(&r)
                guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) unexpected bytes at the end") }
                return value
            } catch let e as BundleError {
                throw e
            } catch {
                throw BundleError.corrupt(path: filePath, reason: "\(error)")
            }
        }
        func model(_ name: String) throws -> BoostedModel {
            do { return try BoostedModel.deserialize(contents[name] ?? Data()) } catch {
                throw BundleError.corrupt(path: dir + "/" + name, reason: "\(error)")
            }
        }
        let catalog = try decode(File.catalog) { try Catalog.decode(&$0) }
        let features = try decode(File.features) { try ServingFeatures.decode(&$0, catalog: catalog) }
        let classifier = try model(File.classifier)
        let regressor = try model(File.regressor)
        let centroids = try decode(File.clusters) { try GenreCentroids.decode(&$0) }
        let similar = try decode(File.similar) { try NeighbourLists.decode(&$0) }
        let popularity = try decode(File.popularity) { try Popularity.decode(&$0) }
        var rankers: RankerComponents? = nil
        let listed = File.rankers.filter { contents[$0] != nil }
        if !listed.isEmpty {
            guard listed.count == File.rankers.count else {
                throw BundleError.corrupt(path: manifestPath, reason: "lists only some of \(File.rankers.joined(separator: ", "))")
            }
            // Stage 1 is assembled from its stored parts (ALS, cluster labels): no refitting.
            let ratings = catalog.ratingsDataset()
            let hybrid = try decode(File.hybrid) {
                try TwoStageHybridRanker.read(from: &$0, dataset: ratings, trainRows: Array(0..<ratings.ratingCount))
            }
            var als = hybrid.stageOne.als
            if contents[File.als] != nil {
                let model = try decode(File.als) { try ALSModel(from: &$0) }
                guard model.users == catalog.userCount, model.items == catalog.movieCount else {
                    throw BundleError.inconsistent("als.bin has \(model.users) users × \(model.items) movies, the catalogue \(catalog.userCount) × \(catalog.movieCount)")
                }
                als = ALSRanker(model: model, history: hybrid.stageOne.lists)
            }
            let (weight, clustering) = try decode(File.notebook) { try RankerComponents.decodeNotebook(&$0) }
            let catalogue = popularity.ratings.map { $0 > 0 }
            let notebook: NotebookHybridRanker
            do {
                notebook = NotebookHybridRanker(
                    classifier: try ClassifierRanker(inference: features.inference, classifier: classifier, catalogue: catalogue),
                    weight: weight, clustering: clustering)
            } catch {
                throw BundleError.inconsistent("\(error)")
            }
            rankers = RankerComponents(als: als, hybrid: hybrid, hybridOptions: hybrid.stageOne.options, notebook: notebook)
        }
        let names = features.schema.names
        guard classifier.featureNames == names, regressor.featureNames == names, manifest.featureSchema == names else {
            throw BundleError.inconsistent("the classifier, the regressor and the feature schema disagree on the feature columns")
        }
        guard similar.rows == catalog.movieCount, popularity.ratings.count == catalog.movieCount else {
            throw BundleError.inconsistent("similar.bin / popularity.bin do not have one entry per catalogue movie (\(catalog.movieCount))")
        }
        guard centroids.genres == features.schema.genreCount else {
            throw BundleError.inconsistent("clusters.bin has \(centroids.genres) genres, the catalogue \(features.schema.genreCount)")
        }
        return ModelBundle(manifest: manifest, catalog: catalog, classifier: classifier, regressor: regressor, features: features,
                           genreCentroids: centroids, similar: similar, popularity: popularity, rankers: rankers)
    }

    private struct VersionProbe: Decodable { var format: String; var formatVersion: Int }

    /// Checks a component header (magic, name, version) and returns a reader at its payload.
    static func open(_ data: Data, component: String) throws -> BinaryReader {
        guard data.count >= magic.count, Array(data.prefix(magic.count)) == magic else {
            throw BinaryFormatError.badMagic(expected: "MovieRec bundle component", found: String(decoding: data.prefix(magic.count), as: UTF8.self))
        }
        var r = BinaryReader(data, offset: magic.count)
        let name = try r.readString("component name")
        guard name == component else { throw BinaryFormatError.invalid("holds component \"\(name)\", expected \"\(component)\"") }
        let v = try r.read(UInt32.self, "component version")
        guard v == componentVersion else { throw BinaryFormatError.unsupportedVersion(found: v, supported: componentVersion) }
        return r
    }
}
