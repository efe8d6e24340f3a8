import Foundation
import Logging
import RuyiAPI
import RuyiLedger
import RuyiSystem
import Synchronization

/// Runs catalog imports on a thread of its own: a 100,000-row import takes seconds, and must
/// hold neither the till (scans keep coming: their lookups read the ledger beside the import) nor the API's event loop.
/// One import at a time; progress goes out as `import` events (`ruyi catalog import` shows them).
actor CatalogImporter {
    nonisolated let unownedExecutor: UnownedSerialExecutor
    private let executor: DedicatedThreadExecutor
    private let ledger: Ledger
    private let events: EventHub
    private let logger: Logger
    /// Set while an import runs, checked before joining the actor's queue: a second import is refused at once, not
    /// left waiting behind the first.
    private nonisolated let busy = Mutex(false)

    init(ledger: Ledger, events: EventHub, logger: Logger) {
        executor = DedicatedThreadExecutor(name: "ruyi-import")
        unownedExecutor = executor.asUnownedSerialExecutor()
        self.ledger = ledger
        self.events = events
        self.logger = logger
    }

    /// Imports a CSV for `owner` (already checked by the till), all or nothing; the search finds the products at once.
    nonisolated func start(csv: [UInt8], source: String, owner: String) async throws(TillFailure) -> ImportView {
        guard busy.withLock({ running in
            if running { return false }
            running = true
            return true
        }) else { throw TillFailure(409, "catalog.import_running") }
        defer { busy.withLock { $0 = false } }
        return try await run(csv: csv, source: source, owner: owner)
    }

    private func run(csv: [UInt8], source: String, owner: String) throws(TillFailure) -> ImportView {
        let events = events
        let started = Date()
        events.publish(name: "import", ["state": "started", "source": source, "bytes": "\(csv.count)"])
        let report: ImportReport
        do {
            report = try ledger.importCatalog(csv: csv, source: source, by: owner) { rows, read, total in
                events.publish(name: "import", ["state": "reading", "rows": "\(rows)", "percent": "\(total > 0 ? read * 100 / total : 100)"])
            }
        } catch {
            events.publish(name: "import", ["state": "refused"])
            throw error is LedgerError ? TillFailure.ledger(error, 422) : TillFailure(422, "catalog.invalid", "\(error)")
        }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        events.publish(name: "import", ["state": report.committed ? "done" : "refused", "rows": "\(report.rows)",
                                        "imported": "\(report.imported)", "bad_rows": "\(report.badRows.count)", "ms": "\(ms)"])
        logger.notice("catalog import", metadata: ["rows": "\(report.rows)", "imported": "\(report.imported)", "bad": "\(report.badRows.count)",
                                                   "by": "\(owner)", "ms": "\(ms)"])
        return ImportView(rows: report.rows, imported: report.imported, committed: report.committed,
                          badRows: report.badRows.map { ImportView.BadRow(line: $0.line, problems: $0.problems) })
    }

    func close() { executor.shutdown() }
}
