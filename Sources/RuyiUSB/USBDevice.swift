import CLibUSB

/// A USB device libusb knows (plugged in or just gone), not opened. Holds a libusb reference until released.
///
/// `@unchecked Sendable`: the pointer never changes, and libusb's device functions used here (reference counting,
/// cached descriptors, bus/port numbers) are safe from any thread.
public final class USBDevice: @unchecked Sendable, CustomStringConvertible {
    let raw: OpaquePointer
    /// The context stays alive while any of its devices does.
    public let context: USBContext
    public let vendorID: UInt16
    public let productID: UInt16
    public let deviceClass: UInt8
    public let busNumber: UInt8
    public let address: UInt8
    /// `1-1.4`: bus, then the port numbers from the root hub. Stable for a physical port.
    public let portPath: String
    let manufacturerIndex: UInt8
    let productIndex: UInt8
    let serialIndex: UInt8

    init(raw: OpaquePointer, context: USBContext) {
        self.raw = libusb_ref_device(raw)
        self.context = context
        var d = libusb_device_descriptor()
        _ = libusb_get_device_descriptor(raw, &d) // cannot fail since libusb 1.0.16
        vendorID = d.idVendor
        productID = d.idProduct
        deviceClass = d.bDeviceClass
        manufacturerIndex = d.iManufacturer
        productIndex = d.iProduct
        serialIndex = d.iSerialNumber
        busNumber = libusb_get_bus_number(raw)
        address = libusb_get_device_address(raw)
        var ports = [UInt8](repeating: 0, count: 8)
        let n = libusb_get_port_numbers(raw, &ports, Int32(ports.count))
        portPath = "\(busNumber)-" + (n > 0 ? ports[0..<Int(n)].map(String.init).joined(separator: ".") : "0")
    }

    deinit { libusb_unref_device(raw) }

    /// Stable while the device stays plugged in (libusb hands out the same `libusb_device`).
    public var key: UInt { UInt(bitPattern: raw) }

    /// The same physical device (libusb hands out the same `libusb_device` while it stays plugged in).
    public func isSame(as other: USBDevice) -> Bool { raw == other.raw }

    /// `0c2e:0b8f`.
    public var model: String { hex(vendorID) + ":" + hex(productID) }
    public var description: String { "\(model) at \(portPath) (bus \(busNumber) address \(address))" }

    /// The interfaces of the active configuration, parsed from libusb's descriptors. A device whose descriptors
    /// libusb cannot parse gets an error (it is listed, never driven).
    public func interfaces() throws(LibUSBError) -> [USBInterface] {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        try libusb("libusb_get_active_config_descriptor", libusb_get_active_config_descriptor(raw, &config))
        guard let config else { throw LibUSBError(code: -99, call: "libusb_get_active_config_descriptor") }
        defer { libusb_free_config_descriptor(config) }
        var result: [USBInterface] = []
        let c = config.pointee
        for i in 0..<Int(c.bNumInterfaces) {
            let interface = c.interface[i]
            guard interface.num_altsetting > 0, let alt = interface.altsetting else { continue }
            let a = alt[0]
            var endpoints: [USBEndpoint] = []
            for e in 0..<Int(a.bNumEndpoints) {
                let ep = a.endpoint[e]
                endpoints.append(USBEndpoint(address: ep.bEndpointAddress, attributes: ep.bmAttributes, maxPacketSize: ep.wMaxPacketSize))
            }
            result.append(USBInterface(number: a.bInterfaceNumber, interfaceClass: a.bInterfaceClass,
                                       subclass: a.bInterfaceSubClass, protocolCode: a.bInterfaceProtocol, endpoints: endpoints))
        }
        return result
    }
}

func hex(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}

public struct USBEndpoint: Hashable, Sendable {
    public var address: UInt8
    public var attributes: UInt8
    public var maxPacketSize: UInt16

    public init(address: UInt8, attributes: UInt8, maxPacketSize: UInt16) {
        self.address = address
        self.attributes = attributes
        self.maxPacketSize = maxPacketSize
    }
    public var isIn: Bool { address & 0x80 != 0 }
    public var isInterrupt: Bool { attributes & 0x03 == 3 }
    public var isBulk: Bool { attributes & 0x03 == 2 }
}

public struct USBInterface: Hashable, Sendable {
    public var number: UInt8
    /// 3 HID, 2 CDC control, 10 CDC data, 255 vendor.
    public var interfaceClass: UInt8
    public var subclass: UInt8
    public var protocolCode: UInt8
    public var endpoints: [USBEndpoint]

    public init(number: UInt8, interfaceClass: UInt8, subclass: UInt8, protocolCode: UInt8, endpoints: [USBEndpoint]) {
        self.number = number
        self.interfaceClass = interfaceClass
        self.subclass = subclass
        self.protocolCode = protocolCode
        self.endpoints = endpoints
    }

    /// HID boot-protocol keyboard (subclass 1, protocol 1).
    public var isBootKeyboard: Bool { interfaceClass == 3 && subclass == 1 && protocolCode == 1 }
    public var isHID: Bool { interfaceClass == 3 }
    public var interruptIn: USBEndpoint? { endpoints.first { $0.isIn && $0.isInterrupt } }
    public var bulkIn: USBEndpoint? { endpoints.first { $0.isIn && $0.isBulk } }
}
