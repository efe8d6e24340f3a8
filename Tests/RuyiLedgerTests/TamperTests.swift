import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

/// Tampering with the file through the sqlite3 CLI, behind the triggers' back, must be caught by `ruyi ledger verify`.
@Suite("Tampering is caught")
struct TamperTests {
    /// A ledger with a few sales, its triggers dropped as a tamperer would.
    func makeLedger(_ dir: TemporaryDirectory) throws -> (db: String, head: ChainHead) {
        let db = dir.file("ledger.sqlite")
        let ledger = try StoreFixture.open(db)
        for i in 0..<10 { try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(i + 1)), cashier: StoreFixture.cashier) }
        let head = try ledger.head()
        _ = try sqlite(db, "DROP TRIGGER ledger_entry_append_only_update; DROP TRIGGER ledger_entry_append_only_delete; DROP TRIGGER ledger_entry_extends_chain; DROP TRIGGER outbox_append_only_update; DROP TRIGGER outbox_append_only_delete;")
        return (db, head)
    }

    func verify(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(try executable("ruyi"), ["ledger", "verify"] + args)
    }

    @Test("an intact ledger verifies, with its anchor")
    func intact() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("ledger.sqlite")
        let ledger = try StoreFixture.open(db)
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        let head = try ledger.head()
        let r = try verify(["--db", db, "--anchor", head.description])
        #expect(r.status == 0)
        #expect(r.stdout.contains("ledger intact: \(head.seq) entries"))
    }

    @Test("a sale line's amount changed")
    func alteredAmount() throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try makeLedger(dir)
        let seq = try sqlite(db, "SELECT seq FROM ledger_entry WHERE kind = 'sale' ORDER BY seq LIMIT 1 OFFSET 4")
        _ = try sqlite(db, #"UPDATE ledger_entry SET body = CAST(replace(CAST(body AS TEXT), '"amount":320', '"amount":1') AS BLOB) WHERE seq = \#(seq)"#)
        let r = try verify(["--db", db])
        #expect(r.status == 1)
        #expect(r.stdout.contains("entry \(seq) was altered"), "\(r.stdout)")
    }

    @Test("a middle entry deleted")
    func deletedMiddle() throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try makeLedger(dir)
        let count = try entryCount(db)
        let middle = count / 2
        _ = try sqlite(db, "DELETE FROM outbox WHERE seq = \(middle); DELETE FROM ledger_entry WHERE seq = \(middle)")
        let r = try verify(["--db", db, "--json"])
        #expect(r.status == 1)
        #expect(r.stdout.contains(#""kind":"removed""#), "\(r.stdout)")
        #expect(r.stdout.contains("entry \(middle) is missing"))
    }

    @Test("a middle entry deleted and the rest renumbered is still caught")
    func deletedAndRenumbered() throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try makeLedger(dir)
        _ = try sqlite(db, "PRAGMA foreign_keys=OFF; DELETE FROM ledger_entry WHERE seq = 8; UPDATE ledger_entry SET seq = seq - 1 WHERE seq > 8")
        let r = try verify(["--db", db])
        #expect(r.status == 1)
        #expect(r.stdout.contains("entry 8"), "\(r.stdout)")
    }

    @Test("the last 3 entries deleted: caught by the anchor from the Z report or server")
    func truncated() throws {
        let dir = try TemporaryDirectory()
        let (db, head) = try makeLedger(dir)
        _ = try sqlite(db, "DELETE FROM outbox WHERE seq > \(head.seq - 3); DELETE FROM ledger_entry WHERE seq > \(head.seq - 3)")
        let withAnchor = try verify(["--db", db, "--anchor", head.description])
        #expect(withAnchor.status == 1)
        #expect(withAnchor.stdout.contains("entries \(head.seq - 2)–\(head.seq) are missing"), "\(withAnchor.stdout)")
        // Without an anchor the chain itself is consistent; only the removed triggers give it away.
        let without = try verify(["--db", db, "--json"])
        #expect(without.stdout.contains(#""kind":"unprotected""#))
        #expect(!without.stdout.contains(#""kind":"truncated""#))
    }

    @Test("the last 3 entries deleted but not their outbox rows: caught without an anchor")
    func truncatedLeavingKeys() throws {
        let dir = try TemporaryDirectory()
        let (db, head) = try makeLedger(dir)
        _ = try sqlite(db, "DELETE FROM ledger_entry WHERE seq > \(head.seq - 3)")
        let r = try verify(["--db", db, "--json"])
        #expect(r.status == 1)
        #expect(r.stdout.contains(#""kind":"truncated""#), "\(r.stdout)")
        #expect(r.stdout.contains("entries \(head.seq - 2)–\(head.seq) are missing"), "\(r.stdout)")
    }

    @Test("an entry's outbox row pointed at another entry (the id index rewritten)")
    func rewrittenKey() throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try makeLedger(dir)
        _ = try sqlite(db, "UPDATE outbox SET seq = 3 WHERE seq = 7")
        let r = try verify(["--db", db])
        #expect(r.status == 1)
        #expect(r.stdout.contains("entry 7 was altered: the outbox row under its id"), "\(r.stdout)")
    }

    @Test("an inserted entry with a forged but well-formed hash")
    func inserted() throws {
        let dir = try TemporaryDirectory()
        let (db, _) = try makeLedger(dir)
        // Shift entries 6… up by one and put a copy of entry 5 in the gap: hashes no longer link.
        _ = try sqlite(db, "PRAGMA foreign_keys=OFF; UPDATE ledger_entry SET seq = -seq WHERE seq >= 6; UPDATE ledger_entry SET seq = -seq + 1 WHERE seq < 0; INSERT INTO ledger_entry(seq, id, kind, body, hash) SELECT 6, randomblob(16), kind, body, hash FROM ledger_entry WHERE seq = 5")
        let r = try verify(["--db", db])
        #expect(r.status == 1)
        #expect(r.stdout.contains("entry 6"), "\(r.stdout)")
    }

    @Test("bad arguments and unreadable files get exit 2 and say what is wrong")
    func badInput() throws {
        let dir = try TemporaryDirectory()
        let missing = try verify(["--db", dir.file("nope.sqlite")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
        let junk = dir.file("junk.sqlite")
        try Data("this is not a database".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try verify(["--db", junk]).status == 2)
        let badAnchor = try verify(["--db", junk, "--anchor", "12:xyz"])
        #expect(badAnchor.status != 0)
        #expect(badAnchor.stderr.contains("SEQ:HASH"))
    }
}
