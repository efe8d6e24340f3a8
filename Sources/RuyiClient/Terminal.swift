import ArgumentParser
import Foundation
import Glibc

/// The terminal for the full-screen screens (`ruyi till`, `ruyi menu`): raw keys, the alternate screen, the size, and
/// whole-frame drawing. Restored on every way out (the screens call `restore()` in a defer; Ctrl-C is a key here).
final class Terminal {
    enum Key: Equatable {
        case char(Character)
        case enter, backspace, escape, up, down, left, right, tab
        case function(Int)
        case ctrlC
    }

    private var saved = termios()
    private var raw = false
    private var pending: [UInt8] = []

    /// Raw mode on a terminal; nil when standard input is not one (the screens need a person at a keyboard).
    init?() {
        guard isatty(0) == 1, tcgetattr(0, &saved) == 0 else { return nil }
        var t = saved
        cfmakeraw(&t)
        t.c_oflag |= tcflag_t(OPOST)  // keep \n → \r\n for anything printed
        guard tcsetattr(0, TCSANOW, &t) == 0 else { return nil }
        raw = true
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
    }

    /// The terminal for a full-screen command, or exit 2 with why (stdin is not a terminal).
    static func forScreen(_ command: String) throws -> Terminal {
        guard let term = Terminal() else {
            FileHandle.standardError.write(Data("\(command): needs a terminal (run it on the till's screen, not through a pipe)\n".utf8))
            throw ExitCode(2)
        }
        return term
    }

    func restore() {
        guard raw else { return }
        raw = false
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        tcsetattr(0, TCSANOW, &saved)
    }

    deinit { restore() }

    var size: (columns: Int, rows: Int) {
        var w = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return (80, 24) }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    func write(_ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }

    /// One row of a frame; `strong` rows (the status bar, errors) are drawn in reverse video.
    struct Row {
        var text: String
        var strong = false
        init(_ text: String, strong: Bool = false) { self.text = text; self.strong = strong }
    }

    /// Draws a whole frame: every row fitted to the width, the rest of the screen cleared.
    func draw(_ rows: [Row]) {
        let (cols, height) = size
        var out = "\u{1B}[H"
        let shown = Array(rows.prefix(height))
        for (i, row) in shown.enumerated() {
            // The last row one column short: writing its last cell could scroll some terminals.
            let width = i == height - 1 ? cols - 1 : cols
            let text = fit(row.text, width)
            out += row.strong ? "\u{1B}[7m" + text + "\u{1B}[0m" : text
            if i < shown.count - 1 { out += "\r\n" }
        }
        out += "\u{1B}[J"
        write(out)
    }

    /// Waits up to `timeoutMS` for a key (or for `wake` to become readable: returns nil then too).
    func key(timeoutMS: Int32, wake: Int32) -> Key? {
        if let k = parse() { return k }
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 2, timeoutMS) > 0 else { return nil }
        if fds[1].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            _ = read(wake, &sink, sink.count)
        }
        if fds[0].revents & Int16(POLLIN) != 0 {
            var buf = [UInt8](repeating: 0, count: 256)
            let n = read(0, &buf, buf.count)
            if n > 0 { pending += buf[0..<n] }
        }
        return parse()
    }

    private func parse() -> Key? {
        guard let b = pending.first else { return nil }
        func take(_ n: Int, _ k: Key) -> Key { pending.removeFirst(n); return k }
        switch b {
        case 0x03: return take(1, .ctrlC)
        case 0x0D, 0x0A: return take(1, .enter)
        case 0x7F, 0x08: return take(1, .backspace)
        case 0x09: return take(1, .tab)
        case 0x1B:
            guard pending.count > 1 else { return take(1, .escape) }
            if pending[1] == UInt8(ascii: "["), pending.count > 2 {
                switch pending[2] {
                case UInt8(ascii: "A"): return take(3, .up)
                case UInt8(ascii: "B"): return take(3, .down)
                case UInt8(ascii: "C"): return take(3, .right)
                case UInt8(ascii: "D"): return take(3, .left)
                default:
                    // `ESC [ n ~` (F5–F12 and friends): consume to the `~`.
                    if let end = pending.firstIndex(of: UInt8(ascii: "~")) {
                        let n = Int(String(decoding: pending[2..<end], as: UTF8.self)) ?? 0
                        let f = [15: 5, 17: 6, 18: 7, 19: 8, 20: 9, 21: 10, 23: 11, 24: 12][n] ?? 0
                        return take(end + 1, .function(f))
                    }
                    return take(pending.count, .escape)
                }
            }
            if pending[1] == UInt8(ascii: "O"), pending.count > 2, (UInt8(ascii: "P")...UInt8(ascii: "S")).contains(pending[2]) {
                return take(3, .function(Int(pending[2] - UInt8(ascii: "P")) + 1))
            }
            return take(1, .escape)
        default:
            // One UTF-8 character (typed names are Chinese).
            let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            guard pending.count >= length else { return nil }
            let s = String(decoding: pending[0..<length], as: UTF8.self)
            return take(length, s.first.map { .char($0) } ?? .escape)
        }
    }
}

/// `s` cut or padded to exactly `width` columns (CJK characters take two; a cut string ends in `…`).
func fit(_ s: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return pad(s, width) }
    var out = ""
    var w = 0
    for c in s {
        let cw = displayWidth(String(c))
        if w + cw > width - 1 { break }
        out.append(c)
        w += cw
    }
    return pad(out + "…", width)
}

/// Big digits for the total and the change: three rows, seven-segment style.
enum BigDigits {
    private static let glyphs: [Character: [String]] = [
        "0": [" _ ", "| |", "|_|"], "1": ["   ", "  |", "  |"], "2": [" _ ", " _|", "|_ "], "3": [" _ ", " _|", " _|"],
        "4": ["   ", "|_|", "  |"], "5": [" _ ", "|_ ", " _|"], "6": [" _ ", "|_ ", "|_|"], "7": [" _ ", "  |", "  |"],
        "8": [" _ ", "|_|", "|_|"], "9": [" _ ", "|_|", " _|"], ".": ["  ", "  ", " ."], "-": ["   ", " _ ", "   "],
    ]

    static func rows(_ text: String) -> [String] {
        (0..<3).map { r in text.map { glyphs[$0]?[r] ?? " " }.joined() }
    }
}
