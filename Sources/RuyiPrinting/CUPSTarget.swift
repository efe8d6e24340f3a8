import Foundation
import RuyiLedger

/// A CUPS raw queue as a print target.
///
/// Sending is record-then-act at every step: `submitting` is durable before `cupsCreateJob`, the CUPS id is recorded
/// before the document goes, and `sent` once CUPS has it. The job's UUID is its CUPS job name, so after a crash in any
/// window ``resolve(_:ledger:)`` can ask CUPS (`cupsGetJobs2`) what it has under that name: a job with its document is
/// followed, never sent again; a job without a document printed nothing and is withdrawn before the job is queued again.
public struct CUPSTarget: PrintTarget {
    public let client: CUPSClient
    public let queue: String
    public var name: String { queue }
    public var isSpool: Bool { false }
    /// Consecutive looks at which the queue was missing, so a USB printer that drops out for a moment is not reported
    /// gone at the first miss (Odoo's IoT box waits for three).
    private let misses = MissCounter(threshold: 3)

    public init(client: CUPSClient, queue: String) {
        self.client = client
        self.queue = queue
    }

    public func send(_ job: PrintJob, bytes: [UInt8], preview: String, ledger: Ledger, fault: (@Sendable (PrintFaultPoint) -> Void)?,
                     isolation: isolated (any Actor)? = #isolation) async throws {
        let name = job.id.lowercased
        try ledger.updatePrintJob(job.id, state: .submitting, printer: queue, attempts: job.attempts + 1, detail: "to CUPS queue \(queue)")
        fault?(.beforeCreate)
        let cupsID: Int32
        do {
            cupsID = try await client.createJob(printer: queue, name: name)
        } catch {
            // CUPS refused or did not answer; a create that did reach it is found by name on the next look.
            try ledger.updatePrintJob(job.id, state: .submitting, error: error.description)
            throw error
        }
        fault?(.afterCreate)
        try ledger.updatePrintJob(job.id, state: .created, cupsJob: cupsID, detail: "CUPS job \(cupsID)")
        fault?(.afterRecorded)
        do {
            try await client.sendDocument(printer: queue, job: cupsID, bytes: bytes)
        } catch {
            try ledger.updatePrintJob(job.id, state: .created, error: error.description)
            throw error
        }
        fault?(.afterDocument)
        try ledger.updatePrintJob(job.id, state: .sent, detail: "\(bytes.count) bytes accepted by CUPS")
    }

    public func resolve(_ job: PrintJob, ledger: Ledger, isolation: isolated (any Actor)? = #isolation) async throws {
        let printer = job.printer ?? queue
        switch job.state {
        case .sent:
            guard let id = job.cupsJob else {
                try ledger.updatePrintJob(job.id, state: .unknown, error: "sent without a CUPS job id")
                return
            }
            guard let cups = try await client.job(id) else {
                // CUPS no longer knows a job it accepted (its history was wiped): it may have printed.
                try ledger.updatePrintJob(job.id, state: .unknown, error: "CUPS has no record of job \(id); reprint if the customer needs it")
                return
            }
            try record(cups, for: job, ledger: ledger)
        case .submitting, .created:
            let found = try await client.jobs(printer: printer, named: job.id.lowercased)
            if let accepted = found.first(where: { $0.documents > 0 }) {
                // CUPS has the document: follow that job, whatever our record says.
                try ledger.updatePrintJob(job.id, state: .sent, cupsJob: accepted.id, detail: "found CUPS job \(accepted.id) with its document")
                try record(accepted, for: job, ledger: ledger)
                return
            }
            // Created but never given its document (the crash window): nothing of it reached the printer.
            for empty in found where !empty.state.isFinal {
                try await client.cancel(printer: printer, job: empty.id)
            }
            try ledger.updatePrintJob(job.id, state: .queued, error: nil,
                                      detail: found.isEmpty ? "CUPS has no job of this name: send again"
                                          : "withdrew CUPS job(s) \(found.map { String($0.id) }.joined(separator: ",")) that had no document: send again")
        default:
            return
        }
    }

    private func record(_ cups: CUPSJob, for job: PrintJob, ledger: Ledger) throws {
        switch cups.state {
        case .completed:
            try ledger.updatePrintJob(job.id, state: .printed, detail: "CUPS job \(cups.id) completed")
        case .aborted, .canceled:
            try ledger.updatePrintJob(job.id, state: .failed, error: "CUPS job \(cups.id) \(cups.state) (\(cups.reasons.joined(separator: ",")))")
        default:
            break   // still pending or printing: look again later
        }
    }

    public func status() async -> PrinterStatus {
        do {
            let p = try await client.printer(queue)
            misses.seen()
            return PrinterStatus(p)
        } catch where error.code == CUPSError.notFoundCode {
            return misses.missed() ? PrinterStatus(printer: queue, problem: .missing, detail: error.message) : PrinterStatus(printer: queue)
        } catch {
            return PrinterStatus(printer: queue, problem: .schedulerDown, detail: error.message)
        }
    }

    public func sendNow(_ bytes: [UInt8], deadline: Double) async -> Bool {
        let start = ContinuousClock.now
        let limit = Duration.milliseconds(Int64(deadline * 1000))
        guard let id = try? await client.createJob(printer: queue, name: "drawer-" + UUID().uuidString.lowercased()) else { return false }
        do {
            try await client.sendDocument(printer: queue, job: id, bytes: bytes)
            while ContinuousClock.now - start < limit {
                if let j = try await client.job(id), j.state.isFinal { return j.state == .completed }
                try await Task.sleep(for: .milliseconds(50))
            }
        } catch {}
        // Not out in time: a drawer that opens minutes later, unasked, is worse than one that does not open.
        try? await client.cancel(printer: queue, job: id)
        return false
    }
}

/// Counts consecutive misses; reports "gone" only after `threshold` of them in a row.
final class MissCounter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    let threshold: Int

    init(threshold: Int) { self.threshold = threshold }

    func seen() { lock.withLock { count = 0 } }

    /// Records a miss; true once there have been `threshold` in a row.
    func missed() -> Bool {
        lock.withLock {
            count += 1
            return count >= threshold
        }
    }
}
