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
    /// GB18030 codes of the Basic Multilingual Plane, filled as characters are first seen (a store's receipts reuse a
    /// few hundred characters): 0 = not yet converted; `0x0002_XXYY` = the two bytes XX YY; otherwise the four bytes.
    private var bmp: [UInt32]
    /// Characters replaced because the printer cannot print them (for the caller's log).
    private(set) var replaced: [Unicode.Scalar] = []

    init(fourByteCharacters: Bool) throws(ReceiptError) {
        let cd = iconv_open("GB18030", "UTF-8")
        guard cd != iconv_t(bitPattern: -1) else { throw .encoderUnavailable("iconv cannot convert UTF-8 to GB18030 on this system") }
        converter = cd!
        fourByte = fourByteCharacters
        bmp = [UInt32](repeating: 0, count: 0x10000)
    }

    deinit { iconv_close(converter) }

    func resetReplacements() { replaced.removeAll(keepingCapacity: true) }

    private static let box = Cell(scalar: "\u{25A1}", b0: 0xA1, b1: 0xF5, b2: 0, b3: 0, byteCount: 2)

    func cells(_ text: String) -> [Cell] {
        var cells: [Cell] = []
        cells.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            let v = s.value
            switch v {
            case 0x20..<0x7F:
                cells.append(Cell(scalar: s, b0: UInt8(v), b1: 0, b2: 0, b3: 0, byteCount: 1))
            case 0x09:
                cells.append(.space)
            case 0x00...0x1F, 0x7F...0x9F:
                // A control character would be a printer command: a product name must never cut or open the drawer.
                cells.append(Cell(scalar: "?", b0: 0x3F, b1: 0, b2: 0, b3: 0, byteCount: 1))
                replaced.append(s)
            case 0xA5:
                // ¥ is four bytes in GB18030 and garbage on most printers; the full-width ￥ is A3 A4.
                cells.append(Cell(scalar: "\u{FFE5}", b0: 0xA3, b1: 0xA4, b2: 0, b3: 0, byteCount: 2))
            default:
                var code = v < 0x10000 ? bmp[Int(v)] : 0
                if code == 0 {
                    code = convert(s)
                    if v < 0x10000 { bmp[Int(v)] = code }
                }
                if code >> 16 == 0x0002 {
                    cells.append(Cell(scalar: s, b0: UInt8(truncatingIfNeeded: code >> 8), b1: UInt8(truncatingIfNeeded: code), b2: 0, b3: 0, byteCount: 2))
                } else if code != 1 && fourByte {
                    cells.append(Cell(scalar: s, b0: UInt8(code >> 24), b1: UInt8(truncatingIfNeeded: code >> 16),
                                      b2: UInt8(truncatingIfNeeded: code >> 8), b3: UInt8(truncatingIfNeeded: code), byteCount: 4))
                } else {
                    replaced.append(s)
                    cells.append(Self.box)
                }
            }
        }
        return cells
    }

    /// One scalar through iconv, packed as in `bmp`; 1 when iconv cannot convert it (glibc's GB18030 covers every
    /// scalar, so this does not happen in practice, but a failure must not print garbage).
    private func convert(_ s: Unicode.Scalar) -> UInt32 {
        var input: [UInt8] = []
        UTF8.encode(s) { input.append($0) }
        var output = [UInt8](repeating: 0, count: 8)
        var inLeft = input.count, outLeft = output.count
        let ok: Bool = input.withUnsafeMutableBufferPointer { ib in
            output.withUnsafeMutableBufferPointer { ob in
                var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ib.baseAddress!).assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress!).assumingMemoryBound(to: CChar.self)
                let r = iconv(converter, &ip, &inLeft, &op, &outLeft)
                _ = iconv(converter, nil, nil, &op, &outLeft)   // flush and reset the state
                return r != -1 && inLeft == 0
            }
        }
        let n = 8 - outLeft
        guard ok else { return 1 }
        switch n {
        case 2: return 0x0002_0000 | UInt32(output[0]) << 8 | UInt32(output[1])
        case 4: return UInt32(output[0]) << 24 | UInt32(output[1]) << 16 | UInt32(output[2]) << 8 | UInt32(output[3])
        default: return 1
        }
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
