import Foundation
import Glibc
import RuyiSystem

/// The test side of `Tests/usb/emulator.py`: plugs emulated scanners into umockdev's testbed, feeds them reports and
/// reads back the ioctls the real libusb made. Available when the tests run under the emulator
/// (`$RUYI_USB_EMULATOR` names its socket); every request is bounded by a 5 s socket timeout.
public final class USBEmulator: @unchecked Sendable {
    // `fd` is used under `lock` only: one request and its reply at a time.
    private let fd: Int32
    private let lock = NSLock()
    private var buffer: [UInt8] = []

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Connects to the emulator named by `$RUYI_USB_EMULATOR`; nil when the tests do not run under it.
    public static func connect() throws -> USBEmulator? {
        guard let path = ProcessInfo.processInfo.environment["RUYI_USB_EMULATOR"], !path.isEmpty else { return nil }
        return try USBEmulator(path: path)
    }

    public static var isAvailable: Bool {
        ProcessInfo.processInfo.environment["RUYI_USB_EMULATOR"] != nil && ProcessInfo.processInfo.environment["UMOCKDEV_DIR"] != nil
    }

    init(path: String) throws {
        do { fd = try UnixSocket.connect(path, timeoutSeconds: 5) } catch {
            throw Failure(description: "cannot connect to the USB emulator at \(path): \(error)")
        }
    }

    deinit { close(fd) }

    /// Sends one request, returns the reply object; `ok: false` replies throw with the emulator's error.
    @discardableResult
    public func request(_ object: [String: Any]) throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        var line = try JSONSerialization.data(withJSONObject: object)
        line.append(0x0A)
        let sent = line.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == line.count else { throw Failure(description: "emulator request not sent: errno \(errno)") }
        while !buffer.contains(0x0A) {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw Failure(description: "no reply from the USB emulator within 5 s (\(object["op"] ?? "?"))") }
            buffer += chunk[0..<n]
        }
        let end = buffer.firstIndex(of: 0x0A)!
        let reply = Array(buffer[..<end])
        buffer.removeFirst(end + 1)
        guard let o = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else { throw Failure(description: "bad reply") }
        if o["ok"] as? Bool != true { throw Failure(description: "emulator: \(o["error"] ?? "failed") (\(object["op"] ?? "?"))") }
        return o
    }

    public enum Transport: String { case keyboard, hidpos, cdc }

    /// Plugs in a scanner. `kernelDriver: "usbhid"` makes interface 0 start bound to a kernel driver (as a keyboard
    /// would be); `claimBusy` makes every claim fail as if another program held the device.
    public func plug(_ name: String, vendor: UInt16, product: UInt16, transport: Transport, serial: String? = nil,
                     port: String = "1", kernelDriver: String? = nil, claimBusy: Bool = false, descriptorsHex: String? = nil,
                     productName: String? = nil) throws {
        var o: [String: Any] = ["op": "plug", "name": name, "vid": hex(vendor), "pid": hex(product), "transport": transport.rawValue,
                                "port": port, "claimBusy": claimBusy]
        if let serial { o["serial"] = serial }
        if let kernelDriver { o["kernelDriver"] = kernelDriver }
        if let descriptorsHex { o["descriptors"] = descriptorsHex }
        if let productName { o["product"] = productName }
        try request(o)
    }

    /// Unplugs it (pending reads end with "no device", then the remove uevent). Returns its ioctl log.
    @discardableResult
    public func unplug(_ name: String) throws -> [String] { try request(["op": "unplug", "name": name])["log"] as? [String] ?? [] }

    /// Queues reports for the device's IN endpoint, `gapMS` apart.
    public func send(_ name: String, _ reports: [[UInt8]], gapMS: Int = 0) throws {
        try request(["op": "send", "name": name, "reports": reports.map { $0.map { String(format: "%02x", $0) }.joined() }, "gapMS": gapMS])
    }

    /// Waits until libusb has read every report sent (bounded). True when it has.
    @discardableResult
    public func waitDelivered(_ name: String, timeoutMS: Int = 900) throws -> Bool {
        try request(["op": "wait", "name": name, "timeoutMS": timeoutMS])["done"] as? Bool == true
    }

    /// The next `count` IN transfers end with a stall (EPIPE) until libusb clears the halt.
    public func stall(_ name: String, count: Int) throws { try request(["op": "stall", "name": name, "count": count]) }

    /// The ioctls and control requests libusb made (`CLAIMINTERFACE 0`, `DISCONNECT 0`, `SET_REPORT 03fe fe01`, …).
    public func log(_ name: String) throws -> [String] { try request(["op": "log", "name": name])["log"] as? [String] ?? [] }

    public func state(_ name: String) throws -> [String: Any] { try request(["op": "state", "name": name]) }

    private func hex(_ v: UInt16) -> String { String(format: "%04x", v) }
}
