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
        // (A buffer without storage hashes as the empty string did before `Stream` existed.)
        guard buffer.baseAddress != nil else { return avalanche(0) }
        var s = Stream()
        let whole = buffer.count / Stream.blockSize * Stream.blockSize
        s.absorb(UnsafeRawBufferPointer(rebasing: buffer[0..<whole]))
        return s.finish(tail: UnsafeRawBufferPointer(rebasing: buffer[whole...]))
    }

    /// The same hash computed piece by piece: `absorb` whole 128-byte blocks in order, then
    /// `finish` with the remaining bytes. `hash(b)` equals absorbing `b`'s blocks in any split
    /// into multiples of `blockSize` and finishing with its tail, so a reader can check a chunk
    /// while it decodes it a cache-sized piece at a time.
    struct Stream {
        static let blockSize = 128
        private var a, b, c, d: SIMD8<UInt32>
        private var length = 0

        init() {
            let lane = SIMD8<UInt32>(1, 2, 3, 4, 5, 6, 7, 8) &* ChunkHash.p1
            a = lane
            b = lane &+ 8
            c = lane &+ 16
            d = lane &+ 24
        }

        /// Feeds `buffer`, whose length must be a multiple of `blockSize` (excess bytes are ignored).
        @inline(__always)
        mutating func absorb(_ buffer: UnsafeRawBufferPointer) {
            guard let base = buffer.baseAddress else { return }
            let n = buffer.count / Stream.blockSize * Stream.blockSize
            @inline(__always) func load(_ at: Int) -> SIMD8<UInt32> {
                var v = base.loadUnaligned(fromByteOffset: at, as: SIMD8<UInt32>.self)
                #if _endian(big)
                for k in 0..<8 { v[k] = v[k].byteSwapped }
                #endif
                return v
            }
            var a = self.a, b = self.b, c = self.c, d = self.d
            var i = 0
            while i < n {
                a = ChunkHash.round(a, load(i))
                b = ChunkHash.round(b, load(i + 32))
                c = ChunkHash.round(c, load(i + 64))
                d = ChunkHash.round(d, load(i + 96))
                i += 128
            }
            self.a = a
            self.b = b
            self.c = c
            self.d = d
            length += n
        }

        /// The hash of everything absorbed followed by `tail` (fewer than `blockSize` bytes).
        func finish(tail: UnsafeRawBufferPointer) -> UInt32 {
            let n = length + tail.count
            var h = UInt32(truncatingIfNeeded: n) &* ChunkHash.p3 ^ UInt32(truncatingIfNeeded: UInt64(n) >> 32)
            for k in 0..<8 {
                h = ChunkHash.mix(h, a[k], rotate: 17)
                h = ChunkHash.mix(h, b[k], rotate: 17)
                h = ChunkHash.mix(h, c[k], rotate: 17)
                h = ChunkHash.mix(h, d[k], rotate: 17)
            }
            for byte in tail { h = ChunkHash.mix(h, UInt32(byte), rotate: 11) }
            return ChunkHash.avalanche(h)
        }
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
