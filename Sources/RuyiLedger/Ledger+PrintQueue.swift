import Foundation
import GRDB
import RuyiCore

/// A durable print job: a receipt owed to a customer (written in the sale's own transaction), a reprint, a report or
/// a test page. Operational state, not money of record: the sale is in the chain whether or not its receipt printed.
public struct PrintJob: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable { case receipt, reprint, report, test }

    /// Where a job is. The order is the only way forward; every change is also written to `print_job_event`.
    public enum State: String, Hashable, Sendable, Codable {
        /// Waiting to be sent.
        case queued
        /// Marked before `cupsCreateJob`: after a crash, CUPS is asked whether a job of this name exists.
        case submitting
        /// CUPS gave the job an id; the document may not have reached it yet.
        case created
        /// CUPS accepted the document: followed until it completes, never sent again.
        case sent
        case printed
        /// CUPS aborted or cancelled it, or it was given up; an owner's reprint prints it again.
        case failed
        /// It may or may not have printed (CUPS lost track of a job it had accepted): never retried automatically.
        case unknown

        /// Still the worker's business.
        public var isOpen: Bool { self == .queued || self == .submitting || self == .created || self == .sent }
    }

    public var id: UUID
    /// Creation order: jobs print in this order.
    public var n: Int64
    public var kind: Kind
    /// The sale (or refund) a receipt or reprint is for.
    public var sale: UUID?
    /// The frozen document (JSON of the receipt model, including any module content): rendered for the printer when
    /// sent, so a reprint is identical but for its REPRINT mark.
    public var document: [UInt8]
    public var reprint: Bool
    public var state: State
    /// The CUPS queue it went to (`spool` for the spool-folder printer).
    public var printer: String?
    public var cupsJob: Int32?
    public var attempts: Int
    /// Wall-clock milliseconds before which the worker does not try again (backoff).
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// A change to a print job, as recorded.
public struct PrintJobEvent: Hashable, Sendable {
    public var at: Int64
    public var state: PrintJob.State
    public var detail: String
}

/// Renders a sale's receipt inside the sale's transaction, so the job row and the sale commit together. Gets the
/// sale as recorded (with its shift and receipt number) and its commit; returns the frozen document.
public typealias ReceiptFreezer = (SaleData, CommittedSale) throws -> [UInt8]

/// The print queue's hot queries. Each names the open-jobs condition exactly as the partial index `print_job_open` does,
/// so SQLite reads that index (a test checks the plans).
enum PrintQueueSQL {
    static let isOpen = "state IN ('queued', 'submitting', 'created', 'sent')"
    static let next = "SELECT * FROM print_job WHERE \(isOpen) ORDER BY n LIMIT 1"
    static let openCount = "SELECT COUNT(*) FROM print_job WHERE \(isOpen)"
    /// As the partial index `print_job_attention` (v12) is conditioned.
    static let needsAttention = "SELECT COUNT(*) FROM print_job WHERE state IN ('failed', 'unknown') AND updated_at >= ?"
    static let all = [next, openCount, needsAttention]
}

extension LedgerSchema {
    static func registerPrintQueue(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-print-queue") { db in
            try db.execute(sql: """
                -- Durable print queue (operational state). A receipt's row is written in its sale's transaction.
                CREATE TABLE print_job (
                    n INTEGER PRIMARY KEY,            -- creation order = printing order
                    id BLOB NOT NULL UNIQUE,          -- UUIDv7; its text form is the CUPS job name
                    kind TEXT NOT NULL,
                    sale BLOB,
                    document BLOB NOT NULL,
                    reprint INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    printer TEXT,
                    cups_job INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX print_job_open ON print_job(n) WHERE state IN ('queued', 'submitting', 'created', 'sent');
                CREATE INDEX print_job_sale ON print_job(sale) WHERE sale IS NOT NULL;
                CREATE TABLE print_job_event (
                    job BLOB NOT NULL,
                    at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX print_job_event_job ON print_job_event(job);
                """)
        }
    }
}

extension Ledger {
    /// Queues a print job that belongs to no new sale (a reprint, a report, a test page).
    @discardableResult
    public func enqueuePrint(_ kind: PrintJob.Kind, document: [UInt8], sale: UUID? = nil, reprint: Bool = false) throws -> PrintJob {
        let id = newID()
        try write { db in try Self.insertPrintJob(db, id: id, kind: kind, sale: sale, document: document, reprint: reprint, at: clock.wallMillis()) }
        guard let job = try printJob(id) else { throw LedgerError.invalidSale("print job \(id.lowercased) vanished") }
        return job
    }

    /// Queues the sale's receipt again, marked REPRINT on paper: the one way a receipt prints twice.
    ///
    /// - Throws: ``LedgerError/unknownSale(_:)`` when no receipt was ever queued for that sale.
    @discardableResult
    public func reprintReceipt(of sale: UUID) throws -> PrintJob {
        let original = try pool.read { db in
            try Foundation.Data.fetchOne(db, sql: "SELECT document FROM print_job WHERE sale = ? AND kind = 'receipt' ORDER BY n LIMIT 1",
                                         arguments: [Foundation.Data(sale.bytes)])
        }
        guard let original else { throw LedgerError.unknownSale(sale.lowercased) }
        return try enqueuePrint(.reprint, document: [UInt8](original), sale: sale, reprint: true)
    }

    /// The jobs still to print or to follow, in printing order.
    public func openPrintJobs() throws -> [PrintJob] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM print_job WHERE \(PrintQueueSQL.isOpen) ORDER BY n").map(Self.printJob)
        }
    }

    /// The job to print next and how many are open (it included), both read through the open-jobs index: the print
    /// worker asks this at every step, and it costs the same with one receipt waiting as with a thousand (a printer
    /// off all afternoon while the till sells). Reading every open job with its document, as before, made each step's
    /// time and memory grow with the backlog.
    public func printQueueHead() throws -> (next: PrintJob?, open: Int) {
        try pool.read { db in
            let next = try Row.fetchOne(db, sql: PrintQueueSQL.next).map(Self.printJob)
            let open = next == nil ? 0 : try Int.fetchOne(db, sql: PrintQueueSQL.openCount) ?? 0
            return (next, open)
        }
    }

    /// Jobs in printing order, newest last (`limit` most recent).
    public func printJobs(limit: Int = 100) throws -> [PrintJob] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM print_job ORDER BY n DESC LIMIT ?) ORDER BY n", arguments: [limit])
                .map(Self.printJob)
        }
    }

    /// How many jobs changed to `failed` or `unknown` since `since` (wall ms): receipts the owner may want to reprint.
    public func printJobsNeedingAttention(since: Int64) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: PrintQueueSQL.needsAttention, arguments: [since]) ?? 0
        }
    }

    public func printJob(_ id: UUID) throws -> PrintJob? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM print_job WHERE id = ?", arguments: [Foundation.Data(id.bytes)]).map(Self.printJob)
        }
    }

    /// Records a job's new state (and what came with it) durably, with an event row saying why.
    public func updatePrintJob(_ id: UUID, state: PrintJob.State, printer: String? = nil, cupsJob: Int32? = nil,
                               attempts: Int? = nil, nextAttemptAt: Int64? = nil, error: String? = nil, detail: String = "") throws {
        let now = clock.wallMillis()
        try write { db in
            let key = Foundation.Data(id.bytes)
            try db.execute(sql: """
                UPDATE print_job SET state = ?, printer = IFNULL(?, printer), cups_job = IFNULL(?, cups_job),
                    attempts = IFNULL(?, attempts), next_attempt_at = IFNULL(?, next_attempt_at), last_error = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [state.rawValue, printer, cupsJob.map { Int64($0) }, attempts, nextAttemptAt, error, now, key])
            guard db.changesCount == 1 else { throw LedgerError.invalidSale("no print job \(id.lowercased)") }
            try db.execute(sql: "INSERT INTO print_job_event(job, at, state, detail) VALUES (?, ?, ?, ?)",
                           arguments: [key, now, state.rawValue, detail.isEmpty ? (error ?? "") : detail])
        }
    }

    /// A job's recorded changes, oldest first.
    public func printJobEvents(_ id: UUID) throws -> [PrintJobEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at, state, detail FROM print_job_event WHERE job = ? ORDER BY rowid",
                             arguments: [Foundation.Data(id.bytes)]).map {
                PrintJobEvent(at: $0["at"], state: PrintJob.State(rawValue: $0["state"]) ?? .unknown, detail: $0["detail"])
            }
        }
    }

    static func insertPrintJob(_ db: Database, id: UUID, kind: PrintJob.Kind, sale: UUID?, document: [UInt8], reprint: Bool, at: Int64) throws {
        let key = Foundation.Data(id.bytes)
        try db.cachedStatement(sql: """
            INSERT INTO print_job(id, kind, sale, document, reprint, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)
            """).execute(arguments: [key, kind.rawValue, sale.map { Foundation.Data($0.bytes) }, Foundation.Data(document), reprint, at, at])
        try db.cachedStatement(sql: "INSERT INTO print_job_event(job, at, state, detail) VALUES (?, ?, 'queued', ?)")
            .execute(arguments: [key, at, kind.rawValue])
    }

    static func printJob(_ row: Row) -> PrintJob {
        let sale: Foundation.Data? = row["sale"]
        let cups: Int64? = row["cups_job"]
        return PrintJob(id: UUID(bytes: [UInt8](row["id"] as Foundation.Data)), n: row["n"], kind: PrintJob.Kind(rawValue: row["kind"]) ?? .test,
                        sale: sale.map { UUID(bytes: [UInt8]($0)) }, document: [UInt8](row["document"] as Foundation.Data),
                        reprint: row["reprint"], state: PrintJob.State(rawValue: row["state"]) ?? .unknown, printer: row["printer"],
                        cupsJob: cups.map { Int32(truncatingIfNeeded: $0) }, attempts: row["attempts"], nextAttemptAt: row["next_attempt_at"],
                        lastError: row["last_error"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
