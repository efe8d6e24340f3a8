import Foundation
import RuyiTestKit
import Testing

/// `systemd/ruyid.service` checked by systemd's own tools against a temporary root holding the built binary.
@Suite struct SystemdUnitTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let unit = repo.appendingPathComponent("systemd/ruyid.service").path

    /// A root with systemd's own units, the built ruyid at /usr/bin/ruyid and `unitText` installed.
    func root(unitText: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory(prefix: "ruyid-unit")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.file("usr/bin"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir.file("usr/lib/systemd"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir.file("etc/systemd/system"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/usr/lib/systemd/system", toPath: dir.file("usr/lib/systemd/system"))
        try fm.copyItem(atPath: try BuiltProducts.executable("ruyid"), toPath: dir.file("usr/bin/ruyid"))
        try unitText.write(toFile: dir.file("etc/systemd/system/ruyid.service"), atomically: true, encoding: .utf8)
        return dir
    }

    func verify(_ text: String) throws -> (Int32, String) {
        let r = try root(unitText: text)
        return try ChildProcess.run("/usr/bin/systemd-analyze", ["verify", "--root=\(r.path)", "/etc/systemd/system/ruyid.service"], timeout: 30)
    }

    @Test func verifyAcceptsTheUnitWithoutAWarning() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let (status, output) = try verify(text)
        #expect(status == 0 && output.isEmpty, "\(output)")
        // The check is not vacuous: a misspelt key and a missing binary are both reported.
        #expect(try verify(text.replacingOccurrences(of: "NotifyAccess=main", with: "NotifyAcess=main")).1.contains("Unknown key"))
        #expect(try verify(text.replacingOccurrences(of: "/usr/bin/ruyid", with: "/usr/bin/ruyid-missing")).0 != 0)
    }

    @Test func securityExposureIsAtMostThree() throws {
        let r = try root(unitText: try String(contentsOfFile: Self.unit, encoding: .utf8))
        let (status, output) = try ChildProcess.run("/usr/bin/systemd-analyze",
                                                    ["security", "--offline=yes", "--root=\(r.path)", "--threshold=30", "/etc/systemd/system/ruyid.service"], timeout: 30)
        #expect(status == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = line.split(separator: " ").compactMap { Double($0) }.first
        #expect(score != nil && score! <= 3.0, "\(line)")
    }

    @Test func theUnitIsWhatTheDaemonAndUdevRulesExpect() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let keys = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }.map(String.init))
        for needed in ["Type=notify", "User=ruyi", "Group=ruyi", "StateDirectory=ruyi", "ConfigurationDirectory=ruyi",
                       "ProtectSystem=strict", "DevicePolicy=closed", "DeviceAllow=char-usb_device rw", "NoNewPrivileges=yes",
                       "RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6", "Restart=always"] {
            #expect(keys.contains(needed), "missing \(needed)")
        }
        #expect(keys.contains { $0.hasPrefix("WatchdogSec=") })
        #expect(!keys.contains { $0.hasPrefix("PrivateDevices=yes") }, "PrivateDevices would hide the scanners")
        let rules = try String(contentsOfFile: Self.repo.appendingPathComponent("udev/60-ruyi-scanners.rules").path, encoding: .utf8)
        #expect(rules.contains("GROUP=\"ruyi\""), "the udev rules give the unit's group the scanners")
        // The default socket lives in the unit's RuntimeDirectory.
        #expect(keys.contains("RuntimeDirectory=ruyi"))
    }
}
