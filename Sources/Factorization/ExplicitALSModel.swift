import Foundation
import LinearAlgebra
import Runtime

/// A fitted explicit-ALS rating model: `r̂ᵤᵢ = μ + bᵤ + bᵢ + xᵤ·yᵢ`, clamped to the training
/// ratings' range. A user or item without training ratings has zero bias and factors, so its
/// prediction falls back to the mean plus the other side's bias.
public struct ExplicitALSModel: Sendable, Equatable {
    /// Mean training rating μ.
    public let globalMean: Float
    /// bᵤ per user.
    public let userBias: [Float]
    /// bᵢ per item.
    public let itemBias: [Float]
    /// Users × factors.
    public let userFactors: Matrix<Float>
    /// Items × factors.
    public let itemFactors: Matrix<Float>
    /// Smallest and largest training rating; predictions are clamped to it.
    public let ratingRange: ClosedRange<Float>
    /// Training parameters (`threads` not kept).
    public let parameters: ExplicitALSParameters

    /// Wraps fitted values. - Throws: `.invalidInput` when shapes disagree.
    public init(globalMean: Float, userBias: [Float], itemBias: [Float], userFactors: Matrix<Float>,
                itemFactors: Matrix<Float>, ratingRange: ClosedRange<Float>, parameters: ExplicitALSParameters) throws(ALSError) {
        guard userBias.count == userFactors.rows, itemBias.count == itemFactors.rows,
              userFactors.cols == parameters.factors, itemFactors.cols == parameters.factors else {
            throw .invalidInput("explicit ALS shapes disagree: \(userBias.count) user biases, \(itemBias.count) item biases, "
                + "user factors \(userFactors.rows)x\(userFactors.cols), item factors \(itemFactors.rows)x\(itemFactors.cols), \(parameters.factors) factors")
        }
        self.globalMean = globalMean
        self.userBias = userBias
        self.itemBias = itemBias
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.ratingRange = ratingRange
        var p = parameters
        p.threads = nil
        self.parameters = p
    }

    /// Number of users.
    public var users: Int { userFactors.rows }
    /// Number of items.
    public var items: Int { itemFactors.rows }
    /// Latent factors.
    public var factors: Int { parameters.factors }

    /// The predicted rating of `item` by `user`, clamped to `ratingRange`.
    /// - Throws: `.indexOutOfRange` for an index outside the model.
    public func predict(user: Int, item: Int) throws(ALSError) -> Float {
        guard user >= 0, user < users else { throw .indexOutOfRange("user \(user) is not in 0..<\(users)") }
        guard item >= 0, item < items else { throw .indexOutOfRange("item \(item) is not in 0..<\(items)") }
        let k = factors
        var s = globalMean + userBias[user] + itemBias[item]
        if k > 0 {
            s += userFactors.withUnsafeBufferPointer { up in
                itemFactors.withUnsafeBufferPointer { ip in
                    guard let u = up.baseAddress, let i = ip.baseAddress else { return Float(0) }
                    return VectorOps.dot(u + user * k, i + item * k, k)
                }
            }
        }
        return min(max(s, ratingRange.lowerBound), ratingRange.upperBound)
    }

    static let magic = "MovieRec.ExplicitALS"

    /// Appends the model (CRC-32C protected) to `writer`.
    public func write(to writer: inout BinaryWriter) {
        FactorCoding.writeSection(magic: ExplicitALSModel.magic, to: &writer) { w in
            w.write(UInt64(parameters.factors))
            w.write(parameters.regularization)
            w.write(UInt64(parameters.iterations))
            w.write(UInt8(parameters.backend == .blas ? 0 : 1))
            w.write(parameters.seed)
            w.write(globalMean)
            w.write(ratingRange.lowerBound)
            w.write(ratingRange.upperBound)
            w.write(UInt64(users))
            w.write(UInt64(items))
            w.write(array: userBias)
            w.write(array: itemBias)
            w.write(array: userFactors.storage)
            w.write(array: itemFactors.storage)
        }
    }

    /// Reads a model written by `write(to:)`.
    /// - Throws: `BinaryFormatError` (truncated, wrong magic/version, checksum mismatch, bad shapes).
    public init(from reader: inout BinaryReader) throws {
        self = try FactorCoding.readSection(magic: ExplicitALSModel.magic, name: "explicit ALS model", from: &reader) { r in
            var p = ExplicitALSParameters()
            p.factors = try FactorCoding.readInt(&r, "factors")
            p.regularization = try r.readFloat("regularization")
            p.iterations = try FactorCoding.readInt(&r, "iterations")
            let backendTag = try r.read(UInt8.self, "backend")
            guard backendTag <= 1 else { throw BinaryFormatError.invalid("unknown backend tag \(backendTag)") }
            p.backend = backendTag == 0 ? .blas : .swift
            p.seed = try r.read(UInt64.self, "seed")
            do { try p.validate() } catch { throw BinaryFormatError.invalid("stored explicit ALS parameters: \(error)") }
            let mean = try r.readFloat("mean"), lo = try r.readFloat("rating minimum"), hi = try r.readFloat("rating maximum")
            guard mean.isFinite, lo.isFinite, hi.isFinite, lo <= hi else { throw BinaryFormatError.invalid("explicit ALS mean/range not finite") }
            let users = try FactorCoding.readInt(&r, "users"), items = try FactorCoding.readInt(&r, "items")
            let ub = try r.readArray(Float.self, "user biases"), ib = try r.readArray(Float.self, "item biases")
            guard ub.count == users, ib.count == items, ub.allSatisfy(\.isFinite), ib.allSatisfy(\.isFinite) else {
                throw BinaryFormatError.invalid("explicit ALS biases: \(ub.count) and \(ib.count) for \(users) users and \(items) items")
            }
            let x = try FactorCoding.readMatrix(&r, rows: users, cols: p.factors, "user factors")
            let y = try FactorCoding.readMatrix(&r, rows: items, cols: p.factors, "item factors")
            return try ExplicitALSModel(globalMean: mean, userBias: ub, itemBias: ib, userFactors: x, itemFactors: y,
                                        ratingRange: lo...hi, parameters: p)
        }
    }
}
