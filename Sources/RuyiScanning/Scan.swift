import RuyiCore

/// One barcode read by one scanner, as the till receives it.
public struct Scan: Hashable, Sendable, CustomStringConvertible {
    /// What the scanner read, without the terminator and without an AIM prefix the profile says it sends.
    public var text: String
    /// The bytes behind `text` (UTF-8 of what keyboard mode typed; the HID-POS or bulk data as sent).
    public var data: [UInt8]
    /// From a HID-POS report's symbology field or a stripped AIM prefix; nil when the scanner did not say.
    public var symbology: Symbology?
    /// Which scanner read it.
    public var device: ScannerIdentity
    /// Monotonic nanoseconds of the report that completed the scan.
    public var time: UInt64

    public init(text: String, data: [UInt8], symbology: Symbology?, device: ScannerIdentity, time: UInt64) {
        self.text = text
        self.data = data
        self.symbology = symbology
        self.device = device
        self.time = time
    }

    public var description: String { (symbology.map { "\($0) " } ?? "") + text.debugDescription + " from \(device)" }
}

/// A scanner's identity: vid:pid:serial when the serial is usable, else vid:pid at its USB port path.
///
/// Serials that are empty, all zeros or shared by two devices plugged in at once identify nothing (cheap scanners ship
/// with one serial for the whole batch), so the port path stands in: a serial-less scanner moved to another port is a
/// new identity, which inherits its profile by vid:pid.
public struct ScannerIdentity: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var vendorID: UInt16
    public var productID: UInt16
    /// A usable serial, or nil.
    public var serial: String?
    /// The USB port path (`1-1.4`), used when `serial` is nil.
    public var portPath: String?

    public init(vendorID: UInt16, productID: UInt16, serial: String?, portPath: String?) {
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial.flatMap(Self.usableSerial)
        self.portPath = self.serial == nil ? portPath : nil
    }

    /// Nil for an empty serial, one of only zeros (or spaces), or one longer than any real serial.
    public static func usableSerial(_ raw: String) -> String? {
        let trimmed = raw.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 126 else { return nil }
        if trimmed.allSatisfy({ $0 == "0" || $0 == " " }) { return nil }
        return trimmed
    }

    /// The same device without its serial: what it is known as when another device shares the serial.
    public func withoutSerial(portPath: String?) -> ScannerIdentity {
        ScannerIdentity(vendorID: vendorID, productID: productID, serial: nil, portPath: portPath)
    }

    /// `0c2e:0b8f` — the model, for matching a profile.
    public var model: String { USBID.hex(vendorID) + ":" + USBID.hex(productID) }

    /// `0c2e:0b8f:SN123` or `0c2e:0b8f@1-1.4`.
    public var description: String {
        if let serial { return model + ":" + serial }
        return model + "@" + (portPath ?? "?")
    }

    public static func < (a: ScannerIdentity, b: ScannerIdentity) -> Bool { a.description < b.description }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\0" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\0" { s.removeLast() }
        return String(s)
    }
}

/// USB id formatting and parsing (`0c2e`).
public enum USBID {
    public static func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }

    public static func parse(_ s: String) -> UInt16? {
        guard s.utf8.count == 4, s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return UInt16(s, radix: 16)
    }
}

/// Why a report or a scan was not delivered. Every one is counted and logged; none stops the driver.
public struct ScanProblem: Hashable, Sendable, CustomStringConvertible {
    /// A stable code for logs and the API (`scanner.garbage_report`, …).
    public var code: String
    /// What happened, for a technician.
    public var detail: String

    public init(code: String, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }

    /// A report that does not fit the transport (wrong length, unexpected report id, impossible length byte).
    public static func garbage(_ detail: String) -> ScanProblem { ScanProblem(code: "scanner.garbage_report", detail: detail) }
    /// A key usage the layout has no character for.
    public static func unknownKey(_ usage: UInt8) -> ScanProblem {
        ScanProblem(code: "scanner.unknown_key", detail: "HID usage 0x\(String(usage, radix: 16)) has no character in this layout")
    }
    /// A scan longer than any barcode: dropped whole, never delivered cut.
    public static func tooLong(_ limit: Int) -> ScanProblem {
        ScanProblem(code: "scanner.scan_too_long", detail: "more than \(limit) characters without a terminator; dropped")
    }
    /// A scan cut off by an unplug, a read error or a stop; never delivered half.
    public static func partialDropped(_ count: Int, _ why: String) -> ScanProblem {
        ScanProblem(code: "scanner.partial_scan_dropped", detail: "\(count) characters of an unfinished scan dropped (\(why))")
    }
}

/// What a decoder makes of a report.
public enum DecodedItem: Hashable, Sendable {
    /// A whole scan (text or data, symbology), still without its device and time.
    case scan(text: String, data: [UInt8], symbology: Symbology?)
    case problem(ScanProblem)
}

extension ScannerIdentity {
    /// Parses what `description` prints: `0c2e:0b8f:SN123` or `0c2e:0b8f@1-1.4`.
    public init?(parsing text: String) {
        let hexLen = 9
        guard text.utf8.count > hexLen, let v = USBID.parse(String(text.prefix(4))), let p = USBID.parse(String(text.dropFirst(5).prefix(4))),
              text.dropFirst(4).first == ":" else { return nil }
        let rest = text.dropFirst(hexLen)
        if rest.first == "@" {
            let port = String(rest.dropFirst())
            guard !port.isEmpty, port.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
            self.init(vendorID: v, productID: p, serial: nil, portPath: port)
        } else if rest.first == ":" {
            let serial = String(rest.dropFirst())
            guard ScannerIdentity.usableSerial(serial) == serial else { return nil }
            self.init(vendorID: v, productID: p, serial: serial, portPath: nil)
        } else {
            return nil
        }
    }
}
