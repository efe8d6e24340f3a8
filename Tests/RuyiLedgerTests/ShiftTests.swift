import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

@Suite("Shifts, refunds, X and Z reports")
struct ShiftTests {
    @Test("X report adds up tenders, tax rates, categories, hours and counts; Z closes, numbers and anchors")
    func reports() throws {
        // Given a shift with sales, a refund, a post-void, cash movements and a no-sale
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let clock = ManualClock()
        let ledger = try StoreFixture.open(db, clock: clock)
        let s1 = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 2), cashier: StoreFixture.cashier) // 700 + 320
        clock.advance(millis: 3_600_000)
        var cart = Cart()
        try cart.add(try ledger.product(id: "rice")!, quantity: .pieces(1), taxRateBasisPoints: 900)
        try cart.discountLine(1, .amount(Money(fen: 490)))
        let attempt = try cart.beginCodePayment(provider: "alipay")
        try cart.codePaymentSucceeded(attempt: attempt.id, transaction: "2026112300001")
        try ledger.commitSale(try cart.complete(), cashier: StoreFixture.cashier) // 4500 by code, 490 discount
        let s3 = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 1), cashier: StoreFixture.cashier) // 350 + 320
        try ledger.postVoid(sale: s3.id, reason: "顾客不要了", owner: StoreFixture.owner)
        var ret = Cart(returning: s1.id, returnable: try ledger.returnable(for: s1.id))
        try ret.addReturn(originalLine: 1, quantity: .pieces(1))
        try ret.tenderCash(Money(fen: 350))
        try ledger.commitSale(try ret.complete(), cashier: StoreFixture.cashier) // −350 cash
        try ledger.recordCashMovement(.payIn, amount: Money(fen: 5000), reason: "找零备用金", cashier: StoreFixture.cashier)
        try ledger.recordCashMovement(.payOut, amount: Money(fen: 1200), reason: "买冰块", cashier: StoreFixture.cashier)
        try ledger.recordCashMovement(.drop, amount: Money(fen: 10_000), reason: "存入保险箱", cashier: StoreFixture.cashier)
        try ledger.recordCashMovement(.noSale, amount: .zero(), reason: "", cashier: StoreFixture.cashier)

        // When the X report is taken
        let x = try ledger.xReport()
        // Then
        #expect(x.salesCount == 3)
        #expect(x.refundsCount == 1)
        #expect(x.postVoidsCount == 1)
        #expect(x.noSales == 1)
        #expect(x.salesTotal == 1020 + 4500 + 670)
        #expect(x.refundsTotal == 350)
        #expect(x.postVoidsTotal == 670)
        #expect(x.netTotal == 1020 + 4500 - 350)
        #expect(x.discounts == 490)
        #expect(x.byTender == ["cash": 1020 + 670 - 670 - 350, "code": 4500])
        #expect(x.byCategory["粮油"] == 4500)
        #expect(x.byCategory["饮料"] == 350) // 700 + 350 − 350 voided − 350 refunded
        #expect(x.byTax.reduce(0) { $0 + $1.gross } == x.netTotal)
        #expect(x.byHour.map(\.hour) == [9, 10])
        #expect(x.expectedCash == 20_000 + 670 + 5000 - 1200 - 10_000)
        #expect(x.businessDate == "2026-11-23")

        // The Z report is the owner's, refused while a sale is parked
        #expect(throws: LedgerError.notPermitted("the Z report")) { try ledger.closeShift(owner: StoreFixture.cashier, counted: [:]) }
        var parked = Cart()
        try parked.add(try ledger.product(id: "cola")!, quantity: .pieces(1))
        let p = try ledger.park(parked, cashier: StoreFixture.cashier)
        #expect(throws: LedgerError.openSales(1)) { try ledger.closeShift(owner: StoreFixture.owner, counted: [.cash: Money(fen: 14_470)]) }
        #expect(throws: LedgerError.openSales(2)) { try ledger.closeShift(owner: StoreFixture.owner, counted: [:], openCarts: 1) }
        _ = try ledger.resume(p.id)

        let z = try ledger.closeShift(owner: StoreFixture.owner, counted: [.cash: Money(fen: 14_400), .code: Money(fen: 4500)])
        #expect(z.z == 1)
        #expect(z.variance == ["cash": -70, "code": 0])
        #expect(z.report == x)
        let anchor = try #require(z.anchor.flatMap(ChainHead.init(parsing:)))
        #expect(anchor == (try ledger.head()))
        #expect(try ledger.zReport(number: 1) == z)
        #expect(throws: LedgerError.noOpenShift) { try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier) }

        // The next shift gets the next Z number; the Z report is immutable in the file
        try ledger.openShift(cashier: StoreFixture.cashier, float: Money(fen: 20_000))
        try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        #expect(try ledger.closeShift(owner: StoreFixture.owner, counted: [:]).z == 2)
        let r = try run("/usr/bin/sqlite3", [db, "UPDATE ledger_entry SET body = 'x' WHERE kind = 'shift_close'"])
        #expect(r.status != 0)
        #expect(try LedgerVerifier.verify(path: db, anchors: [anchor]).intact)
    }

    @Test("a shift open more than 24 hours asks for a Z report but keeps selling; business date is the opening date")
    func longShift() throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock(wallMillis: 1_795_449_000_000) // 2026-11-23 23:50 in Shanghai
        let ledger = try StoreFixture.open(dir.file("l.sqlite"), clock: clock)
        clock.advance(millis: 25 * 3_600_000)
        let sale = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        #expect(sale.zReportDue)
        #expect(try ledger.shiftStatus()?.zReportDue == true)
        #expect(try ledger.xReport().businessDate == "2026-11-23")
    }

    @Test("refunds: partial allowed, more than sold or twice refused, nothing written")
    func refunds() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let sale = try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 3), cashier: StoreFixture.cashier)
        // Partial: 2 of 3 colas, then 100 g of the 250 g of apples
        var r1 = Cart(returning: sale.id, returnable: try ledger.returnable(for: sale.id))
        try r1.addReturn(originalLine: 1, quantity: .pieces(2))
        try r1.addReturn(originalLine: 2, quantity: .grams(100))
        try r1.tenderCash(Money(fen: 700 + 128))
        try ledger.commitSale(try r1.complete(), cashier: StoreFixture.cashier)
        let left = try ledger.returnable(for: sale.id)
        #expect(left.map(\.remainingQuantity) == [.pieces(1), .grams(150)])
        #expect(left.map(\.remainingAmount) == [Money(fen: 350), Money(fen: 320 - 128)])
        // The cart refuses more than is left
        var r2 = Cart(returning: sale.id, returnable: left)
        #expect(throws: CartError.returnExceedsSold(line: 1, remaining: 1)) { try r2.addReturn(originalLine: 1, quantity: .pieces(2)) }
        // A forged refund (stale returnable list) is refused by the ledger
        var stale = Cart(returning: sale.id, returnable: [Cart.Returnable(originalLine: 1, productID: "cola", name: "可口可乐", unitPrice: Money(fen: 350),
            taxCategory: .standard, taxRateBasisPoints: 1300, category: "饮料", stockTracked: true, remainingQuantity: .pieces(3), remainingAmount: Money(fen: 1050))])
        try stale.addReturn(originalLine: 1, quantity: .pieces(3))
        try stale.tenderCash(Money(fen: 1050))
        let before = try entryCount(db)
        do {
            try ledger.commitSale(try stale.complete(), cashier: StoreFixture.cashier)
            Issue.record("refund of more than was sold was accepted")
        } catch let e as LedgerError {
            #expect(e.code == "ledger.refund_exceeds_sold")
        }
        // The rest, exactly; then nothing is left and a second refund is refused
        try r2.addReturn(originalLine: 1, quantity: .pieces(1))
        try r2.addReturn(originalLine: 2, quantity: .grams(150))
        try r2.tenderCash(Money(fen: 350 + 192))
        try ledger.commitSale(try r2.complete(), cashier: StoreFixture.cashier)
        #expect(try ledger.returnable(for: sale.id).isEmpty)
        #expect(try entryCount(db) == before + 1)
        #expect(try ledger.stockLevel("cola") == 0)
        // A refunded sale cannot be post-voided; a post-voided one cannot be refunded
        #expect(throws: LedgerError.saleHasRefunds(sale.id.lowercased)) { try ledger.postVoid(sale: sale.id, reason: "x", owner: StoreFixture.owner) }
        let other = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        try ledger.postVoid(sale: other.id, reason: "收银错误", owner: StoreFixture.owner)
        #expect(throws: LedgerError.saleVoided(other.id.lowercased)) { _ = try ledger.returnable(for: other.id) }
        #expect(throws: LedgerError.saleVoided(other.id.lowercased)) { try ledger.postVoid(sale: other.id, reason: "again", owner: StoreFixture.owner) }
    }

    @Test("stock: receive, count, waste, low-stock list with a suggested order")
    func stock() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        #expect(try ledger.recordStock(.receive, product: "cola", quantity: 24, cashier: StoreFixture.cashier) == 24)
        try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: 5), cashier: StoreFixture.cashier)
        #expect(try ledger.recordStock(.count, product: "cola", quantity: 18, cashier: StoreFixture.cashier) == 18)
        #expect(try ledger.recordStock(.waste, product: "cola", quantity: 9, cashier: StoreFixture.cashier, note: "过期") == 9)
        let low = try ledger.lowStock()
        #expect(low.map(\.product) == ["apple", "cola"])
        #expect(low.map(\.suggestedOrder).last == 11) // back to twice the threshold: 20 − 9
        #expect(throws: LedgerError.unknownProduct("nope")) { try ledger.recordStock(.receive, product: "nope", quantity: 1, cashier: StoreFixture.cashier) }
        #expect(throws: LedgerError.self) { try ledger.recordStock(.receive, product: "cola", quantity: 0, cashier: StoreFixture.cashier) }
        #expect(throws: LedgerError.self) { try ledger.recordStock(.receive, product: "bag", quantity: 1, cashier: StoreFixture.cashier) }
    }

    @Test("cashiers: PIN lock-out after five wrong PINs; the last owner cannot be removed")
    func cashiers() throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"), clock: clock)
        #expect(try ledger.authenticate(cashier: "c1", pin: "1234").role == .cashier)
        for _ in 0..<5 { #expect(throws: LedgerError.self) { try ledger.authenticate(cashier: "c1", pin: "0000") } }
        do { _ = try ledger.authenticate(cashier: "c1", pin: "1234"); Issue.record("not locked out") } catch let e as LedgerError {
            #expect(e.code == "ledger.locked_out")
        }
        clock.advance(millis: 5 * 60_000 + 1)
        #expect(try ledger.authenticate(cashier: "c1", pin: "1234").id == "c1")
        #expect(throws: LedgerError.self) { try ledger.deactivateCashier("boss", by: "boss") }
        #expect(throws: LedgerError.notPermitted("adding a cashier")) {
            try ledger.addCashier(id: "c2", name: "小李", role: .cashier, pin: "5555", by: "c1")
        }
        #expect(throws: LedgerError.self) { try ledger.addCashier(id: "c2", name: "小李", role: .cashier, pin: "12", by: "boss") }
    }

    @Test("receipt numbers and Z reprints are found within their shift, also in a ledger from before shift_history")
    func shiftSpans() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        var sales: [String: UUID] = [:]
        var zs: [ZReport] = []
        do {
            let ledger = try StoreFixture.open(db)
            for shift in 1...3 {
                if shift > 1 { try ledger.openShift(cashier: StoreFixture.cashier, float: Money(fen: 20_000)) }
                for _ in 0..<2 {
                    let s = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
                    sales[s.receiptNumber] = s.id
                }
                if shift < 3 { zs.append(try ledger.closeShift(owner: StoreFixture.owner, counted: [:])) }
            }
            #expect(Set(sales.keys) == ["0001-0001", "0001-0002", "0002-0001", "0002-0002", "0003-0001", "0003-0002"])
            for (number, id) in sales { #expect(try ledger.saleID(receiptNumber: number) == id) }
        }
        // Given the file as v8 left it, without the table
        _ = try sqlite(db, "DROP TABLE shift_history; DELETE FROM grdb_migrations WHERE identifier = 'v9-shift-history'")
        // When it is opened, the spans are rebuilt from the shift entries
        let ledger = try StoreFixture.open(db)
        for (number, id) in sales { #expect(try ledger.saleID(receiptNumber: number) == id, "\(number)") }
        #expect(try ledger.saleID(receiptNumber: "0003-0003") == nil)
        #expect(try ledger.saleID(receiptNumber: "0009-0001") == nil)
        #expect(try ledger.zReport(number: 1) == zs[0])
        #expect(try ledger.zReport(number: 2) == zs[1])
        #expect(throws: LedgerError.self) { try ledger.zReport(number: 3) }
        // And the open shift's Z, when it comes, is found the same way
        let z3 = try ledger.closeShift(owner: StoreFixture.owner, counted: [:])
        #expect(try ledger.zReport(number: 3) == z3)
        #expect(try sqlite(db, "SELECT shift_number, z_number FROM shift_history ORDER BY shift_number") == "1|1\n2|2\n3|3")
    }

    @Test("stock folds in slices to the same levels: sales, a refund, a post-void and a receipt of goods")
    func stockFoldSlices() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        try ledger.recordStock(.receive, product: "cola", quantity: 100, cashier: StoreFixture.cashier)
        var sales: [CommittedSale] = []
        for colas in 1...6 { sales.append(try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(colas)), cashier: StoreFixture.cashier)) }
        var r = try Cart(returning: sales[0].id, returnable: ledger.returnable(for: sales[0].id))
        try r.addReturn(originalLine: 1, quantity: .pieces(1))
        try r.tenderCash(Money(fen: 350))
        try ledger.commitSale(try r.complete(), cashier: StoreFixture.cashier)
        try ledger.postVoid(sale: sales[5].id, reason: "收银错误", owner: StoreFixture.owner)
        try ledger.recordStock(.waste, product: "cola", quantity: 3, cashier: StoreFixture.cashier)
        // recordStock folds everything before it; what came after waits for the fold.
        let folded = { Int64(try sqlite(db, "SELECT value FROM meta WHERE key = 'stock_folded_seq'")) ?? -1 }
        let head = try ledger.head().seq
        #expect(try folded() == head)
        for colas in 1...3 { try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: Int64(colas)), cashier: StoreFixture.cashier) }
        let newHead = try ledger.head().seq
        // When folded two entries at a time, it says what is left, and ends where the chain does
        #expect(try ledger.foldStock(limit: 2))
        #expect(try folded() == head + 2)
        #expect(try ledger.foldStock(limit: 2) == false)
        #expect(try folded() == newHead)
        #expect(try ledger.foldStock(limit: 2) == false)
        // Then the levels are what happened: 100 in, 1+…+6 sold, 1 back, sale 6 voided, 3 wasted, 1+2+3 sold
        #expect(try ledger.stockLevel("cola") == 100 - 21 + 1 + 6 - 3 - 6)
        #expect(try ledger.stockLevel("apple") == -250 * 9 + 250, "250 g in each of 9 sales, sale 6 voided")
    }
}
