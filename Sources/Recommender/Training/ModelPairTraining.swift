import Boosting
import Foundation
import Runtime

/// Trains the like-classifier and the rating regressor on one shared binning — at the same time,
/// on one half of the threads each, when `concurrent` — as `movierec train` and every
/// cross-validation fold do.
enum ModelPairTraining {
    /// One model of the pair: its parameters (threads included), labels and name for errors.
    struct Job {
        var parameters: BoostingParameters
        var labels: [Float]
        var name: String
    }

    /// The trained models and each one's wall-clock seconds, in the order of `jobs`. A failure is
    /// reported as `RecommenderError.training("<name>: <reason>")`; `advance` is called once
    /// per boosting round of either model.
    static func train(binned: BinnedMatrix, featureNames: [String], jobs: [Job], concurrent: Bool,
                      advance: (@Sendable () -> Void)? = nil) throws -> (models: [BoostedModel], seconds: [Double]) {
        var models = [Result<BoostedModel, Error>?](repeating: nil, count: jobs.count)
        var seconds = [Double](repeating: 0, count: jobs.count)
        models.withUnsafeMutableBufferPointer { buf in
            seconds.withUnsafeMutableBufferPointer { sec in
                let out = UnsafeSendable(buf), secs = UnsafeSendable(sec)
                parallelFor(chunks: jobs.count, threads: concurrent ? jobs.count : 1) { j in
                    let start = DispatchTime.now().uptimeNanoseconds
                    out.value[j] = Result {
                        do {
                            return try BoostedModel.train(binned: binned, featureNames: featureNames, labels: jobs[j].labels,
                                                          parameters: jobs[j].parameters,
                                                          progress: advance.map { a in { _, _ in a() } }).model
                        } catch { throw RecommenderError.training("\(jobs[j].name): \(error)") }
                    }
                    secs.value[j] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                }
            }
        }
        var trained: [BoostedModel] = []
        for m in models {
            guard let m else { throw RecommenderError.training("a model did not train") }
            trained.append(try m.get())
        }
        return (trained, seconds)
    }
}
