/// A discount on a line or on the whole sale.
public enum Discount: Hashable, Sendable, Codable {
    /// So much off, in money.
    case amount(Money)
    /// A percentage off, in basis points (1000 = 10 % off).
    case percent(basisPoints: Int64)

    /// How much this discount takes off `gross` (a positive amount, rounded half-up), or an error if it exceeds it.
    public func reduction(of gross: Money) throws(CartError) -> Money {
        switch self {
        case let .amount(m):
            guard m.isPositive else { throw .discountInvalid }
            guard m <= gross.absolute else { throw .discountTooLarge }
            return m
        case let .percent(bp):
            guard bp > 0 && bp <= 10_000 else { throw .discountInvalid }
            do { return try gross.absolute.scaled(by: bp, over: 10_000) } catch { throw .overflow }
        }
    }
}

extension Money {
    var absolute: Money { Money(minorUnits: minorUnits < 0 ? -minorUnits : minorUnits, currency: currency) }
}

/// Splits `total` over `weights` in proportion, exactly: the parts add up to `total` (largest-remainder method,
/// ties to the earlier part). Used to spread a sale discount over its lines so each line's tax is right.
public func allocate(_ total: Int64, proportionalTo weights: [Int64]) -> [Int64] {
    let sum = weights.reduce(0, +)
    guard sum > 0, total != 0 else { return weights.map { _ in 0 } }
    var parts: [Int64] = []
    var remainders: [(index: Int, rem: UInt64)] = []
    var assigned: Int64 = 0
    for (i, w) in weights.enumerated() {
        let p = total.magnitude.multipliedFullWidth(by: w.magnitude)
        let (q, r) = UInt64(sum).dividingFullWidth(p)
        parts.append(Int64(q))
        assigned += Int64(q)
        remainders.append((i, r))
    }
    var left = Int64(total.magnitude) - assigned
    for item in remainders.sorted(by: { $0.rem != $1.rem ? $0.rem > $1.rem : $0.index < $1.index }) where left > 0 {
        parts[item.index] += 1
        left -= 1
    }
    return total < 0 ? parts.map { -$0 } : parts
}
