/// The early-stopping rule of mini-batch KMeans (scikit-learn's `_mini_batch_convergence`):
/// an exponentially weighted average (EWA) of the per-row batch inertia, stopped when it has
/// not reached a new minimum for `maxNoImprovement` consecutive steps.
///
/// The first step's inertia is ignored: it measures the seeding, not the optimisation, and
/// letting its (high) value start the average would keep the EWA falling — and the run going —
/// long after the centres have settled. The smoothing factor is `min(1, 2·batchSize/(n + 1))`.
struct BatchInertiaMonitor {
    /// Smoothing factor of the average.
    let alpha: Double
    /// Steps without a new minimum before stopping (≥ 1).
    let maxNoImprovement: Int
    /// The average after each observed step (none for the ignored first step).
    private(set) var history: [Double] = []
    private var steps = 0
    private var ewa = 0.0
    private var ewaMin = Double.infinity
    private var noImprovement = 0

    init(batchSize: Int, rows n: Int, maxNoImprovement: Int) {
        alpha = min(1, Double(batchSize) * 2 / Double(n + 1))
        self.maxNoImprovement = maxNoImprovement
    }

    /// Records one step's mean batch inertia (inertia / batch rows); true when the run should stop.
    mutating func observe(meanBatchInertia x: Double) -> Bool {
        steps += 1
        if steps == 1 { return false }
        ewa = steps == 2 ? x : ewa * (1 - alpha) + x * alpha
        history.append(ewa)
        if ewa < ewaMin {
            ewaMin = ewa
            noImprovement = 0
            return false
        }
        noImprovement += 1
        return noImprovement >= maxNoImprovement
    }
}
