import XCTest
import Boosting

final class TrainingTests: XCTestCase {
    /// x = 1…4, y = 0,0,1,1, squared error from base 0.5, λ = 1, η = 1, depth 1:
    /// g = 0.5 − y = (½, ½, −½, −½), h = 1. Split x < 3: G_L = 1, H_L = 2, G_R = −1, H_R = 2.
    /// gain = 1²/3 + 1²/3 − 0²/5 = 2/3; leaves −G/(H+λ) = −1/3 and +1/3.
    func testHandComputedStump() throws {
        let x = try FeatureMatrix(rows: 4, columns: 1, columnMajor: [1, 2, 3, 4])
        var p = BoostingParameters()
        p.objective = .squaredError
        p.rounds = 1; p.eta = 1; p.maxDepth = 1; p.minChildWeight = 0; p.baseScore = 0.5
        let r = try BoostedModel.train(features: x, labels: [0, 0, 1, 1], parameters: p)
        let t = r.model.trees[0]
        XCTAssertEqual(t.count, 3)
        XCTAssertEqual(t.feature[0], 0)
        XCTAssertEqual(t.threshold[0], 3)
        XCTAssertEqual(Double(t.gain[0]), 2.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(t.value[Int(t.left[0])], -1.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(t.value[t.right(0)], 1.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(Double(t.cover[0]), 4, accuracy: 1e-9)
        let pred = try r.model.predict(x)
        XCTAssertEqual(pred[0], 0.5 - 1.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(pred[3], 0.5 + 1.0 / 3.0, accuracy: 1e-6)
    }

    /// The same stump with α = 0.25 and γ: T(G) = sign(G)·(|G| − α) → leaves ∓0.75/3, gain
    /// 2·0.75²/3 = 0.375; γ = 0.4 forbids the split (root stays a leaf with weight 0).
    func testL1AndGamma() throws {
        let x = try FeatureMatrix(rows: 4, columns: 1, columnMajor: [1, 2, 3, 4])
        var p = BoostingParameters()
        p.objective = .squaredError
        p.rounds = 1; p.eta = 1; p.maxDepth = 1; p.minChildWeight = 0; p.baseScore = 0.5; p.alpha = 0.25
        let t = try BoostedModel.train(features: x, labels: [0, 0, 1, 1], parameters: p).model.trees[0]
        XCTAssertEqual(Double(t.gain[0]), 0.375, accuracy: 1e-6)
        XCTAssertEqual(t.value[Int(t.left[0])], -0.25, accuracy: 1e-6)
        p.gamma = 0.4
        let t2 = try BoostedModel.train(features: x, labels: [0, 0, 1, 1], parameters: p).model.trees[0]
        XCTAssertEqual(t2.count, 1)
        XCTAssertEqual(t2.value[0], 0, accuracy: 1e-7)
    }

    /// The histogram tree equals exact greedy when every distinct value has its own bin.
    func testMatchesExactGreedyReference() throws {
        for logistic in [true, false] {
            let d = try Synthetic.make(rows: 400, columns: 4, seed: logistic ? 7 : 8, binary: logistic, missingRate: 0.1, decimals: 1)
            var p = BoostingParameters()
            p.objective = logistic ? .binaryLogistic : .squaredError
            p.rounds = 4; p.maxDepth = 3; p.lambda = 1.5; p.alpha = 0.1; p.minChildWeight = logistic ? 0.5 : 2
            p.threads = 2
            let model = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
            let ours = try model.predictMargins(d.features)
            let ref = ExactGreedyReference(lambda: 1.5, alpha: 0.1, gamma: 0, minChildWeight: p.minChildWeight, eta: 0.3, maxDepth: 3, logistic: logistic)
            let theirs = ref.train(d.features, d.labels, base: model.baseMargin, rounds: 4)
            for i in 0..<d.features.rows { XCTAssertEqual(ours[i], theirs[i], accuracy: 1e-5, "row \(i) logistic=\(logistic)") }
            XCTAssertGreaterThan(model.trees.map(\.leafCount).reduce(0, +), 12)
        }
    }

    func testTrainingLossDecreasesEveryRound() throws {
        for objective in Objective.allCases {
            let d = try Synthetic.make(rows: 2000, columns: 6, seed: 3, binary: objective == .binaryLogistic)
            var p = BoostingParameters()
            p.objective = objective
            p.rounds = 15; p.maxDepth = 4; p.subsample = 1
            let model = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
            let metric: Metric = objective == .binaryLogistic ? .logloss : .rmse
            var last = Double.infinity
            for k in 0...p.rounds {
                let loss = metric.evaluate(predictions: try model.prefix(k).predict(d.features), labels: d.labels)
                XCTAssertLessThan(loss, last, "\(objective) round \(k)")
                last = loss
            }
        }
    }

    /// Rows with a missing value follow the learned default direction: to the side whose
    /// labels they resemble.
    func testMissingValuesGoToLearnedSide() throws {
        for missingLabel: Float in [0, 1] {
            var values: [Float] = []
            var labels: [Float] = []
            for i in 0..<60 {
                switch i % 3 {
                case 0: values.append(Float(i % 10)); labels.append(0)          // small → 0
                case 1: values.append(Float(20 + i % 10)); labels.append(1)     // large → 1
                default: values.append(.nan); labels.append(missingLabel)
                }
            }
            let x = try FeatureMatrix(rows: values.count, columns: 1, columnMajor: values)
            var p = BoostingParameters()
            p.objective = .squaredError; p.rounds = 1; p.maxDepth = 1; p.eta = 1; p.lambda = 0
            let model = try BoostedModel.train(features: x, labels: labels, parameters: p).model
            let t = model.trees[0]
            XCTAssertEqual(t.feature[0], 0)
            XCTAssertEqual(t.defaultLeft[0], missingLabel == 0, "missing rows labelled \(missingLabel)")
            let nanPred = try model.predict(row: [.nan])
            let samePred = try model.predict(row: [missingLabel == 0 ? 3 : 25])
            XCTAssertEqual(nanPred, samePred)
            XCTAssertEqual(nanPred, missingLabel, accuracy: 1e-5)
        }
    }

    func testDeterministicForSeedAndAcrossThreadCounts() throws {
        let d = try Synthetic.make(rows: 40_000, columns: 5, seed: 11, binary: true)
        var p = BoostingParameters()
        p.rounds = 8; p.maxDepth = 5; p.subsample = 0.8; p.colsampleBytree = 0.8; p.seed = 42
        p.threads = 2
        let a = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        let b = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        p.threads = 1
        let c = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        XCTAssertEqual(a.trees, b.trees)
        XCTAssertEqual(a.trees, c.trees, "1 and 2 threads must give the same trees")
        let pa = try a.predict(d.features, threads: 2), pc = try c.predict(d.features, threads: 1)
        XCTAssertEqual(pa.map(\.bitPattern), pc.map(\.bitPattern))
        p.seed = 43
        p.threads = 2
        let e = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        XCTAssertNotEqual(a.trees, e.trees, "another seed samples other rows")
    }

    /// Training on a pre-binned matrix (shared by two models) gives exactly the trees of
    /// training on the features with the same sketch; mismatched inputs are rejected.
    func testTrainOnSharedBinnedMatrixEqualsTrainOnFeatures() throws {
        let d = try Synthetic.make(rows: 5000, columns: 6, seed: 21, binary: false)
        var p = BoostingParameters()
        p.objective = .squaredError
        p.rounds = 6; p.maxDepth = 4; p.subsample = 0.8; p.colsampleBytree = 0.7; p.seed = 9; p.maxBin = 64
        let binned = BinnedMatrix(d.features, cuts: BinCuts.sketch(d.features, maxBin: p.maxBin, sampleRows: p.sketchRows, seed: p.seed))
        let names = (0..<6).map { "f\($0)" }
        let direct = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        let shared = try BoostedModel.train(binned: binned, featureNames: names, labels: d.labels, parameters: p).model
        XCTAssertEqual(direct.trees, shared.trees)
        // A second model (another objective) on the same binned matrix.
        var q = p
        q.objective = .binaryLogistic
        let like = d.labels.map { $0 > 0.5 ? Float(1) : 0 }
        let a = try BoostedModel.train(features: d.features, labels: like, parameters: q).model
        let b = try BoostedModel.train(binned: binned, featureNames: names, labels: like, parameters: q).model
        XCTAssertEqual(a.trees, b.trees)
        XCTAssertThrowsError(try BoostedModel.train(binned: binned, featureNames: ["x"], labels: d.labels, parameters: p))
        XCTAssertThrowsError(try BoostedModel.train(binned: binned, featureNames: names, labels: [1, 2], parameters: p))
    }

    func testLossGuidedRespectsMaxLeaves() throws {
        let d = try Synthetic.make(rows: 3000, columns: 5, seed: 5, binary: false)
        var p = BoostingParameters()
        p.objective = .squaredError; p.rounds = 3; p.maxLeaves = 7; p.maxDepth = 0
        let model = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        for t in model.trees { XCTAssertEqual(t.leafCount, 7) }
        // Best-first: the first split chosen is the root's, and every internal node's gain is
        // positive.
        for t in model.trees { for i in 0..<t.count where t.feature[i] >= 0 { XCTAssertGreaterThan(t.gain[i], 0) } }
    }

    func testEarlyStoppingKeepsBestIteration() throws {
        let train = try Synthetic.make(rows: 800, columns: 6, seed: 21, binary: true)
        let valid = try Synthetic.make(rows: 800, columns: 6, seed: 22, binary: true)
        var p = BoostingParameters()
        p.rounds = 200; p.maxDepth = 6; p.eta = 0.5; p.earlyStoppingRounds = 5; p.metric = .logloss
        let r = try BoostedModel.train(features: train.features, labels: train.labels, parameters: p,
                                       validation: ValidationSet(features: valid.features, labels: valid.labels))
        let best = try XCTUnwrap(r.report.bestIteration)
        XCTAssertLessThan(r.report.roundsTrained, 200, "noisy data must overfit before 200 rounds")
        XCTAssertEqual(r.report.roundsTrained, best + 1 + 5)
        XCTAssertEqual(r.model.trees.count, best + 1)
        let bestScore = try XCTUnwrap(r.report.bestScore)
        XCTAssertEqual(bestScore, r.report.history.min() ?? .nan)
        let ll = Metric.logloss.evaluate(predictions: try r.model.predict(valid.features), labels: valid.labels)
        XCTAssertEqual(ll, bestScore, accuracy: 1e-6)
    }

    func testImportanceCountsSplits() throws {
        let d = try Synthetic.make(rows: 2000, columns: 6, seed: 9, binary: true)
        var p = BoostingParameters()
        p.rounds = 5; p.maxDepth = 3
        let model = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        let weight = model.importance(.weight)
        let splits = model.trees.map { $0.count - $0.leafCount }.reduce(0, +)
        XCTAssertEqual(Int(weight.reduce(0, +)), splits)
        let gain = model.importance(.totalGain)
        // Columns 3…5 are noise: the informative columns 0…2 dominate the gain.
        XCTAssertGreaterThan(gain[0...2].reduce(0, +), 5 * gain[3...5].reduce(0, +))
    }

    func testInvalidParametersAndInputs() throws {
        let x = try FeatureMatrix(rows: 2, columns: 1, columnMajor: [1, 2])
        var p = BoostingParameters()
        p.eta = 0
        XCTAssertThrowsError(try BoostedModel.train(features: x, labels: [0, 1], parameters: p))
        p = BoostingParameters()
        XCTAssertThrowsError(try BoostedModel.train(features: x, labels: [0, 2], parameters: p)) { e in
            XCTAssertTrue("\(e)".contains("[0, 1]"), "\(e)")
        }
        XCTAssertThrowsError(try BoostedModel.train(features: x, labels: [0], parameters: p))
        XCTAssertThrowsError(try FeatureMatrix(rows: 2, columns: 2, columnMajor: [1, 2, 3]))
    }
}
