import Foundation
import RuyiCore

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

extension ReceiptDocument {
    /// The bytes a document is frozen as in the print queue: the project's canonical JSON (RFC 8785), so the same
    /// document always gives the same bytes.
    public static func frozen(_ document: ReceiptDocument) throws -> [UInt8] {
        // Runs inside the sale's transaction: written by hand (tested byte-equal to the generic encoder).
        var w = CanonicalWriter(capacity: 2048)
        try document.writeCanonical(to: &w)
        return w.bytes
    }

    /// A frozen document back, for printing.
    public static func thawed(_ bytes: [UInt8]) throws -> ReceiptDocument {
        try JSONDecoder().decode(ReceiptDocument.self, from: Data(bytes))
    }
}

// The synthesized Codable shapes, written directly: `{"case":{"_0":…,"label":…}}`, keys sorted, nil left out.
extension ReceiptDocument: CanonicalEncodable {
    public func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure) {
        w.beginObject()
        w.key("blocks")
        w.beginArray()
        for b in blocks { try b.writeCanonical(to: &w) }
        w.endArray()
        w.key("cut"); w.bool(cut)
        w.endObject()
    }
}

extension TextStyle {
    func writeCanonical(to w: inout CanonicalWriter) {
        w.beginObject()
        w.key("bold"); w.bool(bold)
        w.key("doubleHeight"); w.bool(doubleHeight)
        w.key("doubleWidth"); w.bool(doubleWidth)
        w.key("underline"); w.bool(underline)
        w.endObject()
    }
}

extension ReceiptBlock {
    func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure) {
        w.beginObject()
        switch self {
        case let .text(s, align, style):
            w.key("text"); w.beginObject()
            w.key("_0"); w.string(s)
            w.key("align"); w.string(align.rawValue)
            w.key("style"); style.writeCanonical(to: &w)
            w.endObject()
        case let .pair(l, r, style):
            w.key("pair"); w.beginObject()
            w.key("_0"); w.string(l)
            w.key("_1"); w.string(r)
            w.key("style"); style.writeCanonical(to: &w)
            w.endObject()
        case let .rule(c):
            w.key("rule"); w.beginObject()
            w.key("_0"); w.string(c)
            w.endObject()
        case .blank:
            w.key("blank"); w.beginObject(); w.endObject()
        case let .qr(s, ec):
            w.key("qr"); w.beginObject()
            w.key("_0"); w.string(s)
            w.key("errorCorrection"); w.string(ec.rawValue)
            w.endObject()
        case let .barcode(code):
            w.key("barcode"); w.beginObject()
            w.key("_0"); w.beginObject()
            switch code {
            case let .code128(s): w.key("code128"); w.beginObject(); w.key("_0"); w.string(s); w.endObject()
            case let .ean13(s): w.key("ean13"); w.beginObject(); w.key("_0"); w.string(s); w.endObject()
            }
            w.endObject()
            w.endObject()
        case let .lineSpacing(dots):
            w.key("lineSpacing"); w.beginObject()
            if let dots { w.key("_0"); try w.int(Int(dots)) }
            w.endObject()
        case let .feed(n):
            w.key("feed"); w.beginObject()
            w.key("_0"); try w.int(Int(n))
            w.endObject()
        }
        w.endObject()
    }
}
