import ArgumentParser
import Foundation
import RuyiScanning

/// `ruyi-bench scanner`: HID report → decoded scan, decoders only (no USB). A 13-digit EAN in keyboard mode is 28
/// boot reports (press and release per digit, then Enter); in HID-POS mode one 64-byte report. The baseline is the
/// obvious decoder: a `[usage: Character]` dictionary and `String.append`, with no modifiers, timeouts or checks.
struct ScannerBench: BenchArea {
    static let configuration = CommandConfiguration(commandName: "scanner", abstract: "Scanner report decoding figures.")

    @OptionGroup var options: BenchOptions

    static func measure(_ options: BenchOptions, _ f: Figures) throws {
        let scans = options.smoke ? 2_000 : 300_000
        f.say("# ruyi-bench scanner\(options.smoke ? " --smoke (debug-sized: these numbers measure nothing)" : "")")
        guard let folder = ScannerCatalog.defaultDevicesFolder() else { throw ValidationError("devices/ not found: run from the checkout or set RUYI_DEVICES") }
        let catalog = try ScannerCatalog.load(devices: folder)
        guard let us = catalog.layouts["us"] else { throw ValidationError("devices/layouts/us.json missing") }
        let encoder = KeyboardReportEncoder(layout: us)
        // 100 distinct EAN-13s, each as its keyboard reports and as its HID-POS report.
        var keyboardScans: [[[UInt8]]] = []
        var hidposScans: [[UInt8]] = []
        for i in 0..<100 {
            let code = CatalogGenerator.ean13(100_000 + i * 7919)
            keyboardScans.append(encoder.reports(typing: code))
            var r = [UInt8](repeating: 0, count: 64)
            r[0] = 2; r[1] = 13; r[2] = 0x5D; r[3] = 0x45; r[4] = 0x30
            for (k, b) in code.utf8.enumerated() { r[5 + k] = b }
            hidposScans.append(r)
        }

        var keyboard = KeyboardDecoder(layout: us)
        var out: [DecodedItem] = []
        out.reserveCapacity(4)
        var sink = 0
        var clock: UInt64 = 1_000_000_000
        var start = SystemFacts.now()
        for n in 0..<scans {
            for report in keyboardScans[n % 100] {
                clock &+= 1_000_000
                keyboard.feed(report, at: clock, into: &out)
            }
            if case .scan(let text, _, _)? = out.first { sink &+= text.utf8.count } else { throw ValidationError("keyboard scan \(n) did not decode: \(out)") }
            out.removeAll(keepingCapacity: true)
        }
        let keyboardNS = Double(SystemFacts.now() - start) / Double(scans)

        var naive: [UInt8: Character] = [:]
        for (i, c) in "1234567890".enumerated() { naive[UInt8(0x1E + i)] = c }
        start = SystemFacts.now()
        for n in 0..<scans {
            var text = ""
            for report in keyboardScans[n % 100] where report[2] != 0 {
                if report[2] == 0x28 { break }
                if let c = naive[report[2]] { text.append(c) }
            }
            sink &+= text.utf8.count
        }
        let naiveNS = Double(SystemFacts.now() - start) / Double(scans)

        var hidpos = HIDPOSDecoder()
        start = SystemFacts.now()
        for n in 0..<scans {
            hidpos.feed(hidposScans[n % 100], at: UInt64(n), into: &out)
            if case .scan(let text, _, _)? = out.first { sink &+= text.utf8.count } else { throw ValidationError("HID-POS scan \(n) did not decode") }
            out.removeAll(keepingCapacity: true)
        }
        let hidposNS = Double(SystemFacts.now() - start) / Double(scans)
        blackHole(sink)

        f.add("scanner_keyboard_ns_per_scan", format(keyboardNS, 0), note: "13-digit EAN as 28 boot reports, US layout; target < 5000 ns")
        f.add("scanner_keyboard_naive_baseline_ns_per_scan", format(naiveNS, 0), note: "dictionary + String.append, no modifiers/timeouts/checks")
        f.add("scanner_hidpos_ns_per_scan", format(hidposNS, 0), note: "13-digit EAN in one 64-byte HID-POS report; target < 5000 ns")
    }
}
