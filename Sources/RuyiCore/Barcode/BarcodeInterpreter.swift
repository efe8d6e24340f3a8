/// Turns scanned text into what the cashier meant. Pure, allocation-light, used on every scan.
///
/// Precedence, because the ranges collide:
/// 1. the symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`: GS1 data only; `]E…`/`]I…`: retail and store codes only),
///    and data that marks itself as GS1: a GS character, the `(01)…` form, a Digital Link URI with a GS1 key;
/// 2. the store's own patterns: label-scale layouts, then member cards, coupons and module claims;
/// 3. payment codes;
/// 4. unmarked GS1 element strings: led by AI 00/01/02 (16+ characters), or digits of a length no retail code has;
/// 5. retail codes (EAN-13, EAN-8, UPC-A, UPC-E, GTIN-14).
///
/// Unmarked digits of a retail length (8, 12, 13, 14) are read as retail codes, never as GS1: a bare GS1 element
/// string that short is not printed on goods, while a misread EAN read as GS1 would lose the sale's lookup.
/// Overlapping store patterns are refused when the interpreter is built, so steps 2 and 3 never compete.
public struct BarcodeInterpreter: Sendable {
    /// The longest scan read. GS1 DataMatrix holds at most 2,335 characters; anything longer is not a product code.
    public static let maximumLength = 4096

    public let rules: BarcodeRules
    public private(set) var claims: [ModuleCodeClaim] = []
    /// The year two-digit GS1 dates are read against (GS1's 50-year window).
    public var referenceYear: Int

    private let scale: [CompiledScaleRule]
    private let store: [(rule: StoreCodeRule, match: CodePattern.Compiled)]
    private let payments: [(rule: PaymentCodeRule, match: CodePattern.Compiled)]
    private var compiledClaims: [(claim: ModuleCodeClaim, match: CodePattern.Compiled)] = []

    public init(rules: BarcodeRules = .standard, referenceYear: Int) throws(BarcodeRulesError) {
        try rules.validate()
        var scale: [CompiledScaleRule] = []
        for r in rules.scaleLabels { scale.append(try CompiledScaleRule(r, currency: rules.currency)) }
        self.rules = rules
        self.referenceYear = referenceYear
        self.scale = scale
        self.store = rules.storeCodes.map { ($0, CodePattern.Compiled($0.pattern)) }
        self.payments = rules.paymentCodes.map { ($0, CodePattern.Compiled($0.pattern)) }
    }

    /// This interpreter with a module's claim added. Refused when the claim overlaps a payment code, a store pattern,
    /// another claim, or real products' barcodes.
    public func claiming(_ claim: ModuleCodeClaim) throws(BarcodeRulesError) -> BarcodeInterpreter {
        let name = "module \(claim.module) \"\(claim.name)\""
        if let problem = claim.pattern.problem() { throw BarcodeRulesError(rule: name, message: problem) }
        let mine = [NamedPattern(name: name, pattern: claim.pattern)]
        try BarcodeRules.refuseOverlaps(mine, against: rules.paymentCodes.map { NamedPattern(name: "\($0.name) payment codes", pattern: $0.pattern) })
        try BarcodeRules.refuseOverlaps(mine, against: rules.ownPatterns)
        try BarcodeRules.refuseOverlaps(mine, against: claims.map { NamedPattern(name: "module \($0.module) \"\($0.name)\"", pattern: $0.pattern) })
        if let what = claim.pattern.shadowsRetailCodes() {
            throw BarcodeRulesError(rule: name, message: "\(name) (\(claim.pattern)) would take \(what), which are real products' barcodes")
        }
        var copy = self
        copy.claims.append(claim)
        copy.compiledClaims.append((claim, CodePattern.Compiled(claim.pattern)))
        return copy
    }

    /// This interpreter without the claims of `module` (when the module is removed or rolled back).
    public func removingClaims(of module: String) -> BarcodeInterpreter {
        var copy = self
        copy.claims.removeAll { $0.module == module }
        copy.compiledClaims.removeAll { $0.claim.module == module }
        return copy
    }

    public func interpret(_ text: String, symbology: Symbology? = nil) throws(BarcodeError) -> ScanResult {
        try interpret(bytes: Array(text.utf8), symbology: symbology)
    }

    /// Any bytes at all: the answer is a result or a `BarcodeError`, in time linear in the length.
    public func interpret(bytes: [UInt8], symbology given: Symbology? = nil) throws(BarcodeError) -> ScanResult {
        var end = bytes.count
        // The terminator the scanner was programmed with, if it reached us.
        while end > 0 && (bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A) { end -= 1 }
        guard end > 0 else { throw BarcodeError(.empty) }
        guard end <= Self.maximumLength else { throw BarcodeError(.tooLong(length: end, limit: Self.maximumLength)) }
        var start = 0
        var symbology = given
        if end >= 3 && bytes[0] == UInt8(ascii: "]") && Symbology.isCode(bytes[1]) && Symbology.isModifier(bytes[2]) {
            if symbology == nil { symbology = Symbology(code: bytes[1], modifier: bytes[2]) }
            start = 3
        }
        func result(_ meaning: ScanResult.Meaning) -> ScanResult { ScanResult(meaning: meaning, symbology: symbology, bytes: bytes) }
        let gs1 = GS1Parser(referenceYear: referenceYear, currency: rules.currency)

        if let s = symbology, s.isGS1 {
            return result(.gs1(try gs1.elementString(bytes, start, end)))
        }
        guard start < end else { throw BarcodeError(.empty) }

        var allDigits = true, hasGS = false
        for k in start..<end {
            let b = bytes[k]
            if b < 0x30 || b > 0x39 {
                allDigits = false
                if b == GS1Parser.gs { hasGS = true; break }
            }
        }

        if let s = symbology, s.isEANUPC || s.isITF {
            guard allDigits else { return result(.unknown) }
            if let m = try storeMeaning(bytes, start, end, allDigits: true) { return result(m) }
            switch RetailReader.read(bytes, start, end, symbology: s) {
            case let .code(code): return result(.product(code))
            case let .badCheck(format, expected, found): throw BarcodeError(.checkDigit(format: format, expected: expected, found: found))
            case .notRetail: return result(.unknown)
            }
        }

        if hasGS { return result(.gs1(try gs1.elementString(bytes, start, end))) }
        if bytes[start] == UInt8(ascii: "(") && GS1Parser.aiGroupEnd(bytes, start, end) != nil {
            return result(.gs1(try gs1.parenthesised(bytes, start, end)))
        }
        if !allDigits, GS1Parser.webScheme(bytes, start, end) != nil, let elements = try gs1.digitalLink(bytes, start, end) {
            return result(.gs1(elements))
        }
        if let m = try storeMeaning(bytes, start, end, allDigits: allDigits) { return result(m) }

        let n = end - start
        let gs1Led = n >= 16 && bytes[start] == 0x30 && (bytes[start + 1] >= 0x30 && bytes[start + 1] <= 0x32)
        guard allDigits else {
            if gs1Led { return result(.gs1(try gs1.elementString(bytes, start, end))) }
            return result(.unknown)
        }
        for p in payments {
            if case .yes = p.match.match(bytes, start, end, allDigits: true) {
                return result(.payment(PaymentCode(scheme: p.rule.scheme, name: p.rule.name, code: ascii(bytes, start, end))))
            }
        }
        switch n {
        case 8, 12, 13, 14:
            switch RetailReader.read(bytes, start, end, symbology: nil) {
            case let .code(code): return result(.product(code))
            case let .badCheck(format, expected, found):
                // Without a symbology id, digits of a retail length are a retail code; from a Code 128 or QR symbol they
                // may be anything (an internal number).
                if symbology == nil { throw BarcodeError(.checkDigit(format: format, expected: expected, found: found)) }
                return result(.unknown)
            case .notRetail: return result(.unknown)
            }
        default:
            if n >= 4, GS1AI.aiLength(prefix: Int(bytes[start] - 0x30) * 10 + Int(bytes[start + 1] - 0x30)) > 0 {
                do {
                    return result(.gs1(try gs1.elementString(bytes, start, end)))
                } catch {
                    if gs1Led { throw error }
                }
            }
            return result(.unknown)
        }
    }

    /// Scale labels, then member cards and coupons, then module claims.
    @inline(__always)
    private func storeMeaning(_ bytes: [UInt8], _ start: Int, _ end: Int, allDigits: Bool) throws(BarcodeError) -> ScanResult.Meaning? {
        if allDigits {
            for rule in scale {
                switch rule.read(bytes, start, end) {
                case .no: continue
                case let .code(code): return .variableMeasure(code)
                case let .misread(field, expected, found):
                    throw BarcodeError(.ruleCheck(rule: rule.rule.name, field: field, expected: expected, found: found))
                }
            }
        }
        for s in store {
            switch s.match.match(bytes, start, end, allDigits: allDigits) {
            case .no: continue
            case .yes:
                let code = StoreCode(rule: s.rule.name, code: ascii(bytes, start, end))
                return s.rule.kind == .member ? .member(code) : .coupon(code)
            case let .badCheck(expected, found):
                throw BarcodeError(.ruleCheck(rule: s.rule.name, field: "check digit", expected: expected, found: found))
            }
        }
        for c in compiledClaims {
            switch c.match.match(bytes, start, end, allDigits: allDigits) {
            case .no: continue
            case .yes: return .moduleClaimed(ModuleClaimMatch(module: c.claim.module, claim: c.claim.name, code: ascii(bytes, start, end)))
            case let .badCheck(expected, found):
                throw BarcodeError(.ruleCheck(rule: "module \(c.claim.module) \"\(c.claim.name)\"", field: "check digit", expected: expected, found: found))
            }
        }
        return nil
    }
}
