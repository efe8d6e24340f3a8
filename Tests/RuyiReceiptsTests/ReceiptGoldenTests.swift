import Testing
import RuyiCore
@testable import RuyiReceipts

// The expected bytes are written out by hand from the Epson ESC/POS command reference; gaps and indents are counted by
// hand (in printed columns: 2 per GB18030 double-byte character). Chinese text is spelled with the GB18030 codes below,
// taken from an independent encoder (Python's gb18030 codec), not from the code under test.
let gbCodes: [Character: [UInt8]] = [
    "·": [0xA1, 0xA4], "×": [0xA1, 0xC1], "□": [0xA1, 0xF5], "中": [0xD6, 0xD0], "临": [0xC1, 0xD9], "乐": [0xC0, 0xD6],
    "优": [0xD3, 0xC5], "便": [0xB1, 0xE3], "光": [0xB9, 0xE2], "其": [0xC6, 0xE4], "利": [0xC0, 0xFB], "单": [0xB5, 0xA5],
    "口": [0xBF, 0xDA], "可": [0xBF, 0xC9], "号": [0xBA, 0xC5], "合": [0xBA, 0xCF], "员": [0xD4, 0xB1], "团": [0xCD, 0xC5],
    "如": [0xC8, 0xE7], "家": [0xBC, 0xD2], "小": [0xD0, 0xA1], "山": [0xC9, 0xBD], "店": [0xB5, 0xEA], "惠": [0xBB, 0xDD],
    "意": [0xD2, 0xE2], "找": [0xD5, 0xD2], "收": [0xCA, 0xD5], "散": [0xC9, 0xA2], "整": [0xD5, 0xFB], "果": [0xB9, 0xFB],
    "欢": [0xBB, 0xB6], "王": [0xCD, 0xF5], "现": [0xCF, 0xD6], "称": [0xB3, 0xC6], "税": [0xCB, 0xB0], "苹": [0xC6, 0xBB],
    "计": [0xBC, 0xC6], "谢": [0xD0, 0xBB], "路": [0xC2, 0xB7], "迎": [0xD3, 0xAD], "野": [0xD2, 0xB0], "金": [0xBD, 0xF0],
    "银": [0xD2, 0xF8], "零": [0xC1, 0xE3], "顾": [0xB9, 0xCB], "额": [0xB6, 0xEE], "饭": [0xB7, 0xB9], "￥": [0xA3, 0xA4],
]

/// Hand-spelled GB18030: ASCII as is, everything else from the table above.
func gb(_ s: String) -> [UInt8] {
    s.flatMap { c -> [UInt8] in
        if let a = c.asciiValue { return [a] }
        guard let bytes = gbCodes[c] else { Issue.record("no GB code written down for \(c)"); return [] }
        return bytes
    }
}

func sp(_ n: Int) -> [UInt8] { [UInt8](repeating: 0x20, count: n) }
let LF: [UInt8] = [0x0A]

/// Chinese names, a weighed item, a line and a sale discount, two tax rates, cash with change, a QR code, and the
/// characters ×, ·, ￥ plus one 4-byte character (𠮷, U+20BB7).
let goldenSale = SaleReceipt(
    storeName: "如意便利店", headerLines: ["中山路店·欢迎光临"], receiptNumber: "0012", time: "2026-11-23 09:30", cashier: "小王",
    items: [
        .init(name: "可口可乐 330ml", quantity: "2", unitPrice: Money(fen: 350), amount: Money(fen: 700)),
        .init(name: "散称苹果", quantity: "0.456kg", unitPrice: Money(fen: 1280), unitSuffix: "/kg", amount: Money(fen: 584)),
        .init(name: "𠮷野家饭团", quantity: "1", unitPrice: Money(fen: 1200), amount: Money(fen: 1200), discount: Money(fen: 100)),
    ],
    discounts: [.init("整单优惠", Money(fen: 84))], total: Money(fen: 2300),
    taxes: [.init("13%", Money(fen: 198)), .init("9%", Money(fen: 48))],
    tenders: [.init("现金", Money(fen: 5000))], change: Money(fen: 2700),
    footerLines: ["谢谢惠顾"], qr: "RY0012")

/// The receipt for a paper width: `columns` and the commands that differ between the two profiles.
func expectedBytes(columns c: Int, chineseMode: Bool, qrSize: UInt8, feed: UInt8, cut: [UInt8]) -> [UInt8] {
    let g = c - 32   // every gap and indent grows by this on wider paper
    let dashes = gb(String(repeating: "-", count: c)) + LF
    var e: [UInt8] = [0x1B, 0x40]                                        // ESC @
    if chineseMode { e += [0x1C, 0x26] }                                 // FS &
    e += [0x1B, 0x45, 0x01] + [0x1D, 0x21, 0x11]                         // ESC E 1, GS ! 0x11 (double width and height)
    e += sp(3 + g / 4) + gb("如意便利店") + LF                            // 10 of 16 (24) double-width columns, centred
    e += [0x1B, 0x45, 0x00] + [0x1D, 0x21, 0x00]                         // ESC E 0, GS ! 0
    e += sp(7 + g / 2) + gb("中山路店·欢迎光临") + LF                     // 18 columns: · prints double-width
    e += dashes
    e += gb("单号 0012") + sp(7 + g) + gb("2026-11-23 09:30") + LF
    e += gb("收银员 小王") + LF
    e += dashes
    e += gb("可口可乐 330ml") + LF
    e += gb("  2 × 3.50") + sp(17 + g) + gb("7.00") + LF                 // × is 2 columns: the label is 11
    e += gb("散称苹果") + LF
    e += gb("  0.456kg × 12.80/kg") + sp(7 + g) + gb("5.84") + LF
    e += gb("□野家饭团") + LF                                            // 𠮷 needs 4 bytes: replaced visibly
    e += gb("  1 × 12.00") + sp(15 + g) + gb("12.00") + LF
    e += gb("  优惠") + sp(21 + g) + gb("-1.00") + LF
    e += dashes
    e += gb("整单优惠") + sp(19 + g) + gb("-0.84") + LF
    e += [0x1B, 0x45, 0x01] + [0x1D, 0x21, 0x01]                         // ESC E 1, GS ! 0x01 (double height)
    e += gb("合计") + sp(21 + g) + gb("￥23.00") + LF
    e += [0x1B, 0x45, 0x00] + [0x1D, 0x21, 0x00]
    e += gb("其中税额 13%") + sp(16 + g) + gb("1.98") + LF
    e += gb("其中税额 9%") + sp(17 + g) + gb("0.48") + LF
    e += dashes
    e += gb("现金") + sp(23 + g) + gb("50.00") + LF
    e += gb("找零") + sp(23 + g) + gb("27.00") + LF
    e += dashes
    e += sp(12 + g / 2) + gb("谢谢惠顾") + LF
    e += [0x1B, 0x61, 0x01]                                              // ESC a 1: centre the QR code
    e += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]          // GS ( k fn 65: model 2
    e += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, qrSize]              // fn 67: module size
    e += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]                // fn 69: error correction M
    e += [0x1D, 0x28, 0x6B, 0x09, 0x00, 0x31, 0x50, 0x30] + gb("RY0012") // fn 80: store 6 bytes (pL = 6 + 3)
    e += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]                // fn 81: print
    e += [0x1B, 0x61, 0x00]                                              // ESC a 0
    e += [0x1B, 0x64, feed]                                              // ESC d n: feed past the cutter
    e += cut
    return e
}

@Suite("Receipts: ESC/POS golden bytes")
struct ReceiptGoldenTests {
    @Test("58 mm: 32 columns, no cutter")
    func golden58() throws {
        let composer = try ReceiptComposer(profile: .generic58)
        let (bytes, replaced) = try composer.escpos(goldenSale.document())
        let expected = expectedBytes(columns: 32, chineseMode: false, qrSize: 5, feed: 3, cut: [])
        #expect(bytes == expected)
        if bytes != expected { firstDifference(bytes, expected) }
        #expect(replaced == ["\u{20BB7}"])
    }

    @Test("80 mm: 48 columns, Chinese mode command, partial cut")
    func golden80() throws {
        let composer = try ReceiptComposer(profile: .generic80)
        let (bytes, _) = try composer.escpos(goldenSale.document())
        let expected = expectedBytes(columns: 48, chineseMode: true, qrSize: 6, feed: 4, cut: [0x1D, 0x56, 0x01])   // GS V 1
        #expect(bytes == expected)
        if bytes != expected { firstDifference(bytes, expected) }
    }

    @Test("80 mm on a 512-dot head: 42 columns, every gap shrinks by 6")
    func golden80narrow() throws {
        let composer = try ReceiptComposer(profile: PrinterProfile(name: "80 mm (42)", paperWidthMM: 80, columns: 42, needsChineseModeCommand: true))
        let (bytes, _) = try composer.escpos(goldenSale.document())
        let expected = expectedBytes(columns: 42, chineseMode: true, qrSize: 6, feed: 4, cut: [0x1D, 0x56, 0x01])
        #expect(bytes == expected)
        if bytes != expected { firstDifference(bytes, expected) }
    }

    @Test("the preview looks like the paper")
    func preview58() throws {
        let composer = try ReceiptComposer(profile: .generic58)
        // Written by hand. Double-size text is spaced out; × · □ print 2 columns but show as 1, so a space follows them.
        let expected = """
                  如  意  便  利  店
                   中山路店· 欢迎光临
            --------------------------------
            单号 0012       2026-11-23 09:30
            收银员 小王
            --------------------------------
            可口可乐 330ml
              2 ×  3.50                 7.00
            散称苹果
              0.456kg ×  12.80/kg       5.84
            □ 野家饭团
              1 ×  12.00               12.00
              优惠                     -1.00
            --------------------------------
            整单优惠                   -0.84
            合计                     ￥23.00
            其中税额 13%                1.98
            其中税额 9%                 0.48
            --------------------------------
            现金                       50.00
            找零                       27.00
            --------------------------------
                        谢谢惠顾
                      [QR RY0012]

            """
        #expect(composer.preview(goldenSale.document()) == expected)
    }

    @Test("a reprint is the original's bytes with the REPRINT mark inserted")
    func reprint() throws {
        let composer = try ReceiptComposer(profile: .generic80)
        let original = try composer.escpos(goldenSale.document()).bytes
        let again = try composer.escpos(goldenSale.document(), reprint: true).bytes
        // "** 重打 REPRINT **": 3 + 4 + 8 + 3 = 18 columns; centred in 48 → 15 spaces.
        let mark: [UInt8] = [0x1B, 0x45, 0x01, 0x1D, 0x21, 0x01] + sp(15) + [0x2A, 0x2A, 0x20, 0xD6, 0xD8, 0xB4, 0xF2] + gb(" REPRINT **") + LF
            + [0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00]
        let head = [0x1B, 0x40, 0x1C, 0x26] as [UInt8]
        #expect(again == head + mark + original.dropFirst(head.count))
        #expect(composer.preview(goldenSale.document(), reprint: true).hasPrefix("               ** 重打 REPRINT **\n"))
    }

    func firstDifference(_ a: [UInt8], _ b: [UInt8]) {
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record("first difference at byte \(i): got \(a[i..<min(a.count, i + 24)].map { String($0, radix: 16) }) expected \(b[i..<min(b.count, i + 24)].map { String($0, radix: 16) })")
    }
}
