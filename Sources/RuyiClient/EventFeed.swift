import Foundation
import Glibc

/// The daemon's event stream for a screen: a thread of its own follows `/v1/events` (again and again while ruyid
/// restarts) and wakes the screen's loop through a pipe, so a scan from the USB scanner shows without a key press.
final class EventFeed: @unchecked Sendable {
    struct Event: Sendable {
        let name: String
        let fields: [String: String]
    }

    /// The read end: readable when events are waiting.
    let wake: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var queue: [Event] = []

    init(socket: String) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        wake = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wake, F_SETFL, fcntl(wake, F_GETFL) | O_NONBLOCK)
        let thread = Thread { [self] in run(socket) }
        thread.name = "ruyi-events"
        thread.start()
    }

    /// The events since the last call.
    func drain() -> [Event] {
        lock.withLock {
            defer { queue.removeAll() }
            return queue
        }
    }

    private func run(_ socket: String) {
        let client = APIClient(socketPath: socket, timeoutSeconds: 5)
        while true {
            try? client.follow("/v1/events") { e in
                let fields = (try? JSONSerialization.jsonObject(with: Data(e.data.utf8)) as? [String: String]) ?? [:]
                lock.withLock { queue.append(Event(name: e.name, fields: fields)) }
                poke()
                return true
            }
            // The stream ended or never started: ruyid is stopping or restarting. Wake the screen (it finds out and
            // says so) and try again shortly.
            poke()
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    private func poke() {
        var b: UInt8 = 1
        _ = Glibc.write(wakeWrite, &b, 1)
    }
}
