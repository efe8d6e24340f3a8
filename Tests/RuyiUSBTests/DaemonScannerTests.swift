import Foundation
import Glibc
import RuyiClient
import RuyiLedger
import RuyiTestKit
import Testing
@testable import RuyiScanning

extension USBTests {
    /// A real ruyid (child process, inside the same umockdev testbed) with an emulated scanner: scans reach the till.
    @Suite(.serialized) struct DaemonWithScanner {
        @Test func aScanFromTheUSBScannerAddsALineAndDevicesListIt() async throws {
            let emu = try #require(try USBEmulator.connect())
            let dir = try TemporaryDirectory(prefix: "ruyid-usb")
            try FileManager.default.createDirectory(atPath: dir.file("state"), withIntermediateDirectories: true)
            _ = try StoreFixture.open(dir.file("state/ledger.sqlite"), clock: SystemClock(), random: SystemRandomSource())
            let socket = dir.file("ruyid.sock")
            let daemon = try ChildProcess(try BuiltProducts.executable("ruyid"),
                                          ["--state-dir", dir.file("state"), "--socket", socket, "--test-hooks"],
                                          environment: ["RUYI_DEVICES": Repo.root.appendingPathComponent("devices").path],
                                          stdout: dir.file("out.log"), stderr: dir.file("ruyid.log"))
            defer { daemon.stop() }
            let client = APIClient(socketPath: socket, timeoutSeconds: 5)
            func call(_ m: String, _ p: String, _ body: String? = nil) -> (Int, [String: Any]) {
                guard let r = try? client.send(m, p, body: body.map { Data($0.utf8) }) else { return (0, [:]) }
                return (r.status, (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] ?? [:])
            }
            let end = ContinuousClock.now + .seconds(10)
            while call("GET", "/v1/status").0 != 200, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
            let log = { (try? String(contentsOfFile: dir.file("ruyid.log"), encoding: .utf8)) ?? "" }
            try #require(call("GET", "/v1/status").0 == 200, "\(log())")
            #expect(call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)

            try emu.plug("dh", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "DAEMON1", port: "5")
            defer { _ = try? emu.unplug("dh") }
            let driving = ContinuousClock.now + .seconds(2)
            while (call("GET", "/v1/status").1["scanners"] as? Int) != 1, ContinuousClock.now < driving { try await Task.sleep(for: .milliseconds(20)) }
            #expect(call("GET", "/v1/status").1["scanners"] as? Int == 1, "\(log())")
            let devices = call("GET", "/v1/devices").1["scanners"] as? [[String: Any]] ?? []
            #expect(devices.first?["identity"] as? String == "0c2e:0b8f:DAEMON1" && devices.first?["state"] as? String == "driving")

            try emu.send("dh", hidpos("6901234567892") + hidpos("036000291452"))
            let added = ContinuousClock.now + .seconds(2)
            while ((call("GET", "/v1/till").1["lines"] as? [Any])?.count ?? 0) < 2, ContinuousClock.now < added { try await Task.sleep(for: .milliseconds(20)) }
            let lines = call("GET", "/v1/till").1["lines"] as? [[String: Any]] ?? []
            #expect(lines.map { $0["barcode"] as? String } == ["6901234567892", "036000291452"], "\(log())")
            // An unknown code from the scanner: the cart is unchanged, the daemon keeps going.
            try emu.send("dh", hidpos("4006381333931"))
            try await Task.sleep(for: .milliseconds(200))
            #expect((call("GET", "/v1/till").1["lines"] as? [Any])?.count == 2)
            // The owner marks an unknown keyboard as a scanner: warned first, taken only when confirmed, and given back on undo.
            try emu.plug("kb2", vendor: 0x046d, product: 0xc31c, transport: .keyboard, serial: "KBD9", port: "6", kernelDriver: "usbhid", productName: "USB Keyboard")
            defer { _ = try? emu.unplug("kb2") }
            let listed = ContinuousClock.now + .seconds(2)
            while !((call("GET", "/v1/devices").1["scanners"] as? [[String: Any]] ?? []).contains { $0["identity"] as? String == "046d:c31c:KBD9" }), ContinuousClock.now < listed {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(call("POST", "/v1/session", #"{"cashier":"boss","pin":"8888"}"#).0 == 200)
            var r = call("POST", "/v1/devices/scanners/046d:c31c:KBD9/assign", #"{"profile":"generic-hid-keyboard","confirmed":false}"#)
            #expect(r.0 == 409 && ((r.1["error"] as? [String: Any])?["code"] as? String) == "scanner.confirm_take_keyboard", "\(r)")
            #expect(((r.1["error"] as? [String: Any])?["message"] as? String)?.contains("键盘") == true)
            #expect(try !emu.log("kb2").contains { $0.hasPrefix("DISCONNECT") }, "nothing taken before the confirmation")
            r = call("POST", "/v1/devices/scanners/046d:c31c:KBD9/assign", #"{"profile":"generic-hid-keyboard","confirmed":true}"#)
            #expect(r.0 == 200 && r.1["state"] as? String == "driving", "\(r)")
            r = call("DELETE", "/v1/devices/scanners/046d:c31c:KBD9/assign")
            #expect(r.0 == 200 && r.1["state"] as? String == "unassigned", "\(r)")
            #expect(try emu.log("kb2").filter { ["DISCONNECT 0", "CONNECT 0"].contains($0) } == ["DISCONNECT 0", "CONNECT 0"])
            daemon.signal(SIGTERM)
            #expect(daemon.wait(timeout: 10) == 0, "\(log())")
            // ruyid gave the scanner back on its way out.
            #expect(try emu.log("dh").contains("RELEASEINTERFACE 0"))
        }
    }
}
