import RuyiUSB

/// What a device says about itself, read without claiming it: names, serial, interfaces, whether the kernel holds a
/// HID interface (then it is the OS's keyboard or mouse right now).
public struct DeviceInfo: Sendable {
    public var serial: String?
    public var product: String?
    public var manufacturer: String?
    public var interfaces: [USBInterface] = []
    public var keyboardBoundToKernel = false
    /// Why the device cannot be used at all (descriptors libusb cannot parse); nil when fine.
    public var problem: String?
    /// The device could not be opened to read its strings (not ours: no udev rule), nil when it could.
    public var openError: String?

    public func displayName(_ d: USBDevice) -> String {
        let parts = [manufacturer, product].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? "USB device \(d.model)" : parts.joined(separator: " ")
    }

    /// Blocks for up to a few control-transfer timeouts: call it on a dedicated thread or from a command-line tool.
    public static func read(_ device: USBDevice) -> DeviceInfo {
        var info = DeviceInfo()
        do { info.interfaces = try device.interfaces() } catch {
            info.problem = "its USB descriptors cannot be read (\(error)); try another cable or port"
            return info
        }
        let handle: USBDeviceHandle
        do { handle = try USBDeviceHandle(opening: device) } catch {
            info.openError = "\(error)"
            return info
        }
        defer { handle.close() }
        info.serial = try? handle.serial()
        info.product = try? handle.productName()
        info.manufacturer = try? handle.manufacturerName()
        info.keyboardBoundToKernel = info.interfaces.contains { $0.isHID && handle.kernelDriverActive(interface: $0.number) }
        return info
    }
}

/// One line of `ruyi usb list`.
public struct InventoryEntry: Sendable {
    public var device: USBDevice
    public var info: DeviceInfo
    public var identity: ScannerIdentity
    public var profile: ScannerProfile?
    public var model: ScannerModel?
    /// The owner's assignment (generic keyboard), when no profile claims the ids.
    public var assignedFamily: String?

    public var summary: String {
        let what: String
        if let model, let profile { what = "\(profile.family): \(model.name) [\(model.transport.rawValue)]" }
        else if let assignedFamily { what = "\(assignedFamily) (assigned by the owner)" }
        else { what = "no scanner profile: listed, not driven" }
        let interfaces = info.interfaces.map { i in
            "if\(i.number) class \(i.interfaceClass)/\(i.subclass)/\(i.protocolCode)" + (i.interruptIn.map { " int-in 0x\(String($0.address, radix: 16))" } ?? "")
                + (i.bulkIn.map { " bulk-in 0x\(String($0.address, radix: 16))" } ?? "")
        }.joined(separator: ", ")
        var line = "\(identity)  \(info.displayName(device))  —  \(what)"
        if !interfaces.isEmpty { line += "\n    \(interfaces)" + (info.keyboardBoundToKernel ? "  (the OS uses it as a keyboard now)" : "") }
        if let p = info.problem { line += "\n    problem: \(p)" }
        if let e = info.openError { line += "\n    cannot open: \(e)" }
        return line
    }
}

public enum USBInventory {
    /// Every USB device but hubs, with the profile that matches it.
    public static func list(context: USBContext, catalog: ScannerCatalog, assignments: ScannerAssignments = ScannerAssignments()) throws(LibUSBError) -> [InventoryEntry] {
        try context.devices().filter { $0.deviceClass != 9 && $0.vendorID != 0x1d6b }.map { d in
            let info = DeviceInfo.read(d)
            let identity = ScannerIdentity(vendorID: d.vendorID, productID: d.productID, serial: info.serial, portPath: d.portPath)
            let match = catalog.match(vendorID: d.vendorID, productID: d.productID)
            return InventoryEntry(device: d, info: info, identity: identity, profile: match?.profile, model: match?.model,
                                  assignedFamily: match == nil ? assignments.family(for: identity) : nil)
        }.sorted { $0.identity < $1.identity }
    }
}
