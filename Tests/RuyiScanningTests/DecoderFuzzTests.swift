import Testing
@testable import RuyiScanning

/// Random reports, ≥100,000 per decoder, against invariants that a wrong decoder would break.
@Suite struct DecoderFuzzTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: ["us", "de", "fr"]) func keyboardTextOnlyHoldsCharactersOfTheLayout(layoutName: String) {
        let layout = Repo.layout(layoutName)
        var rng = SplitMix(state: 0x5EED_0000 + UInt64(layoutName.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var d = KeyboardDecoder(layout: layout, terminator: .enter, maximumLength: 256)
        var out: [DecodedItem] = []
        var scans = 0, problems = 0
        for i in 0..<120_000 {
            var r = [UInt8](repeating: 0, count: 8)
            // Alt codes can make any character; keep Alt off here so the layout alone decides (bit 2, bit 6 in US).
            r[0] = UInt8.random(in: 0...255, using: &rng) & (layout.hasAltGr ? 0xFB : 0xBB)
            let keys = Int.random(in: 0...3, using: &rng)
            for k in 0..<keys { r[2 + k] = UInt8.random(in: 0...0x70, using: &rng) }
            if Int.random(in: 0..<10, using: &rng) == 0 { r[2] = 0x28 }
            let length = Int.random(in: 0..<50, using: &rng) == 0 ? Int.random(in: 0...12, using: &rng) : 8
            d.feed(Array(r.prefix(length)) + [UInt8](repeating: 0, count: max(0, length - 8)), at: UInt64(i) * 1_000_000, into: &out)
            for item in out {
                switch item {
                case .scan(let text, let data, _):
                    scans += 1
                    #expect(!text.isEmpty && text.unicodeScalars.count <= 256)
                    #expect(data == Array(text.utf8))
                    let stray = text.unicodeScalars.filter { !layout.characters.contains($0) }
                    #expect(stray.isEmpty, "\(layoutName): \(stray.map { String($0.value, radix: 16) }) not in the layout")
                case .problem:
                    problems += 1
                }
            }
            out.removeAll(keepingCapacity: true)
        }
        #expect(scans > 1000 && problems > 1000)
    }

    @Test func keyboardWithAltNeverCrashesAndStaysBounded() {
        var rng = SplitMix(state: 42)
        var d = KeyboardDecoder(layout: Repo.layout("us"), terminator: .none, timeoutMS: 5, maximumLength: 64)
        var out: [DecodedItem] = []
        for i in 0..<100_000 {
            var r = [UInt8](repeating: 0, count: 8)
            for k in 0..<8 { r[k] = UInt8.random(in: 0...255, using: &rng) }
            d.feed(r, at: UInt64(i) * UInt64.random(in: 0...8, using: &rng) * 1_000_000, into: &out)
            for case .scan(let text, _, _) in out { #expect(text.unicodeScalars.count <= 64) }
            out.removeAll(keepingCapacity: true)
        }
    }

    @Test func hidposScanLengthEqualsWhatItsReportsDeclared() {
        var rng = SplitMix(state: 7)
        var d = HIDPOSDecoder(maximumLength: 1024)
        var out: [DecodedItem] = []
        var declared = 0, scans = 0, garbage = 0
        for i in 0..<150_000 {
            var r = [UInt8](repeating: 0, count: 64)
            for k in 0..<64 { r[k] = UInt8.random(in: 0...255, using: &rng) }
            // Mostly well-formed ids and lengths so reassembly runs; sometimes anything.
            if Int.random(in: 0..<4, using: &rng) != 0 { r[0] = 0x02; r[1] = UInt8.random(in: 0...56, using: &rng) }
            r[63] = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : r[63] & 1
            let size = Int.random(in: 0..<40, using: &rng) == 0 ? Int.random(in: 0...80, using: &rng) : 64
            let report = size <= 64 ? Array(r.prefix(size)) : r + [UInt8](repeating: 0, count: size - 64)
            let wellFormed = report.count == 64 && report[0] == 0x02 && report[1] <= 56
            if wellFormed { declared += Int(report[1]) }
            d.feed(report, at: UInt64(i), into: &out)
            for item in out {
                if case .scan(_, let data, _) = item {
                    scans += 1
                    #expect(data.count == declared)
                } else if case .problem(let p) = item, p.code == "scanner.garbage_report" {
                    garbage += 1
                }
            }
            if wellFormed && report[63] == 0 { declared = 0 }
            out.removeAll(keepingCapacity: true)
        }
        #expect(scans > 10_000 && garbage > 10_000)
    }
}
