import Foundation

/// What a completed cart hands to the ledger to commit.
public struct CompletedSale: Hashable, Sendable {
    public let kind: Cart.Kind
    public let lines: [SoldLine]
    /// Lines voided before completion (kept for the audit and the void count).
    public let voidedLines: [CartLine]
    public let payments: [Payment]
    /// Every payment-code attempt, failed ones included.
    public let attempts: [PaymentAttempt]
    public let totals: CartTotals
    public let member: String?
    public let saleDiscount: Discount?
}

extension Cart {
    /// Cash handed over (a sale) or paid out (a refund). With cash rounding on, the remainder is first rounded to
    /// 0.1 yuan, half-up. Cash beyond what is due becomes change; on a refund the till pays out exactly what is due.
    public mutating func tenderCash(_ handed: Money) throws(CartError) {
        try requireOpen()
        guard handed.isPositive else { throw .priceNotPositive }
        var copy = self
        let remaining = try copy.totals().remaining
        guard !remaining.isZero else { throw .nothingToPay }
        let sign: Int64 = remaining.isNegative ? -1 : 1
        var owed = remaining.minorUnits * sign
        if cashRoundingToJiao && handed.minorUnits >= Self.roundedToJiao(owed) {
            let rounded = Self.roundedToJiao(owed)
            copy.rounding = Money(minorUnits: rounding.minorUnits + (rounded - owed) * sign, currency: handed.currency)
            owed = rounded
        }
        let applied = min(handed.minorUnits, owed)
        let change = handed.minorUnits - applied
        if sign < 0 && change > 0 { throw .overTendered(tender: "cash refund") }
        copy.payments.append(Payment(tender: .cash, amount: Money(minorUnits: applied * sign, currency: handed.currency),
                                     tendered: Money(minorUnits: handed.minorUnits * sign, currency: handed.currency),
                                     change: Money(minorUnits: change, currency: handed.currency), reference: nil, providerTransaction: nil))
        self = copy
    }

    /// Pays from (or, on a refund, back to) the attached member's balance. The balance itself is the member service's.
    public mutating func tenderMemberBalance(_ amount: Money) throws(CartError) {
        guard let member else { throw .noMember }
        try addExact(.member, amount, reference: member)
    }

    /// A voucher of `faceValue`: it covers up to what is due and gives no change.
    public mutating func tenderVoucher(code: String, faceValue: Money) throws(CartError) {
        try requireOpen()
        guard !isRefund else { throw .isAReturn }
        guard faceValue.isPositive else { throw .priceNotPositive }
        let remaining = try totals().remaining
        guard remaining.isPositive else { throw .nothingToPay }
        payments.append(Payment(tender: .voucher, amount: min(faceValue, remaining), tendered: faceValue, change: .zero(faceValue.currency),
                                reference: code, providerTransaction: nil))
    }

    /// Starts a payment-code payment of `amount` (default: all that remains). The cart waits in `.awaitingPayment`
    /// until ``codePaymentSucceeded(attempt:transaction:)`` or ``codePaymentFailed(attempt:reason:)``; nothing blocks.
    @discardableResult
    public mutating func beginCodePayment(provider: String, amount: Money? = nil, order: UUID? = nil) throws(CartError) -> PaymentAttempt {
        try requireOpen()
        let remaining = try totals().remaining
        guard !remaining.isZero else { throw .nothingToPay }
        let value = amount ?? remaining.absolute
        guard value.isPositive else { throw .priceNotPositive }
        guard value <= remaining.absolute else { throw .overTendered(tender: "payment code") }
        let attempt = PaymentAttempt(id: attempts.count + 1, provider: provider,
                                     amount: remaining.isNegative ? Money(minorUnits: -value.minorUnits, currency: value.currency) : value,
                                     outcome: .pending, detail: nil, order: order)
        attempts.append(attempt)
        state = .awaitingPayment(attempt: attempt.id)
        return attempt
    }

    public mutating func codePaymentSucceeded(attempt id: Int, transaction: String) throws(CartError) {
        let i = try pendingAttempt(id)
        attempts[i].outcome = .succeeded
        attempts[i].detail = transaction
        let a = attempts[i]
        payments.append(Payment(tender: .code, amount: a.amount, tendered: a.amount, change: .zero(a.amount.currency),
                                reference: a.provider, providerTransaction: transaction))
        state = .open
    }

    public mutating func codePaymentFailed(attempt id: Int, reason: String) throws(CartError) {
        let i = try pendingAttempt(id)
        attempts[i].outcome = .failed
        attempts[i].detail = reason
        state = .open
    }

    public mutating func codePaymentCancelled(attempt id: Int) throws(CartError) {
        let i = try pendingAttempt(id)
        attempts[i].outcome = .cancelled
        state = .open
    }

    /// Completes the sale once it is paid in full. Returns what the ledger commits; the cart is then `.completed`.
    public mutating func complete() throws(CartError) -> CompletedSale {
        try requireOpen()
        guard !activeLines.isEmpty else { throw .emptyCart }
        let t = try totals()
        guard t.remaining.isZero else { throw .underpaid(remaining: t.remaining) }
        let sold = try soldLines()
        state = .completed
        return CompletedSale(kind: kind, lines: sold, voidedLines: lines.filter(\.voided), payments: payments,
                             attempts: attempts, totals: t, member: member, saleDiscount: saleDiscount)
    }

    // MARK: helpers

    private mutating func addExact(_ tender: TenderKind, _ amount: Money, reference: String?) throws(CartError) {
        try requireOpen()
        guard amount.isPositive else { throw .priceNotPositive }
        let remaining = try totals().remaining
        guard !remaining.isZero else { throw .nothingToPay }
        guard amount <= remaining.absolute else { throw .overTendered(tender: tender.rawValue) }
        let applied = remaining.isNegative ? Money(minorUnits: -amount.minorUnits, currency: amount.currency) : amount
        payments.append(Payment(tender: tender, amount: applied, tendered: applied, change: .zero(amount.currency),
                                reference: reference, providerTransaction: nil))
    }

    private func pendingAttempt(_ id: Int) throws(CartError) -> Int {
        guard case let .awaitingPayment(current) = state, current == id,
              let i = attempts.firstIndex(where: { $0.id == id }) else { throw .unknownAttempt }
        return i
    }

    /// Rounds fen to the nearest 10 (0.1 yuan), half-up.
    static func roundedToJiao(_ fen: Int64) -> Int64 {
        (fen + 5) / 10 * 10
    }
}
