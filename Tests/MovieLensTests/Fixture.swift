import Foundation
import TestSupport

/// A temporary MovieLens directory written by a test; removed by `remove()`.
struct Fixture {
    let url: URL
    var path: String { url.path }

    init(_ files: [String: [UInt8]]) throws {
        url = try TestData.temporaryDirectory("movielens-fixture")
        for (name, bytes) in files {
            try Data(bytes).write(to: url.appendingPathComponent(name))
        }
    }

    init(text files: [String: String]) throws {
        try self.init(files.mapValues { Array($0.utf8) })
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
