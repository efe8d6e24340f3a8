import Foundation
import GRDB
import RuyiCore

/// Where a payment-code attempt stands. Final: completed, declined, reversed.
public enum PaymentAttemptState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Recorded before the first request to the acquirer.
    case started
    /// The customer is confirming on the phone: the till queries.
    case paying
    /// The acquirer says paid; the sale is not committed yet.
    case paid
    /// The sale is committed with this payment.
    case completed
    /// Not paid: declined, or closed unpaid at the acquirer.
    case declined
    /// The till gave up on it (timeout, cancel, the cart gone); the reversal is not confirmed yet.
    case reversing
    /// Reversed at the acquirer: cancelled if unpaid, the money back to the customer if paid.
    case reversed

    public var isFinal: Bool { self == .completed || self == .declined || self == .reversed }
}

public struct PaymentAttemptRecord: Hashable, Sendable {
    /// The merchant order number (UUIDv7).
    public let id: UUID
    public let provider: String
    public let amount: Money
    /// The auth code's first and last four digits (the whole code is never kept).
    public let codeHint: String
    public let cashier: String
    public let state: PaymentAttemptState
    public let transaction: String?
    public let sale: UUID?
    public let createdAt: Int64
    public let updatedAt: Int64
    /// A refund back to the customer's code payment (`refunds`: the attempt that paid the sale).
    public let isRefund: Bool
    public let refunds: UUID?
}

/// `data` of a `payment_attempt` entry (the attempt begins) and of a `payment_outcome` entry (it ends, `ref` = attempt).
struct PaymentAttemptData: Codable, Sendable {
    var provider: String
    var amount: Int64
    var code: String
    var cashier: String
    /// Refunds: the attempt whose payment is refunded.
    var refunds: UUID?
}

struct PaymentOutcomeData: Codable, Sendable {
    var outcome: String
    var transaction: String?
    var sale: UUID?
    var detail: String?
}

extension EntryKind {
    public static let paymentAttempt = EntryKind(rawValue: "payment_attempt")
    public static let paymentOutcome = EntryKind(rawValue: "payment_outcome")
}

extension LedgerError {
    static func paymentAttemptSettled(_ id: UUID, _ state: String) -> LedgerError {
        LedgerError(code: "ledger.payment_attempt_settled", message: "payment attempt \(id.uuidString.lowercased()) is already \(state); it was not changed")
    }
}

extension Ledger {
    /// Records a payment-code attempt before anything is sent to the acquirer: a chained `payment_attempt` entry and
    /// the attempt's row. Returns its id, the merchant order number.
    public func beginPaymentAttempt(provider: String, amount: Money, authCode: String, cashier: String, refunds: UUID? = nil) throws -> UUID {
        let id = newID()
        let hint = refunds != nil ? "refund" : authCode.count > 8 ? "\(authCode.prefix(4))…\(authCode.suffix(4))" : "…"
        try write { db in
            let entry = try Chain.append(db, kind: .paymentAttempt, id: id, ref: refunds,
                                         data: PaymentAttemptData(provider: provider, amount: amount.minorUnits, code: hint, cashier: cashier, refunds: refunds),
                                         clock: clock)
            try db.execute(sql: """
                INSERT INTO payment_attempt(id, provider, amount, code_hint, cashier, state, created_at, updated_at, kind, refunds)
                VALUES (?, ?, ?, ?, ?, 'started', ?, ?, ?, ?)
                """, arguments: [Foundation.Data(id.bytes), provider, amount.minorUnits, hint, cashier, entry.at, entry.at,
                                 refunds == nil ? "pay" : "refund", refunds.map { Foundation.Data($0.bytes) }])
            try Self.insertStep(db, id, at: entry.at, "started", detail: "\(amount.formatted) by \(provider)")
        }
        return id
    }

    /// One step of an attempt (a request sent, an answer, a query), and its new state if it changed. A final state is
    /// never changed.
    public func paymentStep(_ id: UUID, _ step: String, state: PaymentAttemptState? = nil, transaction: String? = nil) throws {
        try write { db in
            let at = clock.wallMillis()
            if let state {
                precondition(!state.isFinal, "final states go through finishPaymentAttempt or commitSale")
                try Self.moveAttempt(db, id, to: state, transaction: transaction, at: at)
            }
            try Self.insertStep(db, id, at: at, step, detail: transaction)
        }
    }

    /// Ends an attempt without a sale: declined or reversed. A chained `payment_outcome` entry records it.
    public func finishPaymentAttempt(_ id: UUID, _ state: PaymentAttemptState, detail: String?) throws {
        precondition(state == .declined || state == .reversed, "an attempt ends declined or reversed here; completed is commitSale's")
        try write { db in
            let entry = try Chain.append(db, kind: .paymentOutcome, id: newID(), ref: id,
                                         data: PaymentOutcomeData(outcome: state.rawValue, transaction: nil, sale: nil, detail: detail), clock: clock)
            try Self.moveAttempt(db, id, to: state, transaction: nil, at: entry.at)
            try Self.insertStep(db, id, at: entry.at, state.rawValue, detail: detail)
        }
    }

    /// Inside a sale's transaction: the attempt that paid it is completed with it, or the sale is refused (an attempt
    /// being reversed, or settled already, never pays a sale).
    static func completeAttempt(_ db: Database, _ id: UUID, sale: UUID, at: Int64, clock: any TillClock, entryID: UUID) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT state, transaction_id FROM payment_attempt WHERE id = ?", arguments: [Foundation.Data(id.bytes)]) else {
            throw LedgerError.invalidInput("payment attempt", "\(id.uuidString.lowercased()) is not in the ledger")
        }
        let state: String = row[0]
        guard state == PaymentAttemptState.paid.rawValue else { throw LedgerError.paymentAttemptSettled(id, state) }
        let transaction: String? = row[1]
        try Chain.append(db, kind: .paymentOutcome, id: entryID, ref: id,
                         data: PaymentOutcomeData(outcome: PaymentAttemptState.completed.rawValue, transaction: transaction, sale: sale, detail: nil), clock: clock)
        try db.execute(sql: "UPDATE payment_attempt SET state = 'completed', sale = ?, updated_at = ? WHERE id = ?",
                       arguments: [Foundation.Data(sale.bytes), at, Foundation.Data(id.bytes)])
        try insertStep(db, id, at: at, "completed", detail: sale.uuidString.lowercased())
    }

    public func paymentAttempt(_ id: UUID) throws -> PaymentAttemptRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM payment_attempt WHERE id = ?", arguments: [Foundation.Data(id.bytes)]).map(Self.attempt)
        }
    }

    /// Payment attempts not settled yet, oldest first: after a restart each is queried, then completed or reversed.
    /// (Refunds are not among them: a refund is only ever retried, with its own number, never reversed.)
    public func unfinishedPaymentAttempts() throws -> [PaymentAttemptRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM payment_attempt WHERE state NOT IN ('completed', 'declined', 'reversed') AND kind = 'pay' ORDER BY created_at, id")
                .map(Self.attempt)
        }
    }

    /// The code payment that paid `sale`, if one did.
    public func paymentAttempt(paying sale: UUID) throws -> PaymentAttemptRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: PaymentAttemptSQL.paying,
                             arguments: [Foundation.Data(sale.bytes)]).map(Self.attempt)
        }
    }

    /// A refund of `attempt` begun and not settled (its outcome unknown): retried with the same number, so it is never
    /// refunded twice.
    public func unfinishedRefund(of attempt: UUID) throws -> PaymentAttemptRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: PaymentAttemptSQL.unfinishedRefund,
                             arguments: [Foundation.Data(attempt.bytes)]).map(Self.attempt)
        }
    }

    /// What has gone back to the customer through `attempt`'s payment code: its refunds whose refund sales are recorded.
    /// (A refund the provider confirmed whose sale is still to record is the unfinished one, finished with the same number.)
    public func refundedToCode(_ attempt: UUID) throws -> Money {
        let fen = try pool.read { db in
            try Int64.fetchOne(db, sql: PaymentAttemptSQL.refunded,
                               arguments: [Foundation.Data(attempt.bytes)]) ?? 0
        }
        return Money(fen: fen)
    }

    /// What happened to an attempt, step by step: `at step detail`.
    public func paymentSteps(_ id: UUID) throws -> [(at: Int64, step: String, detail: String?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at, step, detail FROM payment_step WHERE attempt = ? ORDER BY rowid", arguments: [Foundation.Data(id.bytes)])
                .map { ($0[0], $0[1], $0[2]) }
        }
    }

    private static func moveAttempt(_ db: Database, _ id: UUID, to state: PaymentAttemptState, transaction: String?, at: Int64) throws {
        let key = Foundation.Data(id.bytes)
        guard let current = try String.fetchOne(db, sql: "SELECT state FROM payment_attempt WHERE id = ?", arguments: [key]) else {
            throw LedgerError.invalidInput("payment attempt", "\(id.uuidString.lowercased()) is not in the ledger")
        }
        guard PaymentAttemptState(rawValue: current)?.isFinal != true else { throw LedgerError.paymentAttemptSettled(id, current) }
        try db.execute(sql: "UPDATE payment_attempt SET state = ?, transaction_id = coalesce(?, transaction_id), updated_at = ? WHERE id = ?",
                       arguments: [state.rawValue, transaction, at, key])
    }

    private static func insertStep(_ db: Database, _ id: UUID, at: Int64, _ step: String, detail: String?) throws {
        try db.execute(sql: "INSERT INTO payment_step(attempt, at, step, detail) VALUES (?, ?, ?, ?)",
                       arguments: [Foundation.Data(id.bytes), at, step, detail])
    }

    private static func attempt(_ row: Row) -> PaymentAttemptRecord {
        let id: Foundation.Data = row["id"]
        let sale: Foundation.Data? = row["sale"]
        let refunds: Foundation.Data? = row["refunds"]
        return PaymentAttemptRecord(id: UUID(bytes: Array(id)), provider: row["provider"], amount: Money(fen: row["amount"]), codeHint: row["code_hint"],
                                    cashier: row["cashier"], state: PaymentAttemptState(rawValue: row["state"]) ?? .started,
                                    transaction: row["transaction_id"], sale: sale.map { UUID(bytes: Array($0)) },
                                    createdAt: row["created_at"], updatedAt: row["updated_at"],
                                    isRefund: (row["kind"] as String?) == "refund", refunds: refunds.map { UUID(bytes: Array($0)) })
    }
}

/// The lookups a return of a code-paid sale makes, by sale and by paying attempt (indexed by v11; a test checks
/// SQLite's plan for each).
enum PaymentAttemptSQL {
    static let paying = "SELECT * FROM payment_attempt WHERE sale = ? AND kind = 'pay' AND state = 'completed'"
    static let unfinishedRefund = """
        SELECT * FROM payment_attempt WHERE refunds = ? AND kind = 'refund' AND state NOT IN ('completed', 'declined', 'reversed')
        """
    static let refunded = "SELECT coalesce(sum(amount), 0) FROM payment_attempt WHERE refunds = ? AND kind = 'refund' AND state = 'completed'"
    static let all = [paying, unfinishedRefund, refunded]
}
