import Testing
import RuyiCore
@testable import RuyiReceipts

// Each command's bytes are written out from the Epson ESC/POS command reference, not from the code under test.
@Suite("Receipts: commands, layout and hostile text")
struct ReceiptCommandTests {
    let head58: [UInt8] = [0x1B, 0x40]
    let tail58: [UInt8] = [0x1B, 0x64, 0x03]   // ESC d 3, no cutter on the 58 mm profile

    func bytes(_ blocks: [ReceiptBlock], profile: PrinterProfile = .generic58) throws -> [UInt8] {
        try ReceiptComposer(profile: profile).escpos(ReceiptDocument(blocks: blocks)).bytes
    }

    @Test("EAN-13 and CODE128 barcodes (GS H, GS h, GS w, GS k function B)")
    func barcodes() throws {
        let setup: [UInt8] = [0x1D, 0x48, 0x02, 0x1D, 0x68, 0x50, 0x1D, 0x77, 0x02]
        let ean = try bytes([.barcode(.ean13("6901939621257"))])
        #expect(ean == head58 + [0x1B, 0x61, 0x01] + setup + [0x1D, 0x6B, 0x43, 0x0C] + Array("690193962125".utf8) + [0x1B, 0x61, 0x00] + tail58)
        let c128 = try bytes([.barcode(.code128("0012-34"))])
        #expect(c128 == head58 + [0x1B, 0x61, 0x01] + setup + [0x1D, 0x6B, 0x49, 0x09, 0x7B, 0x42] + Array("0012-34".utf8) + [0x1B, 0x61, 0x00] + tail58)
    }

    @Test("bad barcode and QR data is refused with a reason, not printed wrong")
    func badCodes() throws {
        #expect(throws: ReceiptError.self) { try bytes([.barcode(.ean13("6901939621258"))]) }   // wrong check digit
        #expect(throws: ReceiptError.self) { try bytes([.barcode(.ean13("69019396212"))]) }     // 11 digits
        #expect(throws: ReceiptError.self) { try bytes([.barcode(.code128("单号"))]) }          // not ASCII
        #expect(throws: ReceiptError.self) { try bytes([.barcode(.code128(""))]) }
        #expect(throws: ReceiptError.self) { try bytes([.qr("")]) }
        #expect(throws: ReceiptError.self) { try bytes([.qr(String(repeating: "x", count: 2954))]) }
    }

    @Test("drawer pulse on pin 2 and pin 5 with the profile's times (ESC p m t1 t2)")
    func drawer() throws {
        let composer = try ReceiptComposer(profile: PrinterProfile(name: "t", paperWidthMM: 80, columns: 48, drawerPulseOn: 60, drawerPulseOff: 120))
        #expect(composer.drawerKick() == [0x1B, 0x70, 0x00, 60, 120])
        #expect(composer.drawerKick(pin5: true) == [0x1B, 0x70, 0x01, 60, 120])
    }

    @Test("underline, right alignment, line spacing and feeds")
    func styles() throws {
        let b = try bytes([
            .text("AB", align: .right, style: TextStyle(underline: true)),
            .lineSpacing(40), .feed(2), .lineSpacing(nil),
        ])
        #expect(b == head58 + [0x1B, 0x2D, 0x01] + sp(30) + Array("AB".utf8) + LF + [0x1B, 0x2D, 0x00]
            + [0x1B, 0x33, 40] + [0x1B, 0x64, 0x02] + [0x1B, 0x32] + tail58)
    }

    @Test("a product name cannot smuggle printer commands: control characters print as ?, and are reported")
    func hostileText() throws {
        // ESC d 255 (feed the roll out), GS V (cut), ESC p (drawer), NUL, DEL, a C1 control.
        let name = "A\u{1B}d\u{FF}B\u{1D}V\u{0}C\u{7F}\u{85}"
        let (b, replaced) = try ReceiptComposer(profile: .generic58).escpos(ReceiptDocument(blocks: [.text(name)]))
        // ÿ (U+00FF) is not a control: GB18030 spells it 81 30 8B 37, four bytes, so it is replaced by □ (A1 F5).
        #expect(b == head58 + Array("A?d".utf8) + [0xA1, 0xF5] + Array("B?V?C??".utf8) + LF + tail58)
        #expect(replaced.sorted { $0.value < $1.value } == ["\u{0}", "\u{1B}", "\u{1D}", "\u{7F}", "\u{85}", "\u{FF}"])
        #expect(!b.dropFirst(2).dropLast(3).contains(0x1B) && !b.contains(0x1D))
    }

    @Test("¥ U+00A5 becomes ￥ U+FFE5; a 4-byte character prints as is on a printer that can")
    func currencyAndFourByte() throws {
        let yen = try bytes([.text("¥5")])
        #expect(yen == head58 + [0xA3, 0xA4] + Array("5".utf8) + LF + tail58)
        var profile = PrinterProfile.generic58
        profile.fourByteCharacters = true
        let (b, replaced) = try ReceiptComposer(profile: profile).escpos(ReceiptDocument(blocks: [.text("𠮷")]))
        #expect(b == head58 + [0x95, 0x34, 0xB2, 0x35] + LF + tail58)   // GB18030 of U+20BB7
        #expect(replaced.isEmpty)
    }

    @Test("a long Chinese name wraps by printed width and no character straddles the edge")
    func wrapping() throws {
        // 17 ideographs = 34 columns on 32-column paper: 16 on the first line (32 columns), 1 on the next.
        let name = String(repeating: "山", count: 17)
        let preview = try ReceiptComposer(profile: .generic58).preview(ReceiptDocument(blocks: [.text(name)]))
        #expect(preview == String(repeating: "山", count: 16) + "\n" + "山" + "\n")
        // An odd number of free columns: 1 ASCII + 16 ideographs = 33 columns → the 16th ideograph moves down.
        let odd = try ReceiptComposer(profile: .generic58).preview(ReceiptDocument(blocks: [.text("A" + String(repeating: "山", count: 16))]))
        #expect(odd == "A" + String(repeating: "山", count: 15) + "\n" + "山" + "\n")
    }

    @Test("an amount that does not fit beside its label goes right-aligned on the next line")
    func pairOverflow() throws {
        let label = String(repeating: "山", count: 14)   // 28 columns
        let preview = try ReceiptComposer(profile: .generic58).preview(ReceiptDocument(blocks: [.pair(label, "123.45")]))
        #expect(preview == label + "\n" + String(repeating: " ", count: 26) + "123.45\n")
    }

    @Test("preview lines lose their trailing spaces only, after any character")
    func trailingSpaces() {
        #expect(ReceiptComposer.trimmingTrailingSpaces("合计  12.50   ") == "合计  12.50")
        #expect(ReceiptComposer.trimmingTrailingSpaces("山 ") == "山")
        #expect(ReceiptComposer.trimmingTrailingSpaces("e\u{301} ") == "e\u{301}")
        #expect(ReceiptComposer.trimmingTrailingSpaces("    ").isEmpty && ReceiptComposer.trimmingTrailingSpaces("").isEmpty)
        #expect(ReceiptComposer.trimmingTrailingSpaces("  indent") == "  indent")
    }
}

@Suite("Frozen receipt documents")
struct FrozenDocumentTests {
    @Test("the hand-written frozen form is byte-equal to the generic canonical encoder and thaws back to the same document")
    func frozen() throws {
        let doc = ReceiptDocument(blocks: goldenSale.document().blocks + [
            .blank, .barcode(.ean13("6901939621257")), .barcode(.code128("0012-34")), .lineSpacing(40), .lineSpacing(nil), .feed(2),
            .qr("x\"\\\u{1}y", errorCorrection: .high), .text("é×", align: .right, style: TextStyle(underline: true, doubleWidth: true)),
        ], cut: false)
        let frozen = try ReceiptDocument.frozen(doc)
        #expect(frozen == (try CanonicalEncoder().encode(doc)))
        #expect(try ReceiptDocument.thawed(frozen) == doc)
    }
}
