import Foundation
import RuyiCore
import RuyiLedger

/// The daemon's state folder: the ledger, the journal of the open cart, the terminal id, the spool folder.
public struct StateDirectory: Sendable {
    public let path: String

    /// `flag` (--state-dir), then the config's `daemon.state_dir`, then `$STATE_DIRECTORY` (systemd's StateDirectory=),
    /// then `$XDG_STATE_HOME/ruyi`, then `~/.local/state/ruyi`.
    public static func resolve(flag: String?, config: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let flag, !flag.isEmpty { return flag }
        if !config.isEmpty { return config }
        if let s = environment["STATE_DIRECTORY"], !s.isEmpty { return s.split(separator: ":").first.map(String.init) ?? s }
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return x + "/ruyi" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/ruyi"
    }

    /// Creates the folder (0750) if needed.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
    }

    public var ledgerPath: String { path + "/ledger.sqlite" }
    /// The open cart's journal: `open-cart.a` and `open-cart.b` (see `CartJournalFile`).
    public var cartJournalPath: String { path + "/open-cart" }
    public var assignmentsPath: String { path + "/scanner-assignments.json" }
    public var spoolPath: String { path + "/spool" }

    /// The terminal's id (UUIDv7), created at first start and kept: it identifies the terminal upstream.
    public func terminalID() throws -> UUID {
        let file = path + "/terminal-id"
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let id = UUID(uuidString: trimmed) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file, NSLocalizedDescriptionKey: "\(file) does not hold a UUID; it identifies this terminal upstream — restore it from a backup rather than delete it"])
            }
            return id
        }
        let id = UUIDv7Generator(clock: SystemClock(), random: SystemRandomSource()).next()
        try Data((id.uuidString.lowercased() + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        return id
    }
}
