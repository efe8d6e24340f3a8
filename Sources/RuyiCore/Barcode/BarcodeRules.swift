/// What the store has configured about its own codes: label-scale layouts, member cards, coupons, and the payment-code
/// table. Checked as a whole when the interpreter is built: a configuration whose patterns overlap each other, a
/// payment-code range, or real products' barcodes is refused with an example code that would be ambiguous.
public struct BarcodeRules: Hashable, Sendable {
    public var scaleLabels: [ScaleLabelRule]
    public var storeCodes: [StoreCodeRule]
    public var paymentCodes: [PaymentCodeRule]
    /// The currency of prices without an ISO code (scale labels, AI 392n).
    public var currency: Currency

    public init(scaleLabels: [ScaleLabelRule] = [.ean13Price, .chinese18], storeCodes: [StoreCodeRule] = [],
                paymentCodes: [PaymentCodeRule] = PaymentCodeRule.standard, currency: Currency = .cny) {
        self.scaleLabels = scaleLabels
        self.storeCodes = storeCodes
        self.paymentCodes = paymentCodes
        self.currency = currency
    }

    /// The embedded default: Chinese scale labels (13-digit price, 18-digit price + weight), no member or coupon codes,
    /// the standard payment-code table.
    public static let standard = BarcodeRules()
}

/// Why a barcode configuration (or a module's claim) was refused.
public struct BarcodeRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule concerned, by name.
    public let rule: String
    public let message: String

    public init(rule: String, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "barcode rule \"\(rule)\": \(message)" }
}

/// Every pattern the store (or a module) owns, with a name, for overlap checks.
struct NamedPattern {
    let name: String
    let pattern: CodePattern
}

extension BarcodeRules {
    /// The store's own patterns, named for messages.
    var ownPatterns: [NamedPattern] {
        scaleLabels.map { NamedPattern(name: "scale label \"\($0.name)\"", pattern: $0.pattern) }
            + storeCodes.map { NamedPattern(name: "\($0.kind == .member ? "member card" : "coupon") \"\($0.name)\"", pattern: $0.pattern) }
    }

    /// Refuses overlapping, shadowing or unusable patterns.
    func validate() throws(BarcodeRulesError) {
        for p in paymentCodes {
            if let problem = p.pattern.problem() { throw BarcodeRulesError(rule: p.name, message: problem) }
        }
        for s in storeCodes {
            if let problem = s.pattern.problem() { throw BarcodeRulesError(rule: s.name, message: problem) }
        }
        let own = ownPatterns
        try Self.refuseOverlaps(own, against: paymentCodes.map { NamedPattern(name: "\($0.name) payment codes", pattern: $0.pattern) })
        for (i, a) in own.enumerated() {
            try Self.refuseOverlaps([a], against: Array(own[(i + 1)...]))
            if let what = a.pattern.shadowsRetailCodes() {
                throw BarcodeRulesError(rule: a.name, message: "\(a.name) (\(a.pattern)) would take \(what), which are real products' barcodes. "
                    + "Use a store prefix (2…, 02, 04) or another length.")
            }
        }
        for (i, p) in paymentCodes.enumerated() {
            try Self.refuseOverlaps([NamedPattern(name: "\(p.name) payment codes", pattern: p.pattern)],
                                    against: paymentCodes[(i + 1)...].map { NamedPattern(name: "\($0.name) payment codes", pattern: $0.pattern) })
        }
    }

    static func refuseOverlaps(_ mine: [NamedPattern], against others: [NamedPattern]) throws(BarcodeRulesError) {
        for a in mine {
            for b in others {
                if let code = a.pattern.example(overlapping: b.pattern) {
                    throw BarcodeRulesError(rule: a.name, message: "\(a.name) (\(a.pattern)) overlaps \(b.name) (\(b.pattern)): "
                        + "\(code) would be read as both. Change the prefix or the length.")
                }
            }
        }
    }
}
