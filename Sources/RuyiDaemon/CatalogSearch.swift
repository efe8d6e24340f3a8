import Foundation
import RuyiLedger
import RuyiSystem

/// The catalog search (name, pinyin initials, barcode digits) on a thread of its own: each search reads the catalog
/// in SQLite (tens of ms for 100,000 products), which must hold neither the shared pool the till and the API run on
/// nor an import in progress. Nothing is kept in memory, so nothing needs rebuilding after an import or a price change.
actor CatalogSearch {
    nonisolated let unownedExecutor: UnownedSerialExecutor
    private let executor: DedicatedThreadExecutor
    private let ledger: Ledger

    init(ledger: Ledger) {
        executor = DedicatedThreadExecutor(name: "ruyi-search")
        unownedExecutor = executor.asUnownedSerialExecutor()
        self.ledger = ledger
    }

    func search(_ query: String, limit: Int = 20) throws -> [CatalogEntry] {
        try ledger.searchCatalog(query, limit: limit)
    }

    func close() { executor.shutdown() }
}
