/// A receipt as blocks, independent of the printer: the composer lays it out for a profile's width.
public struct ReceiptDocument: Hashable, Sendable, Codable {
    public var blocks: [ReceiptBlock]
    /// Cut the paper at the end (when the profile has a cutter).
    public var cut: Bool

    public init(blocks: [ReceiptBlock] = [], cut: Bool = true) {
        self.blocks = blocks
        self.cut = cut
    }
}

public enum Alignment: String, Hashable, Sendable, Codable { case left, center, right }

public struct TextStyle: Hashable, Sendable, Codable {
    public var bold: Bool
    public var underline: Bool
    public var doubleWidth: Bool
    public var doubleHeight: Bool

    public init(bold: Bool = false, underline: Bool = false, doubleWidth: Bool = false, doubleHeight: Bool = false) {
        self.bold = bold
        self.underline = underline
        self.doubleWidth = doubleWidth
        self.doubleHeight = doubleHeight
    }

    public static let normal = TextStyle()
}

public enum QRErrorCorrection: String, Hashable, Sendable, Codable { case low, medium, quartile, high }

public enum ReceiptBarcode: Hashable, Sendable, Codable {
    /// 12 digits (the printer adds the check digit) or 13.
    case ean13(String)
    /// Printable ASCII, code set B.
    case code128(String)
}

public enum ReceiptBlock: Hashable, Sendable, Codable {
    /// Text that wraps at the paper's width.
    case text(String, align: Alignment = .left, style: TextStyle = .normal)
    /// A label and an amount: the label wraps, the amount is right-aligned on the label's last line (or below it).
    case pair(String, String, style: TextStyle = .normal)
    /// A line of one character (the first of the string) across the paper.
    case rule(String)
    case blank
    case qr(String, errorCorrection: QRErrorCorrection = .medium)
    case barcode(ReceiptBarcode)
    /// Line spacing from here on, in dots (`nil`: the printer's default, about 1/6 inch).
    case lineSpacing(UInt8?)
    /// Feed this many blank lines at once (`ESC d`), e.g. before a tear-off coupon.
    case feed(UInt8)
}

/// One laid-out line: cells after `indent` spaces, in one style.
struct LayoutLine: Equatable {
    var indent: Int
    var cells: [Cell]
    var style: TextStyle
}

/// What the layout produces, in order: text lines and the 2-D/1-D codes between them.
enum LayoutItem: Equatable {
    case line(LayoutLine)
    case qr(String, QRErrorCorrection)
    case barcode(ReceiptBarcode)
    case lineSpacing(UInt8?)
    case feed(UInt8)
}
