/// How a label scale lays out its barcodes, as the store configures it.
///
/// `layout` has one letter per digit:
/// - `F` the prefix (flag) digits, matched against `prefixes`;
/// - `I` the item reference: the PLU the scale is programmed with;
/// - `P` the price (implied decimals `priceDecimals`: 2 = fen), `W` the weight (implied decimals `weightDecimals`
///   of a kilogram: 3 = grams);
/// - `K` a price/weight verifier digit over the 4- or 5-digit `P`/`W` field that follows it (GS1 General
///   Specifications §7.9.3);
/// - `X` a digit the till ignores;
/// - `C` the GS1 mod-10 check digit of the whole code (last position only).
public struct ScaleLabelRule: Hashable, Sendable {
    public var name: String
    public var prefixes: [String]
    public var layout: String
    public var priceDecimals: Int
    public var weightDecimals: Int

    public init(name: String, prefixes: [String], layout: String, priceDecimals: Int = 2, weightDecimals: Int = 3) {
        self.name = name
        self.prefixes = prefixes
        self.layout = layout
        self.priceDecimals = priceDecimals
        self.weightDecimals = weightDecimals
    }

    /// EAN-13 from a label scale, Chinese scales' factory setting: `2x` + 5-digit PLU + 5-digit price in fen + check digit.
    public static let ean13Price = ScaleLabelRule(name: "13-digit scale label (price)", prefixes: CodePattern.prefixes(20...29),
                                                  layout: "FFIIIIIPPPPPC")
    /// The 18-digit label many Chinese scales print: `2x` + 5-digit PLU + 5-digit price in fen + 5-digit weight in
    /// grams + check digit. Prefixes 25–29 are left out by default: at 18 digits they are Alipay codes.
    public static let chinese18 = ScaleLabelRule(name: "18-digit scale label (price and weight)", prefixes: CodePattern.prefixes(20...24),
                                                 layout: "FFIIIIIPPPPPWWWWWC")

    /// The pattern the rule claims (for overlap checks).
    var pattern: CodePattern {
        CodePattern(prefixes: prefixes, length: layout.utf8.count...layout.utf8.count, digitsOnly: true, checkDigit: layout.hasSuffix("C"))
    }
}

/// A scale rule with its field positions worked out.
struct CompiledScaleRule: Sendable {
    let rule: ScaleLabelRule
    let match: CodePattern.Compiled
    let length: Int
    let item: Range<Int>
    let price: Range<Int>?
    let weight: Range<Int>?
    /// Verifier digit position and the field it covers.
    let verifiers: [(at: Int, field: Range<Int>, isPrice: Bool)]
    let currency: Currency

    /// Refuses layouts that cannot be read, naming what is wrong.
    init(_ rule: ScaleLabelRule, currency: Currency) throws(BarcodeRulesError) {
        func refuse(_ why: String) -> BarcodeRulesError { BarcodeRulesError(rule: rule.name, message: why) }
        let letters = Array(rule.layout.utf8)
        guard (8...24).contains(letters.count) else { throw refuse("layout \"\(rule.layout)\" has \(letters.count) letters; a scale label has 8–24 digits") }
        var runs: [(letter: UInt8, range: Range<Int>)] = []
        for (i, l) in letters.enumerated() {
            guard "FIPWKXC".utf8.contains(l) else { throw refuse("layout letter \"\(String(UnicodeScalar(l)))\" is not one of F I P W K X C") }
            if let last = runs.last, last.letter == l, l != UInt8(ascii: "K") {
                runs[runs.count - 1].range = last.range.lowerBound..<(i + 1)
            } else {
                runs.append((l, i..<(i + 1)))
            }
        }
        func only(_ l: Character) throws(BarcodeRulesError) -> Range<Int>? {
            let rs = runs.filter { $0.letter == l.asciiValue! }
            if rs.count > 1 { throw refuse("layout \"\(rule.layout)\" has more than one \(l) field") }
            return rs.first?.range
        }
        guard let flag = try only("F"), flag.lowerBound == 0 else { throw refuse("layout \"\(rule.layout)\" must start with its prefix digits (F)") }
        guard let item = try only("I") else { throw refuse("layout \"\(rule.layout)\" has no item reference (I)") }
        guard item.count <= 6 else { throw refuse("the item reference (I) has \(item.count) digits; a PLU has at most 6") }
        let price = try only("P"), weight = try only("W")
        guard price != nil || weight != nil else { throw refuse("layout \"\(rule.layout)\" has neither a price (P) nor a weight (W)") }
        if let p = price, p.count > 9 { throw refuse("the price field (P) has \(p.count) digits; at most 9") }
        if let w = weight, w.count > 9 { throw refuse("the weight field (W) has \(w.count) digits; at most 9") }
        if let c = try only("C"), c.upperBound != letters.count || c.count != 1 { throw refuse("the check digit (C) must be the single last digit") }
        var verifiers: [(Int, Range<Int>, Bool)] = []
        for (k, run) in runs.enumerated() where run.letter == UInt8(ascii: "K") {
            guard k + 1 < runs.count, let next = Optional(runs[k + 1]),
                  next.letter == UInt8(ascii: "P") || next.letter == UInt8(ascii: "W"), next.range.count == 4 || next.range.count == 5 else {
                throw refuse("a verifier digit (K) must come just before a 4- or 5-digit price (P) or weight (W) field")
            }
            verifiers.append((run.range.lowerBound, next.range, next.letter == UInt8(ascii: "P")))
        }
        if verifiers.count > 2 { throw refuse("layout \"\(rule.layout)\" has more verifier digits than fields") }
        guard (0...currency.minorDigits).contains(rule.priceDecimals) else {
            throw refuse("priceDecimals \(rule.priceDecimals) must be 0–\(currency.minorDigits) (2 means the label counts fen)")
        }
        guard (0...3).contains(rule.weightDecimals) else { throw refuse("weightDecimals \(rule.weightDecimals) must be 0–3 (3 means the label counts grams)") }
        for p in rule.prefixes where p.utf8.count != flag.count || !p.utf8.allSatisfy(isDigit) {
            throw refuse("prefix \"\(p)\" must be \(flag.count) digits to fit the layout's F field")
        }
        let pattern = rule.pattern
        if let problem = pattern.problem() { throw refuse(problem) }
        self.rule = rule
        self.match = CodePattern.Compiled(pattern)
        self.length = letters.count
        self.item = item
        self.price = price
        self.weight = weight
        self.verifiers = verifiers
        self.currency = currency
    }

    enum Outcome {
        case no
        case code(VariableMeasureCode)
        case misread(field: String, expected: Int, found: Int)
    }

    @inline(__always)
    func read(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Outcome {
        switch match.match(bytes, start, end, allDigits: true) {
        case .no: return .no
        case let .badCheck(expected, found): return .misread(field: "check digit", expected: expected, found: found)
        case .yes: break
        }
        for v in verifiers {
            let expected = Self.verifierDigit(bytes, start + v.field.lowerBound, v.field.count)
            let found = Int(bytes[start + v.at] - 0x30)
            if expected != found { return .misread(field: v.isPrice ? "price check digit" : "weight check digit", expected: expected, found: found) }
        }
        func number(_ r: Range<Int>) -> Int64 {
            var v: Int64 = 0
            for k in r { v = v * 10 + Int64(bytes[start + k] - 0x30) }
            return v
        }
        let amount = price.map { Money(minorUnits: number($0) * pow10[currency.minorDigits - rule.priceDecimals], currency: currency) }
        let grams = weight.map { number($0) * pow10[3 - rule.weightDecimals] }
        return .code(VariableMeasureCode(rule: rule.name, plu: ascii(bytes, start + item.lowerBound, start + item.upperBound), price: amount, grams: grams))
    }

    // GS1 GenSpecs §7.9.3 weighting-factor tables: the product's digit for each input digit.
    private static let w2minus: [Int] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7]
    private static let w3: [Int] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7]
    private static let w5plus: [Int] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]
    private static let w5minus: [Int] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1]

    /// The price/weight verifier digit for a 4- or 5-digit field.
    static func verifierDigit(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
        func d(_ k: Int) -> Int { Int(bytes[start + k] - 0x30) }
        if count == 4 {
            let sum = w2minus[d(0)] + w2minus[d(1)] + w3[d(2)] + w5minus[d(3)]
            return (sum * 3) % 10
        }
        let sum = w5plus[d(0)] + w2minus[d(1)] + w5minus[d(2)] + w5plus[d(3)] + w2minus[d(4)]
        let target = (10 - sum % 10) % 10
        return w5minus.firstIndex(of: target)!
    }
}

/// A weighed or priced item from a label scale: look up `plu`, charge `price` (or weight × price per kg).
public struct VariableMeasureCode: Hashable, Sendable {
    /// The scale rule that read it.
    public let rule: String
    /// The item reference digits as printed (leading zeros kept; compare numerically with the catalog's PLU).
    public let plu: String
    public let price: Money?
    public let grams: Int64?

    public init(rule: String, plu: String, price: Money?, grams: Int64?) {
        self.rule = rule
        self.plu = plu
        self.price = price
        self.grams = grams
    }
}
