/// A JSON value restricted to what ledger entries need: no floating point, integers within ±(2^53 − 1).
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// RFC 8785 (JSON Canonicalization Scheme) serialisation.
///
/// Objects' members are sorted by their names' UTF-16 code units, no white space is written, strings escape only
/// `"`, `\` and control characters (`\b \t \n \f \r`, else `\u00xx` in lower-case hex) and every other character is
/// written as UTF-8. Numbers are integers only: ledger amounts are integer fen, and any integer beyond ±(2^53 − 1)
/// is refused because RFC 8785 serialises numbers as IEEE doubles and would change it.
///
/// - Important: the output is hashed into the ledger chain and recomputed upstream. Changing it breaks every chain;
///   add a new encoding version instead (docs/ledger-encoding.md).
public enum CanonicalJSON {
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case integerOutOfRange(Int64)
        case unsupported(String)

        public var description: String {
            switch self {
            case let .integerOutOfRange(n): "integer \(n) is outside ±(2^53−1) and cannot be encoded canonically"
            case let .unsupported(what): "\(what) cannot be encoded in a ledger entry"
            }
        }
    }

    public static func encode(_ value: JSONValue) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try write(value, to: &out)
        return out
    }

    public static func write(_ value: JSONValue, to out: inout [UInt8]) throws(Failure) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case let .int(n):
            guard n >= -maxSafeInteger && n <= maxSafeInteger else { throw .integerOutOfRange(n) }
            out.append(contentsOf: String(n).utf8)
        case let .string(s): writeString(s, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted(by: utf16Less)
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try write(members[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 §3.2.3: member names compare as arrays of UTF-16 code units.
    public static func utf16Less(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape at all: copy them in one go.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
