import Foundation
import GRDBSQLite

/// The baselines: the same SQLite library driven directly through its C API with the same pragmas.
final class RawSQLite {
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    private let payload = [UInt8](repeating: 0x5A, count: 200)

    init(path: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK else { throw Failure("open \(path)") }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        guard sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES (?)", -1, &insert, nil) == SQLITE_OK else { throw Failure("prepare") }
    }

    deinit {
        sqlite3_finalize(shapedInsert)
        sqlite3_finalize(shapedOutbox)
        sqlite3_finalize(insert)
        sqlite3_close(db)
    }

    /// A second baseline with the ledger's shape but none of its logic: per transaction, one row the size of a real sale's
    /// entry plus its outbox row keyed by a 16-byte time-ordered id — the B-trees a sale must touch, written by raw C calls.
    static func saleShaped(path: String) throws -> RawSQLite {
        let raw = try RawSQLite(path: path)
        try raw.exec("""
            CREATE TABLE e(seq INTEGER PRIMARY KEY, id BLOB NOT NULL, body BLOB NOT NULL, hash BLOB NOT NULL);
            CREATE TABLE o(id BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID
            """)
        return raw
    }

    private var shapedInsert: OpaquePointer?
    private var shapedOutbox: OpaquePointer?
    private var shapedSeq: Int64 = 0

    func insertSaleShapedTransaction(body: [UInt8]) throws {
        if shapedInsert == nil {
            sqlite3_prepare_v2(db, "INSERT INTO e(seq, id, body, hash) VALUES (?, ?, ?, ?)", -1, &shapedInsert, nil)
            sqlite3_prepare_v2(db, "INSERT INTO o(id, seq) VALUES (?, ?)", -1, &shapedOutbox, nil)
        }
        shapedSeq += 1
        var id = [UInt8](repeating: 0, count: 16)
        // Time-ordered like a UUIDv7: the sequence number in the leading bytes.
        for i in 0..<8 { id[i] = UInt8(truncatingIfNeeded: shapedSeq >> (56 - 8 * Int64(i))) }
        try exec("BEGIN IMMEDIATE")
        sqlite3_bind_int64(shapedInsert, 1, shapedSeq)
        _ = id.withUnsafeBytes { sqlite3_bind_blob(shapedInsert, 2, $0.baseAddress, 16, nil) }
        _ = body.withUnsafeBytes { sqlite3_bind_blob(shapedInsert, 3, $0.baseAddress, Int32($0.count), nil) }
        _ = payload.withUnsafeBytes { sqlite3_bind_blob(shapedInsert, 4, $0.baseAddress, 32, nil) }
        guard sqlite3_step(shapedInsert) == SQLITE_DONE else { throw Failure("shaped insert") }
        sqlite3_reset(shapedInsert)
        _ = id.withUnsafeBytes { sqlite3_bind_blob(shapedOutbox, 1, $0.baseAddress, 16, nil) }
        sqlite3_bind_int64(shapedOutbox, 2, shapedSeq)
        guard sqlite3_step(shapedOutbox) == SQLITE_DONE else { throw Failure("shaped outbox") }
        sqlite3_reset(shapedOutbox)
        try exec("COMMIT")
    }

    /// The size of this database's WAL once one auto-checkpoint cycle has filled it: from then on commits overwrite it in place.
    func steadyWALBytes() throws -> Int {
        func pragma(_ name: String) throws -> Int {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(db, "PRAGMA \(name)", -1, &stmt, nil) == SQLITE_OK, sqlite3_step(stmt) == SQLITE_ROW else {
                sqlite3_finalize(stmt)
                throw Failure("PRAGMA \(name)")
            }
            defer { sqlite3_finalize(stmt) }
            return Int(sqlite3_column_int64(stmt, 0))
        }
        return try pragma("wal_autocheckpoint") * (try pragma("page_size") + 24) + 32
    }

    /// Runs `transaction` untimed until this database's WAL file holds `bytes`; returns how many it took.
    func warmUp(toWALBytes bytes: Int, _ transaction: () throws -> Void) throws -> Int {
        guard let name = sqlite3_db_filename(db, "main") else { throw Failure("no file name") }
        return try Self.warmUp(walPath: String(cString: name) + "-wal", toWALBytes: bytes, transaction)
    }

    static func warmUp(walPath: String, toWALBytes bytes: Int, _ transaction: () throws -> Void) throws -> Int {
        var done = 0
        var st = stat()
        while stat(walPath, &st) != 0 || Int(st.st_size) < bytes {
            try transaction()
            done += 1
            // One-row transactions fill a cycle in ~1,000; anything near this means the WAL is not growing at all.
            guard done < 20_000 else { throw Failure("\(walPath) did not reach \(bytes) bytes in \(done) transactions") }
        }
        return done
    }

    /// BEGIN; INSERT one row; COMMIT — durable like a sale.
    func insertOneRowTransaction() throws {
        try exec("BEGIN")
        _ = payload.withUnsafeBytes { sqlite3_bind_blob(insert, 1, $0.baseAddress, Int32($0.count), nil) }
        guard sqlite3_step(insert) == SQLITE_DONE else { throw Failure("insert") }
        sqlite3_reset(insert)
        try exec("COMMIT")
    }

    private func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw Failure(String(cString: sqlite3_errmsg(db))) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = "raw sqlite: " + d }
    }

    /// The catalog rows inserted by hand in one transaction (no validation, no chain): the floor for an import.
    static func importBaseline(dir: String, csv: [UInt8]) throws -> Double {
        let path = dir + "/raw-import.sqlite"
        let raw = try RawSQLite(path: path)
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        try raw.exec("CREATE TABLE p(id TEXT PRIMARY KEY, name TEXT, price TEXT, code TEXT, unit TEXT, tax TEXT, cat TEXT, low TEXT) WITHOUT ROWID")
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(raw.db, "INSERT INTO p VALUES (?,?,?,?,?,?,?,?)", -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        let start = DispatchTime.now().uptimeNanoseconds
        try raw.exec("BEGIN")
        let text = String(decoding: csv, as: UTF8.self)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            for (i, field) in fields.prefix(8).enumerated() {
                sqlite3_bind_text(stmt, Int32(i + 1), String(field), -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw Failure("import insert") }
            sqlite3_reset(stmt)
        }
        try raw.exec("COMMIT")
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The same barcode → product join, prepared once, straight on the ledger file.
    static func lookupBaseline(path: String, codes: [String], count: Int) throws -> (p50: Double, p99: Double) {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { throw Failure("open") }
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, """
            SELECT b.pack_quantity, p.id, p.name, p.price FROM barcode b JOIN product p ON p.id = b.product_id WHERE b.code = ?
            """, -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        for i in 0..<count {
            let key = "0" + codes[(i &* 7919) % codes.count]
            let t = DispatchTime.now().uptimeNanoseconds
            sqlite3_bind_text(stmt, 1, key, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            guard sqlite3_step(stmt) == SQLITE_ROW else { throw Failure("lookup found nothing for \(key)") }
            _ = sqlite3_column_text(stmt, 2)
            sqlite3_reset(stmt)
            samples.append(DispatchTime.now().uptimeNanoseconds - t)
        }
        samples.sort()
        return (Double(samples[count / 2]) / 1000, Double(samples[count * 99 / 100]) / 1000)
    }

    /// Mean microseconds of a 4 KiB write + fdatasync in `dir`.
    static func fsyncMicros(dir: String, count: Int) throws -> Double {
        let path = dir + "/fsync.probe"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure("open \(path)") }
        defer { close(fd); unlink(path) }
        let block = [UInt8](repeating: 1, count: 4096)
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(i * 4096)) }
            fdatasync(fd)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(count)
    }
}
