/// Retail barcodes (EAN-13, EAN-8, UPC-A, GTIN-14) and their check digits.
///
/// Every form of one article number normalises to the same 14-digit GTIN, so a catalog lookup by an
/// EAN-13 finds the product whose label was scanned as UPC-A, and vice versa.
public enum GTIN {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case notDigits
        case badLength(Int)
        case badCheckDigit(expected: Int, found: Int)

        public var description: String {
            switch self {
            case .notDigits: "a retail barcode has digits only"
            case let .badLength(n): "\(n) digits is not a retail barcode length (8, 12, 13 or 14)"
            case let .badCheckDigit(e, f): "check digit is \(f), expected \(e): the code was misread or mistyped"
            }
        }
    }

    /// The GS1 mod-10 check digit for the digits that precede it.
    public static func checkDigit<C: Collection>(forPayload digits: C) -> Int where C.Element == UInt8 {
        var sum = 0
        // Weights alternate 3,1,… starting from the rightmost payload digit.
        for (i, d) in digits.reversed().enumerated() { sum += Int(d) * (i % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }

    /// True when `code` is 8, 12, 13 or 14 digits with a correct check digit.
    public static func isValid(_ code: String) -> Bool { (try? normalize(code)) != nil }

    /// The 14-digit GTIN for an EAN-8, UPC-E, UPC-A, EAN-13 or GTIN-14, after checking its check digit.
    /// Read exactly as an unmarked scan of the same digits is (`BarcodeInterpreter`), so catalog keys and scans agree:
    /// eight digits starting 0 are UPC-E first, then EAN-8.
    public static func normalize(_ code: String) throws(Failure) -> String {
        let bytes = Array(code.utf8)
        guard bytes.allSatisfy(isDigit) else { throw .notDigits }
        guard [8, 12, 13, 14].contains(bytes.count) else { throw .badLength(bytes.count) }
        switch RetailReader.read(bytes, 0, bytes.count, symbology: nil) {
        case let .code(retail): return retail.gtin
        case let .badCheck(_, expected, found): throw .badCheckDigit(expected: expected, found: found)
        case .notRetail: throw .badLength(bytes.count)
        }
    }

    /// The key a catalog stores for a barcode: the GTIN-14 for retail codes, else the code as printed
    /// (in-store codes, Code 128 labels) so that no scanned text is ever silently changed.
    public static func catalogKey(_ code: String) -> String {
        (try? normalize(code)) ?? code
    }
}
