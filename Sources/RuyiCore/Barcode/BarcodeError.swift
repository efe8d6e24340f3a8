/// Why scanned data could not be read. Every case says what is wrong, where, and what the cashier should do.
///
/// `code` is stable (API and tests match on it); `message` is for people.
public struct BarcodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// Nothing but a terminator arrived.
        case empty
        /// Longer than any code the till reads.
        case tooLong(length: Int, limit: Int)
        /// A retail code whose check digit does not match: misread (or mistyped).
        case checkDigit(format: RetailFormat, expected: Int, found: Int)
        /// A store code (scale label, member card, coupon, module code) whose check digit or price/weight verifier
        /// digit does not match.
        case ruleCheck(rule: String, field: String, expected: Int, found: Int)
        /// Invalid GS1 data. `ai` is the Application Identifier concerned (nil when no AI could be read);
        /// `position` is 1-based, counted in bytes of the scanned text.
        case gs1(ai: String?, position: Int, problem: GS1Problem)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    /// True when scanning the code again is the fix (a check digit failed).
    public var isMisread: Bool {
        switch reason {
        case .checkDigit, .ruleCheck: true
        case let .gs1(_, _, problem): problem.isCheckDigit
        default: false
        }
    }

    public var code: String {
        switch reason {
        case .empty: "barcode.empty"
        case .tooLong: "barcode.too_long"
        case .checkDigit, .ruleCheck: "barcode.misread"
        case .gs1(_, _, let problem): problem.isCheckDigit ? "barcode.misread" : "barcode.gs1_invalid"
        }
    }

    public var message: String {
        switch reason {
        case .empty:
            return "The scan was empty. Scan again."
        case let .tooLong(length, limit):
            return "The scan is \(length) bytes long; the longest code the till reads is \(limit). Scan the product's own barcode."
        case let .checkDigit(format, expected, found):
            return "Misread, scan again: this \(format.name) ends in \(found) but its check digit should be \(expected). "
                + "If it happens again, key the item in by hand."
        case let .ruleCheck(rule, field, expected, found):
            return "Misread, scan again: this \(rule) code has \(field) \(found), expected \(expected). "
                + "If it happens again, key it in by hand (or print a new label)."
        case let .gs1(ai, position, problem):
            let place = ai.map { "AI (\($0))\(GS1AI.spec(for: $0).map { " \($0.title)" } ?? "") at position \(position)" }
                ?? "Position \(position)"
            return "\(place): \(problem.description). "
                + (problem.isCheckDigit ? "Misread, scan again." : "The label's GS1 data is not valid; scan the item's EAN barcode instead or key it in.")
        }
    }

    public var description: String { message }
}

/// What is wrong inside GS1 data.
public enum GS1Problem: Hashable, Sendable, CustomStringConvertible {
    case noData
    /// The characters where an AI should start are not an AI (`found` shows them).
    case notAnAI(found: String)
    case unknownAI(String)
    case valueMissing
    case tooShort(minimum: Int, found: Int)
    case tooLong(maximum: Int, found: Int)
    case badCharacter(found: String, allowed: String)
    case checkDigit(expected: Int, found: Int)
    case badDate(String)
    case unknownCurrency(Int)
    case finerThanCurrency(decimals: Int, currency: String, minorDigits: Int)
    case conflictingRepeat
    case badPercentEncoding

    var isCheckDigit: Bool { if case .checkDigit = self { true } else { false } }

    public var description: String {
        switch self {
        case .noData: "there is no data after the symbology identifier"
        case let .notAnAI(found): "expected an Application Identifier (digits) but found \"\(found)\""
        case let .unknownAI(ai): "(\(ai)) is not a GS1 Application Identifier"
        case .valueMissing: "the value is missing"
        case let .tooShort(minimum, found):
            minimum == found ? "the value is too short" : "the value has \(found) characters; it needs \(minimum == 0 ? "some" : "at least \(minimum)")"
        case let .tooLong(maximum, found):
            "the value has \(found) characters, at most \(maximum) are allowed (is a separator (GS) missing after it?)"
        case let .badCharacter(found, allowed): "\"\(found)\" is not allowed here (\(allowed))"
        case let .checkDigit(expected, found): "check digit is \(found), expected \(expected)"
        case let .badDate(what): what
        case let .unknownCurrency(n): "currency \(n < 100 ? (n < 10 ? "00\(n)" : "0\(n)") : "\(n)") is not an ISO 4217 currency the till knows"
        case let .finerThanCurrency(decimals, currency, minor):
            "the amount has \(decimals) decimals with non-zero digits beyond \(currency)'s \(minor)"
        case .conflictingRepeat: "the AI appears twice with different values"
        case .badPercentEncoding: "a %-escape is not two hex digits"
        }
    }
}
