import Foundation
import Recommender
import Runtime
import TestSupport
import XCTest
@testable import movierec

final class PipelineCLITests: XCTestCase {
    /// validate → train → evaluate → save → samples on the tiny synthetic data set.
    func testPipelineRunsEveryStageAndWritesTheBundle() throws {
        let root = try TestData.temporaryDirectory("movierec-pipeline")
        defer { try? FileManager.default.removeItem(at: root) }
        var s = PipelineRun.Settings(data: try CLIFixture.dataDirectory.get(), out: root.appendingPathComponent("models").path,
                                     folds: 2, sampleUsers: 2)
        s.training.threads = 2
        s.training.seed = 5
        let r = try PipelineRun.run(s, progress: SilentProgress())
        XCTAssertEqual(r.seconds.map(\.0), ["validate", "train", "evaluate", "save", "sample recommendations"])
        XCTAssertEqual(r.evaluation.crossValidation?.folds.count, 2)
        let bundle = try BundleStore.read(s.out)
        XCTAssertNotNil(bundle.manifest.metrics["cv.classifier.auc.mean"])
        XCTAssertEqual(bundle.manifest.metrics["cv.classifier.auc.mean"], r.evaluation.crossValidation?.summary(\.auc).mean)
        XCTAssertEqual(r.samples.count, 2)
        for sample in r.samples {
            let u = try XCTUnwrap(bundle.catalog.userIndex(forId: sample.user))
            let seen = Set(bundle.catalog.seen(user: u).movies.map { bundle.catalog.movieIds[Int($0)] })
            XCTAssertEqual(sample.list.count, 5)
            XCTAssertTrue(sample.list.allSatisfy { !seen.contains($0.movieId) })
        }
        let text = r.text()
        for part in ["1. validate", "2. train", "3. evaluate", "4. save", "5. sample recommendations", "seconds: "] {
            XCTAssertTrue(text.contains(part), part)
        }
        XCTAssertNotNil(r.json()[path: "evaluation.classifier.auc.mean"])
        XCTAssertNotNil(r.json()[path: "seconds.total"])
    }

    /// The terminal renderer: line layout, the quiet first half second, ≤ 10 redraws a second, the
    /// summary line, and exact unit counts under concurrent `advance` calls.
    func testProgressRendering() throws {
        XCTAssertEqual(TerminalProgress.render(stage: "classifier", done: 150, total: 300, elapsed: 5, width: 80),
                       "classifier  [##############--------------]  50%  150/300  30.0/s  ETA 0:05  0:05")
        XCTAssertEqual(TerminalProgress.render(stage: "features", done: 0, total: nil, elapsed: 61, width: 80), "features  1:01")
        XCTAssertLessThanOrEqual(TerminalProgress.render(stage: String(repeating: "x", count: 200), done: 1, total: 9, elapsed: 1, width: 60).count, 60)

        final class Sink: @unchecked Sendable {
            let lock = NSLock()
            var text = ""
            var now = 0.0
            func write(_ s: String) { lock.lock(); text += s; lock.unlock() }
        }
        let sink = Sink()
        let p = TerminalProgress(sink: { sink.write($0) }, clock: { sink.now }, width: 80, ticking: false)
        p.begin("quick", total: 10)
        sink.now = 0.3
        p.advance(10)
        p.end()
        XCTAssertEqual(sink.text, "", "a stage under the quiet period leaves nothing")
        p.begin("slow", total: 1000)
        for i in 0..<100 {
            sink.now = 0.3 + 0.6 + Double(i) * 0.01   // 100 advances over one second
            p.advance(1)
        }
        let draws = sink.text.components(separatedBy: "\r\u{1B}[K").count - 1
        XCTAssertGreaterThanOrEqual(draws, 9)
        XCTAssertLessThanOrEqual(draws, 11, "at most ten redraws a second")
        sink.now = 2.3
        p.end()
        XCTAssertTrue(sink.text.hasSuffix("✓ slow  100 in 2.0 s (50.0/s)\n"), sink.text)

        // Concurrent advances are all counted.
        let q = Sink()
        let c = TerminalProgress(sink: { q.write($0) }, clock: { q.now }, width: 80, quietPeriod: 0, ticking: false)
        c.begin("parallel", total: 8000)
        q.now = 1
        parallelFor(chunks: 8, threads: 4) { _ in for _ in 0..<1000 { c.advance(1) } }
        c.end()
        XCTAssertTrue(q.text.hasSuffix("✓ parallel  8000 in 1.0 s (8.0k/s)\n"), q.text)
    }
}
