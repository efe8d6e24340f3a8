import Synchronization

/// Product ids this ledger has lately found in its catalog, so that committing a sale whose products were just scanned
/// needs no catalog probe inside the write transaction.
///
/// Sound because a product is never deleted: an import or an edit upserts it and deactivation is a flag, so an id found
/// once stays in the catalog. Bounded: two generations of at most ``generationSize`` ids each; when the current one is
/// full it becomes the previous one (ids in use keep coming back, so they stay remembered).
final class KnownProducts: Sendable {
    static let generationSize = 4096

    private struct Generations {
        // Sized once: growing a set on the scan path would copy it now and then.
        var current = Set<String>(minimumCapacity: KnownProducts.generationSize)
        var previous: Set<String> = []
    }

    private let state = Mutex(Generations())

    func remember(_ id: String) {
        state.withLock { g in
            guard !g.current.contains(id) else { return }
            if g.current.count >= Self.generationSize {
                g.previous = g.current
                g.current = Set(minimumCapacity: Self.generationSize)
            }
            g.current.insert(id)
        }
    }

    /// The ids of `ids` not known to be in the catalog (to be probed), in order.
    func unknown(among ids: some Sequence<String>) -> [String] {
        state.withLock { g in ids.filter { !g.current.contains($0) && !g.previous.contains($0) } }
    }
}
