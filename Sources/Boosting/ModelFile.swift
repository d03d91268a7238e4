import Foundation
import Runtime

/// MovieRec's binary model format.
///
/// Layout (little-endian): magic `MRGBTREE` (8 bytes), format version (UInt32), payload length
/// (UInt64), payload, CRC-32C of the payload (UInt32). The payload holds the objective, base
/// score, feature names, best iteration and every tree's node arrays. Loading checks magic,
/// version, length, checksum and the tree structure (children in range and after their parent,
/// features in range), so a truncated, corrupted or foreign file gives a `BinaryFormatError`.
extension BoostedModel {
    static let magic = Array("MRGBTREE".utf8)
    static let formatVersion: UInt32 = 1

    /// The model as bytes.
    public func serialized() -> Data {
        var p = BinaryWriter()
        p.write(objective.rawValue)
        p.write(baseScore)
        p.write(strings: featureNames)
        p.write(Int64(bestIteration ?? -1))
        p.write(UInt64(trees.count))
        for t in trees {
            p.write(array: t.feature)
            p.write(array: t.threshold)
            p.write(array: t.splitBin)
            p.write(array: t.left)
            p.write(array: t.defaultLeft.map { UInt8($0 ? 1 : 0) })
            p.write(array: t.value)
            p.write(array: t.gain)
            p.write(array: t.cover)
        }
        var w = BinaryWriter()
        w.append(Data(Self.magic))
        w.write(Self.formatVersion)
        w.write(UInt64(p.data.count))
        w.append(p.data)
        w.write(CRC32C.checksum(Array(p.data)))
        return w.data
    }

    /// Writes the model atomically to `path`.
    public func save(path: String) throws {
        try AtomicFile.write(serialized(), to: path)
    }

    /// Reads a model written by `save(path:)`.
    public static func load(path: String) throws -> BoostedModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FileError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return try deserialize(data)
    }

    /// Decodes `serialized()` bytes.
    public static func deserialize(_ data: Data) throws -> BoostedModel {
        var r = BinaryReader(data)
        guard data.count >= magic.count else { throw BinaryFormatError.truncated(what: "magic", offset: 0) }
        let found = Array(data.prefix(magic.count))
        guard found == magic else {
            throw BinaryFormatError.badMagic(expected: "MovieRec boosted-tree model (MRGBTREE)",
                                             found: String(decoding: found.map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self))
        }
        r = BinaryReader(data, offset: magic.count)
        let version = try r.read(UInt32.self, "format version")
        guard version == formatVersion else { throw BinaryFormatError.unsupportedVersion(found: version, supported: formatVersion) }
        let length = try r.read(UInt64.self, "payload length")
        guard length <= UInt64(r.remaining), r.remaining - Int(length) >= 4 else {
            throw BinaryFormatError.truncated(what: "payload of \(length) bytes", offset: r.offset)
        }
        let start = data.startIndex + r.offset
        let payload = data[start..<(start + Int(length))]
        var tail = BinaryReader(data, offset: r.offset + Int(length))
        let stored = try tail.read(UInt32.self, "checksum")
        guard CRC32C.checksum(Array(payload)) == stored else { throw BinaryFormatError.checksumMismatch(section: "model payload") }
        var p = BinaryReader(Data(payload))
        guard let objective = Objective(rawValue: try p.readString("objective")) else {
            throw BinaryFormatError.invalid("unknown objective")
        }
        let baseScore = try p.readFloat("base score")
        let names = try p.readStrings("feature names")
        let best = try p.read(Int64.self, "best iteration")
        let treeCount = try p.read(UInt64.self, "tree count")
        guard treeCount <= UInt64(p.remaining) else { throw BinaryFormatError.truncated(what: "trees", offset: p.offset) }
        var trees: [Tree] = []
        for k in 0..<Int(treeCount) {
            var t = Tree()
            t.feature = try p.readArray(Int32.self, "tree \(k) features")
            t.threshold = try p.readArray(Float.self, "tree \(k) thresholds")
            t.splitBin = try p.readArray(Int16.self, "tree \(k) split bins")
            t.left = try p.readArray(Int32.self, "tree \(k) children")
            t.defaultLeft = try p.readArray(UInt8.self, "tree \(k) default directions").map { $0 != 0 }
            t.value = try p.readArray(Float.self, "tree \(k) values")
            t.gain = try p.readArray(Float.self, "tree \(k) gains")
            t.cover = try p.readArray(Float.self, "tree \(k) covers")
            try validate(t, index: k, features: names.count)
            trees.append(t)
        }
        guard p.remaining == 0 else { throw BinaryFormatError.invalid("\(p.remaining) unexpected bytes after the trees") }
        return BoostedModel(objective: objective, baseScore: baseScore, featureNames: names, trees: trees,
                            bestIteration: best >= 0 ? Int(best) : nil)
    }

    /// Structural checks so a decoded tree cannot loop or index out of range at prediction.
    static func validate(_ t: Tree, index k: Int, features: Int) throws {
        let n = t.feature.count
        guard n > 0, [t.threshold.count, t.splitBin.count, t.left.count, t.defaultLeft.count, t.value.count, t.gain.count, t.cover.count].allSatisfy({ $0 == n }) else {
            throw BinaryFormatError.invalid("tree \(k): node arrays have different lengths or are empty")
        }
        for i in 0..<n where t.feature[i] >= 0 {
            guard Int(t.feature[i]) < features else { throw BinaryFormatError.invalid("tree \(k) node \(i): feature \(t.feature[i]) out of range") }
            let l = Int(t.left[i])
            guard l > i, l + 1 < n else { throw BinaryFormatError.invalid("tree \(k) node \(i): child \(l) out of range") }
        }
    }
}
