import Foundation
import RuyiTestKit
import Testing
@testable import RuyiScanning

extension USBTests {
    @Suite(.serialized) struct TechnicianTools {
        let devices = Repo.root.appendingPathComponent("devices").path

        func output(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

        @Test func listShowsProfilesAndUnknownDevices() throws {
            let emu = try #require(try USBEmulator.connect())
            try emu.plug("l1", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "W1", port: "2", productName: "Voyager 1400g")
            try emu.plug("l2", vendor: 0x046d, product: 0xc31c, transport: .keyboard, port: "3", kernelDriver: "usbhid", productName: "USB Keyboard")
            defer { _ = try? emu.unplug("l1"); _ = try? emu.unplug("l2") }
            let (status, out) = try ChildProcess.run(try BuiltProducts.executable("ruyi"), ["usb", "list", "--devices", devices], timeout: 10)
            #expect(status == 0, "\(out)")
            #expect(out.contains("0c2e:0b8f:W1  Ruyi Test Voyager 1400g  —  honeywell: Honeywell Voyager 1400g (HID POS mode) [hidpos]"), "\(out)")
            #expect(out.contains("046d:c31c@1-3  Ruyi Test USB Keyboard  —  no scanner profile: listed, not driven"), "\(out)")
            #expect(out.contains("(the OS uses it as a keyboard now)"))
            #expect(try !emu.log("l2").contains { $0.hasPrefix("CLAIMINTERFACE") || $0.hasPrefix("DISCONNECT") }, "list claims nothing")
        }

        @Test func watchPrintsScansWithRawReports() async throws {
            let emu = try #require(try USBEmulator.connect())
            try emu.plug("w1", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "W2", port: "2")
            defer { _ = try? emu.unplug("w1") }
            let log = NSTemporaryDirectory() + "ruyi-watch-\(UUID().uuidString.prefix(6)).log"
            defer { unlink(log) }
            let child = try ChildProcess(try BuiltProducts.executable("ruyi"), ["usb", "watch", "--count", "1", "--seconds", "8", "--devices", devices], stdout: log, stderr: log + ".err")
            defer { child.stop(); unlink(log + ".err") }
            let end = ContinuousClock.now + .seconds(3)
            while !output(log).contains("driving"), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
            #expect(output(log).contains("driving"), "\(output(log))")
            try emu.send("w1", hidpos("6901234567892"))
            #expect(child.wait(timeout: 5) == 0, "\(output(log))")
            let text = output(log)
            #expect(text.contains("SCAN    0c2e:0b8f:W2  ]E0 \"6901234567892\""), "\(text)")
            #expect(text.contains("report  0c2e:0b8f:W2  020d5d453036393031323334353637383932"), "\(text)")
            // On the way out the device was given back.
            #expect(try emu.log("w1").contains("RELEASEINTERFACE 0"))
        }

        @Test func watchRefusesADeviceTheDaemonHolds() async throws {
            let f = try HubFixture()
            try f.emulator.plug("held", vendor: 0x0c2e, product: 0x0204, transport: .keyboard, serial: "H1", port: "4")
            #expect(await f.waitUntil { f.isDriving("0c2e:0204") })
            let (status, out) = try ChildProcess.run(try BuiltProducts.executable("ruyi"), ["usb", "watch", "--seconds", "1", "--devices", devices], timeout: 10)
            #expect(status == 0)
            #expect(out.contains("in use by another program (is ruyid running? stop it first"), "\(out)")
            #expect(f.isDriving("0c2e:0204"), "the daemon keeps its scanner")
            let us = try #require(Repo.catalog.layouts["us"])
            try f.emulator.send("held", KeyboardReportEncoder(layout: us).reports(typing: "77"))
            #expect(await f.waitUntil { f.scans.map(\.text) == ["77"] })
            await f.stop()
            try f.emulator.unplug("held")
        }
    }
}
