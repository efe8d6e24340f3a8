import Foundation
import GRDB
import RuyiCore

/// Money into or out of the drawer outside a sale.
public enum CashMovement: String, Sendable, CaseIterable {
    case payIn = "pay_in"
    case payOut = "pay_out"
    /// Cash taken from the drawer to the safe during the shift.
    case drop
    /// The drawer opened without a sale (amount zero).
    case noSale = "no_sale"
}

/// What the owner's menu shows about the shift.
public struct ShiftStatus: Sendable, Hashable {
    public let shift: Int64
    public let isOpen: Bool
    public let openedAt: Int64
    public let businessDate: String
    public let lastZ: Int64
    /// Open longer than the limit (24 h by default): ask for a Z report.
    public let zReportDue: Bool
}

extension Ledger {
    /// Opens a shift with the cash float counted into the drawer. The business date is the opening date in the store's
    /// time zone, whatever time the shift closes.
    @discardableResult
    public func openShift(cashier: String, float: Money) throws -> ShiftStatus {
        guard !float.isNegative else { throw LedgerError.invalidInput("float", "the opening cash cannot be negative") }
        return try write { db in
            try Cashiers.requireActive(db, cashier)
            let previous = try ShiftState.current(db)
            if previous?.isOpen == true { throw LedgerError.shiftAlreadyOpen }
            let number = (previous?.number ?? 0) + 1
            let now = clock.wallMillis()
            let date = businessDate(at: now)
            let appended = try Chain.append(db, kind: .shiftOpen, id: newID(),
                                            data: ShiftOpenData(shift: number, cashier: cashier, float: float.minorUnits,
                                                                businessDate: date, timeZone: options.timeZone.identifier),
                                            clock: clock)
            let state = ShiftState(number: number, openSeq: appended.seq, openedAt: appended.at, businessDate: date,
                                   cashier: cashier, zNumber: previous?.zNumber ?? 0, isOpen: true)
            try state.save(db)
            try db.execute(sql: "INSERT INTO shift_history(shift_number, open_seq) VALUES (?, ?)", arguments: [number, appended.seq])
            return status(state, now: now)
        }
    }

    public func shiftStatus() throws -> ShiftStatus? {
        try pool.read { db in try ShiftState.current(db).map { status($0, now: clock.wallMillis()) } }
    }

    /// Records a pay-in, pay-out, cash drop or no-sale drawer opening, with who and why.
    public func recordCashMovement(_ type: CashMovement, amount: Money, reason: String, cashier: String) throws {
        if type == .noSale {
            guard amount.isZero else { throw LedgerError.invalidInput("amount", "a no-sale moves no money") }
        } else {
            guard amount.isPositive else { throw LedgerError.invalidInput("amount", "must be more than zero") }
        }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty || type == .noSale else { throw LedgerError.invalidInput("reason", "say why the money moved") }
        try checkFreeSpace()
        try write { db in
            guard let shift = try ShiftState.open(db) else { throw LedgerError.noOpenShift }
            try Cashiers.requireActive(db, cashier)
            try Chain.append(db, kind: .cashMovement, id: newID(),
                             data: CashMovementData(shift: shift.number, type: type.rawValue, amount: amount.minorUnits, reason: why, cashier: cashier),
                             clock: clock)
        }
    }

    /// Voids a whole completed sale of the current shift (owner only, with a reason): its money leaves the shift's totals
    /// and its goods return to stock. Sales of closed shifts are refunded instead.
    @discardableResult
    public func postVoid(sale id: UUID, reason: String, owner: String) throws -> AppendedEntry {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw LedgerError.invalidInput("reason", "a post-void needs a reason") }
        return try write { db in
            try Cashiers.requireOwner(db, owner, action: "voiding a completed sale")
            guard let shift = try ShiftState.open(db) else { throw LedgerError.noOpenShift }
            guard let e = try Chain.entry(db, id: id), e.kind == .sale else { throw LedgerError.unknownSale(id.lowercased) }
            guard e.seq > shift.openSeq else {
                throw LedgerError.invalidInput("sale", "sale \(id.lowercased) belongs to a closed shift: refund it instead")
            }
            let (original, refunded) = try saleAndRefunds(db, id)  // throws if already voided
            guard refunded.isEmpty else { throw LedgerError.saleHasRefunds(id.lowercased) }
            return try Chain.append(db, kind: .postVoid, id: newID(), ref: id,
                                    data: PostVoidData(shift: shift.number, sale: id, reason: why, owner: owner, voided: original),
                                    clock: clock)
        }
    }

    /// The X report: the open shift so far. Changes nothing.
    public func xReport() throws -> ShiftReport {
        try pool.read { db in
            guard let shift = try ShiftState.open(db) else { throw LedgerError.noOpenShift }
            return try report(db, shift, through: Int64.max)
        }
    }

    /// Closes the shift with the Z report (owner only). Refused while sales are open or parked.
    ///
    /// - Parameters:
    ///   - counted: what the owner counted per tender (`cash` at least); variance is counted − expected.
    ///   - openCarts: carts the till still has open (the caller's count; parked carts are counted here).
    public func closeShift(owner: String, counted: [TenderKind: Money], openCarts: Int = 0) throws -> ZReport {
        try write { db in
            try Cashiers.requireOwner(db, owner, action: "the Z report")
            guard var shift = try ShiftState.open(db) else { throw LedgerError.noOpenShift }
            let parked = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM parked_cart") ?? 0
            guard openCarts + parked == 0 else { throw LedgerError.openSales(openCarts + parked) }
            let head = try Chain.head(db)
            let report = try report(db, shift, through: head.seq)
            var countedFen: [String: Int64] = [:]
            for (k, v) in counted {
                guard !v.isNegative else { throw LedgerError.invalidInput("counted \(k.rawValue)", "cannot be negative") }
                countedFen[k.rawValue] = v.minorUnits
            }
            var variance: [String: Int64] = [:]
            for (tender, amount) in countedFen {
                let expected = tender == "cash" ? report.expectedCash : report.byTender[tender] ?? 0
                variance[tender] = amount - expected
            }
            let z = shift.zNumber + 1
            // The Z holds what is recorded: the per-product tally is worked out for screens, not kept in the entry.
            var recorded = report
            recorded.tallies = .init()
            var zr = ZReport(z: z, report: recorded, closedAt: clock.wallMillis(), owner: owner, counted: countedFen,
                             variance: variance, chainHeadBefore: head.description, anchor: nil)
            let appended = try Chain.append(db, kind: .shiftClose, id: newID(), data: zr, clock: clock)
            zr.anchor = ChainHead(seq: appended.seq, hash: appended.hash).description
            try db.execute(sql: "INSERT INTO anchor(kind, seq, hash, recorded_at) VALUES ('z_report', ?, ?, ?)",
                           arguments: [appended.seq, Data(appended.hash), appended.at])
            shift.isOpen = false
            shift.zNumber = z
            try shift.save(db)
            try db.execute(sql: "UPDATE shift_history SET close_seq = ?, z_number = ? WHERE shift_number = ?",
                           arguments: [appended.seq, z, shift.number])
            return zr
        }
    }

    /// Reprints Z report number `z`, exactly as recorded, with its anchor.
    public func zReport(number z: Int64) throws -> ZReport {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT e.seq, e.id, e.kind, e.body, e.hash FROM shift_history h JOIN ledger_entry e ON e.seq = h.close_seq
                WHERE h.z_number = ? AND e.kind = 'shift_close'
                """, arguments: [z]) else {
                throw LedgerError.invalidInput("Z number", "no Z report \(z)")
            }
            let e = Chain.stored(row)
            var zr = try Chain.decode(ZReport.self, from: e).data
            guard zr.z == z else { throw LedgerError.corrupt("entry \(e.seq) is Z report \(zr.z), not \(z): rebuild shift_history") }
            zr.anchor = ChainHead(seq: e.seq, hash: e.hash).description
            return zr
        }
    }

    // MARK: helpers

    func businessDate(at millis: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = options.timeZone
        let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(millis / 1000)))
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 0)-\(pad(c.month ?? 0))-\(pad(c.day ?? 0))"
    }

    private func status(_ s: ShiftState, now: Int64) -> ShiftStatus {
        ShiftStatus(shift: s.number, isOpen: s.isOpen, openedAt: s.openedAt, businessDate: s.businessDate, lastZ: s.zNumber,
                    zReportDue: s.isOpen && now - s.openedAt > options.shiftMaxSeconds * 1000)
    }

    /// Folds the shift's entries (from its opening entry through `through`) into a report.
    func report(_ db: Database, _ shift: ShiftState, through: Int64) throws -> ShiftReport {
        let rows = try Row.fetchAll(db, sql: "SELECT seq, id, kind, body, hash FROM ledger_entry WHERE seq >= ? AND seq <= ? ORDER BY seq",
                                    arguments: [shift.openSeq, through])
        var r: ShiftReport?
        for row in rows {
            let e = Chain.stored(row)
            switch e.kind {
            case .shiftOpen:
                let env = try Chain.decode(ShiftOpenData.self, from: e)
                r = ShiftReport(shift: env.data.shift, businessDate: env.data.businessDate, openedAt: env.at,
                                cashier: env.data.cashier, openingFloat: env.data.float)
            case .sale, .refund:
                let env = try Chain.decode(SaleData.self, from: e)
                r?.add(env.data, at: env.at, sign: 1, timeZone: options.timeZone)
            case .postVoid:
                let env = try Chain.decode(PostVoidData.self, from: e)
                r?.add(env.data.voided, at: env.at, sign: -1, timeZone: options.timeZone)
            case .cashMovement:
                let m = try Chain.decode(CashMovementData.self, from: e).data
                switch CashMovement(rawValue: m.type) {
                case .payIn: r?.payIns += m.amount
                case .payOut: r?.payOuts += m.amount
                case .drop: r?.drops += m.amount
                case .noSale: r?.noSales += 1
                case nil: break
                }
            default: break
            }
        }
        guard let report = r else { throw LedgerError.corrupt("the shift's opening entry \(shift.openSeq) is missing") }
        return report
    }
}
