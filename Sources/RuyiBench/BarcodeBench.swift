import ArgumentParser
import Foundation
import RuyiCore

/// `ruyi-bench barcode`: interpreting a million mixed scans (EAN-13, UPC-E, GS1-128 with 4 AIs, weighed EAN,
/// payment code), beside a baseline that only copies each code's bytes and runs one check-digit pass over them.
struct BarcodeBench: BenchArea {
    static let configuration = CommandConfiguration(commandName: "barcode", abstract: "Barcode interpretation figures.")

    @OptionGroup var options: BenchOptions

    static func measure(_ options: BenchOptions, _ f: Figures) throws {
        let total = options.smoke ? 10_000 : 1_000_000
        f.say("# ruyi-bench barcode\(options.smoke ? " --smoke (debug-sized: these numbers measure nothing)" : "")")
        let interpreter = try BarcodeInterpreter(rules: .standard, referenceYear: 2026)
        var rng = SystemRandomNumberGenerator()
        let kinds: [(String, ScanResult.Kind, (inout SystemRandomNumberGenerator) -> String)] = [
            ("ean13", .product, { CatalogGenerator.ean13(Int.random(in: 0..<1_000_000_000, using: &$0)) }),
            ("upce", .product, { upcE(&$0) }),
            ("gs1_128", .gs1, { gs1(&$0) }),
            ("weighed_ean", .variableMeasure, { weighed(&$0) }),
            ("payment", .payment, { "28" + String(format: "%08d%08d", Int.random(in: 0..<100_000_000, using: &$0), Int.random(in: 0..<100_000_000, using: &$0)) }),
        ]
        // A pool of distinct codes per kind, interleaved: the order a busy counter scans in.
        let pool = 10_000
        var codes: [String] = []
        codes.reserveCapacity(pool * kinds.count)
        var perKind: [[String]] = kinds.map { _ in [] }
        for _ in 0..<pool {
            for (k, kind) in kinds.enumerated() {
                let code = kind.2(&rng)
                codes.append(code)
                perKind[k].append(code)
            }
        }
        // Every code must read as its kind, or the figure would time error paths.
        for (k, kind) in kinds.enumerated() {
            for code in perKind[k] {
                let r = try interpreter.interpret(code)
                guard r.kind == kind.1 else { throw ValidationError("\(kind.0) code \(code) read as \(r.kind)") }
            }
        }

        let baseline = nanosPerCode(codes, total) { code in
            let b = Array(code.utf8)
            var sum = 0
            for (i, d) in b.enumerated() { sum &+= Int(d &- 0x30) &* (i & 1 == 0 ? 3 : 1) }
            return sum
        }
        let mixed = nanosPerCode(codes, total) { code in
            (try? interpreter.interpret(code))?.bytes.count ?? -1
        }
        f.add("barcode_ns_per_code", format(mixed, 0), note: "\(total) mixed codes (EAN-13, UPC-E, GS1-128 with 4 AIs, weighed EAN, payment); target < 2000 ns")
        f.add("barcode_baseline_ns_per_code", format(baseline, 0), note: "copy the bytes + one check-digit pass, same codes")
        for (k, kind) in kinds.enumerated() {
            let ns = nanosPerCode(perKind[k], total / kinds.count) { code in (try? interpreter.interpret(code))?.bytes.count ?? -1 }
            f.add("barcode_\(kind.0)_ns", format(ns, 0))
        }
    }

    /// Mean nanoseconds per call over `count` calls cycling through `codes`. The results feed a checksum that is
    /// printed nowhere but kept alive, so the optimiser cannot drop the work.
    static func nanosPerCode(_ codes: [String], _ count: Int, _ body: (String) -> Int) -> Double {
        var sink = 0
        let start = SystemFacts.now()
        var i = 0
        for _ in 0..<count {
            sink &+= body(codes[i])
            i += 1
            if i == codes.count { i = 0 }
        }
        let elapsed = SystemFacts.now() - start
        blackHole(sink)
        return Double(elapsed) / Double(count)
    }

    /// UPC-E: number system 0, six digits, the check digit of the UPC-A it expands to.
    static func upcE(_ rng: inout SystemRandomNumberGenerator) -> String {
        let six = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &rng))
        let d = Array(six)
        let upcA: String
        switch d[5] {
        case "0", "1", "2": upcA = "0\(d[0])\(d[1])\(d[5])0000\(d[2])\(d[3])\(d[4])"
        case "3": upcA = "0\(d[0])\(d[1])\(d[2])00000\(d[3])\(d[4])"
        case "4": upcA = "0\(d[0])\(d[1])\(d[2])\(d[3])00000\(d[4])"
        default: upcA = "0\(d[0])\(d[1])\(d[2])\(d[3])\(d[4])0000\(d[5])"
        }
        return "0" + six + String(GTIN.checkDigit(forPayload: upcA.utf8.map { $0 - 0x30 }))
    }

    /// `]C1` (01) GTIN (17) expiry (3103) net weight (10) lot — four AIs, GS after the variable lot only if needed.
    static func gs1(_ rng: inout SystemRandomNumberGenerator) -> String {
        let gtin = "0" + CatalogGenerator.ean13(Int.random(in: 0..<1_000_000_000, using: &rng))
        let expiry = String(format: "%02d%02d%02d", Int.random(in: 26...30, using: &rng), Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng))
        let grams = String(format: "%06d", Int.random(in: 1...30_000, using: &rng))
        let lot = "L" + String(Int.random(in: 1000...99_999, using: &rng))
        return "]C101\(gtin)17\(expiry)3103\(grams)10\(lot)"
    }

    /// A 13-digit scale label: 2x + PLU + price in fen + check digit.
    static func weighed(_ rng: inout SystemRandomNumberGenerator) -> String {
        let payload = "2\(Int.random(in: 0...9, using: &rng))" + String(format: "%05d%05d", Int.random(in: 1..<100_000, using: &rng), Int.random(in: 1..<100_000, using: &rng))
        return payload + String(GTIN.checkDigit(forPayload: payload.utf8.map { $0 - 0x30 }))
    }
}

@inline(never)
func blackHole(_ x: Int) {
    if x == 0x5EED_F00D { print("") }
}
