import Foundation
import RuyiCore
import RuyiLedger

/// A directory under the system temp dir, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "ruyi-test") throws {
        let base = ProcessInfo.processInfo.environment["RUYI_TEST_TMP"] ?? NSTemporaryDirectory()
        let dir = (base as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A small store for tests: an owner (`boss`, PIN 8888), a cashier (`c1`, PIN 1234), a few products, and an open shift.
public enum StoreFixture {
    public static let owner = "boss"
    public static let cashier = "c1"

    public static let cola = Product(id: "cola", name: "可口可乐 330ml", barcodes: [ProductBarcode("6901234567892"), ProductBarcode("16901234567899", packQuantity: 24)],
                                     price: Money(fen: 350), category: "饮料", lowStockThreshold: 10)
    public static let apple = Product(id: "apple", name: "红富士苹果", plu: "1001", unit: .kilogram, price: Money(fen: 1280),
                                      taxCategory: "reduced", category: "水果", lowStockThreshold: 5000)
    public static let bag = Product(id: "bag", name: "塑料袋", kind: .department, price: .zero(), openPrice: true, category: "杂费")
    public static let rice = Product(id: "rice", name: "东北大米 5kg", barcodes: [ProductBarcode("036000291452")], price: Money(fen: 4990),
                                     taxCategory: "reduced", category: "粮油")

    public static let csv = """
        sku,name,price,barcodes,unit,tax_category,category,plu,low_stock,open_price,kind
        cola,可口可乐 330ml,3.50,6901234567892;16901234567899*24,piece,standard,饮料,,10,,
        apple,红富士苹果,12.80,,kg,reduced,水果,1001,5000,,
        bag,塑料袋,0,,piece,standard,杂费,,,1,department
        rice,东北大米 5kg,49.90,036000291452,piece,reduced,粮油,,,,

        """

    public static func options() -> Ledger.Options {
        var o = Ledger.Options()
        o.pinRounds = 10
        return o
    }

    /// Opens a ledger at `path` and, if it is new, sets up the store.
    public static func open(_ path: String, clock: any TillClock = ManualClock(), random: any RandomSource = SeededRandom(),
                            options: Ledger.Options = options(), openShift: Bool = true) throws -> Ledger {
        let ledger = try Ledger(path: path, clock: clock, random: random, options: options)
        if try ledger.cashiers().isEmpty {
            try ledger.addCashier(id: owner, name: "老板", role: .owner, pin: "8888", by: nil)
            try ledger.addCashier(id: cashier, name: "小王", role: .cashier, pin: "1234", by: owner)
            let report = try ledger.importCatalog(csv: Array(csv.utf8), source: "fixture.csv", by: owner)
            precondition(report.committed && report.badRows.isEmpty, "fixture catalog: \(report.badRows)")
        }
        if openShift, try ledger.shiftStatus()?.isOpen != true {
            try ledger.openShift(cashier: cashier, float: Money(fen: 20_000))
        }
        return ledger
    }

    /// A paid cart: `colas` × cola + 250 g of apples, paid in cash with `handed` fen.
    public static func cashSale(_ ledger: Ledger, colas: Int64 = 2, handed: Int64 = 10_000) throws -> CompletedSale {
        var cart = Cart()
        try cart.add(try ledger.product(id: "cola")!, quantity: .pieces(colas), taxRateBasisPoints: 1300)
        try cart.add(try ledger.product(id: "apple")!, quantity: .grams(250), taxRateBasisPoints: 900)
        try cart.tenderCash(Money(fen: handed))
        return try cart.complete()
    }
}
