import Foundation
import Testing
@testable import RuyiScanning
import RuyiUSB

@Suite struct ScannerProfileTests {
    @Test func theRepositoryProfilesLoadAndCoverTheNamedVendors() {
        let c = Repo.catalog
        #expect(Set(c.layouts.keys) == ["us", "de", "fr"])
        #expect(c.match(vendorID: 0x0c2e, productID: 0x0204)?.model.transport == .keyboard)
        #expect(c.match(vendorID: 0x0c2e, productID: 0x0b8f)?.model.transport == .hidpos)
        #expect(c.match(vendorID: 0x0c2e, productID: 0x0b8f)?.model.enableFeatureReport == [0xFE, 0x01])
        #expect(c.match(vendorID: 0x05e0, productID: 0x1200)?.profile.family == "zebra")
        #expect(c.match(vendorID: 0x05f9, productID: 0x2206)?.profile.family == "datalogic")
        #expect(c.match(vendorID: 0x080c, productID: 0x0300)?.profile.family == "datalogic")
        #expect(c.match(vendorID: 0x1eab, productID: 0x1a03)?.model.transport == .keyboard)
        #expect(c.match(vendorID: 0x1eab, productID: 0x1a06)?.model.transport == .bulk)
        #expect(c.match(vendorID: 0x1eab, productID: 0x8210)?.model.transport == .hidpos)
        #expect(c.match(vendorID: 0x1eab, productID: 0x1a07) == nil, "unknown devices are listed, not driven")
        #expect(c.match(vendorID: 0x046d, productID: 0xc31c) == nil)
        #expect(c.genericKeyboard?.family == "generic-hid-keyboard")
    }

    /// Every id a profile cites from the USB ID database is in it, under that vendor, with the description the profile
    /// quotes; a pattern (`xx03`) matches only products the database describes as that transport. No invented ids.
    @Test func everyCitedIDIsInTheUSBIDDatabase() throws {
        let text = try String(contentsOfFile: "/usr/share/misc/usb.ids", encoding: .isoLatin1)
        var products: [UInt16: [UInt16: String]] = [:]
        var vendor: UInt16?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("C ") { break } // device classes follow the vendor list
            if !line.hasPrefix("\t") {
                vendor = USBID.parse(String(line.prefix(4)))
                if let vendor { products[vendor] = [:] }
            } else if !line.hasPrefix("\t\t"), let v = vendor, let p = USBID.parse(String(line.dropFirst().prefix(4))) {
                products[v]![p] = String(line.dropFirst(7))
            }
        }
        #expect(products.count > 1000, "usb.ids parsed")
        var checked = 0
        for profile in Repo.catalog.profiles {
            for m in profile.models {
                #expect(!m.source.isEmpty)
                guard m.source.hasPrefix("usb.ids") else {
                    #expect(m.source.count > 20, "\(m.id): a non-database source names the document")
                    continue
                }
                let known = products[m.vendorID] ?? [:]
                if m.product.mask == 0xFFFF {
                    let name = try #require(known[m.product.value], "\(m.id) is not in usb.ids")
                    #expect(m.source.contains(name), "\(m.id): source should quote usb.ids' \(name.debugDescription)")
                } else {
                    let word = ["keyboard": "keyboard", "bulk": "CDC", "hidpos": "HID Pos"][m.transport.rawValue]!
                    let matching = known.filter { m.product.matches($0.key) }
                    #expect(matching.count >= 3, "\(m.id) matches \(matching.count) database entries")
                    for (p, name) in matching { #expect(name.contains(word), "\(USBID.hex(m.vendorID)):\(USBID.hex(p)) \(name) is not \(word)") }
                }
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    @Test func udevRulesAreGeneratedFromTheProfiles() throws {
        let committed = try String(contentsOfFile: Repo.root.appendingPathComponent("udev/60-ruyi-scanners.rules").path, encoding: .utf8)
        let generated = UdevRules.render(Repo.catalog)
        #expect(committed == generated, "run `ruyi usb udev-rules > udev/60-ruyi-scanners.rules`")
        for line in generated.split(separator: "\n") where line.hasPrefix("SUBSYSTEM") {
            #expect(line.contains("GROUP=\"ruyi\"") && line.contains("MODE=\"0660\"") && line.contains("TAG+=\"systemd\""))
        }
        #expect(generated.contains("ATTR{idVendor}==\"1eab\", ATTR{idProduct}==\"??03|??06|??10\""))
        // Each rule line follows its comment line.
        let lines = generated.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where line.hasPrefix("SUBSYSTEM") { #expect(lines[i - 1].hasPrefix("# ")) }
    }

    static let layouts: Set<String> = ["us", "de"]
    static let good = """
    {"family": "acme", "name": "Acme", "layout": "us", "terminator": "enter", "bulkTerminator": "cr", "timeoutMS": 100,
     "aimPrefix": false, "generic": false, "models": [{"id": "0c2e:0204", "name": "A", "transport": "keyboard", "source": "usb.ids: x"}]}
    """

    func refusal(_ json: String) -> ScannerProfileError? {
        do { _ = try ScannerProfile.parse(json: Array(json.utf8), source: "acme.json", layouts: Self.layouts); return nil } catch { return error }
    }

    @Test func badProfilesAreRefusedWithFileAndKey() throws {
        #expect(refusal(Self.good) == nil)
        let cases: [(String, String, String?)] = [
            ("\"timeoutMS\": 100", "\"timeoutMs\": 100", "timeoutMs"),                       // a typo is an unknown key
            ("\"timeoutMS\": 100", "\"timeoutMS\": 5", "timeoutMS"),                         // out of range
            ("\"timeoutMS\": 100", "\"timeoutMS\": true", "timeoutMS"),                      // wrong type
            ("\"aimPrefix\": false", "\"aimPrefix\": 0", "aimPrefix"),                       // 0 is not false
            ("\"layout\": \"us\"", "\"layout\": \"dvorak\"", "layout"),
            ("\"terminator\": \"enter\"", "\"terminator\": \"return\"", "terminator"),
            ("\"0c2e:0204\"", "\"0C2E:0204\"", "models[0].id"),
            ("\"0c2e:0204\"", "\"0c2e:204\"", "models[0].id"),
            ("\"transport\": \"keyboard\"", "\"transport\": \"serial\"", "models[0].transport"),
            ("\"source\": \"usb.ids: x\"", "\"source\": \"usb.ids: x\", \"beep\": 1", "models[0].beep"),
            ("\"source\": \"usb.ids: x\"", "\"source\": \"usb.ids: x\", \"enableFeatureReport\": \"f\"", "models[0].enableFeatureReport"),
            (", \"generic\": false", "", "generic"),
        ]
        for (from, to, key) in cases {
            let e = try #require(refusal(Self.good.replacingOccurrences(of: from, with: to)), "accepted: \(to)")
            #expect(e.key == key, "\(to): \(e)")
            #expect(e.source == "acme.json")
        }
        #expect(refusal("{")?.problem.contains("not valid JSON") == true)
        #expect(refusal("[1]")?.problem == "not a JSON object")
        let twice = Self.good.replacingOccurrences(of: "}]}", with: "}, {\"id\": \"0c2e:xx04\", \"name\": \"B\", \"transport\": \"keyboard\", \"source\": \"usb.ids: y\"}]}")
        #expect(refusal(twice)?.problem.contains("overlaps") == true)
    }

    @Test func aCatalogWithTwoProfilesClaimingOneIDIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ruyi-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scanners"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("devices/layouts"), to: dir.appendingPathComponent("layouts"))
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.good.utf8).write(to: dir.appendingPathComponent("scanners/acme.json"))
        #expect(try ScannerCatalog.load(devices: dir.path).profiles.count == 1)
        try Data(Self.good.replacingOccurrences(of: "acme", with: "zeta").utf8).write(to: dir.appendingPathComponent("scanners/zeta.json"))
        #expect(throws: ScannerProfileError.self) { try ScannerCatalog.load(devices: dir.path) }
        try Data(Self.good.utf8).write(to: dir.appendingPathComponent("scanners/zeta.json"))
        let e = #expect(throws: ScannerProfileError.self) { try ScannerCatalog.load(devices: dir.path) }
        #expect(e?.key == "family")
    }

    @Test func identityIgnoresUselessSerials() {
        #expect(ScannerIdentity(vendorID: 1, productID: 2, serial: "", portPath: "1-1").description == "0001:0002@1-1")
        #expect(ScannerIdentity(vendorID: 1, productID: 2, serial: "000000", portPath: "1-1").serial == nil)
        #expect(ScannerIdentity(vendorID: 1, productID: 2, serial: " 17A ", portPath: "1-1").description == "0001:0002:17A")
    }
}

@Suite struct ScannerAssignmentsTests {
    @Test func assignmentsSurviveARestartAndInheritByModel() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ruyi-assign-\(UUID().uuidString).json").path
        defer { unlink(file) }
        var a = try ScannerAssignments(file: file)
        let atPort1 = ScannerIdentity(vendorID: 0x04b4, productID: 0x0101, serial: nil, portPath: "1-1")
        try a.set("generic-hid-keyboard", for: atPort1)
        let reread = try ScannerAssignments(file: file)
        #expect(reread.family(for: atPort1) == "generic-hid-keyboard")
        // The same serial-less scanner moved to another port: a new identity that inherits the profile by vid:pid.
        let atPort2 = ScannerIdentity(vendorID: 0x04b4, productID: 0x0101, serial: nil, portPath: "1-2")
        #expect(atPort2 != atPort1 && reread.family(for: atPort2) == "generic-hid-keyboard")
        #expect(reread.family(for: ScannerIdentity(vendorID: 0x04b4, productID: 0x0102, serial: nil, portPath: "1-1")) == nil)
        var undo = reread
        try undo.remove(atPort1)
        #expect(try ScannerAssignments(file: file).family(for: atPort2) == nil)
    }

    @Test func aDamagedFileIsRefusedByName() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ruyi-assign-\(UUID().uuidString).json").path
        defer { unlink(file) }
        try Data("[{\"identity\": 1}".utf8).write(to: URL(fileURLWithPath: file))
        let e = #expect(throws: ScannerProfileError.self) { try ScannerAssignments(file: file) }
        #expect(e?.source == file && e?.problem.contains("damaged") == true)
    }
}

@Suite struct TransportChoiceTests {
    let keyboard = USBInterface(number: 0, interfaceClass: 3, subclass: 1, protocolCode: 1, endpoints: [USBEndpoint(address: 0x81, attributes: 3, maxPacketSize: 8)])
    let hidpos = USBInterface(number: 0, interfaceClass: 3, subclass: 0, protocolCode: 0,
                              endpoints: [USBEndpoint(address: 0x81, attributes: 3, maxPacketSize: 64), USBEndpoint(address: 0x02, attributes: 3, maxPacketSize: 64)])
    let cdcControl = USBInterface(number: 0, interfaceClass: 2, subclass: 2, protocolCode: 1, endpoints: [USBEndpoint(address: 0x83, attributes: 3, maxPacketSize: 8)])
    let cdcData = USBInterface(number: 1, interfaceClass: 10, subclass: 0, protocolCode: 0,
                               endpoints: [USBEndpoint(address: 0x81, attributes: 2, maxPacketSize: 64), USBEndpoint(address: 0x02, attributes: 2, maxPacketSize: 64)])

    @Test func detectReadsTheDescriptors() {
        #expect(ScannerDriver.choose([keyboard], .detect, nil)?.1 == .keyboard)
        #expect(ScannerDriver.choose([hidpos], .detect, nil)?.1 == .hidpos)
        let cdc = ScannerDriver.choose([cdcControl, cdcData], .detect, nil)
        #expect(cdc?.1 == .bulk && cdc?.0.number == 1 && cdc?.2.address == 0x81)
        #expect(ScannerDriver.choose([cdcControl, cdcData], .keyboard, nil) == nil, "a CDC device is not a keyboard")
        #expect(ScannerDriver.choose([hidpos], .bulk, nil) == nil)
        #expect(ScannerDriver.choose([cdcControl, cdcData], .bulk, 0) == nil, "the profile's interface number is honoured")
    }
}
