import Foundation
import Glibc
import RuyiTestKit
import Testing

/// ruyid printing through a real (private) cupsd to a raw socket printer: what the printer receives, byte for byte.
@Suite(.serialized) struct DaemonPrintingTests {
    /// `s` in GB18030, by the system's iconv (independent of the receipt code's own encoder).
    static func gb18030(_ s: String) -> [UInt8] {
        guard let cd = iconv_open("GB18030", "UTF-8"), cd != iconv_t(bitPattern: -1) else { return [] }
        defer { iconv_close(cd) }
        var input = Array(s.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4)
        var inLeft = input.count, outLeft = output.count
        let ok = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                var ip: UnsafeMutablePointer<CChar>? = i.baseAddress, op: UnsafeMutablePointer<CChar>? = o.baseAddress
                return iconv(cd, &ip, &inLeft, &op, &outLeft) != -1
            }
        }
        return ok ? output.prefix(output.count - outLeft).map { UInt8(bitPattern: $0) } : []
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    func config(_ d: DaemonUnderTest, cups: PrivateCUPS, queue: String) throws -> String {
        let file = d.dir.file("ruyid.toml")
        try """
            [store]
            name = "如意便利店"
            [printer]
            kind = "cups"
            cups_server = "\(cups.socketPath)"
            queue = "\(queue)"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func aSaleReportsAndATestPagePrintThroughCUPSAndTheDrawerOpens() throws {
        try #require(PrivateCUPS.isInstalled, "cupsd is needed: run scripts/setup.sh")
        let cups = try PrivateCUPS()
        defer { cups.stop() }
        let printer = try ByteListener()
        defer { printer.down() }
        try cups.addRawQueue("receipt", uri: printer.uri())
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start(extra: ["--config", try config(d, cups: cups, queue: "receipt")]) != nil, "\(d.log)")
        #expect(d.log.contains("receipt printer") && d.log.contains("receipt"), "\(d.log)")
        let eventsOut = d.dir.file("events.out")
        let follower = try ChildProcess(try BuiltProducts.executable("ruyi"), ["events", "--json", "--seconds", "60"],
                                        environment: ["RUYI_SOCKET": d.socket], stdout: eventsOut, stderr: eventsOut + ".err")
        defer { follower.stop() }
        usleep(300_000)
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#).0 == 200)
        let (status, tender) = try d.call("POST", "/v1/till/tender/cash", #"{"amount":"10"}"#)
        #expect(status == 200 && (tender["done"] as? [String: Any]) != nil, "\(tender)")
        // The receipt reaches the printer: ESC/POS, the store's name and the product in GB18030, cut at the end.
        var got = printer.waitFor(1, timeout: 20)
        try #require(got.count == 1, "no receipt at the printer: \(d.log.suffix(2000)) — cupsd: \(cups.log().suffix(800))")
        let receipt = got[0]
        #expect(receipt.starts(with: [0x1B, 0x40]))
        #expect(Self.contains(receipt, Self.gb18030("如意便利店")) && Self.contains(receipt, Self.gb18030("可口可乐")))
        #expect(Self.contains(receipt, [0x1D, 0x56]), "cut")
        // A no-sale opens the drawer: the pulse goes to the printer, which drives the drawer.
        let (_, cash) = try d.call("POST", "/v1/shift/cash", #"{"kind":"no_sale","amount":"0","reason":"换零钱"}"#)
        #expect(cash["drawer_opened"] as? Bool == true, "\(cash)")
        got = printer.waitFor(2, timeout: 20)
        #expect(got.count == 2 && got.last.map { Self.contains($0, [0x1B, 0x70]) } == true, "drawer pulse")
        // The test page and the X report print too.
        #expect(try d.call("POST", "/v1/devices/printer/test").0 == 200)
        #expect(try d.call("POST", "/v1/reports/x/print").0 == 200)
        got = printer.waitFor(4, timeout: 20)
        #expect(got.count == 4)
        #expect(got.dropFirst(2).contains { Self.contains($0, Self.gb18030("打印测试")) })
        #expect(got.dropFirst(2).contains { Self.contains($0, Self.gb18030("X 报表")) })
        // The devices view names the queue and, once CUPS has finished the jobs, says all is well and nothing waits.
        var devices: [String: Any] = [:]
        let end = Date().addingTimeInterval(30)
        repeat {
            devices = try d.call("GET", "/v1/devices").1
            if devices["printer_code"] as? String == "printer.ok" && devices["receipts_waiting"] as? Int == 0 { break }
            usleep(200_000)
        } while Date() < end
        #expect(devices["printer_queue"] as? String == "receipt" && devices["printer_code"] as? String == "printer.ok"
                && devices["receipts_waiting"] as? Int == 0, "\(devices)")
        // The printer's state went out as events: a receipt waiting, then none.
        let printerEvents = ((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains(#""event":"printer""#) }
        let waiting = printerEvents.firstIndex { $0.contains(#""waiting":"1""#) }
        #expect(waiting != nil && printerEvents[(waiting ?? 0)...].contains { $0.contains(#""waiting":"0""#) && $0.contains("printer.ok") }, "\(printerEvents)")
    }

    @Test func withNoQueueConfiguredTheRuyiReceiptQueueIsFoundAndWithNoneTheSpoolFolder() throws {
        try #require(PrivateCUPS.isInstalled, "cupsd is needed: run scripts/setup.sh")
        let cups = try PrivateCUPS()
        defer { cups.stop() }
        let printer = try ByteListener()
        defer { printer.down() }
        // No queue at all: receipts go to the spool folder, and the log says why.
        var d = try DaemonUnderTest()
        try #require(try d.start(extra: ["--config", try config(d, cups: cups, queue: "")]) != nil, "\(d.log)")
        #expect(d.log.contains("spool folder"), "\(d.log)")
        #expect(try d.call("GET", "/v1/devices").1["printer_queue"] as? String == "spool")
        d.stop()
        // The queue named ruyi-receipt is taken when none is configured.
        try cups.addRawQueue("ruyi-receipt", uri: printer.uri())
        d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start(extra: ["--config", try config(d, cups: cups, queue: "")]) != nil, "\(d.log)")
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        #expect(try d.call("POST", "/v1/devices/printer/test").0 == 200)
        #expect(printer.waitFor(1, timeout: 20).count == 1, "\(d.log.suffix(1500))")
    }
}
