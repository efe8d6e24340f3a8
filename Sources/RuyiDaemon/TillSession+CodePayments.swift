import Foundation
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPayments

/// Payment codes at the till: the customer's code starts an attempt (in the ledger before anything is sent), the cart
/// waits — the till stays responsive and the cashier can cancel — and `CodePayments` settles it.
extension TillSession {
    func attach(_ payments: CodePayments) { codePayments = payments }

    /// For the status: `none`, `online`, `offline`, `unknown`.
    var codePaymentsState: String {
        get async {
            guard let codePayments else { return "none" }
            switch await codePayments.lastReachable {
            case true?: return "online"
            case false?: return "offline"
            case nil: return "unknown"
            }
        }
    }

    /// Starts a code payment of everything still due with the customer's auth code.
    public func startCodePayment(_ request: CodeTenderRequest) async throws(TillFailure) -> TenderOutcome {
        let c = try requireCashier()
        let code: PaymentCode
        do {
            guard case let .payment(p) = try interpreter.interpret(bytes: Array(request.authCode.utf8), symbology: nil).meaning else {
                throw TillFailure(400, "till.not_a_payment_code", field: "auth_code")
            }
            code = p
        } catch let e as TillFailure { throw e } catch {
            throw TillFailure(400, "till.not_a_payment_code", field: "auth_code")
        }
        return try await startCodePayment(code, cashier: c)
    }

    /// A payment code scanned (or sent): everything due, paid by the customer's phone.
    func startCodePayment(_ code: PaymentCode, cashier c: Cashier) async throws(TillFailure) -> TenderOutcome {
        guard let payments = codePayments else { throw TillFailure(409, "till.payment_code") }
        guard (try? ledger.shiftStatus())??.isOpen == true else { throw TillFailure(409, "till.shift_closed") }
        try requireCodePayable()
        guard await payments.reachable() else {
            events.publish(name: "payment", ["state": "offline"])
            throw TillFailure(503, "payment.offline")
        }
        // The cart may have changed while the acquirer was asked: check again, then nothing waits until it is started.
        try requireCodePayable()
        let due: Money
        do { due = try cart.totals().remaining } catch { throw TillFailure.cart(error) }
        let id: UUID
        do { id = try ledger.beginPaymentAttempt(provider: payments.provider.name, amount: due, authCode: code.code, cashier: c.id) } catch {
            throw .ledger(error, 500)
        }
        do { try cart.beginCodePayment(provider: payments.provider.name, order: id) } catch { throw TillFailure.cart(error) }
        journal()
        await payments.start(id, authCode: code.code, amount: due)
        events.publish(name: "payment", ["state": "started", "order": CodePayments.order(id), "amount": due.formatted, "scheme": code.scheme])
        return TenderOutcome(done: nil, cart: view(), payment: CodePaymentView(order: CodePayments.order(id), provider: payments.provider.name,
                                                                                amount: due.formatted, state: "started"))
    }

    private func requireCodePayable() throws(TillFailure) {
        guard case .open = cart.state else { throw TillFailure.cart(.awaitingPayment) }
        guard case .sale = cart.kind else { throw TillFailure(409, "till.not_allowed") }
        let remaining: Money
        do { remaining = try cart.totals().remaining } catch { throw TillFailure.cart(error) }
        guard remaining.isPositive else { throw TillFailure.cart(.nothingToPay) }
    }

    /// A return of a code-paid sale: the money goes back through the provider to the customer's account, with the
    /// refund's own number (recorded first, like any attempt). The cart waits while the acquirer is asked; a refund
    /// whose answer never came is retried with the same number (never refunded twice), and until it is settled the
    /// cashier is told not to pay cash instead.
    public func refundToCode() async throws(TillFailure) -> TenderOutcome {
        let c = try requireCashier()
        guard let payments = codePayments else { throw TillFailure(409, "till.payment_code") }
        guard case let .refund(original) = cart.kind, case .open = cart.state else { throw TillFailure(409, "payment.not_a_code_refund") }
        guard let paying = try? ledger.paymentAttempt(paying: original) else { throw TillFailure(409, "payment.not_a_code_refund") }
        let owed: Money
        do { owed = try cart.totals().remaining } catch { throw TillFailure.cart(error) }
        let back = Money(minorUnits: -owed.minorUnits, currency: owed.currency)
        guard owed.isNegative else { throw TillFailure(409, "payment.not_a_code_refund") }
        let id: UUID
        let earlier: PaymentAttemptRecord?
        do {
            // Earlier returns of this sale may have sent part of it back already; a sale paid partly in cash has less on
            // the code than its total.
            let left = try paying.amount - ledger.refundedToCode(paying.id)
            guard back <= left else {
                throw TillFailure(409, "payment.refund_exceeds_code", Strings.text("payment.refund_exceeds_code") + "（付款码还可退 \(left.formatted)）")
            }
            earlier = try ledger.unfinishedRefund(of: paying.id)
            // An unsettled refund is asked again with its own number and amount only: another amount under that number
            // could be refunded on top of it.
            if let earlier, earlier.amount != back {
                throw TillFailure(409, "payment.refund_pending", Strings.text("payment.refund_pending") + "（\(earlier.amount.formatted)）")
            }
            id = try earlier?.id ?? ledger.beginPaymentAttempt(provider: paying.provider, amount: back, authCode: "", cashier: c.id, refunds: paying.id)
        } catch let e as TillFailure { throw e } catch { throw .ledger(error, 500) }
        // The cart waits on it: nothing changes it while the acquirer is asked.
        do { try cart.beginCodePayment(provider: paying.provider, order: id) } catch { throw TillFailure.cart(error) }
        journal()
        guard case let .awaitingPayment(n) = cart.state else { throw TillFailure(500, "api.internal") }
        // Refunded already (its sale could not be committed then): the money is back; only the sale is still to do.
        var answer: RefundAnswer? = earlier.flatMap { $0.state == .paid ? $0.transaction.map { .refunded(transaction: $0) } : nil }
        for attempt in 1...3 where answer == nil {
            try? ledger.paymentStep(id, "refund sent (\(attempt))")
            do { answer = try await payments.provider.refund(order: CodePayments.order(paying.id), refund: CodePayments.order(id), amount: back) } catch {
                try? ledger.paymentStep(id, "refund: no answer (\(error))")
            }
        }
        switch answer {
        case let .refunded(transaction)?:
            try? ledger.paymentStep(id, "refunded", state: .paid, transaction: transaction)
            var next = cart
            do {
                try next.codePaymentSucceeded(attempt: n, transaction: transaction)
                let outcome = try completeSale(next, cashier: c.id, completing: id)
                events.publish(name: "payment", ["state": "refunded", "order": CodePayments.order(id), "amount": back.formatted])
                return outcome
            } catch {
                // The money is back with the customer, the refund sale not recorded: the cart opens again, and the next
                // try records it without asking the acquirer again.
                try? cart.codePaymentFailed(attempt: n, reason: "refunded; the sale is still to record")
                journal()
                throw error as? TillFailure ?? TillFailure(500, "api.internal")
            }
        case let .refused(code, message)?:
            try? ledger.finishPaymentAttempt(id, .declined, detail: "\(code) \(message)")
            try? cart.codePaymentFailed(attempt: n, reason: message)
            journal()
            throw TillFailure(409, "payment.refund_refused", Strings.text("payment.refund_refused") + "（\(message.isEmpty ? code : message)）")
        case nil:
            try? cart.codePaymentFailed(attempt: n, reason: "no answer")
            journal()
            throw TillFailure(503, "payment.refund_unknown")
        }
    }

    /// `GET /v1/payments/{order}`: where an attempt stands.
    public func codePayment(_ order: String) throws(TillFailure) -> CodePaymentView {
        _ = try requireCashier()
        guard let id = UUID(uuidString: order), let a = try? ledger.paymentAttempt(id) else { throw TillFailure(404, "payment.unknown_order", field: "order") }
        let receipt = a.sale.flatMap { try? ledger.sale($0).receipt }
        return CodePaymentView(order: CodePayments.order(id), provider: a.provider, amount: a.amount.formatted, state: a.state.rawValue, receipt: receipt)
    }

    /// The cashier gives up on the code payment (the customer will pay another way): the cart is open again at once,
    /// and the order is reversed at the acquirer.
    public func cancelCodePayment() async throws(TillFailure) -> CartView {
        _ = try requireCashier()
        guard case let .awaitingPayment(n) = cart.state, let attempt = cart.attempts.first(where: { $0.id == n }) else {
            throw TillFailure(409, "till.no_code_payment")
        }
        do { try cart.codePaymentCancelled(attempt: n) } catch { throw TillFailure.cart(error) }
        journal()
        if let order = attempt.order {
            try? ledger.paymentStep(order, "cancel asked by \(cashier?.id ?? "?")")
            await codePayments?.cancel(order)
        }
        events.publish(name: "payment", ["state": "cancelled", "order": attempt.order.map(CodePayments.order) ?? ""])
        return view()
    }

    /// What `CodePayments` settled. True when the till took it: a payment for the cart that waits on it completes the
    /// sale (committed with the attempt, or refused by the ledger if the attempt is being reversed); false, and the
    /// attempt is reversed, when the cart no longer waits on it.
    func codePaymentSettled(_ order: UUID, _ resolution: CodePaymentResolution) -> Bool {
        guard case let .awaitingPayment(n) = cart.state, let attempt = cart.attempts.first(where: { $0.id == n }), attempt.order == order else {
            return false
        }
        switch resolution {
        case let .paid(transaction):
            var next = cart
            do {
                try next.codePaymentSucceeded(attempt: n, transaction: transaction)
                let by = (try? ledger.paymentAttempt(order))?.cashier ?? cashier?.id ?? "?"
                let outcome = try completeSale(next, cashier: by, completing: order)
                events.publish(name: "payment", ["state": "completed", "order": CodePayments.order(order), "receipt": "\(outcome.done?.receipt ?? 0)"])
                return true
            } catch {
                logger.error("a paid code payment could not complete the sale; it is reversed", metadata: ["order": "\(order)", "error": "\(error)"])
                try? cart.codePaymentFailed(attempt: n, reason: "\(error)")
                journal()
                return false
            }
        case let .notPaid(reason):
            try? cart.codePaymentFailed(attempt: n, reason: reason)
            journal()
            events.publish(name: "cart", ["change": "payment_failed"])
            return true
        }
    }

    /// After a restart: a restored cart waiting on an attempt the ledger has settled already (the journal was a step
    /// behind) is brought up to date; one still unsettled waits for `CodePayments.recover()` — or, with no provider
    /// configured any more, is let go (the cashier takes another payment; the attempt stays unfinished in the ledger
    /// until a provider settles it).
    func reconcileRestoredPayment() {
        guard case let .awaitingPayment(n) = cart.state, let attempt = cart.attempts.first(where: { $0.id == n }) else { return }
        guard let order = attempt.order, let record = try? ledger.paymentAttempt(order) else {
            try? cart.codePaymentFailed(attempt: n, reason: "no record of this attempt")
            journal()
            return
        }
        switch record.state {
        case .completed:
            // The sale was committed with it: this cart is done.
            cart = Cart(cashRoundingToJiao: cashRounding)
            journal()
        case .declined, .reversed, .reversing:
            try? cart.codePaymentFailed(attempt: n, reason: record.state.rawValue)
            journal()
        case .started, .paying, .paid:
            guard codePayments == nil else { break }
            logger.error("the open cart waits on a code payment but no payment provider is configured: it is let go unsettled",
                         metadata: ["order": "\(order)", "state": "\(record.state.rawValue)"])
            try? cart.codePaymentFailed(attempt: n, reason: "no payment provider configured")
            journal()
        }
    }
}
