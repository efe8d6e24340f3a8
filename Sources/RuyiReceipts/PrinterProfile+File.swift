import Foundation
import RuyiCore

/// Why a printer profile file was refused.
public typealias PrinterProfileError = DeviceFileError

extension PrinterProfile {
    static let keys: Set<String> = ["name", "match", "paperWidthMM", "columns", "needsChineseModeCommand", "fourByteCharacters",
                                    "cutter", "feedBeforeCut", "drawerPulseOn", "drawerPulseOff", "qrModuleSize"]

    /// Reads a profile file (`devices/printers/*.json`). Every key is required, unknown keys are refused (a typo must
    /// not silently fall back to a default), and every value is range-checked.
    public static func parse(json bytes: [UInt8], source: String) throws(PrinterProfileError) -> PrinterProfile {
        func fail(_ key: String?, _ problem: String) -> PrinterProfileError { PrinterProfileError(source: source, key: key, problem: problem) }
        guard bytes.count <= 64 * 1024 else { throw fail(nil, "\(bytes.count) bytes; a profile is a small JSON object (at most 64 KB)") }
        let keysFound: [String]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw fail(nil, "not a JSON object") }
            keysFound = Array(o.keys)
        } catch let e as PrinterProfileError {
            throw e
        } catch {
            throw fail(nil, "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"))")
        }
        if let unknown = keysFound.sorted().first(where: { !keys.contains($0) }) {
            throw fail(unknown, "unknown key; the keys are \(keys.sorted().joined(separator: ", "))")
        }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(bytes))
        } catch let DecodingError.typeMismatch(type, context) {
            throw fail(context.codingPath.first?.stringValue, "wrong type: \(type == Bool.self ? "true or false" : type == String.self ? "a text" : type == Int.self ? "a whole number" : "\(type)") expected")
        } catch let DecodingError.dataCorrupted(context) {
            throw fail(context.codingPath.first?.stringValue, context.debugDescription)
        } catch {
            throw fail(nil, "\(error)")
        }
        func need<T>(_ value: T?, _ key: String) throws(PrinterProfileError) -> T {
            guard let value else { throw fail(key, "missing") }
            return value
        }
        func int(_ value: Int?, _ key: String, _ range: ClosedRange<Int>) throws(PrinterProfileError) -> Int {
            let v = try need(value, key)
            guard range.contains(v) else { throw fail(key, "\(v) is out of range: a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return v
        }
        let name = try need(raw.name, "name")
        guard !name.isEmpty, name.count <= 120 else { throw fail("name", "a text of 1–120 characters") }
        let patterns = try need(raw.match, "match")
        guard patterns.count <= 32, patterns.allSatisfy({ !$0.isEmpty && $0.count <= 120 }) else {
            throw fail("match", "a list of up to 32 texts (parts of the printer's IEEE-1284 id)")
        }
        let width = try int(raw.paperWidthMM, "paperWidthMM", 58...80)
        guard width == 58 || width == 80 else { throw fail("paperWidthMM", "58 or 80") }
        let columns = try int(raw.columns, "columns", 24...64)
        let allowed = width == 58 ? [32] : [42, 48]
        guard allowed.contains(columns) else { throw fail("columns", "\(allowed.map(String.init).joined(separator: " or ")) on \(width) mm paper") }
        guard let cutter = Cutter(rawValue: try need(raw.cutter, "cutter")) else { throw fail("cutter", "none, partial or full") }
        return PrinterProfile(name: name, match: patterns, paperWidthMM: width, columns: columns,
                              needsChineseModeCommand: try need(raw.needsChineseModeCommand, "needsChineseModeCommand"),
                              fourByteCharacters: try need(raw.fourByteCharacters, "fourByteCharacters"),
                              cutter: cutter, feedBeforeCut: try int(raw.feedBeforeCut, "feedBeforeCut", 0...20),
                              drawerPulseOn: UInt8(try int(raw.drawerPulseOn, "drawerPulseOn", 1...255)),
                              drawerPulseOff: UInt8(try int(raw.drawerPulseOff, "drawerPulseOff", 1...255)),
                              qrModuleSize: UInt8(try int(raw.qrModuleSize, "qrModuleSize", 1...16)))
    }

    private struct Raw: Decodable {
        var name: String?
        var match: [String]?
        var paperWidthMM: Int?
        var columns: Int?
        var needsChineseModeCommand: Bool?
        var fourByteCharacters: Bool?
        var cutter: String?
        var feedBeforeCut: Int?
        var drawerPulseOn: Int?
        var drawerPulseOff: Int?
        var qrModuleSize: Int?
    }

    /// The first profile whose `match` patterns all occur in the device id; nil when none does.
    public static func matching(deviceID: String, in profiles: [PrinterProfile]) -> PrinterProfile? {
        profiles.first { !$0.match.isEmpty && $0.match.contains { deviceID.contains($0) } }
    }
}
