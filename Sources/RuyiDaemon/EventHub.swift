import Foundation

/// Daemon events (scans, cart changes, sales, printer and scanner state) for `GET /v1/events` and the status line.
/// Each listener has a bounded buffer: a slow client loses its oldest events, never slows the till.
///
/// `@unchecked Sendable`: the listener table is guarded by `lock`.
public final class EventHub: @unchecked Sendable {
    public struct Event: Sendable, Hashable {
        public var name: String
        public var fields: [String: String]
        public var seq: Int
    }

    private let lock = NSLock()
    private var listeners: [UUID: AsyncStream<Event>.Continuation] = [:]
    private var seq = 0

    public init() {}

    public func listen() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        lock.lock(); listeners[id] = continuation; lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock(); self.listeners[id] = nil; self.lock.unlock()
        }
        return stream
    }

    public func publish(name: String, _ fields: [String: String] = [:]) {
        lock.lock()
        seq += 1
        let e = Event(name: name, fields: fields, seq: seq)
        let targets = Array(listeners.values)
        lock.unlock()
        for t in targets { t.yield(e) }
    }
}
