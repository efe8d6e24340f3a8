import CLibUSB
import Glibc

/// An open device. Keeps its `USBDevice` (and so the context) alive; closing releases every claimed interface first,
/// reattaching the kernel driver we detached, then the handle.
///
/// - Important: Not `Sendable`: confine it to one actor (one per device). Every call here may block for up to its
///   timeout, so that actor runs on a dedicated thread, not on the shared pool. Never close a handle while one of its
///   transfers is still in flight: cancel the reader and wait for its end first.
public final class USBDeviceHandle {
    let raw: OpaquePointer
    public let device: USBDevice
    /// Interfaces we claimed, and whether we detached a kernel driver from each.
    private var claimed: [UInt8: Bool] = [:]
    private var closed = false
    /// Control transfer timeout.
    public var timeoutMS: UInt32 = 500

    /// `libusb_open`.
    public init(opening device: USBDevice) throws(LibUSBError) {
        var h: OpaquePointer?
        try libusb("libusb_open", libusb_open(device.raw, &h))
        guard let h else { throw LibUSBError(code: -99, call: "libusb_open") }
        raw = h
        self.device = device
    }

    deinit { close() }

    /// An ASCII string descriptor (manufacturer, product, serial); nil when the device has none at that index.
    public func string(at index: UInt8) throws(LibUSBError) -> String? {
        guard index != 0 else { return nil }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = try libusb("libusb_get_string_descriptor_ascii", libusb_get_string_descriptor_ascii(raw, index, &buf, Int32(buf.count)))
        return String(decoding: buf[0..<Int(n)], as: UTF8.self)
    }

    public func serial() throws(LibUSBError) -> String? { try string(at: device.serialIndex) }
    public func productName() throws(LibUSBError) -> String? { try string(at: device.productIndex) }
    public func manufacturerName() throws(LibUSBError) -> String? { try string(at: device.manufacturerIndex) }

    /// Claims an interface. If a kernel driver (usbhid for keyboard-mode scanners) holds it, that driver is detached
    /// first and reattached on `release` — and right away if the claim fails, so a failed claim never leaves the
    /// device without a driver. Returns whether a kernel driver was detached.
    @discardableResult
    public func claim(interface number: UInt8) throws(LibUSBError) -> Bool {
        if claimed[number] != nil { return claimed[number]! }
        let active = libusb_kernel_driver_active(raw, Int32(number))
        var detached = false
        if active == 1 {
            try libusb("libusb_detach_kernel_driver", libusb_detach_kernel_driver(raw, Int32(number)))
            detached = true
        } else if active < 0 && active != LIBUSB_ERROR_NOT_SUPPORTED.rawValue {
            throw LibUSBError(code: active, call: "libusb_kernel_driver_active")
        }
        let rc = libusb_claim_interface(raw, Int32(number))
        if rc < 0 {
            if detached { _ = libusb_attach_kernel_driver(raw, Int32(number)) }
            throw LibUSBError(code: rc, call: "libusb_claim_interface")
        }
        claimed[number] = detached
        return detached
    }

    /// Whether the kernel has a driver bound to the interface (then the device is the OS's, e.g. a keyboard).
    public func kernelDriverActive(interface number: UInt8) -> Bool { libusb_kernel_driver_active(raw, Int32(number)) == 1 }

    /// Releases a claimed interface and gives it back to the kernel driver we took it from.
    public func release(interface number: UInt8) {
        guard let detached = claimed.removeValue(forKey: number) else { return }
        _ = libusb_release_interface(raw, Int32(number))
        if detached { _ = libusb_attach_kernel_driver(raw, Int32(number)) }
    }

    /// Releases every interface (reattaching kernel drivers), then closes the handle. Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        for number in claimed.keys.sorted() { release(interface: number) }
        libusb_close(raw)
    }

    /// A class request to an interface with data (host to device), e.g. HID SET_REPORT.
    public func controlOut(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, data: [UInt8]) throws(LibUSBError) {
        var bytes = data
        let n = try libusb("libusb_control_transfer", libusb_control_transfer(raw, requestType, request, value, index, &bytes, UInt16(bytes.count), timeoutMS))
        if Int(n) != data.count { throw LibUSBError(code: -1, call: "libusb_control_transfer (sent \(n) of \(data.count) bytes)") }
    }

    /// HID SET_REPORT (feature): `report[0]` is the report id.
    public func setFeatureReport(interface: UInt8, _ report: [UInt8]) throws(LibUSBError) {
        try controlOut(requestType: 0x21, request: 0x09, value: 0x0300 | UInt16(report.first ?? 0), index: UInt16(interface), data: report)
    }

    /// HID SET_PROTOCOL(boot) and SET_IDLE(0): a keyboard interface sends 8-byte boot reports only on change.
    /// Devices that do not implement them (many scanners stall the request) are fine: the result is ignored by design.
    public func prepareBootKeyboard(interface: UInt8) {
        _ = libusb_control_transfer(raw, 0x21, 0x0B, 0, UInt16(interface), nil, 0, timeoutMS)
        _ = libusb_control_transfer(raw, 0x21, 0x0A, 0, UInt16(interface), nil, 0, timeoutMS)
    }

    /// Clears a stalled endpoint.
    public func clearHalt(endpoint: UInt8) throws(LibUSBError) {
        try libusb("libusb_clear_halt", libusb_clear_halt(raw, endpoint))
    }

    /// Starts reading `endpoint` continuously: each completed transfer is one element of the stream, and the transfer is
    /// resubmitted at once from libusb's event thread (no gap while Swift code runs). A timeout is reported and the
    /// read goes on; a stall, an unplug or an error ends the stream with that error.
    public func startReading(endpoint: USBEndpoint, length: Int, timeoutMS: UInt32) throws(LibUSBError) -> USBInReader {
        try USBInReader(handle: raw, endpoint: endpoint, length: length, timeoutMS: timeoutMS)
    }
}
