import Foundation

/// The scale curve measured by `Benchmarks/scale/curve.py --json`: wall, CPU and peak memory of
/// one or more commands (`pipeline`, `train`, `evaluate`, `data synth`) at several data sizes.
public struct ScaleCurve: Sendable, Equatable, Decodable {
    /// One command run at one size.
    public struct Run: Sendable, Equatable, Decodable {
        /// The size's name (`1m`, `5m`, …).
        public var size: String
        public var ratings: Int
        public var command: String
        /// Wall-clock and CPU seconds (user + system, all threads).
        public var wall: Double
        public var cpu: Double
        /// Peak resident set, GiB.
        public var peakRSSGB: Double
        /// One-minute load average before the run (the machine may be shared).
        public var loadBefore: Double?
        public var stages: [Stage]

        public init(size: String, ratings: Int, command: String, wall: Double, cpu: Double, peakRSSGB: Double,
                    loadBefore: Double? = nil, stages: [Stage] = []) {
            self.size = size
            self.ratings = ratings
            self.command = command
            self.wall = wall
            self.cpu = cpu
            self.peakRSSGB = peakRSSGB
            self.loadBefore = loadBefore
            self.stages = stages
        }

        enum CodingKeys: String, CodingKey {
            case size, ratings, command, wall, cpu, stages
            case peakRSSGB = "rss_gb"
            case loadBefore = "load_before"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            size = try c.decode(String.self, forKey: .size)
            ratings = try c.decode(Int.self, forKey: .ratings)
            command = try c.decode(String.self, forKey: .command)
            wall = try c.decode(Double.self, forKey: .wall)
            cpu = try c.decode(Double.self, forKey: .cpu)
            peakRSSGB = try c.decode(Double.self, forKey: .peakRSSGB)
            loadBefore = try c.decodeIfPresent([Double].self, forKey: .loadBefore)?.first
            stages = try c.decodeIfPresent([Stage].self, forKey: .stages) ?? []
        }
    }

    /// One stage of a run (`pipeline` reports wall seconds only; `train --verbose` also CPU and RSS).
    public struct Stage: Sendable, Equatable, Decodable {
        public var name: String
        public var wall: Double
        public var cpu: Double?

        public init(name: String, wall: Double, cpu: Double? = nil) {
            self.name = name
            self.wall = wall
            self.cpu = cpu
        }

        enum CodingKeys: String, CodingKey { case name = "stage", wall, cpu }
    }

    public var runs: [Run]

    public init(runs: [Run]) { self.runs = runs }

    enum CodingKeys: String, CodingKey { case runs }

    /// The commands in order of first appearance.
    public var commands: [String] {
        var seen: [String] = []
        for r in runs where !seen.contains(r.command) { seen.append(r.command) }
        return seen
    }

    /// The runs of `command`, by increasing size (a size measured twice keeps its first run).
    public func runs(of command: String) -> [Run] {
        var out: [Run] = []
        for r in runs where r.command == command && !out.contains(where: { $0.ratings == r.ratings }) { out.append(r) }
        return out.sorted { $0.ratings < $1.ratings }
    }

    /// Reads the JSON written by `curve.py --json`.
    public static func load(path: String) throws -> ScaleCurve {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScaleCurveError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path)
    }

    /// Decodes curve JSON; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> ScaleCurve {
        let curve: ScaleCurve
        do {
            curve = try JSONDecoder().decode(ScaleCurve.self, from: data)
        } catch let error as DecodingError {
            throw ScaleCurveError.invalid(path: path, reason: describe(error))
        } catch {
            throw ScaleCurveError.invalid(path: path, reason: "\(error)")
        }
        for (i, r) in curve.runs.enumerated() {
            guard r.ratings > 0 else { throw ScaleCurveError.invalid(path: path, reason: "runs[\(i)].ratings must be positive (got \(r.ratings))") }
            for (name, v) in [("wall", r.wall), ("cpu", r.cpu), ("rss_gb", r.peakRSSGB)] where !(v.isFinite && v >= 0) {
                throw ScaleCurveError.invalid(path: path, reason: "runs[\(i)].\(name) must be a finite number ≥ 0 (got \(v))")
            }
        }
        return curve
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let c): return "missing key \(at(c.codingPath + [key]))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(at(c.codingPath)): \(c.debugDescription)"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not JSON: \(c.debugDescription)" : "\(at(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// Why a scale-curve file could not be used.
public enum ScaleCurveError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read the scale curve: \(reason)"
        case .invalid(let path, let reason): return "\(path): not a scale curve of Benchmarks/scale/curve.py --json: \(reason)"
        }
    }
}
