import Glibc

/// One printed character: its bytes for the printer and the columns it takes on paper.
///
/// On a printer in Chinese mode the printed width is the byte length of the character's GB encoding: `×` (A1 C1),
/// `·` (A1 A4), `é` (A8 A6) print double-width even though Unicode calls them narrow.
struct Cell: Equatable {
    /// What the preview shows.
    var scalar: Unicode.Scalar
    /// GB18030 bytes (1, 2, or 4 when the printer handles 4-byte sequences).
    var b0: UInt8, b1: UInt8, b2: UInt8, b3: UInt8
    var byteCount: UInt8
    /// Columns on paper in normal size.
    var width: Int { byteCount == 1 ? 1 : 2 }

    static let space = Cell(scalar: " ", b0: 0x20, b1: 0, b2: 0, b3: 0, byteCount: 1)

    func append(to out: inout [UInt8]) {
        out.append(b0)
        if byteCount > 1 { out.append(b1) }
        if byteCount > 2 { out.append(b2); out.append(b3) }
    }
}

/// Turns text into cells through glibc's iconv (Foundation on Linux has no GB18030).
///
/// Before encoding, text is made safe to print: control characters (which would be printer commands: a product name
/// must never cut the paper or open the drawer) become `?`, tabs become spaces, and `¥` (U+00A5, four bytes in
/// GB18030, garbage on most printers) becomes `￥` (U+FFE5). Any other character that needs four bytes is replaced by
/// `□` unless the profile says the printer handles them; every replacement is reported, nothing is dropped silently.
final class GB18030Text {
    private let converter: iconv_t
    private let fourByte: Bool
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    /// Characters replaced because the printer cannot print them (for the caller's log).
    private(set) var replaced: [Unicode.Scalar] = []

    init(fourByteCharacters: Bool) throws(ReceiptError) {
        let cd = iconv_open("GB18030", "UTF-8")
        guard cd != iconv_t(bitPattern: -1) else { throw .encoderUnavailable("iconv cannot convert UTF-8 to GB18030 on this system") }
        converter = cd!
        fourByte = fourByteCharacters
        input.reserveCapacity(256)
        output.reserveCapacity(512)
    }

    deinit { iconv_close(converter) }

    func resetReplacements() { replaced.removeAll(keepingCapacity: true) }

    /// The sanitised scalars of `text`.
    private func sanitised(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            switch s.value {
            case 0x09: scalars.append(" ")
            case 0x00...0x1F, 0x7F...0x9F: scalars.append("?"); replaced.append(s)
            case 0xA5: scalars.append("\u{FFE5}")
            default: scalars.append(s)
            }
        }
        return scalars
    }

    func cells(_ text: String) -> [Cell] {
        let scalars = sanitised(text)
        guard !scalars.isEmpty else { return [] }
        // ASCII needs no conversion.
        if scalars.allSatisfy({ $0.value < 0x80 }) {
            return scalars.map { Cell(scalar: $0, b0: UInt8($0.value), b1: 0, b2: 0, b3: 0, byteCount: 1) }
        }
        input.removeAll(keepingCapacity: true)
        for s in scalars { input.append(contentsOf: String(s).utf8) }
        let gb = convert()
        // GB18030 is a UTF: one 1-, 2- or 4-byte unit per scalar, in order.
        var cells: [Cell] = []
        cells.reserveCapacity(scalars.count)
        var i = 0
        for s in scalars {
            guard i < gb.count else { break }
            let b = gb[i]
            if b < 0x80 {
                cells.append(Cell(scalar: s, b0: b, b1: 0, b2: 0, b3: 0, byteCount: 1))
                i += 1
            } else if i + 1 < gb.count && (gb[i + 1] < 0x30 || gb[i + 1] > 0x39) {
                cells.append(Cell(scalar: s, b0: b, b1: gb[i + 1], b2: 0, b3: 0, byteCount: 2))
                i += 2
            } else if i + 3 < gb.count {
                if fourByte {
                    cells.append(Cell(scalar: s, b0: b, b1: gb[i + 1], b2: gb[i + 2], b3: gb[i + 3], byteCount: 4))
                } else {
                    replaced.append(s)
                    cells.append(Cell(scalar: "\u{25A1}", b0: 0xA1, b1: 0xF5, b2: 0, b3: 0, byteCount: 2))
                }
                i += 4
            } else {
                break
            }
        }
        return cells
    }

    /// iconv over `input`; glibc's GB18030 covers every Unicode scalar, so it never stops early on valid UTF-8.
    private func convert() -> [UInt8] {
        let needed = input.count * 2 + 8
        if output.count < needed { output = [UInt8](repeating: 0, count: needed) }
        var inLeft = input.count, outLeft = output.count
        let written: Int = input.withUnsafeMutableBufferPointer { ib in
            output.withUnsafeMutableBufferPointer { ob in
                var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ib.baseAddress!).assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress!).assumingMemoryBound(to: CChar.self)
                _ = iconv(converter, &ip, &inLeft, &op, &outLeft)
                _ = iconv(converter, nil, nil, &op, &outLeft)   // flush and reset the state
                return ob.count - outLeft
            }
        }
        return Array(output[0..<written])
    }
}

/// Why a receipt could not be rendered.
public enum ReceiptError: Error, Hashable, Sendable, CustomStringConvertible {
    case encoderUnavailable(String)
    case invalidBarcode(String)
    case invalidQR(String)

    public var description: String {
        switch self {
        case let .encoderUnavailable(why): "receipt text cannot be encoded: \(why)"
        case let .invalidBarcode(why): "receipt barcode: \(why)"
        case let .invalidQR(why): "receipt QR code: \(why)"
        }
    }
}
