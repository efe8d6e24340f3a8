/// The retail symbol a product code was read from.
public enum RetailFormat: String, Hashable, Sendable, Codable {
    case ean13 = "EAN-13", ean8 = "EAN-8", upcA = "UPC-A", upcE = "UPC-E", itf14 = "ITF-14", gtin14 = "GTIN-14"

    public var name: String { rawValue }
}

/// A product code from a retail barcode, normalised to GTIN-14 for the catalog.
public struct RetailCode: Hashable, Sendable {
    public let format: RetailFormat
    /// 14 digits with a verified check digit: the catalog key.
    public let gtin: String
    /// An EAN/UPC 2- or 5-digit add-on (periodicals), when the scanner sent one.
    public let addOn: String?

    public init(format: RetailFormat, gtin: String, addOn: String? = nil) {
        self.format = format
        self.gtin = gtin
        self.addOn = addOn
    }
}

/// Reads EAN-13, EAN-8, UPC-A, UPC-E and GTIN-14/ITF-14 from digits.
enum RetailReader {
    enum Outcome {
        case code(RetailCode)
        case badCheck(RetailFormat, expected: Int, found: Int)
        case notRetail
    }

    /// `bytes[start..<end]` are all digits. `symbology` narrows the formats (`]E4` is EAN-8 only, …).
    static func read(_ bytes: [UInt8], _ start: Int, _ end: Int, symbology: Symbology?) -> Outcome {
        let n = end - start
        if let s = symbology, s.isEANUPC {
            switch (s.modifier, n) {
            case (UInt8(ascii: "4"), 8): return plain(.ean8, bytes, start, end)
            case (UInt8(ascii: "0"), 13): return plain(.ean13, bytes, start, end)
            case (UInt8(ascii: "0"), 12): return plain(.upcA, bytes, start, end)
            case (UInt8(ascii: "0"), 8): return upcE(bytes, start)
            case (UInt8(ascii: "3"), 15), (UInt8(ascii: "3"), 18):
                guard case let .code(main) = plain(.ean13, bytes, start, start + 13) else { return plain(.ean13, bytes, start, start + 13) }
                return .code(RetailCode(format: .ean13, gtin: main.gtin, addOn: ascii(bytes, start + 13, end)))
            default: return .notRetail
            }
        }
        switch n {
        case 8:
            // UPC-E and EAN-8 are both 8 digits. UPC-E has number system 0 or 1; an EAN-8 starting 0 is a restricted
            // in-store number, so a leading 0 reads as UPC-E first. A leading 1 reads as EAN-8 first.
            let first = bytes[start]
            guard first == 0x30 || first == 0x31 else { return plain(.ean8, bytes, start, end) }
            let e = upcE(bytes, start), ean8 = plain(.ean8, bytes, start, end)
            if first == 0x30 {
                if case .code = e { return e }
                if case .code = ean8 { return ean8 }
                return e
            }
            if case .code = ean8 { return ean8 }
            if case .code = e { return e }
            return ean8
        case 12: return plain(.upcA, bytes, start, end)
        case 13: return plain(.ean13, bytes, start, end)
        case 14: return plain(symbology?.isITF == true ? .itf14 : .gtin14, bytes, start, end)
        default: return .notRetail
        }
    }

    private static func plain(_ format: RetailFormat, _ bytes: [UInt8], _ start: Int, _ end: Int) -> Outcome {
        let expected = mod10CheckDigit(bytes, start, end - 1)
        let found = Int(bytes[end - 1] - 0x30)
        guard expected == found else { return .badCheck(format, expected: expected, found: found) }
        return .code(RetailCode(format: format, gtin: padded14(bytes, start, end)))
    }

    /// UPC-E (number system, six digits, check digit) expanded to UPC-A, whose check digit it carries.
    private static func upcE(_ bytes: [UInt8], _ start: Int) -> Outcome {
        guard let upcA = expandUPCE(Array(bytes[start..<(start + 8)])) else { return .notRetail }
        let expected = mod10CheckDigit(upcA, 0, 11)
        let found = Int(bytes[start + 7] - 0x30)
        guard expected == found else { return .badCheck(.upcE, expected: expected, found: found) }
        return .code(RetailCode(format: .upcE, gtin: "00" + String(decoding: upcA[0..<11], as: UTF8.self) + String(found)))
    }

    /// The 12 UPC-A digits (check digit included as given) for an 8-digit UPC-E; nil when the number system is not 0 or 1.
    static func expandUPCE(_ e: [UInt8]) -> [UInt8]? {
        guard e.count == 8, e[0] == 0x30 || e[0] == 0x31 else { return nil }
        let ns = e[0], d = Array(e[1...6]), check = e[7]
        let zero: UInt8 = 0x30
        var a: [UInt8] = [ns]
        switch d[5] {
        case 0x30, 0x31, 0x32:
            a += [d[0], d[1], d[5], zero, zero, zero, zero, d[2], d[3], d[4]]
        case 0x33:
            a += [d[0], d[1], d[2], zero, zero, zero, zero, zero, d[3], d[4]]
        case 0x34:
            a += [d[0], d[1], d[2], d[3], zero, zero, zero, zero, zero, d[4]]
        default:
            a += [d[0], d[1], d[2], d[3], d[4], zero, zero, zero, zero, d[5]]
        }
        a.append(check)
        return a
    }

    static func padded14(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
        let n = end - start
        if n == 14 { return ascii(bytes, start, end) }
        return String(repeating: "0", count: 14 - n) + ascii(bytes, start, end)
    }
}
