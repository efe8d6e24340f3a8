/// Writes canonical JSON (RFC 8785) directly into bytes, for the types on the sale path where building a
/// ``JSONValue`` tree per sale costs more than the rest of the commit.
///
/// - Important: the caller writes members in sorted order (member names here are ASCII, where byte order equals
///   RFC 8785's UTF-16 order) and leaves out nil optionals, exactly as ``CanonicalEncoder`` does. Tests compare the two
///   outputs for every type that implements ``CanonicalEncodable``.
public struct CanonicalWriter {
    public private(set) var bytes: [UInt8] = []
    /// One bit per open object or array, innermost in bit 0: set once it holds a member, so the next needs a comma.
    /// Ledger entries nest a few levels deep; 64 is far beyond any of them.
    private var needsComma: UInt64 = 0
    private var depth = 0

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member name; the value follows with one of the value methods.
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        // The value right after a key takes no comma.
        needsComma &= ~1
    }

    private mutating func open(_ bracket: UInt8) {
        separator()
        bytes.append(bracket)
        needsComma <<= 1
        depth += 1
        precondition(depth < 64, "canonical JSON nested too deeply")
    }

    private mutating func close(_ bracket: UInt8) {
        needsComma >>= 1
        depth -= 1
        bytes.append(bracket)
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
        guard depth > 0 else { return }
        if needsComma & 1 != 0 { bytes.append(UInt8(ascii: ",")) } else { needsComma |= 1 }
    }
}

/// A type that writes its own canonical JSON, identical to what ``CanonicalEncoder`` produces for it.
public protocol CanonicalEncodable {
    func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure)
}
