import Foundation

/// `manifest.json` of a model bundle: what was trained, on what, how, and the list of files with
/// their sizes and CRC-32C checksums.
public struct BundleManifest: Codable, Sendable, Equatable {
    /// Always `movierec-model-bundle` (a directory with another manifest is "not a bundle").
    public var format: String
    /// Version of the bundle layout; loading requires exactly `BundleManifest.currentVersion`.
    public var formatVersion: Int
    /// ISO-8601 creation time (UTC).
    public var createdAt: String
    /// The data the bundle was trained on.
    public var dataset: DatasetFingerprint
    /// The feature columns of the classifier and the regressor, in order.
    public var featureSchema: [String]
    /// Training settings (seed, threads, backend, model hyper-parameters), as display strings.
    public var parameters: [String: String]
    /// Metrics seen during training (e.g. `classifier.train_auc`), and CV metrics when the pipeline wrote the bundle.
    public var metrics: [String: Double]
    /// Wall-clock seconds of each training stage.
    public var trainingSeconds: [String: Double]
    /// The models this bundle can serve with `recommend --model`.
    public var models: [String]
    /// Every file of the bundle (besides this manifest).
    public var files: [FileEntry]

    public static let formatName = "movierec-model-bundle"
    /// 2: the two-stage hybrid is stored whole (`hybrid.bin`, with its cluster labels) instead
    /// of `hybrid.gbt` + settings refitted at load; `als.bin` only when it differs from the
    /// hybrid's ALS. Version-1 bundles are refused with "retrain".
    public static let currentVersion = 2

    /// The data set's identity: counts and a CRC-32C of its id and rating columns.
    public struct DatasetFingerprint: Codable, Sendable, Equatable {
        public var source: String
        public var format: String
        public var users: Int
        public var movies: Int
        public var ratings: Int
        /// `Dataset.fingerprint` (CRC-32C over every column), hex.
        public var crc32c: String
    }

    /// One file: name (relative to the bundle), size in bytes and CRC-32C (hex).
    public struct FileEntry: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var crc32c: String
    }
}
