import Foundation
import Glibc

/// A fake network receipt printer (AppSocket/JetDirect, what CUPS' `socket://` backend speaks): a TCP listener on
/// 127.0.0.1 that records the bytes of each connection. It can go down and come back on the same port, as a printer
/// that is switched off and on again.
public final class ByteListener: @unchecked Sendable {
    // `port` is fixed at init; everything else is guarded by `lock`.
    public let port: UInt16
    private let lock = NSCondition()
    private var received: [[UInt8]] = []
    private var listening: Int32 = -1
    private var running = false
    private var thread: Thread?

    public init() throws {
        let fd = try Self.bind(port: 0)
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        start(fd)
    }

    deinit { down() }

    /// `socket://127.0.0.1:PORT` for lpadmin; `contimeout` makes CUPS' backend give up on a dead printer after that many
    /// seconds (then the queue's error policy applies) instead of retrying inside one attempt.
    public func uri(contimeout: Int? = nil) -> String {
        "socket://127.0.0.1:\(port)" + (contimeout.map { "/?contimeout=\($0)" } ?? "")
    }

    /// Every connection's bytes so far, in the order they arrived.
    public var connections: [[UInt8]] { lock.withLock { received } }

    /// Waits until at least `count` connections have completed, at most `timeout` seconds.
    @discardableResult
    public func waitFor(_ count: Int, timeout: Double) -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while received.count < count && lock.wait(until: deadline) {}
        return received
    }

    /// The printer goes off: the port refuses connections.
    public func down() {
        lock.lock()
        let fd = listening
        listening = -1
        running = false
        lock.unlock()
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        while thread?.isFinished == false { usleep(5_000) }
        thread = nil
    }

    /// The printer comes back on the same port.
    public func up() throws {
        guard lock.withLock({ !running }) else { return }
        start(try Self.bind(port: port))
    }

    private func start(_ fd: Int32) {
        lock.withLock {
            listening = fd
            running = true
        }
        let t = Thread { [self] in acceptLoop(fd) }
        t.name = "byte-listener"
        thread = t
        t.start()
    }

    private func acceptLoop(_ fd: Int32) {
        while lock.withLock({ running && listening == fd }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let conn = accept(fd, nil, nil)
            guard conn >= 0 else { continue }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            // Read until the backend closes its side (it does when the job's data is all sent); bounded at 30 s.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                var cp = pollfd(fd: conn, events: Int16(POLLIN), revents: 0)
                guard poll(&cp, 1, 200) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(conn, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                data += buffer[0..<n]
            }
            close(conn)
            lock.withLock {
                received.append(data)
                lock.broadcast()
            }
        }
    }

    static func bind(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestKitError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0, listen(fd, 8) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw TestKitError("bind 127.0.0.1:\(port): \(why)")
        }
        return fd
    }
}
