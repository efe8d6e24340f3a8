/// How a product is counted and priced.
public enum SaleUnit: String, Sendable, Codable, Hashable, CaseIterable {
    /// Counted in whole pieces; the price is per piece.
    case piece
    /// Weighed in integer grams; the price is per kilogram.
    case kilogram
}

/// A quantity in the product's base unit: pieces, or grams for weighed goods. Always an integer.
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    public let unit: SaleUnit
    /// Pieces for `.piece`, grams for `.kilogram`. Negative only on return lines.
    public let amount: Int64

    public init(_ amount: Int64, _ unit: SaleUnit) {
        self.amount = amount
        self.unit = unit
    }

    public static func pieces(_ n: Int64) -> Quantity { Quantity(n, .piece) }
    public static func grams(_ g: Int64) -> Quantity { Quantity(g, .kilogram) }

    /// The heaviest single weighed line the till accepts (a scale's usual range is 15–30 kg; 100 kg leaves room for
    /// sacks of rice). Beyond it the weight is almost certainly a misread label.
    public static let maximumGrams: Int64 = 100_000
    /// The most pieces one line can hold.
    public static let maximumPieces: Int64 = 99_999

    /// The price of this quantity at `unitPrice` (per piece, or per kilogram for weighed goods), rounded half-up to the fen.
    public func price(at unitPrice: Money) throws(MoneyError) -> Money {
        switch unit {
        case .piece: try unitPrice * amount
        case .kilogram: try unitPrice.scaled(by: amount, over: 1000)
        }
    }

    public func negated() -> Quantity { Quantity(-amount, unit) }

    /// `3`, or `0.250kg` for weighed goods.
    public var description: String {
        switch unit {
        case .piece: return String(amount)
        case .kilogram:
            let g = amount.magnitude
            let frac = String(g % 1000)
            return (amount < 0 ? "-" : "") + "\(g / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac + "kg"
        }
    }
}
