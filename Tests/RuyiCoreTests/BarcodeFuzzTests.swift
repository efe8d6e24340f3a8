import Foundation
import Testing
@testable import RuyiCore

/// SplitMix64: small, seedable, the same sequence on every machine.
struct FuzzRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The GS1 mod-10 check digit, written independently of the code under test.
func referenceCheckDigit(_ payload: String) -> Int {
    let digits = payload.compactMap { $0.wholeNumberValue }
    var sum = 0
    for (i, d) in digits.reversed().enumerated() { sum += i % 2 == 0 ? d * 3 : d }
    return (10 - sum % 10) % 10
}

func isValidGTIN14(_ s: String) -> Bool {
    s.count == 14 && s.allSatisfy { $0.isASCII && $0.isNumber } && referenceCheckDigit(String(s.dropLast())) == s.last!.wholeNumberValue!
}

/// Builds random valid GS1 data and renders it in each form a scanner can send.
struct GS1Generator {
    /// AIs the generator uses, whether their length is predefined (no GS needed after them), and a value maker.
    /// Values never contain parentheses: the human-readable form cannot carry them unambiguously.
    static let text82 = Array("!\"%&'*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")

    static func digits(_ n: Int, _ rng: inout FuzzRNG) -> String { String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }) }

    static func checked(_ n: Int, _ rng: inout FuzzRNG) -> String {
        let p = digits(n - 1, &rng)
        return p + String(referenceCheckDigit(p))
    }

    /// YYMMDD; day 00 ("end of month") only where the AI allows it (not with a time, AI 8008).
    static func date(_ rng: inout FuzzRNG, allowDay00: Bool = true) -> String {
        let m = Int.random(in: 1...12, using: &rng)
        let d = Int.random(in: (allowDay00 ? 0 : 1)...28, using: &rng)
        return digits(2, &rng) + String(format: "%02d%02d", m, d)
    }

    static func text(_ max: Int, _ rng: inout FuzzRNG) -> String {
        String((0..<Int.random(in: 1...max, using: &rng)).map { _ in text82.randomElement(using: &rng)! })
    }

    /// (AI, value, predefined length).
    static func element(_ rng: inout FuzzRNG) -> (String, String, Bool) {
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: return ("01", checked(14, &rng), true)
        case 1: return ("00", checked(18, &rng), true)
        case 2: return ("10", text(20, &rng), false)
        case 3: return (["11", "13", "15", "16", "17"].randomElement(using: &rng)!, date(&rng), true)
        case 4: return ("21", text(20, &rng), false)
        case 5: return ("30", digits(Int.random(in: 1...8, using: &rng), &rng), false)
        case 6: return ("31\(Int.random(in: 0...6, using: &rng))\(Int.random(in: 0...5, using: &rng))", digits(6, &rng), true)
        case 7: return ("392\(Int.random(in: 0...2, using: &rng))", digits(Int.random(in: 1...15, using: &rng), &rng), false)
        case 8: return ("393\(Int.random(in: 0...2, using: &rng))", "156" + digits(Int.random(in: 1...15, using: &rng), &rng), false)
        case 9: return ("8008", date(&rng, allowDay00: false) + String(format: "%02d", Int.random(in: 0...23, using: &rng)) + ["", "30", "3059"].randomElement(using: &rng)!, false)
        case 10: return ("422", digits(3, &rng), false)
        case 11: return ("37", digits(Int.random(in: 1...8, using: &rng), &rng), false)
        case 12: return ("240", text(30, &rng), false)
        default: return ("02", checked(14, &rng), true)
        }
    }

    /// 1–5 elements with distinct AIs.
    static func elements(_ rng: inout FuzzRNG) -> [(String, String, Bool)] {
        var out: [(String, String, Bool)] = []
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let e = element(&rng)
            if !out.contains(where: { $0.0 == e.0 }) { out.append(e) }
        }
        return out
    }

    /// FNC1 form: GS after every field whose length is not predefined, except the last.
    static func fnc1(_ es: [(String, String, Bool)]) -> String {
        var s = ""
        for (i, e) in es.enumerated() {
            s += e.0 + e.1
            if !e.2 && i < es.count - 1 { s += "\u{1D}" }
        }
        return s
    }

    static func parenthesised(_ es: [(String, String, Bool)]) -> String { es.map { "(\($0.0))\($0.1)" }.joined() }
}

@Suite("Barcode: property and fuzz test")
struct BarcodeFuzzTests {
    static let baseSeed: UInt64 = ProcessInfo.processInfo.environment["RUYI_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5275_7969_2026

    static let corpus: [String] = [
        "6901939621257", "6921168509256", "036000291452", "04252614", "96385074", "10012345678902", "]E06901939621257",
        "]I110012345678902", "]E3690193962125712", "(01)09501101530003(17)140704(10)AB-123", "]C1010950110153000317140704" + "10AB-123",
        "\u{1D}0109501101530003" + "3103001250" + "10LOT7\u{1D}21SER", "0108431673020125100000001",
        "(00)106141411234567897", "(3932)156001250(8008)2601151430", "https://id.gs1.org/01/09506000134352/10/ABC?17=251231",
        "2012345012349", "210012300899004508", "283456789012345678", "134567890123456789", "6212345678901234567",
        "2512345678901234", "]Q1283456789012345678", "]d2010950110153000317140704", "hello", "12345",
    ]

    /// Four chunks of 250,000 inputs, run in parallel: 1,000,000 in all.
    @Test("1,000,000 random and mutated inputs: always an answer, and every answer keeps the invariants", arguments: 0..<4)
    func fuzz(chunk: Int) throws {
        let seed = Self.baseSeed &+ UInt64(chunk)
        var rng = FuzzRNG(seed: seed)
        let interpreter = try BarcodeInterpreter(rules: .standard, referenceYear: 2026)
        var failures = 0
        var answered = 0
        func fail(_ what: String, _ input: [UInt8]) {
            failures += 1
            if failures <= 5 {
                Issue.record("seed \(seed): \(what) for input \(input.prefix(80).map { String(format: "%02x", $0) }.joined())")
            }
        }

        for round in 0..<250_000 {
            let input: [UInt8]
            switch round % 20 {
            case 0, 1, 2, 3:
                input = (0..<Int.random(in: 0...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 4, 5, 6:
                input = Array(GS1Generator.digits(Int.random(in: 1...26, using: &rng), &rng).utf8)
            case 7:
                // GS1 forms: FNC1 as GS, ]C1, a leading GS, and parentheses must read the same fields.
                let es = GS1Generator.elements(&rng)
                let fnc1 = GS1Generator.fnc1(es)
                let forms = ["]C1" + fnc1, "\u{1D}" + fnc1, GS1Generator.parenthesised(es), "]d2" + fnc1]
                var reads: [[GS1Element]] = []
                for f in forms {
                    do {
                        let r = try interpreter.interpret(f)
                        guard r.kind == .gs1 else { fail("\(f) read as \(r.kind)", Array(f.utf8)); continue }
                        reads.append(r.elements)
                        if r.elements.map(\.ai) != es.map(\.0) { fail("AIs \(r.elements.map(\.ai)) ≠ \(es.map(\.0))", Array(f.utf8)) }
                    } catch {
                        fail("valid GS1 refused: \(error.message)", Array(f.utf8))
                    }
                }
                if Set(reads.map { $0.map { "\($0)" }.joined(separator: "|") }).count > 1 { fail("forms disagree", Array(fnc1.utf8)) }
                input = Array(forms[0].utf8)
            case 8:
                if round % 100 == 8 {
                    // Long inputs: up to 10 KB, beyond the 4 KB limit and just under it.
                    let n = [Int.random(in: 4000...4096, using: &rng), Int.random(in: 4097...10_240, using: &rng)].randomElement(using: &rng)!
                    let alphabet: [UInt8] = Array("0123456789()]C1\u{1D}AB%/".utf8)
                    input = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
                } else {
                    input = Array(("]C1" + GS1Generator.fnc1(GS1Generator.elements(&rng))).utf8)
                }
            default:
                var bytes = Array(Self.corpus.randomElement(using: &rng)!.utf8)
                for _ in 0..<Int.random(in: 1...3, using: &rng) { Self.mutate(&bytes, &rng) }
                input = bytes
            }
            do {
                let r = try interpreter.interpret(bytes: input)
                answered += 1
                if let problem = Self.violation(r, input: input, interpreter: interpreter) { fail(problem, input) }
            } catch {
                if error.message.isEmpty || error.code.isEmpty { fail("error without words", input) }
            }
        }
        #expect(failures == 0, "seed \(seed)")
        #expect(answered > 50_000, "most inputs should read as something (unknown counts)")
    }

    static func mutate(_ b: inout [UInt8], _ rng: inout FuzzRNG) {
        let specials: [UInt8] = [0x1D, 0x00, 0xFF, 0xC3, 0x28, 0x29, 0x5D, 0x0D, 0x25, 0x2F, 0x3F, 0x7F]
        let op = Int.random(in: 0..<8, using: &rng)
        let i = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
        switch op {
        case 0 where !b.isEmpty: b[i] = UInt8.random(in: 0...255, using: &rng)
        case 1: b.insert(specials.randomElement(using: &rng)!, at: i)
        case 2 where !b.isEmpty: b.remove(at: i)
        case 3 where b.count > 1 && i + 1 < b.count: b.swapAt(i, i + 1)
        case 4: b = Array(b.prefix(i))
        case 5: b += b.prefix(Int.random(in: 0...min(b.count, 30), using: &rng))
        case 6: b = Array(["]C1", "]E0", "]Q1", "]d2", "]zz", "]E4", "]I1", "(01)"].randomElement(using: &rng)!.utf8) + b
        default: if !b.isEmpty { b[i] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
        }
    }

    /// What is wrong with a result, if anything.
    static func violation(_ r: ScanResult, input: [UInt8], interpreter: BarcodeInterpreter) -> String? {
        if r.bytes != input { return "the result does not keep the scanned bytes" }
        if let g = r.gtin, !isValidGTIN14(g) { return "GTIN \(g) is not a valid GTIN-14" }
        switch r.meaning {
        case let .product(code):
            guard isValidGTIN14(code.gtin) else { return "product GTIN \(code.gtin) invalid" }
            guard let again = try? interpreter.interpret(code.gtin), case let .product(same) = again.meaning, same.gtin == code.gtin else {
                return "re-reading GTIN \(code.gtin) does not give the same product"
            }
        case let .gs1(elements):
            if elements.isEmpty { return "GS1 result without elements" }
            for e in elements {
                switch e.value {
                case let .gtin(g): if !isValidGTIN14(g) { return "AI \(e.ai) GTIN \(g) invalid" }
                case let .money(m): if m.minorUnits < 0 { return "AI \(e.ai) negative amount \(m)" }
                case let .count(c): if c < 0 { return "AI \(e.ai) negative count" }
                case let .measure(m): if m.value < 0 || m.milliUnits < 0 { return "AI \(e.ai) negative measure" }
                case let .date(d):
                    if !(1...12).contains(d.month) || d.day < 1 || d.day > GS1Date.daysIn(month: d.month, year: d.year) { return "AI \(e.ai) impossible date \(d)" }
                case let .dateTime(t):
                    if t.hour > 23 || (t.minute ?? 0) > 59 || (t.second ?? 0) > 59 { return "AI \(e.ai) impossible time \(t)" }
                case .key, .text: break
                }
            }
        case let .variableMeasure(v):
            if let p = v.price, p.minorUnits < 0 { return "negative scale price" }
            if let g = v.grams, g < 0 { return "negative scale weight" }
            if v.plu.isEmpty || !v.plu.allSatisfy({ $0.isASCII && $0.isNumber }) { return "PLU \(v.plu) is not digits" }
        case let .payment(p):
            if !p.code.allSatisfy({ $0.isASCII && $0.isNumber }) { return "payment code with non-digits" }
        case .member, .coupon, .moduleClaimed, .unknown:
            break
        }
        return nil
    }
}
