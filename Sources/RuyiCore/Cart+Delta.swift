/// What changed in a cart since an earlier state of it: the cart's small fields whole, and only the lines that differ.
///
/// The till journals one of these on most changes instead of the whole cart: a scan changes one line, and rewriting a
/// 500-line cart on every scan would cost the scan its millisecond. `applied(to:)` on the earlier state gives back the
/// cart exactly (tested against random sequences of changes).
public struct CartDelta: Hashable, Sendable, Codable {
    struct Changed: Hashable, Sendable, Codable {
        let at: Int
        let line: CartLine
    }

    /// The cart without its lines (and without what a return may refund, which never changes during its life).
    let header: Cart
    let lineCount: Int
    let changed: [Changed]

    /// Nil when a delta would not be smaller than the cart: another cart (a new sale, a return), lines gone, or more
    /// than `maximumChanged` lines changed at once.
    public init?(from base: Cart, to cart: Cart, maximumChanged: Int = 8) {
        guard base.kind == cart.kind, base.returnable == cart.returnable, cart.lines.count >= base.lines.count else { return nil }
        var changed: [Changed] = []
        for (i, line) in cart.lines.enumerated() where i >= base.lines.count || base.lines[i] != line {
            guard changed.count < maximumChanged else { return nil }
            changed.append(Changed(at: i, line: line))
        }
        var header = cart
        header.lines = []
        header.returnable = [:]
        self.header = header
        lineCount = cart.lines.count
        self.changed = changed
    }

    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// The cart this delta was taken to, from the state it was taken from.
    public func applied(to base: Cart) throws(Mismatch) -> Cart {
        guard base.kind == header.kind, base.lines.count <= lineCount else {
            throw Mismatch(description: "the delta (\(lineCount) lines) does not follow this cart (\(base.lines.count) lines)")
        }
        var lines = base.lines
        for c in changed {
            if c.at < lines.count { lines[c.at] = c.line }
            else if c.at == lines.count { lines.append(c.line) }
            else { throw Mismatch(description: "line \(c.at + 1) changed, but the cart has \(lines.count)") }
        }
        guard lines.count == lineCount else { throw Mismatch(description: "\(lines.count) lines after the delta, \(lineCount) expected") }
        var cart = header
        cart.lines = lines
        cart.returnable = base.returnable
        return cart
    }
}
