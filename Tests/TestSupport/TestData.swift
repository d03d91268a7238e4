import Foundation

/// Locates the real MovieLens data sets the tests read, and makes scratch directories.
///
/// Search order for a data set named `name` (e.g. `ml-latest-small`, `seed-ml1m-dirty`):
/// 1. `$MOVIEREC_TEST_DATA/name`
/// 2. `<package root>/data/name` (where `movierec data fetch` puts data; `.ci/run` links it)
/// 3. `<package root>/../shared/data/name` (the shared data beside a developer's checkout)
/// Tests that need a data set call `TestData.require(_:)`, which throws `XCTSkip`-compatible
/// errors through the closure the caller gives, so this target does not link XCTest.
public enum TestData {
    /// The package root, derived from this file's path (Tests/TestSupport/TestData.swift).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The directory of data set `name`, or nil when it is not available on this machine.
    public static func path(_ name: String) -> String? {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["MOVIEREC_TEST_DATA"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env).appendingPathComponent(name))
        }
        candidates.append(packageRoot.appendingPathComponent("data").appendingPathComponent(name))
        candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(name))
        for c in candidates {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), isDir.boolValue {
                return c.standardizedFileURL.path
            }
        }
        return nil
    }

    /// The message tests give when they skip for missing data.
    public static func missingMessage(_ name: String) -> String {
        "data set \(name) not found (looked in $MOVIEREC_TEST_DATA, data/, ../shared/data/); skipping"
    }

    /// A fresh empty temporary directory; the caller removes it.
    public static func temporaryDirectory(_ label: String = "movierec-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
