import XCTest
@testable import Boosting
import Runtime

/// The parallel row sampler against the sequential loop it replaces.
final class RowSampleTests: XCTestCase {
    /// Over several blocks and a ragged last block, for 1 and 2 threads and fractions from
    /// "almost none" to "almost all": the same kept rows in row order, their gradients beside
    /// them, the same flags, and the generator left where `rows` sequential draws leave it.
    func testSampleIsTheSequentialDraw() {
        let n = 2 * RowSample.blockRows + 777
        let g = UnsafeMutablePointer<SIMD2<Float>>.allocate(capacity: n)
        defer { g.deallocate() }
        for i in 0..<n { g[i] = SIMD2(Float(i), -Float(i) / 2) }
        for fraction in [0.01, 0.5, 0.8, 0.999] {
            // Reference: one draw per row in order.
            var ref = SplitMix64(seed: 77)
            var keptRef: [Int] = [], flagsRef: [Bool] = []
            for i in 0..<n {
                let keep = ref.nextUnit() < fraction
                flagsRef.append(keep)
                if keep { keptRef.append(i) }
            }
            for threads in [1, 2] {
                var rng = SplitMix64(seed: 77)
                var flags = [Bool](repeating: false, count: n)
                let ix = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
                let gs = UnsafeMutablePointer<SIMD2<Float>>.allocate(capacity: n)
                defer { ix.deallocate(); gs.deallocate() }
                let count = flags.withUnsafeMutableBufferPointer {
                    RowSample.draw(rows: n, fraction: fraction, rng: &rng, gradients: g, sampled: $0,
                                   rowIndex: ix, sampledGradients: gs, threads: threads)
                }
                XCTAssertEqual(count, keptRef.count, "fraction \(fraction), threads \(threads)")
                XCTAssertEqual(flags, flagsRef)
                XCTAssertEqual((0..<count).map { Int(ix[$0]) }, keptRef)
                XCTAssertEqual((0..<count).map { gs[$0] }, keptRef.map { g[$0] })
                XCTAssertEqual(rng.next(), ref.next(), "the generator continues where the sequential draws leave it")
                ref = SplitMix64(seed: 77)
                for _ in 0..<n { _ = ref.next() }
            }
        }
    }
}
