import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

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
public actor TillSession {
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
    private let encoder = JSONEncoder()
    private(set) var cart: Cart
    private(set) var cashier: Cashier?
    private var lastScan: Date?

    public init(ledger: Ledger, journalPath: String, maxTender: Money, store: StoreReceiptInfo, profile: PrinterProfile,
                cashRounding: Bool, events: EventHub, logger: Logger, committed: @escaping @Sendable () -> Void) throws {
        self.ledger = ledger
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
        if let data = journalFile.latest() {
            do {
                let journal = try JSONDecoder().decode(CartJournal.self, from: data)
                if case .open = journal.cart.state {
                    restored = journal.cart
                    logger.notice("open cart restored from the journal", metadata: ["lines": "\(journal.cart.lines.count)"])
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

    private func journal() {
        do {
            try journalFile.write(try encoder.encode(CartJournal(cart: cart, cashier: cashier?.id)))
        } catch {
            logger.error("cannot journal the open cart", metadata: ["error": "\(error)"])
        }
    }

    /// The watchdog's proof of life: it only returns while the till can process requests.
    public func heartbeat() -> Bool { true }

    /// Test hook: block the till for `seconds` (the watchdog test). Only reachable when ruyid runs with test hooks.
    func stall(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }

    // MARK: Views

    public func view() -> CartView {
        let sold = (try? cart.soldLines()) ?? []
        let amounts = Dictionary(uniqueKeysWithValues: sold.map { ($0.line.id, $0.amount) })
        let totals = try? cart.totals()
        let lines = cart.lines.map { l in
            CartLineView(line: l.id, name: l.name, barcode: l.barcode, quantity: Self.quantityText(l.quantity),
                         unit: l.quantity.unit == .kilogram ? "kg" : "件", unitPrice: l.unitPrice.formatted,
                         amount: (amounts[l.id] ?? (try? l.quantity.price(at: l.unitPrice)) ?? .zero()).formatted, voided: l.voided)
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
                        paid: totals?.paid.formatted ?? "0.00")
    }

    static func quantityText(_ q: Quantity) -> String {
        guard q.unit == .kilogram else { return String(q.amount) }
        let g = q.amount.magnitude, frac = String(g % 1000)
        return (q.amount < 0 ? "-" : "") + "\(g / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    public var cashierID: String? { cashier?.id }
    public var lineCount: Int { cart.lines.filter { !$0.voided }.count }

    // MARK: Session

    public func signIn(_ request: SignInRequest) throws(TillFailure) -> SessionView {
        do {
            let c = try ledger.authenticate(cashier: request.cashier, pin: request.pin)
            cashier = c
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
        journal()
    }

    private func requireCashier() throws(TillFailure) -> Cashier {
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
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    public func shift() -> ShiftView {
        let s = try? ledger.shiftStatus()
        return ShiftView(open: s?.isOpen ?? false, number: s?.shift, openedBy: nil)
    }

    // MARK: Scans

    /// A scan from a scanner or typed digits: product → line; weighed label → weighed line; payment code → not yet;
    /// anything else → the cashier is asked. Nothing is added on failure.
    public func scan(bytes: [UInt8], symbology: Symbology? = nil) throws(TillFailure) -> ScanOutcome {
        _ = try requireCashier()
        lastScan = Date()
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
            case .payment:
                events.publish(name: "scan", ["outcome": "payment_code"])
                throw TillFailure(409, "till.payment_code")
            case .member, .coupon, .moduleClaimed:
                throw TillFailure(422, "till.other_code")
            case .unknown:
                events.publish(name: "scan", ["outcome": "unknown_code", "code": result.text])
                throw TillFailure(404, "till.unknown_code")
            }
        } catch let e as TillFailure {
            throw e
        } catch let e as CartError {
            throw TillFailure.cart(e)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        journal()
        let v = view()
        let lv = v.lines.first { $0.line == line.id }
        events.publish(name: "cart", ["change": "line_added", "line": "\(line.id)"])
        return ScanOutcome(outcome: "line_added", message: Strings.text("till.line_added") + "：\(line.name)", line: lv, cart: v)
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

    // MARK: Owner actions

    private func requireOwner() throws(TillFailure) -> Cashier {
        let c = try requireCashier()
        guard c.role == .owner else { throw TillFailure(403, "auth.owner_required") }
        return c
    }

    /// For routes outside the till (device assignment): fails unless the owner is signed in.
    public func requireOwnerRole() throws(TillFailure) -> String { try requireOwner().id }

    /// First start: the owner account, allowed only while the ledger has no cashier at all.
    public func setup(_ request: SetupRequest) throws(TillFailure) -> SessionView {
        guard (try? ledger.cashiers().isEmpty) == true else { throw TillFailure(409, "setup.already_done") }
        guard request.pin.count >= 4, request.pin.count <= 12, request.pin.allSatisfy(\.isNumber) else {
            throw TillFailure(400, "setup.bad_pin", field: "pin")
        }
        do {
            try ledger.addCashier(id: request.owner, name: request.name, role: .owner, pin: request.pin, by: nil)
        } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("first start: owner account created", metadata: ["owner": "\(request.owner)"])
        return SessionView(cashier: request.owner, name: request.name, role: "owner")
    }

    public func addCashier(_ request: NewCashierRequest) throws(TillFailure) -> SessionView {
        let owner = try requireOwner()
        guard let role = Cashier.Role(rawValue: request.role) else { throw TillFailure(400, "cashier.bad_role", field: "role") }
        do {
            try ledger.addCashier(id: request.cashier, name: request.name, role: role, pin: request.pin, by: owner.id)
        } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("cashier added", metadata: ["cashier": "\(request.cashier)", "by": "\(owner.id)"])
        return SessionView(cashier: request.cashier, name: request.name, role: role.rawValue)
    }

    /// A price change (owner), recorded in the ledger with who and when; carts already open keep the price they showed.
    public func changePrice(product id: String, _ request: PriceRequest) throws(TillFailure) -> ProductView {
        let owner = try requireOwner()
        guard var product = try? ledger.product(id: ProductID(id)) else { throw TillFailure(404, "stock.unknown_product", field: "id") }
        let price: Money
        do { price = try Money.parse(request.price) } catch {
            throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "price")
        }
        guard price <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "price") }
        product.price = price
        do { try ledger.saveProduct(product, by: owner.id) } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("price changed", metadata: ["product": "\(id)", "price": "\(price)", "by": "\(owner.id)"])
        return ProductView(id: id, name: product.name, price: price.formatted, unit: product.unit == .kilogram ? "kg" : "件",
                           barcode: product.barcodes.first?.code, initials: "", active: product.active)
    }

    /// Deactivates a cashier (owner): they can no longer sign in; their sales stay theirs.
    public func deactivateCashier(_ id: String) throws(TillFailure) {
        let owner = try requireOwner()
        guard id != owner.id else { throw TillFailure(409, "cashier.not_yourself") }
        do { try ledger.deactivateCashier(id, by: owner.id) } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_cashier" ? 404 : 400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("cashier deactivated", metadata: ["cashier": "\(id)", "by": "\(owner.id)"])
    }

    /// A CSV catalog import (all or nothing): a bad row is reported with its line, and nothing is imported.
    public func importCatalog(csv: [UInt8], source: String) throws(TillFailure) -> ImportView {
        let owner = try requireOwner()
        do {
            let r = try ledger.importCatalog(csv: csv, source: source, by: owner.id)
            logger.notice("catalog import", metadata: ["rows": "\(r.rows)", "imported": "\(r.imported)", "bad": "\(r.badRows.count)", "by": "\(owner.id)"])
            return ImportView(rows: r.rows, imported: r.imported, committed: r.committed,
                              badRows: r.badRows.map { ImportView.BadRow(line: $0.line, problems: $0.problems) })
        } catch let e as LedgerError {
            throw TillFailure(422, e.code, e.message)
        } catch {
            throw TillFailure(422, "catalog.invalid", "\(error)")
        }
    }

    /// Closes the shift with the counted amounts: the Z report, with the variance per tender.
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
        do {
            let z = try ledger.closeShift(owner: owner.id, counted: counted, openCarts: lineCount > 0 ? 1 : 0)
            logger.notice("shift closed (Z)", metadata: ["z": "\(z.z)", "by": "\(owner.id)", "variance": "\(z.variance)"])
            events.publish(name: "shift", ["change": "closed", "z": "\(z.z)"])
            return ZReportView(z: z.z, report: ReportView(z.report), counted: z.counted.mapValues { Money(fen: $0).formatted },
                               variance: z.variance.mapValues { Money(fen: $0).formatted }, chainHead: z.chainHeadBefore)
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    // MARK: Returns

    /// Starts a return of an earlier sale (by receipt number or sale id) on an empty till: the cart becomes a refund.
    public func startReturn(_ request: ReturnRequest) throws(TillFailure) -> ReturnView {
        _ = try requireCashier()
        guard lineCount == 0 else { throw TillFailure(409, "till.not_allowed", "请先结账或挂起当前购物车") }
        let text = request.receipt.trimmingCharacters(in: .whitespaces)
        guard let id = UUID(uuidString: text) ?? (try? ledger.saleID(receiptNumber: text)) ?? nil else {
            throw TillFailure(404, "sale.not_found", Strings.text("sale.not_found") + "（\(text)）", field: "receipt")
        }
        let returnable: [Cart.Returnable]
        do { returnable = try ledger.returnable(for: id) } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_sale" ? 404 : 409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        guard !returnable.isEmpty else { throw TillFailure(409, "sale.nothing_to_return") }
        cart = Cart(returning: id, returnable: returnable, cashRoundingToJiao: cashRounding)
        journal()
        events.publish(name: "cart", ["change": "return_started", "sale": id.uuidString.lowercased()])
        return ReturnView(sale: id.uuidString.lowercased(),
                          returnable: returnable.map { .init(line: $0.originalLine, name: $0.name, quantity: Self.quantityText($0.remainingQuantity), amount: $0.remainingAmount.formatted) },
                          cart: view())
    }

    /// Puts (part of) an original line in the refund.
    public func returnLine(_ request: ReturnLineRequest) throws(TillFailure) -> CartView {
        _ = try requireCashier()
        guard case .refund = cart.kind else { throw TillFailure(409, "till.not_allowed", "请先开始退货") }
        let unit = cart.returnableUnit(originalLine: request.line)
        let q: Quantity
        if unit == .kilogram {
            guard let g = Self.parseKilograms(request.quantity) else { throw TillFailure(400, "till.bad_quantity", field: "quantity") }
            q = .grams(g)
        } else {
            guard let n = Int64(request.quantity), n > 0, n <= 9999 else { throw TillFailure(400, "till.bad_quantity", field: "quantity") }
            q = .pieces(n)
        }
        do { _ = try cart.addReturn(originalLine: request.line, quantity: q) } catch { throw TillFailure.cart(error) }
        journal()
        events.publish(name: "cart", ["change": "return_line", "line": "\(request.line)"])
        return view()
    }

    // MARK: Parking and earlier sales

    /// Parks the open cart (a customer fetching their wallet) and starts an empty one; parked carts survive restarts.
    public func park(_ request: ParkRequest) throws(TillFailure) -> ParkedView {
        let c = try requireCashier()
        guard lineCount > 0 else { throw TillFailure(409, "till.cart_empty") }
        let label = String((request.label ?? "").prefix(40))
        do {
            let p = try ledger.park(cart, cashier: c.id, label: label)
            cart = Cart(cashRoundingToJiao: cashRounding)
            journal()
            events.publish(name: "cart", ["change": "parked", "parked": p.id.uuidString.lowercased()])
            return ParkedView(id: p.id.uuidString.lowercased(), label: p.label, cashier: p.cashier)
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    public func parked() throws(TillFailure) -> ParkedListView {
        _ = try requireCashier()
        let list = (try? ledger.parkedCarts()) ?? []
        return ParkedListView(parked: list.map { ParkedView(id: $0.id.uuidString.lowercased(), label: $0.label, cashier: $0.cashier) })
    }

    /// Brings a parked cart back; only onto an empty till (the open cart is never overwritten).
    public func resume(_ id: String) throws(TillFailure) -> CartView {
        _ = try requireCashier()
        guard lineCount == 0 else { throw TillFailure(409, "till.not_allowed", "请先结账或挂起当前购物车") }
        guard let uuid = UUID(uuidString: id) else { throw TillFailure(404, "till.no_such_parked", field: "id") }
        do {
            cart = try ledger.resume(uuid)
        } catch let e as LedgerError {
            throw TillFailure(404, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        journal()
        events.publish(name: "cart", ["change": "resumed"])
        return view()
    }

    public func sale(_ id: String) throws(TillFailure) -> SaleView {
        _ = try requireCashier()
        guard let uuid = UUID(uuidString: id), let s = try? ledger.sale(uuid) else { throw TillFailure(404, "sale.not_found", field: "id") }
        return SaleView(sale: uuid.uuidString.lowercased(), shift: s.shift, receipt: s.receipt, cashier: s.cashier, total: Money(fen: s.total).formatted,
                        lines: s.lines.map { .init(name: $0.name, quantity: $0.unit == "kilogram" ? Self.quantityText(.grams($0.qty)) : String($0.qty), amount: Money(fen: $0.amount).formatted) },
                        payments: s.payments.map { .init(tender: $0.tender, amount: Money(fen: $0.amount).formatted) })
    }

    /// Prints a receipt again, marked REPRINT.
    public func reprint(_ id: String) throws(TillFailure) -> ReprintView {
        let c = try requireCashier()
        guard let uuid = UUID(uuidString: id) else { throw TillFailure(404, "sale.not_found", field: "id") }
        do {
            let job = try ledger.reprintReceipt(of: uuid)
            committed() // wakes the print worker
            logger.notice("receipt reprinted", metadata: ["sale": "\(uuid)", "by": "\(c.id)"])
            return ReprintView(job: job.id.uuidString.lowercased(), number: job.n)
        } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_sale" ? 404 : 409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    /// Post-void (owner): the sale stays in the ledger, a void entry cancels it, with who and why.
    public func postVoid(_ id: String, _ request: VoidRequest) throws(TillFailure) -> VoidView {
        let owner = try requireOwner()
        guard let uuid = UUID(uuidString: id) else { throw TillFailure(404, "sale.not_found", field: "id") }
        let reason = request.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= 200 else { throw TillFailure(400, "sale.reason_required", field: "reason") }
        do {
            let e = try ledger.postVoid(sale: uuid, reason: reason, owner: owner.id)
            logger.notice("sale post-voided", metadata: ["sale": "\(uuid)", "by": "\(owner.id)", "reason": "\(reason)"])
            events.publish(name: "sale", ["change": "post_void", "sale": uuid.uuidString.lowercased()])
            return VoidView(sale: uuid.uuidString.lowercased(), entry: e.seq)
        } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_sale" ? 404 : 409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    // MARK: Cash and stock

    /// Pay-in, pay-out, cash drop or no-sale: logged with the cashier and the reason. The drawer is opened by the caller.
    public func cashMovement(_ request: CashMovementRequest) throws(TillFailure) -> (CashMovement, Money) {
        let c = try requireCashier()
        guard let kind = CashMovement(rawValue: request.kind) else { throw TillFailure(400, "cash.bad_kind", field: "kind") }
        let reason = request.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= 200 else { throw TillFailure(400, "sale.reason_required", field: "reason") }
        let amount: Money
        do { amount = try Money.parse(request.amount.isEmpty ? "0" : request.amount) } catch {
            throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "amount")
        }
        guard amount <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "amount") }
        do {
            try ledger.recordCashMovement(kind, amount: amount, reason: reason, cashier: c.id)
        } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.no_open_shift" ? 409 : 400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("cash movement", metadata: ["kind": "\(kind.rawValue)", "amount": "\(amount)", "by": "\(c.id)", "reason": "\(reason)"])
        events.publish(name: "cash", ["kind": kind.rawValue, "amount": amount.formatted])
        return (kind, amount)
    }

    /// Goods received, a count, or waste, for a product named by id or barcode.
    public func stock(_ request: StockRequest) throws(TillFailure) -> StockView {
        let c = try requireCashier()
        guard let reason = StockReason(rawValue: request.kind) else { throw TillFailure(400, "stock.bad_kind", field: "kind") }
        guard abs(request.quantity) <= 10_000_000 else { throw TillFailure(400, "till.bad_quantity", field: "quantity") }
        let product: Product
        if let p = try? ledger.product(id: ProductID(request.product)) { product = p }
        else if let p = try? ledger.product(barcode: request.product) { product = p.product }
        else { throw TillFailure(404, "stock.unknown_product", field: "product") }
        do {
            let onHand = try ledger.recordStock(reason, product: product.id, quantity: request.quantity, cashier: c.id, note: request.note)
            logger.notice("stock", metadata: ["kind": "\(reason.rawValue)", "product": "\(product.id.rawValue)", "quantity": "\(request.quantity)", "by": "\(c.id)"])
            return StockView(product: product.id.rawValue, name: product.name, onHand: onHand)
        } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    public func lowStock() throws(TillFailure) -> LowStockView {
        _ = try requireCashier()
        let items = (try? ledger.lowStock()) ?? []
        return LowStockView(items: items.map { .init(product: $0.product.rawValue, name: $0.name, onHand: $0.onHand, threshold: $0.threshold, suggestedOrder: $0.suggestedOrder) })
    }

    public func xReport() throws(TillFailure) -> ReportView {
        _ = try requireCashier()
        do {
            let r = try ledger.xReport()
            return ReportView(r)
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }

    // MARK: Cart changes

    public func setQuantity(line: Int, _ request: QuantityRequest) throws(TillFailure) -> CartView {
        _ = try requireCashier()
        guard let l = cart.lines.first(where: { $0.id == line }) else { throw TillFailure(404, "till.no_such_line", field: "line") }
        let q: Quantity
        if l.quantity.unit == .kilogram {
            guard let grams = Self.parseKilograms(request.quantity) else { throw TillFailure(400, "till.bad_quantity", field: "quantity") }
            q = .grams(grams)
        } else {
            guard let n = Int64(request.quantity), n > 0, n <= 9999 else { throw TillFailure(400, "till.bad_quantity", field: "quantity") }
            q = .pieces(n)
        }
        do { try cart.setQuantity(line: line, to: q) } catch { throw TillFailure.cart(error) }
        journal()
        events.publish(name: "cart", ["change": "quantity", "line": "\(line)"])
        return view()
    }

    static func parseKilograms(_ s: String) -> Int64? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 1000 else { return nil }
        var grams = whole * 1000
        if parts.count == 2 {
            let frac = parts[1]
            guard frac.count <= 3, frac.allSatisfy(\.isNumber), let f = Int64(frac.padding(toLength: 3, withPad: "0", startingAt: 0)) else { return nil }
            grams += f
        }
        return grams > 0 ? grams : nil
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

    /// Cash handed over. When it covers what is due, the sale is committed (one ledger transaction, with its receipt)
    /// and a new cart starts; the change is in the answer.
    public func tenderCash(_ request: CashTenderRequest) throws(TillFailure) -> TenderOutcome {
        let c = try requireCashier()
        let amount: Money
        do { amount = try Money.parse(request.amount) } catch {
            throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "amount")
        }
        guard amount.isPositive else { throw TillFailure(400, "till.bad_amount", field: "amount") }
        guard amount <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "amount") }
        guard (try? ledger.shiftStatus())??.isOpen == true else { throw TillFailure(409, "till.shift_closed") }
        var next = cart
        do { try next.tenderCash(amount) } catch { throw TillFailure.cart(error) }
        guard let totals = try? next.totals(), totals.remaining.isZero else {
            cart = next
            journal()
            events.publish(name: "cart", ["change": "tender"])
            return TenderOutcome(done: nil, cart: view())
        }
        let completed: CompletedSale
        do { completed = try next.complete() } catch { throw TillFailure.cart(error) }
        let committedSale: CommittedSale
        do {
            committedSale = try ledger.commitSale(completed, cashier: c.id, receipt: SaleReceipt.freezer(store: store))
        } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.no_open_shift" ? 409 : 500, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        // Committed: the cart is done whatever happens next.
        cart = Cart(cashRoundingToJiao: cashRounding)
        journal()
        committed()
        let change = completed.payments.reduce(Money.zero()) { (try? $0 + $1.change) ?? $0 }
        var preview = ""
        if let data = try? ledger.sale(committedSale.id) {
            preview = composer.preview(SaleReceipt(data, committed: committedSale, store: store).document())
        }
        events.publish(name: "sale", ["sale": committedSale.id.uuidString.lowercased(), "receipt": "\(committedSale.receipt)"])
        logger.info("sale committed", metadata: ["sale": "\(committedSale.id)", "total": "\(completed.totals.total)", "cashier": "\(c.id)"])
        return TenderOutcome(done: SaleDoneView(sale: committedSale.id.uuidString.lowercased(), receipt: committedSale.receipt,
                                                total: completed.totals.total.formatted, change: change.formatted, preview: preview),
                             cart: view())
    }
}
