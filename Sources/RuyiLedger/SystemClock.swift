#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RuyiCore

/// The real clocks: `CLOCK_REALTIME` for wall time, `CLOCK_BOOTTIME` for monotonic time (it keeps counting through
/// suspend), and the kernel's boot id.
public struct SystemClock: TillClock {
    public let bootID: String

    public init() {
        let raw = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "unknown"
        bootID = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func wallMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    public func monotonicNanos() -> UInt64 {
        var ts = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_BOOTTIME, &ts)
        #else
        clock_gettime(CLOCK_MONOTONIC, &ts)
        #endif
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
