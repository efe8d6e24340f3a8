import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPayments
import RuyiPrinting
import RuyiReceipts
import RuyiTestKit
import Testing
@testable import RuyiDaemon

/// Payment codes against the test acquirer on 127.0.0.1, through the real HTTP adapter, the till and the ledger:
/// every path a face-to-face payment takes. Whatever happens, exactly one of {the sale committed and the customer
/// charged, the order not charged} holds, and the auth code is sent once.
@Suite(.serialized) struct CodePaymentTests {
    struct Counter {
        let dir: TemporaryDirectory
        let ledger: Ledger
        let till: TillSession
        let payments: CodePayments
        let acquirer: TestAcquirer
    }

    static func counter(acquirer: TestAcquirer? = nil, timeout: Double = 2, wait: Double = 1.5) async throws -> Counter {
        let acquirer = try acquirer ?? TestAcquirer()
        let t = try TillSessionTests.till()
        let provider = try HTTPAcquirer(name: "test", url: acquirer.url, merchant: "m1", timeoutSeconds: timeout)
        let payments = CodePayments(provider: provider, ledger: t.ledger, policy: CodePaymentPolicy(pollSeconds: 0.05, waitSeconds: wait),
                                    events: EventHub(), logger: Logger(label: "test"), executor: t.till.executor)
        let till = t.till
        await payments.onResolve { order, r in await till.codePaymentSettled(order, r) }
        await t.till.attach(payments)
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        _ = try await t.till.scan(bytes: Array("036000291452".utf8))  // rice 49.90
        return Counter(dir: t.dir, ledger: t.ledger, till: t.till, payments: payments, acquirer: acquirer)
    }

    /// Waits (at most `seconds`) until the attempt is settled, and returns how. It looks once more after the deadline:
    /// when other tests hold both of this machine's pool threads this task may wake only after it, with the work done.
    static func settled(_ c: Counter, _ order: String, seconds: Double = 20) async throws -> PaymentAttemptRecord {
        let id = try #require(UUID(uuidString: order))
        let end = Date().addingTimeInterval(seconds)
        while true {
            if let a = try c.ledger.paymentAttempt(id), a.state.isFinal, await c.payments.running == 0 { return a }
            if Date() >= end { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("attempt \(order) not settled in \(seconds) s: \(String(describing: try c.ledger.paymentAttempt(id)))")
        return try #require(try c.ledger.paymentAttempt(id))
    }

    static func start(_ c: Counter, _ code: String) async throws -> String {
        let started = try await c.till.startCodePayment(CodeTenderRequest(authCode: code))
        #expect(started.cart.state == "awaiting_payment" && started.done == nil)
        return try #require(started.payment?.order)
    }

    @Test func paidAtOnceCommitsTheSaleWithTheAttempt() async throws {
        let c = try await Self.counter()
        let order = try await Self.start(c, "281234567890123456")
        let a = try await Self.settled(c, order)
        #expect(a.state == .completed && a.sale != nil && a.transaction != nil)
        #expect(c.acquirer.charged(order) && c.acquirer.order(order)?.payRequests == 1)
        #expect(await c.till.cart.lines.isEmpty, "a new cart")
        let sale = try c.ledger.sale(try #require(a.sale))
        #expect(sale.payments.map(\.tender) == ["code"] && sale.total == 4990)
        // The X (and Z) report carries code payments per provider, to reconcile with the acquirer's settlement.
        let x = try c.ledger.xReport()
        #expect(x.byProvider == ["test": 4990] && x.byTender["code"] == 4990)
        let printed = try ReceiptComposer(profile: .generic80).preview(ReportReceipt.x(x, store: StoreReceiptInfo(storeName: "店"), printedAt: 0))
        #expect(printed.contains("付款码 test"), "\(printed)")
        let steps = try c.ledger.paymentSteps(a.id).map(\.step)
        #expect(steps.first == "started" && steps.dropFirst().first == "micropay sent", "recorded before the request: \(steps)")
    }

    @Test func userPayingThenPaidAndALostAnswerAndASlowOne() async throws {
        let acquirer = try TestAcquirer()
        acquirer.script("281111111111111111", .userPaying(seconds: 0.3, thenPaid: true))
        acquirer.script("282222222222222222", .lose(then: .pay))
        acquirer.script("283333333333333333", .slow(seconds: 3, then: .pay))
        for code in ["281111111111111111", "282222222222222222", "283333333333333333"] {
            let c = try await Self.counter(acquirer: acquirer, timeout: 1, wait: 5)
            let order = try await Self.start(c, code)
            let a = try await Self.settled(c, order)
            let steps = try c.ledger.paymentSteps(a.id).map(\.step)
            #expect(a.state == .completed, "\(code): \(steps)")
            #expect(acquirer.charged(order) && acquirer.order(order)?.payRequests == 1, "the auth code is sent once (\(code))")
            #expect(!acquirer.requests("/v1/query").filter { $0 == order }.isEmpty || code == "281111111111111111")
        }
    }

    @Test func declinedLeavesTheCartOpenForCash() async throws {
        let acquirer = try TestAcquirer()
        acquirer.script("284444444444444444", .decline(code: "NOTENOUGH"))
        let c = try await Self.counter(acquirer: acquirer)
        let order = try await Self.start(c, "284444444444444444")
        let a = try await Self.settled(c, order)
        #expect(a.state == .declined && !acquirer.charged(order))
        let cart = await c.till.cart
        #expect(cart.state == .open && cart.lines.count == 1)
        #expect(try await c.till.tenderCash(CashTenderRequest(amount: "50")).done?.change == "0.10")
    }

    @Test func notConfirmedInTimeIsReversed() async throws {
        let acquirer = try TestAcquirer()
        acquirer.script("285555555555555555", .userPaying(seconds: 100, thenPaid: true))
        let c = try await Self.counter(acquirer: acquirer, wait: 0.5)
        let order = try await Self.start(c, "285555555555555555")
        let a = try await Self.settled(c, order)
        #expect(a.state == .reversed && acquirer.order(order)?.state == .reversed && !acquirer.charged(order))
        #expect(await c.till.cart.state == .open)
        // The customer confirms afterwards: the reversed order stays unpaid.
        acquirer.settle(order: order, paid: true)
        #expect(!acquirer.charged(order))
    }

    @Test func theCashierCancelsWhileTheCustomerIsConfirming() async throws {
        let acquirer = try TestAcquirer()
        acquirer.script("286666666666666666", .userPaying(seconds: 100, thenPaid: true))
        let c = try await Self.counter(acquirer: acquirer, wait: 30)
        let order = try await Self.start(c, "286666666666666666")
        // The till stays responsive while it waits: a scan is refused for the waiting cart, status answers.
        #expect(await TillSessionTests.failure { try await c.till.scan(bytes: Array("6901234567892".utf8)) }?.code == "cart.awaiting_payment")
        let view = try await c.till.cancelCodePayment()
        #expect(view.state == "open", "open again at once")
        let a = try await Self.settled(c, order)
        #expect(a.state == .reversed && !acquirer.charged(order))
        acquirer.settle(order: order, paid: true)
        #expect(!acquirer.charged(order), "a late confirmation does not charge a reversed order")
        #expect(await TillSessionTests.failure { try await c.till.cancelCodePayment() }?.code == "till.no_code_payment")
        #expect(try await c.till.tenderCash(CashTenderRequest(amount: "49.90")).done != nil)
    }

    @Test func offlineCodePaymentsAreRefusedAndCashStillWorks() async throws {
        let acquirer = try TestAcquirer()
        acquirer.setDown(true)
        let c = try await Self.counter(acquirer: acquirer)
        #expect(await TillSessionTests.failure { try await c.till.startCodePayment(CodeTenderRequest(authCode: "287777777777777777")) }?.code == "payment.offline")
        #expect(try c.ledger.unfinishedPaymentAttempts().isEmpty, "nothing recorded, nothing sent")
        #expect(await TillSessionTests.failure { try await c.till.startCodePayment(CodeTenderRequest(authCode: "6901234567892")) }?.code == "till.not_a_payment_code")
        #expect(try await c.till.tenderCash(CashTenderRequest(amount: "50")).done != nil)
    }

    @Test func theAcquirerAnswersDuplicatesAsTheOrderStandsAndRefusesAReversedNumber() async throws {
        let acquirer = try TestAcquirer()
        let p = try HTTPAcquirer(name: "test", url: acquirer.url, merchant: "m1", timeoutSeconds: 2)
        let first = try await p.pay(order: "o-1", authCode: "281234567890123456", amount: Money(fen: 100), subject: "t")
        #expect(try await p.pay(order: "o-1", authCode: "281234567890123456", amount: Money(fen: 100), subject: "t") == first)
        #expect(acquirer.order("o-1")?.payRequests == 2 && acquirer.charged("o-1"))
        #expect(try await p.reverse(order: "o-1") == .reversed && !acquirer.charged("o-1"))
        guard case .declined(code: "ORDERREVERSED", _) = try await p.pay(order: "o-1", authCode: "281234567890123456", amount: Money(fen: 100), subject: "t") else {
            Issue.record("a reversed order number must be refused")
            return
        }
        #expect(try await p.query(order: "never-sent") == .notPaid)
        // A refund asked again with its own number is answered the same (never refunded twice); another number is refused.
        _ = try await p.pay(order: "o-2", authCode: "281234567890123456", amount: Money(fen: 100), subject: "t")
        let r1 = try await p.refund(order: "o-2", refund: "r-1", amount: Money(fen: 100))
        #expect(try await p.refund(order: "o-2", refund: "r-1", amount: Money(fen: 100)) == r1)
        guard case .refused = try await p.refund(order: "o-2", refund: "r-2", amount: Money(fen: 100)) else {
            Issue.record("a second refund of a refunded order must be refused")
            return
        }
        // Partial refunds, as a provider takes them: each a part, never more than was paid in all, a number never reused
        // for another amount.
        _ = try await p.pay(order: "o-3", authCode: "281234567890123456", amount: Money(fen: 100), subject: "t")
        guard case .refunded = try await p.refund(order: "o-3", refund: "r-a", amount: Money(fen: 30)) else { Issue.record("30 of 100"); return }
        #expect(acquirer.order("o-3")?.refundedFen == 30 && acquirer.order("o-3")?.state == .paid)
        guard case .refused(code: "REFUND_NO_REUSED", _) = try await p.refund(order: "o-3", refund: "r-a", amount: Money(fen: 31)) else {
            Issue.record("a refund number asked again with another amount must be refused")
            return
        }
        guard case .refused(code: "REFUND_AMOUNT_EXCEEDED", _) = try await p.refund(order: "o-3", refund: "r-b", amount: Money(fen: 71)) else {
            Issue.record("refunds beyond what was paid must be refused")
            return
        }
        guard case .refunded = try await p.refund(order: "o-3", refund: "r-b", amount: Money(fen: 70)) else { Issue.record("the other 70"); return }
        #expect(acquirer.order("o-3")?.refundedFen == 100 && acquirer.order("o-3")?.state == .refunded)
        await p.close()
    }

    @Test func returnsOfPartOfACodePaidSaleEachGoBackToTheCodeButNeverMoreThanItPaid() async throws {
        // Rice and a cola (53.40) paid by code; rice returned one day, the cola the next: each back to the code.
        let c = try await Self.counter()
        _ = try await c.till.scan(bytes: Array("6901234567892".utf8))
        let paid = try await Self.settled(c, try await Self.start(c, "281234567890123455"))
        #expect(paid.amount == Money(fen: 5340))
        let receipt = String(format: "0001-%04lld", try c.ledger.sale(try #require(paid.sale)).receipt)
        _ = try await c.till.startReturn(ReturnRequest(receipt: receipt))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        #expect(try await c.till.refundToCode().done != nil)
        let order = CodePayments.order(paid.id)
        #expect(c.acquirer.order(order)?.refundedFen == 4990 && c.acquirer.order(order)?.state == .paid)
        #expect(try c.ledger.refundedToCode(paid.id) == Money(fen: 4990))
        _ = try await c.till.startReturn(ReturnRequest(receipt: receipt))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 2, quantity: "1"))
        #expect(try await c.till.refundToCode().done != nil)
        #expect(c.acquirer.order(order)?.refundedFen == 5340 && c.acquirer.order(order)?.state == .refunded)
        #expect(try c.ledger.xReport().byProvider == ["test": 0])

        // Paid 10.00 in cash and 39.90 by code: the rice's 49.90 cannot all go back to the code; the cashier is told how
        // much could, and refunds cash.
        _ = try await c.till.scan(bytes: Array("036000291452".utf8))
        _ = try await c.till.tenderCash(CashTenderRequest(amount: "10"))
        let mixed = try await Self.settled(c, try await Self.start(c, "281234567890123454"))
        #expect(mixed.amount == Money(fen: 3990))
        _ = try await c.till.startReturn(ReturnRequest(receipt: String(format: "0001-%04lld", try c.ledger.sale(try #require(mixed.sale)).receipt)))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        let refused = await TillSessionTests.failure { try await c.till.refundToCode() }
        #expect(refused?.code == "payment.refund_exceeds_code" && refused?.message.contains("39.90") == true, "\(String(describing: refused))")
        #expect(c.acquirer.requests("/v1/refund").filter { $0 == CodePayments.order(mixed.id) }.isEmpty, "nothing was asked of the provider")
        #expect(await c.till.cart.state == .open)
        #expect(try await c.till.tenderCash(CashTenderRequest(amount: "49.90")).done != nil)
    }

    @Test func aRefundWithNoAnswerIsFinishedWithTheSameAmountOnly() async throws {
        let c = try await Self.counter()
        _ = try await c.till.scan(bytes: Array("6901234567892".utf8))
        let paid = try await Self.settled(c, try await Self.start(c, "281234567890123453"))
        let receipt = String(format: "0001-%04lld", try c.ledger.sale(try #require(paid.sale)).receipt)
        // The provider goes silent while the rice is refunded: the outcome is unknown, the attempt stays open.
        _ = try await c.till.startReturn(ReturnRequest(receipt: receipt))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        c.acquirer.setDown(true)
        #expect(await TillSessionTests.failure { try await c.till.refundToCode() }?.code == "payment.refund_unknown")
        c.acquirer.setDown(false)
        // The cashier tries the cola instead: refused, as the rice's refund could still have gone through.
        _ = try await c.till.cancel()
        _ = try await c.till.startReturn(ReturnRequest(receipt: receipt))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 2, quantity: "1"))
        let pending = await TillSessionTests.failure { try await c.till.refundToCode() }
        #expect(pending?.code == "payment.refund_pending" && pending?.message.contains("49.90") == true, "\(String(describing: pending))")
        // The rice again: finished under its own number, once.
        _ = try await c.till.cancel()
        _ = try await c.till.startReturn(ReturnRequest(receipt: receipt))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        #expect(try await c.till.refundToCode().done != nil)
        #expect(c.acquirer.order(CodePayments.order(paid.id))?.refunds.count == 1)
        #expect(c.acquirer.order(CodePayments.order(paid.id))?.refundedFen == 4990)
    }

    @Test func aReturnOfACodePaidSaleGoesBackThroughTheProviderOrIsRefusedForCash() async throws {
        let c = try await Self.counter()
        let order = try await Self.start(c, "281234567890123499")
        let paid = try await Self.settled(c, order)
        let receipt = try c.ledger.sale(try #require(paid.sale)).receipt
        // Back to the customer's account: the refund recorded with its own number, the refund sale committed with it.
        _ = try await c.till.startReturn(ReturnRequest(receipt: String(format: "0001-%04lld", receipt)))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        let done = try await c.till.refundToCode()
        #expect(done.done != nil && done.cart.lines.isEmpty)
        #expect(c.acquirer.order(order)?.state == .refunded)
        #expect(try c.ledger.unfinishedRefund(of: paid.id) == nil, "the refund attempt is settled")
        let refundSale = try c.ledger.sale(try #require(UUID(uuidString: done.done!.sale)))
        #expect(refundSale.payments.map(\.tender) == ["code"] && refundSale.total == -4990)
        #expect(try c.ledger.xReport().byProvider == ["test": 0], "paid and refunded: nothing left with the provider")
        // A second return of it: nothing is left to return.
        #expect(await TillSessionTests.failure { try await c.till.startReturn(ReturnRequest(receipt: String(format: "0001-%04lld", receipt))) } != nil)

        // The provider refuses (the order was reversed meanwhile): said so, the cart open again for cash.
        _ = try await c.till.scan(bytes: Array("036000291452".utf8))
        let order2 = try await Self.start(c, "281234567890123498")
        let paid2 = try await Self.settled(c, order2)
        let receipt2 = try c.ledger.sale(try #require(paid2.sale)).receipt
        let p = try HTTPAcquirer(name: "test", url: c.acquirer.url, merchant: "m1", timeoutSeconds: 2)
        _ = try await p.reverse(order: order2)
        await p.close()
        _ = try await c.till.startReturn(ReturnRequest(receipt: String(format: "0001-%04lld", receipt2)))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        #expect(await TillSessionTests.failure { try await c.till.refundToCode() }?.code == "payment.refund_refused")
        #expect(await c.till.cart.state == .open)
        #expect(try await c.till.tenderCash(CashTenderRequest(amount: "49.90")).done != nil, "refunded in cash instead")
        // A sale paid in cash is not refunded to a code.
        _ = try await c.till.scan(bytes: Array("6901234567892".utf8))
        let cash = try #require(try await c.till.tenderCash(CashTenderRequest(amount: "10")).done)
        _ = try await c.till.startReturn(ReturnRequest(receipt: String(format: "0001-%04lld", cash.receipt)))
        _ = try await c.till.returnLine(ReturnLineRequest(line: 1, quantity: "1"))
        #expect(await TillSessionTests.failure { try await c.till.refundToCode() }?.code == "payment.not_a_code_refund")
    }
}
