import Foundation

/// What a keyboard-mode scanner's key usages mean: the layout the *scanner* was programmed to type in, read from
/// `devices/layouts/*.json`. The OS keyboard layout never touches scan data: we decode usages ourselves with this table.
///
/// A layout file has `name`, `description`, `source` and `keys` (usage in hex → `[plain, shift]` or
/// `[plain, shift, altgr]`, one character each, `""` for none), optionally `dead` (usages of dead keys) and `ctrl`
/// (usage → the control character Ctrl+that key gives, in hex; Ctrl+letter is always 0x01–0x1A).
public struct KeyboardLayout: Sendable, Hashable {
    public let name: String
    public let description: String
    /// Where the table comes from (a standard, the OS layout it mirrors).
    public let source: String
    // Unicode scalar values per usage and level; 0 means no character.
    let plain: [UInt32]
    let shift: [UInt32]
    let altGr: [UInt32]
    let dead: [Bool]
    let control: [UInt8]
    /// Whether the layout has an AltGr level at all (then right Alt, or Ctrl+Alt, selects it).
    public let hasAltGr: Bool

    /// Every character a scan decoded with this layout can contain, Alt+keypad codes aside.
    public let characters: Set<Unicode.Scalar>

    static let keys: Set<String> = ["name", "description", "source", "keys", "dead", "ctrl"]

    /// Reads a layout file strictly: unknown keys, malformed usages and entries that are not single characters are errors.
    public static func parse(json bytes: [UInt8], source file: String) throws(ScannerProfileError) -> KeyboardLayout {
        func fail(_ key: String?, _ problem: String) -> ScannerProfileError { ScannerProfileError(source: file, key: key, problem: problem) }
        guard bytes.count <= 256 * 1024 else { throw fail(nil, "\(bytes.count) bytes; a layout is a small JSON object") }
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw fail(nil, "not a JSON object") }
            object = o
        } catch let e as ScannerProfileError {
            throw e
        } catch {
            throw fail(nil, "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"))")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail(unknown, "unknown key; the keys are \(keys.sorted().joined(separator: ", "))")
        }
        func text(_ key: String) throws(ScannerProfileError) -> String {
            guard let v = object[key] else { throw fail(key, "missing") }
            guard let s = v as? String, !s.isEmpty, s.count <= 300 else { throw fail(key, "a text of 1–300 characters") }
            return s
        }
        let name = try text("name")
        guard name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }) else { throw fail("name", "lower-case letters and '-' only (it is the file's name)") }
        var plain = [UInt32](repeating: 0, count: 256), shift = plain, altGr = plain
        var dead = [Bool](repeating: false, count: 256)
        var control = [UInt8](repeating: 0xFF, count: 256) // 0xFF: Ctrl+key gives nothing
        guard let table = object["keys"] as? [String: Any], !table.isEmpty else { throw fail("keys", "missing: an object of usage → [plain, shift(, altgr)]") }
        func usage(_ s: String, _ key: String) throws(ScannerProfileError) -> Int {
            guard s.utf8.count == 2, let u = UInt8(s, radix: 16), s == s.lowercased() else { throw fail(key, "\(s.debugDescription) is not a HID usage (two lower-case hex digits)") }
            return Int(u)
        }
        var hasAltGr = false
        for (k, v) in table {
            let u = try usage(k, "keys.\(k)")
            guard let levels = v as? [String], (2...3).contains(levels.count) else { throw fail("keys.\(k)", "a list of 2 or 3 characters: plain, shift, altgr") }
            var scalars: [UInt32] = []
            for level in levels {
                let s = level.unicodeScalars
                guard s.count <= 1 else { throw fail("keys.\(k)", "\(level.debugDescription) is more than one character") }
                scalars.append(s.first?.value ?? 0)
            }
            plain[u] = scalars[0]
            shift[u] = scalars[1]
            if scalars.count == 3 { altGr[u] = scalars[2]; hasAltGr = hasAltGr || scalars[2] != 0 }
        }
        if let d = object["dead"] {
            guard let list = d as? [String] else { throw fail("dead", "a list of usages") }
            for k in list { dead[try usage(k, "dead")] = true }
        }
        if let c = object["ctrl"] {
            guard let map = c as? [String: String] else { throw fail("ctrl", "an object of usage → control character (hex)") }
            for (k, v) in map {
                let u = try usage(k, "ctrl.\(k)")
                guard let b = UInt8(v, radix: 16), b < 0x20 else { throw fail("ctrl.\(k)", "\(v.debugDescription) is not a control character 00–1f") }
                control[u] = b
            }
        }
        return KeyboardLayout(name: name, description: try text("description"), source: try text("source"),
                              plain: plain, shift: shift, altGr: altGr, dead: dead, control: control, hasAltGr: hasAltGr)
    }

    init(name: String, description: String, source: String, plain: [UInt32], shift: [UInt32], altGr: [UInt32],
         dead: [Bool], control: [UInt8], hasAltGr: Bool) {
        self.name = name
        self.description = description
        self.source = source
        self.plain = plain
        self.shift = shift
        self.altGr = altGr
        self.dead = dead
        self.control = control
        self.hasAltGr = hasAltGr
        var set = Set<Unicode.Scalar>()
        for table in [plain, shift, altGr] { for v in table where v != 0 { if let s = Unicode.Scalar(v) { set.insert(s) } } }
        for c in control where c != 0xFF { set.insert(Unicode.Scalar(c)) }
        for v in plain where v >= 0x61 && v <= 0x7A { set.insert(Unicode.Scalar(UInt8(v) & 0x1F)) }
        set.insert("\t")
        characters = set
    }

    public static func == (a: KeyboardLayout, b: KeyboardLayout) -> Bool { a.name == b.name && a.plain == b.plain && a.shift == b.shift && a.altGr == b.altGr }
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// Every `*.json` layout in `directory`, by name.
    public static func load(directory: String) throws(ScannerProfileError) -> [String: KeyboardLayout] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ScannerProfileError(source: directory, key: nil, problem: "no such folder: the keyboard layouts live in devices/layouts")
        }
        var layouts: [String: KeyboardLayout] = [:]
        for file in names.sorted() where file.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else { throw ScannerProfileError(source: path, key: nil, problem: "cannot be read") }
            let layout = try parse(json: [UInt8](data), source: path)
            guard file == layout.name + ".json" else { throw ScannerProfileError(source: path, key: "name", problem: "is \(layout.name.debugDescription); the file must be named \(layout.name).json") }
            layouts[layout.name] = layout
        }
        return layouts
    }
}
