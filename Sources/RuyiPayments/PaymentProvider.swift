import RuyiCore

/// Face-to-face code payment, the way acquirers (Alipay's and WeChat Pay's "micropay", UnionPay's) work: the till sends
/// the customer's auth code with its own order number; the answer is paid, declined, or "user paying" (the customer
/// confirms on the phone), after which the till queries until the order is settled. An order the till gives up on is
/// reversed — cancelled if unpaid, refunded if paid — so a customer is never charged for a sale the till did not
/// complete. Each order number is used for one attempt only: acquirers refuse a number again after a reversal.
///
/// Every call may end without an answer (`PaymentOutcomeUnknown`: a timeout, a lost reply, a 5xx): then nothing is
/// known about the order, and the caller queries. The Alipay and WeChat adapters (they need merchant credentials)
/// implement this same protocol.
public protocol PaymentProvider: Sendable {
    /// The provider's name as receipts and reports show it (`alipay`, `wechat`, `test`).
    var name: String { get }
    func pay(order: String, authCode: String, amount: Money, subject: String) async throws(PaymentOutcomeUnknown) -> PayAnswer
    func query(order: String) async throws(PaymentOutcomeUnknown) -> OrderState
    func reverse(order: String) async throws(PaymentOutcomeUnknown) -> ReverseAnswer
    func refund(order: String, refund: String, amount: Money) async throws(PaymentOutcomeUnknown) -> RefundAnswer
    /// Whether the acquirer answers at all (a short health check): offline, code payments are refused up front.
    func reachable() async -> Bool
}

public enum PayAnswer: Hashable, Sendable {
    case paid(transaction: String)
    /// The customer is confirming (a password, a large amount): query until it settles.
    case userPaying
    case declined(code: String, message: String)
}

public enum OrderState: Hashable, Sendable {
    case paid(transaction: String)
    case userPaying
    /// Not paid, and it can still be reversed (closed) so it never will be.
    case notPaid
    /// Settled without payment: closed, reversed, or failed at the acquirer.
    case closed(reason: String)
    /// Paid, then refunded by a reversal.
    case reversed
}

public enum ReverseAnswer: Hashable, Sendable {
    case reversed
    /// The acquirer asks to call again (WeChat's `recall`).
    case retry
    case refused(code: String, message: String)
}

public enum RefundAnswer: Hashable, Sendable {
    case refunded(transaction: String)
    case refused(code: String, message: String)
}

/// The call ended without an answer: what the acquirer did is not known — unless the request never left (`sent` is
/// false: no connection), in which case nothing happened.
public struct PaymentOutcomeUnknown: Error, Hashable, Sendable, CustomStringConvertible {
    public let detail: String
    public let sent: Bool
    public init(_ detail: String, sent: Bool = true) { self.detail = detail; self.sent = sent }
    public var description: String { detail }
}
