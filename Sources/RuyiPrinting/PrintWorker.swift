import Foundation
import RuyiCore
import RuyiLedger
import RuyiReceipts
import RuyiSystem

/// Prints the durable queue: one job at a time, in the order the jobs were created, each exactly once.
///
/// Runs on a thread of its own (its ledger writes fsync, and the shared pool must stay free for the till); talks to
/// CUPS through the target's client, on the CUPS thread. A printer that is down keeps the head job waiting and the
/// worker retrying with backoff; the jobs behind it wait in the ledger, so they come out in order once it is back.
public actor PrintWorker {
    public struct Options: Sendable {
        /// How often an unfinished job and the printer's state are looked at.
        public var pollInterval: Duration = .milliseconds(250)
        /// Retry delays after a failed send: base × 2^(attempts − 1), at most `backoffMax` seconds.
        public var backoffBase: Double = 1
        public var backoffMax: Double = 30
        /// A drawer kick older than this is dropped, never sent late.
        public var drawerKickMaxAge: Double = 3
        /// Tests only: called at each step of a send, so a test can kill the process there.
        public var fault: (@Sendable (PrintFaultPoint) -> Void)?
        public init() {}
    }

    private let executor = DedicatedThreadExecutor(name: "ruyi-print")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public nonisolated let ledger: Ledger
    public nonisolated let target: any PrintTarget
    public nonisolated let statusUpdates: AsyncStream<PrintQueueStatus>
    private let statusContinuation: AsyncStream<PrintQueueStatus>.Continuation
    private let composer: ReceiptComposer
    private let clock: any TillClock
    private let options: Options
    private var printer: PrinterStatus
    private var lastStatus: PrintQueueStatus?
    private var printerCheckedAt = Date.distantPast

    public init(ledger: Ledger, target: any PrintTarget, profile: PrinterProfile, clock: any TillClock = SystemClock(),
                options: Options = Options()) throws {
        self.ledger = ledger
        self.target = target
        self.clock = clock
        self.options = options
        composer = try ReceiptComposer(profile: profile)
        printer = PrinterStatus(printer: target.name)
        (statusUpdates, statusContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16))
    }

    /// Ask the worker to look at the queue now (after a sale committed) instead of at its next poll.
    public nonisolated func wake() { Task { await self.wakeUp() } }

    /// Prints until the task is cancelled. Jobs a crash left half-sent are resolved first, by asking the target.
    public func run() async {
        while !Task.isCancelled {
            if await step() { continue }
            await sleep()
        }
        statusContinuation.finish()
    }

    /// Ends the worker's thread once `run()` has returned. The worker must not be used afterwards.
    public func close() { executor.shutdown() }

    private var sleeper: CheckedContinuation<Void, Never>?
    private var pendingWake = false

    /// Until the next poll or a wake-up, whichever comes first. (A poll timer that fires after a wake-up only makes
    /// one look come early: harmless.)
    private func sleep() async {
        if pendingWake { pendingWake = false; return }
        let poll = options.pollInterval
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            sleeper = c
            Task { [weak self] in
                try? await Task.sleep(for: poll)
                await self?.wakeUp()
            }
        }
    }

    private func wakeUp() {
        if let s = sleeper {
            sleeper = nil
            s.resume()
        } else {
            pendingWake = true
        }
    }

    /// One step on the head of the queue. Returns true when it moved a job forward and the next step should follow at
    /// once; false when there is nothing to do before the next poll.
    @discardableResult
    public func step() async -> Bool {
        let queue: (next: PrintJob?, open: Int)
        do { queue = try ledger.printQueueHead() } catch { return false }
        guard let head = queue.next else {
            // Idle: look at the printer when the queue just emptied, while it reports a problem (it may be fixed
            // without a job to show it — paper put in, the printer back on), and every half minute.
            let stale = Date().timeIntervalSince(printerCheckedAt) > 30
            await publish(waiting: 0, refreshPrinter: lastStatus == nil || lastStatus!.waiting > 0 || printer.problem != nil || stale)
            return false
        }
        let now = clock.wallMillis()
        guard head.nextAttemptAt <= now else {
            await publish(waiting: queue.open, refreshPrinter: true)
            return false
        }
        let before = head.state
        do {
            if head.state == .queued {
                let (bytes, preview) = try render(head)
                try await target.send(head, bytes: bytes, preview: preview, ledger: ledger, fault: options.fault, isolation: self)
            } else {
                try await target.resolve(head, ledger: ledger, isolation: self)
            }
        } catch let error as RenderError {
            try? ledger.updatePrintJob(head.id, state: .failed, error: error.message)
            return true
        } catch {
            await backoff(head, error)
            await publish(waiting: queue.open, refreshPrinter: true)
            return false
        }
        let after = (try? ledger.printJob(head.id))?.state ?? before
        if after == .printed || after == .failed || after == .unknown || after == .queued {
            await publish(waiting: queue.open - (after == .queued ? 0 : 1), refreshPrinter: after != .printed)
            return true
        }
        // Sent and printing (or waiting for the printer): look again at the next poll.
        await publish(waiting: queue.open, refreshPrinter: true)
        return false
    }

    /// Opens the cash drawer now, or not at all: a kick requested more than `drawerKickMaxAge` seconds ago (monotonic
    /// time) is dropped, and one the printer has not taken by then is withdrawn.
    public func kickDrawer(requestedAt: UInt64, pin5: Bool = false) async -> Bool {
        let age = Double(clock.monotonicNanos() &- requestedAt) / 1e9
        guard age < options.drawerKickMaxAge else { return false }
        return await target.sendNow(composer.drawerKick(pin5: pin5), deadline: options.drawerKickMaxAge - age)
    }

    /// The queue's state as last published.
    public func status() -> PrintQueueStatus? { lastStatus }

    // MARK: -

    struct RenderError: Error { let message: String }

    private func render(_ job: PrintJob) throws -> ([UInt8], String) {
        let document: ReceiptDocument
        do { document = try ReceiptDocument.thawed(job.document) } catch {
            throw RenderError(message: "the stored receipt cannot be read (\(error)); it was not printed")
        }
        do {
            let bytes = try composer.escpos(document, reprint: job.reprint).bytes
            return (bytes, target.isSpool ? composer.preview(document, reprint: job.reprint) : "")
        } catch {
            throw RenderError(message: "the receipt cannot be printed: \(error)")
        }
    }

    private func backoff(_ job: PrintJob, _ error: any Error) async {
        let current = (try? ledger.printJob(job.id)) ?? job
        let attempts = max(current.attempts, 1)
        let delay = min(options.backoffMax, options.backoffBase * pow(2, Double(min(attempts - 1, 16))))
        let message = (error as? CUPSError)?.description ?? "\(error)"
        try? ledger.updatePrintJob(job.id, state: current.state, nextAttemptAt: clock.wallMillis() + Int64(delay * 1000), error: message,
                                   detail: "retry in \(Int(delay)) s: \(message)")
        if let e = error as? CUPSError, e.code == CUPSError.unreachableCode {
            printer = PrinterStatus(printer: target.name, problem: .schedulerDown, detail: e.message)
        }
    }

    private func publish(waiting: Int, refreshPrinter: Bool) async {
        if refreshPrinter {
            printer = await target.status()
            printerCheckedAt = Date()
        }
        // Failed or doubtful jobs of the last 24 hours: the owner's menu offers to reprint them.
        let attention = (try? ledger.printJobsNeedingAttention(since: clock.wallMillis() - 24 * 3600 * 1000)) ?? 0
        let status = PrintQueueStatus(printer: printer, waiting: max(0, waiting), needsAttention: attention, spooling: target.isSpool)
        if status != lastStatus {
            lastStatus = status
            statusContinuation.yield(status)
        }
    }
}
