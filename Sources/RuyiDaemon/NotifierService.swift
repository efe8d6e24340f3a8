import Foundation
import Logging
import ServiceLifecycle

/// Talks to systemd: `WATCHDOG=1` only while the till answers (a stuck till loop stops the pings, and systemd restarts
/// the daemon), `STATUS=` lines a person can read, `STOPPING=1` when shutdown begins.
struct NotifierService: Service {
    let notifier: SystemdNotifier?
    let context: DaemonContext
    let till: TillSession
    let logger: Logger

    func run() async throws {
        guard let notifier else {
            try? await gracefulShutdown()
            return
        }
        // Ping at half the interval systemd asked for; without a watchdog, refresh the status line every 5 s.
        let interval = notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(5)
        var lastStatus = ""
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // The heartbeat is a call into the till actor: if the till is stuck, this await does not return and
                // no WATCHDOG=1 is sent.
                let alive = await till.heartbeat()
                let status = await context.status().summary
                var message = alive && notifier.watchdogInterval != nil ? "WATCHDOG=1" : ""
                if status != lastStatus {
                    message += (message.isEmpty ? "" : "\n") + "STATUS=\(status)"
                    lastStatus = status
                }
                if !message.isEmpty { notifier.notify(message) }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1\nSTATUS=stopping")
        }
    }
}
