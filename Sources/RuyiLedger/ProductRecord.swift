import Foundation
import GRDB
import RuyiCore

/// A product as chained in `catalog_import` and `price_change` entries (encoding v1): a full snapshot, so the
/// current catalog and the price history can be rebuilt from the chain alone.
public struct ProductRecord: Codable, Sendable, Hashable {
    public struct Code: Codable, Sendable, Hashable {
        public var code: String
        public var pack: Int64
    }

    public var id: String
    public var name: String
    public var kind: String
    public var unit: String
    public var price: Int64
    public var openPrice: Bool
    public var tax: String
    public var category: String
    public var stock: Bool
    public var active: Bool
    public var lowStock: Int64?
    public var plu: String?
    public var barcodes: [Code]

    enum CodingKeys: String, CodingKey {
        case id, name, kind, unit, price, openPrice = "open_price", tax, category, stock, active, lowStock = "low_stock", plu, barcodes
    }

    public init(_ p: Product) {
        id = p.id.rawValue
        name = p.name
        kind = p.kind.rawValue
        unit = p.unit.rawValue
        price = p.price.minorUnits
        openPrice = p.openPrice
        tax = p.taxCategory.rawValue
        category = p.category
        stock = p.stockTracked
        active = p.active
        lowStock = p.lowStockThreshold
        plu = p.plu
        barcodes = p.barcodes.map { Code(code: GTIN.catalogKey($0.code), pack: $0.packQuantity) }
    }

    /// The `codes` search column: every barcode between spaces, or empty.
    var searchCodes: String {
        barcodes.isEmpty ? "" : " " + barcodes.map(\.code).joined(separator: " ") + " "
    }

    /// The `barcode_list` column: `code*pack;code*pack`, ordered by code (as the barcode table lists them).
    var barcodeList: String {
        barcodes.sorted { $0.code < $1.code }.map { "\($0.code)*\($0.pack)" }.joined(separator: ";")
    }

    /// Writes this snapshot into the catalog projection; records the price in the history when it is new or changed.
    func apply(_ db: Database, seq: Int64) throws {
        let oldPrice = try Int64.fetchOne(db.cachedStatement(sql: "SELECT price FROM product WHERE id = ?"), arguments: [id])
        try db.cachedStatement(sql: """
            INSERT INTO product(id, name, kind, unit, price, open_price, tax_category, category, stock_tracked, active, low_stock, plu, initials, codes, barcode_list)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, unit = excluded.unit, price = excluded.price,
                open_price = excluded.open_price, tax_category = excluded.tax_category, category = excluded.category,
                stock_tracked = excluded.stock_tracked, active = excluded.active, low_stock = excluded.low_stock, plu = excluded.plu,
                initials = excluded.initials, codes = excluded.codes, barcode_list = excluded.barcode_list
            """).execute(arguments: [id, name, kind, unit, price, openPrice, tax, category, stock, active, lowStock, plu, PinyinInitials.of(name),
                                     searchCodes, barcodeList])
        if oldPrice != nil {
            try db.cachedStatement(sql: "DELETE FROM barcode WHERE product_id = ?").execute(arguments: [id])
        }
        for b in barcodes {
            try db.cachedStatement(sql: "INSERT INTO barcode(code, product_id, pack_quantity) VALUES (?, ?, ?)")
                .execute(arguments: [b.code, id, b.pack])
        }
        if oldPrice != price {
            try db.cachedStatement(sql: "INSERT INTO price_history(product_id, seq, price) VALUES (?, ?, ?)")
                .execute(arguments: [id, seq, price])
        }
    }
}

/// `data` of a `catalog_import` entry: one batch of an import (at most ``CatalogImporter/batchSize`` products).
struct CatalogImportData: Codable, Sendable {
    var importID: UUID
    var batch: Int
    var source: String
    var by: String?
    var products: [ProductRecord]

    enum CodingKeys: String, CodingKey { case importID = "import", batch, source, by, products }
}

/// `data` of a `price_change` entry: one product changed from the owner's menu.
struct PriceChangeData: Codable, Sendable {
    var by: String
    var oldPrice: Int64?
    var product: ProductRecord

    enum CodingKeys: String, CodingKey { case by, oldPrice = "old_price", product }
}
