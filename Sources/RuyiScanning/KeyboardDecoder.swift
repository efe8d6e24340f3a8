import RuyiCore

/// Which key ends a keyboard-mode scan (the scanner's programmed suffix).
public enum KeyboardTerminator: String, Hashable, Sendable, CaseIterable {
    case enter, tab
    /// No suffix: a pause of `timeoutMS` ends the scan.
    case none
}

/// Turns HID boot-protocol keyboard reports (`[modifiers, 0, key1…key6]`) from a scanner in keyboard mode into scans.
///
/// Decoding is ours, from the scanner's layout, never the OS keyboard map. Rules a scanner relies on:
/// - a key counts when it appears in a report it was not in before (scanners send press, then an empty report);
/// - keypad keys are digits whatever the NumLock state (we never track NumLock);
/// - Ctrl+letter gives 0x01–0x1A and Ctrl+`]` gives 0x1D, the GS1 group separator (positions per layout);
/// - Alt held while keypad digits are typed gives the character they encode when Alt is let go: `0nnn` is
///   Windows-1252, `nnn` below 256 is code page 437, larger numbers are Unicode code points;
/// - right Alt (or Ctrl+Alt) is AltGr on layouts that have one;
/// - Enter always ends a scan; Tab does when the profile says so; with no terminator a pause ends it. With a terminator
///   configured, a pause means a scan was cut off: it is dropped, never delivered half.
public struct KeyboardDecoder: Sendable {
    public let layout: KeyboardLayout
    public let terminator: KeyboardTerminator
    /// Nanoseconds of silence that end (no terminator) or abandon (terminator) a scan in progress.
    public let timeout: UInt64
    public let maximumLength: Int
    /// Present when the device sends a report id before the boot report (non-boot keyboards).
    public let reportID: UInt8?
    /// The scanner was programmed to send an AIM symbology identifier (`]E0`) before the data: strip it into `symbology`.
    public let aimPrefix: Bool

    private var previous: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
    private var previousModifiers: UInt8 = 0
    private var scalars = String.UnicodeScalarView()
    private var count = 0
    private var overflowed = false
    private var lastReport: UInt64 = 0
    private var capsLock = false
    private var altCode: UInt32 = 0
    private var altDigits = 0
    private var altLeadingZero = false
    private var pendingDead: UInt32 = 0

    public init(layout: KeyboardLayout, terminator: KeyboardTerminator = .enter, timeoutMS: Int = 100,
                maximumLength: Int = 4096, reportID: UInt8? = nil, aimPrefix: Bool = false) {
        self.layout = layout
        self.terminator = terminator
        self.timeout = UInt64(max(timeoutMS, 1)) * 1_000_000
        self.maximumLength = maximumLength
        self.reportID = reportID
        self.aimPrefix = aimPrefix
    }

    /// Characters of an unfinished scan.
    public var pending: Int { count }

    /// When `expire(at:)` should be called if no report arrives first; nil when no scan is in progress.
    public var deadline: UInt64? { count > 0 || overflowed ? lastReport &+ timeout : nil }

    static let modifierCtrl: UInt8 = 0x11, modifierShift: UInt8 = 0x22, leftAlt: UInt8 = 0x04, rightAlt: UInt8 = 0x40

    /// Feeds one interrupt-IN report received at `time` (monotonic ns).
    public mutating func feed(_ report: UnsafeRawBufferPointer, at time: UInt64, into out: inout [DecodedItem]) {
        if count > 0 || overflowed, time &- lastReport > timeout { expire(at: time, into: &out) }
        var base = 0
        if let id = reportID {
            guard report.count == 9, report[0] == id else {
                out.append(.problem(.garbage("keyboard report of \(report.count) bytes\(report.isEmpty ? "" : " with id \(report[0])"); expected 9 bytes with id \(id)")))
                return
            }
            base = 1
        } else {
            guard report.count == 8 else {
                out.append(.problem(.garbage("keyboard report of \(report.count) bytes; a boot keyboard report has 8")))
                return
            }
        }
        lastReport = time
        let modifiers = report[base]
        let keys = (report[base + 2], report[base + 3], report[base + 4], report[base + 5], report[base + 6], report[base + 7])
        if keys.0 == 1 || keys.0 == 2 || keys.0 == 3 {
            // ErrorRollOver / POSTFail / ErrorUndefined: the keyboard lost track of its keys.
            out.append(.problem(.garbage("keyboard reported error usage 0x0\(keys.0)")))
            return
        }
        // Alt let go ends an Alt+keypad code.
        let altMask = layout.hasAltGr ? Self.leftAlt : (Self.leftAlt | Self.rightAlt)
        if previousModifiers & altMask != 0, modifiers & altMask == 0, altDigits > 0 { finishAltCode(into: &out) }
        previousModifiers = modifiers
        withUnsafeBytes(of: keys) { now in
            withUnsafeBytes(of: previous) { before in
                for i in 0..<6 {
                    let usage = now[i]
                    if usage == 0 { continue }
                    if before[0] == usage || before[1] == usage || before[2] == usage || before[3] == usage || before[4] == usage || before[5] == usage { continue }
                    press(usage, modifiers: modifiers, into: &out)
                }
            }
        }
        previous = keys
    }

    /// `[UInt8]` convenience for tests and tools.
    public mutating func feed(_ report: [UInt8], at time: UInt64, into out: inout [DecodedItem]) {
        report.withUnsafeBytes { feed($0, at: time, into: &out) }
    }

    /// No report came within the timeout: end the scan (no terminator) or drop it (it was cut off).
    public mutating func expire(at time: UInt64, into out: inout [DecodedItem]) {
        guard count > 0 || overflowed, time &- lastReport >= timeout else { return }
        if terminator == .none && !overflowed {
            frame(into: &out)
        } else if overflowed {
            out.append(.problem(.tooLong(maximumLength)))
            reset()
        } else {
            out.append(.problem(.partialDropped(count, "no \(terminator.rawValue) within \(timeout / 1_000_000) ms")))
            reset()
        }
    }

    /// The device went away or the driver stops: drop a scan in progress (logged by the caller, never delivered).
    public mutating func abandon(_ why: String) -> ScanProblem? {
        defer { reset(); previous = (0, 0, 0, 0, 0, 0); previousModifiers = 0 }
        guard count > 0 || overflowed else { return nil }
        return .partialDropped(count, why)
    }

    private mutating func reset() {
        scalars = String.UnicodeScalarView()
        count = 0
        overflowed = false
        altCode = 0
        altDigits = 0
        pendingDead = 0
    }

    private mutating func press(_ usage: UInt8, modifiers: UInt8, into out: inout [DecodedItem]) {
        switch usage {
        case 0x28, 0x58: // Enter, keypad Enter
            frame(into: &out); return
        case 0x2B: // Tab
            if terminator == .tab { frame(into: &out) } else { append(0x09) }
            return
        case 0x39: // Caps Lock: some scanners toggle it to type capitals
            capsLock.toggle(); return
        case 0x53: // Num Lock: ignored on purpose, keypad keys are digits either way
            return
        default:
            break
        }
        let ctrl = modifiers & Self.modifierCtrl != 0
        let shifted = modifiers & Self.modifierShift != 0
        let leftAlt = modifiers & Self.leftAlt != 0
        let rightAlt = modifiers & Self.rightAlt != 0
        let altGr = layout.hasAltGr && (rightAlt || (ctrl && leftAlt))
        let altCodeMode = !altGr && (leftAlt || rightAlt)
        let u = Int(usage)
        if usage >= 0x59 && usage <= 0x62 { // keypad 1…9, 0
            let digit = usage == 0x62 ? 0 : UInt32(usage - 0x58)
            if altCodeMode {
                if altDigits == 0 && digit == 0 { altLeadingZero = true }
                if altDigits < 7 { altCode = altCode * 10 + digit }
                altDigits += 1
            } else {
                append(0x30 + digit)
            }
            return
        }
        if altCodeMode { out.append(.problem(.unknownKey(usage))); return } // Alt+letter is a menu shortcut, not data
        if ctrl && !altGr {
            let p = layout.plain[u]
            if p >= 0x61 && p <= 0x7A { append(p & 0x1F); return }
            let c = layout.control[u]
            if c != 0xFF { append(UInt32(c)); return }
            out.append(.problem(.unknownKey(usage))); return
        }
        var v: UInt32
        if usage >= 0x54 && usage <= 0x67 {
            v = layout.plain[u] // keypad: no shift level
        } else if altGr {
            v = layout.altGr[u]
        } else {
            let p = layout.plain[u], s = layout.shift[u]
            let letter = p != s && Unicode.Scalar(p).map { $0.properties.isLowercase } == true
            v = (shifted != (capsLock && letter)) ? s : p
        }
        guard v != 0 else { out.append(.problem(.unknownKey(usage))); return }
        if pendingDead != 0 {
            let d = pendingDead
            pendingDead = 0
            append(d)
            if v == 0x20 { return } // dead key + space = the accent itself
        } else if layout.dead[u] && !altGr {
            pendingDead = v
            return
        }
        append(v)
    }

    private mutating func finishAltCode(into out: inout [DecodedItem]) {
        let n = altCode
        let leadingZero = altLeadingZero
        altCode = 0; altDigits = 0; altLeadingZero = false
        let v: UInt32
        if n < 256 {
            v = leadingZero ? Self.windows1252(UInt8(n)) : Self.cp437(UInt8(n))
        } else {
            v = n
        }
        guard v != 0 || n == 0, let scalar = Unicode.Scalar(v) else {
            out.append(.problem(.garbage("Alt+\(n) is not a character"))); return
        }
        append(scalar.value)
    }

    private mutating func append(_ v: UInt32) {
        if pendingDead != 0 { let d = pendingDead; pendingDead = 0; append(d) }
        guard count < maximumLength else { overflowed = true; return }
        guard let s = Unicode.Scalar(v) else { return }
        scalars.append(s)
        count += 1
    }

    private mutating func frame(into out: inout [DecodedItem]) {
        if pendingDead != 0 { let d = pendingDead; pendingDead = 0; append(d) }
        if overflowed {
            out.append(.problem(.tooLong(maximumLength)))
        } else if count > 0 {
            var text = String(scalars)
            var symbology: Symbology?
            if aimPrefix, text.utf8.count >= 3, text.utf8.first == UInt8(ascii: "]"), let s = Symbology(aim: String(text.prefix(3))) {
                symbology = s
                text.removeFirst(3)
            }
            out.append(.scan(text: text, data: Array(text.utf8), symbology: symbology))
        }
        reset()
    }

    // Code page 437's upper half (what Alt+nnn without a leading zero types on a PC).
    static let cp437High: [UInt16] = [
        0xC7, 0xFC, 0xE9, 0xE2, 0xE4, 0xE0, 0xE5, 0xE7, 0xEA, 0xEB, 0xE8, 0xEF, 0xEE, 0xEC, 0xC4, 0xC5,
        0xC9, 0xE6, 0xC6, 0xF4, 0xF6, 0xF2, 0xFB, 0xF9, 0xFF, 0xD6, 0xDC, 0xA2, 0xA3, 0xA5, 0x20A7, 0x192,
        0xE1, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xAA, 0xBA, 0xBF, 0x2310, 0xAC, 0xBD, 0xBC, 0xA1, 0xAB, 0xBB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x3B1, 0xDF, 0x393, 0x3C0, 0x3A3, 0x3C3, 0xB5, 0x3C4, 0x3A6, 0x398, 0x3A9, 0x3B4, 0x221E, 0x3C6, 0x3B5, 0x2229,
        0x2261, 0xB1, 0x2265, 0x2264, 0x2320, 0x2321, 0xF7, 0x2248, 0xB0, 0x2219, 0xB7, 0x221A, 0x207F, 0xB2, 0x25A0, 0xA0,
    ]
    // Windows-1252's 0x80–0x9F (the rest of its upper half is Latin-1); 0 where it has no character.
    static let cp1252Middle: [UInt16] = [
        0x20AC, 0, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0, 0x17D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0, 0x17E, 0x178,
    ]

    static func cp437(_ b: UInt8) -> UInt32 { b < 0x80 ? UInt32(b) : UInt32(cp437High[Int(b) - 0x80]) }
    static func windows1252(_ b: UInt8) -> UInt32 {
        if b >= 0x80 && b < 0xA0 { return UInt32(cp1252Middle[Int(b) - 0x80]) }
        return UInt32(b)
    }
}
