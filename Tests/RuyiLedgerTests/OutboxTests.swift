import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

/// Every entry's outbox row is keyed by its UUIDv7 (the idempotency key upstream, and the chain's unique id index); the
/// server's acknowledgement is the cursor.
@Suite("The outbox")
struct OutboxTests {
    @Test("entries ship oldest first; an acknowledgement moves the cursor, a wrong or late one moves nothing")
    func acknowledgements() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        for colas in 1...3 { try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(colas)), cashier: StoreFixture.cashier) }
        let head = try ledger.head()
        let all = try ledger.outboxBatch(limit: 1000)
        #expect(all.map(\.seq) == Array(1...head.seq))
        #expect(try ledger.outboxCount() == Int(head.seq))

        // When the server acknowledges all but the last entry
        let upTo = all[all.count - 2]
        try ledger.acknowledge(through: ChainHead(seq: upTo.seq, hash: upTo.hash))
        // Then only the last one is left to ship, and the acknowledged head is an anchor
        #expect(try ledger.outboxBatch(limit: 10).map(\.seq) == [head.seq])
        #expect(try ledger.outboxCount() == 1)
        #expect(try ledger.lastAcknowledged() == ChainHead(seq: upTo.seq, hash: upTo.hash))

        // A hash that is not ours, or an entry we do not have, is refused and marks nothing
        #expect(throws: LedgerError.self) { try ledger.acknowledge(through: ChainHead(seq: head.seq, hash: upTo.hash)) }
        #expect(throws: LedgerError.self) { try ledger.acknowledge(through: ChainHead(seq: head.seq + 5, hash: head.hash)) }
        // An older acknowledgement arriving late does not put entries back in the queue
        try ledger.acknowledge(through: ChainHead(seq: all[0].seq, hash: all[0].hash))
        #expect(try ledger.outboxCount() == 1)
        // The count is the head less the cursor: it agrees with the rows left to ship, after more sales too
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        #expect(try ledger.outboxCount() == 2)
        #expect(try ledger.outboxBatch(limit: 1000).count == 2)
        #expect(try Ledger(path: dir.file("empty.sqlite")).outboxCount() == 0)
        #expect(try LedgerVerifier.verify(path: db).intact)
    }

    @Test("outbox rows cannot be deleted or rewritten, so an id cannot be reused")
    func appendOnly() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let sale = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        #expect(throws: (any Error).self) { try sqlite(db, "DELETE FROM outbox WHERE seq = \(sale.seq)") }
        #expect(throws: (any Error).self) { try sqlite(db, "UPDATE outbox SET seq = 1 WHERE seq = \(sale.seq)") }
        #expect(throws: LedgerError.duplicateEntry(sale.id.lowercased)) {
            try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier, id: sale.id)
        }
        #expect(try LedgerVerifier.verify(path: db).intact)
    }

    @Test("a ledger from before the keyed outbox is migrated on open: what was waiting still waits, ids stay unique")
    func migratesOldOutbox() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        var acknowledged: Int64 = 0
        var firstSale: UUID?
        do {
            let ledger = try StoreFixture.open(db)
            for colas in 1...4 {
                let s = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(colas)), cashier: StoreFixture.cashier)
                firstSale = firstSale ?? s.id
            }
            let batch = try ledger.outboxBatch(limit: 1000)
            let ack = batch[batch.count - 3]
            try ledger.acknowledge(through: ChainHead(seq: ack.seq, hash: ack.hash))
            acknowledged = ack.seq
        }
        // Given the file as v7 left it: an outbox of the unacknowledged entries by seq, and a unique index on ids
        _ = try sqlite(db, """
            DROP TRIGGER outbox_append_only_update; DROP TRIGGER outbox_append_only_delete;
            CREATE TABLE outbox_v7 (seq INTEGER PRIMARY KEY REFERENCES ledger_entry(seq), entry_id BLOB NOT NULL);
            INSERT INTO outbox_v7 SELECT seq, id FROM ledger_entry WHERE seq > \(acknowledged);
            DROP TABLE outbox; ALTER TABLE outbox_v7 RENAME TO outbox;
            CREATE UNIQUE INDEX ledger_entry_id ON ledger_entry(id);
            DELETE FROM grdb_migrations WHERE identifier = 'v8-outbox-keys';
            """)
        // When it is opened
        let ledger = try StoreFixture.open(db)
        let head = try ledger.head()
        // Then the same entries wait, every entry has its keyed row, and the old index is gone
        #expect(try ledger.outboxBatch(limit: 1000).map(\.seq) == Array((acknowledged + 1)...head.seq))
        #expect(try sqlite(db, "SELECT COUNT(*) FROM outbox") == String(head.seq))
        #expect(try sqlite(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ledger_entry_id'") == "0")
        #expect(try LedgerVerifier.verify(path: db).intact)
        let firstID = try #require(firstSale)
        #expect(try ledger.sale(firstID).total > 0)
        #expect(throws: LedgerError.duplicateEntry(firstID.lowercased)) {
            try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier, id: firstID)
        }
    }
}
