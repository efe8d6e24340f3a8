/// The symbology a code was printed in, as an AIM symbology identifier (ISO/IEC 15424): `]` + a code character +
/// a modifier, e.g. `]E0` EAN-13, `]C1` GS1-128. Scanners prefix it to the data when configured to (HID-POS
/// reports carry it separately). It is the strongest hint there is about what the data means.
public struct Symbology: Hashable, Sendable, CustomStringConvertible {
    /// The code character, e.g. `E` (EAN/UPC), `C` (Code 128), `d` (Data Matrix), `Q` (QR).
    public let code: UInt8
    /// The modifier character, e.g. `1` in `]C1`.
    public let modifier: UInt8

    public init(code: UInt8, modifier: UInt8) {
        self.code = code
        self.modifier = modifier
    }

    /// Parses `]C1` (also without the leading `]`). Nil when it is not one letter and one letter-or-digit.
    public init?(aim: String) {
        var bytes = Array(aim.utf8)
        if bytes.first == UInt8(ascii: "]") { bytes.removeFirst() }
        guard bytes.count == 2, Self.isCode(bytes[0]), Self.isModifier(bytes[1]) else { return nil }
        self.init(code: bytes[0], modifier: bytes[1])
    }

    public static func isCode(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    public static func isModifier(_ b: UInt8) -> Bool { isCode(b) || (b >= 0x30 && b <= 0x39) }

    /// `]C1`.
    public var aim: String { "]" + String(UnicodeScalar(code)) + String(UnicodeScalar(modifier)) }
    public var description: String { aim }

    /// FNC1 in first position: the data is a GS1 element string (`]C1` GS1-128, `]d2` GS1 DataMatrix, `]Q3` GS1 QR,
    /// `]e0` GS1 DataBar, `]J1` GS1 DotCode).
    public var isGS1: Bool {
        switch (code, modifier) {
        case (UInt8(ascii: "C"), UInt8(ascii: "1")), (UInt8(ascii: "d"), UInt8(ascii: "2")),
             (UInt8(ascii: "Q"), UInt8(ascii: "3")), (UInt8(ascii: "e"), UInt8(ascii: "0")),
             (UInt8(ascii: "J"), UInt8(ascii: "1")):
            true
        default:
            false
        }
    }

    /// EAN/UPC family (`]E0` EAN-13, UPC-A, UPC-E; `]E4` EAN-8; `]E1`–`]E3` add-ons).
    public var isEANUPC: Bool { code == UInt8(ascii: "E") }
    /// Interleaved 2 of 5 (ITF-14 on cases).
    public var isITF: Bool { code == UInt8(ascii: "I") }

    /// A plain name for people (owner menu, `ruyi barcode`).
    public var name: String {
        switch code {
        case UInt8(ascii: "E"):
            modifier == UInt8(ascii: "4") ? "EAN-8" : modifier == UInt8(ascii: "0") ? "EAN-13/UPC" : "EAN/UPC with add-on"
        case UInt8(ascii: "C"): modifier == UInt8(ascii: "1") ? "GS1-128" : "Code 128"
        case UInt8(ascii: "d"): modifier == UInt8(ascii: "2") ? "GS1 DataMatrix" : "Data Matrix"
        case UInt8(ascii: "Q"): modifier == UInt8(ascii: "3") ? "GS1 QR Code" : "QR Code"
        case UInt8(ascii: "e"): "GS1 DataBar"
        case UInt8(ascii: "J"): modifier == UInt8(ascii: "1") ? "GS1 DotCode" : "DotCode"
        case UInt8(ascii: "I"): "Interleaved 2 of 5"
        case UInt8(ascii: "A"): "Code 39"
        case UInt8(ascii: "G"): "Code 93"
        case UInt8(ascii: "F"): "Codabar"
        case UInt8(ascii: "L"): "PDF417"
        case UInt8(ascii: "z"): "Aztec"
        case UInt8(ascii: "X"): "other"
        default: "symbology \(aim)"
        }
    }

    public static let ean13 = Symbology(code: UInt8(ascii: "E"), modifier: UInt8(ascii: "0"))
    public static let ean8 = Symbology(code: UInt8(ascii: "E"), modifier: UInt8(ascii: "4"))
    public static let code128 = Symbology(code: UInt8(ascii: "C"), modifier: UInt8(ascii: "0"))
    public static let gs1_128 = Symbology(code: UInt8(ascii: "C"), modifier: UInt8(ascii: "1"))
    public static let gs1DataMatrix = Symbology(code: UInt8(ascii: "d"), modifier: UInt8(ascii: "2"))
    public static let qr = Symbology(code: UInt8(ascii: "Q"), modifier: UInt8(ascii: "1"))
    public static let gs1QR = Symbology(code: UInt8(ascii: "Q"), modifier: UInt8(ascii: "3"))
    public static let gs1DataBar = Symbology(code: UInt8(ascii: "e"), modifier: UInt8(ascii: "0"))
    public static let itf = Symbology(code: UInt8(ascii: "I"), modifier: UInt8(ascii: "1"))
}
