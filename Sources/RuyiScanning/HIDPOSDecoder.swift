import RuyiCore

/// Where the fields sit in a HID-POS scanned-data report (HID Point of Sale Usage Tables, usage page 0x8C, usage 0x12
/// "Scanned Data Report"). The defaults are the layout Honeywell, Zebra and Newland scanners send in HID-POS mode:
/// `[report id 0x02, length, AIM ×3, data ×56, vendor code id, reserved, continuation]`, 64 bytes.
public struct HIDPOSLayout: Hashable, Sendable {
    public var reportID: UInt8 = 0x02
    public var reportSize = 64
    public var lengthOffset = 1
    public var aimOffset = 2
    public var dataOffset = 5
    public var dataCapacity = 56
    /// Non-zero at this offset: more reports of the same scan follow.
    public var continuationOffset = 63

    public init() {}
}

/// Reassembles HID-POS scanned-data reports into scans with their symbology.
///
/// A scan longer than one report's data capacity arrives as several reports, all but the last with the continuation
/// flag set; the scan is the concatenation of each report's `length` data bytes. Reports of another id (the scanner's
/// status and feature reports), a wrong size, or a length byte larger than the report can hold are counted garbage.
public struct HIDPOSDecoder: Sendable {
    public let layout: HIDPOSLayout
    public let maximumLength: Int
    /// Nanoseconds after which an unfinished multi-report scan is abandoned.
    public let timeout: UInt64
    private var data: [UInt8] = []
    private var aim: (UInt8, UInt8, UInt8) = (0, 0, 0)
    private var overflowed = false
    private var inProgress = false
    private var lastReport: UInt64 = 0

    public init(layout: HIDPOSLayout = HIDPOSLayout(), maximumLength: Int = 8192, timeoutMS: Int = 500) {
        self.layout = layout
        self.maximumLength = maximumLength
        self.timeout = UInt64(max(timeoutMS, 1)) * 1_000_000
        data.reserveCapacity(64)
    }

    public var deadline: UInt64? { inProgress ? lastReport &+ timeout : nil }
    public var pending: Int { data.count }

    public mutating func feed(_ report: UnsafeRawBufferPointer, at time: UInt64, into out: inout [DecodedItem]) {
        if inProgress, time &- lastReport > timeout { expire(at: time, into: &out) }
        guard !report.isEmpty, report[0] == layout.reportID else {
            out.append(.problem(.garbage(report.isEmpty ? "empty HID-POS report" : "HID-POS report id \(report[0]); expected \(layout.reportID)")))
            return
        }
        guard report.count == layout.reportSize else {
            out.append(.problem(.garbage("HID-POS report of \(report.count) bytes; expected \(layout.reportSize)")))
            return
        }
        let length = Int(report[layout.lengthOffset])
        guard length <= layout.dataCapacity else {
            out.append(.problem(.garbage("HID-POS length byte \(length) exceeds the report's \(layout.dataCapacity) data bytes")))
            return
        }
        lastReport = time
        if !inProgress {
            inProgress = true
            aim = (report[layout.aimOffset], report[layout.aimOffset + 1], report[layout.aimOffset + 2])
        }
        if data.count + length > maximumLength {
            overflowed = true
        } else if !overflowed {
            data.append(contentsOf: report[(layout.dataOffset)..<(layout.dataOffset + length)])
        }
        guard report[layout.continuationOffset] == 0 else { return }
        defer { data.removeAll(keepingCapacity: true); overflowed = false; inProgress = false }
        if overflowed { out.append(.problem(.tooLong(maximumLength))); return }
        guard !data.isEmpty else { out.append(.problem(.garbage("HID-POS scan with no data"))); return }
        let symbology: Symbology? = aim.0 == UInt8(ascii: "]") && Symbology.isCode(aim.1) && Symbology.isModifier(aim.2)
            ? Symbology(code: aim.1, modifier: aim.2) : nil
        out.append(.scan(text: ScanText.decode(data), data: data, symbology: symbology))
    }

    public mutating func feed(_ report: [UInt8], at time: UInt64, into out: inout [DecodedItem]) {
        report.withUnsafeBytes { feed($0, at: time, into: &out) }
    }

    public mutating func expire(at time: UInt64, into out: inout [DecodedItem]) {
        guard inProgress, time &- lastReport >= timeout else { return }
        out.append(.problem(.partialDropped(data.count, "no final report within \(timeout / 1_000_000) ms")))
        data.removeAll(keepingCapacity: true); overflowed = false; inProgress = false
    }

    public mutating func abandon(_ why: String) -> ScanProblem? {
        defer { data.removeAll(keepingCapacity: true); overflowed = false; inProgress = false }
        return inProgress ? .partialDropped(data.count, why) : nil
    }
}

/// Bytes of a bulk/CDC or HID-POS scan as text: UTF-8 when they are valid UTF-8 (QR codes usually are), else each byte
/// as its Latin-1 character, so nothing is lost or replaced (the interpreter works on `data` anyway).
enum ScanText {
    static func decode(_ bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil {
            return String(decoding: bytes, as: UTF8.self)
        }
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }
}

/// Frames the byte stream of a CDC-ACM or vendor-bulk scanner into scans on the profile's terminator.
public struct BulkFramer: Sendable {
    public enum Terminator: String, Hashable, Sendable, CaseIterable {
        case cr, lf, crlf, tab
        /// No suffix: a pause ends the scan.
        case none
    }

    public let terminator: Terminator
    public let maximumLength: Int
    public let timeout: UInt64
    public let aimPrefix: Bool
    private var data: [UInt8] = []
    private var overflowed = false
    private var lastByte: UInt64 = 0

    public init(terminator: Terminator = .cr, maximumLength: Int = 8192, timeoutMS: Int = 100, aimPrefix: Bool = false) {
        self.terminator = terminator
        self.maximumLength = maximumLength
        self.timeout = UInt64(max(timeoutMS, 1)) * 1_000_000
        self.aimPrefix = aimPrefix
    }

    public var deadline: UInt64? { data.isEmpty && !overflowed ? nil : lastByte &+ timeout }
    public var pending: Int { data.count }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, at time: UInt64, into out: inout [DecodedItem]) {
        if !data.isEmpty || overflowed, time &- lastByte > timeout { expire(at: time, into: &out) }
        lastByte = time
        for b in chunk {
            switch (terminator, b) {
            case (.cr, 0x0D), (.lf, 0x0A), (.tab, 0x09), (.crlf, 0x0A):
                frame(into: &out)
            case (.crlf, 0x0D):
                continue // the LF that follows frames
            case (.cr, 0x0A) where data.isEmpty, (.lf, 0x0D) where data.isEmpty:
                continue // the other half of a CR LF the profile did not mention
            default:
                if data.count < maximumLength { data.append(b) } else { overflowed = true }
            }
        }
    }

    public mutating func feed(_ chunk: [UInt8], at time: UInt64, into out: inout [DecodedItem]) {
        chunk.withUnsafeBytes { feed($0, at: time, into: &out) }
    }

    public mutating func expire(at time: UInt64, into out: inout [DecodedItem]) {
        guard !data.isEmpty || overflowed, time &- lastByte >= timeout else { return }
        if terminator == .none && !overflowed { frame(into: &out); return }
        out.append(overflowed ? .problem(.tooLong(maximumLength)) : .problem(.partialDropped(data.count, "no terminator within \(timeout / 1_000_000) ms")))
        data.removeAll(keepingCapacity: true); overflowed = false
    }

    public mutating func abandon(_ why: String) -> ScanProblem? {
        defer { data.removeAll(keepingCapacity: true); overflowed = false }
        return data.isEmpty && !overflowed ? nil : .partialDropped(data.count, why)
    }

    private mutating func frame(into out: inout [DecodedItem]) {
        defer { data.removeAll(keepingCapacity: true); overflowed = false }
        if overflowed { out.append(.problem(.tooLong(maximumLength))); return }
        guard !data.isEmpty else { return }
        var bytes = data
        var symbology: Symbology?
        if aimPrefix, bytes.count >= 3, bytes[0] == UInt8(ascii: "]"), Symbology.isCode(bytes[1]), Symbology.isModifier(bytes[2]) {
            symbology = Symbology(code: bytes[1], modifier: bytes[2])
            bytes.removeFirst(3)
        }
        out.append(.scan(text: ScanText.decode(bytes), data: bytes, symbology: symbology))
    }
}
