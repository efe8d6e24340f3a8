import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

/// Returns, parked carts, and earlier sales (reprint, post-void).
extension TillSession {
    // MARK: Returns

    /// Starts a return of an earlier sale (by receipt number or sale id) on an empty till: the cart becomes a refund.
    public func startReturn(_ request: ReturnRequest) throws(TillFailure) -> ReturnView {
        _ = try requireCashier()
        guard lineCount == 0 else { throw TillFailure(409, "till.not_allowed", "请先结账或挂起当前购物车") }
        let id = try resolveSale(request.receipt, field: "receipt")
        let returnable: [Cart.Returnable]
        do { returnable = try ledger.returnable(for: id) } catch {
            throw .ledger(error, 409, ["ledger.unknown_sale": 404])
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
        let q = try Self.parseQuantity(request.quantity, unit: cart.returnableUnit(originalLine: request.line) ?? .piece)
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
        } catch {
            throw .ledger(error)
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
        } catch {
            throw .ledger(error, 404)
        }
        journal()
        events.publish(name: "cart", ["change": "resumed"])
        return view()
    }

    /// A sale named by its id or by its receipt number as printed (`0001-0003`).
    func resolveSale(_ text: String, field: String = "id") throws(TillFailure) -> UUID {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let id = UUID(uuidString: t) ?? (try? ledger.saleID(receiptNumber: t)) ?? nil else {
            throw TillFailure(404, "sale.not_found", Strings.text("sale.not_found") + "（\(t)）", field: field)
        }
        return id
    }

    public func sale(_ id: String) throws(TillFailure) -> SaleView {
        _ = try requireCashier()
        let uuid = try resolveSale(id)
        guard let s = try? ledger.sale(uuid) else { throw TillFailure(404, "sale.not_found", field: "id") }
        return SaleView(sale: uuid.uuidString.lowercased(), shift: s.shift, receipt: s.receipt, cashier: s.cashier, total: Money(fen: s.total).formatted,
                        lines: s.lines.map { .init(name: $0.name, quantity: Self.quantityText(Quantity($0.qty, SaleUnit(rawValue: $0.unit) ?? .piece)), amount: Money(fen: $0.amount).formatted) },
                        payments: s.payments.map { .init(tender: $0.tender, amount: Money(fen: $0.amount).formatted) })
    }

    /// Prints a receipt again, marked REPRINT.
    public func reprint(_ id: String) throws(TillFailure) -> ReprintView {
        let c = try requireCashier()
        let uuid = try resolveSale(id)
        do {
            let job = try ledger.reprintReceipt(of: uuid)
            committed() // wakes the print worker
            logger.notice("receipt reprinted", metadata: ["sale": "\(uuid)", "by": "\(c.id)"])
            return ReprintView(job: job.id.uuidString.lowercased(), number: job.n)
        } catch {
            throw .ledger(error, 409, ["ledger.unknown_sale": 404])
        }
    }

    /// Post-void (owner): the sale stays in the ledger, a void entry cancels it, with who and why.
    public func postVoid(_ id: String, _ request: VoidRequest) throws(TillFailure) -> VoidView {
        let owner = try requireOwner()
        let uuid = try resolveSale(id)
        let reason = request.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= 200 else { throw TillFailure(400, "sale.reason_required", field: "reason") }
        do {
            let e = try ledger.postVoid(sale: uuid, reason: reason, owner: owner.id)
            logger.notice("sale post-voided", metadata: ["sale": "\(uuid)", "by": "\(owner.id)", "reason": "\(reason)"])
            events.publish(name: "sale", ["change": "post_void", "sale": uuid.uuidString.lowercased()])
            return VoidView(sale: uuid.uuidString.lowercased(), entry: e.seq)
        } catch {
            throw .ledger(error, 409, ["ledger.unknown_sale": 404])
        }
    }
}
