import Foundation

/// Where and when a report was made, for its header.
public struct ReportContext: Sendable, Equatable {
    /// When the report was generated.
    public var generated: Date
    /// The machine: host name, CPU model where known.
    public var machine: String
    /// Logical cores of the machine.
    public var cores: Int
    /// The command that produced the report, as typed (optional).
    public var command: String?

    public init(generated: Date, machine: String, cores: Int, command: String? = nil) {
        self.generated = generated
        self.machine = machine
        self.cores = cores
        self.command = command
    }

    /// This machine now: host name, the CPU model from /proc/cpuinfo when readable, active cores.
    public static func current(command: String? = nil) -> ReportContext {
        let info = ProcessInfo.processInfo
        var machine = info.hostName
        if let cpu = cpuModel() { machine += " · " + cpu }
        return ReportContext(generated: Date(), machine: machine, cores: info.activeProcessorCount, command: command)
    }

    /// The generation time as `yyyy-MM-dd HH:mm:ss UTC`.
    public var generatedText: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: generated)
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
