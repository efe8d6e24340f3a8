import Foundation
import Testing
@testable import RuyiReceipts

@Suite("Printer profile files")
struct PrinterProfileTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every profile in devices/printers reads, and device ids pick the right one")
    func shipped() throws {
        let dir = Self.repo.appendingPathComponent("devices/printers").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 4)
        let profiles = try files.map { f in
            try PrinterProfile.parse(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))), source: f)
        }
        #expect(Set(profiles.map(\.columns)) == [32, 42, 48])
        #expect(PrinterProfile.matching(deviceID: "MFG:EPSON;CMD:ESC/POS;MDL:TM-T82III;", in: profiles)?.drawerPulseOn == 50)
        #expect(PrinterProfile.matching(deviceID: "MFG:Xprinter;CMD:ESC/POS;MDL:XP-58IIH;", in: profiles)?.columns == 32)
        #expect(PrinterProfile.matching(deviceID: "MFG:HP;CMD:PCL;MDL:LaserJet;", in: profiles) == nil)
    }

    static let good = #"{"name":"t","match":[],"paperWidthMM":80,"columns":48,"needsChineseModeCommand":true,"fourByteCharacters":false,"cutter":"partial","feedBeforeCut":4,"drawerPulseOn":25,"drawerPulseOff":250,"qrModuleSize":6}"#

    /// Each bad file and the key its error must name.
    static let bad: [(String, String?)] = [
        ("not json", nil),
        ("[1,2]", nil),
        (good.replacingOccurrences(of: "\"cutter\"", with: "\"cuter\""), "cuter"),                       // a typo is not ignored
        (good.replacingOccurrences(of: "\"qrModuleSize\":6", with: "\"qrModuleSize\":60"), "qrModuleSize"),
        (good.replacingOccurrences(of: "\"columns\":48", with: "\"columns\":32"), "columns"),            // 32 columns on 80 mm
        (good.replacingOccurrences(of: "\"paperWidthMM\":80", with: "\"paperWidthMM\":76"), "paperWidthMM"),
        (good.replacingOccurrences(of: "\"cutter\":\"partial\"", with: "\"cutter\":\"sharp\""), "cutter"),
        (good.replacingOccurrences(of: "\"needsChineseModeCommand\":true", with: "\"needsChineseModeCommand\":1"), "needsChineseModeCommand"),
        (good.replacingOccurrences(of: "\"drawerPulseOn\":25", with: "\"drawerPulseOn\":\"25\""), "drawerPulseOn"),
        (good.replacingOccurrences(of: "\"drawerPulseOff\":250", with: "\"drawerPulseOff\":-1"), "drawerPulseOff"),
        (good.replacingOccurrences(of: ",\"feedBeforeCut\":4", with: ""), "feedBeforeCut"),               // missing
        (good.replacingOccurrences(of: "\"name\":\"t\"", with: "\"name\":\"\""), "name"),
    ]

    @Test("a bad profile is refused with the file and the key named", arguments: 0..<12)
    func refused(_ i: Int) {
        let (json, key) = Self.bad[i]
        do {
            _ = try PrinterProfile.parse(json: Array(json.utf8), source: "devices/printers/x.json")
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.source == "devices/printers/x.json")
            #expect(error.key == key, "\(error)")
        }
    }

    @Test("the good profile reads")
    func good() throws {
        let p = try PrinterProfile.parse(json: Array(Self.good.utf8), source: "x")
        #expect(p.columns == 48 && p.cutter == .partial && p.needsChineseModeCommand)
    }
}
