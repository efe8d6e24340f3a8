import Foundation
import RuyiLedger

/// Points in sending a job where a test can stop the process (SIGKILL), to prove a crash there prints nothing twice.
public enum PrintFaultPoint: String, Sendable, CaseIterable {
    /// The job is marked `submitting`; CUPS has not been asked yet.
    case beforeCreate = "before-create"
    /// `cupsCreateJob` returned an id that is not recorded yet: the crash window the issue names.
    case afterCreate = "after-create"
    /// The id is recorded; the document has not been sent.
    case afterRecorded = "after-recorded"
    /// CUPS accepted the document; it is not recorded as `sent` yet.
    case afterDocument = "after-document"
}

/// What a printer is doing, in the words the cashier and the owner see.
public struct PrinterStatus: Hashable, Sendable {
    public enum Problem: String, Hashable, Sendable {
        /// No answer from the printer (off, unplugged, cable, network).
        case offline
        case paperOut = "paper_out"
        case paperJam = "paper_jam"
        case coverOpen = "cover_open"
        /// Disabled in CUPS (by an administrator, or by the stop-printer policy).
        case stopped
        /// The queue is gone from CUPS (after three missed looks in a row).
        case missing
        /// The CUPS scheduler itself does not answer.
        case schedulerDown = "scheduler_down"
    }

    /// The queue name, or `spool` for the spool-folder printer.
    public var printer: String
    public var problem: Problem?
    /// CUPS' own words (`printer-state-message`), for the technician.
    public var detail: String

    public init(printer: String, problem: Problem? = nil, detail: String = "") {
        self.printer = printer
        self.problem = problem
        self.detail = detail
    }

    /// Reads CUPS' printer state and state reasons.
    public init(_ p: CUPSPrinter) {
        let reasons = Set(p.reasons.map { r in
            // CUPS suffixes severities: media-empty-error, media-low-warning, offline-report.
            for suffix in ["-error", "-warning", "-report"] where r.hasSuffix(suffix) { return String(r.dropLast(suffix.count)) }
            return r
        })
        let problem: Problem? =
            if reasons.contains("media-empty") || reasons.contains("media-needed") { .paperOut }
            else if reasons.contains("media-jam") { .paperJam }
            else if reasons.contains("cover-open") || reasons.contains("door-open") { .coverOpen }
            else if reasons.contains("offline") || reasons.contains("connecting-to-device") || reasons.contains("timed-out") { .offline }
            else if p.state == .stopped || reasons.contains("paused") { .stopped }
            else if p.message.contains("not responding") || p.message.contains("may not exist") || p.message.contains("unavailable") { .offline }
            else { nil }
        self.init(printer: p.name, problem: problem, detail: p.message)
    }
}

/// The print queue as the till shows it.
public struct PrintQueueStatus: Hashable, Sendable {
    public var printer: PrinterStatus
    /// Receipts (and other jobs) not yet printed.
    public var waiting: Int
    /// The jobs that may or may not have printed, or failed: for the owner to reprint if the customer needs it.
    public var needsAttention: Int
    /// True when output goes to the spool folder because no CUPS server is there.
    public var spooling: Bool

    /// Stable code for programs: `printer.ok`, `printer.offline`, `printer.paper_out`, …
    public var code: String { "printer." + (printer.problem?.rawValue ?? "ok") }

    /// Plain words for the cashier's screen (Simplified Chinese).
    public var message: String { describe(Self.chinese) }

    /// The same in English.
    public var englishMessage: String { describe(Self.english) }

    struct Words: Sendable {
        let problem: @Sendable (PrinterStatus.Problem) -> String
        let waiting: @Sendable (Int) -> String
        let spooling: @Sendable (String?) -> String
        let printing: @Sendable (String) -> String
        let ready: String
    }

    static let chinese = Words(
        problem: { p in
            switch p {
            case .offline: "打印机离线"
            case .paperOut: "打印机缺纸"
            case .paperJam: "打印机卡纸"
            case .coverOpen: "打印机纸仓盖未关"
            case .stopped: "打印机已暂停"
            case .missing: "找不到打印机"
            case .schedulerDown: "打印服务没有响应"
            }
        },
        waiting: { "\($0) 张小票等待打印" },
        spooling: { "未连接打印机：小票保存在本机" + ($0.map { "（\($0)）" } ?? "") },
        printing: { "正在打印 — \($0)" },
        ready: "打印机正常")

    static let english = Words(
        problem: { p in
            switch p {
            case .offline: "printer offline"
            case .paperOut: "printer out of paper"
            case .paperJam: "printer paper jam"
            case .coverOpen: "printer cover open"
            case .stopped: "printer paused"
            case .missing: "printer not found"
            case .schedulerDown: "print service not answering"
            }
        },
        waiting: { "\($0) receipt\($0 == 1 ? "" : "s") waiting" },
        spooling: { "no printer: receipts are saved on this terminal" + ($0.map { " (\($0))" } ?? "") },
        printing: { "printing — \($0)" },
        ready: "printer ready")

    private func describe(_ w: Words) -> String {
        let wait = waiting > 0 ? w.waiting(waiting) : nil
        if spooling { return w.spooling(wait) }
        switch (printer.problem.map(w.problem), wait) {
        case let (p?, q?): return "\(p) — \(q)"
        case let (p?, nil): return p
        case let (nil, q?): return w.printing(q)
        case (nil, nil): return w.ready
        }
    }
}

/// Where jobs go: a CUPS queue, or the spool folder when there is no CUPS. A target moves a job through the ledger's
/// states itself, because the order of "record, then act" is what makes a crash safe, and it differs per target.
public protocol PrintTarget: Sendable {
    var name: String { get }
    var isSpool: Bool { get }
    /// Sends a `queued` job's bytes (and its text preview, for targets that keep one). Returns when the target has
    /// accepted them (the job is `sent` or `printed`).
    ///
    /// `isolation`: the caller's actor (the print worker, on its own thread). The ledger writes and file syncs run there:
    /// a plain nonisolated `async` method would run them on the shared pool, where a sync stalls the till's scans.
    func send(_ job: PrintJob, bytes: [UInt8], preview: String, ledger: Ledger, fault: (@Sendable (PrintFaultPoint) -> Void)?,
              isolation: isolated (any Actor)?) async throws
    /// Looks after a job in `submitting`, `created` or `sent` (after a crash, or while it prints): finds out from the
    /// target what became of it and records that. Never sends it again by itself. Runs on `isolation`, as `send`.
    func resolve(_ job: PrintJob, ledger: Ledger, isolation: isolated (any Actor)?) async throws
    /// The printer's state now.
    func status() async -> PrinterStatus
    /// Sends bytes that are not worth keeping (a drawer kick); gives up and withdraws them after `deadline` seconds.
    func sendNow(_ bytes: [UInt8], deadline: Double) async -> Bool
}
