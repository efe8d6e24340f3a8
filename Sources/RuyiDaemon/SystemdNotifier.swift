import Foundation
import Glibc
import RuyiSystem

/// sd_notify, written ourselves: one datagram per message to `$NOTIFY_SOCKET` (a path, or an abstract name starting
/// with `@`). Without `$NOTIFY_SOCKET` (not under systemd) every call does nothing.
///
/// `@unchecked Sendable`: the socket and address never change after init; `sendto` on a datagram socket is thread-safe.
public final class SystemdNotifier: @unchecked Sendable {
    private let fd: Int32
    private var address = sockaddr_un()
    private let length: socklen_t
    /// `$WATCHDOG_USEC` as an interval, when systemd asked for pings (and they are for this process).
    public let watchdogInterval: Duration?

    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, let (addr, len) = UnixSocket.address(path) else { return nil }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        address = addr
        length = len
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
    }

    deinit { close(fd) }

    /// Sends `READY=1`, `WATCHDOG=1`, `STATUS=…`, `STOPPING=1` (several lines in one datagram are allowed).
    @discardableResult
    public func notify(_ message: String) -> Bool {
        var bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                sendto(fd, &bytes, bytes.count, Int32(MSG_NOSIGNAL), sa, length)
            }
        }
        return sent == bytes.count
    }
}
