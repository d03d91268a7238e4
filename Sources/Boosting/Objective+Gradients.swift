import Foundation
import Runtime

extension Objective {
    /// The margin (raw score) of a base score: logit for logistic, identity for squared error.
    public func margin(ofBaseScore p: Float) -> Float {
        switch self {
        case .binaryLogistic: return -logf(1 / p - 1)
        case .squaredError: return p
        }
    }

    /// Transforms a margin into a prediction (probability for logistic).
    @inline(__always)
    public func transform(_ margin: Float) -> Float {
        switch self {
        case .binaryLogistic: return 1 / (1 + expf(-margin))
        case .squaredError: return margin
        }
    }

    /// Checks labels: finite, and in [0, 1] for logistic.
    func validate(labels: [Float]) throws {
        for (i, y) in labels.enumerated() {
            guard y.isFinite else { throw BoostingError.invalidInput("label of row \(i + 1) is \(y)") }
            if self == .binaryLogistic, y < 0 || y > 1 {
                throw BoostingError.invalidInput("binary:logistic needs labels in [0, 1]; row \(i + 1) has \(y)")
            }
        }
    }

    /// Default base score: the weighted label mean (clamped into (0, 1) for logistic).
    func estimateBaseScore(labels: [Float], weights: [Float]?) -> Float {
        var s = 0.0, w = 0.0
        for i in 0..<labels.count {
            let wi = weights.map { Double($0[i]) } ?? 1
            s += wi * Double(labels[i]); w += wi
        }
        let mean = w > 0 ? s / w : 0.5
        switch self {
        case .binaryLogistic: return Float(min(max(mean, 1e-6), 1 - 1e-6))
        case .squaredError: return Float(mean)
        }
    }

    /// Writes (gradient, hessian) of every row, weighted.
    func gradients(margins: [Float], labels: [Float], weights: [Float]?, threads: Int, into out: UnsafeMutablePointer<SIMD2<Float>>) {
        let o = UnsafeSendable(out)
        let obj = self
        margins.withUnsafeBufferPointer { mb in
            labels.withUnsafeBufferPointer { lb in
                let m = UnsafeSendable(mb), l = UnsafeSendable(lb)
                let w = weights.map { UnsafeSendable($0) }
                parallelRanges(mb.count, threads: threads, minBlock: 32_768) { r in
                    for i in r {
                        let wi = w?.value[i] ?? 1
                        switch obj {
                        case .binaryLogistic:
                            let p = 1 / (1 + expf(-m.value[i]))
                            o.value[i] = SIMD2((p - l.value[i]) * wi, max(p * (1 - p), 1e-16) * wi)
                        case .squaredError:
                            o.value[i] = SIMD2((m.value[i] - l.value[i]) * wi, wi)
                        }
                    }
                }
            }
        }
    }
}
