import Runtime
import XCTest
@testable import MovieLens

/// The cache's chunk checksum: it must notice every small corruption a disk or a bad copy makes.
final class ChunkHashTests: XCTestCase {
    private func bytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    private func hash(_ b: [UInt8]) -> UInt32 { b.withUnsafeBytes { ChunkHash.hash($0) } }

    /// Changing any single byte, at every position of the vector body and of the byte tail, by
    /// several deltas, changes the hash (each round is a bijection of its lane).
    func testEverySingleByteChangeIsDetected() {
        let base = bytes(128 * 5 + 37, seed: 1)
        let h = hash(base)
        for i in base.indices {
            for delta: UInt8 in [1, 0x80, 0xFF, 0x10] {
                var b = base
                b[i] = b[i] &+ delta
                XCTAssertNotEqual(hash(b), h, "byte \(i) + \(delta)")
            }
        }
    }

    /// Swapped 32-byte blocks, swapped lanes, zeroed chunks and truncations are detected.
    func testReorderingsZeroingAndTruncationAreDetected() {
        let base = bytes(4096, seed: 2)
        let h = hash(base)
        var swapped = base
        for k in 0..<32 { swapped.swapAt(k, 32 + k) }
        XCTAssertNotEqual(hash(swapped), h)
        var lanes = base
        for k in 0..<4 { lanes.swapAt(k, 4 + k) }
        XCTAssertNotEqual(hash(lanes), h)
        var zeroed = base
        for k in 1024..<2048 { zeroed[k] = 0 }
        XCTAssertNotEqual(hash(zeroed), h)
        XCTAssertNotEqual(hash(Array(base.dropLast())), h)
        // All-zero buffers of different lengths differ.
        let zeros = (0..<300).map { hash([UInt8](repeating: 0, count: $0)) }
        XCTAssertEqual(Set(zeros).count, zeros.count)
    }

    /// Random buffers: no collisions among a few thousand (2⁻³² each), and the hash of a buffer
    /// does not depend on its alignment in memory.
    func testDistinctAndAlignmentIndependent() {
        var seen = Set<UInt32>()
        for s in 0..<3000 { seen.insert(hash(bytes(64 + s % 200, seed: UInt64(s) + 100))) }
        XCTAssertEqual(seen.count, 3000)
        let b = bytes(1000, seed: 9)
        let shifted = [UInt8](repeating: 7, count: 3) + b
        let h2 = shifted.withUnsafeBytes { ChunkHash.hash(UnsafeRawBufferPointer(rebasing: $0[3...])) }
        XCTAssertEqual(h2, hash(b))
    }
}
