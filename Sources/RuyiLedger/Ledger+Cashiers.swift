import Crypto
import CryptoExtras
import Foundation
import GRDB
import RuyiCore

/// A person who works the till.
public struct Cashier: Hashable, Sendable, Codable {
    public enum Role: String, Hashable, Sendable, Codable { case cashier, owner }
    public let id: String
    public let name: String
    public let role: Role
    public let active: Bool
}

/// The `data` of a `cashier_change` entry. The PIN never enters the chain; only the fact that it changed.
struct CashierChange: Codable, Sendable {
    var action: String  // add | deactivate | pin_changed | role_changed
    var cashier: String
    var name: String
    var role: String
    var by: String?
}

enum Cashiers {
    static let maxFailedAttempts = 5
    static let lockoutMillis: Int64 = 5 * 60 * 1000

    static func requireActive(_ db: Database, _ id: String) throws {
        let s = try HotStatement(db, "SELECT 1 FROM cashier WHERE id = ? AND active = 1")
        s.bind(1, id)
        guard try s.step() else {
            throw LedgerError.unknownCashier(id)
        }
    }

    static func fetch(_ db: Database, _ id: String) throws -> Cashier? {
        try Row.fetchOne(db, sql: "SELECT id, name, role, active FROM cashier WHERE id = ?", arguments: [id]).map {
            Cashier(id: $0[0], name: $0[1], role: Cashier.Role(rawValue: $0[2]) ?? .cashier, active: $0[3])
        }
    }

    static func requireOwner(_ db: Database, _ id: String, action: String) throws {
        guard let c = try fetch(db, id), c.active else { throw LedgerError.unknownCashier(id) }
        guard c.role == .owner else { throw LedgerError.notPermitted(action) }
    }

    static func validatePIN(_ pin: String) throws {
        guard (4...8).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw LedgerError.invalidInput("PIN", "use 4 to 8 digits")
        }
    }
}

extension Ledger {
    /// Adds a cashier. The very first cashier of a new ledger must be an owner and needs no one's approval; after that
    /// only an owner (`by`) may add people.
    public func addCashier(id: String, name: String, role: Cashier.Role, pin: String, by owner: String?) throws {
        let trimmedID = id.trimmingCharacters(in: .whitespaces)
        guard !trimmedID.isEmpty, trimmedID.count <= 32 else { throw LedgerError.invalidInput("cashier id", "1 to 32 characters") }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw LedgerError.invalidInput("name", "enter the person's name") }
        try Cashiers.validatePIN(pin)
        let (salt, hash, rounds) = try hashPIN(pin)
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cashier") ?? 0
            if count == 0 {
                guard role == .owner else { throw LedgerError.invalidInput("role", "the first person set up must be the owner") }
            } else {
                guard let owner else { throw LedgerError.notPermitted("adding a cashier") }
                try Cashiers.requireOwner(db, owner, action: "adding a cashier")
            }
            guard try Cashiers.fetch(db, trimmedID) == nil else { throw LedgerError.invalidInput("cashier id", "\(trimmedID) already exists") }
            try db.execute(sql: "INSERT INTO cashier(id, name, role, pin_salt, pin_hash, pin_rounds, active) VALUES (?, ?, ?, ?, ?, ?, 1)",
                           arguments: [trimmedID, name, role.rawValue, Data(salt), Data(hash), rounds])
            try Chain.append(db, kind: .cashierChange, id: newID(),
                             data: CashierChange(action: "add", cashier: trimmedID, name: name, role: role.rawValue, by: owner), clock: clock)
        }
    }

    /// Checks a PIN. Five wrong PINs in a row lock the person out for five minutes.
    public func authenticate(cashier id: String, pin: String) throws -> Cashier {
        // A wrong PIN must still record the failed attempt, so the transaction returns nil and we throw after it commits.
        let result: Cashier? = try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT pin_salt, pin_hash, failed_attempts, locked_until, active, pin_rounds FROM cashier WHERE id = ?",
                                             arguments: [id]), row[4] as Bool else {
                throw LedgerError.unknownCashier(id)
            }
            let now = clock.wallMillis()
            if let until = row[3] as Int64?, until > now {
                throw LedgerError(code: "ledger.locked_out", message: "too many wrong PINs: try again in \((until - now + 59_999) / 60_000) minute(s)")
            }
            let salt = [UInt8](row[0] as Data)
            guard try pinHash(pin, salt: salt, rounds: (row[5] as Int?) ?? options.pinRounds) == [UInt8](row[1] as Data) else {
                let failed = (row[2] as Int) + 1
                let lock: Int64? = failed >= Cashiers.maxFailedAttempts ? now + Cashiers.lockoutMillis : nil
                try db.execute(sql: "UPDATE cashier SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                               arguments: [lock == nil ? failed : 0, lock, id])
                return nil
            }
            try db.execute(sql: "UPDATE cashier SET failed_attempts = 0, locked_until = NULL WHERE id = ?", arguments: [id])
            return try Cashiers.fetch(db, id)
        }
        guard let cashier = result else { throw LedgerError(code: "ledger.wrong_pin", message: "wrong PIN for \(id)") }
        return cashier
    }

    /// Deactivates a cashier. The last active owner cannot be deactivated: the store would lose its owner menu.
    public func deactivateCashier(_ id: String, by owner: String) throws {
        try write { db in
            try Cashiers.requireOwner(db, owner, action: "removing a cashier")
            guard let c = try Cashiers.fetch(db, id), c.active else { throw LedgerError.unknownCashier(id) }
            if c.role == .owner {
                let owners = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cashier WHERE role = 'owner' AND active = 1") ?? 0
                guard owners > 1 else { throw LedgerError.invalidInput("cashier", "\(id) is the last owner; add another owner first") }
            }
            try db.execute(sql: "UPDATE cashier SET active = 0 WHERE id = ?", arguments: [id])
            try Chain.append(db, kind: .cashierChange, id: newID(),
                             data: CashierChange(action: "deactivate", cashier: id, name: c.name, role: c.role.rawValue, by: owner), clock: clock)
        }
    }

    /// An owner sets a new PIN for someone (a forgotten PIN, or a lock-out to lift): the lock-out and the count of wrong
    /// PINs are cleared; the chain records that the PIN changed and who changed it, never the PIN.
    public func resetPIN(of id: String, to pin: String, by owner: String) throws {
        try Cashiers.validatePIN(pin)
        let (salt, hash, rounds) = try hashPIN(pin)
        try write { db in
            try Cashiers.requireOwner(db, owner, action: "setting a PIN")
            guard let c = try Cashiers.fetch(db, id), c.active else { throw LedgerError.unknownCashier(id) }
            try db.execute(sql: "UPDATE cashier SET pin_salt = ?, pin_hash = ?, pin_rounds = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?",
                           arguments: [Data(salt), Data(hash), rounds, id])
            try Chain.append(db, kind: .cashierChange, id: newID(),
                             data: CashierChange(action: "pin_changed", cashier: id, name: c.name, role: c.role.rawValue, by: owner), clock: clock)
        }
    }

    public func cashiers() throws -> [Cashier] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, active FROM cashier ORDER BY id").map {
                Cashier(id: $0[0], name: $0[1], role: Cashier.Role(rawValue: $0[2]) ?? .cashier, active: $0[3])
            }
        }
    }

    func hashPIN(_ pin: String) throws -> (salt: [UInt8], hash: [UInt8], rounds: Int) {
        var rng = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return (salt, try pinHash(pin, salt: salt, rounds: options.pinRounds), options.pinRounds)
    }

    /// PBKDF2-HMAC-SHA256. A 4-digit PIN has only 10,000 values, so the lock-out, not the hash, is what protects it;
    /// the salted hash keeps PINs unreadable in a copied file. Throws rather than ever return an empty hash.
    func pinHash(_ pin: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(pin.utf8), salt: salt, using: .sha256, outputByteCount: 32,
                                                    unsafeUncheckedRounds: rounds)
        let bytes = key.withUnsafeBytes { Array($0) }
        guard bytes.count == 32 else { throw LedgerError.corrupt("PIN hashing produced \(bytes.count) bytes") }
        return bytes
    }
}
