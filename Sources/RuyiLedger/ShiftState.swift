import Foundation
import GRDB

/// The terminal's open shift, as the sale path needs it. Derived from shift entries; kept in `shift_state`.
struct ShiftState: Sendable {
    var number: Int64
    var openSeq: Int64
    var openedAt: Int64
    var businessDate: String
    var cashier: String
    var zNumber: Int64
    var isOpen: Bool

    static func current(_ db: Database) throws -> ShiftState? {
        let s = try HotStatement(db, """
            SELECT shift_number, open_seq, opened_at, business_date, cashier, z_number, is_open FROM shift_state WHERE one = 1
            """)
        guard try s.step() else { return nil }
        return ShiftState(number: s.int64(0), openSeq: s.int64(1), openedAt: s.int64(2), businessDate: s.text(3), cashier: s.text(4),
                          zNumber: s.int64(5), isOpen: s.int64(6) != 0)
    }

    static func open(_ db: Database) throws -> ShiftState? {
        guard let s = try current(db), s.isOpen else { return nil }
        return s
    }

    func save(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO shift_state(one, shift_number, open_seq, opened_at, business_date, cashier, z_number, is_open)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(one) DO UPDATE SET shift_number = excluded.shift_number, open_seq = excluded.open_seq,
                opened_at = excluded.opened_at, business_date = excluded.business_date, cashier = excluded.cashier,
                z_number = excluded.z_number, is_open = excluded.is_open
            """, arguments: [number, openSeq, openedAt, businessDate, cashier, zNumber, isOpen])
    }
}

/// `data` of a `shift_open` entry.
struct ShiftOpenData: Codable, Sendable {
    var shift: Int64
    var cashier: String
    var float: Int64
    var businessDate: String
    var timeZone: String

    enum CodingKeys: String, CodingKey {
        case shift, cashier, float
        case businessDate = "business_date", timeZone = "tz"
    }
}

/// `data` of a `cash_movement` entry: money into or out of the drawer outside a sale, and drawer opens without a sale.
struct CashMovementData: Codable, Sendable {
    var shift: Int64
    var type: String
    var amount: Int64
    var reason: String
    var cashier: String
}

/// `data` of a `post_void` entry: the whole voided sale is embedded so reports and stock need nothing else.
struct PostVoidData: Codable, Sendable {
    var shift: Int64
    var sale: UUID
    var reason: String
    var owner: String
    var voided: SaleData
}
