import Foundation

/// A terminal for screen tests: a private tmux server (its own socket), one session of a given size running a
/// command; keys are sent as a person would type them and the screen is read back as text.
public final class Tmux {
    public let server: String
    private let session = "s"

    public init(_ command: [String], columns: Int = 80, rows: Int = 24, environment: [String: String] = [:]) throws {
        server = "ruyi-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let env = (["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"].merging(environment) { $1 })
            .map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let line = "env \(env) " + command.map(Self.quote).joined(separator: " ")
        try tmux(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", line])
        try tmux(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// Text as typed, character by character.
    public func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }

    /// Named keys: `Enter`, `Escape`, `BSpace`, `C-c`, `F5` …
    public func press(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }

    public func resize(columns: Int, rows: Int) throws { try tmux(["resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)"]) }

    /// The screen as it is now, one string per row.
    public func screen() throws -> [String] {
        var rows = try tmux(["capture-pane", "-p", "-t", session]).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if rows.last == "" { rows.removeLast() }  // the newline after the last row
        return rows
    }

    /// Waits (at most `seconds`) until the screen shows every one of `texts`; the screen as last seen.
    @discardableResult
    public func waitFor(_ texts: String..., seconds: Double = 10) throws -> (found: Bool, screen: String) {
        let r = try waitFor(texts, seconds: seconds)
        return (r.found, r.rows.joined(separator: "\n"))
    }

    /// The same, with the screen's rows.
    public func waitFor(_ texts: [String], seconds: Double = 10) throws -> (found: Bool, rows: [String]) {
        let end = Date().addingTimeInterval(seconds)
        var rows: [String] = []
        while Date() < end {
            rows = try screen()
            let text = rows.joined(separator: "\n")
            if texts.allSatisfy({ text.contains($0) }) { return (true, rows) }
            usleep(50_000)
        }
        return (false, rows)
    }

    @discardableResult
    private func tmux(_ args: [String]) throws -> String {
        let r = try ChildProcess.run("/usr/bin/tmux", ["-L", server, "-u"] + args, environment: ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"], timeout: 10)
        guard r.status == 0 else { throw TmuxFailure(description: "tmux \(args.first ?? ""): \(r.output)") }
        return r.output
    }

    private static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    public struct TmuxFailure: Error, CustomStringConvertible { public let description: String }
}
