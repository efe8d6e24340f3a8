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

    /// The 14-digit GTIN for an EAN-8, UPC-A, EAN-13 or GTIN-14, after checking its check digit.
    public static func normalize(_ code: String) throws(Failure) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(14)
        for b in code.utf8 {
            guard b >= 0x30 && b <= 0x39 else { throw .notDigits }
            digits.append(b - 0x30)
        }
        guard [8, 12, 13, 14].contains(digits.count) else { throw .badLength(digits.count) }
        let expected = checkDigit(forPayload: digits.dropLast())
        let found = Int(digits.last!)
        guard expected == found else { throw .badCheckDigit(expected: expected, found: found) }
        return String(repeating: "0", count: 14 - digits.count) + code
    }

    /// The key a catalog stores for a barcode: the GTIN-14 for retail codes, else the code as printed
    /// (in-store codes, Code 128 labels) so that no scanned text is ever silently changed.
    public static func catalogKey(_ code: String) -> String {
        (try? normalize(code)) ?? code
    }
}
