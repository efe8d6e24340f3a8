import RuyiCore
import Testing
@testable import RuyiScanning

@Suite struct HIDPOSDecoderTests {
    @Test func oneReportScanWithSymbology() {
        var d = HIDPOSDecoder()
        var out: [DecodedItem] = []
        for r in hidposReports(Array("6901234567892".utf8)) { d.feed(r, at: 1, into: &out) }
        #expect(out == [.scan(text: "6901234567892", data: Array("6901234567892".utf8), symbology: Symbology(aim: "]E0"))])
    }

    @Test func scanSplitOverThreeReportsIsReassembled() {
        let qr = Array("https://pay.example.cn/q/" .utf8) + Array(repeating: UInt8(ascii: "x"), count: 120)
        let reports = hidposReports(qr, aim: "]Q1")
        #expect(reports.count == 3)
        var d = HIDPOSDecoder()
        var out: [DecodedItem] = []
        for (i, r) in reports.enumerated() {
            d.feed(r, at: UInt64(i), into: &out)
            if i < 2 { #expect(out.isEmpty && d.pending > 0) }
        }
        #expect(out.count == 1)
        guard case .scan(let text, let data, let sym)? = out.first else { Issue.record("\(out)"); return }
        #expect(data == qr && text.utf8.count == qr.count && sym?.aim == "]Q1")
    }

    @Test func utf8AndGB18030Data() {
        var d = HIDPOSDecoder()
        var out: [DecodedItem] = []
        for r in hidposReports(Array("如意便利店".utf8), aim: "]Q1") { d.feed(r, at: 1, into: &out) }
        #expect(out.texts == ["如意便利店"])
        out = []
        // Not UTF-8 (GB18030 bytes of 中文): kept byte for byte, nothing replaced.
        let gb: [UInt8] = [0xD6, 0xD0, 0xCE, 0xC4]
        for r in hidposReports(gb, aim: "]Q1") { d.feed(r, at: 2, into: &out) }
        guard case .scan(let text, let data, _)? = out.first else { Issue.record("\(out)"); return }
        #expect(data == gb && text.unicodeScalars.map(\.value) == gb.map(UInt32.init))
    }

    @Test func garbageReportsAreCountedAndSkipped() {
        var d = HIDPOSDecoder()
        var out: [DecodedItem] = []
        var good = hidposReports(Array("42".utf8))[0]
        d.feed([UInt8](), at: 1, into: &out)                          // empty
        d.feed(Array(good.prefix(20)), at: 2, into: &out)             // short
        var otherID = good; otherID[0] = 0x04
        d.feed(otherID, at: 3, into: &out)                            // a report id we did not expect
        var tooLong = good; tooLong[1] = 57
        d.feed(tooLong, at: 4, into: &out)                            // length byte beyond the data field
        var empty = good; empty[1] = 0
        d.feed(empty, at: 5, into: &out)                              // a scan of nothing
        d.feed(good, at: 6, into: &out)
        #expect(out.problems.count == 5 && out.problems.allSatisfy { $0.code == "scanner.garbage_report" })
        #expect(out.texts == ["42"])
        good[63] = 1
        d.feed(good, at: 7, into: &out)
        #expect(d.abandon("unplugged")?.code == "scanner.partial_scan_dropped")
    }

    @Test func unfinishedMultiReportScanTimesOut() {
        var d = HIDPOSDecoder(timeoutMS: 100)
        var out: [DecodedItem] = []
        let reports = hidposReports(Array(repeating: UInt8(ascii: "9"), count: 100))
        d.feed(reports[0], at: 0, into: &out)
        d.expire(at: d.deadline!, into: &out)
        #expect(out.problems.map(\.code) == ["scanner.partial_scan_dropped"])
        // The stray final report that comes late is a one-report scan of its own, not glued to the dropped part.
        out = []
        d.feed(hidposReports(Array("7".utf8))[0], at: 1_000_000_000, into: &out)
        #expect(out.texts == ["7"])
    }

    @Test func tenKilobyteScanIsDroppedWhole() {
        var d = HIDPOSDecoder(maximumLength: 8192)
        var out: [DecodedItem] = []
        for r in hidposReports(Array(repeating: UInt8(ascii: "A"), count: 10_240)) { d.feed(r, at: 1, into: &out) }
        #expect(out.problems.map(\.code) == ["scanner.scan_too_long"])
        out = []
        for r in hidposReports(Array("1".utf8)) { d.feed(r, at: 2, into: &out) }
        #expect(out.texts == ["1"])
    }
}

@Suite struct BulkFramerTests {
    @Test func framesOnTheTerminatorAcrossChunks() {
        var f = BulkFramer(terminator: .cr)
        var out: [DecodedItem] = []
        f.feed(Array("69012".utf8), at: 1, into: &out)
        f.feed(Array("34567892\r\n0360".utf8), at: 2, into: &out)
        f.feed(Array("00291452\r".utf8), at: 3, into: &out)
        #expect(out.texts == ["6901234567892", "036000291452"])
        var crlf = BulkFramer(terminator: .crlf)
        out = []
        crlf.feed(Array("A\r\nB\r\n".utf8), at: 1, into: &out)
        #expect(out.texts == ["A", "B"])
    }

    @Test func aimPrefixAndTimeouts() {
        var f = BulkFramer(terminator: .none, timeoutMS: 50, aimPrefix: true)
        var out: [DecodedItem] = []
        f.feed(Array("]E06901234567892".utf8), at: 0, into: &out)
        f.expire(at: f.deadline!, into: &out)
        guard case .scan(let text, _, let sym)? = out.first else { Issue.record("\(out)"); return }
        #expect(text == "6901234567892" && sym?.aim == "]E0")
        var g = BulkFramer(terminator: .cr, timeoutMS: 50)
        out = []
        g.feed(Array("6901".utf8), at: 0, into: &out)
        g.expire(at: g.deadline!, into: &out)
        #expect(out.problems.map(\.code) == ["scanner.partial_scan_dropped"])
    }

    @Test func floodOfTenKilobytesWithoutTerminator() {
        var f = BulkFramer(terminator: .cr, maximumLength: 8192)
        var out: [DecodedItem] = []
        for _ in 0..<160 { f.feed([UInt8](repeating: 0x41, count: 64), at: 1, into: &out) }
        f.feed([0x0D], at: 2, into: &out)
        f.feed(Array("1\r".utf8), at: 3, into: &out)
        #expect(out.problems.map(\.code) == ["scanner.scan_too_long"] && out.texts == ["1"])
    }
}
