import Foundation
import RuyiCore
import RuyiTestKit
import Testing
@testable import RuyiScanning
@testable import RuyiUSB

extension USBTests {
    @Suite(.serialized) struct Scanners {
        @Test func hidposScannerIsFoundEnabledAndReassembles() async throws {
            let f = try HubFixture()
            try f.emulator.plug("hp", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "HP0001", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") }, "\(f.hub.list())")
            let long = "https://qr.alipay.com/bax0" + String(repeating: "9", count: 100)
            try f.emulator.send("hp", hidpos("6901234567892") + hidpos(long, aim: "]Q1"))
            #expect(await f.waitUntil { f.scans.count == 2 })
            #expect(f.scans.map(\.text) == ["6901234567892", long])
            #expect(f.scans.map { $0.symbology?.aim } == ["]E0", "]Q1"])
            #expect(f.scans.first?.device.description == "0c2e:0b8f:HP0001")
            // Garbage: a report id we did not expect, a short report, an impossible length byte — then a good scan.
            var wrongID = hidpos("1")[0]; wrongID[0] = 4
            var badLength = hidpos("1")[0]; badLength[1] = 60
            try f.emulator.send("hp", [wrongID, Array(hidpos("1")[0].prefix(10)), badLength] + hidpos("42"))
            #expect(await f.waitUntil { f.scans.count == 3 })
            #expect(f.scans.last?.text == "42")
            #expect(f.problems.filter { $0.code == "scanner.garbage_report" }.count == 3)
            #expect(f.status("0c2e:0b8f")?.problems == 3)
            #expect(f.status("0c2e:0b8f")?.lastProblem?.code == "scanner.garbage_report")
            // A 10 KB "barcode" over 183 reports: dropped whole, counted; the next scan is fine.
            try f.emulator.send("hp", hidpos(String(repeating: "8", count: 10_240)) + hidpos("7"))
            #expect(await f.waitUntil { f.scans.count == 4 })
            #expect(f.scans.last?.text == "7" && f.problems.last?.code == "scanner.scan_too_long")
            let log = try f.emulator.log("hp")
            #expect(log.contains("SET_REPORT 03fe fe01"), "Honeywell's HID POS enable report: \(log)")
            #expect(log.contains("CLAIMINTERFACE 0") && !log.contains { $0.hasPrefix("DISCONNECT") })
            await f.stop()
            #expect(try f.emulator.unplug("hp").contains("RELEASEINTERFACE 0"))
        }

        @Test func keyboardScannerTakenFromTheKernelAndGivenBack() async throws {
            let f = try HubFixture()
            try f.emulator.plug("kb", vendor: 0x0c2e, product: 0x0204, transport: .keyboard, serial: "KB01", port: "4", kernelDriver: "usbhid")
            #expect(await f.waitUntil { f.isDriving("0c2e:0204") }, "\(f.hub.list())")
            #expect(f.status("0c2e:0204")?.tookFromKernel == true)
            let us = try #require(Repo.catalog.layouts["us"])
            try f.emulator.send("kb", KeyboardReportEncoder(layout: us).reports(typing: "ABC-123") + KeyboardReportEncoder(layout: us).reports(typing: "6901234567892", keypadDigits: true))
            #expect(await f.waitUntil { f.scans.count == 2 })
            #expect(f.scans.map(\.text) == ["ABC-123", "6901234567892"])
            // Garbage on the keyboard transport: a 7-byte report, ErrorRollOver, a usage with no character — then a scan.
            try f.emulator.send("kb", [[0, 0, 0x1E, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 0xE8, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
                                + KeyboardReportEncoder(layout: us).reports(typing: "42"))
            #expect(await f.waitUntil { f.scans.count == 3 && f.problems.count == 3 })
            #expect(f.scans.last?.text == "42" && f.problems.map(\.code) == ["scanner.garbage_report", "scanner.garbage_report", "scanner.unknown_key"])
            await f.stop()
            let log = try f.emulator.unplug("kb")
            let order = ["DISCONNECT 0", "CLAIMINTERFACE 0", "RELEASEINTERFACE 0", "CONNECT 0"].map { log.firstIndex(of: $0) }
            #expect(order.allSatisfy { $0 != nil } && order.map { $0! } == order.map { $0! }.sorted(), "detach → claim → release → reattach: \(log)")
        }

        @Test func aFailedClaimLeavesTheKernelDriverAttached() async throws {
            let f = try HubFixture()
            try f.emulator.plug("busy", vendor: 0x05e0, product: 0x1200, transport: .keyboard, serial: "Z1", port: "5", kernelDriver: "usbhid", claimBusy: true)
            #expect(await f.waitUntil { if case .failed? = f.status("05e0:1200")?.state { return true } else { return false } })
            guard case .failed(let why)? = f.status("05e0:1200")?.state else { Issue.record("\(f.hub.list())"); return }
            #expect(why.contains("in use by another program"))
            let log = try f.emulator.log("busy")
            #expect(log.suffix(3) == ["DISCONNECT 0", "CLAIMINTERFACE 0 busy", "CONNECT 0"], "\(log)")
            #expect(try f.emulator.state("busy")["kernel"] as? [Int] == [0])
            await f.stop()
            try f.emulator.unplug("busy")
        }

        @Test func germanLayoutProfile() async throws {
            var catalog = Repo.catalog
            let i = try #require(catalog.profiles.firstIndex { $0.family == "newland" })
            catalog.profiles[i].layout = "de"
            let f = try HubFixture(catalog: catalog)
            try f.emulator.plug("de", vendor: 0x1eab, product: 0x1a03, transport: .keyboard, serial: "NL1", port: "6")
            #expect(await f.waitUntil { f.isDriving("1eab:1a03") })
            let de = try #require(catalog.layouts["de"])
            try f.emulator.send("de", KeyboardReportEncoder(layout: de).reports(typing: "Zürich-42@"))
            #expect(await f.waitUntil { f.scans.count == 1 })
            #expect(f.scans.first?.text == "Zürich-42@")
            await f.stop()
            try f.emulator.unplug("de")
        }

        @Test func cdcScannerFramedOnCarriageReturn() async throws {
            let f = try HubFixture()
            try f.emulator.plug("cdc", vendor: 0x1eab, product: 0x1306, transport: .cdc, serial: "NL2", port: "7")
            #expect(await f.waitUntil { f.isDriving("1eab:1306") }, "\(f.hub.list())")
            #expect(f.status("1eab:1306")?.transport == .bulk)
            try f.emulator.send("cdc", [Array("69012".utf8), Array("34567892\r0360".utf8), Array("00291452\r".utf8)])
            #expect(await f.waitUntil { f.scans.count == 2 })
            #expect(f.scans.map(\.text) == ["6901234567892", "036000291452"])
            await f.stop()
            try f.emulator.unplug("cdc")
        }

        @Test func readTimeoutIsHarmless() async throws {
            let f = try HubFixture(readTimeoutMS: 100)
            try f.emulator.plug("slow", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "T1", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") })
            try await Task.sleep(for: .milliseconds(350)) // three read timeouts in a row
            #expect(f.isDriving("0c2e:0b8f"))
            try f.emulator.send("slow", hidpos("4006381333931"))
            #expect(await f.waitUntil { f.scans.count == 1 })
            #expect(f.problems.isEmpty)
            await f.stop()
            try f.emulator.unplug("slow")
        }

        @Test func unplugMidScanDropsThePartialAndReplugDrivesAgainWithinASecond() async throws {
            let f = try HubFixture()
            let us = try #require(Repo.catalog.layouts["us"])
            try f.emulator.plug("rp", vendor: 0x05f9, product: 0x2206, transport: .keyboard, serial: "DL77", port: "3")
            #expect(await f.waitUntil { f.isDriving("05f9:2206") })
            // Half a scan (no Enter), then the cable comes out.
            try f.emulator.send("rp", KeyboardReportEncoder(layout: us).reports(typing: "690123", terminator: .none))
            try f.emulator.waitDelivered("rp")
            try f.emulator.unplug("rp")
            #expect(await f.waitUntil { f.status("05f9:2206") == nil })
            #expect(f.scans.isEmpty, "a partial scan is never delivered")
            #expect(f.problems.map(\.code) == ["scanner.partial_scan_dropped"])
            #expect(f.events.contains { if case .device(let s) = $0, case .gone = s.state { return true } else { return false } })
            // Back in: driven again within a second, same identity, scans flow.
            let plugged = ContinuousClock.now
            try f.emulator.plug("rp", vendor: 0x05f9, product: 0x2206, transport: .keyboard, serial: "DL77", port: "3")
            #expect(await f.waitUntil(1000) { f.isDriving("05f9:2206") })
            let elapsed = ContinuousClock.now - plugged
            #expect(elapsed < .seconds(1), "driven again after \(elapsed)")
            try f.emulator.send("rp", KeyboardReportEncoder(layout: us).reports(typing: "6901234567892"))
            #expect(await f.waitUntil { f.scans.count == 1 })
            #expect(f.scans.first?.device.description == "05f9:2206:DL77")
            await f.stop()
            try f.emulator.unplug("rp")
        }

        @Test func stalledEndpointIsClearedAndAPersistentStallIsBounded() async throws {
            let f = try HubFixture()
            try f.emulator.plug("st", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "ST1", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") })
            try f.emulator.stall("st", count: 2)
            try f.emulator.send("st", hidpos("111") + hidpos("222") + hidpos("333"))
            #expect(await f.waitUntil { f.scans.count == 3 })
            #expect(f.scans.map(\.text) == ["111", "222", "333"], "a stall loses no data: the reports wait in the device")
            #expect(try f.emulator.log("st").filter { $0 == "CLEAR_HALT" }.count == 2)
            try f.emulator.stall("st", count: 50)
            try f.emulator.send("st", Array(repeating: hidpos("9")[0], count: 10))
            #expect(await f.waitUntil { if case .failed? = f.status("0c2e:0b8f")?.state { return true } else { return false } })
            guard case .failed(let why)? = f.status("0c2e:0b8f")?.state else { return }
            #expect(why.contains("stalled"))
            await f.stop()
            try f.emulator.unplug("st")
        }

        @Test func floodOfAThousandReportsASecondIsBoundedAndTheDriverKeepsWorking() async throws {
            let f = try HubFixture()
            try f.emulator.plug("fl", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "FL1", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") })
            var flood: [[UInt8]] = []
            var garbage = hidpos("0")[0]; garbage[0] = 7
            for i in 0..<900 { flood.append(i % 3 == 0 ? hidpos(String(format: "%013d", i))[0] : garbage) }
            try f.emulator.send("fl", flood, gapMS: 1) // ≈ 1,000 reports a second for about a second
            #expect(await f.waitUntil(2000) { f.scans.count == 300 && f.problems.count == 600 }, "\(f.scans.count) scans, \(f.problems.count) problems")
            #expect(f.status("0c2e:0b8f")?.problems == 600 && f.status("0c2e:0b8f")?.droppedReports == 0)
            try f.emulator.send("fl", hidpos("6901234567892"))
            #expect(await f.waitUntil { f.scans.count == 301 })
            #expect(f.isDriving("0c2e:0b8f"))
            await f.stop()
            try f.emulator.unplug("fl")
        }

        @Test func malformedDescriptorsAreListedNotDriven() async throws {
            let f = try HubFixture()
            // A device descriptor, then a configuration descriptor that claims 41 bytes and stops after 9.
            try f.emulator.plug("bad", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "BAD", port: "8",
                                descriptorsHex: "120100020000004 02E0C8F0B0001010203 01".replacingOccurrences(of: " ", with: "") + "0902290001010080 32")
            try f.emulator.plug("good", vendor: 0x0c2e, product: 0x0204, transport: .keyboard, serial: "OK", port: "9")
            #expect(await f.waitUntil { f.isDriving("0c2e:0204") })
            #expect(await f.waitUntil { f.status("0c2e:0b8f") != nil || f.hub.list().count >= 2 } || true)
            if let bad = f.status("0c2e:0b8f") {
                guard case .failed = bad.state else { Issue.record("bad descriptors driven: \(bad)"); return }
            }
            #expect(try !f.emulator.log("bad").contains { $0.hasPrefix("CLAIMINTERFACE") })
            await f.stop()
            try f.emulator.unplug("bad")
            try f.emulator.unplug("good")
        }

        @Test func unknownKeyboardIsListedAndTakenOnlyAfterConfirmationWithUndo() async throws {
            let f = try HubFixture()
            try f.emulator.plug("kbd", vendor: 0x046d, product: 0xc31c, transport: .keyboard, serial: "K1", port: "10", kernelDriver: "usbhid", productName: "USB Keyboard")
            #expect(await f.waitUntil { f.status("046d:c31c") != nil })
            let listed = try #require(f.status("046d:c31c"))
            #expect(listed.state == .unassigned)
            #expect(try !f.emulator.log("kbd").contains { $0.hasPrefix("CLAIMINTERFACE") || $0.hasPrefix("DISCONNECT") }, "unknown devices are not driven")
            // First ask: a warning, nothing taken.
            await #expect(throws: AssignmentError.needsConfirmation(ConfirmationRequest(identity: listed.identity, deviceName: "Ruyi Test USB Keyboard"))) {
                try await f.hub.assign(listed.identity, family: "generic-hid-keyboard", confirmed: false)
            }
            #expect(try !f.emulator.log("kbd").contains { $0.hasPrefix("DISCONNECT") })
            // Confirmed: taken from the OS and driven.
            let driven = try await f.hub.assign(listed.identity, family: "generic-hid-keyboard", confirmed: true)
            #expect(driven.state == .driving)
            let us = try #require(Repo.catalog.layouts["us"])
            try f.emulator.send("kbd", KeyboardReportEncoder(layout: us).reports(typing: "12345"))
            #expect(await f.waitUntil { f.scans.count == 1 })
            // Undo: the keyboard goes back to the OS.
            let undone = try await f.hub.unassign(listed.identity)
            #expect(undone.state == .unassigned)
            let log = try f.emulator.log("kbd")
            #expect(Array(log.filter { ["DISCONNECT 0", "CLAIMINTERFACE 0", "RELEASEINTERFACE 0", "CONNECT 0"].contains($0) }) ==
                    ["DISCONNECT 0", "CLAIMINTERFACE 0", "RELEASEINTERFACE 0", "CONNECT 0"], "\(log)")
            await f.stop()
            try f.emulator.unplug("kbd")
        }

        @Test func sharedAndZeroSerialsFallBackToThePortPath() async throws {
            let f = try HubFixture()
            try f.emulator.plug("a", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "SAME", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") })
            try f.emulator.plug("b", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "SAME", port: "3")
            try f.emulator.plug("z", vendor: 0x0c2e, product: 0x0204, transport: .keyboard, serial: "000000", port: "4")
            #expect(await f.waitUntil { f.hub.list().filter { if case .driving = $0.state { true } else { false } }.count == 3 })
            let ids = Set(f.hub.list().map(\.identity.description))
            #expect(ids == ["0c2e:0b8f@1-2", "0c2e:0b8f@1-3", "0c2e:0204@1-4"], "\(ids)")
            try f.emulator.send("a", hidpos("111"))
            try f.emulator.send("b", hidpos("222"))
            #expect(await f.waitUntil { f.scans.count == 2 })
            #expect(Set(f.scans.map { "\($0.device)=\($0.text)" }) == ["0c2e:0b8f@1-2=111", "0c2e:0b8f@1-3=222"])
            await f.stop()
            for n in ["a", "b", "z"] { try f.emulator.unplug(n) }
        }

        @Test func aScanWithNobodyListeningIsCounted() async throws {
            let f = try HubFixture(listen: false)
            try f.emulator.plug("nl", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "NL", port: "2")
            #expect(await f.waitUntil { f.isDriving("0c2e:0b8f") })
            try f.emulator.send("nl", hidpos("6901234567892"))
            #expect(await f.waitUntil { f.hub.events.unheardScans == 1 })
            #expect(f.status("0c2e:0b8f")?.scans == 1)
            await f.stop()
            try f.emulator.unplug("nl")
        }
    }
}
