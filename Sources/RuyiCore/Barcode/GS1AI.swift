/// The GS1 Application Identifier table: each AI's data format, its data title and how its value is typed.
///
/// Formats are written as in the GS1 General Specifications (§3.2): `N18` eighteen digits, `X..20` up to twenty
/// characters of GS1 character set 82, `N3+X..9` three digits then up to nine characters, `Y` set 39, `Z` set 64.
/// AIs whose fourth digit is a decimal-point indicator (`310n`) are listed once by their first three digits.
/// The length of an AI follows from its first two digits (the table is checked for that when it is built).
struct GS1AISpec: Sendable {
    enum Charset: Sendable { case numeric, cset82, cset39, cset64 }

    enum Kind: Sendable, Equatable {
        case text
        case gtin
        /// A key whose first `checkLength` digits end in a GS1 mod-10 check digit.
        case key(checkLength: Int)
        case date
        case dateTime
        case count
        case measure(GS1Unit)
        case money
        case moneyWithCurrency
    }

    let ai: String
    let title: String
    let minLength: Int
    let maxLength: Int
    /// The first `numericPrefix` characters are digits even when the rest is `charset`.
    let numericPrefix: Int
    let charset: Charset
    let kind: Kind
    /// The AI's last digit is the number of implied decimals (0…maxDecimals).
    let decimalIndicator: Bool
    let maxDecimals: Int

    /// The data length is fixed by the first two digits of the AI (GS1 GenSpecs figure 7.8.5-2): no FNC1 follows.
    var predefinedLength: Bool {
        let p = ai.prefix(2)
        return ["00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
                "31", "32", "33", "34", "35", "36", "41"].contains(p)
    }
}

enum GS1AI {
    /// Specs indexed by the AI's numeric value, one array per AI length (2, 3, 4 digits); -1 = no such AI.
    private static let tables: (specs: [GS1AISpec], two: [Int16], three: [Int16], four: [Int16], lengthByPrefix: [UInt8]) = build()

    /// The number of digits of an AI that starts with these two digits (2, 3 or 4), or 0 when no AI starts so.
    @inline(__always)
    static func aiLength(prefix: Int) -> Int { Int(tables.lengthByPrefix[prefix]) }

    /// The spec of the AI with this numeric value and length.
    @inline(__always)
    static func spec(ai: Int, length: Int) -> GS1AISpec? {
        let i: Int16
        switch length {
        case 2: i = tables.two[ai]
        case 3: i = tables.three[ai]
        case 4: i = tables.four[ai]
        default: return nil
        }
        return i < 0 ? nil : tables.specs[Int(i)]
    }

    /// The spec for an AI given as text (`"3103"`), or nil.
    static func spec(for ai: String) -> GS1AISpec? {
        guard (2...4).contains(ai.utf8.count), ai.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(ai) else { return nil }
        guard aiLength(prefix: Int(ai.prefix(2))!) == ai.utf8.count else { return nil }
        return spec(ai: n, length: ai.utf8.count)
    }

    /// Every AI the table knows (variants expanded), for tests and generators.
    static var allAIs: [String] {
        var out: [String] = []
        for (len, table) in [(2, tables.two), (3, tables.three), (4, tables.four)] {
            for (n, i) in table.enumerated() where i >= 0 {
                let s = String(n)
                out.append(String(repeating: "0", count: len - s.count) + s)
            }
        }
        return out
    }

    // MARK: the table

    private static let entries: [(String, String, GS1AISpec.Kind, String)] = [
        ("00", "N18", .key(checkLength: 18), "SSCC"),
        ("01", "N14", .gtin, "GTIN"),
        ("02", "N14", .gtin, "CONTENT"),
        ("03", "N14", .gtin, "MTO GTIN"),
        ("10", "X..20", .text, "BATCH/LOT"),
        ("11", "N6", .date, "PROD DATE"),
        ("12", "N6", .date, "DUE DATE"),
        ("13", "N6", .date, "PACK DATE"),
        ("15", "N6", .date, "BEST BEFORE or BEST BY"),
        ("16", "N6", .date, "SELL BY"),
        ("17", "N6", .date, "USE BY or EXPIRY"),
        ("20", "N2", .text, "VARIANT"),
        ("21", "X..20", .text, "SERIAL"),
        ("22", "X..20", .text, "CPV"),
        ("235", "X..28", .text, "TPX"),
        ("240", "X..30", .text, "ADDITIONAL ID"),
        ("241", "X..30", .text, "CUST. PART No."),
        ("242", "N..6", .text, "MTO VARIANT"),
        ("243", "X..20", .text, "PCN"),
        ("250", "X..30", .text, "SECONDARY SERIAL"),
        ("251", "X..30", .text, "REF. TO SOURCE"),
        ("253", "N13+X..17", .key(checkLength: 13), "GDTI"),
        ("254", "X..20", .text, "GLN EXTENSION COMPONENT"),
        ("255", "N13+N..12", .key(checkLength: 13), "GCN"),
        ("30", "N..8", .count, "VAR. COUNT"),
        ("37", "N..8", .count, "COUNT"),
        ("310", "N6", .measure(.kilogram), "NET WEIGHT (kg)"),
        ("311", "N6", .measure(.metre), "LENGTH (m)"),
        ("312", "N6", .measure(.metre), "WIDTH (m)"),
        ("313", "N6", .measure(.metre), "HEIGHT (m)"),
        ("314", "N6", .measure(.squareMetre), "AREA (m²)"),
        ("315", "N6", .measure(.litre), "NET VOLUME (l)"),
        ("316", "N6", .measure(.cubicMetre), "NET VOLUME (m³)"),
        ("320", "N6", .measure(.pound), "NET WEIGHT (lb)"),
        ("321", "N6", .measure(.inch), "LENGTH (in)"),
        ("322", "N6", .measure(.foot), "LENGTH (ft)"),
        ("323", "N6", .measure(.yard), "LENGTH (yd)"),
        ("324", "N6", .measure(.inch), "WIDTH (in)"),
        ("325", "N6", .measure(.foot), "WIDTH (ft)"),
        ("326", "N6", .measure(.yard), "WIDTH (yd)"),
        ("327", "N6", .measure(.inch), "HEIGHT (in)"),
        ("328", "N6", .measure(.foot), "HEIGHT (ft)"),
        ("329", "N6", .measure(.yard), "HEIGHT (yd)"),
        ("330", "N6", .measure(.kilogram), "GROSS WEIGHT (kg)"),
        ("331", "N6", .measure(.metre), "LENGTH (m), log"),
        ("332", "N6", .measure(.metre), "WIDTH (m), log"),
        ("333", "N6", .measure(.metre), "HEIGHT (m), log"),
        ("334", "N6", .measure(.squareMetre), "AREA (m²), log"),
        ("335", "N6", .measure(.litre), "VOLUME (l), log"),
        ("336", "N6", .measure(.cubicMetre), "VOLUME (m³), log"),
        ("337", "N6", .measure(.kilogramPerSquareMetre), "KG PER m²"),
        ("340", "N6", .measure(.pound), "GROSS WEIGHT (lb)"),
        ("341", "N6", .measure(.inch), "LENGTH (in), log"),
        ("342", "N6", .measure(.foot), "LENGTH (ft), log"),
        ("343", "N6", .measure(.yard), "LENGTH (yd), log"),
        ("344", "N6", .measure(.inch), "WIDTH (in), log"),
        ("345", "N6", .measure(.foot), "WIDTH (ft), log"),
        ("346", "N6", .measure(.yard), "WIDTH (yd), log"),
        ("347", "N6", .measure(.inch), "HEIGHT (in), log"),
        ("348", "N6", .measure(.foot), "HEIGHT (ft), log"),
        ("349", "N6", .measure(.yard), "HEIGHT (yd), log"),
        ("350", "N6", .measure(.squareInch), "AREA (in²)"),
        ("351", "N6", .measure(.squareFoot), "AREA (ft²)"),
        ("352", "N6", .measure(.squareYard), "AREA (yd²)"),
        ("353", "N6", .measure(.squareInch), "AREA (in²), log"),
        ("354", "N6", .measure(.squareFoot), "AREA (ft²), log"),
        ("355", "N6", .measure(.squareYard), "AREA (yd²), log"),
        ("356", "N6", .measure(.troyOunce), "NET WEIGHT (t oz)"),
        ("357", "N6", .measure(.fluidOunce), "NET VOLUME (oz)"),
        ("360", "N6", .measure(.quart), "NET VOLUME (qt)"),
        ("361", "N6", .measure(.gallon), "NET VOLUME (gal.)"),
        ("362", "N6", .measure(.quart), "VOLUME (qt), log"),
        ("363", "N6", .measure(.gallon), "VOLUME (gal.), log"),
        ("364", "N6", .measure(.cubicInch), "VOLUME (in³)"),
        ("365", "N6", .measure(.cubicFoot), "VOLUME (ft³)"),
        ("366", "N6", .measure(.cubicYard), "VOLUME (yd³)"),
        ("367", "N6", .measure(.cubicInch), "VOLUME (in³), log"),
        ("368", "N6", .measure(.cubicFoot), "VOLUME (ft³), log"),
        ("369", "N6", .measure(.cubicYard), "VOLUME (yd³), log"),
        ("390", "N..15", .money, "AMOUNT"),
        ("391", "N3+N..15", .moneyWithCurrency, "AMOUNT (ISO)"),
        ("392", "N..15", .money, "PRICE"),
        ("393", "N3+N..15", .moneyWithCurrency, "PRICE (ISO)"),
        ("394", "N4", .text, "PRCNT OFF"),
        ("395", "N6", .text, "PRICE/UoM"),
        ("400", "X..30", .text, "ORDER NUMBER"),
        ("401", "X..30", .text, "GINC"),
        ("402", "N17", .key(checkLength: 17), "GSIN"),
        ("403", "X..30", .text, "ROUTE"),
        ("410", "N13", .key(checkLength: 13), "SHIP TO LOC"),
        ("411", "N13", .key(checkLength: 13), "BILL TO"),
        ("412", "N13", .key(checkLength: 13), "PURCHASE FROM"),
        ("413", "N13", .key(checkLength: 13), "SHIP FOR LOC"),
        ("414", "N13", .key(checkLength: 13), "LOC No."),
        ("415", "N13", .key(checkLength: 13), "PAY TO"),
        ("416", "N13", .key(checkLength: 13), "PROD/SERV LOC"),
        ("417", "N13", .key(checkLength: 13), "PARTY"),
        ("420", "X..20", .text, "SHIP TO POST"),
        ("421", "N3+X..9", .text, "SHIP TO POST (ISO)"),
        ("422", "N3", .text, "ORIGIN"),
        ("423", "N3+N..12", .text, "COUNTRY - INITIAL PROCESS"),
        ("424", "N3", .text, "COUNTRY - PROCESS"),
        ("425", "N3+N..12", .text, "COUNTRY - DISASSEMBLY"),
        ("426", "N3", .text, "COUNTRY - FULL PROCESS"),
        ("427", "X..3", .text, "ORIGIN SUBDIVISION"),
        ("7001", "N13", .text, "NSN"),
        ("7002", "X..30", .text, "MEAT CUT"),
        ("7003", "N10", .dateTime, "EXPIRY TIME"),
        ("7004", "N..4", .text, "ACTIVE POTENCY"),
        ("7005", "X..12", .text, "CATCH AREA"),
        ("7006", "N6", .date, "FIRST FREEZE DATE"),
        ("7007", "N6..12", .text, "HARVEST DATE"),
        ("7008", "X..3", .text, "AQUATIC SPECIES"),
        ("7009", "X..10", .text, "FISHING GEAR TYPE"),
        ("7010", "X..2", .text, "PROD METHOD"),
        ("7011", "N6+N..4", .text, "TEST BY DATE"),
        ("7020", "X..20", .text, "REFURB LOT"),
        ("7021", "X..20", .text, "FUNC STAT"),
        ("7022", "X..20", .text, "REV STAT"),
        ("7023", "X..30", .text, "GIAI - ASSEMBLY"),
        ("7030", "N3+X..27", .text, "PROCESSOR # 0"),
        ("7031", "N3+X..27", .text, "PROCESSOR # 1"),
        ("7032", "N3+X..27", .text, "PROCESSOR # 2"),
        ("7033", "N3+X..27", .text, "PROCESSOR # 3"),
        ("7034", "N3+X..27", .text, "PROCESSOR # 4"),
        ("7035", "N3+X..27", .text, "PROCESSOR # 5"),
        ("7036", "N3+X..27", .text, "PROCESSOR # 6"),
        ("7037", "N3+X..27", .text, "PROCESSOR # 7"),
        ("7038", "N3+X..27", .text, "PROCESSOR # 8"),
        ("7039", "N3+X..27", .text, "PROCESSOR # 9"),
        ("7040", "N1+X3", .text, "UIC+EXT"),
        ("710", "X..20", .text, "NHRN PZN"),
        ("711", "X..20", .text, "NHRN CIP"),
        ("712", "X..20", .text, "NHRN CN"),
        ("713", "X..20", .text, "NHRN DRN"),
        ("714", "X..20", .text, "NHRN AIM"),
        ("715", "X..20", .text, "NHRN NDC"),
        ("7240", "X..20", .text, "PROTOCOL"),
        ("8001", "N14", .text, "DIMENSIONS"),
        ("8002", "X..20", .text, "CMT No."),
        ("8003", "N14+X..16", .key(checkLength: 14), "GRAI"),
        ("8004", "X..30", .text, "GIAI"),
        ("8005", "N6", .text, "PRICE PER UNIT"),
        ("8006", "N14+N2+N2", .key(checkLength: 14), "ITIP"),
        ("8007", "X..34", .text, "IBAN"),
        ("8008", "N8+N..4", .dateTime, "PROD TIME"),
        ("8009", "X..50", .text, "OPTSEN"),
        ("8010", "Y..30", .text, "CPID"),
        ("8011", "N..12", .text, "CPID SERIAL"),
        ("8012", "X..20", .text, "VERSION"),
        ("8013", "X..25", .text, "GMN"),
        ("8017", "N18", .key(checkLength: 18), "GSRN - PROVIDER"),
        ("8018", "N18", .key(checkLength: 18), "GSRN - RECIPIENT"),
        ("8019", "N..10", .text, "SRIN"),
        ("8020", "X..25", .text, "REF No."),
        ("8026", "N14+N2+N2", .key(checkLength: 14), "ITIP CONTENT"),
        ("8030", "Z..90", .text, "DIGSIG"),
        ("8110", "X..70", .text, "COUPON CODE"),
        ("8111", "N4", .text, "POINTS"),
        ("8112", "X..70", .text, "PAPERLESS COUPON CODE"),
        ("8200", "X..70", .text, "PRODUCT URL"),
        ("90", "X..30", .text, "INTERNAL"),
        ("91", "X..90", .text, "INTERNAL"),
        ("92", "X..90", .text, "INTERNAL"),
        ("93", "X..90", .text, "INTERNAL"),
        ("94", "X..90", .text, "INTERNAL"),
        ("95", "X..90", .text, "INTERNAL"),
        ("96", "X..90", .text, "INTERNAL"),
        ("97", "X..90", .text, "INTERNAL"),
        ("98", "X..90", .text, "INTERNAL"),
        ("99", "X..90", .text, "INTERNAL"),
    ]

    private static func build() -> (specs: [GS1AISpec], two: [Int16], three: [Int16], four: [Int16], lengthByPrefix: [UInt8]) {
        var specs: [GS1AISpec] = []
        var two = [Int16](repeating: -1, count: 100)
        var three = [Int16](repeating: -1, count: 1000)
        var four = [Int16](repeating: -1, count: 10000)
        var lengthByPrefix = [UInt8](repeating: 0, count: 100)

        func add(_ spec: GS1AISpec, ai: String) {
            let index = Int16(specs.count)
            specs.append(spec)
            let n = Int(ai)!
            switch ai.count {
            case 2: two[n] = index
            case 3: three[n] = index
            default: four[n] = index
            }
            let prefix = Int(ai.prefix(2))!
            precondition(lengthByPrefix[prefix] == 0 || Int(lengthByPrefix[prefix]) == ai.count,
                         "GS1 AI table: AIs starting \(ai.prefix(2)) have different lengths")
            lengthByPrefix[prefix] = UInt8(ai.count)
        }

        for (ai, format, kind, title) in entries {
            let f = parseFormat(format)
            var variant = false, maxDecimals = 0
            switch kind {
            case .measure: variant = true; maxDecimals = 5
            case .money, .moneyWithCurrency: variant = true; maxDecimals = 9
            default:
                if ai == "394" { variant = true; maxDecimals = 3 }
                if ai == "395" { variant = true; maxDecimals = 5 }
            }
            if variant {
                for d in 0...maxDecimals {
                    add(GS1AISpec(ai: ai + String(d), title: title, minLength: f.min, maxLength: f.max, numericPrefix: f.numericPrefix,
                                  charset: f.charset, kind: kind, decimalIndicator: true, maxDecimals: maxDecimals), ai: ai + String(d))
                }
            } else {
                add(GS1AISpec(ai: ai, title: title, minLength: f.min, maxLength: f.max, numericPrefix: f.numericPrefix,
                              charset: f.charset, kind: kind, decimalIndicator: false, maxDecimals: 0), ai: ai)
            }
        }
        return (specs, two, three, four, lengthByPrefix)
    }

    /// `N3+X..9` → min 4, max 12, 3 leading digits, then set 82.
    private static func parseFormat(_ format: String) -> (min: Int, max: Int, numericPrefix: Int, charset: GS1AISpec.Charset) {
        var minTotal = 0, maxTotal = 0, numericPrefix = 0, stillNumeric = true
        var charset = GS1AISpec.Charset.numeric
        for (i, part) in format.split(separator: "+").enumerated() {
            let letter = part.first!
            let rest = part.dropFirst()
            let lo: Int, hi: Int
            if let r = rest.range(of: "..") {
                let before = rest[..<r.lowerBound], after = rest[r.upperBound...]
                hi = Int(after)!
                lo = before.isEmpty ? (i == 0 ? 1 : 0) : Int(before)!
            } else {
                lo = Int(rest)!
                hi = lo
            }
            minTotal += lo
            maxTotal += hi
            switch letter {
            case "N": charset = .numeric
            case "X": charset = .cset82
            case "Y": charset = .cset39
            default: charset = .cset64
            }
            if letter == "N" && stillNumeric && lo == hi { numericPrefix += lo } else { stillNumeric = false }
        }
        if charset == .numeric { numericPrefix = 0 }
        return (minTotal, maxTotal, numericPrefix, charset)
    }

    // MARK: character sets

    /// GS1 AI encodable character set 82 (GenSpecs figure 7.11-1).
    static let cset82: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in Array("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8) { t[Int(b)] = true }
        return t
    }()

    /// Character set 39 (`#`, `-`, `/`, digits, capitals).
    static let cset39: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in Array("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8) { t[Int(b)] = true }
        return t
    }()

    /// Character set 64 (file-safe base64 with `=` padding).
    static let cset64: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in Array("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz=".utf8) { t[Int(b)] = true }
        return t
    }()

    /// ISO 4217 numeric codes the till can turn into `Money` (AI 391n/393n).
    static func currency(numeric: Int) -> Currency? {
        switch numeric {
        case 156: .cny
        case 344: Currency(code: "HKD", minorDigits: 2)
        case 446: Currency(code: "MOP", minorDigits: 2)
        case 901: Currency(code: "TWD", minorDigits: 2)
        case 840: Currency(code: "USD", minorDigits: 2)
        case 978: Currency(code: "EUR", minorDigits: 2)
        case 826: Currency(code: "GBP", minorDigits: 2)
        case 392: Currency(code: "JPY", minorDigits: 0)
        case 410: Currency(code: "KRW", minorDigits: 0)
        case 702: Currency(code: "SGD", minorDigits: 2)
        case 458: Currency(code: "MYR", minorDigits: 2)
        case 764: Currency(code: "THB", minorDigits: 2)
        case 704: Currency(code: "VND", minorDigits: 0)
        case 36: Currency(code: "AUD", minorDigits: 2)
        case 124: Currency(code: "CAD", minorDigits: 2)
        case 756: Currency(code: "CHF", minorDigits: 2)
        case 643: Currency(code: "RUB", minorDigits: 2)
        case 48: Currency(code: "BHD", minorDigits: 3)
        case 414: Currency(code: "KWD", minorDigits: 3)
        default: nil
        }
    }
}
