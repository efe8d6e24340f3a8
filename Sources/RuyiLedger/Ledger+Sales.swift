import Foundation
import GRDB
import RuyiCore

/// A sale or refund once it is durable in the ledger.
public struct CommittedSale: Hashable, Sendable {
    public let id: UUID
    public let seq: Int64
    public let hash: [UInt8]
    public let shift: Int64
    /// Number within the shift; printed as ``receiptNumber``.
    public let receipt: Int64
    public let at: Int64
    /// The shift has been open longer than the limit: the owner should run a Z report (selling goes on).
    public let zReportDue: Bool
    /// The receipt's print job, written in the same transaction (nil when no receipt was asked for).
    public var printJob: UUID?

    /// The short number printed on the receipt: shift and sequence, e.g. `0003-0012`.
    public var receiptNumber: String { Self.format(shift: shift, receipt: receipt) }

    static func format(shift: Int64, receipt: Int64) -> String {
        func pad(_ n: Int64) -> String { let s = String(n); return String(repeating: "0", count: max(0, 4 - s.count)) + s }
        return pad(shift) + "-" + pad(receipt)
    }
}

extension Ledger {
    /// Commits a completed cart: the sale (or refund), its lines, payments, stock movements, chain link and outbox row,
    /// in one transaction. Returns only when the transaction is durable (WAL, `synchronous=FULL`).
    ///
    /// - Parameter id: the sale's UUIDv7; pass the id a client already holds to make a retry idempotent-safe
    ///   (a second commit with the same id is refused with `ledger.duplicate_id` and changes nothing).
    @discardableResult
    /// - Parameter receipt: renders the receipt to freeze with the sale; its print job is written in the sale's own
    ///   transaction, so a committed sale always has its receipt owed (and a failed render commits nothing).
    /// `completing`: the payment-code attempt that paid it (state `paid`), completed in the same transaction — or the
    /// sale is refused, so an attempt being reversed never pays a sale.
    public func commitSale(_ sale: CompletedSale, cashier: String, id: UUID? = nil, receipt: ReceiptFreezer? = nil,
                           completing attempt: UUID? = nil) throws -> CommittedSale {
        // Only `Cart.complete()` makes a CompletedSale, so its figures add up by construction; a record from outside
        // goes through `commit(_:id:)`, which checks every one.
        try record(SaleData(sale, cashier: cashier), id: id ?? newID(), receipt: receipt, attempt: attempt)
    }

    /// Commits a sale record from outside (the API, a replay), after checking that every figure adds up.
    @discardableResult
    public func commit(_ record: SaleData, id: UUID, receipt: ReceiptFreezer? = nil) throws -> CommittedSale {
        try record.validate(isRefund: record.original != nil)
        return try self.record(record, id: id, receipt: receipt)
    }

    private func record(_ record: SaleData, id: UUID, receipt: ReceiptFreezer?, attempt: UUID? = nil) throws -> CommittedSale {
        let printID = receipt == nil ? nil : newID()
        let outcomeID = attempt == nil ? nil : newID()
        let isRefund = record.original != nil
        try checkFreeSpace()
        return try write { db in
            let shift = try SaleContext(db, cashier: record.cashier)
            try requireProducts(db, record.lines.lazy.filter { $0.pending != true }.map(\.product))
            if let original = record.original { try checkRefund(db, record, original: original) }

            var r = record
            r.shift = shift.number
            r.receipt = shift.lastReceipt + 1
            let appended = try Chain.appendSale(db, head: shift.head, kind: isRefund ? .refund : .sale, id: id, receipt: r.receipt,
                                                record: r, clock: clock)
            if let attempt, let outcomeID { try Self.completeAttempt(db, attempt, sale: id, at: appended.at, clock: clock, entryID: outcomeID) }
            for line in r.lines where line.pending == true {
                try db.cachedStatement(sql: """
                    INSERT INTO pending_product(barcode, first_seq, last_price, times_sold) VALUES (?, ?, ?, 1)
                    ON CONFLICT(barcode) DO UPDATE SET last_price = excluded.last_price, times_sold = times_sold + 1
                    """).execute(arguments: [line.barcode ?? line.product, appended.seq, line.price])
            }
            var committed = CommittedSale(id: id, seq: appended.seq, hash: appended.hash, shift: shift.number, receipt: r.receipt,
                                          at: appended.at, zReportDue: appended.at - shift.openedAt > options.shiftMaxSeconds * 1000)
            if let receipt, let printID {
                try Self.insertPrintJob(db, id: printID, kind: .receipt, sale: id, document: try receipt(r, committed), reprint: false, at: appended.at)
                committed.printJob = printID
            }
            return committed
        }
    }

    /// What a sale needs to know before it is written, read in one statement: the open shift, that the cashier is active,
    /// the shift's last receipt number and the chain's head (four statements cost more than the SQL they ran).
    private struct SaleContext {
        let number: Int64
        let openedAt: Int64
        let lastReceipt: Int64
        let head: ChainHead

        init(_ db: Database, cashier: String) throws {
            let s = try HotStatement(db, """
                SELECT s.shift_number, s.opened_at, s.is_open,
                       EXISTS (SELECT 1 FROM cashier WHERE id = ? AND active = 1),
                       (SELECT receipt FROM ledger_entry WHERE seq > s.open_seq AND receipt IS NOT NULL ORDER BY seq DESC LIMIT 1),
                       (SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 1),
                       (SELECT hash FROM ledger_entry ORDER BY seq DESC LIMIT 1)
                FROM shift_state s WHERE s.one = 1
                """)
            s.bind(1, cashier)
            guard try s.step(), s.int64(2) != 0 else { throw LedgerError.noOpenShift }
            guard s.int64(3) != 0 else { throw LedgerError.unknownCashier(cashier) }
            number = s.int64(0)
            openedAt = s.int64(1)
            lastReceipt = s.isNull(4) ? 0 : s.int64(4)
            head = s.isNull(5) ? ChainHead(seq: 0, hash: ChainHead.genesisHash) : ChainHead(seq: s.int64(5), hash: s.blob(6))
        }
    }

    /// Every product a sale names must be in the catalog. Ids lately found by a lookup are known to be there (products
    /// are never deleted); each other one costs a primary-key probe (measured: cheaper than one statement over a JSON
    /// array of ids, whose parsing cost more than the probes).
    private func requireProducts(_ db: Database, _ ids: some Sequence<String>) throws {
        for id in knownProducts.unknown(among: ids) {
            let probe = try HotStatement(db, "SELECT 1 FROM product WHERE id = ?")
            probe.bind(1, id)
            guard try probe.step() else { throw LedgerError.unknownProduct(id) }
            knownProducts.remember(id)
        }
    }

    /// What each line of `sale` still allows to be returned, for starting a return cart.
    public func returnable(for sale: UUID) throws -> [Cart.Returnable] {
        try pool.read { db in
            let (original, refunded) = try saleAndRefunds(db, sale)
            return original.lines.compactMap { l -> Cart.Returnable? in
                let done = refunded[l.n] ?? (0, 0)
                let qty = l.qty + done.qty        // refunds are negative
                let amount = l.amount + done.amount
                guard qty > 0, let unit = SaleUnit(rawValue: l.unit) else { return nil }
                return Cart.Returnable(originalLine: l.n, productID: ProductID(l.product), name: l.name, unitPrice: Money(fen: l.price),
                                       taxCategory: TaxCategoryID(l.taxCategory), taxRateBasisPoints: l.taxRate, category: l.category,
                                       stockTracked: l.stock, remainingQuantity: Quantity(qty, unit), remainingAmount: Money(fen: amount))
            }
        }
    }

    /// The recorded sale with this id.
    public func sale(_ id: UUID) throws -> SaleData {
        try pool.read { db in
            guard let e = try Chain.entry(db, id: id), e.kind == .sale || e.kind == .refund else {
                throw LedgerError.unknownSale(id.lowercased)
            }
            return try Chain.decode(SaleData.self, from: e).data
        }
    }

    /// The original sale and, per original line, the quantity and amount already refunded (negative sums).
    /// Refuses a sale that was post-voided.
    func saleAndRefunds(_ db: Database, _ id: UUID) throws -> (SaleData, [Int: (qty: Int64, amount: Int64)]) {
        guard let e = try Chain.entry(db, id: id), e.kind == .sale else { throw LedgerError.unknownSale(id.lowercased) }
        let original = try Chain.decode(SaleData.self, from: e).data
        var refunded: [Int: (qty: Int64, amount: Int64)] = [:]
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, id, kind, body, hash FROM ledger_entry WHERE ref = ?"),
                                    arguments: [Foundation.Data(id.bytes)])
        for row in rows {
            let related = Chain.stored(row)
            if related.kind == .postVoid { throw LedgerError.saleVoided(id.lowercased) }
            guard related.kind == .refund else { continue }
            for l in try Chain.decode(SaleData.self, from: related).data.lines {
                guard let n = l.returnOf else { continue }
                let prev = refunded[n] ?? (0, 0)
                refunded[n] = (prev.qty + l.qty, prev.amount + l.amount)
            }
        }
        return (original, refunded)
    }

    /// A refund may return, per original line, at most what was sold minus what earlier refunds returned, in quantity
    /// and in money, for the same product.
    private func checkRefund(_ db: Database, _ record: SaleData, original id: UUID) throws {
        let (original, refunded) = try saleAndRefunds(db, id)
        var thisRefund: [Int: (qty: Int64, amount: Int64)] = [:]
        for l in record.lines {
            guard let n = l.returnOf, let o = original.lines.first(where: { $0.n == n }) else {
                throw LedgerError.invalidSale("refund line \(l.n) names no line of the original sale")
            }
            guard o.product == l.product, o.unit == l.unit else {
                throw LedgerError.invalidSale("refund line \(l.n) is not the product or unit of original line \(n)")
            }
            let prev = thisRefund[n] ?? (0, 0)
            thisRefund[n] = (prev.qty + l.qty, prev.amount + l.amount)
        }
        for (n, r) in thisRefund {
            let o = original.lines.first { $0.n == n }!
            let done = refunded[n] ?? (0, 0)
            let qtyLeft = o.qty + done.qty
            let amountLeft = o.amount + done.amount
            if -r.qty > qtyLeft {
                throw LedgerError.refundExceedsSold(line: n, detail: qtyLeft <= 0 ? "already fully refunded"
                    : "\(-r.qty) returned but only \(qtyLeft) left of \(o.qty) sold")
            }
            if -r.amount > amountLeft {
                throw LedgerError.refundExceedsSold(line: n, detail: "refund \(Money(fen: -r.amount).formatted) is more than the \(Money(fen: amountLeft).formatted) left to refund")
            }
        }
    }
}

extension Ledger {
    /// The sale a receipt number (`0003-0012`, as printed) names; nil when there is none. Post-voided sales are found
    /// too (the refund then says why it cannot be made).
    public func saleID(receiptNumber text: String) throws -> UUID? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let shift = Int64(parts[0]), let receipt = Int64(parts[1]), shift > 0, receipt > 0 else { return nil }
        // Only the shift's own span of the chain is read: receipt numbers start again at 1 in every shift.
        return try pool.read { db in
            guard let span = try Row.fetchOne(db, sql: "SELECT open_seq, close_seq FROM shift_history WHERE shift_number = ?",
                                              arguments: [shift]) else { return nil }
            let from: Int64 = span[0]
            let through: Int64 = span[1] ?? Int64.max
            return try Foundation.Data.fetchOne(db, sql: """
                SELECT id FROM ledger_entry WHERE seq > ? AND seq < ? AND kind = 'sale' AND receipt = ? ORDER BY seq LIMIT 1
                """, arguments: [from, through, receipt]).map { UUID(bytes: [UInt8]($0)) }
        }
    }
}
