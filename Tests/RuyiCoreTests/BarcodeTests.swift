import Testing
@testable import RuyiCore

// Expected values below are written out by hand (check digits worked on paper with the GS1 mod-10 rule: weights 3,1,…
// from the right), or come from published examples: GS1 General Specifications (01)09501101530003(17)140704(10)AB-123,
// SSCC 106141411234567897, the price-verifier examples 2875 → 9 and 14685 → 6 (§7.9.3), GS1 Digital Link's
// 09506000134352, Wikipedia's UPC-E 04252614 = UPC-A 042100005264, EAN-8 96385074, and real Chinese EANs.

let gs = "\u{1D}"

func interpreter(_ rules: BarcodeRules = .standard) -> BarcodeInterpreter {
    try! BarcodeInterpreter(rules: rules, referenceYear: 2026)
}

func read(_ text: String, _ rules: BarcodeRules = .standard) throws -> ScanResult {
    try interpreter(rules).interpret(text)
}

func readError(_ text: String, _ rules: BarcodeRules = .standard) -> BarcodeError? {
    do {
        _ = try interpreter(rules).interpret(text)
        return nil
    } catch {
        return error
    }
}

func element(_ r: ScanResult, _ ai: String) -> GS1Value? { r.elements.first { $0.ai == ai }?.value }

@Suite("Barcode: retail codes")
struct RetailBarcodeTests {
    @Test("real Chinese EAN-13s find their GTIN-14")
    func chineseEANs() throws {
        for (code, gtin) in [("6901939621257", "06901939621257"), ("6921168509256", "06921168509256")] {
            let r = try read(code)
            #expect(r.kind == .product)
            #expect(r.gtin == gtin)
            #expect(r.meaning == .product(RetailCode(format: .ean13, gtin: gtin)))
        }
    }

    @Test("UPC-A, its EAN-13 form and GTIN-14 form are one product")
    func sameProductEveryForm() throws {
        let forms = ["036000291452", "0036000291452", "00036000291452", "]E00036000291452"]
        for f in forms { #expect(try read(f).gtin == "00036000291452", "\(f)") }
        #expect(try read("036000291452").meaning == .product(RetailCode(format: .upcA, gtin: "00036000291452")))
    }

    @Test("UPC-E expands to its UPC-A")
    func upcE() throws {
        // 0 425261 4: last data digit 1 → 0 42 1 0000 526 + check 4 = 042100005264.
        #expect(try read("04252614").meaning == .product(RetailCode(format: .upcE, gtin: "00042100005264")))
        // 0 123456 5: last data digit 6 (5–9) → 0 12345 0000 6 + check 5 = 012345000065.
        #expect(try read("01234565").gtin == "00012345000065")
        #expect(try read("]E001234565").gtin == "00012345000065")
        // The UPC-A it expands to is the same product.
        #expect(try read("042100005264").gtin == "00042100005264")
    }

    @Test("EAN-8 and ITF-14")
    func ean8AndITF() throws {
        #expect(try read("96385074").meaning == .product(RetailCode(format: .ean8, gtin: "00000096385074")))
        #expect(try read("]E496385074").gtin == "00000096385074")
        #expect(try read("]I110012345678902").meaning == .product(RetailCode(format: .itf14, gtin: "10012345678902")))
        #expect(try read("10012345678902").meaning == .product(RetailCode(format: .gtin14, gtin: "10012345678902")))
    }

    @Test("a wrong check digit is a misread, never a lookup")
    func misread() throws {
        let e = try #require(readError("6901939621258"))
        #expect(e.reason == .checkDigit(format: .ean13, expected: 7, found: 8))
        #expect(e.code == "barcode.misread")
        #expect(e.isMisread)
        #expect(e.message.contains("scan again"))
        #expect(readError("]E06901939621250")?.code == "barcode.misread")
        #expect(readError("96385075")?.reason == .checkDigit(format: .ean8, expected: 4, found: 5))
    }

    @Test("an EAN with an add-on keeps the add-on")
    func addOn() throws {
        #expect(try read("]E3690193962125712").meaning == .product(RetailCode(format: .ean13, gtin: "06901939621257", addOn: "12")))
    }

    @Test("catalog keys agree with scans")
    func catalogKeys() {
        #expect(GTIN.catalogKey("04252614") == "00042100005264")
        #expect(GTIN.catalogKey("042100005264") == "00042100005264")
    }
}

@Suite("Barcode: GS1 data")
struct GS1BarcodeTests {
    let expectedGenSpecs: [GS1Element] = [
        GS1Element(ai: "01", value: .gtin("09501101530003")),
        GS1Element(ai: "17", value: .date(GS1Date(year: 2014, month: 7, day: 4))),
        GS1Element(ai: "10", value: .text("AB-123")),
    ]

    @Test("the GenSpecs example in every form gives the same fields")
    func everyForm() throws {
        let forms = [
            "(01)09501101530003(17)140704(10)AB-123",
            "(01) 09501101530003 (17) 140704 (10) AB-123",
            "]C1010950110153000317140704" + "10AB-123",
            "]d2010950110153000317140704" + "10AB-123",
            "]Q3010950110153000317140704" + "10AB-123",
            "]e0010950110153000317140704" + "10AB-123",
            gs + "010950110153000317140704" + "10AB-123",
            "010950110153000317140704" + "10AB-123",   // unmarked, led by AI 01
        ]
        for f in forms {
            let r = try read(f)
            #expect(r.kind == .gs1, "\(f)")
            #expect(r.elements == expectedGenSpecs, "\(f)")
            #expect(r.gtin == "09501101530003")
        }
        #expect(try read("]C1010950110153000317140704" + "10AB-123").symbology == .gs1_128)
    }

    @Test("GS ends a variable field in the middle")
    func separators() throws {
        let r = try read("]C1" + "10AB-123" + gs + "0109501101530003" + "21XYZ9")
        #expect(r.elements == [
            GS1Element(ai: "10", value: .text("AB-123")),
            GS1Element(ai: "01", value: .gtin("09501101530003")),
            GS1Element(ai: "21", value: .text("XYZ9")),
        ])
    }

    @Test("Odoo's GS1 test barcode")
    func odoo() throws {
        let r = try read("0108431673020125100000001")
        #expect(r.elements == [GS1Element(ai: "01", value: .gtin("08431673020125")), GS1Element(ai: "10", value: .text("0000001"))])
    }

    @Test("weights, counts, prices, currencies, dates and times are typed")
    func typedValues() throws {
        let r = try read("(01)09501101530003(3103)001250(30)12(3922)1250(3932)978995(8008)2601151430(11)250200(15)240200(00)106141411234567897")
        #expect(element(r, "3103") == .measure(GS1Measure(unit: .kilogram, value: 1250, decimals: 3)))
        if case let .measure(m) = element(r, "3103") { #expect(m.grams == 1250) } else { Issue.record("3103 not a measure") }
        #expect(element(r, "30") == .count(12))
        #expect(element(r, "3922") == .money(Money(fen: 1250)))
        #expect(element(r, "3932") == .money(Money(minorUnits: 995, currency: Currency(code: "EUR", minorDigits: 2))))
        #expect(element(r, "8008") == .dateTime(GS1DateTime(date: GS1Date(year: 2026, month: 1, day: 15), hour: 14, minute: 30, second: nil)))
        // Day 00 is the end of the month, leap years included.
        #expect(element(r, "11") == .date(GS1Date(year: 2025, month: 2, day: 28, endOfMonth: true)))
        #expect(element(r, "15") == .date(GS1Date(year: 2024, month: 2, day: 29, endOfMonth: true)))
        #expect(element(r, "00") == .key("106141411234567897"))
    }

    @Test("implied decimals")
    func decimals() throws {
        // 3102 000450 = 4.50 kg; 3105 001235 = 0.01235 kg → 12 g (half up); 3150 000002 = 2 litres; 3920 12 = 12 yuan.
        let r = try read("(3102)000450(3150)000002(3920)12")
        if case let .measure(m) = element(r, "3102") { #expect(m.grams == 4500) } else { Issue.record("3102") }
        if case let .measure(m) = element(r, "3150") { #expect(m.milliUnits == 2000); #expect(m.grams == nil) } else { Issue.record("3150") }
        #expect(element(r, "3920") == .money(Money(fen: 1200)))
        let fine = try read("(3105)001235")
        if case let .measure(m) = element(fine, "3105") { #expect(m.milliUnits == 12); #expect(m.description == "0.01235 kg") } else { Issue.record("3105") }
        // A price finer than a fen is refused, not rounded.
        #expect(readError("(3923)12345")?.reason == .gs1(ai: "3923", position: 7, problem: .finerThanCurrency(decimals: 3, currency: "CNY", minorDigits: 2)))
        #expect(try read("(3923)12340").elements == [GS1Element(ai: "3923", value: .money(Money(fen: 1234)))])
    }

    @Test("GS1's century window")
    func century() {
        #expect(GS1Parser.fullYear(14, reference: 2026) == 2014)
        #expect(GS1Parser.fullYear(76, reference: 2026) == 2076)   // 50 ahead: this century
        #expect(GS1Parser.fullYear(77, reference: 2026) == 1977)   // 51 ahead: previous century
        #expect(GS1Parser.fullYear(75, reference: 2026) == 2075)
        #expect(GS1Parser.fullYear(30, reference: 2080) == 2130)   // 50 behind: next century
    }

    @Test("invalid GS1 data names the AI and the position")
    func invalid() {
        // Unknown AI: 89 starts no AI; position 20 counts the ]C1 prefix.
        #expect(readError("]C10109501101530003" + "89123")?.reason == .gs1(ai: nil, position: 20, problem: .unknownAI("89")))
        // Check digit inside 01 (position of the check digit) and 00.
        #expect(readError("]C10109501101530004")?.reason == .gs1(ai: "01", position: 19, problem: .checkDigit(expected: 3, found: 4)))
        #expect(readError("(00)106141411234567890")?.reason == .gs1(ai: "00", position: 22, problem: .checkDigit(expected: 7, found: 0)))
        #expect(readError("]C10109501101530004")?.code == "barcode.misread")
        // Bad length.
        #expect(readError("]C1010950110153000")?.reason == .gs1(ai: "01", position: 4, problem: .tooShort(minimum: 14, found: 13)))
        #expect(readError("]C110" + String(repeating: "A", count: 21))?.reason == .gs1(ai: "10", position: 4, problem: .tooLong(maximum: 20, found: 21)))
        // Bad dates.
        #expect(readError("(17)251301")?.reason == .gs1(ai: "17", position: 5, problem: .badDate("month 13 is not a month (01–12)")))
        #expect(readError("(17)250230")?.reason == .gs1(ai: "17", position: 5, problem: .badDate("2025-02 has no day 30")))
        #expect(readError("(8008)26011525")?.reason == .gs1(ai: "8008", position: 7, problem: .badDate("hour 25 is not an hour (00–23)")))
        // Characters outside the AI's set, a missing value, an unknown currency, a repeated AI with another value.
        #expect(readError("(10)AB CD")?.reason == .gs1(ai: "10", position: 7, problem: .badCharacter(found: " ", allowed: "GS1 character set 82: letters, digits and !\"%&'()*+,-./:;<=>?_")))
        #expect(readError("]C10109501101530003" + "17")?.reason == .gs1(ai: "17", position: 20, problem: .valueMissing))
        #expect(readError("(3932)999100")?.reason == .gs1(ai: "3932", position: 7, problem: .unknownCurrency(999)))
        #expect(readError("(10)A(10)B")?.reason == .gs1(ai: "10", position: 7, problem: .conflictingRepeat))
        #expect(readError("]C1")?.reason == .gs1(ai: nil, position: 4, problem: .noData))
        let e = readError("(17)251301")!
        #expect(e.message.contains("AI (17) USE BY or EXPIRY at position 5"))
    }

    @Test("GS1 Digital Link URIs")
    func digitalLink() throws {
        let r = try read("https://id.gs1.org/01/09506000134352/10/ABC%2F12?17=251231&linkType=gs1:pip")
        #expect(r.kind == .gs1)
        #expect(r.elements == [
            GS1Element(ai: "01", value: .gtin("09506000134352")),
            GS1Element(ai: "10", value: .text("ABC/12")),
            GS1Element(ai: "17", value: .date(GS1Date(year: 2025, month: 12, day: 31))),
        ])
        // A publisher's own path before the key; a GTIN-13 padded to 14; a query-only weight.
        let b = try read("]Q1HTTPS://brand.example.cn/p/zh/01/6901939621257/21/SN001?3103=000500")
        #expect(b.gtin == "06901939621257")
        #expect(element(b, "21") == .text("SN001"))
        #expect(element(b, "3103") == .measure(GS1Measure(unit: .kilogram, value: 500, decimals: 3)))
        // A web address without a GS1 key is not GS1 data.
        #expect(try read("https://example.com/menu/today").kind == .unknown)
        #expect(readError("https://id.gs1.org/01/09506000134353")?.code == "barcode.misread")
        #expect(readError("https://id.gs1.org/01/09506000134352/10/A%G1")?.reason == .gs1(ai: "10", position: 42, problem: .badPercentEncoding))
    }
}

@Suite("Barcode: scale labels, payment codes, store codes")
struct StoreBarcodeTests {
    @Test("default 13-digit scale label: 2x + PLU + price in fen")
    func ean13Price() throws {
        // 20 12345 01234 + check 9 (sum 51).
        let r = try read("2012345012349")
        #expect(r.meaning == .variableMeasure(VariableMeasureCode(rule: ScaleLabelRule.ean13Price.name, plu: "12345", price: Money(fen: 1234), grams: nil)))
        #expect(readError("2012345012340")?.reason == .ruleCheck(rule: ScaleLabelRule.ean13Price.name, field: "check digit", expected: 9, found: 0))
    }

    @Test("default 18-digit label: PLU, price and weight")
    func chinese18() throws {
        // 21 00123 00899 00450 + check 8 (sum 82).
        let r = try read("210012300899004508")
        #expect(r.meaning == .variableMeasure(VariableMeasureCode(rule: ScaleLabelRule.chinese18.name, plu: "00123", price: Money(fen: 899), grams: 450)))
    }

    @Test("a store's weight prefix and verifier-digit layouts")
    func configuredLayouts() throws {
        let rules = BarcodeRules(scaleLabels: [
            ScaleLabelRule(name: "weight", prefixes: ["21"], layout: "FFIIIIIWWWWWC"),
            ScaleLabelRule(name: "price", prefixes: ["20", "22", "23"], layout: "FFIIIIIPPPPPC"),
            ScaleLabelRule(name: "5-digit price, verified", prefixes: ["28"], layout: "FFIIIIKPPPPPC"),
            ScaleLabelRule(name: "4-digit price, verified", prefixes: ["29"], layout: "FFIIIIIKPPPPC"),
        ])
        // 21 00123 00450 + check 8: 450 g.
        #expect(try read("2100123004508", rules).meaning == .variableMeasure(VariableMeasureCode(rule: "weight", plu: "00123", price: nil, grams: 450)))
        // 28 1234 [6] 14685 + check 8: GS1's 5-digit example, price 146.85.
        #expect(try read("2812346146858", rules).meaning == .variableMeasure(VariableMeasureCode(rule: "5-digit price, verified", plu: "1234", price: Money(fen: 14685), grams: nil)))
        // 29 00042 [9] 2875 + check 2: GS1's 4-digit example, price 28.75.
        #expect(try read("2900042928752", rules).meaning == .variableMeasure(VariableMeasureCode(rule: "4-digit price, verified", plu: "00042", price: Money(fen: 2875), grams: nil)))
        // Verifier 8 instead of 9 (EAN check digit corrected to 5): the price was misread.
        #expect(readError("2900042828755", rules)?.reason == .ruleCheck(rule: "4-digit price, verified", field: "price check digit", expected: 9, found: 8))
        // A 2x code no rule covers is an in-store product code.
        #expect(try read("2412345012347", rules).kind == .product)   // check 7 (sum 63)
    }

    @Test("the verifier-digit algorithms match GS1's worked examples")
    func verifierDigits() {
        #expect(CompiledScaleRule.verifierDigit(Array("2875".utf8), 0, 4) == 9)
        #expect(CompiledScaleRule.verifierDigit(Array("14685".utf8), 0, 5) == 6)
        #expect(CompiledScaleRule.verifierDigit(Array("0000".utf8), 0, 4) == 0)
    }

    @Test("payment codes from the table")
    func payments() throws {
        #expect(try read("283456789012345678").meaning == .payment(PaymentCode(scheme: "alipay", name: "支付宝 Alipay", code: "283456789012345678")))
        #expect(try read("2512345678901234").kind == .payment)        // 16 digits
        #expect(try read("134567890123456789").meaning == .payment(PaymentCode(scheme: "wechat", name: "微信支付 WeChat Pay", code: "134567890123456789")))
        #expect(try read("6212345678901234567").meaning == .payment(PaymentCode(scheme: "unionpay", name: "云闪付 UnionPay", code: "6212345678901234567")))
        #expect(try read("]Q1283456789012345678").kind == .payment)   // from a QR symbol
        // An EAN symbol is never a payment code.
        #expect(try read("]E0283456789012345678").kind == .unknown)
    }

    @Test("precedence where ranges collide")
    func precedence() throws {
        // 18 digits starting 10–15 without a symbology id: WeChat, not GS1 batch; with ]C1: GS1.
        #expect(try read("101234567890123456").kind == .payment)
        #expect(try read("]C1101234567890123456").elements == [GS1Element(ai: "10", value: .text("1234567890123456"))])
        // An 18-digit label starting 25 is Alipay's by default (the 18-digit scale rule covers 20–24 only).
        #expect(try read("250012300899004503").kind == .payment)
        // A 13-digit EAN starting 10 (check 4, sum 86) is a product, not GS1 batch "12345678904".
        #expect(try read("1012345678904").kind == .product)
    }

    @Test("store patterns that overlap payment codes are refused with an example")
    func overlapsRefused() {
        let bad18 = BarcodeRules(scaleLabels: [ScaleLabelRule(name: "18 all", prefixes: CodePattern.prefixes(20...29), layout: "FFIIIIIPPPPPWWWWWC")])
        #expect {
            _ = try BarcodeInterpreter(rules: bad18, referenceYear: 2026)
        } throws: { error in
            // 25 + 15 zeros + check 9 (sum 11): valid as a scale label and an Alipay code.
            (error as? BarcodeRulesError)?.message.contains("250000000000000009 would be read as both") == true
        }
        let member = BarcodeRules(storeCodes: [StoreCodeRule(name: "VIP", kind: .member, pattern: CodePattern(prefixes: ["13"], length: 18...18))])
        #expect(throws: BarcodeRulesError.self) { try BarcodeInterpreter(rules: member, referenceYear: 2026) }
        let shadow = BarcodeRules(storeCodes: [StoreCodeRule(name: "cards", kind: .member, pattern: CodePattern(prefixes: ["69"], length: 13...13))])
        #expect {
            _ = try BarcodeInterpreter(rules: shadow, referenceYear: 2026)
        } throws: { error in
            (error as? BarcodeRulesError)?.message.contains("real products' barcodes") == true
        }
        let badLayout = BarcodeRules(scaleLabels: [ScaleLabelRule(name: "typo", prefixes: ["20"], layout: "FFIIIIIQQQQQC")])
        #expect(throws: BarcodeRulesError(rule: "typo", message: "layout letter \"Q\" is not one of F I P W K X C")) {
            try BarcodeInterpreter(rules: badLayout, referenceYear: 2026)
        }
    }

    @Test("member cards, coupons and module claims")
    func storeCodes() throws {
        let rules = BarcodeRules(storeCodes: [
            StoreCodeRule(name: "会员卡", kind: .member, pattern: CodePattern(prefixes: ["1"], length: 11...11)),
            StoreCodeRule(name: "店铺券", kind: .coupon, pattern: CodePattern(prefixes: ["99"], length: 13...13, checkDigit: true)),
        ])
        #expect(try read("13812345678", rules).meaning == .member(StoreCode(rule: "会员卡", code: "13812345678")))
        // 99 1234567890 + check 9 (sum 121).
        #expect(try read("9912345678909", rules).meaning == .coupon(StoreCode(rule: "店铺券", code: "9912345678909")))
        #expect(readError("9912345678900", rules)?.code == "barcode.misread")

        let base = interpreter(rules)
        let claimed = try base.claiming(ModuleCodeClaim(module: "brand-x", name: "coupon", pattern: CodePattern(prefixes: ["BX-"], length: 6...20, digitsOnly: false)))
        #expect(try claimed.interpret("BX-2026-0001").meaning == .moduleClaimed(ModuleClaimMatch(module: "brand-x", claim: "coupon", code: "BX-2026-0001")))
        #expect(try claimed.removingClaims(of: "brand-x").interpret("BX-2026-0001").kind == .unknown)
        // A module may not take payment codes or the store's codes.
        #expect(throws: BarcodeRulesError.self) {
            try base.claiming(ModuleCodeClaim(module: "greedy", name: "all", pattern: CodePattern(prefixes: ["28"], length: 18...18)))
        }
        #expect(throws: BarcodeRulesError.self) {
            try base.claiming(ModuleCodeClaim(module: "greedy", name: "members", pattern: CodePattern(prefixes: ["138"], length: 11...11)))
        }
    }

    @Test("anything else is unknown with the text kept; bad input is answered")
    func unknownAndBad() throws {
        let r = try read("hello 你好")
        #expect(r.kind == .unknown)
        #expect(r.text == "hello 你好")
        #expect(try read("12345").kind == .unknown)
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00]
        let raw = try interpreter().interpret(bytes: bytes)
        #expect(raw.kind == .unknown)
        #expect(raw.bytes == bytes)
        #expect(readError("\r\n")?.reason == .empty)
        #expect(readError(String(repeating: "7", count: 10_240))?.reason == .tooLong(length: 10_240, limit: 4096))
        // The terminator is not part of the code.
        #expect(try read("6901939621257\r\n").gtin == "06901939621257")
    }
}
