/// The reverse of `KeyboardDecoder`: the boot-keyboard reports a scanner programmed with `layout` sends for a text.
/// Used by the tests, the benchmark and `ruyi usb` to know what a scanner should send; never on the scan path.
public struct KeyboardReportEncoder: Sendable {
    public let layout: KeyboardLayout
    private var strokes: [UInt32: (usage: UInt8, modifiers: UInt8, dead: Bool)] = [:]

    public init(layout: KeyboardLayout) {
        self.layout = layout
        // Prefer the plain level, then Shift, then AltGr, and lower usages (main block before keypad, except digits).
        for (level, table, modifiers) in [(0, layout.plain, UInt8(0)), (1, layout.shift, UInt8(0x02)), (2, layout.altGr, UInt8(0x40))] {
            _ = level
            for u in 0..<256 where table[u] != 0 && strokes[table[u]] == nil && !(u >= 0x54 && u <= 0x67) {
                strokes[table[u]] = (UInt8(u), modifiers, layout.dead[u] && modifiers != 0x40)
            }
        }
        for u in 0..<256 where layout.plain[u] != 0 && strokes[layout.plain[u]] == nil { strokes[layout.plain[u]] = (UInt8(u), 0, false) }
        for u in 0..<256 where layout.control[u] != 0xFF && strokes[UInt32(layout.control[u])] == nil {
            strokes[UInt32(layout.control[u])] = (UInt8(u), 0x01, false)
        }
        for u in 0..<256 where layout.plain[u] >= 0x61 && layout.plain[u] <= 0x7A && strokes[layout.plain[u] & 0x1F] == nil {
            strokes[layout.plain[u] & 0x1F] = (UInt8(u), 0x01, false)
        }
    }

    /// Press and release reports for `text`, then the terminator (Enter or Tab; none for `.none`). Characters the
    /// layout cannot type are sent as Alt+keypad Unicode codes, as scanners in "Alt mode" do. 8 bytes each.
    public func reports(typing text: String, terminator: KeyboardTerminator = .enter, keypadDigits: Bool = false) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let release = [UInt8](repeating: 0, count: 8)
        func key(_ usage: UInt8, _ modifiers: UInt8) {
            out.append([modifiers, 0, usage, 0, 0, 0, 0, 0])
            out.append(release)
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if keypadDigits, v >= 0x30 && v <= 0x39 { key(v == 0x30 ? 0x62 : UInt8(0x58 + v - 0x30), 0); continue }
            if let s = strokes[v] {
                key(s.usage, s.modifiers)
                if s.dead { key(0x2C, 0) }
                continue
            }
            // Alt held, keypad digits of the code point, Alt let go.
            let digits = (v < 256 ? "0" + String(v) : String(v)).utf8.map { $0 - 0x30 } // 0nnn: Windows-1252
            for d in digits { out.append([0x04, 0, d == 0 ? 0x62 : 0x58 + d, 0, 0, 0, 0, 0]); out.append([0x04, 0, 0, 0, 0, 0, 0, 0]) }
            out.append(release)
        }
        switch terminator {
        case .enter: key(0x28, 0)
        case .tab: key(0x2B, 0)
        case .none: break
        }
        return out
    }

    /// Whether every character of `text` has a key (no Alt codes needed).
    public func canType(_ text: String) -> Bool { text.unicodeScalars.allSatisfy { strokes[$0.value] != nil } }
}
