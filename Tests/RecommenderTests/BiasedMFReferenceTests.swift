import Runtime
import XCTest
@testable import Recommender

/// The vectorised SGD epoch of `BiasedMF` against the textbook scalar loop: the models must be
/// bitwise equal (same operations, same order), for factor counts with and without an 8-lane tail.
final class BiasedMFReferenceTests: XCTestCase {
    /// The loop `BiasedMF.fit` ran before it was vectorised, kept verbatim as the reference.
    private func reference(users: [Int32], items: [Int32], values: [Float], userCount: Int, itemCount: Int,
                           parameters p: BiasedMFParameters) -> (bu: [Float], bi: [Float], pu: [Float], qi: [Float]) {
        let n = values.count, k = p.factors
        var mean = 0.0
        for v in values { mean += Double(v) }
        let mu = n > 0 ? Float(mean / Double(n)) : 0
        var rng = SplitMix64(seed: p.seed ^ 0xB1A5_ED3F_0000_0001)
        func initial() -> Float { Float(rng.nextUnit() * 2 - 1) * p.initialScale }
        var pu = (0..<(userCount * k)).map { _ in initial() }
        var qi = (0..<(itemCount * k)).map { _ in initial() }
        var bu = [Float](repeating: 0, count: userCount), bi = [Float](repeating: 0, count: itemCount)
        var order = Array(0..<n)
        let lr = p.learningRate, rf = p.factorRegularization, rb = p.biasRegularization
        for _ in 0..<p.epochs {
            if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextBelow(i + 1)) } }
            for t in order {
                let u = Int(users[t]), i = Int(items[t])
                let pb = u * k, qb = i * k
                var dot: Float = 0
                for f in 0..<k { dot += pu[pb + f] * qi[qb + f] }
                let err = values[t] - (mu + bu[u] + bi[i] + dot)
                bu[u] += lr * (err - rb * bu[u])
                bi[i] += lr * (err - rb * bi[i])
                for f in 0..<k {
                    let a = pu[pb + f], b = qi[qb + f]
                    pu[pb + f] = a + lr * (err * b - rf * a)
                    qi[qb + f] = b + lr * (err * a - rf * b)
                }
            }
        }
        return (bu, bi, pu, qi)
    }

    func testVectorisedEpochIsBitwiseTheTextbookLoop() throws {
        // Rating counts below, at and above the prefetch look-ahead of the shuffle and the pass.
        for n in [1, 2, BiasedMF.lookahead, BiasedMF.lookahead + 1, 1_500] {
            try checkAgainstReference(ratings: n)
        }
    }

    private func checkAgainstReference(ratings n: Int) throws {
        var rng = SplitMix64(seed: 99)
        let users = 37, items = 53
        var u: [Int32] = [], i: [Int32] = [], v: [Float] = []
        for _ in 0..<n {
            u.append(Int32(rng.nextBelow(users)))
            i.append(Int32(rng.nextBelow(items)))
            v.append(Float(1 + rng.nextBelow(10)) / 2)
        }
        for factors in [0, 3, 8, 24, 29] {
            var p = BiasedMFParameters()
            p.factors = factors
            p.epochs = 6
            p.seed = 5
            let fitted = try BiasedMF.fit(users: u, items: i, values: v, userCount: users, itemCount: items, parameters: p)
            let want = reference(users: u, items: i, values: v, userCount: users, itemCount: items, parameters: p)
            XCTAssertEqual(fitted.userBias.map(\.bitPattern), want.bu.map(\.bitPattern), "n = \(n), k = \(factors)")
            XCTAssertEqual(fitted.itemBias.map(\.bitPattern), want.bi.map(\.bitPattern), "n = \(n), k = \(factors)")
            XCTAssertEqual(fitted.userFactors.map(\.bitPattern), want.pu.map(\.bitPattern), "n = \(n), k = \(factors)")
            XCTAssertEqual(fitted.itemFactors.map(\.bitPattern), want.qi.map(\.bitPattern), "n = \(n), k = \(factors)")
            // Not trivially equal: training moved the biases (a handful of ratings may not).
            if n > BiasedMF.lookahead { XCTAssertTrue(fitted.userBias.contains { $0 != 0 }) }
        }
    }
}
