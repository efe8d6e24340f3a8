#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RuyiCore
import Synchronization

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

/// The kernel's random numbers, 64 values per read of `/dev/urandom`: a UUIDv7 takes two values, and a system call
/// per value showed up on the sale path.
public final class SystemRandomSource: RandomSource {
    private let state = Mutex<(buffer: [UInt64], next: Int)>(([UInt64](repeating: 0, count: 64), 64))
    private let fd: Int32

    public init() {
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func next() -> UInt64 {
        state.withLock { s in
            if s.next == s.buffer.count {
                let complete = fd >= 0 && s.buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) == raw.count }
                if !complete {
                    var g = SystemRandomNumberGenerator()
                    for i in s.buffer.indices { s.buffer[i] = g.next() }
                }
                s.next = 0
            }
            defer { s.next += 1 }
            return s.buffer[s.next]
        }
    }
}
