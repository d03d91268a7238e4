import Runtime
import Boosting

/// Hyper-parameters of `BiasedMF`.
public struct BiasedMFParameters: Sendable, Equatable {
    /// Latent dimension.
    public var factors = 24
    /// Passes over the ratings.
    public var epochs = 25
    /// SGD step size.
    public var learningRate: Float = 0.008
    /// L2 penalty on the factor vectors.
    public var factorRegularization: Float = 0.04
    /// L2 penalty on the user and movie biases.
    public var biasRegularization: Float = 0.01
    /// Standard deviation-like scale of the initial factors (uniform in ±scale).
    public var initialScale: Float = 0.05
    /// Seed of the initial factors and of the per-epoch visiting order.
    public var seed: UInt64 = 0

    public init() {}
}

/// Biased matrix factorisation trained by stochastic gradient descent (Funk-style):
/// `r̂(u, i) = μ + b_u + b_i + p_u · q_i`.
///
/// The visiting order of each epoch is a seeded shuffle of the row positions, so the model
/// depends on the ratings' values only through the gradient steps: fitting is deterministic,
/// and a rating never seen by `fit` cannot influence the model. Users or movies with no
/// training rating predict from the biases they have (their factors are ignored).
public struct BiasedMF: Sendable {
    /// Global mean of the training ratings.
    public let mean: Float
    /// Latent dimension.
    public let factors: Int
    /// Bias per user.
    public let userBias: [Float]
    /// Bias per movie.
    public let itemBias: [Float]
    /// User factors, row-major `users × factors`.
    public let userFactors: [Float]
    /// Movie factors, row-major `movies × factors`.
    public let itemFactors: [Float]
    /// Whether each user / movie had at least one training rating.
    let userSeen: [Bool], itemSeen: [Bool]

    /// Fits the model on the ratings `(users[t], items[t], values[t])`.
    /// Indices must lie in `0..<userCount` and `0..<itemCount`.
    public static func fit(users: [Int32], items: [Int32], values: [Float], userCount: Int, itemCount: Int,
                           parameters p: BiasedMFParameters) throws -> BiasedMF {
        let n = values.count
        guard users.count == n, items.count == n else { throw RecommenderError.invalidArgument("rating columns differ in length") }
        guard p.factors >= 0, p.epochs >= 0 else { throw RecommenderError.invalidArgument("factors and epochs must be ≥ 0") }
        for t in 0..<n where users[t] < 0 || Int(users[t]) >= userCount || items[t] < 0 || Int(items[t]) >= itemCount {
            throw RecommenderError.invalidArgument("rating \(t) refers to user \(users[t]) / movie \(items[t]) outside the index range")
        }
        let k = p.factors
        var mean = 0.0
        for v in values { mean += Double(v) }
        let mu = n > 0 ? Float(mean / Double(n)) : 0
        var rng = SplitMix64(seed: p.seed ^ 0xB1A5_ED3F_0000_0001)
        func initial() -> Float { Float(rng.nextUnit() * 2 - 1) * p.initialScale }
        var pu = (0..<(userCount * k)).map { _ in initial() }
        var qi = (0..<(itemCount * k)).map { _ in initial() }
        var bu = [Float](repeating: 0, count: userCount)
        var bi = [Float](repeating: 0, count: itemCount)
        var userSeen = [Bool](repeating: false, count: userCount)
        var itemSeen = [Bool](repeating: false, count: itemCount)
        for t in 0..<n { userSeen[Int(users[t])] = true; itemSeen[Int(items[t])] = true }
        var order = Array(0..<n)
        let lr = p.learningRate, rf = p.factorRegularization, rb = p.biasRegularization
        pu.withUnsafeMutableBufferPointer { P in
            qi.withUnsafeMutableBufferPointer { Q in
                for _ in 0..<p.epochs {
                    if n > 1 {
                        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextBelow(i + 1)) }
                    }
                    for t in order {
                        let u = Int(users[t]), i = Int(items[t])
                        let pb = u * k, qb = i * k
                        var dot: Float = 0
                        for f in 0..<k { dot += P[pb + f] * Q[qb + f] }
                        let err = values[t] - (mu + bu[u] + bi[i] + dot)
                        bu[u] += lr * (err - rb * bu[u])
                        bi[i] += lr * (err - rb * bi[i])
                        for f in 0..<k {
                            let a = P[pb + f], b = Q[qb + f]
                            P[pb + f] = a + lr * (err * b - rf * a)
                            Q[qb + f] = b + lr * (err * a - rf * b)
                        }
                    }
                }
            }
        }
        return BiasedMF(mean: mu, factors: k, userBias: bu, itemBias: bi, userFactors: pu, itemFactors: qi,
                        userSeen: userSeen, itemSeen: itemSeen)
    }

    /// The latent interaction `p_u · q_i` (0 when the user or the movie had no training rating).
    public func interaction(user u: Int, item i: Int) -> Float {
        guard u >= 0, u < userSeen.count, i >= 0, i < itemSeen.count, userSeen[u], itemSeen[i] else { return 0 }
        var dot: Float = 0
        let pb = u * factors, qb = i * factors
        for f in 0..<factors { dot += userFactors[pb + f] * itemFactors[qb + f] }
        return dot
    }

    /// Predicted rating of user `u` for movie `i`.
    public func predict(user u: Int, item i: Int) -> Float {
        let b = (u >= 0 && u < userBias.count ? userBias[u] : 0) + (i >= 0 && i < itemBias.count ? itemBias[i] : 0)
        return mean + b + interaction(user: u, item: i)
    }
}
