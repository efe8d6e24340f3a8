/// What a scanned code is, as the till needs to act on it.
public struct ScanResult: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case product, variableMeasure, gs1, payment, member, coupon, moduleClaimed, unknown
    }

    public enum Meaning: Hashable, Sendable {
        /// A retail product code: look up `gtin`.
        case product(RetailCode)
        /// A label-scale code: look up the PLU, charge the embedded price and/or weight.
        case variableMeasure(VariableMeasureCode)
        /// GS1 data (GS1-128, GS1 DataMatrix/QR, Digital Link): look up its GTIN if it has one.
        case gs1([GS1Element])
        /// A customer's payment code: start a code payment.
        case payment(PaymentCode)
        /// One of the store's member cards.
        case member(StoreCode)
        /// One of the store's coupons.
        case coupon(StoreCode)
        /// A code a feature module registered for.
        case moduleClaimed(ModuleClaimMatch)
        /// Anything else: fall back to a name search or a manual price.
        case unknown
    }

    public let meaning: Meaning
    /// From the AIM identifier at the start of the data, or given by the scanner (HID-POS).
    public let symbology: Symbology?
    /// Exactly what the scanner sent (AIM identifier and terminator included).
    public let bytes: [UInt8]

    public init(meaning: Meaning, symbology: Symbology?, bytes: [UInt8]) {
        self.meaning = meaning
        self.symbology = symbology
        self.bytes = bytes
    }

    /// The scanned text; bytes that are not UTF-8 show as U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var kind: Kind {
        switch meaning {
        case .product: .product
        case .variableMeasure: .variableMeasure
        case .gs1: .gs1
        case .payment: .payment
        case .member: .member
        case .coupon: .coupon
        case .moduleClaimed: .moduleClaimed
        case .unknown: .unknown
        }
    }

    /// The GTIN-14 to look up: a product's, or a GS1 string's AI 01 (else 02, 03).
    public var gtin: String? {
        switch meaning {
        case let .product(code): return code.gtin
        case let .gs1(elements):
            for ai in ["01", "02", "03"] {
                if let e = elements.first(where: { $0.ai == ai }), case let .gtin(g) = e.value { return g }
            }
            return nil
        default: return nil
        }
    }

    /// The GS1 elements (empty unless `kind` is `gs1`).
    public var elements: [GS1Element] {
        if case let .gs1(e) = meaning { return e }
        return []
    }
}

/// A payment code and the scheme it belongs to.
public struct PaymentCode: Hashable, Sendable {
    public let scheme: String
    public let name: String
    public let code: String

    public init(scheme: String, name: String, code: String) {
        self.scheme = scheme
        self.name = name
        self.code = code
    }
}

/// A member card or coupon number, and the store rule that recognised it.
public struct StoreCode: Hashable, Sendable {
    public let rule: String
    public let code: String

    public init(rule: String, code: String) {
        self.rule = rule
        self.code = code
    }
}

/// A code claimed by a feature module.
public struct ModuleClaimMatch: Hashable, Sendable {
    public let module: String
    public let claim: String
    public let code: String

    public init(module: String, claim: String, code: String) {
        self.module = module
        self.claim = claim
        self.code = code
    }
}
