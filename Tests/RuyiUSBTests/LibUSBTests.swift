import Foundation
import RuyiTestKit
import Testing
@testable import RuyiUSB

/// Tests of the libusb layer against the real libusb, under umockdev (`Tests/usb/emulator.py`). They skip themselves
/// outside the emulator. One at a time: libusb busy-polls umockdev's nodes.
@Suite(.serialized, .enabled(if: USBEmulator.isAvailable, "needs Tests/usb/emulator.py under umockdev-wrapper"))
struct USBTests {
    @Suite(.serialized) struct LibUSBLayer {
        @Test func enumerateOpenClaimAndReadAReport() async throws {
            let emu = try #require(try USBEmulator.connect())
            try emu.plug("raw1", vendor: 0x0c2e, product: 0x0b8f, transport: .hidpos, serial: "RAW0001", port: "3")
            defer { _ = try? emu.unplug("raw1") }
            let context = try USBContext()
            let device = try #require(try context.devices().first { $0.vendorID == 0x0c2e && $0.productID == 0x0b8f })
            #expect(device.portPath == "1-3")
            let interfaces = try device.interfaces()
            #expect(interfaces.count == 1 && interfaces[0].isHID && interfaces[0].interruptIn?.address == 0x81)
            let handle = try USBDeviceHandle(opening: device)
            #expect(try handle.serial() == "RAW0001")
            #expect(try handle.claim(interface: 0) == false)
            let events = try await withEventThread(context) { () async throws -> [USBInEvent] in
                let reader = try handle.startReading(endpoint: interfaces[0].interruptIn!, length: 64, timeoutMS: 300)
                try emu.send("raw1", [[0x02, 0x02, 0x5D, 0x45, 0x30, 0x34, 0x32] + [UInt8](repeating: 0, count: 57)])
                var got: [USBInEvent] = []
                for await e in reader.events {
                    got.append(e)
                    if case .data = e { reader.cancel() }
                }
                return got
            }
            guard case .data(let bytes, _)? = events.first else { Issue.record("\(events)"); return }
            #expect(bytes.count == 64 && bytes[5] == 0x34)
            guard case .ended(let end)? = events.last else { Issue.record("\(events)"); return }
            #expect(end.is(.interrupted))
            handle.close()
            #expect(try emu.log("raw1").contains("RELEASEINTERFACE 0"))
        }
    }
}

/// Runs `body` while the context's event thread runs, then stops it.
func withEventThread<T: Sendable>(_ context: USBContext, _ body: () async throws -> T) async throws -> T {
    let events = Task.detached { try await context.run() }
    defer { context.stop() }
    let result = try await body()
    context.stop()
    _ = await events.result
    return result
}
