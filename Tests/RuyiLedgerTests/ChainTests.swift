import Foundation
import Testing
import RuyiCore
@testable import RuyiLedger
import RuyiTestKit

@Suite("Hash chain and encoding")
struct ChainTests {
    /// docs/ledger-encoding.md's test vector: the canonical bytes and the hash, computed independently with Python.
    @Test("the encoding's test vector")
    func testVector() throws {
        struct Data: Codable, Sendable {
            var name: String, amount: Int64, z: Bool, a: String?, list: [JSONValueBox]
            var e: Int, smile: Int, bang: Int
            enum CodingKeys: String, CodingKey { case name, amount, z, a, list, e = "é", smile = "😀", bang = "！" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(name, forKey: .name); try c.encode(amount, forKey: .amount); try c.encode(z, forKey: .z)
                try c.encodeNil(forKey: .a); try c.encode(list, forKey: .list)
                try c.encode(e, forKey: .e); try c.encode(smile, forKey: .smile); try c.encode(bang, forKey: .bang)
            }
        }
        let env = EntryEnvelope(v: 1, seq: 1, id: UUID(uuidString: "01935c6e-8a00-7000-8000-000000000001")!, kind: "sale",
                                prev: String(repeating: "0", count: 64), at: 1_732_345_678_901, boot: "b", mono: 5, ref: nil,
                                data: Data(name: "可口可乐\n\"330ml\"\t\u{1}€", amount: -1250, z: true, a: nil,
                                           list: [.int(1), .string("x")], e: 1, smile: 2, bang: 3))
        let bytes = try CanonicalEncoder().encode(env)
        let expected = #"{"at":1732345678901,"boot":"b","data":{"a":null,"amount":-1250,"list":[1,"x"],"name":"可口可乐\n\"330ml\"\t\u0001€","z":true,"é":1,"😀":2,"！":3},"id":"01935c6e-8a00-7000-8000-000000000001","kind":"sale","mono":5,"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"v":1}"#
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(Chain.link(previous: ChainHead.genesisHash, body: bytes).hex == "b95ae18a5a511211c574f7168cd34a49eaa8212e1e1b954394d3018ca75f3a2e")
    }

    @Test("an independent implementation (Python, as upstream) recomputes the same chain")
    func independentRecompute() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("ledger.sqlite")
        let ledger = try StoreFixture.open(db)
        for i in 0..<20 { try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(i % 3 + 1)), cashier: StoreFixture.cashier) }
        let head = try ledger.head()
        let r = try run("/usr/bin/python3", [fixture("recompute_chain.py"), db])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok \(head.seq) \(head.hash.hex)")
    }

    @Test("every connection runs WAL with synchronous=FULL")
    func pragmas() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        let settings = try ledger.connectionSettings()
        #expect(settings.count == 3)
        for s in settings {
            #expect(s.journalMode == "wal")
            #expect(s.synchronous == 2, "synchronous=FULL is 2")
        }
    }

    @Test("triggers refuse UPDATE and DELETE, and an insert that does not extend the chain")
    func appendOnly() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        let before = try entryCount(db)
        for sql in ["UPDATE ledger_entry SET body = 'x' WHERE seq = 1", "DELETE FROM ledger_entry WHERE seq = 1",
                    "INSERT INTO ledger_entry(seq, id, kind, body, hash) VALUES (999, x'00', 'sale', 'x', x'00')"] {
            let r = try run("/usr/bin/sqlite3", [db, sql])
            #expect(r.status != 0, "\(sql) was allowed")
        }
        #expect(try entryCount(db) == before)
        #expect(try LedgerVerifier.verify(path: db).intact)
    }
}

/// A JSON value for the test vector's mixed list.
enum JSONValueBox: Codable, Sendable {
    case int(Int64), string(String)
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(n): try c.encode(n)
        case let .string(s): try c.encode(s)
        }
    }
    init(from decoder: any Decoder) throws { self = .int(0) }
}

@Suite("Hand-written canonical form")
struct CanonicalWriterTests {
    @Test("integers are written as their decimal text at every digit count; beyond ±(2^53−1) they are refused")
    func integers() throws {
        var values: [Int64] = [0, 1, 9, 10, 99, 100, 12_345, CanonicalJSON.maxSafeInteger, 999_999_999_999_999, 1_000_000_000_000_000]
        var p: Int64 = 1
        for _ in 0..<16 { values += [p - 1, p, p + 1]; p *= 10 }
        values += values.map { -$0 }
        var w = CanonicalWriter(capacity: 1)
        w.beginArray()
        for v in values { try w.int(v) }
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self) == "[" + values.map(String.init).joined(separator: ",") + "]")
        var refused = CanonicalWriter()
        #expect(throws: CanonicalJSON.Failure.integerOutOfRange(CanonicalJSON.maxSafeInteger + 1)) {
            try refused.int(CanonicalJSON.maxSafeInteger + 1)
        }
    }

    @Test("strings past the buffer's size, with and without escapes, match the generic encoder")
    func longStrings() throws {
        let plain = String(repeating: "可口可乐 cola ", count: 400)
        let escaped = plain + "\"\\\n\u{1}" + plain
        var w = CanonicalWriter(capacity: 16)
        w.beginArray()
        w.string(plain)
        w.string(escaped)
        w.endArray()
        #expect(w.bytes == (try CanonicalJSON.encode(.array([.string(plain), .string(escaped)]))))
    }

    @Test("the sale path's hand-written bytes equal the generic encoder's, for every optional field set or not")
    func sameBytes() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        var cart = Cart(cashRoundingToJiao: true)
        try cart.add(try ledger.product(id: "cola")!, quantity: .pieces(3), barcode: "6901234567892", taxRateBasisPoints: 1300)
        try cart.addUnknown(barcode: "2000000000008", price: Money(fen: 999))
        try cart.add(try ledger.product(id: "apple")!, quantity: .grams(1), taxRateBasisPoints: 900)
        try cart.voidLine(3)
        try cart.discountSale(.percent(basisPoints: 333))
        try cart.setMember("M-\"1\"")
        let a = try cart.beginCodePayment(provider: "alipay", amount: Money(fen: 100))
        try cart.codePaymentFailed(attempt: a.id, reason: "用户取消\n")
        let b = try cart.beginCodePayment(provider: "wechat", amount: Money(fen: 100))
        try cart.codePaymentSucceeded(attempt: b.id, transaction: "WX\u{1}1")
        try cart.tenderCash(Money(fen: 5000))
        var full = SaleData(try cart.complete(), cashier: "c1")
        full.shift = 3
        full.receipt = 12
        var refund = full
        refund.original = UUID()
        refund.member = nil
        refund.lines = refund.lines.map { var l = $0; l.returnOf = l.n; l.pending = nil; l.barcode = nil; return l }
        let minimal = SaleData(try StoreFixture.cashSale(ledger), cashier: "c1")
        for record in [full, refund, minimal] {
            var w = CanonicalWriter()
            try record.writeCanonical(to: &w)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(decoding: try CanonicalEncoder().encode(record), as: UTF8.self))
            for ref in [nil, UUID()] {
                let env = EntryEnvelope(v: 1, seq: 42, id: UUID(), kind: "sale", prev: String(repeating: "ab", count: 32), at: 1_795_395_600_123,
                                        boot: "b-1", mono: 123_456_789, ref: ref, data: record)
                let handWritten = try EnvelopeWriter.write(seq: env.seq, id: env.id, kind: env.kind, prevHex: env.prev, at: env.at,
                                                           boot: env.boot, mono: env.mono, ref: env.ref) { w throws(CanonicalJSON.Failure) in
                    try record.writeCanonical(to: &w)
                }
                #expect(handWritten == (try CanonicalEncoder().encode(env)))
            }
        }
    }
}
