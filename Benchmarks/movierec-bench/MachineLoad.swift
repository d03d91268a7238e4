import Foundation

/// What else was running: the load average and, from `/proc/stat`, the share of all CPUs'
/// time spent busy between two samples, minus this process's own CPU time (`getrusage`).
struct MachineLoad {
    struct Sample {
        var loadavg: String
        var busyTicks: UInt64
        var totalTicks: UInt64
        var ownCPUSeconds: Double
        var wall: ContinuousClock.Instant
    }

    static func sample() -> Sample {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
        var busy: UInt64 = 0, total: UInt64 = 0
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let f = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
            // user nice system idle iowait irq softirq steal (guest fields are included in user)
            if f.count >= 8 {
                total = f.prefix(8).reduce(0, +)
                busy = total - f[3] - f[4]
            }
        }
        return Sample(loadavg: load, busyTicks: busy, totalTicks: total, ownCPUSeconds: ownCPUSeconds(), wall: .now)
    }

    /// CPU time (user + system) used so far by this process, all threads.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    let before: Sample
    let after: Sample

    /// Fraction of the machine's CPU capacity used by other processes between the samples.
    var othersShare: Double? {
        let ticks = Double(after.totalTicks &- before.totalTicks)
        guard ticks > 0 else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let busySeconds = Double(after.busyTicks &- before.busyTicks) / hz
        let totalSeconds = ticks / hz
        let own = after.ownCPUSeconds - before.ownCPUSeconds
        return max(0, min(1, (busySeconds - own) / totalSeconds))
    }

    var summary: String {
        let share = othersShare.map { String(format: "%.0f%%", $0 * 100) } ?? "n/a"
        let verdict: String
        if let s = othersShare { verdict = s < 0.1 ? "machine was quiet" : "OTHER PROCESSES LOADED THE MACHINE: numbers are pessimistic" }
        else { verdict = "load unknown" }
        return "load average before: \(before.loadavg), after: \(after.loadavg); other processes used \(share) of all CPUs during the run (\(verdict))"
    }
}
