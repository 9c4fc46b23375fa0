import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How many cores this process may use: the fewer of the CPUs it may be scheduled on and its
/// cgroup's CPU quota, rounded up.
///
/// The one count every thread pool, decode pool and model session sizes itself from. In a pod
/// limited to 2 CPUs on a 64-core node, the online-CPU count (what `sysconf` answers) made 64
/// decode threads and 64 intra-op threads share 2 cores' worth of quota, and the kernel's
/// throttling showed up as latency.
public enum Cores {
    public static let available: Int = {
        let scheduled = affinityCount() ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let quota = cgroupQuota()
        return max(1, min(scheduled, quota ?? scheduled))
    }()

    /// Cores a cgroup v2 `cpu.max` line allows ("200000 100000" is 2; "max 100000" is no limit).
    public static func cores(cpuMax line: String) -> Int? {
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 else { return nil }
        return max(1, Int((quota / period).rounded(.up)))
    }

    static func cgroupQuota() -> Int? {
        if let line = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            return cores(cpuMax: line)
        }
        // cgroup v1: the quota and the period in two files; -1 is no limit.
        guard let quota = try? String(contentsOfFile: "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", encoding: .utf8),
              let period = try? String(contentsOfFile: "/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding: .utf8) else { return nil }
        return cores(cpuMax: quota.trimmingCharacters(in: .whitespacesAndNewlines) + " " + period.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The CPUs the scheduler may run this process on (Foundation reads the affinity mask).
    static func affinityCount() -> Int? {
        let count = ProcessInfo.processInfo.activeProcessorCount
        return count > 0 ? count : nil
    }
}
