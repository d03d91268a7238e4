/// What happened to the rows of one input file: every row read is counted exactly once as kept
/// unchanged, kept after repairs, or dropped, so `read == kept + repairedRows + droppedRows`.
///
/// `dropped` maps each reason to the number of rows dropped for it (a dropped row has exactly one
/// reason: the first rule it failed). `repaired` maps each reason to the number of repairs made
/// for it; one row can be repaired for several reasons (a user with a bad gender *and* a bad
/// age), so the values of `repaired` can add up to more than `repairedRows`.
/// `examples` holds, per reason, the first five 1-based line numbers where it occurred.
public struct FileReport: Sendable, Codable, Equatable {
    /// File name inside the data directory, e.g. `ratings.csv`.
    public var file: String
    /// Data rows read (header excluded; blank lines included, they are dropped as `empty line`).
    public var read: Int
    /// Rows kept unchanged.
    public var kept: Int
    /// Rows kept after at least one repair.
    public var repairedRows: Int
    /// Rows dropped.
    public var droppedRows: Int
    /// Repairs by reason.
    public var repaired: [String: Int]
    /// Dropped rows by reason.
    public var dropped: [String: Int]
    /// First five line numbers per reason (repairs and drops).
    public var examples: [String: [Int]]

    /// An empty report for `file`.
    public init(file: String) {
        self.file = file
        read = 0; kept = 0; repairedRows = 0; droppedRows = 0
        repaired = [:]; dropped = [:]; examples = [:]
    }

    /// Whether the identity `read == kept + repairedRows + droppedRows` holds and the dropped
    /// reasons add up to `droppedRows`.
    public var isBalanced: Bool {
        read == kept + repairedRows + droppedRows && dropped.values.reduce(0, +) == droppedRows
            && repaired.values.reduce(0, +) >= repairedRows && (repairedRows > 0 || repaired.isEmpty)
    }

    /// Rows dropped for `reason`.
    public func dropped(_ reason: CleaningReason) -> Int { dropped[reason.rawValue] ?? 0 }
    /// Repairs made for `reason`.
    public func repaired(_ reason: CleaningReason) -> Int { repaired[reason.rawValue] ?? 0 }
    /// Example line numbers for `reason`.
    public func examples(_ reason: CleaningReason) -> [Int] { examples[reason.rawValue] ?? [] }

    mutating func noteExample(_ reason: CleaningReason, line: Int) {
        var list = examples[reason.rawValue] ?? []
        if list.count < FileReport.exampleLimit {
            list.append(line)
            examples[reason.rawValue] = list
        }
    }

    /// Counts one dropped row.
    mutating func drop(_ reason: CleaningReason, line: Int) {
        droppedRows += 1
        dropped[reason.rawValue, default: 0] += 1
        noteExample(reason, line: line)
    }

    /// Counts one repair (call `finishRow` once per row afterwards).
    mutating func repair(_ reason: CleaningReason, line: Int) {
        repaired[reason.rawValue, default: 0] += 1
        noteExample(reason, line: line)
    }

    /// Merges the counts of another report of the same file whose rows come after this one's
    /// (examples stay the first five in line order).
    mutating func merge(_ other: FileReport) {
        read += other.read; kept += other.kept
        repairedRows += other.repairedRows; droppedRows += other.droppedRows
        for (k, v) in other.repaired { repaired[k, default: 0] += v }
        for (k, v) in other.dropped { dropped[k, default: 0] += v }
        for (k, v) in other.examples {
            var list = examples[k] ?? []
            for line in v where list.count < FileReport.exampleLimit { list.append(line) }
            examples[k] = list.sorted()
        }
    }

    static let exampleLimit = 5
}

/// The cleaning report of one load: a `FileReport` per input file, keyed by role
/// (`ratings`, `users`, `movies`, `tags`, `links`), in a fixed order.
public struct CleaningReport: Sendable, Codable, Equatable {
    /// The format that was read.
    public var format: DataFormat
    /// The data directory.
    public var directory: String
    /// Per-file reports by role; roles whose file is absent are missing.
    public var files: [String: FileReport]

    public init(format: DataFormat, directory: String, files: [String: FileReport] = [:]) {
        self.format = format
        self.directory = directory
        self.files = files
    }

    /// The roles in display order.
    public static let roles = ["ratings", "users", "movies", "tags", "links"]

    /// Reports in display order.
    public var orderedFiles: [(role: String, report: FileReport)] {
        CleaningReport.roles.compactMap { role in files[role].map { (role, $0) } }
    }

    /// Whether every file's counts balance.
    public var isBalanced: Bool { files.values.allSatisfy(\.isBalanced) }
}

/// A cleaned dataset together with the report of how it was cleaned.
public struct LoadResult: Sendable, Equatable {
    public var dataset: Dataset
    public var report: CleaningReport

    public init(dataset: Dataset, report: CleaningReport) {
        self.dataset = dataset
        self.report = report
    }
}
