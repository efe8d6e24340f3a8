/// Writes canonical JSON (RFC 8785) directly into bytes, for the types on the sale path where building a
/// ``JSONValue`` tree per sale costs more than the rest of the commit.
///
/// - Important: the caller writes members in sorted order (member names here are ASCII, where byte order equals
///   RFC 8785's UTF-16 order) and leaves out nil optionals, exactly as ``CanonicalEncoder`` does. Tests compare the two
///   outputs for every type that implements ``CanonicalEncodable``.
public struct CanonicalWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// A member name; the value follows with one of the value methods.
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        // The value right after a key takes no comma.
        needsComma[needsComma.count - 1] = false
    }

    public mutating func int(_ n: Int64) throws(CanonicalJSON.Failure) {
        guard n >= -CanonicalJSON.maxSafeInteger && n <= CanonicalJSON.maxSafeInteger else { throw .integerOutOfRange(n) }
        separator()
        if n == 0 { bytes.append(UInt8(ascii: "0")); return }
        var m = n.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 { buf[count] = UInt8(m % 10) + 0x30; m /= 10; count += 1 }
        }
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buf in
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }

    public mutating func int(_ n: Int) throws(CanonicalJSON.Failure) { try int(Int64(n)) }
    public mutating func uint(_ n: UInt64) throws(CanonicalJSON.Failure) {
        guard n <= UInt64(CanonicalJSON.maxSafeInteger) else { throw .integerOutOfRange(Int64(clamping: n)) }
        try int(Int64(n))
    }

    public mutating func string(_ s: String) {
        separator()
        CanonicalJSON.writeString(s, to: &bytes)
    }

    public mutating func bool(_ b: Bool) {
        separator()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }

    public mutating func null() {
        separator()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Embeds a value encoded by ``CanonicalEncoder`` (for the rare types without a hand-written form).
    public mutating func raw(_ canonical: [UInt8]) {
        separator()
        bytes.append(contentsOf: canonical)
    }

    private mutating func separator() {
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
    }
}

/// A type that writes its own canonical JSON, identical to what ``CanonicalEncoder`` produces for it.
public protocol CanonicalEncodable {
    func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure)
}
