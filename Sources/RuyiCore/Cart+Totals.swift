/// The figures of a cart at one moment.
public struct CartTotals: Hashable, Sendable {
    /// Sum of line gross amounts before any discount.
    public let subtotal: Money
    /// Line discounts plus the sale discount (positive).
    public let discount: Money
    /// What the lines come to after discounts.
    public let total: Money
    /// Cash rounding (0 unless applied).
    public let rounding: Money
    /// total + rounding: what must be paid.
    public let due: Money
    /// Sum of payments applied.
    public let paid: Money
    /// due − paid.
    public let remaining: Money
    public let change: Money
    public let taxes: [TaxSummary]
}

extension Cart {
    /// Final per-line figures: each line's own discount first, then the sale discount spread over the lines in proportion
    /// to what they come to (exactly, so the lines add up to the total), then the tax each line contains.
    public func soldLines() throws(CartError) -> [SoldLine] {
        let active = activeLines
        var gross: [Money] = []
        var afterLine: [Int64] = []
        for line in active {
            let g: Money
            do { g = try line.fixedAmount ?? line.quantity.price(at: line.unitPrice) } catch { throw .overflow }
            let lineOff = try line.discount?.reduction(of: g) ?? .zero(g.currency)
            gross.append(g)
            afterLine.append(g.minorUnits - lineOff.minorUnits)
        }
        var saleOff = [Int64](repeating: 0, count: active.count)
        if let d = saleDiscount {
            let base = afterLine.reduce(0, +)
            let off = try d.reduction(of: Money(minorUnits: base))
            guard off.minorUnits <= base else { throw .discountTooLarge }
            saleOff = allocate(off.minorUnits, proportionalTo: afterLine)
        }
        var result: [SoldLine] = []
        result.reserveCapacity(active.count)
        for (i, line) in active.enumerated() {
            let amount = Money(minorUnits: afterLine[i] - saleOff[i], currency: gross[i].currency)
            let tax: Money
            do {
                tax = try TaxCategory(id: line.taxCategory, name: "", rateBasisPoints: line.taxRateBasisPoints).taxIncluded(in: amount)
            } catch { throw .overflow }
            result.append(SoldLine(line: line, gross: gross[i],
                                   discount: Money(minorUnits: gross[i].minorUnits - amount.minorUnits, currency: amount.currency),
                                   amount: amount, tax: tax))
        }
        // Totals must fit too: a cart whose sum overflows is refused when the line is added.
        do { _ = try Money.sum(result.map(\.amount)) } catch { throw .overflow }
        return result
    }

    public func totals() throws(CartError) -> CartTotals { try totals(of: try soldLines()) }

    /// The totals of lines `soldLines()` already returned, for a caller that needs both (the till's view on every scan).
    public func totals(of sold: [SoldLine]) throws(CartError) -> CartTotals {
        do {
            let subtotal = try Money.sum(sold.map(\.gross))
            let total = try Money.sum(sold.map(\.amount))
            let due = try total + rounding
            let paid = try Money.sum(payments.map(\.amount))
            let change = try Money.sum(payments.map(\.change))
            let taxes = try TaxSummary.summarize(sold.map { ($0.line.taxCategory, $0.line.taxRateBasisPoints, $0.amount, $0.tax) })
            return CartTotals(subtotal: subtotal, discount: try subtotal - total, total: total, rounding: rounding, due: due,
                              paid: paid, remaining: try due - paid, change: change, taxes: taxes)
        } catch {
            throw .overflow
        }
    }
}
