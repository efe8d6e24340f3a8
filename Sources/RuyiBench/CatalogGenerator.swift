import Foundation
import RuyiCore
import RuyiLedger

/// A synthetic store catalog: Chinese names, valid EAN-13s, a mix of units, tax rates and categories.
enum CatalogGenerator {
    static let categories = ["饮料", "零食", "粮油", "日用", "烟酒", "乳品", "冷冻", "调味"]

    static func ean13(_ n: Int) -> String {
        let payload = "690" + String(format: "%09d", n)
        let digits = payload.utf8.map { $0 - 0x30 }
        return payload + String(GTIN.checkDigit(forPayload: digits))
    }

    static func csv(products: Int) -> ([UInt8], [String]) {
        var out = "sku,name,price,barcodes,unit,tax_category,category,low_stock\n"
        out.reserveCapacity(products * 80)
        var codes: [String] = []
        codes.reserveCapacity(products)
        for i in 1...products {
            let code = ean13(i)
            codes.append(code)
            let price = 50 + (i * 37) % 9950
            let tax = i % 5 == 0 ? "reduced" : "standard"
            out += "P\(String(format: "%06d", i)),商品\(i)号 \(categories[i % categories.count]),\(price / 100).\(String(format: "%02d", price % 100)),\(code),piece,\(tax),\(categories[i % categories.count]),10\n"
        }
        return (Array(out.utf8), codes)
    }

    /// A paid sale of 5 different random products, as the till would hand it to the ledger.
    static func sale(_ ledger: Ledger, codes: [String], rng: inout SystemRandomNumberGenerator) throws -> CompletedSale {
        var cart = Cart()
        var used = Set<String>()
        var tries = 0
        while cart.activeLines.count < 5 {
            tries += 1
            guard tries < 1000 else { throw LedgerError.unknownProduct("none of 1000 random codes is in the catalog") }
            let code = codes[Int.random(in: 0..<codes.count, using: &rng)]
            guard used.insert(code).inserted, let found = try ledger.product(barcode: code) else { continue }
            try cart.add(found.product, quantity: .pieces(Int64.random(in: 1...3, using: &rng)), barcode: code,
                         taxRateBasisPoints: found.taxRateBasisPoints)
        }
        let due = try cart.totals().due
        try cart.tenderCash(Money(fen: (due.minorUnits / 10_000 + 1) * 10_000))
        return try cart.complete()
    }
}
