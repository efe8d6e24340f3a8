import Foundation
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts

/// What the store allows at the till without the owner.
public struct TillPolicy: Sendable, Hashable {
    /// Owner actions stay unlocked this long after the owner's PIN or their last owner action.
    public var ownerUnlockSeconds: Double = 300
    /// The largest discount a cashier gives alone, in basis points of what it applies to; more needs the owner's PIN.
    public var cashierDiscountLimitBP: Int64 = 1000
    public init(ownerUnlockSeconds: Double = 300, cashierDiscountLimitBP: Int64 = 1000) {
        self.ownerUnlockSeconds = ownerUnlockSeconds
        self.cashierDiscountLimitBP = cashierDiscountLimitBP
    }
}

/// Discounts on a line or on the whole sale. A cashier may give up to the store's limit; beyond it, the owner's PIN.
extension TillSession {
    public func discountLine(_ line: Int, _ request: DiscountRequest?) throws(TillFailure) -> CartView {
        let c = try requireCashier()
        guard let l = cart.lines.first(where: { $0.id == line }), !l.voided else { throw TillFailure(404, "till.no_such_line", field: "line") }
        var next = cart
        var by = c.id
        if let request {
            let discount = try Self.parseDiscount(request)
            let gross: Money
            do { gross = try l.fixedAmount ?? l.quantity.price(at: l.unitPrice) } catch { throw TillFailure(400, "till.bad_amount") }
            let off: Money
            do { off = try discount.reduction(of: gross) } catch { throw TillFailure.cart(error) }
            by = try authorize(off: off, of: gross, cashier: c)
            do { try next.discountLine(line, discount) } catch { throw TillFailure.cart(error) }
        } else {
            do { try next.discountLine(line, nil) } catch { throw TillFailure.cart(error) }
        }
        cart = next
        journal()
        logger.notice(request == nil ? "line discount removed" : "line discount", metadata: [
            "line": "\(line)", "discount": "\(l.discount.map(Self.discountText) ?? "-") → \(next.lines.first { $0.id == line }?.discount.map(Self.discountText) ?? "-")",
            "by": "\(by)"])
        events.publish(name: "cart", ["change": "discount", "line": "\(line)"])
        return view()
    }

    public func discountSale(_ request: DiscountRequest?) throws(TillFailure) -> CartView {
        let c = try requireCashier()
        var next = cart
        var by = c.id
        if let request {
            let discount = try Self.parseDiscount(request)
            var undiscounted = cart
            let base: Money
            do {
                try undiscounted.discountSale(nil)
                base = try undiscounted.totals().total
            } catch { throw TillFailure.cart(error) }
            guard base.isPositive else { throw TillFailure(409, "till.cart_empty") }
            let off: Money
            do { off = try discount.reduction(of: base) } catch { throw TillFailure.cart(error) }
            by = try authorize(off: off, of: base, cashier: c)
            do { try next.discountSale(discount) } catch { throw TillFailure.cart(error) }
        } else {
            do { try next.discountSale(nil) } catch { throw TillFailure.cart(error) }
        }
        cart = next
        journal()
        logger.notice(request == nil ? "sale discount removed" : "sale discount",
                      metadata: ["discount": "\(next.saleDiscount.map(Self.discountText) ?? "-")", "by": "\(by)"])
        events.publish(name: "cart", ["change": "discount"])
        return view()
    }

    /// Who allows `off` out of `base`: the cashier within the store's limit, else the owner whose PIN unlocked the till.
    private func authorize(off: Money, of base: Money, cashier: Cashier) throws(TillFailure) -> String {
        let limit = policy.cashierDiscountLimitBP
        // off / base ≤ limit / 10 000, compared as exact 128-bit products.
        let asked = off.minorUnits.magnitude.multipliedFullWidth(by: 10_000)
        let allowed = base.minorUnits.magnitude.multipliedFullWidth(by: UInt64(max(limit, 0)))
        if (asked.high, asked.low) <= (allowed.high, allowed.low) { return cashier.id }
        do { return try requireOwner().id } catch {
            throw TillFailure(403, "till.discount_needs_owner",
                              Strings.text("till.discount_needs_owner") + "（收银员最多 \(SaleReceipt.percent(limit))）")
        }
    }

    /// `{"percent":"12.5"}` → 12.5 % off; `{"amount":"2.00"}` → ¥2.00 off. Exactly one of them.
    static func parseDiscount(_ r: DiscountRequest) throws(TillFailure) -> Discount {
        switch (r.amount, r.percent) {
        case let (amount?, nil):
            let m: Money
            do { m = try Money.parse(amount) } catch {
                throw TillFailure(400, "till.bad_discount", Strings.text("till.bad_discount") + "（\(error)）", field: "amount")
            }
            guard m.isPositive else { throw TillFailure(400, "till.bad_discount", field: "amount") }
            return .amount(m)
        case let (nil, percent?):
            // Up to two decimals: basis points exactly, no floating point.
            let parts = percent.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber),
                  parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber) else {
                throw TillFailure(400, "till.bad_discount", field: "percent")
            }
            let fraction = parts.count == 2 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0 : 0
            let bp = whole * 100 + fraction
            guard bp > 0, bp <= 10_000 else { throw TillFailure(400, "till.bad_discount", field: "percent") }
            return .percent(basisPoints: bp)
        default:
            throw TillFailure(400, "till.bad_discount", "请给出金额或百分比中的一个（amount 或 percent）")
        }
    }

    static func discountText(_ d: Discount) -> String {
        switch d {
        case .amount(let m): m.formatted
        case .percent(let bp): SaleReceipt.percent(bp)
        }
    }
}
