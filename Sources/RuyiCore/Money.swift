/// A currency the till can keep money in. Only the code and the number of minor digits matter to the till.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// ISO 4217 code, e.g. `CNY`.
    public let code: String
    /// Digits after the decimal point in this currency's minor unit (2 for fen).
    public let minorDigits: Int

    public init(code: String, minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    /// Chinese yuan: 1 yuan = 10 jiao = 100 fen. The default for every store.
    public static let cny = Currency(code: "CNY", minorDigits: 2)

    public var description: String { code }
}

/// An amount of money in integer minor units (fen for CNY).
///
/// Never a `Double`: every operation that could overflow is checked and throws ``MoneyError/overflow``
/// instead of wrapping, so a corrupt quantity can never turn into a small price.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency = .cny) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// `Money(fen: 1250)` is 12.50 yuan.
    public init(fen: Int64) { self.init(minorUnits: fen, currency: .cny) }

    public static func zero(_ currency: Currency = .cny) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }
    public var isPositive: Bool { minorUnits > 0 }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    // MARK: checked arithmetic

    public static func + (lhs: Money, rhs: Money) throws(MoneyError) -> Money {
        try lhs.sameCurrency(rhs)
        let (v, o) = lhs.minorUnits.addingReportingOverflow(rhs.minorUnits)
        if o { throw .overflow }
        return Money(minorUnits: v, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) throws(MoneyError) -> Money {
        try lhs.sameCurrency(rhs)
        let (v, o) = lhs.minorUnits.subtractingReportingOverflow(rhs.minorUnits)
        if o { throw .overflow }
        return Money(minorUnits: v, currency: lhs.currency)
    }

    public static func * (lhs: Money, rhs: Int64) throws(MoneyError) -> Money {
        let (v, o) = lhs.minorUnits.multipliedReportingOverflow(by: rhs)
        if o { throw .overflow }
        return Money(minorUnits: v, currency: lhs.currency)
    }

    public func negated() throws(MoneyError) -> Money {
        if minorUnits == .min { throw .overflow }
        return Money(minorUnits: -minorUnits, currency: currency)
    }

    /// Sums amounts of one currency; an empty sequence is zero.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency = .cny) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for a in amounts { total = try total + a }
        return total
    }

    /// `self × numerator / denominator`, rounded half away from zero (half-up for positive amounts).
    /// Computed in 128 bits, so only a result that does not fit in Int64 throws.
    public func scaled(by numerator: Int64, over denominator: Int64) throws(MoneyError) -> Money {
        Money(minorUnits: try RoundedDivision.halfAwayFromZero(minorUnits, times: numerator, over: denominator),
              currency: currency)
    }

    private func sameCurrency(_ other: Money) throws(MoneyError) {
        if currency != other.currency { throw .currencyMismatch(currency.code, other.currency.code) }
    }

    // MARK: formatting

    /// `12.50`, `-3.00`: the amount as a receipt or report prints it.
    public var formatted: String {
        let digits = currency.minorDigits
        guard digits > 0 else { return String(minorUnits) }
        let magnitude = minorUnits.magnitude
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale
        let fraction = String(magnitude % scale)
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return (minorUnits < 0 ? "-" : "") + "\(whole).\(padded)"
    }

    /// `￥12.50`. Uses the full-width yen sign U+FFE5: the half-width U+00A5 is four bytes in GB18030
    /// and many receipt printers print it as garbage.
    public var formattedWithSymbol: String {
        let symbol = currency == .cny ? "￥" : currency.code + " "
        return minorUnits < 0 ? "-" + symbol + String(formatted.dropFirst()) : symbol + formatted
    }

    public var description: String { formattedWithSymbol }
}

/// Why a money operation or a typed amount was refused.
public enum MoneyError: Error, Hashable, Sendable, CustomStringConvertible {
    case overflow
    case currencyMismatch(String, String)
    case empty
    case invalidCharacter(Character)
    case tooManyDecimals(allowed: Int)
    case negativeNotAllowed

    public var description: String {
        switch self {
        case .overflow: "amount too large"
        case let .currencyMismatch(a, b): "cannot combine \(a) with \(b)"
        case .empty: "no amount entered"
        case let .invalidCharacter(c): "'\(c)' is not part of an amount"
        case let .tooManyDecimals(n): "at most \(n) digits after the decimal point"
        case .negativeNotAllowed: "the amount cannot be negative"
        }
    }
}

/// Integer division with explicit rounding, in 128-bit intermediate precision.
public enum RoundedDivision {
    /// `value × numerator / denominator`, rounded half away from zero. Throws on a zero denominator or a result outside Int64.
    public static func halfAwayFromZero(_ value: Int64, times numerator: Int64, over denominator: Int64) throws(MoneyError) -> Int64 {
        guard denominator != 0 else { throw .overflow }
        let negative = ((value < 0) != (numerator < 0)) != (denominator < 0)
        let product = value.magnitude.multipliedFullWidth(by: numerator.magnitude)
        let d = denominator.magnitude
        // A 128-bit dividend whose high part is ≥ the divisor would overflow the quotient.
        guard product.high < d else { throw .overflow }
        var (q, r) = d.dividingFullWidth(product)
        // Round half up on the magnitude: r ≥ d - r  ⇔  2r ≥ d, written so it cannot overflow.
        if r >= d - r { q += 1 }
        if negative {
            guard q <= UInt64(Int64.max) + 1 else { throw .overflow }
            return q == UInt64(Int64.max) + 1 ? Int64.min : -Int64(q)
        }
        guard q <= UInt64(Int64.max) else { throw .overflow }
        return Int64(q)
    }
}
