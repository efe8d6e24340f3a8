import Crypto
import Foundation
import GRDB
import RuyiCore

/// Kinds of chained entries. Stored as text; new kinds may be added, existing ones never renamed.
public struct EntryKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let sale = EntryKind(rawValue: "sale")
    public static let refund = EntryKind(rawValue: "refund")
    public static let postVoid = EntryKind(rawValue: "post_void")
    public static let shiftOpen = EntryKind(rawValue: "shift_open")
    /// The Z report: closes the shift.
    public static let shiftClose = EntryKind(rawValue: "shift_close")
    public static let cashMovement = EntryKind(rawValue: "cash_movement")
    public static let stockMovement = EntryKind(rawValue: "stock_movement")
    public static let catalogImport = EntryKind(rawValue: "catalog_import")
    public static let priceChange = EntryKind(rawValue: "price_change")
    public static let cashierChange = EntryKind(rawValue: "cashier_change")
}

/// The envelope every chained entry's body has (encoding v1). Its canonical JSON is what is hashed.
///
/// See docs/ledger-encoding.md: `{"at":…,"boot":…,"data":{…},"id":…,"kind":…,"mono":…,"prev":…,"seq":…,"v":1}`.
struct EntryEnvelope<Data: Codable & Sendable>: Codable, Sendable {
    var v: Int
    var seq: Int64
    var id: UUID
    var kind: String
    /// Hex SHA-256 of the previous entry (64 zeros for the first).
    var prev: String
    /// Wall-clock milliseconds since the Unix epoch when recorded.
    var at: Int64
    /// Kernel boot id and monotonic nanoseconds, so the order of entries is known even when the wall clock stepped.
    var boot: String
    var mono: UInt64
    var ref: UUID?
    var data: Data
}

/// A chained entry as stored.
public struct StoredEntry: Hashable, Sendable {
    public let seq: Int64
    public let id: UUID
    public let kind: EntryKind
    public let body: [UInt8]
    public let hash: [UInt8]
}

/// What appending an entry produced.
public struct AppendedEntry: Hashable, Sendable {
    public let seq: Int64
    public let id: UUID
    public let hash: [UInt8]
    public let at: Int64
}

/// The head of the chain: the last entry's sequence number and hash. `SEQ:HEX` is how it is printed and anchored.
public struct ChainHead: Hashable, Sendable, CustomStringConvertible {
    public let seq: Int64
    public let hash: [UInt8]

    public init(seq: Int64, hash: [UInt8]) {
        self.seq = seq
        self.hash = hash
    }

    public static let genesisHash = [UInt8](repeating: 0, count: 32)
    public var description: String { "\(seq):\(hash.hex)" }

    /// Parses `SEQ:HEX` (as printed on a Z report or returned by the server).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, let hash = [UInt8](hex: String(parts[1])), hash.count == 32 else {
            return nil
        }
        self.init(seq: seq, hash: hash)
    }
}

/// Appends entries to the chain inside a write transaction the caller owns.
enum Chain {
    static let encodingVersion = 1

    /// The chain hash: SHA-256(previous hash ‖ canonical body).
    static func link(previous: [UInt8], body: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: previous)
        h.update(data: body)
        return Array(h.finalize())
    }

    static func head(_ db: Database) throws -> ChainHead {
        let s = try HotStatement(db, "SELECT seq, hash FROM ledger_entry ORDER BY seq DESC LIMIT 1")
        guard try s.step() else { return ChainHead(seq: 0, hash: ChainHead.genesisHash) }
        return ChainHead(seq: s.int64(0), hash: s.blob(1))
    }

    /// Appends one entry. Must run inside the business event's write transaction, with everything else it writes.
    @discardableResult
    static func append<D: Codable & Sendable>(
        _ db: Database, kind: EntryKind, id: UUID, ref: UUID? = nil, receipt: Int64? = nil, data: D,
        clock: any TillClock
    ) throws -> AppendedEntry {
        let head = try head(db)
        let at = clock.wallMillis()
        let envelope = EntryEnvelope(v: encodingVersion, seq: head.seq + 1, id: id, kind: kind.rawValue, prev: head.hash.hex,
                                     at: at, boot: clock.bootID, mono: clock.monotonicNanos(), ref: ref, data: data)
        return try insert(db, head: head, kind: kind, id: id, ref: ref, receipt: receipt, at: at,
                          body: try CanonicalEncoder().encode(envelope))
    }

    /// Appends a sale or refund: the same as ``append(_:kind:id:ref:receipt:data:clock:)``, with the body written
    /// by hand (see SaleData+Canonical.swift), without generic or dynamic dispatch.
    /// `head` is the chain's head as read in the same write transaction.
    static func appendSale(_ db: Database, head: ChainHead, kind: EntryKind, id: UUID, receipt: Int64, record: SaleData,
                           clock: any TillClock) throws -> AppendedEntry {
        let at = clock.wallMillis()
        let body = try EnvelopeWriter.write(seq: head.seq + 1, id: id, kind: kind.rawValue, prev: head.hash, at: at, boot: clock.bootID,
                                            mono: clock.monotonicNanos(), ref: record.original) { w throws(CanonicalJSON.Failure) in
            try record.writeCanonical(to: &w)
        }
        return try insert(db, head: head, kind: kind, id: id, ref: record.original, receipt: receipt, at: at, body: body)
    }

    private static func insert(_ db: Database, head: ChainHead, kind: EntryKind, id: UUID, ref: UUID?, receipt: Int64?, at: Int64,
                               body: [UInt8]) throws -> AppendedEntry {
        let hash = link(previous: head.hash, body: body)
        let idBytes = id.bytes
        // The outbox row first: keyed by the id, it is also the chain's unique index, so a duplicate id stops here.
        do {
            let row = try HotStatement(db, "INSERT INTO outbox(id, seq) VALUES (?, ?)")
            row.bind(1, idBytes)
            row.bind(2, head.seq + 1)
            try row.run()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT && e.message?.contains("outbox.id") == true {
            throw LedgerError.duplicateEntry(id.lowercased)
        }
        let insert = try HotStatement(db, "INSERT INTO ledger_entry(seq, id, kind, ref, receipt, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?)")
        insert.bind(1, head.seq + 1)
        insert.bind(2, idBytes)
        insert.bind(3, kind.rawValue)
        insert.bind(4, ref?.bytes)
        insert.bind(5, receipt)
        insert.bind(6, body)
        insert.bind(7, hash)
        try insert.run()
        return AppendedEntry(seq: head.seq + 1, id: id, hash: hash, at: at)
    }

    static func entry(_ db: Database, id: UUID) throws -> StoredEntry? {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT e.seq, e.id, e.kind, e.body, e.hash FROM outbox o JOIN ledger_entry e ON e.seq = o.seq WHERE o.id = ?
            """),
                                   arguments: [Foundation.Data(id.bytes)])
        return row.map(stored)
    }

    static func stored(_ row: Row) -> StoredEntry {
        StoredEntry(seq: row[0], id: UUID(bytes: [UInt8](row[1] as Foundation.Data)), kind: EntryKind(rawValue: row[2]),
                    body: [UInt8](row[3] as Foundation.Data), hash: [UInt8](row[4] as Foundation.Data))
    }

    static func decode<D: Codable & Sendable>(_ type: D.Type, from entry: StoredEntry) throws -> EntryEnvelope<D> {
        do {
            return try JSONDecoder().decode(EntryEnvelope<D>.self, from: Foundation.Data(entry.body))
        } catch {
            throw LedgerError.corrupt("entry \(entry.seq) (\(entry.kind)) cannot be read: \(error)")
        }
    }
}
