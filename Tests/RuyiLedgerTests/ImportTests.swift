import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

@Suite("Catalog import")
struct ImportTests {
    @Test("a bad row: every bad row is reported with its line number, and nothing is imported")
    func allOrNothing() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        let before = (try entryCount(db), try ledger.productCount())
        let csv = """
            sku,name,price,barcodes,unit
            tea,绿茶,4.00,6901234567885,piece
            milk,牛奶,abc,,piece
            ,无名,1.00,,piece
            tea,绿茶重复,4.00,,piece
            egg,鸡蛋,0.80,6901234567892,piece
            salt,盐,2.505,,box
            water,矿泉水,2.00,6901234567893,piece

            """
        let report = try ledger.importCatalog(csv: Array(csv.utf8), source: "bad.csv", by: StoreFixture.owner)
        #expect(!report.committed)
        #expect(report.imported == 0)
        #expect(report.badRows.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(report.badRows[0].problems.first?.contains("price 'abc'") == true)
        #expect(report.badRows[2].problems.first?.contains("already on line 2") == true)
        #expect(report.badRows[3].problems.first?.contains("already belongs to product cola") == true)
        #expect(report.badRows[4].problems.count == 2)   // 2.505 and unit box
        #expect(report.badRows[5].problems.first?.contains("check digit") == true)
        #expect(try entryCount(db) == before.0)
        #expect(try ledger.productCount() == before.1)
    }

    @Test("with the explicit flag the good rows are imported and the bad ones reported")
    func skipBadRows() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        let csv = "sku,name,price\ntea,绿茶,4.00\nmilk,牛奶,-1\ncola,可口可乐 330ml,3.80\n"
        let report = try ledger.importCatalog(csv: Array(csv.utf8), source: "x.csv", mode: .skipBadRows, by: StoreFixture.owner)
        #expect(report.committed)
        #expect(report.imported == 2)
        #expect(report.badRows.map(\.line) == [3])
        #expect(try ledger.product(id: "tea")?.name == "绿茶")
        // An updated price lands in the price history
        #expect(try ledger.priceHistory("cola").map(\.price) == [Money(fen: 350), Money(fen: 380)])
    }

    @Test("whole-file problems are refused with what to do", arguments: [
        ("sku,name\n", "missing column"), ("sku,name,price,colour\n", "unknown column 'colour'"),
        ("", "empty"), ("sku,name,price\n\"tea,绿茶,4\n", "never closed"),
    ])
    func badFiles(csv: String, message: String) throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        do {
            _ = try ledger.importCatalog(csv: Array(csv.utf8), source: "f.csv", by: StoreFixture.owner)
            Issue.record("accepted")
        } catch let e as LedgerError {
            #expect(e.message.contains(message), "\(e.message)")
        }
    }

    @Test("a GBK file from Excel is named as such")
    func gbk() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        // "sku,name,price\ntea,绿茶,4\n" with 绿茶 in GBK (C2CC B2E8)
        let bytes: [UInt8] = Array("sku,name,price\ntea,".utf8) + [0xC2, 0xCC, 0xB2, 0xE8] + Array(",4\n".utf8)
        do {
            _ = try ledger.importCatalog(csv: bytes, source: "gbk.csv", by: StoreFixture.owner)
            Issue.record("accepted")
        } catch let e as LedgerError {
            #expect(e.message.contains("line 2 is not UTF-8"))
            #expect(e.message.contains("CSV UTF-8"))
        }
        #expect(try ledger.product(id: "tea") == nil)
    }

    @Test("only the owner imports")
    func ownerOnly() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        #expect(throws: LedgerError.notPermitted("importing the catalog")) {
            _ = try ledger.importCatalog(csv: Array("sku,name,price\na,b,1\n".utf8), source: "x", by: StoreFixture.cashier)
        }
    }

    @Test("the search reads the catalog: initials, names in either case, barcode digits; inactive last; found right after an import")
    func search() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        var ledger = try StoreFixture.open(db)
        let csv = """
            sku,name,price,barcodes,unit,active
            ksf1,康师傅红烧牛肉面,4.50,6901234567885,piece,1
            ksf2,康师傅冰红茶,3.00,,piece,0
            kele,可口可乐 Coke,3.50,6901234567939,piece,1
            nes,Nescafé 雀巢咖啡,6.00,,piece,1

            """
        #expect(try ledger.importCatalog(csv: Array(csv.utf8), source: "s.csv", by: StoreFixture.owner).committed)
        func ids(_ q: String) throws -> [String] { try ledger.searchCatalog(q).map(\.id.rawValue) }
        #expect(try ids("ksf") == ["ksf1", "ksf2"], "initials first; the inactive one last")
        #expect(try ledger.searchCatalog("ksf").first?.initials == "ksfhsnrm")
        #expect(try ids("KSF") == ["ksf1", "ksf2"], "either case")
        #expect(try ids("coke") == ["kele"] && ids("牛肉") == ["ksf1"] && ids("nescaf") == ["nes"])
        #expect(try ids("690123456788") == ["ksf1"], "an EAN's first digits (stored as GTIN-14 behind a zero)")
        #expect(try ids("7939") == ["kele"], "a barcode's last digits")
        #expect(try ids("   ").isEmpty && ids("zzzz").isEmpty)
        #expect(try ids("%").isEmpty && ids("*").isEmpty && ids("_").isEmpty && ids("\\\\").isEmpty, "nothing is a pattern")
        #expect(try ledger.searchCatalog("k", limit: 2).count == 2)
        let named690 = try ledger.searchCatalog("690").map(\.name)
        #expect(try ids("690") == ["cola", "kele", "ksf1"], "a prefix every Chinese code shares: by name within the group \(named690)")

        // A product's barcodes replaced by a later import: the search follows the new code and forgets the old one.
        let recode = "sku,name,price,barcodes,unit,active\nksf1,康师傅红烧牛肉面,4.50,6920000000012,piece,1\n"
        #expect(try ledger.importCatalog(csv: Array(recode.utf8), source: "r.csv", by: StoreFixture.owner).committed)
        #expect(try ids("692000000001") == ["ksf1"] && ids("7885").isEmpty)

        // A ledger from before the initials, codes and barcode_list columns: opening it adds and fills all three.
        let cola = try #require(try ledger.product(barcode: "6901234567892"))
        #expect(cola.product.barcodes.map(\.packQuantity) == [1, 24], "the scan gets every code of the product, packs too")
        ledger = try StoreFixture.open(dir.file("other.sqlite"))
        _ = try sqlite(db, """
            ALTER TABLE product DROP COLUMN initials; ALTER TABLE product DROP COLUMN codes; ALTER TABLE product DROP COLUMN barcode_list;
            DELETE FROM grdb_migrations WHERE identifier IN ('v4-product-initials', 'v7-product-codes', 'v10-product-barcode-list')
            """)
        ledger = try StoreFixture.open(db)
        #expect(try ids("ksf") == ["ksf1", "ksf2"])
        #expect(try ids("0012") == ["ksf1"] && ids("6901234567939") == ["kele"])
        let pack = try #require(try ledger.product(barcode: "16901234567899"))
        #expect(pack.product == cola.product && pack.packQuantity == 24, "the 24-pack's code finds cola with both codes again")
        #expect(try ledger.product(id: "cola")?.barcodes == cola.product.barcodes)
    }
}
