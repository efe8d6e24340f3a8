import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

/// Cash movements and stock.
extension TillSession {
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
        } catch {
            throw .ledger(error, 400, ["ledger.no_open_shift": 409])
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
        } catch {
            throw .ledger(error, 400)
        }
    }

    public func lowStock() throws(TillFailure) -> LowStockView {
        _ = try requireCashier()
        let items = (try? ledger.lowStock()) ?? []
        return LowStockView(items: items.map { .init(product: $0.product.rawValue, name: $0.name, onHand: $0.onHand, threshold: $0.threshold, suggestedOrder: $0.suggestedOrder) })
    }
}
