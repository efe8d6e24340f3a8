import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts
import RuyiSystem

/// Why a till request was refused: the HTTP status, a stable code, words for people. Nothing was changed.
public struct TillFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?

    init(_ status: Int, _ code: String, _ message: String? = nil, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message ?? Strings.text(code)
        self.field = field
    }

    public var description: String { "\(code): \(message)" }

    /// What adding a line threw, as the API says it: our own refusals as they are, the cart's in its words.
    static func adding(_ error: any Error) -> TillFailure {
        switch error {
        case let e as TillFailure: e
        case let e as CartError: .cart(e)
        default: TillFailure(500, "api.internal")
        }
    }

    static func cart(_ e: CartError) -> TillFailure {
        switch e {
        case .unknownLine, .lineVoided: TillFailure(404, e.code, Strings.text("till.no_such_line") + "（\(e.description)）")
        case .emptyCart, .nothingToPay: TillFailure(409, e.code, Strings.text("till.cart_empty"))
        case .quantityNotPositive, .quantityTooLarge, .unitMismatch: TillFailure(400, e.code, Strings.text("till.bad_quantity") + "（\(e.description)）")
        default: TillFailure(409, e.code, Strings.text("till.not_allowed") + "（\(e.description)）")
        }
    }
}

/// The till session: the one open cart of this terminal, its cashier, and every change to it.
///
/// The cart is journaled (`CartJournalFile`) on every change, so a stop of any kind — SIGTERM, SIGKILL — loses nothing:
/// the next start restores it. The journal is not fsynced (a scan must stay far below a millisecond); what a power cut
/// can lose is the last scans of an unpaid cart, never a committed sale (the ledger fsyncs those).
///
/// It runs on a thread of its own, `ruyi-till`: its ledger calls block (each sale's commit waits for the disk, 1–5 ms on
/// a till's flash), and Swift's shared pool has only as many threads as cores, 2 on a till (DESIGN.md). The code
/// payments of this till run on the same thread.
public actor TillSession {
    /// The till's thread. Code payments share it (``CodePayments``); it ends when the session does.
    nonisolated let executor = DedicatedThreadExecutor(name: "ruyi-till")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    deinit { executor.shutdown() }
    let ledger: Ledger
    let interpreter: BarcodeInterpreter
    let journalPath: String
    let maxTender: Money
    let store: StoreReceiptInfo
    let composer: ReceiptComposer
    let cashRounding: Bool
    let logger: Logger
    /// Called after a sale committed (wakes the print worker).
    let committed: @Sendable () -> Void
    public let events: EventHub
    private let journalFile: CartJournalFile
    /// The journal's encoder: unsorted, keys as they are (decoded by `JSONDecoder`).
    private let encoder = JSONBytesEncoder()
    var cart: Cart
    /// The cart as the journal holds it (nil: write a whole snapshot next, as after a restart).
    private var journaled: Cart?
    var cashier: Cashier?
    /// The owner's PIN unlocks owner actions until this long after the last one (never journaled: a restart locks).
    var ownerUnlock: (owner: Cashier, until: UInt64)?
    /// When the cart last changed (monotonic nanoseconds): idle upkeep waits for a quiet counter.
    private var lastChange: UInt64 = 0
    let policy: TillPolicy
    /// Code payments, when a provider is configured.
    var codePayments: CodePayments?

    public init(ledger: Ledger, journalPath: String, maxTender: Money, store: StoreReceiptInfo, profile: PrinterProfile,
                cashRounding: Bool, policy: TillPolicy = TillPolicy(), events: EventHub, logger: Logger,
                committed: @escaping @Sendable () -> Void) throws {
        self.ledger = ledger
        self.policy = policy
        self.interpreter = try BarcodeInterpreter(referenceYear: Calendar(identifier: .gregorian).component(.year, from: Date()))
        self.journalPath = journalPath
        self.maxTender = maxTender
        self.store = store
        self.composer = try ReceiptComposer(profile: profile)
        self.cashRounding = cashRounding
        self.events = events
        self.logger = logger
        self.committed = committed
        var restored = Cart(cashRoundingToJiao: cashRounding)
        journalFile = try CartJournalFile(path: journalPath)
        if let (data, changes) = journalFile.latest() {
            do {
                var journal = try JSONDecoder().decode(CartJournal.self, from: data)
                for (n, change) in changes.enumerated() {
                    do {
                        let c = try JSONDecoder().decode(CartJournalChange.self, from: change)
                        journal = CartJournal(cart: try c.delta.applied(to: journal.cart), cashier: c.cashier)
                    } catch {
                        // A change that does not follow: the cart as it was before it (the changes are kept for a technician).
                        let kept = journalPath + ".damaged-\(Int(Date().timeIntervalSince1970)).log"
                        try? changes[n...].reduce(Data(), +).write(to: URL(fileURLWithPath: kept))
                        logger.error("a change in the open cart's journal could not be read; restored the cart as it was before it",
                                     metadata: ["kept": "\(kept)", "change": "\(n + 1) of \(changes.count)", "error": "\(error)"])
                        break
                    }
                }
                // An open cart, or one waiting on a code payment (settled by `CodePayments.recover()` after the start).
                switch journal.cart.state {
                case .open, .awaitingPayment:
                    restored = journal.cart
                    logger.notice("open cart restored from the journal", metadata: ["lines": "\(journal.cart.lines.count)"])
                case .completed, .cancelled:
                    break
                }
                if let id = journal.cashier, let c = try ledger.cashiers().first(where: { $0.id == id && $0.active }) { cashier = c }
            } catch {
                // A whole snapshot that does not decode (a newer version's?): keep it for a technician, sell on.
                let kept = journalPath + ".damaged-\(Int(Date().timeIntervalSince1970))"
                try? data.write(to: URL(fileURLWithPath: kept))
                logger.error("the open cart's journal could not be read; kept it and started an empty cart", metadata: ["kept": "\(kept)", "error": "\(error)"])
            }
        }
        cart = restored
    }

    struct CartJournal: Codable {
        var cart: Cart
        var cashier: String?
    }

    /// A change after a snapshot: the cart's delta from the journal's previous state.
    struct CartJournalChange: Codable {
        var delta: CartDelta
        var cashier: String?
    }

    /// Most changes are journaled as a delta (a scan writes its line, not the whole cart); a snapshot is written for a
    /// new cart, a change of many lines, every 32 changes, and after a write failed.
    func journal() {
        lastChange = ledger.clock.monotonicNanos()
        do {
            if let base = journaled, journalFile.changesSinceSnapshot < 32, let delta = CartDelta(from: base, to: cart) {
                try journalFile.append(try encoder.encode(CartJournalChange(delta: delta, cashier: cashier?.id)))
            } else {
                try journalFile.write(try encoder.encode(CartJournal(cart: cart, cashier: cashier?.id)))
            }
            journaled = cart
        } catch {
            journaled = nil
            logger.error("cannot journal the open cart", metadata: ["error": "\(error)"])
        }
    }

    /// The watchdog's proof of life: it only returns while the till can process requests.
    public func heartbeat() -> Bool { true }

    /// Upkeep while the counter is quiet (no line in the cart, no payment awaited, no change for `quietSeconds`), called
    /// by the daemon every few seconds: a slice of the stock backlog is folded, and once none is left the WAL is
    /// checkpointed. So a stock screen finds little left to fold, a sale seldom pays for a checkpoint, and a scan arriving
    /// meanwhile waits for one short slice (or one checkpoint) at most. Returns whether more is left to do.
    public func idleUpkeep(slice: Int = 200, quietSeconds: Double = 3) -> Bool {
        let quiet = ledger.clock.monotonicNanos() &- lastChange >= UInt64(quietSeconds * 1e9)
        guard quiet, cart.lines.isEmpty, cart.state == .open else { return false }
        do {
            if try ledger.foldStock(limit: slice) { return true }
            try ledger.checkpointIdle()
        } catch {
            logger.warning("idle upkeep failed; stock reads fold and sales checkpoint instead", metadata: ["error": "\(error)"])
        }
        return false
    }

    /// Test hook: block the till for `seconds` (the watchdog test). Only reachable when ruyid runs with test hooks.
    func stall(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }

    // MARK: Views

    public func view() -> CartView {
        // One pass of the line arithmetic for both the lines and the totals: this runs on every scan.
        let computed = try? cart.soldLines()
        let sold = Dictionary(uniqueKeysWithValues: (computed ?? []).map { ($0.line.id, $0) })
        let totals = computed.flatMap { try? cart.totals(of: $0) }
        let lines = cart.lines.map { l in
            let s = sold[l.id]
            return CartLineView(line: l.id, name: l.name, barcode: l.barcode, quantity: Self.quantityText(l.quantity),
                                unit: l.quantity.unit == .kilogram ? "kg" : "件", unitPrice: l.unitPrice.formatted,
                                amount: (s?.amount ?? (try? l.quantity.price(at: l.unitPrice)) ?? .zero()).formatted, voided: l.voided,
                                discount: s.flatMap { $0.discount.isZero ? nil : $0.discount.formatted }, lineDiscount: l.discount.map(Self.discountText))
        }
        let state: String
        switch cart.state {
        case .open: state = "open"
        case .awaitingPayment: state = "awaiting_payment"
        case .completed: state = "completed"
        case .cancelled: state = "cancelled"
        }
        var kind = "sale"
        if case .refund = cart.kind { kind = "refund" }
        return CartView(kind: kind, state: state, lines: lines, total: totals?.total.formatted ?? "0.00", due: totals?.due.formatted ?? "0.00",
                        paid: totals?.paid.formatted ?? "0.00", discount: totals?.discount.formatted ?? "0.00",
                        saleDiscount: cart.saleDiscount.map(Self.discountText))
    }

    /// `2`, or `0.350` for weighed goods (the unit travels separately on the wire).
    static func quantityText(_ q: Quantity) -> String { q.unit == .kilogram ? String(q.description.dropLast(2)) : String(q.amount) }

    public var cashierID: String? { cashier?.id }
    public var lineCount: Int { cart.lines.filter { !$0.voided }.count }

    // MARK: Session

    public func signIn(_ request: SignInRequest) throws(TillFailure) -> SessionView {
        do {
            let c = try ledger.authenticate(cashier: request.cashier, pin: request.pin)
            cashier = c
            // The owner just typed their PIN: owner actions are unlocked for a while. Anyone else signing in locks them.
            ownerUnlock = c.role == .owner ? (c, unlockDeadline()) : nil
            journal()
            logger.notice("cashier signed in", metadata: ["cashier": "\(c.id)"])
            return SessionView(cashier: c.id, name: c.name, role: c.role.rawValue)
        } catch let e as LedgerError where e.code == "ledger.locked_out" {
            throw TillFailure(423, "auth.locked", Strings.text("auth.locked") + "（\(e.message)）")
        } catch {
            logger.warning("sign-in refused", metadata: ["cashier": "\(request.cashier)"])
            throw TillFailure(401, "auth.wrong_pin")
        }
    }

    public func signOut() {
        cashier = nil
        ownerUnlock = nil
        journal()
    }

    func requireCashier() throws(TillFailure) -> Cashier {
        guard let cashier else { throw TillFailure(401, "auth.sign_in_required") }
        return cashier
    }

    public func openShift(_ request: ShiftOpenRequest) throws(TillFailure) -> ShiftView {
        let c = try requireCashier()
        let float: Money
        do { float = try Money.parse(request.float) } catch { throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "float") }
        guard float <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "float") }
        do {
            let s = try ledger.openShift(cashier: c.id, float: float)
            return ShiftView(open: s.isOpen, number: s.shift, openedBy: c.id)
        } catch {
            throw .ledger(error)
        }
    }

    public func shift() -> ShiftView {
        let s = try? ledger.shiftStatus()
        return ShiftView(open: s?.isOpen ?? false, number: s?.shift, openedBy: nil)
    }

    // MARK: Scans

    /// A scan from a scanner or typed digits: product → line; weighed label → weighed line; payment code → not yet;
    /// anything else → the cashier is asked. Nothing is added on failure.
    public func scan(bytes: [UInt8], symbology: Symbology? = nil) async throws(TillFailure) -> ScanOutcome {
        let who = try requireCashier()
        let result: ScanResult
        do { result = try interpreter.interpret(bytes: bytes, symbology: symbology) } catch {
            events.publish(name: "scan", ["outcome": "misread", "detail": "\(error)"])
            throw TillFailure(422, error.reason == .empty ? "till.empty_code" : "till.misread", Strings.text("till.misread") + "（\(error)）")
        }
        let line: CartLine
        do {
            switch result.meaning {
            case .product(let code):
                line = try add(key: code.gtin, barcode: result.text, quantity: nil)
            case .gs1(let elements):
                guard let gtin = elements.first(where: { $0.ai == "01" || $0.ai == "02" }), case .text(let g) = gtin.value else {
                    throw TillFailure(422, "till.other_code")
                }
                line = try add(key: g, barcode: result.text, quantity: nil)
            case .variableMeasure(let label):
                line = try addWeighed(label, barcode: result.text)
            case .payment(let code):
                events.publish(name: "scan", ["outcome": "payment_code"])
                let started = try await startCodePayment(code, cashier: who)
                return ScanOutcome(outcome: "payment_started", message: Strings.text("payment.waiting"), line: nil, cart: started.cart)
            case .member, .coupon, .moduleClaimed:
                throw TillFailure(422, "till.other_code")
            case .unknown:
                events.publish(name: "scan", ["outcome": "unknown_code", "code": result.text])
                throw TillFailure(404, "till.unknown_code")
            }
        } catch {
            throw TillFailure.adding(error)
        }
        return lineAdded(line)
    }

    /// After a line is added: journaled, announced, and the answer with the line and the whole cart.
    func lineAdded(_ line: CartLine) -> ScanOutcome {
        journal()
        let v = view()
        events.publish(name: "cart", ["change": "line_added", "line": "\(line.id)"])
        return ScanOutcome(outcome: "line_added", message: Strings.text("till.line_added") + "：\(line.name)",
                           line: v.lines.first { $0.line == line.id }, cart: v)
    }

    private func add(key: String, barcode: String, quantity: Quantity?) throws -> CartLine {
        guard let found = try ledger.product(barcode: key) ?? ledger.product(barcode: barcode) else {
            events.publish(name: "scan", ["outcome": "unknown_code", "code": barcode])
            throw TillFailure(404, "till.unknown_code")
        }
        guard found.product.active else { throw TillFailure(409, "till.not_for_sale") }
        return try cart.add(found.product, quantity: quantity ?? Quantity(found.packQuantity, found.product.unit), barcode: barcode,
                            taxRateBasisPoints: found.taxRateBasisPoints)
    }

    private func addWeighed(_ label: VariableMeasureCode, barcode: String) throws -> CartLine {
        // Scales print PLUs zero-padded (01001); catalogs often hold them without the zeros (1001).
        let unpadded = label.plu.drop { $0 == "0" }
        guard let product = try ledger.product(plu: label.plu) ?? (unpadded.isEmpty ? nil : ledger.product(plu: String(unpadded))) else {
            events.publish(name: "scan", ["outcome": "unknown_code", "code": barcode])
            throw TillFailure(404, "till.unknown_code", Strings.text("till.unknown_code") + "（PLU \(label.plu)）")
        }
        if let grams = label.grams {
            return try cart.add(product, quantity: .grams(grams), barcode: barcode)
        }
        // A price-only label: the weight is the price over the price per kg, exactly, or the label is not this product's.
        guard let price = label.price, product.unit == .kilogram, product.price.minorUnits > 0,
              (price.minorUnits * 1000) % product.price.minorUnits == 0 else {
            throw TillFailure(422, "till.misread", "秤签的价格和这个商品的单价对不上，请重新称重（PLU \(label.plu)）")
        }
        return try cart.add(product, quantity: .grams(price.minorUnits * 1000 / product.price.minorUnits), barcode: barcode)
    }

    // MARK: Cart changes

    public func setQuantity(line: Int, _ request: QuantityRequest) throws(TillFailure) -> CartView {
        _ = try requireCashier()
        guard let l = cart.lines.first(where: { $0.id == line }) else { throw TillFailure(404, "till.no_such_line", field: "line") }
        let q = try Self.parseQuantity(request.quantity, unit: l.quantity.unit)
        do { try cart.setQuantity(line: line, to: q) } catch { throw TillFailure.cart(error) }
        journal()
        events.publish(name: "cart", ["change": "quantity", "line": "\(line)"])
        return view()
    }

    /// What a cashier types for a quantity: whole pieces (1–9999), or kilograms with up to three decimals (`0.350`).
    static func parseQuantity(_ text: String, unit: SaleUnit) throws(TillFailure) -> Quantity {
        if unit == .kilogram {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            if (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 1000 {
                var grams = whole * 1000
                let frac = parts.count == 2 ? parts[1] : ""
                if frac.count <= 3, frac.allSatisfy(\.isNumber), let f = Int64(frac.padding(toLength: 3, withPad: "0", startingAt: 0)) {
                    grams += f
                    if grams > 0 { return .grams(grams) }
                }
            }
        } else if let n = Int64(text), n > 0, n <= 9999 {
            return .pieces(n)
        }
        throw TillFailure(400, "till.bad_quantity", field: "quantity")
    }

    public func void(line: Int) throws(TillFailure) -> CartView {
        _ = try requireCashier()
        do { try cart.voidLine(line) } catch { throw TillFailure.cart(error) }
        journal()
        events.publish(name: "cart", ["change": "void", "line": "\(line)"])
        return view()
    }

    public func cancel() throws(TillFailure) -> CartView {
        _ = try requireCashier()
        do { try cart.cancel() } catch { throw TillFailure.cart(error) }
        cart = Cart(cashRoundingToJiao: cashRounding)
        journal()
        events.publish(name: "cart", ["change": "cancelled"])
        return view()
    }
}
