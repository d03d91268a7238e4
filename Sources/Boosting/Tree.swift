/// One regression tree, stored flat. Node 0 is the root; an internal node's children are
/// `left[i]` and `left[i] + 1`. Leaves have `feature[i] == -1` and carry `value[i]` (already
/// multiplied by the learning rate).
public struct Tree: Sendable, Equatable {
    /// Split feature, or -1 for a leaf.
    public var feature: [Int32] = []
    /// Split threshold: `x < threshold` goes left.
    public var threshold: [Float] = []
    /// Split bin (training-time only: bins `0...splitBin` go left; -1 = every value bin goes right).
    public var splitBin: [Int16] = []
    /// Left child (the right child is `left + 1`); -1 for leaves.
    public var left: [Int32] = []
    /// Whether missing values go left.
    public var defaultLeft: [Bool] = []
    /// Leaf value for leaves; for internal nodes the weight the node would have as a leaf.
    public var value: [Float] = []
    /// Loss reduction of the split (0 for leaves).
    public var gain: [Float] = []
    /// Hessian sum of the training rows reaching the node.
    public var cover: [Float] = []

    public init() {}

    /// Number of nodes.
    public var count: Int { feature.count }
    /// Number of leaves.
    public var leafCount: Int { feature.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    mutating func appendLeaf(value v: Float, cover c: Float) -> Int {
        feature.append(-1); threshold.append(0); splitBin.append(0); left.append(-1)
        defaultLeft.append(false); value.append(v); gain.append(0); cover.append(c)
        return count - 1
    }

    /// Right child of internal node `i`.
    @inlinable public func right(_ i: Int) -> Int { Int(left[i]) + 1 }

    /// Depth of the deepest leaf (a lone root has depth 0). One forward pass: children always
    /// come after their parent (the builder appends them; the loader checks it).
    public var depth: Int {
        if count == 0 { return 0 }
        var d = [Int](repeating: 0, count: count)
        var deepest = 0
        for i in 0..<count where feature[i] >= 0 {
            let l = Int(left[i])
            guard l > i, l + 1 < count else { continue }
            d[l] = d[i] + 1
            d[l + 1] = d[i] + 1
            deepest = max(deepest, d[i] + 1)
        }
        return deepest
    }

    /// The leaf a row reaches; `x(f)` gives the row's value of feature `f`.
    @inlinable
    public func leaf(_ x: (Int) -> Float) -> Int {
        var i = 0
        while feature[i] >= 0 {
            let v = x(Int(feature[i]))
            let goLeft = v.isNaN ? defaultLeft[i] : v < threshold[i]
            i = Int(left[i]) + (goLeft ? 0 : 1)
        }
        return i
    }
}

/// A node packed for prediction: 12 bytes, children adjacent.
@frozen
public struct PackedNode: Sendable, Equatable {
    /// Threshold for internal nodes, the leaf value for leaves.
    public var thresholdOrValue: Float
    /// Split feature; -1 for a leaf.
    public var feature: Int32
    /// Left child index in the packed forest, with bit 31 set when missing goes left.
    public var leftAndDefault: UInt32
}
