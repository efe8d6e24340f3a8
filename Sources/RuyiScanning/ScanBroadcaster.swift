import Foundation
import Logging

/// What the scanner side tells its listeners (the till; `ruyi usb watch`).
public enum ScannerEvent: Sendable {
    case scan(Scan)
    /// A report or scan that was not delivered, and why (counted in the device's status too).
    case problem(ScannerIdentity, ScanProblem)
    /// A scanner arrived, left, or changed state.
    case device(ScannerStatus)
    /// Raw report as it came off the endpoint (only for listeners that asked for them: diagnostics).
    case report(ScannerIdentity, [UInt8])
}

/// Fans scanner events out to every listener. A scan that arrives while nobody listens is logged and counted, never
/// dropped silently. Each listener's buffer is bounded (a stuck listener loses its oldest events, counted).
///
/// `@unchecked Sendable`: all state is guarded by `lock`; delivery is synchronous from the driver, no extra hop.
public final class ScanBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [UUID: (AsyncStream<ScannerEvent>.Continuation, raw: Bool)] = [:]
    private var unheard = 0
    private var overflowed = 0
    let logger: Logger

    public init(logger: Logger = Logger(label: "ruyi.scanner")) { self.logger = logger }

    /// A new listener. With `rawReports`, every report is delivered too (diagnostics only: it is a lot).
    public func listen(rawReports: Bool = false, buffer: Int = 256) -> AsyncStream<ScannerEvent> {
        let (stream, continuation) = AsyncStream<ScannerEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = UUID()
        lock.lock()
        listeners[id] = (continuation, rawReports)
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.listeners[id] = nil
            self.lock.unlock()
        }
        return stream
    }

    /// Scans that arrived while nothing listened.
    public var unheardScans: Int { lock.lock(); defer { lock.unlock() }; return unheard }
    /// Events a slow listener lost.
    public var overflowedEvents: Int { lock.lock(); defer { lock.unlock() }; return overflowed }
    var wantsRaw: Bool { lock.lock(); defer { lock.unlock() }; return listeners.values.contains { $0.raw } }

    func publish(_ event: ScannerEvent) {
        lock.lock()
        var targets: [AsyncStream<ScannerEvent>.Continuation] = []
        var isRaw = false
        if case .report = event { isRaw = true }
        for l in listeners.values where !isRaw || l.raw { targets.append(l.0) }
        var nobody = false
        if case .scan = event, targets.isEmpty { unheard += 1; nobody = true }
        lock.unlock()
        if nobody, case .scan(let scan) = event {
            logger.warning("scan arrived while nothing listens: kept in the count only", metadata: ["scanner": "\(scan.device)", "text": "\(scan.text.debugDescription)"])
        }
        for t in targets {
            if case .dropped = t.yield(event) { lock.lock(); overflowed += 1; lock.unlock() }
        }
    }
}
