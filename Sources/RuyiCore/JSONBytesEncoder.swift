import Foundation
import Synchronization

/// A JSON encoder for the till's hot paths (the cart journal on every scan, every API answer), writing bytes as it goes.
///
/// Foundation's `JSONEncoder` builds a tree of boxed values, converts every key to snake case on every call and casts
/// every value against its special types; on this terminal that was 40% of a scan's CPU time. This one writes each
/// container into a buffer kept per nesting depth (reused from value to value, so a cart of ten lines costs a handful
/// of allocations), converts each distinct key once per process, and sorts an object's members when it closes.
///
/// Its output decodes with `JSONDecoder` to the same values as `JSONEncoder`'s: types encode through their own
/// `Encodable` (a `Date` as its reference-date seconds, as `.deferredToDate` does). `Data`, `URL` and `Decimal`, which
/// `JSONEncoder` special-cases, are refused rather than written differently; so are NaN and infinity. With
/// `sortedKeys` the bytes are those `JSONEncoder` writes with `.sortedKeys` (tested on the wire types).
public struct JSONBytesEncoder: Sendable {
    public enum KeyStyle: Sendable { case asIs, snakeCase }

    public var keyStyle: KeyStyle
    public var sortedKeys: Bool

    public init(keyStyle: KeyStyle = .asIs, sortedKeys: Bool = false) {
        self.keyStyle = keyStyle
        self.sortedKeys = sortedKeys
    }

    public func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = JSONByteWriter(keyStyle: keyStyle, sortedKeys: sortedKeys)
        try writer.encodeValue(value, into: 0)
        writer.close(above: 0)
        return writer.frames[0].out
    }

    public func encodeData(_ value: some Encodable) throws -> Data { Data(try encode(value)) }
}

/// One open container. Object members are kept as spans of `out` (`"key":value`, no commas) so they can be sorted.
fileprivate struct Frame {
    enum Kind { case root, object, array }
    var kind: Kind = .root
    var out: [UInt8] = []
    /// Object members: where each starts in `out`, and where its key (quoted) ends.
    var members: [(start: Int, keyEnd: Int)] = []
    var count = 0
    /// Which container this is, so a stale container (one closed already) is caught rather than written to.
    var serial = 0
}

fileprivate final class JSONByteWriter {
    var frames: [Frame] = [Frame()]
    /// How many frames are open: frames[0] is the root; frames above `depth` are spare buffers.
    private(set) var depth = 0
    private var nextSerial = 1
    let keyStyle: JSONBytesEncoder.KeyStyle
    let sortedKeys: Bool
    private var keyCache: [String: [UInt8]] = [:]

    init(keyStyle: JSONBytesEncoder.KeyStyle, sortedKeys: Bool) {
        self.keyStyle = keyStyle
        self.sortedKeys = sortedKeys
    }

    // MARK: frames

    /// Opens a container one level above `parent` (closing whatever was still open above it).
    func open(_ kind: Frame.Kind, above parent: Int) -> (depth: Int, serial: Int) {
        close(above: parent)
        let d = parent + 1
        if frames.count <= d { frames.append(Frame()) }
        frames[d].kind = kind
        frames[d].out.removeAll(keepingCapacity: true)
        frames[d].members.removeAll(keepingCapacity: true)
        frames[d].count = 0
        frames[d].serial = nextSerial
        nextSerial += 1
        depth = d
        return (d, frames[d].serial)
    }

    func isOpen(_ d: Int, serial: Int) -> Bool { d <= depth && frames[d].serial == serial }

    /// Closes every container above level `d`, each written into its parent.
    func close(above d: Int) {
        while depth > d {
            let child = depth
            depth -= 1
            var f = frames[child]
            frames[child] = Frame()  // its buffer moves out while it is written into the parent
            switch f.kind {
            case .object:
                frames[depth].out.append(UInt8(ascii: "{"))
                let m = f.members
                func end(_ i: Int) -> Int { i + 1 < m.count ? m[i + 1].start : f.out.count }
                if sortedKeys, m.count > 1 {
                    var order = Array(m.indices)
                    f.out.withUnsafeBufferPointer { b in
                        // The keys without their quotes: `"a"` against `"a_b"` would otherwise compare `"` with `_`.
                        func key(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[(m[i].start + 1)..<(m[i].keyEnd - 1)]) }
                        order.sort { key($0).lexicographicallyPrecedes(key($1)) }
                    }
                    for (n, i) in order.enumerated() {
                        if n > 0 { frames[depth].out.append(UInt8(ascii: ",")) }
                        frames[depth].out.append(contentsOf: f.out[m[i].start..<end(i)])
                    }
                } else {
                    for i in m.indices {
                        if i > 0 { frames[depth].out.append(UInt8(ascii: ",")) }
                        frames[depth].out.append(contentsOf: f.out[m[i].start..<end(i)])
                    }
                }
                frames[depth].out.append(UInt8(ascii: "}"))
            case .array:
                frames[depth].out.append(UInt8(ascii: "["))
                frames[depth].out.append(contentsOf: f.out)
                frames[depth].out.append(UInt8(ascii: "]"))
            case .root:
                break
            }
            f.out.removeAll(keepingCapacity: true)
            f.members.removeAll(keepingCapacity: true)
            frames[child] = f
        }
    }

    // MARK: slots

    /// Starts a member of the object at `d`: `"key":`, converted once per distinct key (a dictionary's keys are data,
    /// written as they are, as JSONEncoder does).
    func beginMember(_ key: String, in d: Int, raw: Bool = false) {
        close(above: d)
        let start = frames[d].out.count
        if raw {
            Self.appendString(key, to: &frames[d].out)
        } else if let k = keyCache[key] {
            frames[d].out.append(contentsOf: k)
        } else {
            let name = keyStyle == .snakeCase ? SnakeCaseKeys.convert(key) : key
            var quoted: [UInt8] = []
            Self.appendString(name, to: &quoted)
            keyCache[key] = quoted
            frames[d].out.append(contentsOf: quoted)
        }
        frames[d].members.append((start, frames[d].out.count))
        frames[d].out.append(UInt8(ascii: ":"))
        frames[d].count += 1
    }

    /// Starts an element of the array at `d`.
    func beginElement(in d: Int) {
        close(above: d)
        if frames[d].count > 0 { frames[d].out.append(UInt8(ascii: ",")) }
        frames[d].count += 1
    }

    func append(_ bytes: some Sequence<UInt8>, at d: Int) { frames[d].out.append(contentsOf: bytes) }

    func appendString(_ s: String, at d: Int) { Self.appendString(s, to: &frames[d].out) }

    func appendInteger<T: BinaryInteger>(_ v: T, at d: Int) {
        if v == 0 { frames[d].out.append(UInt8(ascii: "0")); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 20 digits, written backwards from the end
        var n = 0
        var magnitude = v.magnitude
        withUnsafeMutableBytes(of: &digits) { buf in
            while magnitude > 0 {
                buf[23 - n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            }
            if v < 0 { frames[d].out.append(UInt8(ascii: "-")) }
            frames[d].out.append(contentsOf: buf[(24 - n)..<24])
        }
    }

    func appendFloat<T: BinaryFloatingPoint & LosslessStringConvertible>(_ v: T, at d: Int, path: [any CodingKey]) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: path, debugDescription: "\(v) is not a JSON number"))
        }
        var text = v.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        frames[d].out.append(contentsOf: text.utf8)
    }

    /// Writes `value` into the slot just begun at level `d`.
    func encodeValue<T: Encodable>(_ value: T, into d: Int, path: [any CodingKey] = []) throws {
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "JSONBytesEncoder does not write \(T.self)"))
        }
        let encoder = SlotEncoder(writer: self, slot: d, codingPath: path,
                                  rawKeys: keyStyle == .snakeCase && value is any StringKeyedDictionary)
        try value.encode(to: encoder)
        close(above: d)
        if !encoder.wrote { frames[d].out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string as `JSONEncoder` writes it: `"` `\` `/` and control characters escaped, everything else as UTF-8.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var clean = 0  // start of the run that needs no escaping
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == UInt8(ascii: "/") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<i]))
                clean = i + 1
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(b)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default: out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Foundation's snake-case names, asked of Foundation once per distinct key (so the names are exactly `JSONEncoder`'s)
/// and kept for the life of the process.
enum SnakeCaseKeys {
    private static let cache = Mutex<[String: String]>([:])

    static func convert(_ key: String) -> String {
        if let known = cache.withLock({ $0[key] }) { return known }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let name = (try? encoder.encode([KeyProbe(key: key)])).flatMap { data -> String? in
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
            return array.first?.keys.first
        } ?? key
        // Dictionary keys come through here too (a `[String: V]` encodes keyed): keep only names that look like a
        // property's, and not without bound.
        if key.utf8.count <= 64, key.utf8.allSatisfy({ $0 < 0x80 }) {
            cache.withLock { if $0.count < 4096 { $0[key] = name } }
        }
        return name
    }

    private struct KeyProbe: Encodable {
        let key: String
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(0, forKey: Key(stringValue: key))
        }
    }
}

/// `[String: V]`: its keys are written as they are, never converted to snake case.
private protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// The `Encoder` handed to a value: it writes into the slot its parent began at level `slot`.
private final class SlotEncoder: Encoder {
    let writer: JSONByteWriter
    let slot: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let rawKeys: Bool
    var wrote = false
    private var opened: (depth: Int, serial: Int, kind: Frame.Kind)?

    init(writer: JSONByteWriter, slot: Int, codingPath: [any CodingKey], rawKeys: Bool = false) {
        self.writer = writer
        self.slot = slot
        self.codingPath = codingPath
        self.rawKeys = rawKeys
    }

    private func frame(_ kind: Frame.Kind) -> (depth: Int, serial: Int) {
        // Asking again for the same kind of container continues the one already open, as JSONEncoder allows.
        if let o = opened, o.kind == kind, writer.isOpen(o.depth, serial: o.serial) {
            writer.close(above: o.depth)
            return (o.depth, o.serial)
        }
        precondition(!wrote, "JSONBytesEncoder: \(codingPath.map(\.stringValue)) asked for a second container after writing")
        wrote = true
        let f = writer.open(kind, above: slot)
        opened = (f.depth, f.serial, kind)
        return f
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let f = frame(.object)
        return KeyedEncodingContainer(KeyedSlots<Key>(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath, rawKeys: rawKeys))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let f = frame(.array)
        return UnkeyedSlots(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlot(encoder: self) }

    /// A single value goes straight into the parent's slot.
    fileprivate func beginSingle() {
        precondition(!wrote, "JSONBytesEncoder: \(codingPath.map(\.stringValue)) wrote a single value twice")
        wrote = true
        writer.close(above: slot)
    }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let depth: Int
    let serial: Int
    let codingPath: [any CodingKey]
    var rawKeys = false

    private func begin(_ key: Key) {
        precondition(writer.isOpen(depth, serial: serial), "JSONBytesEncoder: a keyed container was written to after it closed")
        writer.beginMember(key.stringValue, in: depth, raw: rawKeys)
    }

    mutating func encodeNil(forKey key: Key) throws { begin(key); writer.append("null".utf8, at: depth) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { begin(key); writer.append((value ? "true" : "false").utf8, at: depth) }
    mutating func encode(_ value: String, forKey key: Key) throws { begin(key); writer.appendString(value, at: depth) }
    mutating func encode(_ value: Double, forKey key: Key) throws { begin(key); try writer.appendFloat(value, at: depth, path: codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { begin(key); try writer.appendFloat(value, at: depth, path: codingPath + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { begin(key); writer.appendInteger(value, at: depth) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        begin(key)
        try writer.encodeValue(value, into: depth, path: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        begin(key)
        let f = writer.open(.object, above: depth)
        return KeyedEncodingContainer(KeyedSlots<NestedKey>(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        begin(key)
        let f = writer.open(.array, above: depth)
        return UnkeyedSlots(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        writer.beginMember("super", in: depth)
        return SlotEncoder(writer: writer, slot: depth, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        begin(key)
        return SlotEncoder(writer: writer, slot: depth, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedSlots: UnkeyedEncodingContainer {
    let writer: JSONByteWriter
    let depth: Int
    let serial: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(writer: JSONByteWriter, depth: Int, serial: Int, codingPath: [any CodingKey]) {
        self.writer = writer
        self.depth = depth
        self.serial = serial
        self.codingPath = codingPath
    }

    private mutating func begin() {
        precondition(writer.isOpen(depth, serial: serial), "JSONBytesEncoder: an unkeyed container was written to after it closed")
        writer.beginElement(in: depth)
        count += 1
    }

    mutating func encodeNil() throws { begin(); writer.append("null".utf8, at: depth) }
    mutating func encode(_ value: Bool) throws { begin(); writer.append((value ? "true" : "false").utf8, at: depth) }
    mutating func encode(_ value: String) throws { begin(); writer.appendString(value, at: depth) }
    mutating func encode(_ value: Double) throws { begin(); try writer.appendFloat(value, at: depth, path: codingPath) }
    mutating func encode(_ value: Float) throws { begin(); try writer.appendFloat(value, at: depth, path: codingPath) }
    mutating func encode(_ value: Int) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int8) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int16) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int32) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: Int64) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt8) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt16) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt32) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode(_ value: UInt64) throws { begin(); writer.appendInteger(value, at: depth) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        begin()
        try writer.encodeValue(value, into: depth, path: codingPath + [IndexKey(count - 1)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        begin()
        let f = writer.open(.object, above: depth)
        return KeyedEncodingContainer(KeyedSlots<NestedKey>(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath + [IndexKey(count - 1)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        begin()
        let f = writer.open(.array, above: depth)
        return UnkeyedSlots(writer: writer, depth: f.depth, serial: f.serial, codingPath: codingPath + [IndexKey(count - 1)])
    }

    mutating func superEncoder() -> any Encoder {
        begin()
        return SlotEncoder(writer: writer, slot: depth, codingPath: codingPath + [IndexKey(count - 1)])
    }
}

private struct SingleSlot: SingleValueEncodingContainer {
    let encoder: SlotEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private var writer: JSONByteWriter { encoder.writer }
    private var slot: Int { encoder.slot }

    init(encoder: SlotEncoder) { self.encoder = encoder }

    mutating func encodeNil() throws { encoder.beginSingle(); writer.append("null".utf8, at: slot) }
    mutating func encode(_ value: Bool) throws { encoder.beginSingle(); writer.append((value ? "true" : "false").utf8, at: slot) }
    mutating func encode(_ value: String) throws { encoder.beginSingle(); writer.appendString(value, at: slot) }
    mutating func encode(_ value: Double) throws { encoder.beginSingle(); try writer.appendFloat(value, at: slot, path: codingPath) }
    mutating func encode(_ value: Float) throws { encoder.beginSingle(); try writer.appendFloat(value, at: slot, path: codingPath) }
    mutating func encode(_ value: Int) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: Int8) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: Int16) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: Int32) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: Int64) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: UInt) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: UInt8) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: UInt16) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: UInt32) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode(_ value: UInt64) throws { encoder.beginSingle(); writer.appendInteger(value, at: slot) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.beginSingle()
        try writer.encodeValue(value, into: slot, path: codingPath)
    }
}
