import Runtime
import Boosting
import MovieLens
import XCTest
@testable import Recommender

/// The cross-validation's shared-context features: the same rows a direct `FeatureBuilder.build`
/// gives, and no leakage.
final class NestedFoldFeaturesTests: XCTestCase {
    private func options() -> FeatureOptions {
        var o = FeatureOptions()
        o.mf.epochs = 6
        o.mf.factors = 4
        o.genreClusters = 3
        o.ratingClusters = 3
        o.seed = 21
        o.threads = 2
        return o
    }

    private func bits(_ m: FeatureMatrix, _ i: Int) -> [UInt32] { m.row(i).map { $0.bitPattern } }

    /// Outer fold f's test rows are `build`'s test rows with every other fold as training set;
    /// its training rows in fold g are `build`'s test rows with the folds other than f and g as
    /// training set — bit for bit (statistics, factorisation and clusters).
    func testEqualsDirectComputation() throws {
        let data = SyntheticRatings.make(users: 30, movies: 25, perUser: 12)
        let split = try KFoldSplit(count: data.ratingCount, k: 4, seed: 9)
        let o = options()
        let nested = try NestedFoldFeatures(dataset: data, split: split, options: o)
        for f in [0, 2] {
            let built = try nested.features(dataset: data, fold: f, threads: 2)
            XCTAssertEqual(built.trainRows, split.rows(notIn: f))
            XCTAssertEqual(built.testRows, split.rows(in: f))
            let direct = try FeatureBuilder.build(dataset: data, trainRows: split.rows(notIn: f), testRows: split.rows(in: f), options: o)
            XCTAssertEqual(built.test.values.map(\.bitPattern), direct.test.values.map(\.bitPattern), "test rows of fold \(f)")
            XCTAssertEqual(built.trainRating, direct.trainRating)
            XCTAssertEqual(built.testLike, direct.testLike)
            for g in 0..<split.k where g != f {
                let inner = split.fold.indices.filter { Int(split.fold[$0]) != f && Int(split.fold[$0]) != g }
                let rows = split.rows(in: g)
                let other = try FeatureBuilder.build(dataset: data, trainRows: inner, testRows: rows, options: o)
                for (i, r) in rows.enumerated() {
                    guard let pos = built.trainRows.firstIndex(of: r) else { return XCTFail("row \(r) missing from fold \(f)'s training rows") }
                    XCTAssertEqual(bits(built.train, pos), bits(other.test, i), "fold \(f), row \(r) of fold \(g)")
                }
            }
        }
        // One fold prepared alone gives the same features as all folds prepared together.
        let alone = try NestedFoldFeatures(dataset: data, split: split, folds: [2], options: o).features(dataset: data, fold: 2, threads: 1)
        let together = try nested.features(dataset: data, fold: 2, threads: 1)
        XCTAssertEqual(alone.train.values.map(\.bitPattern), together.train.values.map(\.bitPattern))
        XCTAssertEqual(alone.test.values.map(\.bitPattern), together.test.values.map(\.bitPattern))
        XCTAssertThrowsError(try NestedFoldFeatures(dataset: data, split: split, folds: [2], options: o).features(dataset: data, fold: 1, threads: 1))
        XCTAssertThrowsError(try NestedFoldFeatures(dataset: data, split: split, folds: [4], options: o))
    }

    /// Changing one rating leaves that row's features bit-identical in every outer fold that
    /// trains on it, while other rows move (so the check is sensitive); and no feature of a fold
    /// changes when its test ratings are scrambled.
    func testNoRowSeesItsOwnRatingOrTheTestFold() throws {
        let data = SyntheticRatings.make()
        let split = try KFoldSplit(count: data.ratingCount, k: 3, seed: 4)
        let o = options()
        let base = try NestedFoldFeatures(dataset: data, split: split, options: o)
        let r = 37, g = Int(split.fold[37])
        var changed = data
        changed.ratingValue[r] = data.ratingValue[r] >= 3 ? 1 : 5
        let moved = try NestedFoldFeatures(dataset: changed, split: split, options: o)
        for f in 0..<split.k where f != g {
            let a = try base.features(dataset: data, fold: f, threads: 2), b = try moved.features(dataset: changed, fold: f, threads: 2)
            guard let pos = a.trainRows.firstIndex(of: r) else { return XCTFail("row \(r) is not a training row of fold \(f)") }
            XCTAssertEqual(bits(a.train, pos), bits(b.train, pos), "row \(r) saw its own rating in fold \(f)")
            XCTAssertNotEqual(a.trainRating[pos], b.trainRating[pos])
            XCTAssertNotEqual(a.test.values.map(\.bitPattern), b.test.values.map(\.bitPattern), "test rows use every training rating")
        }
        var scrambled = data
        var rng = SplitMix64(seed: 5)
        for row in split.rows(in: 1) { scrambled.ratingValue[row] = Float(1 + rng.next() % 5) }
        let s = try NestedFoldFeatures(dataset: scrambled, split: split, folds: [1], options: o).features(dataset: scrambled, fold: 1, threads: 2)
        let a = try base.features(dataset: data, fold: 1, threads: 2)
        XCTAssertEqual(s.train.values.map(\.bitPattern), a.train.values.map(\.bitPattern))
        XCTAssertEqual(s.test.values.map(\.bitPattern), a.test.values.map(\.bitPattern))
        XCTAssertNotEqual(s.testRating, a.testRating)
    }

    /// With 2 outer folds a training row's only other fold is the test fold, so each fold builds
    /// its own inner folds: the training rows are still described by the other training ratings
    /// (their users' counts are positive, not the zeros of an empty context) and the whole run works.
    func testTwoFoldsBuildTheirOwnInnerFolds() throws {
        let data = SyntheticRatings.make(users: 40, movies: 25, perUser: 12)
        var o = EvaluationOptions()
        o.folds = 2
        o.features = options()
        o.classifier.rounds = 10
        o.regressor.rounds = 10
        let f = try CrossValidation.foldFeatures(dataset: data, options: o, fold: 1)
        let count = try XCTUnwrap(f.schema.names.firstIndex(of: "user_count"))
        let described = (0..<f.train.rows).filter { f.train[$0, count] > 0 }.count
        XCTAssertGreaterThan(described, f.train.rows * 9 / 10)
        XCTAssertEqual(f.train.rows + f.test.rows, data.ratingCount)
        XCTAssertEqual(try CrossValidation.run(dataset: data, options: o).folds.count, 2)
    }

    /// The SIMD factorisation equals a plain scalar SGD (the textbook update, same visiting
    /// order and initial factors) up to float rounding, for a factor count with a remainder
    /// lane (10 = 8 + 2).
    func testBiasedMFMatchesScalarReference() throws {
        let data = SyntheticRatings.make(users: 40, movies: 30, perUser: 15)
        var p = BiasedMFParameters()
        p.factors = 10; p.epochs = 5; p.seed = 3
        let users = data.ratingUser.array, items = data.ratingMovie.array, values = data.ratingValue.array
        let model = try BiasedMF.fit(users: users, items: items, values: values, userCount: data.userCount,
                                     itemCount: data.movieCount, parameters: p)
        // Reference: the same seeded initialisation and shuffles, scalar updates.
        let n = values.count, k = p.factors
        let mu = Float(values.reduce(0.0) { $0 + Double($1) } / Double(n))
        var rng = SplitMix64(seed: p.seed ^ 0xB1A5_ED3F_0000_0001)
        var pu = (0..<(data.userCount * k)).map { _ in Float(rng.nextUnit() * 2 - 1) * p.initialScale }
        var qi = (0..<(data.movieCount * k)).map { _ in Float(rng.nextUnit() * 2 - 1) * p.initialScale }
        var bu = [Float](repeating: 0, count: data.userCount), bi = [Float](repeating: 0, count: data.movieCount)
        var order = Array(0..<n)
        for _ in 0..<p.epochs {
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextBelow(i + 1)) }
            for t in order {
                let u = Int(users[t]), i = Int(items[t])
                var dot: Float = 0
                for f in 0..<k { dot += pu[u * k + f] * qi[i * k + f] }
                let err = values[t] - (mu + bu[u] + bi[i] + dot)
                bu[u] += p.learningRate * (err - p.biasRegularization * bu[u])
                bi[i] += p.learningRate * (err - p.biasRegularization * bi[i])
                for f in 0..<k {
                    let a = pu[u * k + f], b = qi[i * k + f]
                    pu[u * k + f] = a + p.learningRate * (err * b - p.factorRegularization * a)
                    qi[i * k + f] = b + p.learningRate * (err * a - p.factorRegularization * b)
                }
            }
        }
        XCTAssertEqual(model.mean, mu)
        for (x, y) in zip(model.userBias, bu) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        for (x, y) in zip(model.itemBias, bi) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        for (x, y) in zip(model.userFactors, pu) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        for (x, y) in zip(model.itemFactors, qi) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        XCTAssertGreaterThan(bu.map(abs).max() ?? 0, 0.01, "the reference must have moved")
    }
}
