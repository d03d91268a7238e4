import Foundation
import Runtime

/// Independent, position-addressed random streams: the generator of entity `index` in stream
/// `stream` depends only on the seed, the stream and the index, so every user, movie or block
/// is generated identically no matter which thread (or in which order) it is produced.
struct SeedMixer: Sendable {
    let seed: UInt64

    /// The SplitMix64 finaliser (a bijection of 64-bit words with good avalanche).
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for entity `index` of `stream`.
    @inline(__always)
    func generator(_ stream: SynthStream, _ index: Int) -> SplitMix64 {
        let a = SeedMixer.mix(seed ^ (stream.rawValue &* 0x9E37_79B9_7F4A_7C15))
        return SplitMix64(seed: SeedMixer.mix(a &+ UInt64(truncatingIfNeeded: index) &* 0xD6E8_FEB8_6659_FD93))
    }
}

/// The independent random streams of the generator.
enum SynthStream: UInt64 {
    case activity = 1, movie, user, ratings, tags, calibration, permutation, expandRows, expandCols, expandSeed, expandUser
}

/// Gaussian and other draws on top of `SplitMix64`.
extension SplitMix64 {
    /// A standard normal draw (Box–Muller; one of the pair is used, keeping the stream simple).
    @inline(__always)
    mutating func nextGaussian() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53  // (0, 1]
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A standard normal draw as Float, cheaper (sum of four uniforms, variance-corrected:
    /// Irwin–Hall n = 4, good enough for per-rating noise whose tails are cut by the star scale).
    @inline(__always)
    mutating func nextNoise() -> Float {
        let x = next()
        let a = Float(x & 0xFFFF), b = Float((x >> 16) & 0xFFFF), c = Float((x >> 32) & 0xFFFF), d = Float(x >> 48)
        // each uniform on [0, 65535]: mean 32767.5, variance 65536²/12
        let sum = a + b + c + d - 131_070
        return sum * (1.7320508 / 65536)  // sqrt(12 / 4) / 65536
    }
}
