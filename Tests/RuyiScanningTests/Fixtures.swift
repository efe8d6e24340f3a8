import Foundation
@testable import RuyiScanning

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let devices = root.appendingPathComponent("devices").path
    static let catalog: ScannerCatalog = try! ScannerCatalog.load(devices: devices)
    static func layout(_ name: String) -> KeyboardLayout { catalog.layouts[name]! }
}

extension KeyboardDecoder {
    /// Feeds every report 1 ms apart, starting at `start`; returns what came out.
    mutating func run(_ reports: [[UInt8]], start: UInt64 = 1_000_000_000) -> [DecodedItem] {
        var out: [DecodedItem] = []
        for (i, r) in reports.enumerated() { feed(r, at: start + UInt64(i) * 1_000_000, into: &out) }
        return out
    }
}

extension [DecodedItem] {
    var texts: [String] { compactMap { if case .scan(let t, _, _) = $0 { t } else { nil } } }
    var problems: [ScanProblem] { compactMap { if case .problem(let p) = $0 { p } else { nil } } }
}

/// A HID-POS scan as a scanner sends it: 64-byte reports of up to 56 data bytes, continuation set on all but the last.
func hidposReports(_ data: [UInt8], aim: String = "]E0", layout: HIDPOSLayout = HIDPOSLayout()) -> [[UInt8]] {
    var reports: [[UInt8]] = []
    var chunks: [ArraySlice<UInt8>] = []
    var i = 0
    repeat { chunks.append(data[i..<min(i + layout.dataCapacity, data.count)]); i += layout.dataCapacity } while i < data.count
    for (n, chunk) in chunks.enumerated() {
        var r = [UInt8](repeating: 0, count: layout.reportSize)
        r[0] = layout.reportID
        r[layout.lengthOffset] = UInt8(chunk.count)
        for (k, b) in aim.utf8.prefix(3).enumerated() { r[layout.aimOffset + k] = b }
        for (k, b) in chunk.enumerated() { r[layout.dataOffset + k] = b }
        r[layout.continuationOffset] = n < chunks.count - 1 ? 1 : 0
        reports.append(r)
    }
    return reports
}
