import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

@Suite("Committing sales")
struct SaleTests {
    @Test("one transaction writes the entry, its outbox row and the receipt number; stock follows")
    func commit() throws {
        // Given a store with an open shift
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let outboxBefore = try ledger.outboxCount()
        try ledger.recordStock(.receive, product: "cola", quantity: 48, cashier: StoreFixture.cashier)
        // When two sales are committed
        let first = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 2), cashier: StoreFixture.cashier)
        let second = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 3), cashier: StoreFixture.cashier)
        // Then they are numbered within the shift, chained, and queued for upstream with their UUIDv7 as key
        #expect(first.receiptNumber == "0001-0001")
        #expect(second.receiptNumber == "0001-0002")
        #expect(second.seq == first.seq + 1)
        #expect(first.id.lowercased < second.id.lowercased)
        #expect(try ledger.outboxCount() == outboxBefore + 3)
        let batch = try ledger.outboxBatch(limit: 1000)
        #expect(batch.suffix(2).map(\.id) == [first.id, second.id])
        #expect(try sqlite(db, "SELECT kind FROM ledger_entry WHERE seq = \(second.seq)") == "sale")
        #expect(try ledger.stockLevel("cola") == 48 - 5)
        #expect(try ledger.stockLevel("apple") == -500) // weighed goods sold without stock: allowed, flagged
        #expect(try ledger.negativeStock().map(\.product) == ["apple"])
        let sale = try ledger.sale(first.id)
        #expect(sale.total == 700 + 320)
        #expect(sale.payments.map(\.change) == [8980])
    }

    @Test("a duplicate sale id is refused and changes nothing")
    func duplicate() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let id = ledger.newID()
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier, id: id)
        let before = try entryCount(db)
        #expect(throws: LedgerError.duplicateEntry(id.lowercased)) {
            try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier, id: id)
        }
        #expect(try entryCount(db) == before)
        #expect(try LedgerVerifier.verify(path: db).intact)
    }

    @Test("bad sales from outside are refused with the reason, and nothing is written", arguments: [
        "zero quantity", "gross not qty×price", "payments short", "unknown product", "overflow", "wrong tax", "no lines",
    ])
    func badSale(_ what: String) throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        var record = SaleData(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        switch what {
        case "zero quantity": record.lines[0].qty = 0
        case "gross not qty×price": record.lines[0].gross += 1
        case "payments short": record.payments[0].amount -= 1
        case "unknown product": record.lines[0].product = "nope"
        case "overflow":
            record.lines[0].price = .max / 2
            record.lines[0].gross = .max
        case "wrong tax": record.lines[0].tax += 1
        default: record.lines = []
        }
        let before = try entryCount(db)
        do {
            try ledger.commit(record, id: ledger.newID())
            Issue.record("\(what) was accepted")
        } catch let e as LedgerError {
            #expect(["ledger.invalid_sale", "ledger.unknown_product"].contains(e.code), "\(e)")
            #expect(!e.message.isEmpty)
        }
        #expect(try entryCount(db) == before)
    }

    @Test("no sale without an open shift")
    func noShift() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"), openShift: false)
        #expect(throws: LedgerError.noOpenShift) { try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier) }
    }

    @Test("any form of a retail code finds the product; a pack code stands for many")
    func lookup() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        #expect(try ledger.product(barcode: "6901234567892")?.product.id == "cola")
        #expect(try ledger.product(barcode: "06901234567892")?.product.id == "cola")
        #expect(try ledger.product(barcode: "16901234567899")?.packQuantity == 24)
        #expect(try ledger.product(barcode: "0036000291452")?.product.id == "rice")   // UPC-A stored, EAN-13 form scanned
        #expect(try ledger.product(barcode: "036000291452")?.taxRateBasisPoints == 900)
        #expect(try ledger.product(barcode: "123") == nil)
        #expect(try ledger.product(plu: "1001")?.id == "apple")
    }

    @Test("an unknown barcode sells at an entered price and waits for the owner")
    func unknownBarcode() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        var cart = Cart()
        try cart.addUnknown(barcode: "6909999999990", price: Money(fen: 500))
        try cart.tenderCash(Money(fen: 500))
        try ledger.commitSale(try cart.complete(), cashier: StoreFixture.cashier)
        let pending = try ledger.pendingProducts()
        #expect(pending.count == 1)
        #expect(pending.first?.barcode == "6909999999990")
        #expect(pending.first?.lastPrice == Money(fen: 500))
    }

    @Test("storage full: below the watermark the sale is refused, the cart kept, nothing written")
    func storageFull() throws {
        struct AlmostFull: FreeSpaceProbe { func availableBytes(at path: String) -> UInt64? { 10 * 1024 * 1024 } }
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let before = try entryCount(db)
        var options = StoreFixture.options()
        options.freeSpace = AlmostFull()
        let full = try Ledger(path: db, clock: ManualClock(), random: SeededRandom(seed: 7), options: options)
        var cart = Cart()
        try cart.add(try ledger.product(id: "cola")!, quantity: .pieces(1))
        try cart.tenderCash(Money(fen: 350))
        let paid = cart
        let sale = try cart.complete()
        do {
            try full.commitSale(sale, cashier: StoreFixture.cashier)
            Issue.record("a sale was committed on a full disk")
        } catch let e as LedgerError {
            #expect(e.code == "ledger.storage_full")
            #expect(e.message.contains("storage full"))
        }
        #expect(try entryCount(db) == before)
        #expect(paid.state == .open && paid.activeLines.count == 1) // the cashier still has the paid cart to retry
    }

    @Test("SQLite's own disk-full error becomes 'storage full' and loses nothing committed")
    func sqliteFull() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        var options = StoreFixture.options()
        let ledger = try StoreFixture.open(db, options: options)
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        let pages = Int(try sqlite(db, "PRAGMA page_count")) ?? 0
        options.maxPageCount = pages  // the file may not grow: the next big write hits SQLITE_FULL
        let capped = try Ledger(path: db, clock: ManualClock(), random: SeededRandom(seed: 9), options: options)
        let before = try entryCount(db)
        var failures = 0
        for _ in 0..<200 {
            do { try capped.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier) } catch let e as LedgerError {
                #expect(e.code == "ledger.storage_full", "\(e)")
                failures += 1
                break
            }
        }
        #expect(failures == 1)
        #expect(try entryCount(db) >= before)
        #expect(try LedgerVerifier.verify(path: db).intact)
    }

    @Test("UUIDv7s stay ordered when the wall clock steps back, also across a reopen")
    func clockStepsBack() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let clock = ManualClock()
        let ledger = try StoreFixture.open(db, clock: clock)
        let a = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        clock.setWall(clock.wallMillis() - 3_600_000)
        let b = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        let reopened = try StoreFixture.open(db, clock: clock)
        let c = try reopened.commitSale(try StoreFixture.cashSale(reopened), cashier: StoreFixture.cashier)
        #expect(a.id.lowercased < b.id.lowercased)
        #expect(b.id.lowercased < c.id.lowercased)
    }

    @Test("a ledger from a newer Ruyi is refused, not downgraded")
    func newerSchema() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        _ = try StoreFixture.open(db)
        _ = try sqlite(db, "INSERT INTO grdb_migrations(identifier) VALUES ('v9-from-the-future')")
        #expect(throws: LedgerError.newerSchema(["v9-from-the-future"])) {
            _ = try Ledger(path: db, clock: ManualClock(), random: SeededRandom(), options: StoreFixture.options())
        }
    }

    @Test("parked sales survive a reopen and resume intact")
    func parking() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        var cart = Cart()
        try cart.add(try ledger.product(id: "cola")!, quantity: .pieces(2))
        let parked = try ledger.park(cart, cashier: StoreFixture.cashier, label: "顾客去拿钱包")
        let reopened = try StoreFixture.open(db)
        #expect(try reopened.parkedCarts().map(\.id) == [parked.id])
        let resumed = try reopened.resume(parked.id)
        #expect(resumed == cart)
        #expect(try reopened.parkedCarts().isEmpty)
    }
}
