import Foundation
import Glibc
import RuyiAPI
import RuyiClient
import RuyiLedger
import RuyiSystem
import RuyiTestKit
import Testing

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: records every message with its arrival time.
final class NotifySocket: @unchecked Sendable {
    let name: String
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [(Date, String)] = []

    /// `abstract`: an abstract-namespace name (`@…`), as systemd uses too.
    init(directory: String, abstract: Bool = false) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        name = abstract ? "@ruyi-notify-\(UUID().uuidString.prefix(8))" : directory + "/notify.sock"
        let rc = UnixSocket.bind(fd, name)
        guard rc == 0 else { throw TestKitError("bind \(name): errno \(rc)") }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [weak self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while let self {
                let n = recv(self.fd, &buf, buf.count, 0)
                if n > 0 { self.lock.withLock { self.messages.append((Date(), String(decoding: buf[0..<n], as: UTF8.self))) } }
                if self.closed { return }
            }
        }
    }

    private var _closed = false
    var closed: Bool { lock.withLock { _closed } }
    func close() { lock.withLock { _closed = true } }

    var all: [(Date, String)] { lock.withLock { messages } }

    func waitFor(_ text: String, timeout: Double) -> Date? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let m = all.first(where: { $0.1.contains(text) }) { return m.0 }
            usleep(10_000)
        }
        return nil
    }
}

/// A real ruyid in a child process, on a seeded ledger, with a fake NOTIFY_SOCKET.
final class DaemonUnderTest: @unchecked Sendable {
    let dir: TemporaryDirectory
    let socket: String
    let notify: NotifySocket
    var process: ChildProcess?
    let watchdogUSec: Int

    init(seed: Bool = true, watchdogUSec: Int = 0, abstractNotify: Bool = false) throws {
        dir = try TemporaryDirectory(prefix: "ruyid")
        socket = dir.file("ruyid.sock")
        notify = try NotifySocket(directory: dir.path, abstract: abstractNotify)
        self.watchdogUSec = watchdogUSec
        if seed {
            try FileManager.default.createDirectory(atPath: dir.file("state"), withIntermediateDirectories: true)
            // Cheap PIN hashing for the seeded ledger: each hash keeps its rounds, so ruyid checks them with those.
            _ = try StoreFixture.open(dir.file("state/ledger.sqlite"), clock: SystemClock(), random: SystemRandomSource())
        }
    }

    var log: String { (try? String(contentsOfFile: dir.file("ruyid.log"), encoding: .utf8)) ?? "" }

    /// Starts ruyid and waits (bounded) for READY=1.
    @discardableResult
    func start(extra: [String] = []) throws -> Date? {
        var env = ["NOTIFY_SOCKET": notify.name, "RUYI_DEVICES": Self.devices]
        if watchdogUSec > 0 { env["WATCHDOG_USEC"] = String(watchdogUSec) }
        let before = notify.all.count
        process = try ChildProcess(try BuiltProducts.executable("ruyid"),
                                   ["--state-dir", dir.file("state"), "--socket", socket, "--test-hooks"] + extra,
                                   environment: env, stdout: dir.file("ruyid.out"), stderr: dir.file("ruyid.log"))
        let end = Date().addingTimeInterval(15)
        while Date() < end {
            if let m = notify.all.dropFirst(before).first(where: { $0.1.contains("READY=1") }) { return m.0 }
            if process?.wait(timeout: 0) != nil { return nil }
            usleep(10_000)
        }
        return nil
    }

    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("devices").path

    var client: APIClient { APIClient(socketPath: socket, timeoutSeconds: 5) }

    /// One request; every answer is checked against its schema in docs/api/openapi.json (test routes aside).
    func call(_ method: String, _ path: String, _ json: String? = nil) throws -> (Int, [String: Any]) {
        let r = try client.send(method, path, body: json.map { Data($0.utf8) })
        if !path.hasPrefix("/v1/debug/") && OpenAPIDocument.shared.template(for: method, path) != nil {
            let problems = OpenAPIDocument.shared.validate(method: method, path: path, status: r.status, body: r.body)
            #expect(problems.isEmpty, "\(method) \(path) → \(r.status): \(problems)")
        }
        let o = (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] ?? [:]
        return (r.status, o)
    }

    func stop() {
        process?.stop(grace: 5)
        notify.close()
    }
}

@Suite(.serialized) struct DaemonProcessTests {
    @Test func readyOnlyOnceTheSocketAnswersAndSIGTERMExitsZero() throws {
        let d = try DaemonUnderTest(abstractNotify: true)
        defer { d.stop() }
        let ready = try #require(try d.start(), "no READY=1: \(d.log)")
        // READY=1 came after the socket was bound: the API answers at once.
        let (status, body) = try d.call("GET", "/v1/status")
        #expect(status == 200 && body["version"] as? String != nil && ready <= Date())
        #expect((body["terminal_id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
        #expect(d.notify.all.contains { $0.1.contains("STATUS=") })
        d.process?.signal(SIGTERM)
        #expect(d.process?.wait(timeout: 10) == 0, "\(d.log)")
        #expect(d.notify.waitFor("STOPPING=1", timeout: 2) != nil)
        #expect(d.log.contains("ruyid stopped cleanly"))
        #expect(!FileManager.default.fileExists(atPath: d.socket))
    }

    @Test func terminalIDIsKeptAcrossRestarts() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let first = try d.call("GET", "/v1/status").1["terminal_id"] as? String
        d.process?.stop()
        try #require(try d.start() != nil, "\(d.log)")
        #expect(try d.call("GET", "/v1/status").1["terminal_id"] as? String == first)
    }

    @Test func watchdogPingsStopWhileTheTillIsStuck() throws {
        let d = try DaemonUnderTest(watchdogUSec: 400_000) // pings every 200 ms
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        #expect(d.notify.waitFor("WATCHDOG=1", timeout: 2) != nil)
        // Stall the till loop for 1.5 s: no WATCHDOG=1 may arrive for twice the interval (0.8 s) — here, the whole stall.
        let (status, _) = try d.call("POST", "/v1/debug/stall?seconds=1.5")
        #expect(status == 202)
        let stalled = Date()
        usleep(1_300_000)
        let during = d.notify.all.filter { $0.1.contains("WATCHDOG=1") && $0.0 > stalled.addingTimeInterval(0.25) && $0.0 < stalled.addingTimeInterval(1.3) }
        #expect(during.isEmpty, "pings while the till was stuck: \(during.map(\.0))")
        // …and they come back once it answers again.
        usleep(800_000)
        #expect(d.notify.all.contains { $0.1.contains("WATCHDOG=1") && $0.0 > stalled.addingTimeInterval(1.5) })
    }

    @Test func aSaleThroughTheAPIAndTheClient() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let ruyi = try BuiltProducts.executable("ruyi")
        let env = ["RUYI_SOCKET": d.socket]
        #expect(try ChildProcess.run(ruyi, ["scan", "6901234567892"], environment: env).status == 1, "sign-in first")
        var r = try ChildProcess.run(ruyi, ["signin", StoreFixture.cashier, "--pin", "1234"], environment: env)
        #expect(r.status == 0, "\(r.output)")
        r = try ChildProcess.run(ruyi, ["scan", "6901234567892"], environment: env)
        #expect(r.status == 0 && r.output.contains("可口可乐"), "\(r.output)")
        // A weighed apple: 18-digit label, PLU 1001, 0.350 kg.
        r = try ChildProcess.run(ruyi, ["scan", "6901234567892"], environment: env)
        r = try ChildProcess.run(ruyi, ["qty", "2", "3"], environment: env)
        #expect(r.status == 0, "\(r.output)")
        r = try ChildProcess.run(ruyi, ["void", "1"], environment: env)
        #expect(r.status == 0 && r.output.contains("已撤销"), "\(r.output)")
        r = try ChildProcess.run(ruyi, ["scan", "1234"], environment: env)
        #expect(r.status == 1 && r.output.contains("till."), "\(r.output)")
        let cart = try d.call("GET", "/v1/till").1
        let due = cart["due"] as? String
        r = try ChildProcess.run(ruyi, ["pay", "cash", "100"], environment: env)
        #expect(r.status == 0 && r.output.contains("找零"), "\(r.output)")
        let (_, after) = try d.call("GET", "/v1/till")
        #expect((after["lines"] as? [Any])?.isEmpty == true, "a new cart after the sale")
        #expect(due != nil)
        r = try ChildProcess.run(ruyi, ["status", "--json"], environment: env)
        #expect(r.status == 0 && r.output.contains("\"receipts_waiting\""))
    }

    @Test func theOpenCartSurvivesSIGKILLAndSIGTERM() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"036000291452"}"#).0 == 200)
        d.process?.signal(SIGKILL)
        _ = d.process?.wait(timeout: 5)
        try #require(try d.start() != nil, "\(d.log)")
        var lines = try d.call("GET", "/v1/till").1["lines"] as? [[String: Any]] ?? []
        #expect(lines.map { $0["barcode"] as? String } == ["6901234567892", "036000291452"], "after SIGKILL")
        #expect(try d.call("POST", "/v1/till/lines/1/quantity", #"{"quantity":"3"}"#).0 == 200)
        d.process?.signal(SIGTERM)
        #expect(d.process?.wait(timeout: 10) == 0)
        try #require(try d.start() != nil, "\(d.log)")
        lines = try d.call("GET", "/v1/till").1["lines"] as? [[String: Any]] ?? []
        #expect(lines.first?["quantity"] as? String == "3", "after SIGTERM")
        #expect(try d.call("GET", "/v1/status").1["cashier"] as? String == "c1", "the signed-in cashier is restored too")
    }

    @Test func everyDocumentedRouteIsServed() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        for route in OpenAPIDocument.shared.routes.sorted() where route != "GET /v1/events" {
            let parts = route.split(separator: " ")
            let path = String(parts[1]).replacingOccurrences(of: "{line}", with: "1").replacingOccurrences(of: "{id}", with: "nobody")
                .replacingOccurrences(of: "{identity}", with: "0c2e:0b8f:X")
            let r = try d.client.send(String(parts[0]), path, body: parts[0] == "GET" || parts[0] == "DELETE" ? nil : Data("{}".utf8))
            let code = ((try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String }
            #expect(code != "api.not_found" && code != "api.method_not_allowed" && r.status != 500, "\(route) → \(r.status) \(code ?? "")")
        }
    }

    @Test func badRequestsGetSpecificErrorsAndChangeNothing() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#).0 == 200)
        let before = try d.call("GET", "/v1/till").1 as NSDictionary
        func code(_ r: (Int, [String: Any])) -> String? { (r.1["error"] as? [String: Any])?["code"] as? String }
        var r = try d.call("GET", "/v1/no/such/thing")
        #expect(r.0 == 404 && code(r) == "api.not_found")
        r = try d.call("POST", "/v1/till/scan", "{not json")
        #expect(r.0 == 400 && code(r) == "api.malformed_json")
        r = try d.call("POST", "/v1/till/scan", #"{"text":"690"}"#)
        #expect(r.0 == 400 && code(r) == "api.malformed_json")
        r = try d.call("POST", "/v1/till/scan", #"{"data":""# + String(repeating: "9", count: 2 * 1024 * 1024) + #""}"#)
        #expect(r.0 == 413 && code(r) == "api.body_too_large")
        r = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"-5"}"#)
        #expect(r.0 == 400 && code(r) == "till.bad_amount")
        r = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"99999999"}"#)
        #expect(r.0 == 400 && code(r) == "till.amount_too_large")
        r = try d.call("POST", "/v1/till/lines/9/quantity", #"{"quantity":"2"}"#)
        #expect(r.0 == 404)
        r = try d.call("POST", "/v1/till/lines/1/quantity", #"{"quantity":"-2"}"#)
        #expect(r.0 == 400 && code(r) == "till.bad_quantity")
        r = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"0000"}"#)
        #expect(r.0 == 401 && code(r) == "auth.wrong_pin")
        #expect((r.1["error"] as? [String: Any])?["message"] as? String == "工号或密码不对", "people read Chinese")
        #expect(try d.call("GET", "/v1/till").1 as NSDictionary == before, "nothing half-done")
        // The daemon is still fine.
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#).0 == 200)
    }

    @Test func aBadConfigIsRefusedWithItsLineAndTheDaemonDoesNotStart() throws {
        let d = try DaemonUnderTest(seed: false)
        defer { d.stop() }
        try "[till]\nmax_tender_yuan = 10\n[scanner]\nenabled = false\n".write(toFile: d.dir.file("ruyid.toml"), atomically: true, encoding: .utf8)
        #expect(try d.start(extra: ["--config", d.dir.file("ruyid.toml")]) == nil)
        #expect(d.process?.wait(timeout: 5) == 78)
        #expect(d.log.contains("ruyid.toml:3: scanner: unknown section"), "\(d.log)")
        #expect(!FileManager.default.fileExists(atPath: d.socket))
    }

    @Test func aPrinterProfileThatIsNotThereStopsTheStart() throws {
        let d = try DaemonUnderTest(seed: false)
        defer { d.stop() }
        try "[printer]\nprofile = \"xp-80\"\n".write(toFile: d.dir.file("ruyid.toml"), atomically: true, encoding: .utf8)
        #expect(try d.start(extra: ["--config", d.dir.file("ruyid.toml")]) == nil)
        #expect(d.process?.wait(timeout: 5) == 1)
        #expect(d.log.contains("printers/xp-80.json: no such printer profile; there are: epson-tm-t82, generic-80-42col, xprinter-xp58, xprinter-xp80"), "\(d.log)")
    }
}

@Suite(.serialized) struct DaemonFirstStartTests {
    @Test func firstStartSetupImportAWeighedSaleAndTheXReport() throws {
        let d = try DaemonUnderTest(seed: false)
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        func code(_ r: (Int, [String: Any])) -> String? { (r.1["error"] as? [String: Any])?["code"] as? String }
        #expect(try d.call("POST", "/v1/setup", #"{"owner":"boss","name":"老板","pin":"12"}"#).0 == 400)
        #expect(try d.call("POST", "/v1/setup", #"{"owner":"boss","name":"老板","pin":"8888"}"#).0 == 200)
        var r = try d.call("POST", "/v1/setup", #"{"owner":"eve","name":"x","pin":"1111"}"#)
        #expect(r.0 == 409 && code(r) == "setup.already_done", "setup works once")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"boss","pin":"8888"}"#).0 == 200)
        let csv = try String(contentsOfFile: DaemonUnderTest.devices + "/../demo/catalog.csv", encoding: .utf8)
        // A bad row: nothing is imported, and the row is named.
        let bad = try d.client.send("POST", "/v1/catalog/import", body: Data((csv + "tea,茶,-1,,piece,standard,饮料,,,,\n").utf8))
        let badView = try WireCoding.decoder().decode(ImportView.self, from: bad.body)
        #expect(!badView.committed && badView.badRows.map(\.line) == [11])
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6920152400050"}"#).0 == 404, "nothing was imported")
        let good = try WireCoding.decoder().decode(ImportView.self, from: try d.client.send("POST", "/v1/catalog/import", body: Data(csv.utf8)).body)
        #expect(good.committed && good.imported == 9)
        #expect(try d.call("POST", "/v1/shift/open", #"{"float":"200"}"#).0 == 200)
        r = try d.call("POST", "/v1/till/scan", #"{"data":"210100100448003501"}"#)
        #expect(r.0 == 200 && ((r.1["line"] as? [String: Any])?["quantity"] as? String) == "0.350" && ((r.1["line"] as? [String: Any])?["amount"] as? String) == "4.48")
        r = try d.call("POST", "/v1/till/scan", #"{"data":"6920152400050"}"#)
        #expect(r.0 == 200)
        r = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"10"}"#)
        let done = r.1["done"] as? [String: Any]
        #expect(done?["change"] as? String == "1.02" && (done?["preview"] as? String)?.contains("红富士苹果") == true, "\(r)")
        let x = try d.call("GET", "/v1/reports/x").1
        #expect(x["sales"] as? Int == 1 && x["sales_total"] as? String == "8.98")
        // The receipt went to the spool folder (no printer needed).
        let spool = d.dir.file("state/spool")
        let end = Date().addingTimeInterval(5)
        while ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).isEmpty && Date() < end { usleep(50_000) }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).count >= 1)
    }
}

@Suite(.serialized) struct DaemonCatalogAndShiftTests {
    @Test func pinyinInitialsSearchAndClosingTheShift() throws {
        let d = try DaemonUnderTest(seed: false)
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        #expect(try d.call("POST", "/v1/setup", #"{"owner":"boss","name":"老板","pin":"8888"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"boss","pin":"8888"}"#).0 == 200)
        let csv = try String(contentsOfFile: DaemonUnderTest.devices + "/../demo/catalog.csv", encoding: .utf8)
        #expect(try d.client.send("POST", "/v1/catalog/import", body: Data(csv.utf8)).status == 200)
        func names(_ q: String) throws -> [String] {
            let enc = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
            return (try d.call("GET", "/v1/catalog/search?q=\(enc)").1["products"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        #expect(try names("ksf") == ["康师傅红烧牛肉面"], "the owner types ksf for 康师傅")
        #expect(try names("kkkl").first == "可口可乐 330ml")
        #expect(try names("牛奶") == ["伊利纯牛奶 250ml"])
        #expect(try names("6921168509256") == ["农夫山泉 550ml"])
        #expect(try names("9256") == ["农夫山泉 550ml"], "the last digits of a barcode")
        #expect(try names("zzzz").isEmpty)
        #expect(try d.call("GET", "/v1/catalog/search?q=").0 == 400)
        // A sale, then the owner closes the shift with the cash counted 0.50 short.
        #expect(try d.call("POST", "/v1/shift/open", #"{"float":"100"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6920152400050"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/till/tender/cash", #"{"amount":"5"}"#).0 == 200)
        var r = try d.call("POST", "/v1/shift/close", #"{"counted":{"cash":"abc"}}"#)
        #expect(r.0 == 400)
        r = try d.call("POST", "/v1/shift/close", #"{"counted":{"cash":"104.00"}}"#)
        #expect(r.0 == 200, "\(r)")
        #expect((r.1["variance"] as? [String: String])?["cash"] == "-0.50", "\(r.1)")
        #expect(((r.1["report"] as? [String: Any])?["sales_total"] as? String) == "4.50")
        #expect((r.1["chain_head"] as? String)?.contains(":") == true)
        #expect(try d.call("GET", "/v1/shift").1["open"] as? Bool == false)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6920152400050"}"#).0 == 200, "scanning works with no shift…")
        #expect(try d.call("POST", "/v1/till/tender/cash", #"{"amount":"5"}"#).0 == 409, "…but a sale needs an open shift")
    }
}

@Suite(.serialized) struct DaemonEventsTests {
    @Test func eventsStreamAsServerSentEvents() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        // A raw connection that stays open on GET /v1/events.
        let fd = try UnixSocket.connect(d.socket, timeoutSeconds: 3)
        defer { close(fd) }
        let request = "GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received = ""
        var buf = [UInt8](repeating: 0, count: 8192)
        func read(until text: String) {
            let end = Date().addingTimeInterval(3)
            while !received.contains(text), Date() < end {
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 { received += String(decoding: buf[0..<n], as: UTF8.self) } else { break }
            }
        }
        read(until: ": ruyid events")
        #expect(received.contains("text/event-stream"), "\(received)")
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"4006381333931"}"#)
        read(until: "unknown_code")
        #expect(received.contains("event: cart\n") && received.contains("\"line_added\""), "\(received)")
        #expect(received.contains("event: scan\n") && received.contains("\"unknown_code\""), "the cashier is asked what to do: \(received)")
        #expect(received.contains("\nid: "), "events carry ids")
        // An open event stream does not hold up a clean stop.
        let asked = Date()
        d.process?.signal(SIGTERM)
        #expect(d.process?.wait(timeout: 3) == 0, "\(d.log)")
        #expect(Date().timeIntervalSince(asked) < 2)
    }
}

@Suite(.serialized) struct DaemonParkAndSalesTests {
    @Test func parkResumeReprintAndPostVoid() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/till/park", #"{"label":"red coat"}"#).0 == 409, "nothing to park")
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
        var r = try d.call("POST", "/v1/till/park", #"{"label":"red coat"}"#)
        let parkedID = try #require(r.1["id"] as? String)
        #expect((try d.call("GET", "/v1/till").1["lines"] as? [Any])?.isEmpty == true)
        // Another customer buys meanwhile; the parked cart cannot land on a cart with lines.
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"036000291452"}"#)
        #expect(try d.call("POST", "/v1/parked/\(parkedID)/resume").0 == 409)
        r = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"50"}"#)
        let sale = try #require((r.1["done"] as? [String: Any])?["sale"] as? String)
        // Survives a restart, then comes back.
        d.process?.signal(SIGTERM)
        _ = d.process?.wait(timeout: 10)
        try #require(try d.start() != nil, "\(d.log)")
        #expect((try d.call("GET", "/v1/parked").1["parked"] as? [[String: Any]])?.first?["label"] as? String == "red coat")
        r = try d.call("POST", "/v1/parked/\(parkedID)/resume")
        #expect(r.0 == 200 && ((r.1["lines"] as? [[String: Any]])?.first?["barcode"] as? String) == "6901234567892")
        // The earlier sale, its reprint, and its post-void (owner only).
        r = try d.call("GET", "/v1/sales/\(sale)")
        #expect(r.0 == 200 && r.1["total"] as? String == "49.90")
        #expect(try d.call("GET", "/v1/sales/not-a-sale").0 == 404)
        #expect(try d.call("POST", "/v1/sales/\(sale)/reprint").0 == 200)
        r = try d.call("POST", "/v1/sales/\(sale)/void", #"{"reason":"customer returned at once"}"#)
        #expect(r.0 == 403, "a cashier cannot post-void")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"boss","pin":"8888"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/sales/\(sale)/void", #"{"reason":" "}"#).0 == 400)
        r = try d.call("POST", "/v1/sales/\(sale)/void", #"{"reason":"customer returned at once"}"#)
        #expect(r.0 == 200 && (r.1["entry"] as? Int ?? 0) > 0, "\(r)")
        #expect(try d.call("POST", "/v1/sales/\(sale)/void", #"{"reason":"again"}"#).0 == 409, "once only")
        // Device assignment: owner only, a real identity, a present device.
        r = try d.call("POST", "/v1/devices/scanners/0c2e:0b8f:NOPE/assign", #"{"profile":"generic-hid-keyboard","confirmed":true}"#)
        #expect(r.0 == 404 || r.0 == 409, "\(r)") // not plugged in (or scanners off on a machine without libusb)
        #expect(try d.call("POST", "/v1/devices/scanners/zz/assign", #"{"profile":"generic-hid-keyboard","confirmed":true}"#).0 == 400)
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)
        #expect(try d.call("DELETE", "/v1/devices/scanners/0c2e:0b8f:NOPE/assign").0 == 403, "a cashier cannot")
    }
}

@Suite(.serialized) struct DaemonCashAndStockTests {
    @Test func cashMovementsAndStock() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)
        var r = try d.call("POST", "/v1/shift/cash", #"{"kind":"pay_out","amount":"20","reason":"买冰块"}"#)
        #expect(r.0 == 200 && r.1["amount"] as? String == "20.00" && r.1["drawer_opened"] as? Bool == false, "spool folder: no drawer")
        #expect(try d.call("POST", "/v1/shift/cash", #"{"kind":"no_sale","amount":"","reason":"换零钱"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/shift/cash", #"{"kind":"no_sale","amount":"5","reason":"x"}"#).0 == 400, "a no-sale moves no money")
        #expect(try d.call("POST", "/v1/shift/cash", #"{"kind":"steal","amount":"5","reason":"x"}"#).0 == 400)
        #expect(try d.call("POST", "/v1/shift/cash", #"{"kind":"drop","amount":"5","reason":""}"#).0 == 400, "a reason is required")
        // Stock: receive by barcode, count by id, waste; the low-stock list.
        r = try d.call("POST", "/v1/stock", #"{"kind":"receive","product":"6901234567892","quantity":24}"#)
        #expect(r.0 == 200 && r.1["on_hand"] as? Int == 24, "\(r)")
        r = try d.call("POST", "/v1/stock", #"{"kind":"count","product":"cola","quantity":8,"note":"shelf count"}"#)
        #expect(r.0 == 200 && r.1["on_hand"] as? Int == 8)
        #expect(try d.call("POST", "/v1/stock", #"{"kind":"waste","product":"cola","quantity":-3}"#).0 == 400)
        #expect(try d.call("POST", "/v1/stock", #"{"kind":"receive","product":"nope","quantity":1}"#).0 == 404)
        let low = try d.call("GET", "/v1/stock/low").1["items"] as? [[String: Any]] ?? []
        #expect(low.contains { $0["product"] as? String == "cola" && $0["on_hand"] as? Int == 8 }, "\(low)")
        // The X report counts the movements.
        #expect(try d.call("GET", "/v1/reports/x").0 == 200)
    }
}

@Suite(.serialized) struct DaemonRefundTests {
    @Test func aRefundFromTheReceiptNumber() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
        _ = try d.call("POST", "/v1/till/lines/1/quantity", #"{"quantity":"3"}"#)
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"036000291452"}"#)
        let done = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"100"}"#).1["done"] as? [String: Any]
        let receipt = try #require(done?["receipt"] as? Int)
        let number = String(format: "%04d-%04d", 1, receipt)
        #expect(try d.call("POST", "/v1/till/return", #"{"receipt":"0009-0999"}"#).0 == 404)
        var r = try d.call("POST", "/v1/till/return", #"{"receipt":"\#(number)"}"#)
        #expect(r.0 == 200 && (r.1["returnable"] as? [Any])?.count == 2, "\(r)")
        #expect((r.1["cart"] as? [String: Any])?["kind"] as? String == "refund")
        #expect(try d.call("POST", "/v1/till/return/lines", #"{"line":1,"quantity":"4"}"#).0 == 409, "more than was sold")
        r = try d.call("POST", "/v1/till/return/lines", #"{"line":1,"quantity":"2"}"#)
        #expect(r.0 == 200 && r.1["due"] as? String == "-7.00", "\(r)")
        #expect(try d.call("POST", "/v1/till/tender/cash", #"{"amount":"10"}"#).0 == 409, "a refund pays out exactly what is due")
        r = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"7"}"#)
        #expect(r.0 == 200 && r.1["done"] != nil, "\(r)")
        // What is left to return shrank by what was refunded.
        r = try d.call("POST", "/v1/till/return", #"{"receipt":"\#(number)"}"#)
        let left = (r.1["returnable"] as? [[String: Any]] ?? []).first { $0["line"] as? Int == 1 }
        #expect(left?["quantity"] as? String == "1")
        #expect(try d.call("POST", "/v1/till/cancel").0 == 200)
        #expect(try d.call("GET", "/v1/reports/x").1["refunds"] as? Int == 1)
        // The owner changes a price (the next scan sells at it) and deactivates the cashier.
        #expect(try d.call("POST", "/v1/products/cola/price", #"{"price":"3.80"}"#).0 == 403, "a cashier cannot change prices")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"boss","pin":"8888"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/products/cola/price", #"{"price":"-1"}"#).0 == 400)
        #expect(try d.call("POST", "/v1/products/nope/price", #"{"price":"1"}"#).0 == 404)
        r = try d.call("POST", "/v1/products/cola/price", #"{"price":"3.80"}"#)
        #expect(r.0 == 200 && r.1["price"] as? String == "3.80", "\(r)")
        r = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
        #expect(((r.1["line"] as? [String: Any])?["unit_price"] as? String) == "3.80")
        #expect(try d.call("DELETE", "/v1/cashiers/boss").0 == 409, "not yourself")
        #expect(try d.call("DELETE", "/v1/cashiers/c1").0 == 204)
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 401, "a deactivated cashier cannot sign in")
    }
}

/// kill -9 while the customer confirms a code payment; afterwards exactly one of {the sale committed and the customer
/// charged, the order reversed and the customer not charged} holds — whether or not the customer confirmed meanwhile.
@Suite(.serialized) struct DaemonCodePaymentTests {
    static func config(_ d: DaemonUnderTest, _ acquirer: TestAcquirer) throws -> String {
        let config = d.dir.file("ruyid.toml")
        try """
            [payments]
            provider = "http"
            name = "test"
            url = "\(acquirer.url)"
            request_timeout_seconds = 2
            poll_ms = 100
            wait_seconds = 5

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test func theClientPaysByCodeCancelsAndIsToldWhenOffline() throws {
        let acquirer = try TestAcquirer()
        acquirer.script("130000000000000001", .userPaying(seconds: 0.5, thenPaid: true))
        acquirer.script("130000000000000002", .userPaying(seconds: 1000, thenPaid: true))
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start(extra: ["--config", try Self.config(d, acquirer)]) != nil, "\(d.log)")
        let ruyi = try BuiltProducts.executable("ruyi")
        func run(_ args: String...) throws -> (status: Int32, output: String) { try ChildProcess.run(ruyi, args, environment: ["RUYI_SOCKET": d.socket]) }
        #expect(try run("signin", "c1", "--pin", "1234").status == 0)
        #expect(try run("scan", "036000291452").status == 0)
        var r = try run("pay", "code", "130000000000000001")
        #expect(r.status == 0 && r.output.contains("收款完成") && r.output.contains("49.90"), "\(r.output)")
        // A code the customer never confirms: the cashier cancels from another terminal, the waiting client says so.
        #expect(try run("scan", "036000291452").status == 0)
        let out = d.dir.file("pay.out")
        let waiting = try ChildProcess(ruyi, ["pay", "code", "130000000000000002", "--wait", "20"], environment: ["RUYI_SOCKET": d.socket],
                                       stdout: out, stderr: out + ".err")
        var cancelled = false
        for _ in 0..<100 where !cancelled { usleep(50_000); cancelled = try run("pay", "cancel").status == 0 }
        #expect(cancelled)
        #expect(waiting.wait(timeout: 15) == 1, "not paid: exit 1")
        #expect(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("没有付成"))
        // Offline: refused up front with the reason, and cash still works.
        acquirer.setDown(true)
        r = try run("pay", "code", "130000000000000003")
        #expect(r.status != 0 && r.output.contains("payment.offline"), "\(r.output)")
        #expect(try run("pay", "cash", "50").status == 0)
    }

    @Test(arguments: [true, false]) func killedWhileTheCustomerIsPaying(customerConfirms: Bool) throws {
        let acquirer = try TestAcquirer()
        let code = "289999999999999999"
        acquirer.script(code, .userPaying(seconds: 1000, thenPaid: true))
        let d = try DaemonUnderTest()
        defer { d.stop() }
        let config = try Self.config(d, acquirer)
        try #require(try d.start(extra: ["--config", config]) != nil, "\(d.log)")
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"036000291452"}"#).0 == 200)
        let started = try d.call("POST", "/v1/till/tender/code", #"{"auth_code":"\#(code)"}"#)
        #expect(started.0 == 200 && (started.1["cart"] as? [String: Any])?["state"] as? String == "awaiting_payment", "\(started)")
        let order = try #require((started.1["payment"] as? [String: Any])?["order"] as? String)
        func until(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end { if try condition() { return true }; usleep(20_000) }
            return try condition()
        }
        #expect(until(5) { acquirer.order(order)?.state == .paying }, "the customer is confirming")

        d.process?.signal(SIGKILL)
        _ = d.process?.wait(timeout: 5)
        if customerConfirms { acquirer.settle(order: order, paid: true) }
        try #require(try d.start(extra: ["--config", config]) != nil, "\(d.log)")

        let ledger = try Ledger(path: d.dir.file("state/ledger.sqlite"))
        let id = try #require(UUID(uuidString: order))
        #expect(try until(15) { try ledger.paymentAttempt(id)?.state.isFinal == true }, "settled after the restart: \(d.log)")
        let attempt = try #require(try ledger.paymentAttempt(id))
        let cart = try d.call("GET", "/v1/till").1
        let committed = attempt.state == .completed && attempt.sale != nil
        let reversed = attempt.state == .reversed
        #expect(committed != reversed, "exactly one: \(attempt)")
        #expect(committed == acquirer.charged(order), "charged exactly when the sale is committed")
        #expect(acquirer.order(order)?.payRequests == 1, "the auth code was sent once, never again after the restart")
        if customerConfirms {
            #expect(committed && (cart["lines"] as? [Any])?.isEmpty == true, "completed into the restored cart")
            #expect(try ledger.sale(try #require(attempt.sale)).payments.first?.tender == "code")
        } else {
            #expect(reversed && acquirer.order(order)?.state == .reversed)
            #expect(cart["state"] as? String == "open" && (cart["lines"] as? [Any])?.count == 1, "the cart is open again for cash")
        }
    }
}
