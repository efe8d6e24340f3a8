import ArgumentParser
import Foundation
import GRDBSQLite
import RuyiCore
import RuyiLedger

/// `ruyi-bench ledger`: durable sale commits against raw SQLite, barcode lookups on a 100,000-product catalog,
/// and a 100,000-product CSV import (time and peak memory).
struct LedgerBench: BenchArea {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Ledger commit, lookup and import figures.")

    @OptionGroup var options: BenchOptions

    static func measure(_ options: BenchOptions, _ f: Figures) throws {
        let smoke = options.smoke
        let dir = options.keep ?? FileManager.default.currentDirectoryPath + "/.ruyi-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        if SystemFacts.isMemoryFileSystem(dir) && !smoke {
            throw ValidationError("\(dir) is on tmpfs: fsync costs nothing there and the commit figures would mean nothing. Run from a directory on disk or pass --keep DIR.")
        }
        let dbPath = dir + "/ledger.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }

        let productCount = smoke ? 1000 : 100_000
        let rounds = options.commitRounds ?? (smoke ? 2 : 20)
        let perRound = smoke ? 20 : 250
        f.say("# ruyi-bench ledger\(smoke ? " --smoke (debug-sized: these numbers measure nothing)" : "") in \(dir)")

        var ledgerOptions = Ledger.Options()
        ledgerOptions.pinRounds = 1000
        let ledger = try Ledger(path: dbPath, options: ledgerOptions)
        try ledger.addCashier(id: "owner", name: "店主", role: .owner, pin: "8888", by: nil)

        // 1. Catalog import, with its own peak memory.
        let (csv, barcodes) = CatalogGenerator.csv(products: productCount)
        SystemFacts.resetPeakRSS()
        var t = SystemFacts.now()
        let report = try ledger.importCatalog(csv: csv, source: "bench.csv", by: "owner")
        let importSeconds = Double(SystemFacts.now() - t) / 1e9
        let importRSS = SystemFacts.peakRSSMegabytes()
        guard report.committed, report.imported == productCount else { throw ValidationError("import failed: \(report.badRows.prefix(3))") }
        let rawImport = try RawSQLite.importBaseline(dir: dir, csv: csv)
        f.add("import_100k_seconds", format(importSeconds), note: "\(productCount) products; target ≤ 15 s; raw INSERTs of the same rows: \(format(rawImport)) s")
        f.add("import_100k_rss_mb", format(importRSS, 1), note: "peak resident memory during the import; target ≤ 100 MB")
        f.add("raw_import_seconds", format(rawImport))

        // 2. Barcode → product lookups, random codes, in any GTIN form.
        var rng = SystemRandomNumberGenerator()
        let lookups = smoke ? 2000 : 100_000
        var samples: [UInt64] = []
        samples.reserveCapacity(lookups)
        for _ in 0..<lookups {
            let code = barcodes[Int.random(in: 0..<barcodes.count, using: &rng)]
            t = SystemFacts.now()
            let found = try ledger.product(barcode: code)
            samples.append(SystemFacts.now() - t)
            if found == nil { throw ValidationError("lookup of \(code) found nothing") }
        }
        let raw = try RawSQLite.lookupBaseline(path: dbPath, codes: barcodes, count: lookups)
        samples.sort()
        f.add("lookup_p50_us", format(Double(samples[samples.count / 2]) / 1000, 1))
        f.add("lookup_p99_us", format(Double(samples[samples.count * 99 / 100]) / 1000, 1),
              note: "target < 50 µs; raw SELECT on the same file: p99 \(format(raw.p99, 1)) µs")
        f.add("raw_lookup_p99_us", format(raw.p99, 1))

        // 3. Durable sale commits (5 lines + 1 cash payment) against raw one-row transactions, interleaved in rounds
        //    so drift in the disk's speed hits both alike.
        try ledger.openShift(cashier: "owner", float: Money(fen: 50_000))
        let rawDB = try RawSQLite(path: dir + "/raw.sqlite")
        let shapedDB = try RawSQLite.saleShaped(path: dir + "/raw-shaped.sqlite")
        // The floor's row is as big as a real sale's entry: one sale, committed untimed, gives its size.
        try ledger.commitSale(try CatalogGenerator.sale(ledger, codes: barcodes, rng: &rng), cashier: "owner")
        guard let saleBody = try ledger.outboxBatch(limit: 1_000_000).last?.body, saleBody.count > 500 else {
            throw ValidationError("the benchmark's first sale left no entry to size the floor by")
        }
        // Every database starts the timed rounds in the steady state a till sells in: its WAL already at the size one
        // checkpoint cycle fills, so commits overwrite that file in place. A WAL still growing makes each fdatasync
        // also journal the file's new size, which costs a fresh baseline far more than the ledger (its WAL is already
        // that big from the import) and flattered the ratio by ~15% before this warm-up existed.
        let steadyWAL = try rawDB.steadyWALBytes()
        let warm = (raw: try rawDB.warmUp(toWALBytes: steadyWAL) { try rawDB.insertOneRowTransaction() },
                    shaped: try shapedDB.warmUp(toWALBytes: steadyWAL) { try shapedDB.insertSaleShapedTransaction(body: saleBody) },
                    sale: try RawSQLite.warmUp(walPath: dbPath + "-wal", toWALBytes: steadyWAL) {
                        try ledger.commitSale(try CatalogGenerator.sale(ledger, codes: barcodes, rng: &rng), cashier: "owner")
                    })
        f.say("# warm-up (untimed) until each WAL holds \(steadyWAL / 1024) KiB: raw \(warm.raw), sale-shaped \(warm.shaped), ledger \(warm.sale) transactions")
        var saleNanos: UInt64 = 0, rawNanos: UInt64 = 0, shapedNanos: UInt64 = 0
        var saleCPU = (user: 0.0, system: 0.0), rawCPU = (user: 0.0, system: 0.0), shapedCPU = (user: 0.0, system: 0.0)
        func add(_ total: inout (user: Double, system: Double), since c: (user: Double, system: Double)) {
            let now = SystemFacts.cpuMicros()
            total.user += now.user - c.user
            total.system += now.system - c.system
        }
        var faults = (raw: 0, shaped: 0, sale: 0)
        for _ in 0..<rounds {
            // The round's carts are scanned (catalog lookups, untimed) just before they are sold, as at the counter.
            let carts = try (0..<perRound).map { _ in try CatalogGenerator.sale(ledger, codes: barcodes, rng: &rng) }
            var fl = SystemFacts.minorFaults()
            var c = SystemFacts.cpuMicros()
            t = SystemFacts.now()
            for _ in 0..<perRound { try rawDB.insertOneRowTransaction() }
            rawNanos += SystemFacts.now() - t
            add(&rawCPU, since: c)
            faults.raw += SystemFacts.minorFaults() - fl
            fl = SystemFacts.minorFaults()
            c = SystemFacts.cpuMicros()
            t = SystemFacts.now()
            for _ in 0..<perRound { try shapedDB.insertSaleShapedTransaction(body: saleBody) }
            shapedNanos += SystemFacts.now() - t
            add(&shapedCPU, since: c)
            faults.shaped += SystemFacts.minorFaults() - fl
            fl = SystemFacts.minorFaults()
            c = SystemFacts.cpuMicros()
            t = SystemFacts.now()
            for cart in carts { try ledger.commitSale(cart, cashier: "owner") }
            saleNanos += SystemFacts.now() - t
            add(&saleCPU, since: c)
            faults.sale += SystemFacts.minorFaults() - fl
        }
        let n = Double(rounds * perRound)
        let salesPerSecond = n / (Double(saleNanos) / 1e9)
        let rawPerSecond = n / (Double(rawNanos) / 1e9)
        let fsync = try RawSQLite.fsyncMicros(dir: dir, count: smoke ? 20 : 200)
        f.add("sales_per_second", format(salesPerSecond, 0), note: "\(Int(n)) sales of 5 lines + 1 cash payment, chain + outbox + stock moves")
        f.add("raw_txn_per_second", format(rawPerSecond, 0), note: "one-row INSERT transactions, same pragmas (WAL, synchronous=FULL)")
        f.add("commit_ratio", format(salesPerSecond / rawPerSecond), note: "target ≥ 0.8")
        let shapedPerSecond = n / (Double(shapedNanos) / 1e9)
        f.add("raw_sale_shaped_per_second", format(shapedPerSecond, 0),
              note: "floor for this schema: a \(saleBody.count)-byte entry + its keyed outbox row by raw C calls (\(format(shapedPerSecond / rawPerSecond)) × raw; "
                  + "user \(format(shapedCPU.user / n, 0)) + system \(format(shapedCPU.system / n, 0)) µs)")
        f.add("commit_us_over_floor", format(Double(Int64(saleNanos) - Int64(shapedNanos)) / n / 1000, 1),
              note: "what a sale's own work (checks, canonical encoding, chain hash, receipt number) adds to the schema's raw floor")
        f.add("fsync_us", format(fsync, 0), note: "4 KiB write + fdatasync on this file system")
        f.add("commit_cpu_us", format((saleCPU.user + saleCPU.system) / n, 0),
              note: "user \(format(saleCPU.user / n, 0)) + system \(format(saleCPU.system / n, 0)) µs per sale")
        f.add("commit_minor_faults", format(Double(faults.sale) / n, 1),
              note: "page faults per sale; raw transaction \(format(Double(faults.raw) / n, 1)), sale-shaped \(format(Double(faults.shaped) / n, 1))")
        f.add("raw_txn_cpu_us", format((rawCPU.user + rawCPU.system) / n, 0),
              note: "user \(format(rawCPU.user / n, 0)) + system \(format(rawCPU.system / n, 0)) µs per transaction")

        // The stock projection is folded off the sale path; report what that costs per sale.
        t = SystemFacts.now()
        try ledger.foldStock()
        f.add("stock_fold_us_per_sale", format(Double(SystemFacts.now() - t) / 1000 / n, 1), note: "off the sale path, batched")

        let verify = try LedgerVerifier.verify(path: dbPath)
        guard verify.intact else { throw ValidationError("the ledger the benchmark wrote does not verify: \(verify.problems)") }
        f.add("verified_entries", String(verify.entries))
        if let keep = options.keep { f.say("# ledger kept at \(keep)/ledger.sqlite (head \(verify.head))") }
    }
}
