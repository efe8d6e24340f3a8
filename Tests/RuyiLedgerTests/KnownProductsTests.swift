import Foundation
import Testing
import RuyiCore
@testable import RuyiLedger
import RuyiTestKit

@Suite("Products the sale path need not probe")
struct KnownProductsTests {
    @Test("ids stay known for two generations; ids in use are kept, old ones forgotten")
    func generations() {
        let known = KnownProducts()
        known.remember("cola")
        #expect(known.unknown(among: ["cola", "rice"]) == ["rice"])
        // One generation later cola is still known (previous generation), and using it again keeps it.
        for i in 0..<KnownProducts.generationSize { known.remember("p\(i)") }
        #expect(known.unknown(among: ["cola"]).isEmpty)
        known.remember("cola")
        for i in 0..<KnownProducts.generationSize { known.remember("q\(i)") }
        #expect(known.unknown(among: ["cola", "p0"]) == ["p0"])
    }

    @Test("a sale naming a product no lookup found is still probed and refused; looked-up and unlooked-up products both sell")
    func saleChecks() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        let ledger = try StoreFixture.open(db)
        #expect(try ledger.product(barcode: "6901234567892")?.product.id == "cola")
        #expect(ledger.knownProducts.unknown(among: ["cola", "rice", "nope"]) == ["rice", "nope"])

        // rice was never looked up: it is probed, found, and remembered.
        var record = SaleData(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier)
        record.lines[1].product = "rice"
        try ledger.commit(record, id: ledger.newID())
        #expect(ledger.knownProducts.unknown(among: ["rice"]).isEmpty)

        // An id no lookup ever found is refused, even beside known ones, and nothing is written.
        let before = try entryCount(db)
        record.lines[1].product = "nope"
        #expect(throws: LedgerError.unknownProduct("nope")) { try ledger.commit(record, id: ledger.newID()) }
        #expect(try entryCount(db) == before)
        #expect(ledger.knownProducts.unknown(among: ["nope"]) == ["nope"])
    }
}

@Suite("The barcode_list column")
struct BarcodeListTests {
    @Test("parsed on the scan path as the catalog wrote it; a malformed part is skipped, never trusted")
    func parse() {
        func parsed(_ s: String) -> [String] { Ledger.barcodes(concatenated: s).map { "\($0.code)×\($0.packQuantity)" } }
        #expect(parsed("").isEmpty)
        #expect(parsed("06901234567892*1") == ["06901234567892×1"])
        #expect(parsed("06901234567892*1;16901234567899*24") == ["06901234567892×1", "16901234567899×24"])
        #expect(parsed("店内码*2;X*10") == ["店内码×2", "X×10"], "in-store codes are text")
        #expect(parsed("a*b*3") == ["a*b×3"], "the last star separates the pack size")
        #expect(parsed("bad;*3;a*;a*x;a*-1;;b*2") == ["b×2"])
        #expect(parsed("a*1234567890123456789") .isEmpty, "a pack size past 18 digits is not a pack size")
        let record = ProductRecord(Product(id: "p", name: "n", barcodes: [ProductBarcode("9", packQuantity: 6), ProductBarcode("1")],
                                           price: Money(fen: 100)))
        #expect(record.barcodeList == "1*1;9*6", "written by code, as the barcode table lists them")
        #expect(parsed(record.barcodeList) == ["1×1", "9×6"])
    }
}
