import Foundation
import RuyiCore

/// The `data` of a `sale` or `refund` entry (encoding v1). Amounts are integer fen; refunds carry negative quantities
/// and amounts. Field names are part of the documented encoding: never rename one, add new optional fields instead.
public struct SaleData: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var n: Int
        public var product: String
        public var name: String
        public var barcode: String?
        public var unit: String
        /// Base units: pieces or grams. Negative on a refund.
        public var qty: Int64
        /// Tax-inclusive price per piece or per kilogram.
        public var price: Int64
        public var gross: Int64
        public var discount: Int64
        public var amount: Int64
        public var taxCategory: String
        public var taxRate: Int64
        public var tax: Int64
        public var category: String
        /// Stock-tracked: this line is also a stock movement of −qty.
        public var stock: Bool
        public var pending: Bool?
        public var returnOf: Int?

        enum CodingKeys: String, CodingKey {
            case n, product, name, barcode, unit, qty, price, gross, discount, amount
            case taxCategory = "tax_cat", taxRate = "tax_rate", tax, category, stock, pending
            case returnOf = "return_of"
        }
    }

    public struct Voided: Codable, Sendable, Hashable {
        public var n: Int
        public var product: String
        public var qty: Int64
        public var amount: Int64
    }

    public struct PaymentLine: Codable, Sendable, Hashable {
        public var tender: String
        public var amount: Int64
        public var tendered: Int64
        public var change: Int64
        public var ref: String?
        public var txn: String?
    }

    public struct Attempt: Codable, Sendable, Hashable {
        public var provider: String
        public var amount: Int64
        public var outcome: String
        public var detail: String?
    }

    public struct Tax: Codable, Sendable, Hashable {
        public var category: String
        public var rate: Int64
        public var gross: Int64
        public var tax: Int64
    }

    public var shift: Int64
    public var receipt: Int64
    public var cashier: String
    public var currency: String
    public var lines: [Line]
    public var voided: [Voided]
    public var payments: [PaymentLine]
    public var attempts: [Attempt]
    public var subtotal: Int64
    public var discount: Int64
    public var total: Int64
    public var rounding: Int64
    public var change: Int64
    public var taxes: [Tax]
    public var member: String?
    public var original: UUID?
}

extension SaleData {
    /// The record of a completed cart. `shift` and `receipt` are filled in by the ledger at commit.
    public init(_ sale: CompletedSale, cashier: String) {
        let currency = sale.totals.total.currency.code
        self.init(
            shift: 0, receipt: 0, cashier: cashier, currency: currency,
            lines: sale.lines.map { s in
                Line(n: s.line.id, product: s.line.productID.rawValue, name: s.line.name, barcode: s.line.barcode,
                     unit: s.line.quantity.unit.rawValue, qty: s.line.quantity.amount, price: s.line.unitPrice.minorUnits,
                     gross: s.gross.minorUnits, discount: s.discount.minorUnits, amount: s.amount.minorUnits,
                     taxCategory: s.line.taxCategory.rawValue, taxRate: s.line.taxRateBasisPoints, tax: s.tax.minorUnits,
                     category: s.line.category, stock: s.line.stockTracked, pending: s.line.pendingProduct ? true : nil,
                     returnOf: s.line.returnOf)
            },
            voided: sale.voidedLines.map { l in
                Voided(n: l.id, product: l.productID.rawValue, qty: l.quantity.amount,
                       amount: (try? l.quantity.price(at: l.unitPrice).minorUnits) ?? 0)
            },
            payments: sale.payments.map { p in
                PaymentLine(tender: p.tender.rawValue, amount: p.amount.minorUnits, tendered: p.tendered.minorUnits,
                            change: p.change.minorUnits, ref: p.reference, txn: p.providerTransaction)
            },
            attempts: sale.attempts.map { a in
                Attempt(provider: a.provider, amount: a.amount.minorUnits, outcome: a.outcome.rawValue, detail: a.detail)
            },
            subtotal: sale.totals.subtotal.minorUnits, discount: sale.totals.discount.minorUnits,
            total: sale.totals.total.minorUnits, rounding: sale.totals.rounding.minorUnits, change: sale.totals.change.minorUnits,
            taxes: sale.totals.taxes.map { Tax(category: $0.category.rawValue, rate: $0.rateBasisPoints, gross: $0.gross.minorUnits, tax: $0.tax.minorUnits) },
            member: sale.member,
            original: { if case let .refund(o) = sale.kind { o } else { nil } }())
    }

    /// Checks that the figures add up, so a sale from outside (the API, a sync replay) cannot record nonsense.
    func validate(isRefund: Bool) throws {
        func fail(_ s: String) -> LedgerError { .invalidSale(s) }
        guard !lines.isEmpty else { throw fail("a sale needs at least one line") }
        guard lines.count <= Cart.maximumLines else { throw fail("more than \(Cart.maximumLines) lines") }
        var sumGross: Int64 = 0, sumAmount: Int64 = 0, sumDiscount: Int64 = 0
        for (i, l) in lines.enumerated() {
            // Line numbers are unique (a sale has at most a few hundred lines, so a scan beats hashing).
            for earlier in lines[..<i] where earlier.n == l.n { throw fail("line number \(l.n) appears twice") }
            let unit: SaleUnit
            switch l.unit {
            case "piece": unit = .piece
            case "kilogram": unit = .kilogram
            default: throw fail("line \(l.n): unknown unit '\(l.unit)'")
            }
            if isRefund {
                guard l.qty < 0, l.returnOf != nil else { throw fail("line \(l.n): a refund line returns a negative quantity of an original line") }
            } else {
                guard l.qty > 0 else { throw fail("line \(l.n): quantity must be more than zero") }
                guard l.price > 0 || l.gross == 0 else { throw fail("line \(l.n): price must be more than zero") }
            }
            let maxQty = unit == .kilogram ? Quantity.maximumGrams : Quantity.maximumPieces
            guard l.qty.magnitude <= maxQty else { throw fail("line \(l.n): quantity \(l.qty) is above the limit \(maxQty)") }
            if !isRefund {
                guard let g = try? Quantity(l.qty, unit).price(at: Money(fen: l.price)), g.minorUnits == l.gross else {
                    throw fail("line \(l.n): gross \(l.gross) is not quantity × price")
                }
                guard l.discount >= 0, l.discount <= l.gross else { throw fail("line \(l.n): discount \(l.discount) is outside 0…gross") }
            }
            let (amount, o1) = l.gross.subtractingReportingOverflow(l.discount)
            guard !o1, amount == l.amount else { throw fail("line \(l.n): amount is not gross − discount") }
            guard (0...10_000).contains(l.taxRate) else { throw fail("line \(l.n): tax rate \(l.taxRate) bp is outside 0–100 %") }
            guard let tax = try? TaxCategory.taxIncluded(inMinorUnits: l.amount, rateBasisPoints: l.taxRate), tax == l.tax else {
                throw fail("line \(l.n): tax \(l.tax) is not the tax contained in \(l.amount) at \(l.taxRate) bp")
            }
            var o = false
            (sumGross, o) = sumGross.addingReportingOverflow(l.gross); if o { throw fail("total overflows") }
            (sumAmount, o) = sumAmount.addingReportingOverflow(l.amount); if o { throw fail("total overflows") }
            (sumDiscount, o) = sumDiscount.addingReportingOverflow(l.discount); if o { throw fail("total overflows") }
        }
        guard sumGross == subtotal else { throw fail("subtotal \(subtotal) is not the sum of the lines' gross (\(sumGross))") }
        guard sumAmount == total else { throw fail("total \(total) is not the sum of the lines (\(sumAmount))") }
        guard sumDiscount == discount else { throw fail("discount \(discount) is not the sum of the lines' discounts (\(sumDiscount))") }
        guard rounding.magnitude <= 5 else { throw fail("cash rounding \(rounding) is more than 0.05") }
        var paid: Int64 = 0, changeSum: Int64 = 0
        for p in payments {
            guard TenderKind(rawValue: p.tender) != nil else { throw fail("unknown tender '\(p.tender)'") }
            guard isRefund ? p.amount < 0 : p.amount > 0 else { throw fail("a \(p.tender) payment of \(p.amount) has the wrong sign") }
            guard p.change >= 0 else { throw fail("negative change") }
            var o = false
            (paid, o) = paid.addingReportingOverflow(p.amount); if o { throw fail("payments overflow") }
            (changeSum, o) = changeSum.addingReportingOverflow(p.change); if o { throw fail("change overflows") }
        }
        guard paid == total + rounding else { throw fail("payments \(paid) do not cover the total \(total + rounding)") }
        guard changeSum == change else { throw fail("change \(change) is not the change given (\(changeSum))") }
        let taxSum = lines.reduce(Int64(0)) { $0 + $1.tax }
        guard taxes.reduce(Int64(0), { $0 + $1.tax }) == taxSum,
              taxes.reduce(Int64(0), { $0 + $1.gross }) == total else { throw fail("tax summary does not add up to the lines") }
        guard isRefund == (original != nil) else { throw fail(isRefund ? "a refund names its original sale" : "a sale has no original") }
    }
}
