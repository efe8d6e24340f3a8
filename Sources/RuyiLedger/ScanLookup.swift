import GRDBSQLite
import RuyiCore
import Synchronization

/// The scan path's own read-only connection with its one prepared statement.
///
/// A barcode lookup happens on every scan and must stay far below a millisecond at the 99th percentile; going
/// through the pool's reader acquisition cost more than the query itself. This connection only reads, and in WAL mode
/// every lookup sees the newest committed catalog. Lookups are serialised by the mutex (a till scans one code at a time).
final class ScanLookup: Sendable {
    private let connection: Mutex<Connection>

    /// The C handles, owned here and used only under the mutex.
    private final class Connection {
        let db: OpaquePointer
        let statement: OpaquePointer

        init(db: OpaquePointer, statement: OpaquePointer) {
            self.db = db
            self.statement = statement
        }

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(db)
        }
    }

    static let sql = """
        SELECT b.pack_quantity, t.rate_bp, p.id, p.name, p.kind, p.unit, p.price, p.open_price, p.tax_category, p.category,
               p.stock_tracked, p.active, p.low_stock, p.plu, p.barcode_list
        FROM barcode b JOIN product p ON p.id = b.product_id JOIN tax_category t ON t.id = p.tax_category
        WHERE b.code = ?
        """

    init(path: String) throws {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            sqlite3_close_v2(db)
            throw LedgerError.notALedger(path, "cannot open for lookups: \(message)")
        }
        sqlite3_busy_timeout(db, 5000)
        // It never writes, but every connection to the ledger runs with the same durability setting.
        sqlite3_exec(db, "PRAGMA synchronous = FULL", nil, nil, nil)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, Self.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close_v2(db)
            throw LedgerError.notALedger(path, "cannot prepare the lookup: \(message)")
        }
        connection = Mutex(Connection(db: db, statement: statement))
    }

    /// The connection's journal mode and `synchronous` level, for `Ledger.connectionSettings()`.
    func settings() -> (journalMode: String, synchronous: Int) {
        connection.withLock { c in
            func value(_ sql: String) -> String {
                var s: OpaquePointer?
                defer { sqlite3_finalize(s) }
                guard sqlite3_prepare_v2(c.db, sql, -1, &s, nil) == SQLITE_OK, sqlite3_step(s) == SQLITE_ROW,
                      let text = sqlite3_column_text(s, 0) else { return "" }
                return String(cString: text)
            }
            return (value("PRAGMA journal_mode"), Int(value("PRAGMA synchronous")) ?? -1)
        }
    }

    /// The product behind a catalog key (GTIN-14 or an in-store code), or nil.
    func product(key: String) throws -> ScannedProduct? {
        try connection.withLock { c -> ScannedProduct? in
            let s = c.statement
            defer { sqlite3_reset(s) }
            sqlite3_bind_text(s, 1, key, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            switch sqlite3_step(s) {
            case SQLITE_ROW: break
            case SQLITE_DONE: return nil
            case let rc: throw LedgerError.corrupt("barcode lookup failed (\(rc)): \(String(cString: sqlite3_errmsg(c.db)))")
            }
            func text(_ i: Int32) -> String? { sqlite3_column_text(s, i).map { String(cString: $0) } }
            func int(_ i: Int32) -> Int64 { sqlite3_column_int64(s, i) }
            let codes = text(14).map(Ledger.barcodes(concatenated:)) ?? []
            let product = Product(
                id: ProductID(text(2) ?? ""), name: text(3) ?? "", kind: ProductKind(rawValue: text(4) ?? "") ?? .item,
                barcodes: codes, plu: text(13), unit: SaleUnit(rawValue: text(5) ?? "") ?? .piece, price: Money(fen: int(6)),
                openPrice: int(7) != 0, taxCategory: TaxCategoryID(text(8) ?? ""), category: text(9) ?? "",
                stockTracked: int(10) != 0, active: int(11) != 0,
                lowStockThreshold: sqlite3_column_type(s, 12) == SQLITE_NULL ? nil : int(12))
            return ScannedProduct(product: product, packQuantity: int(0), taxRateBasisPoints: int(1))
        }
    }
}
