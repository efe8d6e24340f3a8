import Foundation
import RuyiCore
import Testing

/// `JSONBytesEncoder` writes what `JSONEncoder` writes (byte for byte with sorted keys) for every shape Codable makes.
@Suite struct JSONBytesEncoderTests {
    enum Kind: String, Codable, Hashable { case piece, weighed }
    enum State: Codable, Hashable {
        case open
        case awaiting(provider: String, attempt: Int)
        case done(Int64)
    }
    struct Inner: Codable, Hashable {
        var name: String
        var saleID: String?
        var myURLValue: Int
        var p99US: UInt64
    }
    /// A hand-written encoding: nested containers written out of the simple order, a container asked for twice.
    struct Custom: Codable, Hashable {
        var a: Int
        var b: [String]
        enum Keys: String, CodingKey { case a, nested, b, tail }
        enum NestedKeys: String, CodingKey { case x, y }
        init(a: Int, b: [String]) { self.a = a; self.b = b }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            a = try c.decode(Int.self, forKey: .a)
            b = try c.decode([String?].self, forKey: .b).compactMap { $0 }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var n = c.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
            try n.encode(a * 2, forKey: .y)
            try c.encode(a, forKey: .a)  // the parent goes on: the nested one is finished first
            var again = encoder.container(keyedBy: Keys.self)
            var list = again.nestedUnkeyedContainer(forKey: .b)
            for s in b { try list.encode(s) }
            try list.encodeNil()
            try again.encode(true, forKey: .tail)
        }
    }
    struct Empty: Codable, Hashable {}
    struct Everything: Codable, Hashable {
        var text: String
        var escapes: String
        var smallest: Int64
        var largest: UInt64
        var negative: Int8
        var flag: Bool
        var ratio: Double
        var whole: Double
        var kind: Kind
        var states: [State]
        var inner: Inner
        var missing: Inner?
        var grid: [[Int]]
        var byName: [String: Int]
        var custom: Custom
        var empty: Empty
        var nothing: [Int]
        var lineDiscount: String?
    }

    static let sample = Everything(
        text: "康师傅红烧牛肉面 120g", escapes: "a\"b\\c/d\ne\rf\tg\u{01}h\u{1F}i\u{08}\u{0C}😀", smallest: .min, largest: .max, negative: -7, flag: true,
        ratio: 1.5, whole: 2, kind: .weighed, states: [.open, .awaiting(provider: "test", attempt: 3), .done(-1)],
        inner: Inner(name: "可乐", saleID: "0001-0003", myURLValue: 0, p99US: 42), missing: nil, grid: [[1, 2], [], [3]],
        byName: ["zeta": 1, "alpha": 2, "mixedCase": 3, "a_b": 4, "a": 5], custom: Custom(a: 21, b: ["x", "y"]), empty: Empty(), nothing: [],
        lineDiscount: "10%")

    @Test func sortedSnakeCaseBytesAreJSONEncoders() throws {
        let foundation = JSONEncoder()
        foundation.keyEncodingStrategy = .convertToSnakeCase
        foundation.outputFormatting = [.sortedKeys]
        let expected = String(decoding: try foundation.encode(Self.sample), as: UTF8.self)
        let ours = String(decoding: try JSONBytesEncoder(keyStyle: .snakeCase, sortedKeys: true).encode(Self.sample), as: UTF8.self)
        #expect(ours == expected)
        // (Decoding it back with .convertFromSnakeCase would not find `myURLValue` — JSONDecoder looks for `myUrlValue`.)
        #expect(ours.contains(#""mixedCase":3"#), "dictionary keys are data: never converted")
    }

    @Test func keysAsTheyAreDecodeToTheSameValue() throws {
        let bytes = try JSONBytesEncoder().encode(Self.sample)
        #expect(try JSONDecoder().decode(Everything.self, from: Data(bytes)) == Self.sample)
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try JSONBytesEncoder(sortedKeys: true).encode(Self.sample), as: UTF8.self)
                == String(decoding: try foundation.encode(Self.sample), as: UTF8.self))
        // Top-level scalars and arrays, as JSONEncoder writes them.
        #expect(try JSONBytesEncoder().encode("x/y") == Array(#""x\/y""#.utf8))
        #expect(try JSONBytesEncoder().encode([Int?.none, 1]) == Array("[null,1]".utf8))
        #expect(try JSONBytesEncoder().encode(Empty()) == Array("{}".utf8))
    }

    @Test func whatItCannotWriteTheSameWayIsRefused() {
        #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(["d": Data([1, 2])]) }
        #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(Decimal(1)) }
    }
}
