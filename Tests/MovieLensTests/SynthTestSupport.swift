import Foundation
import XCTest
@testable import MovieLens
import Runtime
import TestSupport

/// Scratch directories for the synth tests, and readers of what they wrote.
class SynthTestCase: XCTestCase {
    private let scratch = TemporaryDirectories()

    override func tearDown() {
        scratch.removeAll()
        super.tearDown()
    }

    /// A path inside a fresh temporary directory (the path itself does not exist yet).
    func outputPath(_ name: String = "synth") throws -> String {
        let dir = try scratch.make("movierec-synth")
        return dir.appendingPathComponent(name).path
    }

    /// Generates `parameters` with small blocks (so many blocks run in parallel).
    @discardableResult
    func synth(_ parameters: SynthParameters, threads: Int = 2, blockRatings: Int = 997, to path: String? = nil) throws -> (String, SynthSummary) {
        let out = try path ?? outputPath()
        let summary = try DatasetSynthesizer.generate(parameters, into: out, overwrite: false, threads: threads,
                                                      progress: SilentProgress(), blockRatings: blockRatings)
        return (out, summary)
    }

    func bytes(_ dir: String, _ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)) }

    /// Asserts that every file of the load was kept without a repair or a drop.
    func assertClean(_ report: CleaningReport, files: [String], file: StaticString = #filePath, line: UInt = #line) {
        for role in files {
            guard let r = report.files[role] else { XCTFail("no \(role) report", file: file, line: line); continue }
            XCTAssertGreaterThan(r.read, 0, "\(role) is empty", file: file, line: line)
            XCTAssertEqual(r.kept, r.read, "\(role): \(r.repaired) \(r.dropped)", file: file, line: line)
            XCTAssertEqual(r.droppedRows, 0, "\(role) dropped \(r.dropped)", file: file, line: line)
            XCTAssertEqual(r.repairedRows, 0, "\(role) repaired \(r.repaired)", file: file, line: line)
        }
    }
}
