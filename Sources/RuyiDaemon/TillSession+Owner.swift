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

    func requireOwner() throws(TillFailure) -> Cashier {
        let c = try requireCashier()
        guard c.role == .owner else { throw TillFailure(403, "auth.owner_required") }
        return c
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
        } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("first start: owner account created", metadata: ["owner": "\(request.owner)"])
        return SessionView(cashier: request.owner, name: request.name, role: "owner")
    }

    public func addCashier(_ request: NewCashierRequest) throws(TillFailure) -> SessionView {
        let owner = try requireOwner()
        guard let role = Cashier.Role(rawValue: request.role) else { throw TillFailure(400, "cashier.bad_role", field: "role") }
        do {
            try ledger.addCashier(id: request.cashier, name: request.name, role: role, pin: request.pin, by: owner.id)
        } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
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
        do { try ledger.saveProduct(product, by: owner.id) } catch let e as LedgerError {
            throw TillFailure(400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("price changed", metadata: ["product": "\(id)", "price": "\(price)", "by": "\(owner.id)"])
        return ProductView(id: id, name: product.name, price: price.formatted, unit: product.unit == .kilogram ? "kg" : "件",
                           barcode: product.barcodes.first?.code, initials: "", active: product.active)
    }

    /// Deactivates a cashier (owner): they can no longer sign in; their sales stay theirs.
    public func deactivateCashier(_ id: String) throws(TillFailure) {
        let owner = try requireOwner()
        guard id != owner.id else { throw TillFailure(409, "cashier.not_yourself") }
        do { try ledger.deactivateCashier(id, by: owner.id) } catch let e as LedgerError {
            throw TillFailure(e.code == "ledger.unknown_cashier" ? 404 : 400, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
        logger.notice("cashier deactivated", metadata: ["cashier": "\(id)", "by": "\(owner.id)"])
    }

    /// A CSV catalog import (all or nothing): a bad row is reported with its line, and nothing is imported.
    public func importCatalog(csv: [UInt8], source: String) throws(TillFailure) -> ImportView {
        let owner = try requireOwner()
        do {
            let r = try ledger.importCatalog(csv: csv, source: source, by: owner.id)
            logger.notice("catalog import", metadata: ["rows": "\(r.rows)", "imported": "\(r.imported)", "bad": "\(r.badRows.count)", "by": "\(owner.id)"])
            return ImportView(rows: r.rows, imported: r.imported, committed: r.committed,
                              badRows: r.badRows.map { ImportView.BadRow(line: $0.line, problems: $0.problems) })
        } catch let e as LedgerError {
            throw TillFailure(422, e.code, e.message)
        } catch {
            throw TillFailure(422, "catalog.invalid", "\(error)")
        }
    }

    /// Closes the shift with the counted amounts: the Z report, with the variance per tender.
    public func closeShift(_ request: ShiftCloseRequest) throws(TillFailure) -> ZReportView {
        let owner = try requireOwner()
        var counted: [TenderKind: Money] = [:]
        for (k, v) in request.counted {
            guard let kind = TenderKind(rawValue: k) else { throw TillFailure(400, "till.bad_amount", "没有这种付款方式：\(k)", field: "counted.\(k)") }
            do { counted[kind] = try Money.parse(v) } catch {
                throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "counted.\(k)")
            }
            guard counted[kind]! <= Money(fen: maxTender.minorUnits * 100) else { throw TillFailure(400, "till.amount_too_large", field: "counted.\(k)") }
        }
        guard counted[.cash] != nil else { throw TillFailure(400, "till.bad_amount", "请输入点过的现金金额", field: "counted.cash") }
        do {
            let z = try ledger.closeShift(owner: owner.id, counted: counted, openCarts: lineCount > 0 ? 1 : 0)
            logger.notice("shift closed (Z)", metadata: ["z": "\(z.z)", "by": "\(owner.id)", "variance": "\(z.variance)"])
            events.publish(name: "shift", ["change": "closed", "z": "\(z.z)"])
            return ZReportView(z: z.z, report: ReportView(z.report), counted: z.counted.mapValues { Money(fen: $0).formatted },
                               variance: z.variance.mapValues { Money(fen: $0).formatted }, chainHead: z.chainHeadBefore)
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }


    public func xReport() throws(TillFailure) -> ReportView {
        _ = try requireCashier()
        do {
            let r = try ledger.xReport()
            return ReportView(r)
        } catch let e as LedgerError {
            throw TillFailure(409, e.code, e.message)
        } catch {
            throw TillFailure(500, "api.internal")
        }
    }
}
