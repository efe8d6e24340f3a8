import Foundation
import RuyiTestKit
import Testing
@testable import RuyiScanning
@testable import RuyiUSB

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalog: ScannerCatalog = try! ScannerCatalog.load(devices: root.appendingPathComponent("devices").path)
}

/// A scanner hub on the real libusb inside the emulator, with its event thread, and everything it publishes collected.
final class HubFixture: @unchecked Sendable {
    let emulator: USBEmulator
    let context: USBContext
    let hub: ScannerHub
    private let lock = NSLock()
    private var collected: [ScannerEvent] = []
    private var tasks: [Task<Void, Never>] = []

    init(catalog: ScannerCatalog = Repo.catalog, readTimeoutMS: UInt32 = 1000, listen: Bool = true, rawReports: Bool = false) throws {
        guard let e = try USBEmulator.connect() else { throw USBEmulator.Failure(description: "not under the emulator") }
        emulator = e
        context = try USBContext()
        hub = ScannerHub(context: context, catalog: catalog, readTimeoutMS: readTimeoutMS)
        let context = self.context, hub = self.hub
        tasks.append(Task.detached { try? await context.run() })
        tasks.append(Task.detached { try? await hub.run() })
        if listen {
            let stream = hub.events.listen(rawReports: rawReports, buffer: 100_000)
            tasks.append(Task.detached { [weak self] in
                for await event in stream { self?.append(event) }
            })
        }
    }

    private func append(_ e: ScannerEvent) { lock.lock(); collected.append(e); lock.unlock() }

    var events: [ScannerEvent] { lock.lock(); defer { lock.unlock() }; return collected }
    var scans: [Scan] { events.compactMap { if case .scan(let s) = $0 { s } else { nil } } }
    var problems: [ScanProblem] { events.compactMap { if case .problem(_, let p) = $0 { p } else { nil } } }
    func clear() { lock.lock(); collected.removeAll(); lock.unlock() }

    /// Polls until `condition` holds, at most `ms` milliseconds. True when it held.
    @discardableResult
    func waitUntil(_ ms: Int = 900, _ condition: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + .milliseconds(ms)
        while ContinuousClock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    func status(_ model: String) -> ScannerStatus? { hub.list().first { $0.identity.model == model } }

    func isDriving(_ model: String) -> Bool {
        if case .driving? = status(model)?.state { return true }
        return false
    }

    /// Stops the hub (giving every device back) and the event thread; bounded: a hub that does not stop within 2 s
    /// is a test failure, not a hang.
    @discardableResult
    func stop() async -> Bool {
        let hubTask = tasks[1]
        let stopped = StopFlag()
        Task.detached { await hubTask.value; stopped.set() }
        hubTask.cancel()
        let ok = await waitUntil(2000) { stopped.isSet }
        if !ok { Issue.record("the scanner hub did not stop within 2 s") }
        context.stop()
        for t in tasks { t.cancel() }
        return ok
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// HID-POS reports (Honeywell layout) for `data`.
func hidpos(_ data: String, aim: String = "]E0") -> [[UInt8]] {
    let bytes = Array(data.utf8)
    var reports: [[UInt8]] = []
    var i = 0
    repeat {
        let chunk = bytes[i..<min(i + 56, bytes.count)]
        var r = [UInt8](repeating: 0, count: 64)
        r[0] = 2
        r[1] = UInt8(chunk.count)
        for (k, b) in aim.utf8.enumerated() { r[2 + k] = b }
        for (k, b) in chunk.enumerated() { r[5 + k] = b }
        i += 56
        r[63] = i < bytes.count ? 1 : 0
        reports.append(r)
    } while i < bytes.count
    return reports
}
