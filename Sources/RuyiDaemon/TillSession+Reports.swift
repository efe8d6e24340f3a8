import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

extension TillFailure {
    /// A ledger refusal in the API's terms: its code and words, with the HTTP status `statuses` gives its code (else
    /// `otherwise`). Anything that is not a ledger refusal is an internal error (logged by the middleware, not leaked).
    static func ledger(_ error: any Error, _ otherwise: Int = 409, _ statuses: [String: Int] = [:], field: String? = nil) -> TillFailure {
        guard let e = error as? LedgerError else { return TillFailure(500, "api.internal") }
        return TillFailure(statuses[e.code] ?? otherwise, e.code, e.message, field: field)
    }
}

/// Reports (X, Z) and what the printer prints besides receipts.
extension TillSession {
    /// Closes the shift with the counted amounts (owner): the Z report, with the variance per tender. It is printed
    /// at once; `GET /v1/reports/z/{z}` shows it again and `…/print` reprints it.
    public func closeShift(_ request: ShiftCloseRequest) throws(TillFailure) -> ZReportView {
        let owner = try requireOwner()
        var counted: [TenderKind: Money] = [:]
        for (k, v) in request.counted {
            guard let kind = TenderKind(rawValue: k) else { throw TillFailure(400, "till.bad_amount", "没有这种付款方式：\(k)", field: "counted.\(k)") }
            do { counted[kind] = try Money.parse(v) } catch {
                throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "counted.\(k)")
            }
            guard counted[kind]! <= Money(fen: maxTender.minorUnits * 100) else { throw TillFailure(400, "till.amount_too_large", field: "counted.\(k)") }
        }
        guard counted[.cash] != nil else { throw TillFailure(400, "till.bad_amount", "请输入点过的现金金额", field: "counted.cash") }
        let z: ZReport
        do { z = try ledger.closeShift(owner: owner.id, counted: counted, openCarts: lineCount > 0 ? 1 : 0) } catch { throw .ledger(error) }
        logger.notice("shift closed (Z)", metadata: ["z": "\(z.z)", "by": "\(owner.id)", "variance": "\(z.variance)"])
        events.publish(name: "shift", ["change": "closed", "z": "\(z.z)"])
        let document = ReportReceipt.z(z, store: store, printedAt: Self.nowMillis())
        var view = ZReportView(z)
        view.preview = composer.preview(document)
        view.printJob = queue(.report, document, what: "Z report \(z.z)")?.id.uuidString.lowercased()
        return view
    }

    public func xReport() throws(TillFailure) -> ReportView {
        _ = try requireCashier()
        do { return ReportView(try ledger.xReport()) } catch { throw .ledger(error) }
    }

    /// Prints the X report (any signed-in cashier; it closes nothing).
    public func printXReport() throws(TillFailure) -> ReprintView {
        let c = try requireCashier()
        let r: ShiftReport
        do { r = try ledger.xReport() } catch { throw .ledger(error) }
        let document = ReportReceipt.x(r, store: store, printedAt: Self.nowMillis())
        guard let job = queue(.report, document, what: "X report") else { throw TillFailure(500, "api.internal") }
        logger.notice("X report printed", metadata: ["shift": "\(r.shift)", "by": "\(c.id)"])
        return ReprintView(job: job.id.uuidString.lowercased(), number: job.n, preview: composer.preview(document))
    }

    /// A Z report as recorded (owner): `last`, or its number.
    public func zReport(_ number: String) throws(TillFailure) -> ZReportView {
        _ = try requireOwner()
        let z = try storedZ(number)
        var view = ZReportView(z)
        view.preview = composer.preview(ReportReceipt.z(z, store: store, printedAt: z.closedAt), reprint: true)
        return view
    }

    /// Prints a recorded Z report again (owner), marked REPRINT.
    public func printZReport(_ number: String) throws(TillFailure) -> ReprintView {
        let owner = try requireOwner()
        let z = try storedZ(number)
        let document = ReportReceipt.z(z, store: store, printedAt: Self.nowMillis())
        guard let job = queue(.report, document, reprint: true, what: "Z report \(z.z)") else { throw TillFailure(500, "api.internal") }
        logger.notice("Z report reprinted", metadata: ["z": "\(z.z)", "by": "\(owner.id)"])
        return ReprintView(job: job.id.uuidString.lowercased(), number: job.n, preview: composer.preview(document, reprint: true))
    }

    /// The printer's test page (any signed-in cashier: it is how the counter checks a printer).
    public func printTestPage() throws(TillFailure) -> ReprintView {
        let c = try requireCashier()
        let document = ReportReceipt.testPage(store: store, profile: composer.profile, printedAt: Self.nowMillis())
        guard let job = queue(.test, document, what: "test page") else { throw TillFailure(500, "api.internal") }
        logger.notice("test page printed", metadata: ["by": "\(c.id)"])
        return ReprintView(job: job.id.uuidString.lowercased(), number: job.n, preview: composer.preview(document))
    }

    private func storedZ(_ number: String) throws(TillFailure) -> ZReport {
        let n: Int64
        if number == "last" {
            guard let last = (try? ledger.shiftStatus())??.lastZ, last > 0 else { throw TillFailure(404, "report.no_such_z", field: "z") }
            n = last
        } else {
            guard let v = Int64(number), v > 0 else { throw TillFailure(400, "report.no_such_z", field: "z") }
            n = v
        }
        do { return try ledger.zReport(number: n) } catch { throw TillFailure(404, "report.no_such_z", Strings.text("report.no_such_z") + "（\(n)）", field: "z") }
    }

    /// Queues a document on the durable print queue and wakes the worker; nil (logged) if it could not be queued.
    private func queue(_ kind: PrintJob.Kind, _ document: ReceiptDocument, reprint: Bool = false, what: String) -> PrintJob? {
        do {
            let job = try ledger.enqueuePrint(kind, document: try ReceiptDocument.frozen(document), reprint: reprint)
            committed()
            return job
        } catch {
            logger.error("cannot queue a print job", metadata: ["what": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
