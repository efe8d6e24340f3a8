import ArgumentParser
import Foundation
import Glibc
import RuyiClient
import RuyiCore
import RuyiLedger
import RuyiSystem
import RuyiTestKit

/// `ruyi-bench daemon`: a real ruyid (the one built beside this binary) on a 100,000-product ledger, measured through
/// its API on the Unix socket. Figures: cold start to READY=1 beside opening the same ledger in-process; scan → cart line
/// (p50/p99) beside the API's floor (GET /v1/status); whole 5-line cash sales per second through the API beside the
/// same sales committed in-process; resident memory after the run beside right after READY.
struct DaemonBench: BenchArea {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "ruyid figures through its API.")

    @OptionGroup var options: BenchOptions

    static func measure(_ options: BenchOptions, _ f: Figures) throws {
        let smoke = options.smoke
        let products = smoke ? 2_000 : 100_000
        let scans = smoke ? 300 : 5_000
        let sales = smoke ? 20 : 300
        f.say("# ruyi-bench daemon\(smoke ? " --smoke (debug-sized: these numbers measure nothing)" : "")")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ruyid").path
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("ruyid is not built beside ruyi-bench (\(exe)): swift build --product ruyid") }
        let dir = FileManager.default.currentDirectoryPath + "/.ruyi-bench-daemon"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // The store: owner, a 100,000-product catalog, an open shift.
        let (csv, codes) = CatalogGenerator.csv(products: products)
        do {
            let ledger = try Ledger(path: dir + "/state/ledger.sqlite")
            try ledger.addCashier(id: "owner", name: "店主", role: .owner, pin: "8888", by: nil)
            let r = try ledger.importCatalog(csv: csv, source: "bench.csv", by: "owner")
            guard r.committed else { throw ValidationError("catalog import failed") }
            try ledger.openShift(cashier: "owner", float: Money(fen: 50_000))
        }
        var t = SystemFacts.now()
        _ = try Ledger(path: dir + "/state/ledger.sqlite")
        let ledgerOpenMS = Double(SystemFacts.now() - t) / 1e6
        // A copy for the in-process baseline, taken while nothing writes (the file and its WAL together).
        try FileManager.default.copyItem(atPath: dir + "/state/ledger.sqlite", toPath: dir + "/copy.sqlite")
        if FileManager.default.fileExists(atPath: dir + "/state/ledger.sqlite-wal") {
            try FileManager.default.copyItem(atPath: dir + "/state/ledger.sqlite-wal", toPath: dir + "/copy.sqlite-wal")
        }

        // Cold start: spawn → READY=1 on a datagram socket, as systemd would see it.
        let notify = try NotifyListener(path: dir + "/notify.sock")
        let socket = dir + "/ruyid.sock"
        t = SystemFacts.now()
        let daemon = try ChildProcess(exe, ["--state-dir", dir + "/state", "--socket", socket],
                                      environment: ["NOTIFY_SOCKET": notify.path, "RUYI_DEVICES": dir + "/none"], stderr: dir + "/ruyid.log")
        defer { daemon.stop() }
        let pid = daemon.pid
        guard notify.waitFor("READY=1", seconds: 30) else {
            // The folder goes when the benchmark ends: say here what ruyid said (a stale ruyid refuses a newer ledger).
            let log = (try? String(contentsOfFile: dir + "/ruyid.log", encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw ValidationError("ruyid (\(exe)) never became ready; it said:\n\(tail)\nBuild it with the benchmark: swift build -c release --product ruyid")
        }
        let coldMS = Double(SystemFacts.now() - t) / 1e6
        let idleRSS = rssMB(pid)

        // One kept-alive connection, as the till screen holds one.
        let client = try APIConnection(socketPath: socket, timeoutSeconds: 10)
        func post(_ path: String, _ json: String) throws -> Int { try client.send("POST", path, body: Data(json.utf8)).status }
        guard try post("/v1/session", #"{"cashier":"owner","pin":"8888"}"#) == 200 else { throw ValidationError("sign-in failed") }
        let readyRSS = rssMB(pid)
        // The catalog search (it reads SQLite: no index in memory): initials, a name, barcode digits, a miss.
        var searchNS: [UInt64] = []
        let queries = ["sp", "sp9", "%E5%95%86%E5%93%81999", "690", "12345", "zzq"]  // 商品999
        for i in 0..<(smoke ? 12 : 60) {
            let s = SystemFacts.now()
            guard try client.send("GET", "/v1/catalog/search?q=\(queries[i % queries.count])").status == 200 else { throw ValidationError("search failed") }
            searchNS.append(SystemFacts.now() - s)
        }

        // Scan → line, over the socket, in baskets of 10 (a neighbourhood store's basket; each answer carries the whole cart).
        var floor: [UInt64] = []
        for _ in 0..<min(scans, 1000) {
            let s = SystemFacts.now()
            _ = try client.send("GET", "/v1/status")
            floor.append(SystemFacts.now() - s)
        }
        var scanNS: [UInt64] = []
        var rng = SystemRandomNumberGenerator()
        for i in 0..<scans {
            let code = codes[Int.random(in: 0..<codes.count, using: &rng)]
            let s = SystemFacts.now()
            let status = try post("/v1/till/scan", #"{"data":"\#(code)"}"#)
            scanNS.append(SystemFacts.now() - s)
            guard status == 200 else { throw ValidationError("scan \(code) answered \(status)") }
            if i % 10 == 9 { _ = try post("/v1/till/cancel", "{}") }
        }
        _ = try post("/v1/till/cancel", "{}")

        // Whole sales: 5 scans and a cash tender that commits (one durable ledger transaction with its receipt).
        t = SystemFacts.now()
        var tenderNS: [UInt64] = []
        for _ in 0..<sales {
            for _ in 0..<5 { _ = try post("/v1/till/scan", #"{"data":"\#(codes[Int.random(in: 0..<codes.count, using: &rng)])"}"#) }
            let s = SystemFacts.now()
            guard try post("/v1/till/tender/cash", #"{"amount":"10000"}"#) == 200 else { throw ValidationError("tender failed") }
            tenderNS.append(SystemFacts.now() - s)
        }
        let apiSalesPerSecond = Double(sales) / (Double(SystemFacts.now() - t) / 1e9)
        let busyRSS = rssMB(pid)
        let busyAnon = rssMB(pid, field: "RssAnon"), busyFile = rssMB(pid, field: "RssFile")

        // A long day in a few seconds: many more sales, faster than the spool printer keeps up, so receipts queue up
        // behind it as they do behind a printer that is off. The heap must not grow with them (it once grew ~6 KB a
        // sale: each print step read every open job with its document).
        let soakSales = smoke ? 40 : 2_500
        for _ in 0..<soakSales {
            for _ in 0..<5 { _ = try post("/v1/till/scan", #"{"data":"\#(codes[Int.random(in: 0..<codes.count, using: &rng)])"}"#) }
            guard try post("/v1/till/tender/cash", #"{"amount":"10000"}"#) == 200 else { throw ValidationError("tender failed") }
        }
        let soakAnon = rssMB(pid, field: "RssAnon"), soakRSS = rssMB(pid)

        // The same sales in-process (the ledger's own rate on this disk), on the copy.
        let copy = try Ledger(path: dir + "/copy.sqlite")
        let carts = try (0..<sales).map { _ in try CatalogGenerator.sale(copy, codes: codes, rng: &rng) }
        t = SystemFacts.now()
        for c in carts { _ = try copy.commitSale(c, cashier: "owner") }
        let inProcess = Double(sales) / (Double(SystemFacts.now() - t) / 1e9)

        func pct(_ v: [UInt64], _ p: Int) -> Double { let s = v.sorted(); return Double(s[min(s.count - 1, s.count * p / 100)]) / 1000 }
        f.add("cold_start_ms", format(coldMS, 1), note: "spawn → READY=1 with \(products) products; target < 300 ms; opening that ledger in-process: \(format(ledgerOpenMS, 1)) ms")
        f.add("search_p50_ms", format(pct(searchNS, 50) / 1000, 1))
        f.add("search_p99_ms", format(pct(searchNS, 99) / 1000, 1), note: "GET /v1/catalog/search over \(products) products (initials, name, barcode digits, a miss), read from SQLite on the search thread")
        f.add("scan_to_line_p50_us", format(pct(scanNS, 50), 0))
        f.add("scan_to_line_p90_us", format(pct(scanNS, 90), 0))
        f.add("scan_to_line_p99_us", format(pct(scanNS, 99), 0), note: "POST /v1/till/scan → line added (journaled), over the socket, \(scans) scans in baskets of 10; target < 1000 µs")
        f.add("api_floor_p99_us", format(pct(floor, 99), 0), note: "GET /v1/status round trip on the same connection: the socket + HTTP floor")
        f.add("tender_p50_us", format(pct(tenderNS, 50), 0), note: "POST /v1/till/tender/cash that commits the sale with its receipt")
        f.add("tender_p99_us", format(pct(tenderNS, 99), 0))
        f.add("api_sales_per_second", format(apiSalesPerSecond, 1), note: "5 scans + cash tender + durable commit, through the API")
        f.add("inprocess_sales_per_second", format(inProcess, 1), note: "the same sales committed by Ledger.commitSale in-process")
        f.add("rss_mb", format(busyRSS, 1), note: "ruyid's resident memory after the run; target < 60 MB; right after READY: \(format(idleRSS, 1)) MB, signed in: \(format(readyRSS, 1)) MB; "
              + "of it heap \(format(busyAnon, 1)) MB + mapped code and files \(format(busyFile, 1)) MB")
        f.add("soak_heap_growth_mb", format(soakAnon - busyAnon, 1),
              note: "ruyid's heap after \(soakSales) more sales with receipts queued behind the printer, less before them (\(format(busyAnon, 1)) → \(format(soakAnon, 1)) MB; resident \(format(soakRSS, 1)) MB): near 0 when nothing piles up in memory")
    }

    static func rssMB(_ pid: pid_t, field: String = "VmRSS") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = line.split(separator: " ").compactMap({ Double($0) }).first else { return -1 }
        return kb / 1024
    }

}

/// A NOTIFY_SOCKET stand-in for the cold-start figure.
final class NotifyListener {
    let path: String
    let fd: Int32
    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard UnixSocket.bind(fd, path) == 0 else { throw ValidationError("cannot bind \(path)") }
    }
    deinit { close(fd) }

    func waitFor(_ text: String, seconds: Int) -> Bool {
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let end = Date().addingTimeInterval(Double(seconds))
        var buf = [UInt8](repeating: 0, count: 4096)
        while Date() < end {
            let n = recv(fd, &buf, buf.count, 0)
            if n > 0, String(decoding: buf[0..<n], as: UTF8.self).contains(text) { return true }
        }
        return false
    }
}
