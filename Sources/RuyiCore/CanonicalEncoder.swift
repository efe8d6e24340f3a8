import Foundation

/// Encodes any `Encodable` value as ``JSONValue``, for ``CanonicalJSON``.
///
/// Ledger entries are plain `Codable` structs with explicit coding keys; this encoder turns them into the canonical
/// bytes that are hashed. Optional properties that are nil are left out (Swift's synthesised `encodeIfPresent`),
/// which keeps entries small and their encoding stable when an optional field is added later. Floating-point values
/// are refused; UUIDs are written in lower case.
public struct CanonicalEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> [UInt8] {
        try CanonicalJSON.encode(encodeValue(value))
    }

    public func encodeValue(_ value: some Encodable) throws -> JSONValue {
        try Node.encode(value, codingPath: []).value
    }
}

/// The tree being built. Containers hold references to their children so that nested containers can keep writing
/// after they were handed out, as the Encoder protocol requires.
private final class Node {
    enum Storage {
        case value(JSONValue)
        case object([String: Node])
        case array([Node])
    }

    var storage: Storage

    init(_ storage: Storage = .value(.null)) { self.storage = storage }

    var value: JSONValue {
        switch storage {
        case let .value(v): v
        case let .object(members): .object(members.mapValues(\.value))
        case let .array(items): .array(items.map(\.value))
        }
    }

    static func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws -> Node {
        if let uuid = value as? UUID { return Node(.value(.string(uuid.lowercased))) }
        let node = Node()
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
        return node
    }

    func asObject() {
        if case .object = storage { return }
        storage = .object([:])
    }

    func asArray() {
        if case .array = storage { return }
        storage = .array([])
    }

    func set(_ key: String, _ child: Node) {
        guard case var .object(members) = storage else { return }
        members[key] = child
        storage = .object(members)
    }

    func append(_ child: Node) {
        guard case var .array(items) = storage else { return }
        items.append(child)
        storage = .array(items)
    }

    var count: Int {
        if case let .array(items) = storage { return items.count }
        return 0
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.asObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.asArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ i: Int) { intValue = i; stringValue = String(i) }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private func floating(_ path: [any CodingKey]) -> EncodingError {
    EncodingError.invalidValue(0, .init(codingPath: path, debugDescription: "floating-point numbers cannot be encoded in a ledger entry (use integer minor units)"))
}

private func integer<T: BinaryInteger>(_ v: T, _ path: [any CodingKey]) throws -> Node {
    guard let n = Int64(exactly: v), n >= -CanonicalJSON.maxSafeInteger, n <= CanonicalJSON.maxSafeInteger else {
        throw EncodingError.invalidValue(Int64(clamping: v), .init(codingPath: path, debugDescription: "integer outside ±(2^53−1)"))
    }
    return Node(.value(.int(n)))
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.set(key.stringValue, Node(.value(.null))) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.set(key.stringValue, Node(.value(.bool(value)))) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.set(key.stringValue, Node(.value(.string(value)))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw floating(codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw floating(codingPath + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { node.set(key.stringValue, try integer(value, codingPath + [key])) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try Node.encode(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = Node(.object([:]))
        node.set(key.stringValue, child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Node(.array([]))
        node.set(key.stringValue, child)
        return UnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Node()
        node.set(key.stringValue, child)
        return NodeEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.count }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(count)] }

    mutating func encodeNil() throws { node.append(Node(.value(.null))) }
    mutating func encode(_ value: Bool) throws { node.append(Node(.value(.bool(value)))) }
    mutating func encode(_ value: String) throws { node.append(Node(.value(.string(value)))) }
    mutating func encode(_ value: Double) throws { throw floating(nextPath) }
    mutating func encode(_ value: Float) throws { throw floating(nextPath) }
    mutating func encode(_ value: Int) throws { node.append(try integer(value, nextPath)) }
    mutating func encode(_ value: Int32) throws { node.append(try integer(value, nextPath)) }
    mutating func encode(_ value: Int64) throws { node.append(try integer(value, nextPath)) }
    mutating func encode(_ value: UInt64) throws { node.append(try integer(value, nextPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws { node.append(try Node.encode(value, codingPath: nextPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = Node(.object([:]))
        let path = nextPath
        node.append(child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Node(.array([]))
        let path = nextPath
        node.append(child)
        return UnkeyedContainer(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        let path = nextPath
        node.append(child)
        return NodeEncoder(node: child, codingPath: path)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.storage = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.storage = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.storage = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { throw floating(codingPath) }
    mutating func encode(_ value: Float) throws { throw floating(codingPath) }
    mutating func encode(_ value: Int) throws { node.storage = try integer(value, codingPath).storage }
    mutating func encode(_ value: Int32) throws { node.storage = try integer(value, codingPath).storage }
    mutating func encode(_ value: Int64) throws { node.storage = try integer(value, codingPath).storage }
    mutating func encode(_ value: UInt64) throws { node.storage = try integer(value, codingPath).storage }
    mutating func encode<T: Encodable>(_ value: T) throws { node.storage = try Node.encode(value, codingPath: codingPath).storage }
}
