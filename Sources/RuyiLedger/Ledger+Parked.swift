import Foundation
import GRDB
import RuyiCore

/// A cart put aside so the cashier can serve the next customer.
public struct ParkedCart: Hashable, Sendable {
    public let id: UUID
    public let cashier: String
    public let parkedAt: Int64
    public let label: String
}

extension Ledger {
    /// Parks an open cart with no payments taken. Parked carts survive a restart; the Z report waits for them.
    @discardableResult
    public func park(_ cart: Cart, cashier: String, label: String = "") throws -> ParkedCart {
        guard cart.state == .open else { throw LedgerError.invalidInput("cart", "only an open sale can be parked") }
        guard cart.payments.isEmpty else { throw LedgerError.invalidInput("cart", "a sale with payments cannot be parked") }
        guard !cart.activeLines.isEmpty else { throw LedgerError.invalidInput("cart", "an empty sale cannot be parked") }
        let data = try JSONEncoder().encode(cart)
        let parked = ParkedCart(id: newID(), cashier: cashier, parkedAt: clock.wallMillis(), label: label)
        try write { db in
            try Cashiers.requireActive(db, cashier)
            try db.execute(sql: "INSERT INTO parked_cart(id, cashier, parked_at, label, cart) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Data(parked.id.bytes), cashier, parked.parkedAt, label, data])
        }
        return parked
    }

    public func parkedCarts() throws -> [ParkedCart] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, cashier, parked_at, label FROM parked_cart ORDER BY parked_at").map {
                ParkedCart(id: UUID(bytes: [UInt8]($0[0] as Data)), cashier: $0[1], parkedAt: $0[2], label: $0[3])
            }
        }
    }

    /// Takes a parked cart back; it is removed from the parked list in the same step.
    public func resume(_ id: UUID) throws -> Cart {
        try write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT cart FROM parked_cart WHERE id = ?", arguments: [Data(id.bytes)]) else {
                throw LedgerError.invalidInput("parked sale", "no parked sale \(id.lowercased)")
            }
            let cart: Cart
            do { cart = try JSONDecoder().decode(Cart.self, from: data) } catch {
                throw LedgerError.corrupt("parked sale \(id.lowercased) cannot be read")
            }
            try db.execute(sql: "DELETE FROM parked_cart WHERE id = ?", arguments: [Data(id.bytes)])
            return cart
        }
    }
}
