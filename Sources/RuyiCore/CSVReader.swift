/// A streaming RFC 4180 CSV reader over UTF-8 bytes: quoted fields, `""` escapes, CRLF or LF, a leading BOM.
///
/// Records come with the line number they start on, so an import can name the exact line of a bad row.
public struct CSVReader: Sequence, IteratorProtocol {
    public struct Record: Sendable, Hashable {
        public let line: Int
        public let fields: [String]
    }

    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case notUTF8(line: Int)
        case unterminatedQuote(line: Int)
        case characterAfterQuote(line: Int)

        public var description: String {
            switch self {
            case let .notUTF8(line):
                "line \(line) is not UTF-8 text (a file saved by Excel as GBK/ANSI?): save it as \"CSV UTF-8\" and import again"
            case let .unterminatedQuote(line): "line \(line): a quoted field is never closed"
            case let .characterAfterQuote(line): "line \(line): text after a closing quote (write \"\" for a quote inside a field)"
            }
        }
    }

    private let bytes: [UInt8]
    private var index: Int
    /// Bytes read so far (for progress).
    public var offset: Int { index }
    private var line = 1
    public private(set) var failure: Failure?

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record, or nil at the end or after a failure (see ``failure``).
    public mutating func next() -> Record? {
        guard failure == nil, index < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var afterQuote = false
        func finish(_ field: [UInt8]) -> String? { String(validating: field, as: UTF8.self) }
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                        field.append(b)
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                guard let s = finish(field) else { failure = .notUTF8(line: startLine); return nil }
                fields.append(s)
                field.removeAll(keepingCapacity: true)
                afterQuote = false
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\n"):
                line += 1
                guard let s = finish(field) else { failure = .notUTF8(line: startLine); return nil }
                fields.append(s)
                return Record(line: startLine, fields: fields)
            case UInt8(ascii: "\"") where field.isEmpty && !afterQuote:
                quoted = true
            default:
                if afterQuote { failure = .characterAfterQuote(line: line); return nil }
                field.append(b)
            }
        }
        if quoted { failure = .unterminatedQuote(line: startLine); return nil }
        guard let s = finish(field) else { failure = .notUTF8(line: startLine); return nil }
        fields.append(s)
        return Record(line: startLine, fields: fields)
    }
}
