import Foundation

/// MD5 (RFC 1321), streaming. Used only to check downloads against the digests GroupLens
/// publishes beside each archive — MD5 is not collision-resistant and is not used for anything
/// security-relevant here.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    /// Bytes not yet forming a whole 64-byte block.
    private var pending: [UInt8] = []
    /// Total message length in bytes.
    private var length: UInt64 = 0

    public init() {}

    /// Per-round left-rotation amounts.
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// K[i] = floor(abs(sin(i + 1)) · 2^32), as tabulated in RFC 1321.
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// Feeds raw bytes.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        length &+= UInt64(buffer.count)
        var i = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            pending.append(contentsOf: buffer[0..<take])
            i = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0, at: 0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while i + 64 <= buffer.count {
            compress(buffer, at: i)
            i += 64
        }
        if i < buffer.count { pending.append(contentsOf: buffer[i..<buffer.count]) }
    }

    /// Feeds the bytes of a byte sequence held contiguously (e.g. `[UInt8]`, `Data`).
    public mutating func update<C: ContiguousBytes>(_ bytes: C) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 16-byte digest of everything fed so far (the state itself is not consumed).
    public var digest: [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let used = Int(length % 64)
        let padding = used < 56 ? 55 - used : 119 - used
        tail.append(contentsOf: repeatElement(0, count: padding))
        withUnsafeBytes(of: bitLength.littleEndian) { tail.append(contentsOf: $0) }
        let savedLength = copy.length
        tail.withUnsafeBytes { copy.update($0) }
        copy.length = savedLength
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for word in [copy.state.0, copy.state.1, copy.state.2, copy.state.3] {
            withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// The digest as 32 lowercase hexadecimal digits.
    public var hexDigest: String {
        let digits = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        for b in digest {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// MD5 of one buffer, as hex.
    public static func hex<C: ContiguousBytes>(_ bytes: C) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexDigest
    }

    /// Processes the 64-byte block at `buffer[offset...]`.
    private mutating func compress(_ buffer: UnsafeRawBufferPointer, at offset: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for j in 0..<16 {
                m[j] = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4 * j, as: UInt32.self))
            }
            var a = state.0, b = state.1, c = state.2, d = state.3
            MD5.constants.withUnsafeBufferPointer { k in
                MD5.shifts.withUnsafeBufferPointer { shifts in
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i {
                        case 0..<16: f = (b & c) | (~b & d); g = i
                        case 16..<32: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
                        case 32..<48: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
                        default: f = c ^ (b | ~d); g = (7 &* i) & 15
                        }
                        f = f &+ a &+ k[i] &+ m[g]
                        a = d
                        d = c
                        c = b
                        let s = shifts[i]
                        b = b &+ ((f << s) | (f >> (32 &- s)))
                    }
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
    }
}
