// The wire form of a scan's interpretation: `ruyi barcode --json` prints it, the daemon's API will send it.
// Amounts are strings of the major unit (`"12.50"`) beside the integer minor units, never floating point.

extension ScanResult: Encodable {
    private enum Key: String, CodingKey {
        case kind, gtin, text, hex, symbology, product, variableMeasure, elements, payment, member, coupon, module
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(gtin, forKey: .gtin)
        try c.encode(text, forKey: .text)
        // Bytes that are not UTF-8 are kept exactly, in hex.
        if String(validating: bytes, as: UTF8.self) == nil {
            try c.encode(bytes.hex, forKey: .hex)
        }
        if let symbology { try c.encode(["aim": symbology.aim, "name": symbology.name], forKey: .symbology) }
        switch meaning {
        case let .product(code):
            var p: [String: String] = ["format": code.format.name, "gtin": code.gtin]
            if let addOn = code.addOn { p["addOn"] = addOn }
            try c.encode(p, forKey: .product)
        case let .variableMeasure(v):
            try c.encode(VariableMeasureJSON(v), forKey: .variableMeasure)
        case let .gs1(elements):
            try c.encode(elements, forKey: .elements)
        case let .payment(p):
            try c.encode(["scheme": p.scheme, "name": p.name, "code": p.code], forKey: .payment)
        case let .member(s):
            try c.encode(["rule": s.rule, "code": s.code], forKey: .member)
        case let .coupon(s):
            try c.encode(["rule": s.rule, "code": s.code], forKey: .coupon)
        case let .moduleClaimed(m):
            try c.encode(["module": m.module, "claim": m.claim, "code": m.code], forKey: .module)
        case .unknown:
            break
        }
    }
}

private struct VariableMeasureJSON: Encodable {
    let rule: String
    let plu: String
    let price: MoneyJSON?
    let grams: Int64?

    init(_ v: VariableMeasureCode) {
        rule = v.rule
        plu = v.plu
        price = v.price.map(MoneyJSON.init)
        grams = v.grams
    }
}

struct MoneyJSON: Encodable {
    let amount: String
    let minorUnits: Int64
    let currency: String

    init(_ m: Money) {
        amount = m.formatted
        minorUnits = m.minorUnits
        currency = m.currency.code
    }
}

extension GS1Element: Encodable {
    private enum Key: String, CodingKey { case ai, title, type, value, endOfMonth, unit, decimals, milliUnits, minorUnits, currency }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(ai, forKey: .ai)
        try c.encode(title, forKey: .title)
        switch value {
        case let .gtin(g):
            try c.encode("gtin", forKey: .type)
            try c.encode(g, forKey: .value)
        case let .key(k):
            try c.encode("key", forKey: .type)
            try c.encode(k, forKey: .value)
        case let .text(t):
            try c.encode("text", forKey: .type)
            try c.encode(t, forKey: .value)
        case let .date(d):
            try c.encode("date", forKey: .type)
            try c.encode(d.description, forKey: .value)
            if d.endOfMonth { try c.encode(true, forKey: .endOfMonth) }
        case let .dateTime(t):
            try c.encode("dateTime", forKey: .type)
            try c.encode(t.description, forKey: .value)
        case let .count(n):
            try c.encode("count", forKey: .type)
            try c.encode(n, forKey: .value)
        case let .measure(m):
            try c.encode("measure", forKey: .type)
            try c.encode(decimalString(m.value, m.decimals), forKey: .value)
            try c.encode(m.unit.rawValue, forKey: .unit)
            try c.encode(m.milliUnits, forKey: .milliUnits)
        case let .money(m):
            let j = MoneyJSON(m)
            try c.encode("money", forKey: .type)
            try c.encode(j.amount, forKey: .value)
            try c.encode(j.minorUnits, forKey: .minorUnits)
            try c.encode(j.currency, forKey: .currency)
        }
    }
}

extension BarcodeError: Encodable {
    private enum Key: String, CodingKey { case code, message, ai, position, misread }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(isMisread, forKey: .misread)
        if case let .gs1(ai, position, _) = reason {
            try c.encodeIfPresent(ai, forKey: .ai)
            try c.encode(position, forKey: .position)
        }
    }
}
