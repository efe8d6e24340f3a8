import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

/// What only the owner may do (and the reports): accounts, catalog, prices, closing the shift.
extension TillSession {
    // MARK: Owner actions

    /// The owner whose PIN unlocked owner actions, while unlocked; each owner action keeps them unlocked a while longer.
    func requireOwner() throws(TillFailure) -> Cashier {
        guard let unlock = ownerUnlock, unlock.until > ledger.clock.monotonicNanos() else {
            ownerUnlock = nil
            throw TillFailure(403, "auth.owner_required")
        }
        ownerUnlock = (unlock.owner, unlockDeadline())
        return unlock.owner
    }

    /// When owner actions lock again if none follows: monotonic time, so a wall-clock step neither extends nor ends it.
    func unlockDeadline() -> UInt64 {
        ledger.clock.monotonicNanos() + UInt64(max(policy.ownerUnlockSeconds, 0) * 1e9)
    }

    /// The owner types their PIN at a till a cashier is signed in to: owner actions are unlocked for a while, the
    /// cashier stays signed in. Wrong PINs count toward the owner's lock-out like any sign-in.
    public func unlockOwner(_ request: OwnerUnlockRequest) throws(TillFailure) -> OwnerSessionView {
        let c: Cashier
        do { c = try ledger.authenticate(cashier: request.owner, pin: request.pin) } catch let e as LedgerError where e.code == "ledger.locked_out" {
            throw TillFailure(423, "auth.locked", Strings.text("auth.locked") + "（\(e.message)）")
        } catch {
            logger.warning("owner unlock refused", metadata: ["owner": "\(request.owner)"])
            throw TillFailure(401, "auth.wrong_pin")
        }
        guard c.role == .owner else {
            logger.warning("owner unlock by someone who is not an owner", metadata: ["cashier": "\(c.id)"])
            throw TillFailure(403, "auth.not_owner")
        }
        ownerUnlock = (c, unlockDeadline())
        logger.notice("owner actions unlocked", metadata: ["owner": "\(c.id)", "cashier": "\(cashier?.id ?? "-")"])
        return OwnerSessionView(owner: c.id, name: c.name, unlockedForSeconds: Int(policy.ownerUnlockSeconds))
    }

    /// Locks owner actions again at once (the owner walks away).
    public func lockOwner() {
        if let u = ownerUnlock { logger.notice("owner actions locked", metadata: ["owner": "\(u.owner.id)"]) }
        ownerUnlock = nil
    }

    public var ownerUnlockedBy: String? { ownerUnlock.flatMap { $0.until > ledger.clock.monotonicNanos() ? $0.owner.id : nil } }

    /// Everyone who works the till (owner only).
    public func cashierList() throws(TillFailure) -> CashiersView {
        _ = try requireOwner()
        let all = (try? ledger.cashiers()) ?? []
        return CashiersView(cashiers: all.map { .init(id: $0.id, name: $0.name, role: $0.role.rawValue, active: $0.active) })
    }

    /// The owner sets a new PIN for someone: a forgotten PIN, or to lift a lock-out at once.
    public func resetPIN(of id: String, _ request: PINResetRequest) throws(TillFailure) {
        let owner = try requireOwner()
        do { try ledger.resetPIN(of: id, to: request.pin, by: owner.id) } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_cashier" ? 404 : 400, e.code, e.message, field: e.code == "ledger.unknown_cashier" ? "id" : "pin")
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("PIN reset", metadata: ["cashier": "\(id)", "by": "\(owner.id)"])
    }

    /// For routes outside the till (device assignment): fails unless the owner is signed in.
    public func requireOwnerRole() throws(TillFailure) -> String { try requireOwner().id }

    /// First start: the owner account, allowed only while the ledger has no cashier at all.
    public func setup(_ request: SetupRequest) throws(TillFailure) -> SessionView {
        guard (try? ledger.cashiers().isEmpty) == true else { throw TillFailure(409, "setup.already_done") }
        guard request.pin.count >= 4, request.pin.count <= 12, request.pin.allSatisfy(\.isNumber) else {
            throw TillFailure(400, "setup.bad_pin", field: "pin")
        }
        do {
            try ledger.addCashier(id: request.owner, name: request.name, role: .owner, pin: request.pin, by: nil)
        } catch {
            throw .ledger(error, 400)
        }
        logger.notice("first start: owner account created", metadata: ["owner": "\(request.owner)"])
        return SessionView(cashier: request.owner, name: request.name, role: "owner")
    }

    public func addCashier(_ request: NewCashierRequest) throws(TillFailure) -> SessionView {
        let owner = try requireOwner()
        guard let role = Cashier.Role(rawValue: request.role) else { throw TillFailure(400, "cashier.bad_role", field: "role") }
        do {
            try ledger.addCashier(id: request.cashier, name: request.name, role: role, pin: request.pin, by: owner.id)
        } catch {
            throw .ledger(error, 400)
        }
        logger.notice("cashier added", metadata: ["cashier": "\(request.cashier)", "by": "\(owner.id)"])
        return SessionView(cashier: request.cashier, name: request.name, role: role.rawValue)
    }

    /// A price change (owner), recorded in the ledger with who and when; carts already open keep the price they showed.
    public func changePrice(product id: String, _ request: PriceRequest) throws(TillFailure) -> ProductView {
        let owner = try requireOwner()
        guard var product = try? ledger.product(id: ProductID(id)) else { throw TillFailure(404, "stock.unknown_product", field: "id") }
        let price: Money
        do { price = try Money.parse(request.price) } catch {
            throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "price")
        }
        guard price <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "price") }
        product.price = price
        do { try ledger.saveProduct(product, by: owner.id) } catch {
            throw .ledger(error, 400)
        }
        logger.notice("price changed", metadata: ["product": "\(id)", "price": "\(price)", "by": "\(owner.id)"])
        return ProductView(id: id, name: product.name, price: price.formatted, unit: product.unit == .kilogram ? "kg" : "件",
                           barcode: product.barcodes.first?.code, initials: "", active: product.active)
    }

    /// Deactivates a cashier (owner): they can no longer sign in; their sales stay theirs.
    public func deactivateCashier(_ id: String) throws(TillFailure) {
        let owner = try requireOwner()
        guard id != owner.id else { throw TillFailure(409, "cashier.not_yourself") }
        do { try ledger.deactivateCashier(id, by: owner.id) } catch {
            throw .ledger(error, 400, ["ledger.unknown_cashier": 404])
        }
        logger.notice("cashier deactivated", metadata: ["cashier": "\(id)", "by": "\(owner.id)"])
    }
}
