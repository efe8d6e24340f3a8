import Foundation
import Glibc

/// A cupsd of the test's own: a temporary ServerRoot, listening on a Unix socket only (so tests run in parallel without
/// port clashes), with a permissive policy. Stopped and removed when released.
///
/// Needs Debian's `cups-daemon`, `cups-client` (lpadmin) and `cups` (the socket backend): `scripts/setup.sh` installs them.
public final class PrivateCUPS: @unchecked Sendable {
    // Set once in init; the process handle is thread-safe itself.
    public let directory: String
    public let socketPath: String
    private let process: ChildProcess

    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/cupsd") && FileManager.default.isExecutableFile(atPath: "/usr/sbin/lpadmin")
            && FileManager.default.fileExists(atPath: "/usr/lib/cups/backend/socket")
    }

    /// Starts cupsd and returns once it answers on its socket (at most `timeout` seconds).
    public init(timeout: Double = 10) throws {
        // Unix socket paths are limited to 107 bytes: keep the directory short.
        var template = Array("/tmp/rcups-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestKitError("mkdtemp: \(String(cString: strerror(errno)))") }
        let base = String(cString: made)
        directory = base
        socketPath = base + "/run/cups.sock"
        let fm = FileManager.default
        for d in ["etc/ppd", "etc/ssl", "spool/tmp", "cache", "log", "run", "state/certs"] {
            try fm.createDirectory(atPath: base + "/" + d, withIntermediateDirectories: true)
        }
        chmod(base, 0o755)
        chmod(base + "/spool", 0o755)
        chmod(base + "/spool/tmp", 0o1777)
        let root = getuid() == 0
        let user = root ? "lp" : (ProcessInfo.processInfo.environment["USER"] ?? "nobody")
        let group = root ? "lp" : user
        try """
            ServerRoot \(base)/etc
            RequestRoot \(base)/spool
            TempDir \(base)/spool/tmp
            CacheDir \(base)/cache
            StateDir \(base)/state
            ServerBin /usr/lib/cups
            DataDir /usr/share/cups
            DocumentRoot /usr/share/cups/doc-root
            AccessLog \(base)/log/access_log
            ErrorLog \(base)/log/error_log
            PageLog \(base)/log/page_log
            Printcap \(base)/printcap
            User \(user)
            Group \(group)
            SystemGroup \(root ? "root" : group)

            """.write(toFile: base + "/etc/cups-files.conf", atomically: true, encoding: .utf8)
        try """
            LogLevel debug
            Listen \(socketPath)
            Browsing No
            WebInterface No
            DefaultAuthType None
            JobRetryInterval 1
            ErrorPolicy retry-current-job
            PreserveJobHistory Yes
            <Location />
              Order allow,deny
              Allow all
            </Location>
            <Policy default>
              JobPrivateAccess all
              JobPrivateValues none
              SubscriptionPrivateAccess all
              SubscriptionPrivateValues none
              <Limit All>
                Order deny,allow
              </Limit>
            </Policy>

            """.write(toFile: base + "/etc/cupsd.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess("/usr/sbin/cupsd", ["-f", "-c", base + "/etc/cupsd.conf", "-s", base + "/etc/cups-files.conf"],
                                   stdout: base + "/log/cupsd.stdout", stderr: base + "/log/cupsd.stderr")
        let deadline = Date().addingTimeInterval(timeout)
        while !Self.accepts(socketPath) {
            if let status = process.wait(timeout: 0) {
                throw TestKitError("cupsd exited with \(status): \(log())")
            }
            guard Date() < deadline else { throw TestKitError("cupsd did not answer on \(socketPath) within \(Int(timeout)) s: \(log())") }
            usleep(20_000)
        }
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Creates a raw queue with lpadmin (independently of Ruyi's own CUPS code).
    public func addRawQueue(_ name: String, uri: String, errorPolicy: String = "retry-current-job") throws {
        try lpadmin(["-p", name, "-E", "-v", uri, "-o", "printer-error-policy=\(errorPolicy)"])
    }

    public func removeQueue(_ name: String) throws { try lpadmin(["-x", name]) }

    public func lpadmin(_ arguments: [String]) throws {
        let r = try ChildProcess.run("/usr/sbin/lpadmin", ["-h", socketPath] + arguments)
        guard r.status == 0 else { throw TestKitError("lpadmin \(arguments.joined(separator: " ")) failed (\(r.status)): \(r.output)") }
    }

    /// Pauses the scheduler (SIGSTOP): its socket still accepts connections, but nothing answers.
    public func pause() { process.signal(SIGSTOP) }
    public func resume() { process.signal(SIGCONT) }
    public func stop() { process.stop() }

    /// The scheduler's error log (for failure messages).
    public func log() -> String {
        let text = (try? String(contentsOfFile: directory + "/log/error_log", encoding: .utf8)) ?? ""
        return String(text.suffix(3000))
    }

    static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
