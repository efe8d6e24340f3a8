import Foundation
import GRDB
import RuyiCore
import Synchronization

/// How much room the file system has left, injected so tests can simulate a nearly full disk.
public protocol FreeSpaceProbe: Sendable {
    /// Bytes available to this process on the file system holding `path`.
    func availableBytes(at path: String) -> UInt64?
}

/// `statvfs` on the ledger's directory.
public struct StatvfsProbe: FreeSpaceProbe {
    public init() {}
    public func availableBytes(at path: String) -> UInt64? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return UInt64(s.f_bavail) * UInt64(s.f_frsize)
    }
}

/// The till ledger: one SQLite file (WAL, `synchronous=FULL`, foreign keys on), owned by one `Ledger`.
///
/// Every business event is one write transaction: the chained entry, its outbox row and every projection it changes
/// are written together or not at all. Methods are synchronous and may block on disk I/O: the daemon calls them from
/// its ledger service, never from the shared concurrency pool's hot loops.
public final class Ledger: Sendable {
    public struct Options: Sendable {
        /// New sales are refused (with "storage full") when less than this many bytes are free, so the disk never fills
        /// in the middle of a transaction and there is always room for the Z report.
        public var freeSpaceWatermark: UInt64 = 64 * 1024 * 1024
        public var freeSpace: any FreeSpaceProbe = StatvfsProbe()
        /// The store's time zone: business dates and hourly report buckets use it.
        public var timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!
        /// A shift open longer than this asks for a Z report.
        public var shiftMaxSeconds: Int64 = 24 * 3600
        /// PBKDF2 rounds for cashier PINs (lower only in tests).
        public var pinRounds: Int = 100_000
        /// A hard cap on the file's size in pages (`PRAGMA max_page_count`), e.g. a quota on a shared partition; nil: none.
        public var maxPageCount: Int?
        public init() {}
    }

    public let path: String
    public let options: Options
    /// Bytes the WAL file is cut back to after a checkpoint.
    static let walSizeLimit = 8 * 1024 * 1024
    let pool: DatabasePool
    /// The clock the ledger stamps entries with (tests pass one they drive; the till times its unlock window with it).
    public let clock: any TillClock
    let ids: UUIDv7Generator
    /// The directory holding the file, whose file system the free-space reserve is checked on.
    let directory: String
    /// Monotonic time of the last free-space check that found room (0: check next time).
    let freeSpaceCheckedAt = Mutex<UInt64>(0)
    /// The scan path's read-only connection.
    let scanLookup: ScanLookup
    /// Product ids lately found in the catalog (see `KnownProducts`): the sale path skips probing them.
    let knownProducts = KnownProducts()
    /// True when the file was left by an unclean shutdown and `PRAGMA quick_check` ran on open.
    public let ranQuickCheck: Bool

    /// Opens (creating if needed) and migrates the ledger at `path`.
    ///
    /// - Throws: ``LedgerError/newerSchema(_:)`` for a file written by a newer Ruyi (never silently downgraded);
    ///   ``LedgerError/corrupt(_:)`` when the quick check after an unclean shutdown fails.
    public init(path: String, clock: any TillClock = SystemClock(), random: any RandomSource = SystemRandomSource(),
                options: Options = Options()) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        self.directory = dir.isEmpty ? "." : dir
        self.options = options
        self.clock = clock
        self.ids = UUIDv7Generator(clock: clock, random: random)
        // A WAL file left behind means the last process did not close the database: check it before trusting it.
        let walPath = path + "-wal"
        let unclean = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? UInt64).map { $0 > 0 } ?? false

        var config = Configuration()
        config.foreignKeysEnabled = true
        config.journalMode = .wal
        config.busyMode = .timeout(5)
        let maxPages = options.maxPageCount
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A big import grows the WAL to tens of MB; once checkpointed it is cut back to this instead of staying that
            // size on the terminal's flash (steady selling stays below it: a checkpoint runs every ~4 MB).
            _ = try Int.fetchOne(db, sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            if let maxPages { _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(maxPages)") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as DatabaseError {
            throw LedgerError.notALedger(path, e.message ?? "\(e)")
        }
        // GRDB's pool sets its writer to synchronous=NORMAL after prepareDatabase (its WAL set-up); a till needs FULL:
        // a sale the cashier heard beep must survive a power cut.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }

        if unclean {
            let result = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            guard result == ["ok"] else { throw LedgerError.corrupt("quick_check: " + result.prefix(5).joined(separator: "; ")) }
        }
        ranQuickCheck = unclean

        let migrator = LedgerSchema.migrator()
        try pool.write { db in
            if try migrator.hasBeenSuperseded(db) {
                let known = Set(migrator.migrations)
                let applied = try migrator.appliedIdentifiers(db)
                throw LedgerError.newerSchema(applied.filter { !known.contains($0) }.sorted())
            }
        }
        try migrator.migrate(pool)
        scanLookup = try ScanLookup(path: path)

        // Ids stay ordered across a restart during which the wall clock went back.
        if let last = try pool.read({ db in try Foundation.Data.fetchOne(db, sql: "SELECT id FROM ledger_entry ORDER BY seq DESC LIMIT 1") }) {
            ids.observe(UUID(bytes: [UInt8](last)))
        }
    }

    /// A fresh UUIDv7 from this ledger's generator (ordered after every id already stored).
    public func newID() -> UUID { ids.next() }

    /// The chain's head.
    public func head() throws -> ChainHead {
        try pool.read { db in try Chain.head(db) }
    }

    /// The journal mode and `synchronous` level of the writer, a pool reader and the scan connection, for tests and
    /// diagnostics.
    public func connectionSettings() throws -> [(journalMode: String, synchronous: Int)] {
        let w = try pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
        let r = try pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
        return [w, r, scanLookup.settings()]
    }

    /// Refuses a new sale when the disk is nearly full. The file system is asked at most once a second while there is
    /// room (a sale fills kilobytes, the reserve is megabytes), and every time once it is below the reserve.
    func checkFreeSpace() throws {
        let now = clock.monotonicNanos()
        let recent = freeSpaceCheckedAt.withLock { last in
            if last != 0 && now &- last < 1_000_000_000 { return true }
            return false
        }
        if recent { return }
        if let free = options.freeSpace.availableBytes(at: directory), free < options.freeSpaceWatermark {
            freeSpaceCheckedAt.withLock { $0 = 0 }
            throw LedgerError.storageFull("\(free / 1024 / 1024) MB free, below the \(options.freeSpaceWatermark / 1024 / 1024) MB reserve")
        }
        freeSpaceCheckedAt.withLock { $0 = now }
    }

    /// Runs a write transaction, turning SQLite's "disk full" into ``LedgerError/storageFull(_:)``.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in try db.hotTransaction(body) }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_FULL {
            throw LedgerError.storageFull("the disk is full (\(e.message ?? "SQLITE_FULL"))")
        }
    }
}
