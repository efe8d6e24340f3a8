/// A tax category's key, e.g. `standard` (13 %), `reduced` (9 %), `exempt`.
public struct TaxCategoryID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (l: TaxCategoryID, r: TaxCategoryID) -> Bool { l.rawValue < r.rawValue }
    public var description: String { rawValue }

    public static let standard: TaxCategoryID = "standard"
}

/// A tax category and its rate. Prices are tax-inclusive (Chinese retail), so tax is *contained* in each amount.
public struct TaxCategory: Hashable, Sendable, Codable {
    public let id: TaxCategoryID
    public let name: String
    /// Rate in basis points: 1300 = 13 %.
    public let rateBasisPoints: Int64

    public init(id: TaxCategoryID, name: String, rateBasisPoints: Int64) {
        self.id = id
        self.name = name
        self.rateBasisPoints = rateBasisPoints
    }

    /// The tax contained in a tax-inclusive amount: `gross × r / (1 + r)`, rounded half-up to the fen (half away from zero
    /// for returns, so a refund's tax mirrors the sale's exactly).
    public func taxIncluded(in gross: Money) throws(MoneyError) -> Money {
        Money(minorUnits: try Self.taxIncluded(inMinorUnits: gross.minorUnits, rateBasisPoints: rateBasisPoints), currency: gross.currency)
    }

    /// The same on bare minor units, for checking recorded lines without building values.
    public static func taxIncluded(inMinorUnits gross: Int64, rateBasisPoints: Int64) throws(MoneyError) -> Int64 {
        try RoundedDivision.halfAwayFromZero(gross, times: rateBasisPoints, over: 10_000 + rateBasisPoints)
    }

    /// The default table for a Chinese small-scale taxpayer store: general goods 13 %, farm produce and books 9 %,
    /// services 6 %, exempt 0 %. The owner's catalog can override it.
    public static let defaults: [TaxCategory] = [
        TaxCategory(id: .standard, name: "标准税率", rateBasisPoints: 1300),
        TaxCategory(id: "reduced", name: "低税率", rateBasisPoints: 900),
        TaxCategory(id: "service", name: "服务", rateBasisPoints: 600),
        TaxCategory(id: "exempt", name: "免税", rateBasisPoints: 0),
    ]
}

/// Totals for one tax rate on a receipt or report. `net + tax == gross` always, and the summaries of a sale add up to
/// its total exactly, because each line's tax is rounded once and the summaries only add.
public struct TaxSummary: Hashable, Sendable, Codable {
    public let category: TaxCategoryID
    public let rateBasisPoints: Int64
    public var gross: Money
    public var tax: Money
    public var net: Money { Money(minorUnits: gross.minorUnits - tax.minorUnits, currency: gross.currency) }

    public init(category: TaxCategoryID, rateBasisPoints: Int64, gross: Money, tax: Money) {
        self.category = category
        self.rateBasisPoints = rateBasisPoints
        self.gross = gross
        self.tax = tax
    }

    /// Groups per-line (gross, tax) figures by category, in category order.
    public static func summarize(_ lines: [(category: TaxCategoryID, rate: Int64, gross: Money, tax: Money)]) throws(MoneyError) -> [TaxSummary] {
        var byCategory: [TaxCategoryID: TaxSummary] = [:]
        for l in lines {
            if var s = byCategory[l.category] {
                s.gross = try s.gross + l.gross
                s.tax = try s.tax + l.tax
                byCategory[l.category] = s
            } else {
                byCategory[l.category] = TaxSummary(category: l.category, rateBasisPoints: l.rate, gross: l.gross, tax: l.tax)
            }
        }
        return byCategory.values.sorted { $0.category < $1.category }
    }
}
