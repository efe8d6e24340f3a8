import RuyiCore
import Testing
@testable import RuyiScanning

@Suite struct KeyboardDecoderTests {
    let us = Repo.layout("us")
    let de = Repo.layout("de")
    let fr = Repo.layout("fr")

    @Test func usDigitsAndShiftedCharacters() {
        let enc = KeyboardReportEncoder(layout: us)
        var d = KeyboardDecoder(layout: us)
        let out = d.run(enc.reports(typing: "6901234567892") + enc.reports(typing: "ABC-123/xyz:\"Q\"!@#"))
        #expect(out.texts == ["6901234567892", "ABC-123/xyz:\"Q\"!@#"])
        #expect(out.problems.isEmpty)
    }

    @Test func theSameReportsMeanOtherTextInAnotherLayout() {
        // A German-programmed scanner types "Zürich-4@" — as usages, which the US table would read as "Y[rich/4q".
        let reports = KeyboardReportEncoder(layout: de).reports(typing: "Zürich-4@ß{}")
        var german = KeyboardDecoder(layout: de)
        #expect(german.run(reports).texts == ["Zürich-4@ß{}"])
        var wrong = KeyboardDecoder(layout: us)
        #expect(wrong.run(reports).texts != ["Zürich-4@ß{}"])
    }

    @Test func frenchDigitsNeedShift() {
        let reports = KeyboardReportEncoder(layout: fr).reports(typing: "6901234567892")
        #expect(reports.first?[0] == 0x02, "AZERTY digits are shifted")
        var d = KeyboardDecoder(layout: fr)
        #expect(d.run(reports).texts == ["6901234567892"])
        var asUS = KeyboardDecoder(layout: us)
        #expect(asUS.run(reports).texts == ["^()!@#$%^&*(@"], "the same usages in US are symbols")
    }

    @Test func keypadKeysAreDigitsWhateverNumLockAndShift() {
        var d = KeyboardDecoder(layout: us)
        var reports = KeyboardReportEncoder(layout: us).reports(typing: "0123456789", keypadDigits: true)
        #expect(reports[0][2] == 0x62)
        // NumLock toggled in the middle and Shift held on one key: still digits.
        reports.insert([0, 0, 0x53, 0, 0, 0, 0, 0], at: 4)
        reports.insert([0, 0, 0, 0, 0, 0, 0, 0], at: 5)
        reports[6][0] = 0x02
        #expect(d.run(reports).texts == ["0123456789"])
    }

    @Test func ctrlBracketIsTheGS1Separator() {
        var d = KeyboardDecoder(layout: us)
        let reports: [[UInt8]] = [[0, 0, 0x1E, 0, 0, 0, 0, 0], [0x01, 0, 0x30, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
                                  [0x10, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]]
        #expect(d.run(reports).texts == ["1\u{1D}\u{01}"])
        // German: the key right of Ü is Ctrl+] too (same position).
        var g = KeyboardDecoder(layout: de)
        #expect(g.run([[0x01, 0, 0x30, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]]).texts == ["\u{1D}"])
    }

    @Test func altKeypadCodes() {
        var d = KeyboardDecoder(layout: us)
        func alt(_ digits: [UInt8]) -> [[UInt8]] {
            digits.flatMap { [[0x04, 0, $0 == 0 ? 0x62 : 0x58 + $0, 0, 0, 0, 0, 0], [0x04, 0, 0, 0, 0, 0, 0, 0]] } + [[0, 0, 0, 0, 0, 0, 0, 0]]
        }
        let reports = alt([0, 2, 9]) + alt([1, 2, 9]) + alt([0, 1, 2, 8]) + alt([2, 0, 0, 1, 3]) + alt([6, 5]) + [[0, 0, 0x28, 0, 0, 0, 0, 0]]
        // Alt+029 → GS, Alt+129 (CP437) → ü, Alt+0128 (Windows-1252) → €, Alt+20013 (Unicode) → 中, Alt+65 → A
        #expect(d.run(reports).texts == ["\u{1D}ü€中A"])
        // The encoder's fallback for characters the layout lacks is the same mechanism.
        var e = KeyboardDecoder(layout: us)
        #expect(e.run(KeyboardReportEncoder(layout: us).reports(typing: "如意ü€")).texts == ["如意ü€"])
    }

    @Test func germanAltGrAndCtrlAltAndDeadKeys() {
        var d = KeyboardDecoder(layout: de)
        let reports: [[UInt8]] = [
            [0x40, 0, 0x14, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // AltGr+q = @
            [0x05, 0, 0x24, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],  // Ctrl+Alt+7 = {
            [0, 0, 0x35, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],     // dead ^
            [0, 0, 0x2C, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],     // + space = ^
            [0, 0, 0x28, 0, 0, 0, 0, 0],
        ]
        #expect(d.run(reports).texts == ["@{^"])
    }

    @Test func capsLockFromTheScannerAffectsLettersOnly() {
        var d = KeyboardDecoder(layout: us)
        let reports: [[UInt8]] = [[0, 0, 0x39, 0, 0, 0, 0, 0], [0, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0x1E, 0, 0, 0, 0, 0],
                                  [0x02, 0, 0x05, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]]
        #expect(d.run(reports).texts == ["A1b"])
    }

    @Test func rolloverWithoutReleaseStillCountsEachNewKey() {
        var d = KeyboardDecoder(layout: us)
        // Fast scanners send the next key before the release of the previous one.
        let reports: [[UInt8]] = [[0, 0, 0x1E, 0, 0, 0, 0, 0], [0, 0, 0x1E, 0x1F, 0, 0, 0, 0], [0, 0, 0x1F, 0, 0, 0, 0, 0],
                                  [0, 0, 0x1F, 0x20, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0]]
        #expect(d.run(reports).texts == ["123"])
    }

    @Test func terminatorTabAndTimeouts() {
        var tab = KeyboardDecoder(layout: us, terminator: .tab)
        #expect(tab.run(KeyboardReportEncoder(layout: us).reports(typing: "A1", terminator: .tab)).texts == ["A1"])

        // No terminator: a pause ends the scan.
        var none = KeyboardDecoder(layout: us, terminator: .none, timeoutMS: 50)
        var out = none.run(KeyboardReportEncoder(layout: us).reports(typing: "123", terminator: .none))
        #expect(out.isEmpty && none.deadline != nil)
        none.expire(at: none.deadline!, into: &out)
        #expect(out.texts == ["123"])
        #expect(none.deadline == nil)

        // With Enter configured, a pause means the scan was cut off: dropped, never delivered half.
        var enter = KeyboardDecoder(layout: us, terminator: .enter, timeoutMS: 50)
        out = enter.run(KeyboardReportEncoder(layout: us).reports(typing: "690123", terminator: .none))
        enter.expire(at: enter.deadline!, into: &out)
        #expect(out.texts.isEmpty)
        #expect(out.problems.map(\.code) == ["scanner.partial_scan_dropped"])
        // …and the next scan is whole.
        out = enter.run(KeyboardReportEncoder(layout: us).reports(typing: "42"), start: 5_000_000_000)
        #expect(out.texts == ["42"])
    }

    @Test func aimPrefixBecomesTheSymbology() {
        var d = KeyboardDecoder(layout: us, aimPrefix: true)
        let out = d.run(KeyboardReportEncoder(layout: us).reports(typing: "]E06901234567892"))
        guard case .scan(let text, _, let symbology)? = out.first else { Issue.record("no scan"); return }
        #expect(text == "6901234567892")
        #expect(symbology == Symbology(aim: "]E0"))
    }

    @Test func garbageReportsAreCountedAndSkipped() {
        var d = KeyboardDecoder(layout: us)
        var out: [DecodedItem] = []
        d.feed([0, 0, 0x1E, 0, 0, 0, 0], at: 1, into: &out)                       // 7 bytes
        d.feed([0, 0, 0x1E, 0, 0, 0, 0, 0, 0, 0], at: 2, into: &out)              // 10 bytes
        d.feed([0, 0, 1, 1, 1, 1, 1, 1], at: 3, into: &out)                        // ErrorRollOver
        d.feed([0, 0, 0xE8, 0, 0, 0, 0, 0], at: 4, into: &out)                     // usage with no character
        d.feed([0, 0, 0x1F, 0, 0, 0, 0, 0], at: 5, into: &out)
        d.feed([0, 0, 0x28, 0, 0, 0, 0, 0], at: 6, into: &out)
        #expect(out.problems.map(\.code) == ["scanner.garbage_report", "scanner.garbage_report", "scanner.garbage_report", "scanner.unknown_key"])
        #expect(out.texts == ["2"])
        // A device that puts a report id first, where the profile expects none, is garbage too — not typed as text.
        var withID = KeyboardDecoder(layout: us, reportID: 1)
        out = []
        withID.feed([0, 0, 0x1E, 0, 0, 0, 0, 0], at: 1, into: &out)
        withID.feed([1, 0, 0, 0x1E, 0, 0, 0, 0, 0], at: 2, into: &out)
        withID.feed([1, 0, 0, 0x28, 0, 0, 0, 0, 0], at: 3, into: &out)
        #expect(out.problems.count == 1 && out.texts == ["1"])
    }

    @Test func tenKilobyteBarcodeIsDroppedWholeAndTheNextScanWorks() {
        var d = KeyboardDecoder(layout: us, maximumLength: 4096)
        let enc = KeyboardReportEncoder(layout: us)
        var out = d.run(enc.reports(typing: String(repeating: "7", count: 10_240)))
        #expect(out.texts.isEmpty)
        #expect(out.problems.map(\.code) == ["scanner.scan_too_long"])
        out = d.run(enc.reports(typing: "6901234567892"), start: 9_000_000_000)
        #expect(out.texts == ["6901234567892"])
    }

    @Test func unplugMidScanDropsThePartial() {
        var d = KeyboardDecoder(layout: us)
        _ = d.run(KeyboardReportEncoder(layout: us).reports(typing: "6901", terminator: .none))
        #expect(d.abandon("unplugged")?.code == "scanner.partial_scan_dropped")
        #expect(d.abandon("again") == nil)
    }

    @Test func gs1FromKeyboardEqualsGS1FromHIDPOS() throws {
        // (01) GTIN, (10) batch — variable, so a GS follows —, (17) expiry.
        let element = "0106901234567892" + "10ABC123" + "\u{1D}" + "17270630"
        var kb = KeyboardDecoder(layout: us, aimPrefix: true)
        let typed = kb.run(KeyboardReportEncoder(layout: us).reports(typing: "]C1" + element))
        var pos = HIDPOSDecoder()
        var posOut: [DecodedItem] = []
        for r in hidposReports(Array(element.utf8), aim: "]C1") { pos.feed(r, at: 1, into: &posOut) }
        guard case .scan(_, let kData, let kSym)? = typed.first, case .scan(_, let pData, let pSym)? = posOut.first else {
            Issue.record("no scans: \(typed) \(posOut)"); return
        }
        let interpreter = try BarcodeInterpreter(referenceYear: 2026)
        let a = try interpreter.interpret(bytes: kData, symbology: kSym)
        let b = try interpreter.interpret(bytes: pData, symbology: pSym)
        #expect(a.meaning == b.meaning)
        guard case .gs1(let elements) = a.meaning else { Issue.record("not GS1: \(a.meaning)"); return }
        #expect(elements.map(\.ai) == ["01", "10", "17"])
    }
}
