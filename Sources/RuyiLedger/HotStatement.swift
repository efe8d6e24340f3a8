import GRDB
import GRDBSQLite

/// A prepared statement from GRDB's statement cache, driven straight through SQLite's C API.
///
/// Used only on the sale and scan paths, where GRDB's argument boxing and `Row` objects cost more than the SQL itself.
/// Every C call goes through here, and a failing return code becomes GRDB's `DatabaseError` (mapped to `LedgerError`
/// by the callers as usual). The statement is reset before it is bound and after it is used, so GRDB's cache always
/// gets it back idle.
struct HotStatement: ~Copyable {
    private let handle: OpaquePointer

    /// SQLITE_TRANSIENT: SQLite copies the bound bytes.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    deinit { sqlite3_reset(handle) }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }
    func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(handle, index, value, -1, Self.transient) }
    func bind(_ index: Int32, _ bytes: [UInt8]?) {
        guard let bytes else { sqlite3_bind_null(handle, index); return }
        _ = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    /// Steps once: true when a row is ready, false when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            let sql = sqlite3_sql(handle).map { String(cString: $0) }
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: sql)
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        _ = try step()
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }
    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}

extension Database {
    /// Runs `body` in a `BEGIN IMMEDIATE … COMMIT` whose two statements are prepared once and stepped through the C API
    /// (GRDB's transaction wrapper, like `sqlite3_exec`, parses its BEGIN and COMMIT each time). Rolls back when `body`
    /// or the commit throws.
    func hotTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try HotStatement(self, "BEGIN IMMEDIATE").run()
        do {
            let result = try body(self)
            try HotStatement(self, "COMMIT").run()
            return result
        } catch {
            if sqlite3_get_autocommit(sqliteConnection) == 0 { sqlite3_exec(sqliteConnection, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }
}
