import Crypto
import Foundation
import GRDB
import RuyiCore

/// A product found by a scanned code: the product, how many base units the code stands for, and its tax rate.
public struct ScannedProduct: Hashable, Sendable {
    public let product: Product
    public let packQuantity: Int64
    public let taxRateBasisPoints: Int64
}

/// The outcome of a catalog import.
public struct ImportReport: Sendable, Hashable {
    public struct BadRow: Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let problems: [String]
        public var description: String { "line \(line): " + problems.joined(separator: "; ") }
    }

    public var rows = 0
    public var imported = 0
    public var badRows: [BadRow] = []
    /// False when bad rows made an all-or-nothing import write nothing.
    public var committed = false
}

/// What to do with bad rows in a catalog CSV.
public enum ImportMode: Sendable {
    /// The default: any bad row, and nothing is imported; every bad row is reported with its line number.
    case allOrNothing
    /// Import the good rows; report the bad ones.
    case skipBadRows
}

extension Ledger {
    /// Rows per chained `catalog_import` entry: bounds an entry's size and the importer's memory.
    static let importBatchSize = 1000

    /// Imports a catalog CSV (UTF-8, header row). New products are added, existing SKUs updated (a price change lands in
    /// the price history). One transaction: an all-or-nothing import with a bad row writes nothing.
    ///
    /// - Parameter progress: called every 5,000 rows with (rows read, bytes read, total bytes).
    public func importCatalog(csv bytes: [UInt8], source: String, mode: ImportMode = .allOrNothing, by owner: String? = nil,
                              progress: (@Sendable (Int, Int, Int) -> Void)? = nil) throws -> ImportReport {
        try checkFreeSpace()
        var report = ImportReport()
        let importID = newID()
        do {
            try write { db in
                if let owner { try Cashiers.requireOwner(db, owner, action: "importing the catalog") }
                let taxes = Set(try String.fetchAll(db, sql: "SELECT id FROM tax_category"))
                var reader = CSVReader(bytes)
                guard let headerRecord = reader.next() else {
                    throw LedgerError.invalidInput(source, reader.failure.map { "\($0)" } ?? "the file is empty")
                }
                let header: CatalogCSV.Header
                do { header = try CatalogCSV.header(headerRecord.fields) } catch let ImportFailure.badHeader(why) {
                    throw LedgerError.invalidInput("\(source) line 1", why)
                }
                var seenSKU: [String: Int] = [:]
                var seenCode: [String: (sku: String, line: Int)] = [:]
                var batch: [ProductRecord] = []
                var batchNumber = 0
                func flush() throws {
                    guard !batch.isEmpty, report.badRows.isEmpty || mode == .skipBadRows else { batch.removeAll(); return }
                    batchNumber += 1
                    let entry = try Chain.append(db, kind: .catalogImport, id: newID(),
                                                 data: CatalogImportData(importID: importID, batch: batchNumber, source: source, by: owner, products: batch),
                                                 clock: clock)
                    for p in batch { try p.apply(db, seq: entry.seq) }
                    report.imported += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
                while let record = reader.next() {
                    if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
                    report.rows += 1
                    if report.rows % 5000 == 0 { progress?(report.rows, reader.offset, bytes.count) }
                    switch CatalogCSV.product(record.fields, header: header, taxCategories: taxes) {
                    case let .failure(p):
                        report.badRows.append(.init(line: record.line, problems: p.messages))
                    case let .success(product):
                        let line = record.line
                        var problems: [String] = []
                        if let first = seenSKU[product.id.rawValue] { problems.append("sku \(product.id) already on line \(first)") }
                        let record = ProductRecord(product)
                        for code in record.barcodes {
                            if let other = seenCode[code.code], other.sku != record.id {
                                problems.append("barcode \(code.code) is also on line \(other.line) (\(other.sku))")
                            } else if let owner = try String.fetchOne(db.cachedStatement(sql: "SELECT product_id FROM barcode WHERE code = ?"), arguments: [code.code]),
                                      owner != record.id, seenSKU[owner] == nil {
                                problems.append("barcode \(code.code) already belongs to product \(owner)")
                            }
                        }
                        guard problems.isEmpty else {
                            report.badRows.append(.init(line: line, problems: problems))
                            continue
                        }
                        seenSKU[record.id] = line
                        for code in record.barcodes { seenCode[code.code] = (record.id, line) }
                        batch.append(record)
                        if batch.count == Self.importBatchSize { try flush() }
                    }
                }
                if let failure = reader.failure { throw LedgerError.invalidInput(source, "\(failure)") }
                try flush()
                if !report.badRows.isEmpty && mode == .allOrNothing { throw RollbackImport() }
            }
            report.committed = true
        } catch is RollbackImport {
            report.imported = 0
            report.committed = false
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
            throw LedgerError.invalidInput(source, "the import conflicts with the catalog (\(e.message ?? "constraint")); nothing was imported")
        }
        progress?(report.rows, bytes.count, bytes.count)
        return report
    }

    /// Adds or changes one product from the owner's menu; a price change is chained with the old price.
    public func saveProduct(_ product: Product, by owner: String) throws {
        guard !product.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw LedgerError.invalidInput("name", "enter a name") }
        guard !product.price.isNegative, product.openPrice || product.price.isPositive else {
            throw LedgerError.invalidInput("price", "must be more than zero (or mark the product open-price)")
        }
        try write { db in
            try Cashiers.requireOwner(db, owner, action: "changing the catalog")
            let record = ProductRecord(product)
            for code in record.barcodes {
                if let other = try String.fetchOne(db, sql: "SELECT product_id FROM barcode WHERE code = ?", arguments: [code.code]), other != record.id {
                    throw LedgerError.invalidInput("barcode \(code.code)", "already belongs to product \(other)")
                }
            }
            let old = try Int64.fetchOne(db, sql: "SELECT price FROM product WHERE id = ?", arguments: [record.id])
            let entry = try Chain.append(db, kind: .priceChange, id: newID(), data: PriceChangeData(by: owner, oldPrice: old, product: record), clock: clock)
            try record.apply(db, seq: entry.seq)
        }
    }

    /// Looks a scanned code up: any form of a retail code (EAN-13, UPC-A, EAN-8, GTIN-14) finds the same product.
    /// On the scan path: one prepared statement on the ledger's own lookup connection (see `ScanLookup`).
    public func product(barcode: String) throws -> ScannedProduct? {
        let found = try scanLookup.product(key: GTIN.catalogKey(barcode))
        if let found { knownProducts.remember(found.product.id.rawValue) }
        return found
    }

    public func product(id: ProductID) throws -> Product? {
        let found = try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, name, kind, unit, price, open_price, tax_category, category, stock_tracked, active, low_stock, plu, barcode_list
                FROM product WHERE id = ?
                """), arguments: [id.rawValue]).map { Self.product($0, offset: 0, barcodes: Self.barcodes(concatenated: $0[12])) }
        }
        if found != nil { knownProducts.remember(id.rawValue) }
        return found
    }

    /// The product a scale label's PLU names.
    public func product(plu: String) throws -> Product? {
        guard let id = try pool.read({ db in try String.fetchOne(db, sql: "SELECT id FROM product WHERE plu = ?", arguments: [plu]) }) else { return nil }
        return try product(id: ProductID(id))
    }

    /// Prices a product has had, oldest first, with the entry that set each.
    public func priceHistory(_ id: ProductID) throws -> [(seq: Int64, price: Money)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, price FROM price_history WHERE product_id = ? ORDER BY seq", arguments: [id.rawValue])
                .map { ($0[0], Money(fen: $0[1])) }
        }
    }

    public func productCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product") ?? 0 }
    }

    /// Barcodes sold at an entered price that the catalog does not know yet, for the owner to complete.
    public func pendingProducts() throws -> [(barcode: String, lastPrice: Money, timesSold: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT barcode, last_price, times_sold FROM pending_product ORDER BY first_seq")
                .map { ($0[0], Money(fen: $0[1]), $0[2]) }
        }
    }

    static func product(_ row: Row, offset o: Int, barcodes codes: [ProductBarcode]) -> Product {
        Product(id: ProductID(row[o] as String), name: row[o + 1], kind: ProductKind(rawValue: row[o + 2]) ?? .item, barcodes: codes,
                plu: row[o + 11], unit: SaleUnit(rawValue: row[o + 3]) ?? .piece, price: Money(fen: row[o + 4]),
                openPrice: row[o + 5], taxCategory: TaxCategoryID(row[o + 6] as String), category: row[o + 7],
                stockTracked: row[o + 8], active: row[o + 9], lowStockThreshold: row[o + 10])
    }

    /// `code*pack;code*pack` (the `barcode_list` column) → barcodes.
    /// On the scan path: walks the UTF-8 bytes once (splitting `String`s cost an eighth of a lookup). A malformed part
    /// is skipped, as before.
    static func barcodes(concatenated: String) -> [ProductBarcode] {
        var result: [ProductBarcode] = []
        var text = concatenated
        text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                var star = -1
                while end < bytes.count && bytes[end] != UInt8(ascii: ";") {
                    if bytes[end] == UInt8(ascii: "*") { star = end }
                    end += 1
                }
                if star > start, star + 1 < end {
                    var pack: Int64 = 0
                    var ok = end - star - 1 <= 18
                    for i in (star + 1)..<end where ok {
                        let d = bytes[i] &- UInt8(ascii: "0")
                        if d > 9 { ok = false } else { pack = pack * 10 + Int64(d) }
                    }
                    if ok {
                        let code = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<star]), as: UTF8.self)
                        result.append(ProductBarcode(code, packQuantity: pack))
                    }
                }
                start = end + 1
            }
        }
        return result
    }
}

private struct RollbackImport: Error {}

/// One product as a search lists it.
public struct CatalogEntry: Hashable, Sendable {
    public let id: ProductID
    public let name: String
    public let price: Money
    public let unit: SaleUnit
    public let barcode: String?
    public let active: Bool
    public let initials: String
}

extension Ledger {
    /// The catalog search the owner and the cashier use: by name, by pinyin initials (`ksf` → 康师傅), by barcode digits.
    /// Up to `limit` products: initials or name starting with the query first, then barcodes starting (or, as printed
    /// on an EAN, after its GTIN-14 zero) or ending with the digits, then initials or name containing it; inactive
    /// products last, each group by name. Letters match in either case.
    ///
    /// It reads the catalog itself, no copy in memory: one pass over 100,000 products takes tens of ms (blocking:
    /// call it off the shared pool), and a product imported or renamed a moment ago is found at once.
    public func searchCatalog(_ query: String, limit: Int = 20) throws -> [CatalogEntry] {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        let digits = q.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        // LIKE matches ASCII letters in either case without lower-casing every name; backslash, `%` and `_` are escaped.
        var literal = ""
        for c in q { if c == "\\" || c == "%" || c == "_" { literal.append("\\") }; literal.append(c) }
        return try pool.read { db in
            // One pass over the catalog, each product's rank worked out once (the `LIMIT -1` keeps SQLite from
            // flattening the subquery and computing the rank again for the sort), its best `limit` kept by the sorter;
            // barcodes for those only. A barcode's digits are tested on the product's own `codes` column.
            try Row.fetchAll(db.cachedStatement(sql: """
                WITH best AS (
                    SELECT id, name, rank FROM (
                        SELECT p.id, p.name,
                            CASE WHEN substr(p.initials, 1, length(:q)) = :q OR p.name LIKE :prefix ESCAPE '\\' THEN 0
                                 WHEN :digits AND (instr(p.codes, ' ' || :q) > 0 OR instr(p.codes, ' 0' || :q) > 0
                                                   OR instr(p.codes, :q || ' ') > 0) THEN 1
                                 WHEN instr(p.initials, :q) > 0 OR p.name LIKE :contains ESCAPE '\\' THEN 2 END
                            + CASE WHEN p.active THEN 0 ELSE 10 END AS rank
                        FROM product p LIMIT -1)
                    WHERE rank IS NOT NULL ORDER BY rank, name LIMIT :limit
                )
                SELECT p.id, p.name, p.price, p.unit, p.active, p.initials,
                       (SELECT b.code FROM barcode b WHERE b.product_id = p.id ORDER BY b.pack_quantity, b.code LIMIT 1)
                FROM best JOIN product p ON p.id = best.id ORDER BY best.rank, best.name
                """), arguments: ["q": q, "prefix": literal + "%", "contains": "%" + literal + "%", "digits": digits, "limit": limit]).map { row in
                CatalogEntry(id: ProductID(row[0] as String), name: row[1], price: Money(fen: row[2]),
                             unit: SaleUnit(rawValue: row[3]) ?? .piece, barcode: row[6], active: row[4], initials: row[5])
            }
        }
    }
}
