import Boosting
import Factorization
import Runtime

/// The top-N rankers of a bundle (`Recommender/TopN`) and how they are stored:
/// - `hybrid.bin`: the two-stage hybrid in its own binary form (`TwoStageHybridRanker.write`:
///   options, the stage-1 ALS model and cluster labels, the stage-2 booster, a CRC-32C); at load
///   time stage 1 is assembled from these parts and the catalogue's ratings (counts, affinities,
///   timelines) — nothing is refitted;
/// - `als.bin` (only when the ALS ranker is not the hybrid's stage-1 ALS, which `movierec train`
///   shares): the implicit ALS model; the ranker's history is the catalogue's ratings;
/// - `notebook.bin`: the notebook hybrid's tuned weight and clustering (it reuses the classifier
///   and the serving statistics).
struct RankerComponents: Sendable {
    var als: ALSRanker
    var hybrid: TwoStageHybridRanker
    /// The hybrid's options (on load: those its section records).
    var hybridOptions: TwoStageHybridOptions
    var notebook: NotebookHybridRanker

    /// Whether the ALS ranker is the hybrid's stage-1 ALS (then `als.bin` is not written).
    var alsIsHybridStageOne: Bool { als.model == hybrid.stageOne.als.model }

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
