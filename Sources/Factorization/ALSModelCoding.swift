import Foundation
import LinearAlgebra
import Runtime

/// Binary encoding of factor models, for the model bundle: a magic string, a format version,
/// the shapes and parameters, the factor arrays, and a CRC-32C over the whole section.
enum FactorCoding {
    static func writeParameters(_ p: ImplicitALSParameters, to w: inout BinaryWriter) {
        w.write(UInt64(p.factors))
        w.write(p.regularization)
        w.write(p.alpha)
        w.write(UInt64(p.iterations))
        switch p.solver {
        case .cholesky: w.write(UInt8(0)); w.write(UInt64(0))
        case .conjugateGradient(let steps): w.write(UInt8(1)); w.write(UInt64(steps))
        }
        w.write(UInt8(p.backend == .blas ? 0 : 1))
        w.write(p.seed)
        switch p.preference {
        case .binary: w.write(UInt8(0)); w.write(Float(0))
        case .value: w.write(UInt8(1)); w.write(Float(0))
        case .atLeast(let t): w.write(UInt8(2)); w.write(t)
        }
    }

    static func readParameters(from r: inout BinaryReader) throws -> ImplicitALSParameters {
        var p = ImplicitALSParameters()
        p.factors = try readInt(&r, "factors")
        p.regularization = try r.readFloat("regularization")
        p.alpha = try r.readFloat("alpha")
        p.iterations = try readInt(&r, "iterations")
        let solverTag = try r.read(UInt8.self, "solver")
        let steps = try readInt(&r, "solver steps")
        switch solverTag {
        case 0: p.solver = .cholesky
        case 1: p.solver = .conjugateGradient(steps: steps)
        default: throw BinaryFormatError.invalid("unknown ALS solver tag \(solverTag)")
        }
        let backendTag = try r.read(UInt8.self, "backend")
        guard backendTag <= 1 else { throw BinaryFormatError.invalid("unknown backend tag \(backendTag)") }
        p.backend = backendTag == 0 ? .blas : .swift
        p.seed = try r.read(UInt64.self, "seed")
        let prefTag = try r.read(UInt8.self, "preference")
        let threshold = try r.readFloat("preference threshold")
        switch prefTag {
        case 0: p.preference = .binary
        case 1: p.preference = .value
        case 2: p.preference = .atLeast(threshold)
        default: throw BinaryFormatError.invalid("unknown preference tag \(prefTag)")
        }
        do { try p.validate() } catch { throw BinaryFormatError.invalid("stored ALS parameters: \(error)") }
        return p
    }

    static func readInt(_ r: inout BinaryReader, _ what: String) throws -> Int {
        let v = try r.read(UInt64.self, what)
        guard v <= UInt64(Int32.max) else { throw BinaryFormatError.invalid("\(what) = \(v) is out of range") }
        return Int(v)
    }

    static func readMatrix(_ r: inout BinaryReader, rows: Int, cols: Int, _ what: String) throws -> Matrix<Float> {
        let values = try r.readArray(Float.self, what)
        guard values.count == rows * cols else {
            throw BinaryFormatError.invalid("\(what) holds \(values.count) values, expected \(rows) × \(cols)")
        }
        guard values.allSatisfy({ $0.isFinite }) else { throw BinaryFormatError.invalid("\(what) holds non-finite values") }
        return try Matrix(rows: rows, cols: cols, storage: values)
    }

    /// Writes the magic, version, `body`, then a CRC-32C of everything from the magic on.
    static func writeSection(magic: String, to w: inout BinaryWriter, _ body: (inout BinaryWriter) -> Void) {
        var inner = BinaryWriter()
        inner.write(magic)
        inner.write(UInt32(1))
        body(&inner)
        let crc = inner.data.withUnsafeBytes { CRC32C.checksum($0) }
        w.append(inner.data)
        w.write(crc)
    }

    /// Reads what `writeSection` wrote, checking the magic, version and checksum.
    static func readSection<T>(magic: String, name: String, from r: inout BinaryReader,
                               _ body: (inout BinaryReader) throws -> T) throws -> T {
        let start = r.offset
        let found = try r.readString("\(name) magic")
        guard found == magic else { throw BinaryFormatError.badMagic(expected: name, found: String(found.prefix(32))) }
        let version = try r.read(UInt32.self, "\(name) version")
        guard version == 1 else { throw BinaryFormatError.unsupportedVersion(found: version, supported: 1) }
        let value = try body(&r)
        let end = r.offset
        let stored = try r.read(UInt32.self, "\(name) checksum")
        let actual = r.data.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
        }
        guard stored == actual else { throw BinaryFormatError.checksumMismatch(section: name) }
        return value
    }
}

extension ALSModel {
    static let magic = "MovieRec.ImplicitALS"

    /// Appends the model (parameters, factors, item counts, CRC-32C) to `writer`.
    public func write(to writer: inout BinaryWriter) {
        FactorCoding.writeSection(magic: ALSModel.magic, to: &writer) { w in
            FactorCoding.writeParameters(parameters, to: &w)
            w.write(UInt64(users))
            w.write(UInt64(items))
            w.write(array: userFactors.storage)
            w.write(array: itemFactors.storage)
            w.write(array: itemInteractionCounts)
        }
    }

    /// Reads a model written by `write(to:)`.
    /// - Throws: `BinaryFormatError` (truncated, wrong magic or version, checksum mismatch,
    ///   inconsistent shapes or non-finite factors).
    public init(from reader: inout BinaryReader) throws {
        self = try FactorCoding.readSection(magic: ALSModel.magic, name: "ALS model", from: &reader) { r in
            let p = try FactorCoding.readParameters(from: &r)
            let users = try FactorCoding.readInt(&r, "users")
            let items = try FactorCoding.readInt(&r, "items")
            let x = try FactorCoding.readMatrix(&r, rows: users, cols: p.factors, "user factors")
            let y = try FactorCoding.readMatrix(&r, rows: items, cols: p.factors, "item factors")
            let counts = try r.readArray(Int32.self, "item counts")
            guard counts.count == items, counts.allSatisfy({ $0 >= 0 }) else {
                throw BinaryFormatError.invalid("item counts: \(counts.count) values for \(items) items")
            }
            return try ALSModel(userFactors: x, itemFactors: y, itemInteractionCounts: counts, parameters: p)
        }
    }
}
