import Foundation
import GRDB
import RuyiCore

/// Why stock moved outside a sale.
public enum StockReason: String, Sendable, CaseIterable {
    case receive
    /// A stock count: the counted quantity replaces what the ledger expected; the difference is the adjustment.
    case count
    case waste
}

/// `data` of a `stock_movement` entry.
struct StockMovementData: Codable, Sendable {
    var reason: String
    var product: String
    /// Base units added (negative: removed).
    var delta: Int64
    /// For a count: the quantity counted.
    var counted: Int64?
    var cashier: String
    var note: String?
}

/// A product on the low-stock list, with a suggested order that brings it back to twice its threshold.
public struct LowStockItem: Hashable, Sendable {
    public let product: ProductID
    public let name: String
    public let onHand: Int64
    public let threshold: Int64
    public let suggestedOrder: Int64
}

extension Ledger {
    /// Records goods received, counted or wasted. Stock is kept in base units (pieces or grams).
    @discardableResult
    public func recordStock(_ reason: StockReason, product: ProductID, quantity: Int64, cashier: String, note: String? = nil) throws -> Int64 {
        switch reason {
        case .receive, .waste:
            guard quantity > 0 else { throw LedgerError.invalidInput("quantity", "must be more than zero") }
        case .count:
            guard quantity >= 0 else { throw LedgerError.invalidInput("counted quantity", "cannot be negative") }
        }
        try checkFreeSpace()
        return try write { db in
            try Cashiers.requireActive(db, cashier)
            guard let tracked = try Bool.fetchOne(db, sql: "SELECT stock_tracked FROM product WHERE id = ?", arguments: [product.rawValue]) else {
                throw LedgerError.unknownProduct(product.rawValue)
            }
            guard tracked else { throw LedgerError.invalidInput("product \(product)", "stock is not tracked for it") }
            // A count is against the stock as of every entry so far, so fold first.
            try StockFold.run(db)
            let onHand = try StockFold.level(db, product.rawValue)
            let delta: Int64 = switch reason {
            case .receive: quantity
            case .waste: -quantity
            case .count: quantity - onHand
            }
            try Chain.append(db, kind: .stockMovement, id: newID(),
                                            data: StockMovementData(reason: reason.rawValue, product: product.rawValue, delta: delta,
                                                                    counted: reason == .count ? quantity : nil, cashier: cashier, note: note),
                                            clock: clock)
            try StockFold.run(db)
            return try StockFold.level(db, product.rawValue)
        }
    }

    /// Current stock of a product in base units (may be negative: selling below zero is allowed and flagged).
    public func stockLevel(_ product: ProductID) throws -> Int64 {
        try foldStock()
        return try pool.read { db in try StockFold.level(db, product.rawValue) }
    }

    /// Products at or below their low-stock threshold: where a restock order starts.
    public func lowStock() throws -> [LowStockItem] {
        try foldStock()
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.name, IFNULL(s.on_hand, 0) AS on_hand, p.low_stock FROM product p LEFT JOIN stock_level s ON s.product_id = p.id
                WHERE p.stock_tracked = 1 AND p.active = 1 AND p.low_stock IS NOT NULL AND IFNULL(s.on_hand, 0) <= p.low_stock
                ORDER BY p.id
                """).map {
                let onHand: Int64 = $0[2], threshold: Int64 = $0[3]
                return LowStockItem(product: ProductID($0[0] as String), name: $0[1], onHand: onHand, threshold: threshold,
                                    suggestedOrder: max(threshold * 2 - onHand, 0))
            }
        }
    }

    /// Products sold below zero stock, for the owner's attention (the sale itself was never blocked).
    public func negativeStock() throws -> [(product: ProductID, onHand: Int64)] {
        try foldStock()
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT product_id, on_hand FROM stock_level WHERE on_hand < 0 ORDER BY product_id")
                .map { (ProductID($0[0] as String), $0[1]) }
        }
    }

    /// Brings the stock levels up to the newest entry. Sales record their stock movements in their own entry; the levels
    /// are a projection folded here — by stock reads, reports, and the daemon when the till is idle — so the sale
    /// path writes as few pages as possible.
    public func foldStock() throws {
        try write { db in _ = try StockFold.run(db) }
    }

    /// Copies what the WAL holds into the database file, for the daemon to call while the till is idle: a passive
    /// checkpoint (it never waits for a reader), so the sale that crosses SQLite's auto-checkpoint threshold seldom
    /// finds anything left to copy and sync. Returns the WAL's frames and how many of them are in the file now.
    @discardableResult
    public func checkpointIdle() throws -> (walFrames: Int, checkpointed: Int) {
        try pool.writeWithoutTransaction { db in
            let r = try db.checkpoint(.passive)
            return (r.walFrameCount, r.checkpointedFrameCount)
        }
    }

    /// Entries written since the stock levels were last folded (0: the levels are current without a fold).
    public func stockBacklog() throws -> Int64 {
        try pool.read { db in
            try Chain.head(db).seq - StockFold.foldedSeq(db)
        }
    }

    /// Folds at most `limit` entries' stock movements (one short transaction), for the daemon's idle-time fold: a
    /// backlog is worked off in slices, so a scan arriving meanwhile waits for one slice at most. Returns whether entries
    /// are still left to fold.
    @discardableResult
    public func foldStock(limit: Int) throws -> Bool {
        try write { db in try StockFold.run(db, limit: max(limit, 1)) }
    }
}

/// Folds stock movements recorded in entries into `stock_level`.
enum StockFold {
    static func level(_ db: Database, _ product: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT on_hand FROM stock_level WHERE product_id = ?"), arguments: [product]) ?? 0
    }

    /// The last entry the stock levels include.
    static func foldedSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stock_folded_seq'") ?? 0
    }

    /// Folds the entries after `stock_folded_seq`, all of them or the next `limit`. Returns whether some are left.
    @discardableResult
    static func run(_ db: Database, limit: Int? = nil) throws -> Bool {
        let folded = try foldedSeq(db)
        let head = try Chain.head(db).seq
        guard head > folded else { return false }
        let through = limit.map { min(head, folded + Int64($0)) } ?? head
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, id, kind, body, hash FROM ledger_entry
            WHERE seq > ? AND seq <= ? AND kind IN ('sale', 'refund', 'post_void', 'stock_movement') ORDER BY seq
            """, arguments: [folded, through])
        for row in rows {
            let e = Chain.stored(row)
            for (product, delta) in try moves(e) { try apply(db, product: product, delta: delta, seq: e.seq) }
        }
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'stock_folded_seq'", arguments: [through])
        return through < head
    }

    /// The stock movements one entry records. Sales are read through a view of their lines' stock fields only: decoding
    /// the whole sale cost most of the fold.
    static func moves(_ e: StoredEntry) throws -> [(String, Int64)] {
        switch e.kind {
        case .sale, .refund:
            return try Chain.decode(StockLines.self, from: e).data.lines.filter(\.stock).map { ($0.product, -$0.qty) }
        case .postVoid:
            return try Chain.decode(VoidedStockLines.self, from: e).data.voided.lines.filter(\.stock).map { ($0.product, $0.qty) }
        case .stockMovement:
            let m = try Chain.decode(StockMovementData.self, from: e).data
            return [(m.product, m.delta)]
        default:
            return []
        }
    }

    /// What the fold reads of a sale or refund (`data.lines[].product/qty/stock`); every other field is skipped.
    struct StockLines: Codable, Sendable {
        struct Line: Codable, Sendable {
            var product: String
            var qty: Int64
            var stock: Bool
        }
        var lines: [Line]
    }

    /// What the fold reads of a post-void: the voided sale's lines.
    struct VoidedStockLines: Codable, Sendable {
        var voided: StockLines
    }

    static func apply(_ db: Database, product: String, delta: Int64, seq: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO stock_level(product_id, on_hand, went_negative_seq) VALUES (?1, ?2, CASE WHEN ?2 < 0 THEN ?3 END)
            ON CONFLICT(product_id) DO UPDATE SET on_hand = on_hand + ?2,
                went_negative_seq = CASE WHEN on_hand + ?2 < 0 AND on_hand >= 0 THEN ?3 ELSE went_negative_seq END
            """).execute(arguments: [product, delta, seq])
    }
}
