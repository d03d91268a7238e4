import Runtime
import Boosting
import CHints

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
        // The ratings packed in visiting order: each epoch's seeded shuffle permutes the packed
        // triples themselves (the same swaps a shuffle of positions would make), so the SGD pass
        // reads them sequentially instead of gathering three columns at random positions.
        var visit = (0..<n).map { Rating(user: users[$0], item: items[$0], value: values[$0]) }
        let lr = p.learningRate, rf = p.factorRegularization, rb = p.biasRegularization
        for _ in 0..<p.epochs {
            visit.withUnsafeMutableBufferPointer { shuffle($0, &rng) }
            sgdEpoch(visit, mean: mu, factors: k,
                     rates: (lr, rf, rb), userBias: &bu, itemBias: &bi, userFactors: &pu, itemFactors: &qi)
        }
        return BiasedMF(mean: mu, factors: k, userBias: bu, itemBias: bi, userFactors: pu, itemFactors: qi,
                        userSeen: userSeen, itemSeen: itemSeen)
    }

    /// How many swaps (ratings) ahead the shuffle and the SGD pass prefetch what they will touch.
    static let lookahead = 8

    /// Fisher–Yates shuffle of `v` (swap `i` with `rng.nextBelow(i + 1)` for `i` from the end
    /// down to 1), drawing each random position `lookahead` swaps early so its cache line is on
    /// its way when the swap comes: the same draws in the same order, so the same permutation.
    static func shuffle(_ v: UnsafeMutableBufferPointer<Rating>, _ rng: inout SplitMix64) {
        let swaps = v.count - 1
        guard swaps > 0, let base = v.baseAddress else { return }
        let depth = min(lookahead, swaps)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: lookahead) { ring in
            func draw(_ s: Int) {
                let j = rng.nextBelow(v.count - s)     // swap s exchanges positions count-1-s and j ≤ count-1-s
                ring[s % lookahead] = j
                movierec_prefetch_write(base + j)
            }
            for s in 0..<depth { draw(s) }
            for s in 0..<swaps {
                let j = ring[s % lookahead]
                if s + lookahead < swaps { draw(s + lookahead) }
                v.swapAt(v.count - 1 - s, j)
            }
        }
    }

    /// One SGD pass over `ratings` in order (indices already checked by `fit`). The same
    /// floating-point operations in the same order as the textbook loop — products and the
    /// factor updates lane by lane (no fused multiply-adds), the dot product summed left to
    /// right — so the model is bitwise the same; only bounds checks and scalar updates are gone.
    static func sgdEpoch(_ ratings: [Rating], mean mu: Float, factors k: Int,
                         rates: (Float, Float, Float), userBias: inout [Float], itemBias: inout [Float],
                         userFactors: inout [Float], itemFactors: inout [Float]) {
        let (lr, rf, rb) = rates
        let lanes = k & ~7
        ratings.withUnsafeBufferPointer { O in
        userBias.withUnsafeMutableBufferPointer { B in
        itemBias.withUnsafeMutableBufferPointer { C in
        userFactors.withUnsafeMutableBufferPointer { P in
        itemFactors.withUnsafeMutableBufferPointer { Q in
            guard let pBase = P.baseAddress, let qBase = Q.baseAddress else {
                // No factors: the biases alone.
                for t in O {
                    let u = Int(t.user), i = Int(t.item)
                    let err = t.value - (mu + B[u] + C[i] + 0)
                    B[u] += lr * (err - rb * B[u])
                    C[i] += lr * (err - rb * C[i])
                }
                return
            }
            // The factor rows of the rating `lookahead` steps on are prefetched: rows are read at
            // random (a shuffled pass), and their loads otherwise stall every step.
            let rowBytes = k * MemoryLayout<Float>.stride
            func prefetchRows(_ t: Rating) {
                let pr = UnsafeRawPointer(pBase + Int(t.user) * k), qr = UnsafeRawPointer(qBase + Int(t.item) * k)
                var off = 0
                while off < rowBytes { movierec_prefetch_write(pr + off); movierec_prefetch_write(qr + off); off += 64 }
                movierec_prefetch_write(pr + (rowBytes - 1)); movierec_prefetch_write(qr + (rowBytes - 1))
            }
            let ahead = rowBytes > 0 ? lookahead : 0
            for s in 0..<min(ahead, O.count) { prefetchRows(O[s]) }
            for (s, t) in O.enumerated() {
                if ahead > 0, s + ahead < O.count { prefetchRows(O[s + ahead]) }
                let u = Int(t.user), i = Int(t.item)
                let p = pBase + u * k, q = qBase + i * k
                var dot: Float = 0
                var f = 0
                while f < lanes {
                    let prod = UnsafeRawPointer(p + f).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(q + f).loadUnaligned(as: SIMD8<Float>.self)
                    for l in 0..<8 { dot += prod[l] }
                    f += 8
                }
                while f < k { dot += p[f] * q[f]; f += 1 }
                let err = t.value - (mu + B[u] + C[i] + dot)
                B[u] += lr * (err - rb * B[u])
                C[i] += lr * (err - rb * C[i])
                let e8 = SIMD8<Float>(repeating: err), lr8 = SIMD8<Float>(repeating: lr), rf8 = SIMD8<Float>(repeating: rf)
                f = 0
                while f < lanes {
                    let a = UnsafeRawPointer(p + f).loadUnaligned(as: SIMD8<Float>.self)
                    let b = UnsafeRawPointer(q + f).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(p + f).storeBytes(of: a + lr8 * (e8 * b - rf8 * a), as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(q + f).storeBytes(of: b + lr8 * (e8 * a - rf8 * b), as: SIMD8<Float>.self)
                    f += 8
                }
                while f < k {
                    let a = p[f], b = q[f]
                    p[f] = a + lr * (err * b - rf * a)
                    q[f] = b + lr * (err * a - rf * b)
                    f += 1
                }
            }
        } } } } }
    }

    /// One training rating as the SGD pass reads it.
    struct Rating {
        var user: Int32
        var item: Int32
        var value: Float
    }

    /// The latent interaction `p_u · q_i` (0 when the user or the movie had no training rating).
    public func interaction(user u: Int, item i: Int) -> Float {
        guard u >= 0, u < userSeen.count, i >= 0, i < itemSeen.count, userSeen[u], itemSeen[i] else { return 0 }
        // Summed left to right (the order every model was fitted and served with); the rows
        // were checked in range when the model was built (`userSeen`/`itemSeen` have their counts).
        return userFactors.withUnsafeBufferPointer { P in
            itemFactors.withUnsafeBufferPointer { Q in
                guard let p = P.baseAddress.map({ $0 + u * factors }), let q = Q.baseAddress.map({ $0 + i * factors }) else { return 0 }
                var dot: Float = 0
                for f in 0..<factors { dot += p[f] * q[f] }
                return dot
            }
        }
    }

    /// Predicted rating of user `u` for movie `i`.
    public func predict(user u: Int, item i: Int) -> Float {
        predictionAndInteraction(user: u, item: i).prediction
    }

    /// `predict(user:item:)` and `interaction(user:item:)` with one dot product.
    public func predictionAndInteraction(user u: Int, item i: Int) -> (prediction: Float, interaction: Float) {
        let b = (u >= 0 && u < userBias.count ? userBias[u] : 0) + (i >= 0 && i < itemBias.count ? itemBias[i] : 0)
        let dot = interaction(user: u, item: i)
        return (mean + b + dot, dot)
    }
}
