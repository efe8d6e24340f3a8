import Foundation
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiReceipts

/// Tenders that complete a sale: cash here (code payments in TillSession+CodePayments), and the commit they share.
extension TillSession {
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
        return try completeSale(next, cashier: c.id)
    }

    /// Commits `next` (paid in full) with its receipt, and starts a new cart. `attempt`: the code payment that paid it,
    /// completed in the same ledger transaction.
    func completeSale(_ next: Cart, cashier: String, completing attempt: UUID? = nil) throws(TillFailure) -> TenderOutcome {
        var next = next
        let completed: CompletedSale
        do { completed = try next.complete() } catch { throw TillFailure.cart(error) }
        let committedSale: CommittedSale
        do {
            committedSale = try ledger.commitSale(completed, cashier: cashier, receipt: SaleReceipt.freezer(store: store), completing: attempt)
        } catch {
            throw .ledger(error, 500, ["ledger.no_open_shift": 409])
        }
        // Committed: the cart is done whatever happens next.
        cart = Cart(cashRoundingToJiao: cashRounding)
        journal()
        committed()
        let change = completed.payments.reduce(Money.zero()) { (try? $0 + $1.change) ?? $0 }
        // The record exactly as committed (the ledger adds only the shift and the receipt number), without reading it back.
        var data = SaleData(completed, cashier: cashier)
        data.shift = committedSale.shift
        data.receipt = committedSale.receipt
        let preview = composer.preview(SaleReceipt(data, committed: committedSale, store: store).document())
        events.publish(name: "sale", ["sale": committedSale.id.uuidString.lowercased(), "receipt": "\(committedSale.receipt)"])
        logger.info("sale committed", metadata: ["sale": "\(committedSale.id)", "total": "\(completed.totals.total)", "cashier": "\(cashier)"])
        return TenderOutcome(done: SaleDoneView(sale: committedSale.id.uuidString.lowercased(), receipt: committedSale.receipt,
                                                total: completed.totals.total.formatted, change: change.formatted, preview: preview),
                             cart: view())
    }
}
