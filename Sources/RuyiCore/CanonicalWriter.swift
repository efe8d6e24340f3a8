/// Writes canonical JSON (RFC 8785) directly into bytes, for the types on the sale path where building a
/// ``JSONValue`` tree per sale costs more than the rest of the commit.
///
/// - Important: the caller writes members in sorted order (member names here are ASCII, where byte order equals
///   RFC 8785's UTF-16 order) and leaves out nil optionals, exactly as ``CanonicalEncoder`` does. Tests compare the two
///   outputs for every type that implements ``CanonicalEncodable``.
public struct CanonicalWriter: ~Copyable {
    /// The bytes written so far (a copy).
    @inlinable public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    // A buffer of our own rather than an `[UInt8]`: appending to an array checks uniqueness and capacity per byte,
    // which was most of the encoding's cost on the sale path.
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int
    /// One bit per open object or array, innermost in bit 0: set once it holds a member, so the next needs a comma.
    /// Ledger entries nest a few levels deep; 64 is far beyond any of them.
    @usableFromInline var needsComma: UInt64 = 0
    @usableFromInline var depth = 0

    @inlinable public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable deinit { base.deallocate() }

    @inlinable public mutating func beginObject() { open(UInt8(ascii: "{")) }
    @inlinable public mutating func endObject() { close(UInt8(ascii: "}")) }
    @inlinable public mutating func beginArray() { open(UInt8(ascii: "[")) }
    @inlinable public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member name; the value follows with one of the value methods.
    @inlinable public mutating func key(_ name: StaticString) {
        separator()
        let n = name.utf8CodeUnitCount
        reserve(n + 3)
        base[count] = UInt8(ascii: "\"")
        (base + count + 1).initialize(from: name.utf8Start, count: n)
        base[count + n + 1] = UInt8(ascii: "\"")
        base[count + n + 2] = UInt8(ascii: ":")
        count += n + 3
        // The value right after a key takes no comma.
        needsComma &= ~1
    }

    @inlinable mutating func open(_ bracket: UInt8) {
        separator()
        put(bracket)
        needsComma <<= 1
        depth += 1
        precondition(depth < 64, "canonical JSON nested too deeply")
    }

    @inlinable mutating func close(_ bracket: UInt8) {
        needsComma >>= 1
        depth -= 1
        put(bracket)
    }

    @inlinable public mutating func int(_ n: Int64) throws(CanonicalJSON.Failure) {
        guard n >= -CanonicalJSON.maxSafeInteger && n <= CanonicalJSON.maxSafeInteger else { throw .integerOutOfRange(n) }
        separator()
        reserve(17)                                  // "-" and at most 16 digits
        if n < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var m = n.magnitude
        var digits = 1
        var limit: UInt64 = 10
        while m >= limit && digits < 16 { digits += 1; limit &*= 10 }
        var i = count + digits - 1
        repeat { base[i] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30; m /= 10; i -= 1 } while m > 0
        count += digits
    }

    @inlinable public mutating func int(_ n: Int) throws(CanonicalJSON.Failure) { try int(Int64(n)) }
    @inlinable public mutating func uint(_ n: UInt64) throws(CanonicalJSON.Failure) {
        guard n <= UInt64(CanonicalJSON.maxSafeInteger) else { throw .integerOutOfRange(Int64(clamping: n)) }
        try int(Int64(n))
    }

    @inlinable public mutating func string(_ s: String) {
        separator()
        var s = s
        s.withUTF8 { utf8 in
            // Most strings need no escape at all: copy them in one go.
            guard utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else {
                var escaped: [UInt8] = []
                CanonicalJSON.writeString(String(decoding: utf8, as: UTF8.self), to: &escaped)
                escaped.withUnsafeBufferPointer { put($0) }
                return
            }
            reserve(utf8.count + 2)
            base[count] = UInt8(ascii: "\"")
            if let from = utf8.baseAddress { (base + count + 1).initialize(from: from, count: utf8.count) }
            base[count + utf8.count + 1] = UInt8(ascii: "\"")
            count += utf8.count + 2
        }
    }

    @inlinable public mutating func bool(_ b: Bool) {
        separator()
        put(b ? "true" : "false")
    }

    @inlinable public mutating func null() {
        separator()
        put("null")
    }

    /// Embeds a value encoded by ``CanonicalEncoder`` (for the rare types without a hand-written form).
    @inlinable public mutating func raw(_ canonical: [UInt8]) {
        separator()
        canonical.withUnsafeBufferPointer { put($0) }
    }

    @inlinable mutating func separator() {
        guard depth > 0 else { return }
        if needsComma & 1 != 0 { put(UInt8(ascii: ",")) } else { needsComma |= 1 }
    }

    @inlinable @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @usableFromInline mutating func grow(to needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inlinable mutating func put(_ buffer: UnsafeBufferPointer<UInt8>) {
        reserve(buffer.count)
        if let from = buffer.baseAddress { (base + count).initialize(from: from, count: buffer.count) }
        count += buffer.count
    }

    @inlinable mutating func put(_ word: StaticString) {
        put(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}

/// A type that writes its own canonical JSON, identical to what ``CanonicalEncoder`` produces for it.
public protocol CanonicalEncodable {
    func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure)
}
