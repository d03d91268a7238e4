import Boosting
import Factorization
import Foundation
import MovieLens
import Runtime

extension TwoStageHybridRanker {
    static let magic = "MovieRec.TwoStageHybrid"
    static let formatVersion: UInt32 = 1

    /// Appends the fitted ranker: its options, the stage-1 ALS model and cluster labels, and the
    /// stage-2 booster, followed by a CRC-32C of the section. The training ratings themselves
    /// are not stored: `read` takes them (the same rows of the same data set) and recomputes
    /// counts, affinities and timelines from them in one pass.
    public func write(to w: inout BinaryWriter) {
        var body = BinaryWriter()
        let o = stageOne.options
        for x in [o.alsCandidates, o.clusterCandidates, o.popularCandidates, o.recentItems,
                  o.features.genreClusters, o.features.ratingClusters] { body.write(Int64(x)) }
        body.write(o.negativeRate)
        body.write(o.popularityPenalty)
        body.write(o.features.likeThreshold)
        body.write(o.features.moviePrior); body.write(o.features.userPrior); body.write(o.features.genrePrior)
        body.write(o.features.clusterShrinkage)
        body.write(o.seed)
        stageOne.als.model.write(to: &body)
        body.write(array: stageOne.clusters.genreLabels)
        body.write(array: stageOne.clusters.ratingLabels)
        body.write(array: [UInt8](booster.serialized()))
        w.write(Self.magic)
        w.write(Self.formatVersion)
        w.write(array: [UInt8](body.data))
        var crc = CRC32C()
        body.data.withUnsafeBytes { crc.update($0) }
        w.write(crc.checksum)
    }

    /// Reads what `write` wrote and rebuilds the ranker over `trainRows` of `dataset` (the
    /// ratings it was fitted on).
    /// - Throws: `BinaryFormatError` for a foreign, truncated or corrupted section;
    ///   `RecommenderError` when the stored parts do not fit the data set.
    public static func read(from r: inout BinaryReader, dataset: Dataset, trainRows: [Int]) throws -> TwoStageHybridRanker {
        let magic = try r.readString("hybrid magic")
        guard magic == Self.magic else { throw BinaryFormatError.badMagic(expected: Self.magic, found: magic) }
        let version = try r.read(UInt32.self, "hybrid version")
        guard version == Self.formatVersion else { throw BinaryFormatError.unsupportedVersion(found: version, supported: Self.formatVersion) }
        let bytes = try r.readArray(UInt8.self, "hybrid section")
        let stored = try r.read(UInt32.self, "hybrid checksum")
        var crc = CRC32C()
        bytes.withUnsafeBytes { crc.update($0) }
        guard crc.checksum == stored else { throw BinaryFormatError.checksumMismatch(section: "two-stage hybrid") }
        var b = BinaryReader(Data(bytes))
        func int(_ what: String) throws -> Int {
            let v = try b.read(Int64.self, what)
            guard v >= 0, v <= 1 << 30 else { throw BinaryFormatError.invalid("hybrid \(what) is \(v)") }
            return Int(v)
        }
        var o = TwoStageHybridOptions()
        o.alsCandidates = try int("ALS candidates")
        o.clusterCandidates = try int("cluster candidates")
        o.popularCandidates = try int("popular candidates")
        o.recentItems = try int("recent items")
        o.features.genreClusters = try int("genre clusters")
        o.features.ratingClusters = try int("rating clusters")
        o.negativeRate = try b.readDouble("negative rate")
        o.popularityPenalty = try b.readFloat("popularity penalty")
        o.features.likeThreshold = try b.readFloat("like threshold")
        o.features.moviePrior = try b.readDouble("movie prior")
        o.features.userPrior = try b.readDouble("user prior")
        o.features.genrePrior = try b.readDouble("genre prior")
        o.features.clusterShrinkage = try b.readDouble("cluster shrinkage")
        o.seed = try b.read(UInt64.self, "seed")
        let model = try ALSModel(from: &b)
        o.als = model.parameters
        try o.validate()
        let genreLabels = try b.readArray(Int32.self, "genre labels")
        let ratingLabels = try b.readArray(Int32.self, "rating labels")
        let booster = try BoostedModel.deserialize(Data(try b.readArray(UInt8.self, "booster")))
        guard booster.featureCount == HybridStageOne.featureNames.count else {
            throw BinaryFormatError.invalid("hybrid booster has \(booster.featureCount) features, expected \(HybridStageOne.featureNames.count)")
        }
        let n = dataset.ratingCount
        for x in trainRows where x < 0 || x >= n { throw RecommenderError.invalidArgument("training row \(x) outside 0..<\(n)") }
        let stageOne = try HybridStageOne.assemble(dataset: dataset, lists: RatingLists(dataset: dataset, rows: trainRows), options: o,
                                                   als: model, genreLabels: genreLabels, ratingLabels: ratingLabels)
        return TwoStageHybridRanker(stageOne: stageOne, booster: booster)
    }
}
