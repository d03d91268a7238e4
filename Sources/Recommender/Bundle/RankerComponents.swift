import Boosting
import Factorization
import Runtime

/// The top-N rankers of a bundle (`Recommender/TopN`) and what rebuilds them at load time:
/// - `als.bin`: the implicit ALS model (`ALSModel` binary form); the ranker's history is the
///   catalogue's ratings;
/// - `hybrid.gbt` + `hybrid.bin`: the two-stage hybrid's stage-2 booster and its stage-1 settings;
///   stage 1 (clusters, counts, candidate lists) is rebuilt from the catalogue's ratings with the
///   stored ALS model (`TwoStageHybridRanker.rebuild`);
/// - `notebook.bin`: the notebook hybrid's tuned weight and clustering (it reuses the classifier
///   and the serving statistics).
struct RankerComponents: Sendable {
    var als: ALSRanker
    var hybrid: TwoStageHybridRanker
    var hybridOptions: TwoStageHybridOptions
    var notebook: NotebookHybridRanker

    /// The stage-1 settings of the hybrid (the feature options and ALS parameters are stored elsewhere).
    static func encode(hybrid o: TwoStageHybridOptions, into w: inout BinaryWriter) {
        w.write(Int64(o.alsCandidates)); w.write(Int64(o.clusterCandidates)); w.write(Int64(o.popularCandidates))
        w.write(Int64(o.recentItems)); w.write(o.negativeRate); w.write(o.seed)
    }

    static func decodeHybrid(_ r: inout BinaryReader, features: FeatureOptions, als: ImplicitALSParameters) throws -> TwoStageHybridOptions {
        var o = TwoStageHybridOptions()
        o.alsCandidates = Int(try r.read(Int64.self, "ALS candidates"))
        o.clusterCandidates = Int(try r.read(Int64.self, "cluster candidates"))
        o.popularCandidates = Int(try r.read(Int64.self, "popular candidates"))
        o.recentItems = Int(try r.read(Int64.self, "recent items"))
        o.negativeRate = try r.readDouble("negative rate")
        o.seed = try r.read(UInt64.self, "seed")
        o.features = features
        o.als = als
        try o.validate()
        return o
    }

    static func encode(notebook n: NotebookHybridRanker, into w: inout BinaryWriter) {
        w.write(n.weight)
        w.write(n.clustering.rawValue)
    }

    static func decodeNotebook(_ r: inout BinaryReader) throws -> (Float, NotebookHybridRanker.Clustering) {
        let weight = try r.readFloat("weight")
        let name = try r.readString("clustering")
        guard weight.isFinite, let c = NotebookHybridRanker.Clustering(rawValue: name) else {
            throw BinaryFormatError.invalid("notebook hybrid: weight \(weight), clustering \"\(name)\"")
        }
        return (weight, c)
    }
}
