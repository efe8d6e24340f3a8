import Foundation
import RuyiCore

/// Why a scanner profile, layout or assignment file was refused.
public typealias ScannerProfileError = DeviceFileError

/// How a scanner model talks over USB.
public enum ScannerTransport: String, Hashable, Sendable, CaseIterable, Codable {
    /// HID keyboard, boot protocol: 8-byte reports of key usages on the interrupt IN endpoint.
    case keyboard
    /// HID-POS (usage page 0x8C): scanned-data reports with length, AIM symbology and continuation.
    case hidpos
    /// CDC-ACM or vendor-specific bulk IN: a byte stream framed by the terminator.
    case bulk
    /// Decide from the interface descriptors: HID boot keyboard → keyboard, other HID → hidpos, bulk IN → bulk.
    case detect
}

/// A product id, or a pattern of one: `0b81`, or `xx03` (any high byte; Newland encodes the interface in the low byte).
public struct ProductPattern: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt16
    /// Bits that must equal `value`'s.
    public let mask: UInt16

    public init?(_ s: String) {
        let u = Array(s.utf8)
        guard u.count == 4 else { return nil }
        if u[0] == UInt8(ascii: "x") && u[1] == UInt8(ascii: "x") {
            guard let low = USBID.parse("00" + String(decoding: u[2...], as: UTF8.self)) else { return nil }
            value = low; mask = 0x00FF
        } else {
            guard let v = USBID.parse(s) else { return nil }
            value = v; mask = 0xFFFF
        }
    }

    public func matches(_ product: UInt16) -> Bool { product & mask == value }
    public var description: String { mask == 0xFFFF ? USBID.hex(value) : "xx" + String(USBID.hex(value).suffix(2)) }
    /// The same pattern as a udev glob (`??03`).
    public var udevGlob: String { mask == 0xFFFF ? USBID.hex(value) : "??" + String(USBID.hex(value).suffix(2)) }
}

/// One model (or one interface mode of a model family) in a profile.
public struct ScannerModel: Hashable, Sendable {
    public var vendorID: UInt16
    public var product: ProductPattern
    public var name: String
    public var transport: ScannerTransport
    /// Where the ids come from: `usb.ids: …` (the USB ID database) or the vendor document / public source.
    public var source: String
    /// Interface number to claim; nil: the first one that fits the transport.
    public var interface: Int?
    /// A feature report sent when the device is opened (report id first), e.g. Honeywell's `fe01` that switches
    /// HID-POS reporting on.
    public var enableFeatureReport: [UInt8]?

    /// `0c2e:0b81`, `1eab:xx03`.
    public var id: String { USBID.hex(vendorID) + ":" + product.description }
}

/// A scanner profile (`devices/scanners/*.json`): one model family, how it types and frames scans.
public struct ScannerProfile: Hashable, Sendable {
    public var family: String
    /// Shown to the owner.
    public var name: String
    /// The keyboard layout the scanner types in (keyboard mode), by name (`us`, `de`, `fr`).
    public var layout: String
    public var terminator: KeyboardTerminator
    public var bulkTerminator: BulkFramer.Terminator
    /// Silence that ends a terminator-less scan or abandons a cut-off one.
    public var timeoutMS: Int
    /// The scanner is programmed to send an AIM symbology prefix (`]E0`) in keyboard and bulk modes.
    public var aimPrefix: Bool
    /// "Any HID keyboard-class device the owner marks as a scanner": matches no ids by itself.
    public var generic: Bool
    public var models: [ScannerModel]
    /// The file it was read from.
    public var file: String

    public func model(vendorID: UInt16, productID: UInt16) -> ScannerModel? {
        models.first { $0.vendorID == vendorID && $0.product.matches(productID) }
    }

    static let keys: Set<String> = ["family", "name", "layout", "terminator", "bulkTerminator", "timeoutMS", "aimPrefix", "generic", "models"]
    static let modelKeys: Set<String> = ["id", "name", "transport", "source", "interface", "enableFeatureReport"]

    /// Reads a profile strictly: every family key is required, unknown keys are refused, ids must be well formed.
    public static func parse(json bytes: [UInt8], source file: String, layouts: Set<String>) throws(ScannerProfileError) -> ScannerProfile {
        func fail(_ key: String?, _ problem: String) -> ScannerProfileError { ScannerProfileError(source: file, key: key, problem: problem) }
        guard bytes.count <= 256 * 1024 else { throw fail(nil, "\(bytes.count) bytes; a profile is a small JSON object") }
        let o: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw fail(nil, "not a JSON object") }
            o = object
        } catch let e as ScannerProfileError {
            throw e
        } catch {
            throw fail(nil, "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"))")
        }
        if let unknown = o.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail(unknown, "unknown key; the keys are \(keys.sorted().joined(separator: ", "))")
        }
        func text(_ dict: [String: Any], _ key: String, _ path: String, max: Int = 300) throws(ScannerProfileError) -> String {
            guard let v = dict[key] else { throw fail(path, "missing") }
            guard let s = v as? String, !s.isEmpty, s.count <= max else { throw fail(path, "a text of 1–\(max) characters") }
            return s
        }
        func bool(_ key: String) throws(ScannerProfileError) -> Bool {
            guard let v = o[key] else { throw fail(key, "missing") }
            guard let b = JSONScalar.bool(v) else { throw fail(key, "true or false") }
            return b
        }
        let family = try text(o, "family", "family", max: 40)
        guard family.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
            throw fail("family", "lower-case letters, digits and '-' only (it is the file's name)")
        }
        let layout = try text(o, "layout", "layout", max: 40)
        guard layouts.contains(layout) else { throw fail("layout", "\(layout.debugDescription) is not a layout in devices/layouts (there are: \(layouts.sorted().joined(separator: ", ")))") }
        guard let terminator = KeyboardTerminator(rawValue: try text(o, "terminator", "terminator")) else {
            throw fail("terminator", "enter, tab or none")
        }
        guard let bulkTerminator = BulkFramer.Terminator(rawValue: try text(o, "bulkTerminator", "bulkTerminator")) else {
            throw fail("bulkTerminator", "cr, lf, crlf, tab or none")
        }
        guard let t = o["timeoutMS"] else { throw fail("timeoutMS", "missing") }
        guard let timeout = JSONScalar.int(t), (10...2000).contains(timeout) else { throw fail("timeoutMS", "a whole number of milliseconds from 10 to 2000") }
        let generic = try bool("generic")
        guard let rawModels = o["models"] as? [[String: Any]] else { throw fail("models", "missing: a list of models") }
        guard generic || !rawModels.isEmpty else { throw fail("models", "empty: a profile that is not generic lists its models") }
        guard rawModels.count <= 200 else { throw fail("models", "more than 200 models") }
        var models: [ScannerModel] = []
        for (i, m) in rawModels.enumerated() {
            let path = "models[\(i)]"
            if let unknown = m.keys.sorted().first(where: { !modelKeys.contains($0) }) {
                throw fail("\(path).\(unknown)", "unknown key; the keys are \(modelKeys.sorted().joined(separator: ", "))")
            }
            let id = try text(m, "id", "\(path).id", max: 9)
            let parts = id.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let vendor = USBID.parse(String(parts[0])), let product = ProductPattern(String(parts[1])) else {
                throw fail("\(path).id", "\(id.debugDescription) is not vvvv:pppp in lower-case hex (pppp may be xxNN)")
            }
            guard let transport = ScannerTransport(rawValue: try text(m, "transport", "\(path).transport")) else {
                throw fail("\(path).transport", "keyboard, hidpos, bulk or detect")
            }
            let source = try text(m, "source", "\(path).source")
            var interface: Int?
            if let v = m["interface"] {
                guard let n = JSONScalar.int(v), (0...31).contains(n) else { throw fail("\(path).interface", "an interface number from 0 to 31") }
                interface = n
            }
            var feature: [UInt8]?
            if let v = m["enableFeatureReport"] {
                guard let hex = v as? String, let bytes = hexBytes(hex), (2...64).contains(bytes.count) else {
                    throw fail("\(path).enableFeatureReport", "2–64 bytes in hex, report id first (e.g. \"fe01\")")
                }
                feature = bytes
            }
            let model = ScannerModel(vendorID: vendor, product: product, name: try text(m, "name", "\(path).name", max: 120),
                                     transport: transport, source: source, interface: interface, enableFeatureReport: feature)
            if let twin = models.first(where: { $0.vendorID == vendor && ($0.product.matches(product.value) || product.matches($0.product.value)) }) {
                throw fail("\(path).id", "\(model.id) overlaps \(twin.id) in the same file")
            }
            models.append(model)
        }
        return ScannerProfile(family: family, name: try text(o, "name", "name", max: 120), layout: layout, terminator: terminator,
                              bulkTerminator: bulkTerminator, timeoutMS: timeout, aimPrefix: try bool("aimPrefix"), generic: generic,
                              models: models, file: file)
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            guard let b = UInt8(String(decoding: u[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
            i += 2
        }
        return out
    }
}

/// Every scanner profile and layout the terminal knows (`devices/`), and the lookups the driver needs.
public struct ScannerCatalog: Sendable {
    public var profiles: [ScannerProfile]
    public var layouts: [String: KeyboardLayout]

    public init(profiles: [ScannerProfile], layouts: [String: KeyboardLayout]) {
        self.profiles = profiles
        self.layouts = layouts
    }

    /// Reads `devices/layouts/*.json` and `devices/scanners/*.json`. A bad file is an error naming the file and key; two
    /// profiles claiming the same id are an error (which one drives the scanner must never depend on file order).
    public static func load(devices: String) throws(ScannerProfileError) -> ScannerCatalog {
        let layouts = try KeyboardLayout.load(directory: (devices as NSString).appendingPathComponent("layouts"))
        let folder = (devices as NSString).appendingPathComponent("scanners")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw ScannerProfileError(source: folder, key: nil, problem: "no such folder: scanner profiles live in devices/scanners")
        }
        var profiles: [ScannerProfile] = []
        for file in names.sorted() where file.hasSuffix(".json") {
            let path = (folder as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else { throw ScannerProfileError(source: path, key: nil, problem: "cannot be read") }
            let profile = try ScannerProfile.parse(json: [UInt8](data), source: path, layouts: Set(layouts.keys))
            guard file == profile.family + ".json" else {
                throw ScannerProfileError(source: path, key: "family", problem: "is \(profile.family.debugDescription); the file must be named \(profile.family).json")
            }
            for other in profiles {
                for m in profile.models {
                    if let twin = other.models.first(where: { $0.vendorID == m.vendorID && ($0.product.matches(m.product.value) || m.product.matches($0.product.value)) }) {
                        throw ScannerProfileError(source: path, key: "models", problem: "\(m.id) is also claimed by \(twin.id) in \(other.file)")
                    }
                }
            }
            profiles.append(profile)
        }
        return ScannerCatalog(profiles: profiles, layouts: layouts)
    }

    /// The profile and model that drive a device with these ids, nil when none claims it (then it is listed, not driven).
    public func match(vendorID: UInt16, productID: UInt16) -> (profile: ScannerProfile, model: ScannerModel)? {
        for p in profiles { if let m = p.model(vendorID: vendorID, productID: productID) { return (p, m) } }
        return nil
    }

    public func profile(family: String) -> ScannerProfile? { profiles.first { $0.family == family } }

    /// The generic keyboard profile the owner can assign to an unknown HID keyboard.
    public var genericKeyboard: ScannerProfile? { profiles.first { $0.generic } }
}

/// JSONSerialization hands back NSNumber for both numbers and booleans; these tell them apart (`true` is not 1).
enum JSONScalar {
    static func bool(_ v: Any) -> Bool? {
        guard let n = v as? NSNumber, String(cString: n.objCType) == "c" else { return nil }
        return n.boolValue
    }

    static func int(_ v: Any) -> Int? {
        guard let n = v as? NSNumber, "ilqsILQS".contains(String(cString: n.objCType)) else { return nil }
        return n.intValue
    }
}

extension ScannerCatalog {
    /// Where `devices/` is when nobody says: `$RUYI_DEVICES`, then `./devices` (a checkout), then the installed
    /// `/usr/share/ruyi/devices`. Nil when none exists.
    public static func defaultDevicesFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let e = environment["RUYI_DEVICES"], !e.isEmpty { candidates.append(e) }
        candidates.append(FileManager.default.currentDirectoryPath + "/devices")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        // .build/debug/ruyi → the checkout's devices/
        candidates.append(exe.appendingPathComponent("../../devices").standardized.path)
        candidates.append(exe.appendingPathComponent("../../../devices").standardized.path)
        candidates.append("/usr/share/ruyi/devices")
        var isDir: ObjCBool = false
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/scanners", isDirectory: &isDir) && isDir.boolValue }
    }
}
