import Foundation
import Glibc
import RuyiTestKit
import Testing

/// The `ruyi` client against a real ruyid: every command the counter and the owner use, with its exit status.
@Suite(.serialized) struct ClientCommandTests {
    @Test func ownerUnlockDiscountsCashStockReportsPrintingAndEvents() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let ruyi = try BuiltProducts.executable("ruyi")
        let env = ["RUYI_SOCKET": d.socket]
        func run(_ args: String...) throws -> (status: Int32, output: String) { try ChildProcess.run(ruyi, args, environment: env) }
        var r = try run("signin", "c1", "--pin", "1234")
        #expect(r.status == 0, "\(r.output)")
        // `ruyi events` follows the stream while the sale goes on.
        let eventsOut = d.dir.file("events.out")
        let follower = try ChildProcess(ruyi, ["events", "--count", "2", "--seconds", "10"], environment: env, stdout: eventsOut, stderr: eventsOut + ".err")
        usleep(300_000)
        #expect(try run("scan", "036000291452").status == 0) // rice 49.90
        #expect(try run("scan", "6901234567892").status == 0) // cola 3.50
        #expect(follower.wait(timeout: 10) == 0)
        let events = (try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? ""
        #expect(events.split(separator: "\n").count == 2 && events.contains("cart") && events.contains("line_added"), "\(events)")
        // A cashier's discount within the limit; above it, the owner's PIN.
        r = try run("discount", "10%", "--line", "1")
        #expect(r.status == 0 && r.output.contains("44.91"), "\(r.output)")
        r = try run("discount", "50%")
        #expect(r.status == 1 && r.output.contains("till.discount_needs_owner"), "\(r.output)")
        r = try run("discount", "abc")
        #expect(r.status == 1 && r.output.contains("till.bad_discount"), "\(r.output)")
        r = try run("owner", "unlock", "boss", "--pin", "0000")
        #expect(r.status == 1 && r.output.contains("auth.wrong_pin"), "\(r.output)")
        r = try run("owner", "unlock", "boss", "--pin", "8888")
        #expect(r.status == 0, "\(r.output)")
        #expect(try d.call("GET", "/v1/status").1["owner_unlocked"] as? String == "boss")
        r = try run("discount", "2.00")
        #expect(r.status == 0 && r.output.contains("46.41"), "\(r.output)")
        #expect(try run("owner", "lock").status == 0)
        #expect(try d.call("GET", "/v1/status").1["owner_unlocked"] == nil)
        r = try run("pay", "cash", "50")
        #expect(r.status == 0 && r.output.contains("3.59"), "\(r.output)")
        // The receipt by its printed number: shown, reprinted; post-void needs the owner.
        r = try run("receipt", "show", "0001-0001")
        #expect(r.status == 0 && r.output.contains("东北大米") && r.output.contains("46.41"), "\(r.output)")
        #expect(try run("receipt", "reprint", "0001-0001").status == 0)
        r = try run("receipt", "void", "0001-0001", "--reason", "顾客不要了")
        #expect(r.status == 1 && r.output.contains("auth.owner_required"), "\(r.output)")
        r = try run("receipt", "show", "9999-0001")
        #expect(r.status == 1 && r.output.contains("sale.not_found"), "\(r.output)")
        // Cash in and out of the drawer, stock.
        #expect(try run("cash", "pay-in", "50", "--reason", "备零钱").status == 0)
        #expect(try run("cash", "drop", "20", "--reason", "存保险柜").status == 0)
        r = try run("cash", "pay-out", "--reason", "x", "--", "-5")
        #expect(r.status == 1 && r.output.contains("till.bad_amount"), "\(r.output)")
        #expect(try run("cash", "no-sale", "--reason", "换零钱").status == 0)
        r = try run("stock", "receive", "cola", "24", "--note", "送货单 123")
        #expect(r.status == 0 && r.output.contains("可口可乐"), "\(r.output)")
        r = try run("stock", "waste", "nothing-here", "1")
        #expect(r.status == 1 && r.output.contains("stock.unknown_product"), "\(r.output)")
        // Reports and pages on the (spool-folder) printer.
        r = try run("report", "x")
        #expect(r.status == 0 && r.output.contains("应有现金") && r.output.contains("46.41"), "\(r.output)")
        r = try run("report", "x", "--print")
        #expect(r.status == 0 && r.output.contains("X 报表"), "\(r.output)")
        r = try run("print", "test")
        #expect(r.status == 0 && r.output.contains("打印测试"), "\(r.output)")
        r = try run("devices")
        #expect(r.status == 0 && r.output.contains("打印机"), "\(r.output)")
        // The owner's menu: people, PINs, the Z report.
        r = try run("cashier", "list")
        #expect(r.status == 1 && r.output.contains("auth.owner_required"), "\(r.output)")
        #expect(try run("owner", "unlock", "boss", "--pin", "8888").status == 0)
        r = try run("cashier", "list")
        #expect(r.status == 0 && r.output.contains("小王") && r.output.contains("老板"), "\(r.output)")
        #expect(try run("cashier", "add", "c2", "小李", "--pin", "2468").status == 0)
        #expect(try run("cashier", "pin", "c2", "--pin", "1357").status == 0)
        r = try run("cashier", "pin", "ghost", "--pin", "1357")
        #expect(r.status == 1, "\(r.output)")
        #expect(try run("cashier", "remove", "c2").status == 0)
        r = try run("report", "z")
        #expect(r.status == 1 && r.output.contains("report.no_such_z"), "before any Z: \(r.output)")
        r = try run("shift", "close", "--counted", "cash=306.41")
        #expect(r.status == 0 && r.output.contains("Z 报表 第 1 期") && r.output.contains("已送去打印"), "\(r.output)")
        r = try run("report", "z")
        #expect(r.status == 0 && r.output.contains("Z 报表 第 1 期") && r.output.contains("账本校验码"), "\(r.output)")
        #expect(try run("report", "z", "1", "--print").status == 0)
        r = try run("report", "z", "7")
        #expect(r.status == 1 && r.output.contains("report.no_such_z"), "\(r.output)")
        r = try run("report", "z", "abc")
        #expect(r.status != 0)
        // Everything printed went to the spool folder, in order.
        let spool = d.dir.file("state/spool")
        var pages: [String] = []
        let end = Date().addingTimeInterval(10)
        repeat {
            pages = ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            if pages.count >= 6 { break }
            usleep(100_000)
        } while Date() < end
        let texts = pages.map { (try? String(contentsOfFile: spool + "/" + $0, encoding: .utf8)) ?? "" }
        #expect(texts.count == 6, "receipt, reprint, X, test, Z, Z reprint: \(pages)")
        #expect(texts.contains { $0.contains("X 报表") } && texts.contains { $0.contains("打印测试") })
        #expect(texts.filter { $0.contains("Z 报表 第 1 期") }.count == 2)
        #expect(try run("status").status == 0)
    }

    @Test func aBigImportShowsProgressAndTheTillKeepsScanningMeanwhile() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let ruyi = try BuiltProducts.executable("ruyi")
        let env = ["RUYI_SOCKET": d.socket]
        #expect(try ChildProcess.run(ruyi, ["signin", "c1", "--pin", "1234"], environment: env).status == 0)
        // Only the owner imports.
        var csv = "sku,name,price,barcodes,unit,tax_category,category\n"
        for i in 0..<30_000 { csv += "p\(i),测试商品\(i),\(1 + i % 50).50,,piece,standard,杂货\n" }
        let file = d.dir.file("big.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        var r = try ChildProcess.run(ruyi, ["catalog", "import", file], environment: env)
        #expect(r.status == 1 && r.output.contains("auth.owner_required"), "\(r.output)")
        #expect(try ChildProcess.run(ruyi, ["owner", "unlock", "boss", "--pin", "8888"], environment: env).status == 0)
        let eventsOut = d.dir.file("events.out")
        let follower = try ChildProcess(ruyi, ["events", "--json", "--seconds", "60"], environment: env, stdout: eventsOut, stderr: eventsOut + ".err")
        usleep(300_000)
        let out = d.dir.file("import.out")
        let importer = try ChildProcess(ruyi, ["catalog", "import", file], environment: env, stdout: out, stderr: out + ".err")
        // A second import while the first runs is refused at once (not queued behind it).
        let seenStart = Date().addingTimeInterval(20)
        while Date() < seenStart, !((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").contains(#""state":"started""#) { usleep(20_000) }
        let second = try d.client.send("POST", "/v1/catalog/import?source=second.csv", body: Data("sku,name,price\nx1,再来一个,1.00\n".utf8))
        let firstDone = ((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").contains(#""state":"done""#)
        if !firstDone {
            #expect(second.status == 409 && String(decoding: second.body, as: UTF8.self).contains("catalog.import_running"),
                    "\(second.status) \(String(decoding: second.body, as: UTF8.self))")
        }
        // Scans go on while the import runs (they read beside it; the till is not held).
        var scans = 0, during = 0
        var status: Int32?
        let end = Date().addingTimeInterval(60)
        repeat {
            let (code, _) = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
            #expect(code == 200)
            scans += 1
            status = importer.wait(timeout: 0)
            if status == nil { during += 1 }
        } while status == nil && Date() < end
        #expect(status == 0)
        let text = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "")
        #expect(text.contains("imported 30000 of 30000 rows"), "\(text)")
        #expect(text.contains("读取中 reading: 5000"), "progress lines: \(text)")
        #expect(during > 0, "no scan was answered while the import ran (\(scans) scans)")
        // In the event stream, a scan's line lands between the import's start and its end.
        usleep(300_000)
        follower.stop()
        let stream = ((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").split(separator: "\n")
        let started = stream.firstIndex { $0.contains(#""event":"import""#) && $0.contains(#""state":"started""#) }
        let done = stream.firstIndex { $0.contains(#""event":"import""#) && $0.contains(#""state":"done""#) }
        let linesBetween = (started.flatMap { s in done.map { e in stream[s..<e].filter { $0.contains("line_added") }.count } }) ?? 0
        #expect(linesBetween > 0, "no scan was handled during the import: \(stream.filter { $0.contains("import") })")
        // The new products are found at once.
        r = try ChildProcess.run(ruyi, ["products", "--search", "cssp"], environment: env)
        #expect(r.status == 0 && r.output.contains("测试商品"), "\(r.output)")
        // …and sold by id, and shown.
        r = try ChildProcess.run(ruyi, ["add", "p7", "--qty", "2"], environment: env)
        #expect(r.status == 0 && r.output.contains("测试商品7") && r.output.contains("17.00"), "\(r.output)")
        r = try ChildProcess.run(ruyi, ["add", "--barcode", "6900000000001", "--price", "5", "--name", "牙刷"], environment: env)
        #expect(r.status == 0 && r.output.contains("牙刷"), "\(r.output)")
        r = try ChildProcess.run(ruyi, ["product", "p7"], environment: env)
        #expect(r.status == 0 && r.output.contains("8.50/件"), "\(r.output)")
        r = try ChildProcess.run(ruyi, ["add"], environment: env)
        #expect(r.status != 0)
    }
}
