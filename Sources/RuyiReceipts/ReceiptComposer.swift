import RuyiCore

/// Renders receipt documents for one printer profile: ESC/POS bytes, and a plain-text preview that looks exactly like
/// the paper (same line breaks, same columns). Not thread-safe (it reuses its iconv converter and buffers): one composer
/// per printer, owned by whoever owns that printer.
public final class ReceiptComposer {
    public let profile: PrinterProfile
    private let text: GB18030Text

    public init(profile: PrinterProfile) throws(ReceiptError) {
        self.profile = profile
        text = try GB18030Text(fourByteCharacters: profile.fourByteCharacters)
    }

    /// The mark a reprint carries above the receipt.
    static let reprintMark = ReceiptBlock.text("** 重打 REPRINT **", align: .center, style: TextStyle(bold: true, doubleHeight: true))

    /// The bytes for the printer, and the characters that had to be replaced (for the log; empty when none).
    ///
    /// A reprint is the original's bytes with the REPRINT mark (and a return to normal style) inserted after the
    /// printer's initialisation: identical but for its mark.
    public func escpos(_ document: ReceiptDocument, reprint: Bool = false) throws(ReceiptError) -> (bytes: [UInt8], replaced: [Unicode.Scalar]) {
        text.resetReplacements()
        let layout = ReceiptLayout(columns: profile.columns, text: text)
        let mark = reprint ? layout.layout(ReceiptDocument(blocks: [Self.reprintMark])) : []
        let items = mark + layout.layout(document)
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out += ESCPOS.initialize
        if profile.needsChineseModeCommand { out += ESCPOS.chineseMode }
        var style = TextStyle.normal
        func apply(_ next: TextStyle) {
            if next.bold != style.bold { out += ESCPOS.bold(next.bold) }
            if next.underline != style.underline { out += ESCPOS.underline(next.underline) }
            if next.doubleWidth != style.doubleWidth || next.doubleHeight != style.doubleHeight {
                out += ESCPOS.size(doubleWidth: next.doubleWidth, doubleHeight: next.doubleHeight)
            }
            style = next
        }
        for (n, item) in items.enumerated() {
            if reprint && n == mark.count { apply(.normal) }
            switch item {
            case let .line(line):
                apply(line.style)
                for _ in 0..<line.indent { out.append(0x20) }
                for c in line.cells { c.append(to: &out) }
                out.append(0x0A)
            case let .qr(data, ec):
                apply(.normal)
                out += ESCPOS.align(.center)
                out += try ESCPOS.qr(Array(data.utf8), moduleSize: profile.qrModuleSize, errorCorrection: ec)
                out += ESCPOS.align(.left)
            case let .barcode(code):
                apply(.normal)
                out += ESCPOS.align(.center)
                out += try ESCPOS.barcode(code)
                out += ESCPOS.align(.left)
            case let .lineSpacing(dots):
                apply(.normal)
                out += ESCPOS.lineSpacing(dots)
            case let .feed(n):
                apply(.normal)
                out += ESCPOS.feed(lines: n)
            }
        }
        apply(.normal)
        out += ESCPOS.feed(lines: UInt8(clamping: profile.feedBeforeCut))
        if document.cut {
            switch profile.cutter {
            case .none: break
            case .partial: out += ESCPOS.cut(partial: true)
            case .full: out += ESCPOS.cut(partial: false)
            }
        }
        return (out, text.replaced)
    }

    /// The receipt as plain text, as it looks on paper: each line is the paper's columns wide (a character that prints
    /// double-width but shows narrow in a terminal is followed by a space; double-size text is spaced out).
    public func preview(_ document: ReceiptDocument, reprint: Bool = false) -> String {
        text.resetReplacements()
        let items = ReceiptLayout(columns: profile.columns, text: text).layout(ReceiptDocument(blocks: (reprint ? [Self.reprintMark] : []) + document.blocks))
        var lines: [String] = []
        for item in items {
            switch item {
            case let .line(line):
                let scale = line.style.doubleWidth ? 2 : 1
                var s = String(repeating: " ", count: line.indent * scale)
                for c in line.cells {
                    s.unicodeScalars.append(c.scalar)
                    let shown = Self.terminalWidth(c.scalar)
                    let paper = c.width * scale
                    if paper > shown { s += String(repeating: " ", count: paper - shown) }
                }
                lines.append(s)
            case let .qr(data, _):
                lines.append(centered("[QR \(data)]"))
            case let .barcode(code):
                switch code {
                case let .ean13(d): lines.append(centered("[EAN-13 \(d)]"))
                case let .code128(d): lines.append(centered("[CODE128 \(d)]"))
                }
            case .lineSpacing:
                break
            case let .feed(n):
                lines += [String](repeating: "", count: Int(n))
            }
        }
        return lines.map(Self.trimmingTrailingSpaces).joined(separator: "\n") + "\n"
    }

    /// `s` without its trailing spaces, found on the UTF-8 bytes (a space is one byte and never inside a character's
    /// encoding); the generic reversed-collection form cost most of a tender's CPU.
    static func trimmingTrailingSpaces(_ s: String) -> String {
        let utf8 = s.utf8
        var end = utf8.endIndex
        while end > utf8.startIndex {
            let before = utf8.index(before: end)
            guard utf8[before] == UInt8(ascii: " ") else { break }
            end = before
        }
        return String(s[..<end])
    }

    /// A drawer kick on its own (never queued: a kick is sent now or not at all).
    public func drawerKick(pin5: Bool = false) -> [UInt8] {
        ESCPOS.drawerPulse(pin5: pin5, on: profile.drawerPulseOn, off: profile.drawerPulseOff)
    }

    private func centered(_ s: String) -> String {
        let cut = s.count > profile.columns ? String(s.prefix(profile.columns - 1)) + "…" : s
        return String(repeating: " ", count: max(0, (profile.columns - cut.count) / 2)) + cut
    }

    /// Columns a terminal gives a character (East Asian Wide and Fullwidth: 2).
    static func terminalWidth(_ s: Unicode.Scalar) -> Int {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            2
        default:
            1
        }
    }
}

/// ESC/POS commands (Epson ESC/POS command reference; the subset Chinese thermal printers share).
enum ESCPOS {
    /// ESC @: initialise the printer.
    static let initialize: [UInt8] = [0x1B, 0x40]
    /// FS &: enter Chinese (Kanji) character mode.
    static let chineseMode: [UInt8] = [0x1C, 0x26]
    /// ESC E n: bold on/off.
    static func bold(_ on: Bool) -> [UInt8] { [0x1B, 0x45, on ? 1 : 0] }
    /// ESC - n: underline (1 dot) on/off.
    static func underline(_ on: Bool) -> [UInt8] { [0x1B, 0x2D, on ? 1 : 0] }
    /// GS ! n: character size; bits 4–6 width, 0–2 height (applies to Chinese characters too).
    static func size(doubleWidth: Bool, doubleHeight: Bool) -> [UInt8] { [0x1D, 0x21, (doubleWidth ? 0x10 : 0) | (doubleHeight ? 0x01 : 0)] }
    /// ESC a n: justification.
    static func align(_ a: Alignment) -> [UInt8] { [0x1B, 0x61, a == .left ? 0 : a == .center ? 1 : 2] }
    /// ESC 3 n: line spacing n dots; ESC 2: default.
    static func lineSpacing(_ dots: UInt8?) -> [UInt8] { dots.map { [0x1B, 0x33, $0] } ?? [0x1B, 0x32] }
    /// ESC d n: print and feed n lines.
    static func feed(lines: UInt8) -> [UInt8] { [0x1B, 0x64, lines] }
    /// GS V m: cut (function A): 1 partial, 0 full.
    static func cut(partial: Bool) -> [UInt8] { [0x1D, 0x56, partial ? 1 : 0] }
    /// ESC p m t1 t2: drawer pulse on pin 2 (m=0) or pin 5 (m=1), on/off times in 2 ms units.
    static func drawerPulse(pin5: Bool, on: UInt8, off: UInt8) -> [UInt8] { [0x1B, 0x70, pin5 ? 1 : 0, on, off] }

    /// GS ( k: QR model 2 — select model, module size, error correction, store the data, print it.
    static func qr(_ data: [UInt8], moduleSize: UInt8, errorCorrection: QRErrorCorrection) throws(ReceiptError) -> [UInt8] {
        guard !data.isEmpty else { throw .invalidQR("no data") }
        guard data.count <= 2953 else { throw .invalidQR("\(data.count) bytes; a QR code holds at most 2953") }
        let ec: UInt8 = switch errorCorrection {
        case .low: 0x30
        case .medium: 0x31
        case .quartile: 0x32
        case .high: 0x33
        }
        let k = data.count + 3
        var out: [UInt8] = [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
        out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, min(max(moduleSize, 1), 16)]
        out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, ec]
        out += [0x1D, 0x28, 0x6B, UInt8(k & 0xFF), UInt8(k >> 8), 0x31, 0x50, 0x30] + data
        out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
        return out
    }

    /// GS H 2 (human-readable text below), GS h 80 (height), GS w 2 (module width), then GS k (function B).
    static func barcode(_ code: ReceiptBarcode) throws(ReceiptError) -> [UInt8] {
        var out: [UInt8] = [0x1D, 0x48, 0x02, 0x1D, 0x68, 0x50, 0x1D, 0x77, 0x02]
        switch code {
        case let .ean13(digits):
            let d = Array(digits.utf8)
            guard d.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), d.count == 12 || d.count == 13 else {
                throw .invalidBarcode("EAN-13 needs 12 or 13 digits, not \"\(digits)\"")
            }
            if d.count == 13, GTIN.checkDigit(forPayload: d.prefix(12).map { $0 - 0x30 }) != Int(d[12] - 0x30) {
                throw .invalidBarcode("EAN-13 \(digits) has a wrong check digit")
            }
            // The printer computes the check digit from the first 12.
            out += [0x1D, 0x6B, 0x43, 0x0C] + d.prefix(12)
        case let .code128(text):
            let d = Array(text.utf8)
            guard !d.isEmpty, d.count <= 253, d.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !d.contains(0x7B) else {
                throw .invalidBarcode("CODE128 takes 1–253 printable ASCII characters without '{'")
            }
            // Code set B: "{B" then the data.
            out += [0x1D, 0x6B, 0x49, UInt8(d.count + 2), 0x7B, 0x42] + d
        }
        return out
    }
}
