/// The checksum of each 4 MiB chunk of a cache body: a 32-bit hash computed 32 lanes wide.
///
/// Software CRC-32C (`Runtime.CRC32C`, table-driven) runs at ~1.3 GB/s here, which made
/// checksumming a 25M-rating cache cost more than decoding it; the SSE4.2 `crc32` instruction
/// cannot be used from Swift in the portable build. This hash instead keeps 32 independent
/// 32-bit lanes (four `SIMD8<UInt32>` accumulators, one multiply–rotate–multiply round per
/// 4-byte word, the round of xxHash32), which the compiler maps to vector instructions: ~10 GB/s
/// per core. The lanes are folded with the length and a final avalanche.
///
/// Error detection: each round is a bijection of the accumulator for a fixed input word, so
/// changing any single word (any burst within 4 aligned bytes) always changes the lane's
/// final value, and the fold keeps the lanes distinguishable; random damage goes undetected
/// with probability about 2⁻³², as with a 32-bit CRC. It is not a cryptographic hash.
enum ChunkHash {
    private static let p1: UInt32 = 0x9E37_79B1
    private static let p2: UInt32 = 0x85EB_CA77
    private static let p3: UInt32 = 0xC2B2_AE3D

    @inline(__always)
    private static func round(_ acc: SIMD8<UInt32>, _ x: SIMD8<UInt32>) -> SIMD8<UInt32> {
        let v = acc &+ x &* p2
        return ((v &<< 13) | (v &>> 19)) &* p1
    }

    @inline(__always)
    private static func mix(_ h: UInt32, _ x: UInt32, rotate r: UInt32) -> UInt32 {
        let v = (h ^ x) &* p1
        return (v &<< r) | (v &>> (32 &- r))
    }

    /// The hash of `buffer`'s bytes (little-endian words; the same value on every machine).
    static func hash(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        let n = buffer.count
        var h = UInt32(truncatingIfNeeded: n) &* p3 ^ UInt32(truncatingIfNeeded: UInt64(n) >> 32)
        guard let base = buffer.baseAddress else { return avalanche(h) }
        let lane = SIMD8<UInt32>(1, 2, 3, 4, 5, 6, 7, 8) &* p1
        var a = lane, b = lane &+ 8, c = lane &+ 16, d = lane &+ 24
        var i = 0
        @inline(__always) func load(_ at: Int) -> SIMD8<UInt32> {
            var v = base.loadUnaligned(fromByteOffset: at, as: SIMD8<UInt32>.self)
            #if _endian(big)
            for k in 0..<8 { v[k] = v[k].byteSwapped }
            #endif
            return v
        }
        while i + 128 <= n {
            a = round(a, load(i))
            b = round(b, load(i + 32))
            c = round(c, load(i + 64))
            d = round(d, load(i + 96))
            i += 128
        }
        for k in 0..<8 {
            h = mix(h, a[k], rotate: 17)
            h = mix(h, b[k], rotate: 17)
            h = mix(h, c[k], rotate: 17)
            h = mix(h, d[k], rotate: 17)
        }
        while i < n {
            h = mix(h, UInt32(base.load(fromByteOffset: i, as: UInt8.self)), rotate: 11)
            i += 1
        }
        return avalanche(h)
    }

    @inline(__always)
    private static func avalanche(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 15
        h = h &* p2
        h ^= h >> 13
        h = h &* p3
        h ^= h >> 16
        return h
    }
}
