import Foundation
import Logging
import ServiceLifecycle

/// Talks to systemd: `WATCHDOG=1` only while the till answers (a stuck till loop stops the pings, and systemd restarts
/// the daemon), `STATUS=` lines a person can read, `STOPPING=1` when shutdown begins. The two run apart: a slow status
/// source (the print queue) can never cost a ping, and only the till decides whether ruyid is alive.
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
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let interval = notifier.watchdogInterval {
                    group.addTask {
                        // Ping at half the interval systemd asked for. The heartbeat is a call into the till actor:
                        // if the till is stuck, this await does not return and no WATCHDOG=1 is sent.
                        while !Task.isCancelled && !Task.isShuttingDownGracefully {
                            if await till.heartbeat() { notifier.notify("WATCHDOG=1") }
                            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) }
                        }
                    }
                }
                group.addTask {
                    var last = ""
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        let status = await context.status().summary
                        if status != last {
                            notifier.notify("STATUS=\(status)")
                            last = status
                        }
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
                    }
                }
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1\nSTATUS=stopping")
        }
    }
}
