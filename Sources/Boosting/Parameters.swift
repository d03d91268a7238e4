/// The learning objective.
public enum Objective: String, Sendable, CaseIterable, Codable {
    /// Binary classification; labels in [0, 1]; predictions are probabilities.
    case binaryLogistic = "binary:logistic"
    /// Regression with squared error; predictions are raw values.
    case squaredError = "reg:squarederror"
}

/// How trees grow.
public enum GrowPolicy: String, Sendable, CaseIterable {
    /// Level by level up to `maxDepth` (XGBoost's default `depthwise`).
    case depthwise
    /// Best-first by gain until `maxLeaves` leaves (XGBoost `lossguide`, LightGBM's leaf-wise).
    case lossguide
}

/// Training parameters; defaults are XGBoost's.
public struct BoostingParameters: Sendable, Equatable {
    public var objective: Objective = .binaryLogistic
    /// Boosting rounds (trees).
    public var rounds = 100
    /// Learning rate applied to every leaf value.
    public var eta: Float = 0.3
    /// Maximum depth (root = depth 0); 0 means unlimited (only allowed with `lossguide`).
    public var maxDepth = 6
    /// Maximum leaves per tree; 0 means unlimited. Used by `lossguide`.
    public var maxLeaves = 0
    /// Growth policy; `lossguide` needs `maxLeaves > 0` or `maxDepth > 0`.
    public var growPolicy: GrowPolicy = .depthwise
    /// Value bins per feature (2…256; a feature with missing values gets at most 255, see `BinCuts`).
    public var maxBin = 256
    /// L2 regularisation on leaf weights.
    public var lambda: Double = 1
    /// L1 regularisation on leaf weights (soft threshold on the gradient sum).
    public var alpha: Double = 0
    /// Minimum loss reduction to make a split (XGBoost `gamma`/`min_split_loss`).
    public var gamma: Double = 0
    /// Minimum hessian sum in each child.
    public var minChildWeight: Double = 1
    /// Fraction of rows sampled (without replacement, Bernoulli) for each tree.
    public var subsample: Double = 1
    /// Fraction of features sampled for each tree.
    public var colsampleBytree: Double = 1
    /// Initial prediction: a probability for `binaryLogistic`, a value for `squaredError`.
    /// nil estimates it from the training labels: the weighted label mean (as XGBoost 3.x does).
    public var baseScore: Float? = nil
    /// Threads for training (resolved with `Runtime.Threads.resolve`; 0 = default).
    public var threads = 0
    /// Seed for row/column sampling and the quantile sketch sample.
    public var seed: UInt64 = 0
    /// Rows sampled by the quantile sketch.
    public var sketchRows = 1 << 18
    /// Stop when the validation metric has not improved for this many rounds (0 = never).
    public var earlyStoppingRounds = 0
    /// Validation metric; nil = the objective's default (`logloss` or `rmse`).
    public var metric: Metric? = nil
    /// Build histograms of low-cardinality features (binary flags, small counts, cluster ids)
    /// packed several to a byte, one joint code per row, then marginalised per feature: the same
    /// histograms up to float summation order, fewer memory operations per row. False sums every
    /// feature on its own (models may differ in the last bits of leaf values).
    public var packLowCardinality = true
    /// Gathered nodes with at most this fraction of the training rows sum their histograms
    /// row-wise (`HistogramBuilder.rowWiseMaxDensity`): bitwise the same histograms, so not a
    /// public knob; tests set it to 0 (never) and 1 (always) to compare.
    var rowWiseMaxDensity = HistogramBuilder.rowWiseMaxDensity
    /// Ordered records only for record columns of at least this many bytes
    /// (`TreeBuilder.orderedRecordsMinBytes`); tests set 0 to use them on small data.
    var orderedRecordsMinBytes = TreeBuilder.orderedRecordsMinBytes

    public init() {}

    /// The metric used for validation.
    public var effectiveMetric: Metric { metric ?? (objective == .binaryLogistic ? .logloss : .rmse) }

    /// The effective grow policy.
    public var effectivePolicy: GrowPolicy { maxLeaves > 0 ? .lossguide : growPolicy }

    /// Checks every parameter and throws `BoostingError.invalidParameter` naming the first bad one.
    public func validate() throws {
        func bad(_ m: String) -> BoostingError { .invalidParameter(m) }
        guard rounds >= 0, rounds <= 1_000_000 else { throw bad("rounds must be in 0…1000000 (got \(rounds))") }
        guard eta > 0, eta.isFinite else { throw bad("eta must be > 0 (got \(eta))") }
        guard maxDepth >= 0, maxDepth <= 30 else { throw bad("max depth must be in 0…30 (got \(maxDepth))") }
        guard maxLeaves >= 0, maxLeaves <= 1 << 20 else { throw bad("max leaves must be ≥ 0 (got \(maxLeaves))") }
        if effectivePolicy == .depthwise, maxDepth == 0 { throw bad("max depth 0 (unlimited) needs max leaves > 0 (loss-guided growth)") }
        if maxLeaves == 1 { throw bad("max leaves must be 0 (unlimited) or ≥ 2") }
        guard maxBin >= 2, maxBin <= 256 else { throw bad("max bin must be in 2…256 (got \(maxBin))") }
        guard lambda >= 0, lambda.isFinite else { throw bad("lambda must be ≥ 0 (got \(lambda))") }
        guard alpha >= 0, alpha.isFinite else { throw bad("alpha must be ≥ 0 (got \(alpha))") }
        guard gamma >= 0, gamma.isFinite else { throw bad("gamma must be ≥ 0 (got \(gamma))") }
        guard minChildWeight >= 0, minChildWeight.isFinite else { throw bad("min child weight must be ≥ 0 (got \(minChildWeight))") }
        guard subsample > 0, subsample <= 1 else { throw bad("subsample must be in (0, 1] (got \(subsample))") }
        guard colsampleBytree > 0, colsampleBytree <= 1 else { throw bad("colsample must be in (0, 1] (got \(colsampleBytree))") }
        guard sketchRows >= 1 else { throw bad("sketch rows must be ≥ 1") }
        guard earlyStoppingRounds >= 0 else { throw bad("early stopping rounds must be ≥ 0") }
        if let b = baseScore {
            switch objective {
            case .binaryLogistic: guard b > 0, b < 1 else { throw bad("base score for binary:logistic must be a probability in (0, 1) (got \(b))") }
            case .squaredError: guard b.isFinite else { throw bad("base score must be finite") }
            }
        }
        if let m = metric, objective == .squaredError, m == .logloss || m == .auc {
            throw bad("metric \(m.rawValue) needs binary:logistic")
        }
    }
}
