import Foundation
import GRDB

/// An entry waiting to be shipped upstream. `id` is the idempotency key: the server stores each id once.
public struct OutboxItem: Hashable, Sendable {
    public let seq: Int64
    public let id: UUID
    public let kind: String
    /// The canonical body, exactly as hashed: the server recomputes the chain from these.
    public let body: [UInt8]
    public let hash: [UInt8]
}

extension Ledger {
    /// The outbox cursor: the newest head the server acknowledged (0 before the first acknowledgement). Every entry has
    /// its outbox row, keyed by its id, from the transaction that wrote it; the ones after the cursor are still to ship.
    static let acknowledgedSeq = "SELECT IFNULL(MAX(seq), 0) FROM anchor WHERE kind = 'server_ack'"

    /// The next `limit` entries to ship, oldest first.
    public func outboxBatch(limit: Int) throws -> [OutboxItem] {
        guard limit > 0 else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.seq, o.id, e.kind, e.body, e.hash FROM ledger_entry e JOIN outbox o ON o.id = e.id AND o.seq = e.seq
                WHERE e.seq > (\(Self.acknowledgedSeq)) ORDER BY e.seq LIMIT ?
                """, arguments: [limit]).map {
                OutboxItem(seq: $0[0], id: UUID(bytes: [UInt8]($0[1] as Data)), kind: $0[2], body: [UInt8]($0[3] as Data), hash: [UInt8]($0[4] as Data))
            }
        }
    }

    /// How many entries are still to ship: the head's sequence number less the cursor's. Sequence numbers run 1, 2, 3 …
    /// without gaps (the chain trigger refuses anything else, and nothing is deleted), so this reads two rows however
    /// long the store has been offline, where counting the rows past the cursor read every unshipped entry's page.
    public func outboxCount() throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT MAX(0, IFNULL((SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 1), 0) - (\(Self.acknowledgedSeq)))
                """) ?? 0
        }
    }

    /// The server acknowledged everything through `head`. Its hash must equal ours at that sequence number — if it does
    /// not, the two chains disagree and nothing is marked (the sync agent reports it). The head is kept as an anchor, and
    /// is the outbox's cursor from then on (an older acknowledgement arriving late moves nothing back).
    public func acknowledge(through head: ChainHead) throws {
        try write { db in
            guard let ours = try Data.fetchOne(db, sql: "SELECT hash FROM ledger_entry WHERE seq = ?", arguments: [head.seq]) else {
                throw LedgerError.invalidInput("acknowledgement", "the server acknowledged entry \(head.seq), which this ledger does not have")
            }
            guard [UInt8](ours) == head.hash else {
                throw LedgerError.invalidInput("acknowledgement", "the server's hash for entry \(head.seq) differs from this ledger's; nothing was marked")
            }
            try db.execute(sql: "INSERT OR REPLACE INTO anchor(kind, seq, hash, recorded_at) VALUES ('server_ack', ?, ?, ?)",
                           arguments: [head.seq, Data(head.hash), clock.wallMillis()])
        }
    }

    /// The newest head the server acknowledged.
    public func lastAcknowledged() throws -> ChainHead? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM anchor WHERE kind = 'server_ack' ORDER BY seq DESC LIMIT 1")
                .map { ChainHead(seq: $0[0], hash: [UInt8]($0[1] as Data)) }
        }
    }
}
