import LinearAlgebra
import Runtime

/// A fitted implicit-ALS model: user and item factors whose dot product scores a (user, item)
/// pair, plus what fold-in needs (the training parameters and the items' interaction counts).
public struct ALSModel: Sendable, Equatable {
    /// Users × factors.
    public let userFactors: Matrix<Float>
    /// Items × factors.
    public let itemFactors: Matrix<Float>
    /// Number of positive (strength > 0) training interactions of each item. Items with none have
    /// no learned factor and are never recommended.
    public let itemInteractionCounts: [Int32]
    /// The parameters the model was trained with (fold-in uses alpha, λ, the preference transform).
    /// `threads` is not kept (always nil): it never changes results.
    public let parameters: ImplicitALSParameters
    /// `YᵀY` of the item factors, for fold-in.
    let itemGram: Matrix<Float>

    /// Wraps factors (`userFactors.cols == itemFactors.cols == parameters.factors`,
    /// `itemInteractionCounts.count == itemFactors.rows`).
    /// - Throws: `.invalidInput` naming the disagreeing shapes.
    public init(userFactors: Matrix<Float>, itemFactors: Matrix<Float>, itemInteractionCounts: [Int32],
                parameters: ImplicitALSParameters) throws(ALSError) {
        guard userFactors.cols == parameters.factors, itemFactors.cols == parameters.factors,
              itemInteractionCounts.count == itemFactors.rows else {
            throw .invalidInput("user factors \(userFactors.rows)x\(userFactors.cols), item factors \(itemFactors.rows)x\(itemFactors.cols), "
                + "\(itemInteractionCounts.count) item counts and \(parameters.factors) factors do not fit together")
        }
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.itemInteractionCounts = itemInteractionCounts
        var p = parameters
        p.threads = nil
        self.parameters = p
        self.itemGram = ImplicitALS.gram(itemFactors, backend: parameters.backend)
    }

    /// Number of users.
    public var users: Int { userFactors.rows }
    /// Number of items.
    public var items: Int { itemFactors.rows }
    /// Latent factors per user/item.
    public var factors: Int { itemFactors.cols }

    func checkUser(_ user: Int) throws(ALSError) {
        guard user >= 0, user < users else { throw .indexOutOfRange("user \(user) is not in 0..<\(users)") }
    }

    func checkItem(_ item: Int) throws(ALSError) {
        guard item >= 0, item < items else { throw .indexOutOfRange("item \(item) is not in 0..<\(items)") }
    }

    /// `xᵤ · yᵢ`, the model's preference score of `item` for `user`.
    public func score(user: Int, item: Int) throws(ALSError) -> Float {
        try checkUser(user)
        try checkItem(item)
        let k = factors
        return userFactors.withUnsafeBufferPointer { up in
            itemFactors.withUnsafeBufferPointer { ip in
                guard let u = up.baseAddress, let i = ip.baseAddress else { return 0 }
                return VectorOps.dot(u + user * k, i + item * k, k)
            }
        }
    }

    /// The `count` best-scoring items for `user`, best first (ties: smaller item index first),
    /// skipping `excluding` (sorted ascending item indices, e.g. the user's training items) and
    /// items with no training interactions.
    public func recommend(user: Int, count: Int, excluding: [Int32] = []) throws(ALSError) -> [(item: Int32, score: Float)] {
        try checkUser(user)
        return try recommend(vector: userFactors.row(user), count: count, excluding: excluding)
    }

    /// Like `recommend(user:count:excluding:)` for a user vector (e.g. from `foldIn`).
    public func recommend(vector: [Float], count: Int, excluding: [Int32] = []) throws(ALSError) -> [(item: Int32, score: Float)] {
        guard vector.count == factors else { throw .invalidInput("vector has \(vector.count) values, the model has \(factors) factors") }
        guard count >= 0 else { throw .invalidParameter("count must be ≥ 0, got \(count)") }
        var top = TopList(capacity: min(count, items))
        let k = factors
        vector.withUnsafeBufferPointer { vp in
            itemFactors.withUnsafeBufferPointer { ip in
                guard let v = vp.baseAddress, let y = ip.baseAddress else { return }
                var e = 0
                for j in 0..<items {
                    while e < excluding.count && Int(excluding[e]) < j { e += 1 }
                    if e < excluding.count && Int(excluding[e]) == j { continue }
                    if itemInteractionCounts[j] == 0 { continue }
                    top.offer(VectorOps.dot(v, y + j * k, k), Int32(truncatingIfNeeded: j))
                }
            }
        }
        return top.sorted()
    }

    /// Top-`count` items for many users at once, without a users × items score matrix: blocks of
    /// 64 users are multiplied against blocks of 2,048 items by GEMM (the parameters' backend,
    /// single-threaded per worker), blocks run in parallel.
    /// - Parameters:
    ///   - users: user indices (any order; the result follows it).
    ///   - excluding: optional users × items CSR (e.g. the training matrix); each user's stored
    ///     columns are skipped.
    /// - Returns: one list per entry of `users`, as `recommend(user:count:excluding:)` would give
    ///   up to floating-point rounding of the scores (GEMM sums in another order).
    public func recommend(users requested: [Int], count: Int, excluding: SparseMatrix? = nil,
                          threads: Int? = nil) throws(ALSError) -> [[(item: Int32, score: Float)]] {
        guard count >= 0 else { throw .invalidParameter("count must be ≥ 0, got \(count)") }
        for u in requested { try checkUser(u) }
        if let excluding, excluding.rows != users || excluding.cols != items {
            throw .invalidInput("exclusion matrix is \(excluding.rows)x\(excluding.cols), the model is \(users)x\(items)")
        }
        let k = factors, m = items
        let userBlock = 64, itemBlock = 2048
        let itemBlocks = stride(from: 0, to: m, by: itemBlock).map { itemFactors.rows($0..<min(m, $0 + itemBlock)) }
        let blocks = (requested.count + userBlock - 1) / userBlock
        var results = [[(item: Int32, score: Float)]](repeating: [], count: requested.count)
        let backend = parameters.backend
        let t = Threads.resolve(threads)
        let counts = itemInteractionCounts
        results.withUnsafeMutableBufferPointer { rp in
            let out = UnsafeSendable(rp.baseAddress)
            BLASThreads.with(1) {
                parallelFor(chunks: blocks, threads: t) { b in
                    guard let res = out.value else { return }
                    let r0 = b * userBlock, r1 = min(requested.count, r0 + userBlock)
                    var storage = [Float](repeating: 0, count: (r1 - r0) * k)
                    for (i, u) in requested[r0..<r1].enumerated() {
                        for f in 0..<k { storage[i * k + f] = userFactors.storage[u * k + f] }
                    }
                    guard let ub = try? Matrix<Float>(rows: r1 - r0, cols: k, storage: storage) else { return }
                    var tops = (r0..<r1).map { _ in TopList(capacity: min(count, m)) }
                    var cursors = [Int](repeating: 0, count: r1 - r0)
                    if let excluding { for i in r0..<r1 { cursors[i - r0] = Int(excluding.rowOffsets[requested[i]]) } }
                    for (bi, ib) in itemBlocks.enumerated() {
                        let c0 = bi * itemBlock
                        var scores = Matrix<Float>.zeros(rows: r1 - r0, cols: ib.rows)
                        try? gemm(ub, ib, transposeB: true, into: &scores, backend: backend, threads: 1)
                        scores.withUnsafeBufferPointer { sp in
                            for i in 0..<(r1 - r0) {
                                let end = excluding.map { Int($0.rowOffsets[requested[r0 + i] + 1]) } ?? 0
                                var cur = cursors[i]
                                for j in 0..<ib.rows {
                                    let item = c0 + j
                                    if let excluding {
                                        while cur < end && Int(excluding.columns[cur]) < item { cur += 1 }
                                        if cur < end && Int(excluding.columns[cur]) == item { continue }
                                    }
                                    if counts[item] == 0 { continue }
                                    tops[i].offer(sp[i * ib.rows + j], Int32(truncatingIfNeeded: item))
                                }
                                cursors[i] = cur
                            }
                        }
                    }
                    for i in r0..<r1 { (res + i).pointee = tops[i - r0].sorted() }
                }
            }
        }
        return results
    }

    /// The factors of a new user from their interactions, without retraining: the exact solve of
    /// the training normal equations `(YᵀY + Yᵀ(Cᵤ − I)Y + λI) x = YᵀCᵤp(u)` with the item
    /// factors fixed (Cholesky on the parameters' backend, whatever solver trained the model).
    /// - Parameters:
    ///   - items: item indices (any order, no duplicates).
    ///   - values: stored values, transformed by the model's preference transform.
    /// - Throws: `.indexOutOfRange`, `.invalidInput` (length mismatch, duplicates, bad strengths).
    public func foldIn(items itemIndices: [Int32], values: [Float]) throws(ALSError) -> [Float] {
        guard itemIndices.count == values.count else {
            throw .invalidInput("\(itemIndices.count) items but \(values.count) values")
        }
        for i in itemIndices { try checkItem(Int(i)) }
        let order = itemIndices.indices.sorted { itemIndices[$0] < itemIndices[$1] }
        var cols: [Int32] = [], vals: [Float] = []
        for p in order {
            if let last = cols.last, last == itemIndices[p] { throw .invalidInput("item \(last) appears twice") }
            cols.append(itemIndices[p])
            vals.append(values[p])
        }
        let w = try ImplicitWeights(values: vals, rowOf: { _ in 0 }, colOf: { Int(cols[$0]) },
                                    alpha: parameters.alpha, preference: parameters.preference)
        let k = factors
        let solver = ImplicitRowSolver(k: k, lambda: parameters.regularization, backend: parameters.backend)
        var x = [Float](repeating: 0, count: k)
        var failure: ALSError? = nil
        itemGram.withUnsafeBufferPointer { gp in
            itemFactors.withUnsafeBufferPointer { yp in
                cols.withUnsafeBufferPointer { cp in
                    w.a.withUnsafeBufferPointer { ap in
                        w.b.withUnsafeBufferPointer { bp in
                            x.withUnsafeMutableBufferPointer { xp in
                                guard let g = gp.baseAddress, let y = yp.baseAddress, let c = cp.baseAddress,
                                      let a = ap.baseAddress, let b = bp.baseAddress, let out = xp.baseAddress else { return }
                                do {
                                    try solver.solveCholesky(gram: g, fixed: y, columns: c, aw: a, bw: b,
                                                             range: 0..<cp.count, out: out)
                                } catch let e as ALSError { failure = e } catch { failure = .solveFailed("\(error)") }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return x
    }
}
