import Foundation
import Glibc

/// A child process started with `posix_spawn`, an empty signal mask and default signal handlers.
///
/// Foundation's `Process` started from a test worker thread hands that thread's blocked-signal mask to the child, so a
/// cupsd (or a daemon under test) would ignore SIGTERM and a test waiting for it would hang (research notes, B.3).
public final class ChildProcess: @unchecked Sendable {
    // `pid` is written once in init; `exitStatus` only under `lock`.
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `path` with `arguments`; the environment is this process's plus `environment`. Output goes to the files
    /// given (or /dev/null).
    public init(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdout: String? = nil,
                stderr: String? = nil) throws {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        guard rc == 0 else { throw TestKitError("posix_spawn \(path): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Sends a signal (SIGTERM, SIGKILL, SIGSTOP, SIGCONT…).
    public func signal(_ sig: Int32) { kill(pid, sig) }

    /// The exit status once the child ended (signals as 128 + n), waiting at most `timeout` seconds; nil if it is still
    /// running then.
    @discardableResult
    public func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let s = lock.withLock({ exitStatus }) { return s }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                lock.withLock { exitStatus = code }
                return code
            }
            if r < 0 { return lock.withLock { exitStatus } ?? -1 }
            if Date() > deadline { return nil }
            usleep(10_000)
        }
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace` seconds. Always reaps the child.
    public func stop(grace: Double = 3) {
        if lock.withLock({ exitStatus }) != nil { return }
        signal(SIGCONT)   // a stopped process cannot act on SIGTERM
        signal(SIGTERM)
        if wait(timeout: grace) == nil {
            signal(SIGKILL)
            wait(timeout: 5)
        }
    }

    deinit { stop(grace: 1) }

    /// Runs a command to its end (bounded) and returns its exit status and combined output.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double = 20) throws -> (status: Int32, output: String) {
        let out = NSTemporaryDirectory() + "ruyi-run-\(UUID().uuidString.prefix(8)).log"
        defer { unlink(out) }
        let child = try ChildProcess(path, arguments, environment: environment, stdout: out, stderr: out + ".err")
        defer { unlink(out + ".err") }
        guard let status = child.wait(timeout: timeout) else {
            child.stop()
            throw TestKitError("\(path) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        let text = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "")
        return (status, text)
    }
}

public struct TestKitError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where the build put our executables (the test bundle sits beside them).
public enum BuiltProducts {
    public static var directory: String {
        let bundle = Bundle.main.bundleURL
        var dir = bundle.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("ruyi").path) {
            // swift test runs an .xctest bundle from the products directory on Linux.
            dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        }
        return dir.path
    }

    /// The path of one of our executables, built by `swift build --build-tests`.
    public static func executable(_ name: String) throws -> String {
        let candidates = [directory, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
        for dir in candidates {
            let path = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestKitError("executable \(name) not found next to the tests (\(candidates)); build with swift build --build-tests")
    }
}
