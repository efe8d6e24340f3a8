/// A family of codes by prefix and length: payment codes, member cards, coupons, codes a feature module claims.
public struct CodePattern: Hashable, Sendable, CustomStringConvertible {
    /// The code starts with one of these (at least one; `""` matches any start).
    public var prefixes: [String]
    public var minLength: Int
    public var maxLength: Int
    /// Only digits (the usual case). When false, any printable ASCII is allowed.
    public var digitsOnly: Bool
    /// The last digit is a GS1 mod-10 check digit over the digits before it.
    public var checkDigit: Bool

    public init(prefixes: [String], length: ClosedRange<Int>, digitsOnly: Bool = true, checkDigit: Bool = false) {
        self.prefixes = prefixes
        self.minLength = length.lowerBound
        self.maxLength = length.upperBound
        self.digitsOnly = digitsOnly
        self.checkDigit = checkDigit
    }

    /// Two-digit prefixes from a range: `prefixes(25...30)` is 25, 26, …, 30.
    public static func prefixes(_ range: ClosedRange<Int>) -> [String] { range.map { $0 < 10 ? "0\($0)" : "\($0)" } }

    /// `16–24 digits starting 25–30`.
    public var description: String {
        let len = minLength == maxLength ? "\(minLength)" : "\(minLength)–\(maxLength)"
        let what = digitsOnly ? "digits" : "characters"
        return "\(len) \(what)" + (prefixes == [""] || prefixes.isEmpty ? "" : " starting \(Self.describePrefixes(prefixes))")
    }

    /// `25–30`, or `20, 22, 29` when not a run.
    static func describePrefixes(_ ps: [String]) -> String {
        let ns = ps.compactMap { Int($0) }
        if ns.count == ps.count, ps.count > 2, Set(ps.map(\.count)).count == 1, let lo = ns.min(), let hi = ns.max(),
           hi - lo + 1 == ns.count, Set(ns).count == ns.count {
            return "\(ps[ns.firstIndex(of: lo)!])–\(ps[ns.firstIndex(of: hi)!])"
        }
        return ps.joined(separator: ", ")
    }

    /// Problems with the pattern itself (nil when it is usable).
    func problem() -> String? {
        if prefixes.isEmpty { return "needs at least one prefix" }
        if minLength < 1 || maxLength < minLength || maxLength > BarcodeInterpreter.maximumLength {
            return "length \(minLength)–\(maxLength) is not a usable range (1–\(BarcodeInterpreter.maximumLength))"
        }
        for p in prefixes {
            if p.utf8.count > maxLength { return "prefix \(p) is longer than the code (\(maxLength))" }
            if digitsOnly && !p.utf8.allSatisfy(isDigit) { return "prefix \(p) has non-digits but the code is digits only" }
            if !p.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return "prefix \(p) must be printable ASCII" }
        }
        if checkDigit && !digitsOnly { return "a check digit needs a digits-only code" }
        return nil
    }

    // MARK: matching

    /// The prefixes as bytes (compiled once).
    struct Compiled: Sendable {
        let pattern: CodePattern
        let prefixes: [[UInt8]]

        init(_ p: CodePattern) {
            pattern = p
            prefixes = p.prefixes.map { Array($0.utf8) }
        }

        enum Match { case no, yes, badCheck(expected: Int, found: Int) }

        @inline(__always)
        func match(_ bytes: [UInt8], _ start: Int, _ end: Int, allDigits: Bool) -> Match {
            let n = end - start
            guard n >= pattern.minLength, n <= pattern.maxLength else { return .no }
            if pattern.digitsOnly && !allDigits { return .no }
            if !pattern.digitsOnly {
                for k in start..<end where bytes[k] <= 0x20 || bytes[k] >= 0x7F { return .no }
            }
            var hit = false
            for p in prefixes where p.count <= n {
                var same = true
                for (k, b) in p.enumerated() where bytes[start + k] != b { same = false; break }
                if same { hit = true; break }
            }
            guard hit else { return .no }
            if pattern.checkDigit {
                let expected = mod10CheckDigit(bytes, start, end - 1)
                let found = Int(bytes[end - 1] - 0x30)
                if expected != found { return .badCheck(expected: expected, found: found) }
            }
            return .yes
        }
    }

    // MARK: overlap

    /// A code both patterns accept, if there is one: the proof shown when a configuration is refused.
    func example(overlapping other: CodePattern) -> String? {
        let lo = max(minLength, other.minLength), hi = min(maxLength, other.maxLength)
        guard lo <= hi else { return nil }
        let digits = digitsOnly || other.digitsOnly
        let check = checkDigit || other.checkDigit
        for p in prefixes {
            for q in other.prefixes {
                let (long, short) = p.utf8.count >= q.utf8.count ? (p, q) : (q, p)
                guard long.hasPrefix(short) else { continue }
                if digits && !long.utf8.allSatisfy(isDigit) { continue }
                for len in lo...hi where len >= long.utf8.count {
                    var bytes = Array(long.utf8) + [UInt8](repeating: 0x30, count: len - long.utf8.count)
                    if check {
                        let c = UInt8(mod10CheckDigit(bytes, 0, len - 1)) + 0x30
                        if len == long.utf8.count { if bytes[len - 1] != c { continue } } else { bytes[len - 1] = c }
                    }
                    return String(decoding: bytes, as: UTF8.self)
                }
            }
        }
        return nil
    }

    /// True when a digits code of a retail length (8, 12, 13, 14) with this pattern's prefix could be a real
    /// product's barcode: only restricted-circulation prefixes (2…, 02, 04) and coupon prefixes (98, 99) are the
    /// store's to use.
    func shadowsRetailCodes() -> String? {
        for len in [8, 12, 13, 14] where (minLength...maxLength).contains(len) {
            for p in prefixes {
                let digits = Array(p.utf8)
                guard digits.allSatisfy(isDigit) else { continue }
                // Where the code's GS1 prefix starts: EAN-13 at 0; UPC-A/GTIN-14 are read with leading zeros added.
                let restricted: Bool
                switch len {
                case 13: restricted = p.hasPrefix("2") || p.hasPrefix("02") || p.hasPrefix("04") || p.hasPrefix("98") || p.hasPrefix("99")
                case 12: restricted = p.hasPrefix("2") || p.hasPrefix("4") || p.hasPrefix("5")
                case 8: restricted = p.hasPrefix("2") || p.hasPrefix("0")
                default: restricted = p.hasPrefix("02") || p.hasPrefix("04") || p.hasPrefix("002") || p.hasPrefix("004")
                }
                if !restricted { return String(len) + "-digit codes starting \(p.isEmpty ? "with anything" : p)" }
            }
        }
        return nil
    }
}

/// A payment code shown on a customer's phone: the till starts a code payment instead of a product lookup.
public struct PaymentCodeRule: Hashable, Sendable {
    /// Stable id used by the payment flow: `alipay`, `wechat`, `unionpay`.
    public var scheme: String
    /// What the cashier sees.
    public var name: String
    public var pattern: CodePattern

    public init(scheme: String, name: String, pattern: CodePattern) {
        self.scheme = scheme
        self.name = name
        self.pattern = pattern
    }

    /// The published ranges: Alipay 16–24 digits starting 25–30, WeChat Pay 18 digits starting 10–15,
    /// UnionPay QR 19 digits starting 62. Add a scheme by appending a rule.
    public static let standard: [PaymentCodeRule] = [
        PaymentCodeRule(scheme: "alipay", name: "支付宝 Alipay", pattern: CodePattern(prefixes: CodePattern.prefixes(25...30), length: 16...24)),
        PaymentCodeRule(scheme: "wechat", name: "微信支付 WeChat Pay", pattern: CodePattern(prefixes: CodePattern.prefixes(10...15), length: 18...18)),
        PaymentCodeRule(scheme: "unionpay", name: "云闪付 UnionPay", pattern: CodePattern(prefixes: ["62"], length: 19...19)),
    ]
}

/// A code the store prints: member cards and coupons.
public struct StoreCodeRule: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case member, coupon }

    public var name: String
    public var kind: Kind
    public var pattern: CodePattern

    public init(name: String, kind: Kind, pattern: CodePattern) {
        self.name = name
        self.kind = kind
        self.pattern = pattern
    }
}

/// A pattern a feature module registers so that matching scans go to it (brand coupons, service-center codes).
public struct ModuleCodeClaim: Hashable, Sendable {
    /// The module's id.
    public var module: String
    /// The claim's name within the module.
    public var name: String
    public var pattern: CodePattern

    public init(module: String, name: String, pattern: CodePattern) {
        self.module = module
        self.name = name
        self.pattern = pattern
    }
}
