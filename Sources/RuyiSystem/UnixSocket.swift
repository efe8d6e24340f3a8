import Glibc

/// Unix-domain socket addresses and connections: the API socket, the USB emulator's control socket, `$NOTIFY_SOCKET`.
public enum UnixSocket {
    /// The `sockaddr_un` for a path, or for an abstract name written `@name` (as systemd does), with its length; nil
    /// when the name does not fit.
    public static func address(_ path: String) -> (sockaddr_un, socklen_t)? {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        // An abstract name is exactly its bytes; a path includes its terminating zero.
        return (addr, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)))
    }

    /// A connected stream socket with send and receive timeouts. Throws the `errno` of the failed step.
    public static func connect(_ path: String, timeoutSeconds: Int) throws(UnixSocketError) -> Int32 {
        guard let (addr, length) = address(path) else { throw UnixSocketError(code: ENAMETOOLONG, step: "address") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UnixSocketError(code: errno, step: "socket") }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var a = addr
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw UnixSocketError(code: e, step: "connect")
        }
        return fd
    }

    /// Binds `fd` to `path` (or `@abstract`). Returns 0 or the errno.
    public static func bind(_ fd: Int32, _ path: String) -> Int32 {
        guard let (addr, length) = address(path) else { return ENAMETOOLONG }
        var a = addr
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) } }
        return rc == 0 ? 0 : errno
    }
}

public struct UnixSocketError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var step: String
    public var description: String { "\(step): \(String(cString: strerror(code)))" }
}
