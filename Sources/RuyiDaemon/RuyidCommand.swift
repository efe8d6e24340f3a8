import ArgumentParser
import Foundation
import Logging

/// `ruyid`: the daemon a POS terminal boots into.
public struct RuyidCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ruyid",
        abstract: "Ruyi (如意) point-of-sale daemon.",
        discussion: """
            Runs with no configuration file at all (embedded defaults); /etc/ruyi/ruyid.toml is read when present. \
            A bad file is refused with its line and key, and ruyid does not start. Exit status: 0 after a clean SIGTERM; \
            78 (EX_CONFIG) for a refused configuration; 1 for any other failure to start.
            """)

    @Option(name: .long, help: "Configuration file (default /etc/ruyi/ruyid.toml when it exists).")
    var config: String?

    @Option(name: .long, help: "State folder (default: $STATE_DIRECTORY, $XDG_STATE_HOME/ruyi or ~/.local/state/ruyi).")
    var stateDir: String?

    @Option(name: .long, help: "The API's Unix socket (default /run/ruyi/ruyid.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print the effective configuration as TOML and exit.")
    var printConfig = false

    @Flag(name: .long, help: ArgumentHelp("Enable test-only routes (watchdog stall).", visibility: .hidden))
    var testHooks = false

    public init() {}

    /// The daemon's entry point (`main.swift` calls it after parsing).
    public func start() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .trace // levels are set per module logger
            return h
        }
        let logger = Logger(label: "ruyid")
        var cfg = DaemonConfig()
        let file = config ?? (FileManager.default.fileExists(atPath: "/etc/ruyi/ruyid.toml") ? "/etc/ruyi/ruyid.toml" : nil)
        if let file {
            do { cfg = try DaemonConfig.load(file: file) } catch {
                FileHandle.standardError.write(Data("ruyid: configuration refused: \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
        if let socket { cfg.socket = socket }
        let state = StateDirectory.resolve(flag: stateDir, config: cfg.stateDir)
        if printConfig {
            var shown = cfg
            shown.stateDir = state
            print("# effective configuration (\(file ?? "embedded defaults"))\n" + shown.toml, terminator: "")
            return
        }
        var options = Daemon.Options(config: cfg, configFile: file, stateDir: state, socket: cfg.socket)
        options.testHooks = testHooks
        do {
            try await Daemon.run(options, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("ruyid: cannot run: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
