import Foundation

enum SystemFacts {
    /// Peak resident memory of this process so far (VmHWM), in MB.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
            return kb / 1024
        }
        return 0
    }

    /// Resets the peak so the next figure measures only what follows (writes 5 to /proc/self/clear_refs).
    static func resetPeakRSS() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// True when `path` is on tmpfs or ramfs, where fsync costs nothing and a durability benchmark measures nothing.
    /// Reads /proc/mounts: the longest mount point that contains the path decides.
    static func isMemoryFileSystem(_ path: String) -> Bool {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return false }
        var best: (point: String, type: String) = ("", "")
        for line in mounts.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let point = String(f[1]).replacingOccurrences(of: "\\040", with: " ")
            let inside = point == "/" || real == point || real.hasPrefix(point + "/")
            if inside && point.count > best.point.count { best = (point, String(f[2])) }
        }
        return best.type == "tmpfs" || best.type == "ramfs"
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// CPU time of this process in microseconds: user and system.
    static func cpuMicros() -> (user: Double, system: Double) {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return (Double(u.ru_utime.tv_sec) * 1e6 + Double(u.ru_utime.tv_usec), Double(u.ru_stime.tv_sec) * 1e6 + Double(u.ru_stime.tv_usec))
    }

    /// Minor page faults of this process so far.
    static func minorFaults() -> Int {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return u.ru_minflt
    }
}
