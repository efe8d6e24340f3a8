import Foundation
import RuyiPayments
import TOMLKit

/// ruyid's configuration (`/etc/ruyi/ruyid.toml`). Every key has a working built-in default, so ruyid runs with no file
/// at all; every key is documented in the README. A file with an unknown key, a wrong type or a value out of range is
/// refused at start with the file, the line and the dotted key: the daemon never starts half-configured.
public struct DaemonConfig: Sendable, Equatable {
    // [daemon]
    /// Where the ledger, the journal of the open cart and the terminal id live. Empty: `$STATE_DIRECTORY` (systemd),
    /// else `$XDG_STATE_HOME/ruyi`, else `~/.local/state/ruyi`.
    public var stateDir = ""
    /// The local API's Unix socket.
    public var socket = "/run/ruyi/ruyid.sock"
    /// Group given the socket (mode 0660); empty: the daemon's own group.
    public var socketGroup = "ruyi"
    // [store]
    public var storeName = "如意便利店"
    public var storeAddress = ""
    public var storePhone = ""
    public var cashRoundingToJiao = false
    // [till]
    /// The largest amount one tender may hand over, in yuan (a typo of 10000 for 100.00 is refused, not changed).
    public var maxTenderYuan = 20_000
    /// Owner actions stay unlocked this many minutes after the owner's PIN or their last owner action.
    public var ownerUnlockMinutes = 5
    /// The largest discount (percent of what it applies to) a cashier gives without the owner's PIN.
    public var cashierDiscountPercent = 10
    // [printer]
    /// `spool` (receipts written to a folder: no hardware) or `cups`.
    public var printerKind = "spool"
    /// CUPS queue name (`cups`); empty: the first raw queue found.
    public var printerQueue = ""
    /// CUPS server: a socket path or host:port.
    public var cupsServer = "/run/cups/cups.sock"
    /// Spool folder (`spool`); empty: `<state>/spool`.
    public var spoolDir = ""
    /// Printer profile file name in `devices/printers` (without .json).
    public var printerProfile = "xprinter-xp80"
    // [scanners]
    public var scannersEnabled = true
    /// The folder with `scanners/`, `layouts/`, `printers/`; empty: the installed or checkout `devices/`.
    public var devicesDir = ""
    public var scannerReadTimeoutMS = 1000
    // [log]
    /// trace, debug, info, notice, warning, error, critical.
    public var logLevel = "info"
    /// Per-module levels, e.g. `scanner = "debug"` (modules: daemon, api, till, scanner, usb, printer, ledger).
    public var logLevels: [String: String] = [:]
    // [api]
    public var maxBodyKB = 1024
    // [payments]
    /// `none` (code payments refused: take cash) or `http` (an acquirer gateway speaking HTTPAcquirer's API).
    public var paymentsProvider = "none"
    /// The provider's name on receipts and reports.
    public var paymentsName = "code"
    /// `http`: the gateway, `http://ADDRESS:PORT`.
    public var paymentsURL = ""
    public var paymentsMerchant = ""
    /// Each request to the acquirer gives up after this long (the order is then queried).
    public var paymentsRequestTimeoutSeconds = 10
    /// Between queries while the customer confirms on the phone.
    public var paymentsPollMS = 2000
    /// How long the customer may take to confirm before the order is reversed.
    public var paymentsWaitSeconds = 60

    public init() {}

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static let modules = ["daemon", "api", "till", "scanner", "usb", "printer", "ledger"]

    /// The effective configuration as TOML (`ruyid --print-config`).
    public var toml: String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = [
            "[daemon]", "state_dir = \(q(stateDir))", "socket = \(q(socket))", "socket_group = \(q(socketGroup))", "",
            "[store]", "name = \(q(storeName))", "address = \(q(storeAddress))", "phone = \(q(storePhone))",
            "cash_rounding_jiao = \(cashRoundingToJiao)", "",
            "[till]", "max_tender_yuan = \(maxTenderYuan)", "owner_unlock_minutes = \(ownerUnlockMinutes)",
            "cashier_discount_percent = \(cashierDiscountPercent)", "",
            "[printer]", "kind = \(q(printerKind))", "queue = \(q(printerQueue))", "cups_server = \(q(cupsServer))",
            "spool_dir = \(q(spoolDir))", "profile = \(q(printerProfile))", "",
            "[scanners]", "enabled = \(scannersEnabled)", "devices_dir = \(q(devicesDir))", "read_timeout_ms = \(scannerReadTimeoutMS)", "",
            "[log]", "level = \(q(logLevel))",
        ]
        if !logLevels.isEmpty { lines.append("levels = { " + logLevels.sorted { $0.key < $1.key }.map { "\($0.key) = \(q($0.value))" }.joined(separator: ", ") + " }") }
        lines += ["", "[api]", "max_body_kb = \(maxBodyKB)", "",
                  "[payments]", "provider = \(q(paymentsProvider))", "name = \(q(paymentsName))", "url = \(q(paymentsURL))",
                  "merchant = \(q(paymentsMerchant))", "request_timeout_seconds = \(paymentsRequestTimeoutSeconds)",
                  "poll_ms = \(paymentsPollMS)", "wait_seconds = \(paymentsWaitSeconds)"]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Why a configuration file was refused: file, line, dotted key, what is allowed.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var problem: String

    public var description: String {
        "\(file)" + (line.map { ":\($0)" } ?? "") + (key.map { ": \($0)" } ?? "") + ": \(problem)"
    }
}

extension DaemonConfig {
    /// Reads a configuration file over the defaults.
    public static func load(file: String) throws(ConfigError) -> DaemonConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: nil, key: nil, problem: "cannot be read (does it exist, and may ruyid read it?)")
        }
        guard data.count <= 256 * 1024 else { throw ConfigError(file: file, line: nil, key: nil, problem: "\(data.count) bytes; a configuration is a few KB") }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: file, line: nil, key: nil, problem: "not UTF-8 text") }
        return try parse(text, file: file)
    }

    /// Parses TOML text over the defaults. TOMLKit gives lines for syntax errors only; for type, range and unknown-key
    /// errors we find the key's line in the text ourselves (`KeyLines`).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError(file: file, line: e.source.begin.line, key: nil, problem: "not valid TOML: \(e.description)")
        } catch {
            throw ConfigError(file: file, line: nil, key: nil, problem: "not valid TOML: \(error)")
        }
        let lines = KeyLines(text)
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError(file: file, line: lines.line(of: key), key: key, problem: problem) }
        var c = DaemonConfig()
        let schema: [String: Set<String>] = [
            "daemon": ["state_dir", "socket", "socket_group"],
            "store": ["name", "address", "phone", "cash_rounding_jiao"],
            "till": ["max_tender_yuan", "owner_unlock_minutes", "cashier_discount_percent"],
            "printer": ["kind", "queue", "cups_server", "spool_dir", "profile"],
            "scanners": ["enabled", "devices_dir", "read_timeout_ms"],
            "log": ["level", "levels"],
            "api": ["max_body_kb"],
            "payments": ["provider", "name", "url", "merchant", "request_timeout_seconds", "poll_ms", "wait_seconds"],
        ]
        for (section, value) in table {
            guard let keys = schema[section] else {
                throw fail(section, "unknown section; the sections are \(schema.keys.sorted().joined(separator: ", "))")
            }
            guard let t = value.table else { throw fail(section, "must be a section ([\(section)]), not a \(value.type)") }
            for (key, _) in t where !keys.contains(key) {
                throw fail("\(section).\(key)", "unknown key; [\(section)] has \(keys.sorted().joined(separator: ", "))")
            }
        }
        func value(_ path: String) -> (any TOMLValueConvertible)? {
            let parts = path.split(separator: ".").map(String.init)
            return table[parts[0]]?.table?[parts[1]]
        }
        func string(_ path: String, into target: inout String, max: Int = 4096, allowed: [String]? = nil) throws(ConfigError) {
            guard let v = value(path) else { return }
            guard let s = v.string else { throw fail(path, "must be a text in quotes, not a \(v.type)") }
            guard s.utf8.count <= max else { throw fail(path, "longer than \(max) bytes") }
            if let allowed, !allowed.contains(s) { throw fail(path, "\(s.debugDescription) is not one of \(allowed.joined(separator: ", "))") }
            target = s
        }
        func int(_ path: String, into target: inout Int, _ range: ClosedRange<Int>) throws(ConfigError) {
            guard let v = value(path) else { return }
            guard v.type == .int, let n = v.int else { throw fail(path, "must be a whole number, not a \(v.type)") }
            guard range.contains(n) else { throw fail(path, "\(n) is out of range: \(range.lowerBound)–\(range.upperBound)") }
            target = n
        }
        func bool(_ path: String, into target: inout Bool) throws(ConfigError) {
            guard let v = value(path) else { return }
            guard v.type == .bool, let b = v.bool else { throw fail(path, "must be true or false, not a \(v.type)") }
            target = b
        }
        try string("daemon.state_dir", into: &c.stateDir)
        try string("daemon.socket", into: &c.socket, max: 107)
        guard c.socket.hasPrefix("/") else { throw fail("daemon.socket", "must be an absolute path") }
        try string("daemon.socket_group", into: &c.socketGroup, max: 32)
        try string("store.name", into: &c.storeName, max: 120)
        try string("store.address", into: &c.storeAddress, max: 300)
        try string("store.phone", into: &c.storePhone, max: 40)
        try bool("store.cash_rounding_jiao", into: &c.cashRoundingToJiao)
        try int("till.max_tender_yuan", into: &c.maxTenderYuan, 1...1_000_000)
        try int("till.owner_unlock_minutes", into: &c.ownerUnlockMinutes, 1...120)
        try int("till.cashier_discount_percent", into: &c.cashierDiscountPercent, 0...100)
        try string("printer.kind", into: &c.printerKind, allowed: ["spool", "cups"])
        try string("printer.queue", into: &c.printerQueue, max: 127)
        try string("printer.cups_server", into: &c.cupsServer)
        try string("printer.spool_dir", into: &c.spoolDir)
        try string("printer.profile", into: &c.printerProfile, max: 60)
        try bool("scanners.enabled", into: &c.scannersEnabled)
        try string("scanners.devices_dir", into: &c.devicesDir)
        try int("scanners.read_timeout_ms", into: &c.scannerReadTimeoutMS, 50...60_000)
        try string("log.level", into: &c.logLevel, allowed: levels)
        if let v = value("log.levels") {
            guard let t = v.table else { throw fail("log.levels", "must be a table of module = \"level\", e.g. { scanner = \"debug\" }") }
            for (module, level) in t {
                guard modules.contains(module) else { throw fail("log.levels.\(module)", "unknown module; the modules are \(modules.joined(separator: ", "))") }
                guard let s = level.string, levels.contains(s) else { throw fail("log.levels.\(module)", "must be one of \(levels.joined(separator: ", "))") }
                c.logLevels[module] = s
            }
        }
        try int("api.max_body_kb", into: &c.maxBodyKB, 1...65_536)
        try string("payments.provider", into: &c.paymentsProvider, allowed: ["none", "http"])
        try string("payments.name", into: &c.paymentsName, max: 32)
        try string("payments.url", into: &c.paymentsURL, max: 200)
        try string("payments.merchant", into: &c.paymentsMerchant, max: 64)
        try int("payments.request_timeout_seconds", into: &c.paymentsRequestTimeoutSeconds, 1...60)
        try int("payments.poll_ms", into: &c.paymentsPollMS, 100...30_000)
        try int("payments.wait_seconds", into: &c.paymentsWaitSeconds, 5...600)
        if c.paymentsProvider == "http" {
            do { _ = try HTTPAcquirer.check(url: c.paymentsURL) } catch { throw fail("payments.url", error.description) }
        }
        return c
    }
}

/// Finds the line a dotted key is set on: `[section]` headers, `key = …` lines and inline tables (`levels = { scanner = … }`).
struct KeyLines {
    private var found: [String: Int] = [:]

    init(_ text: String) {
        var section = ""
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                let name = line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                section = name
                if found[name] == nil { found[name] = i + 1 }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let path = section.isEmpty ? key : section + "." + key
            if found[path] == nil { found[path] = i + 1 }
            // Inline table: `levels = { scanner = "debug", usb = "info" }`.
            let rest = line[line.index(after: eq)...]
            if let open = rest.firstIndex(of: "{") {
                for part in rest[rest.index(after: open)...].split(separator: ",") {
                    guard let e = part.firstIndex(of: "=") else { continue }
                    let inner = part[..<e].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'{"))
                    if found[path + "." + inner] == nil { found[path + "." + inner] = i + 1 }
                }
            }
        }
    }

    func line(of path: String) -> Int? {
        var p = path
        while true {
            if let l = found[p] { return l }
            guard let dot = p.lastIndex(of: ".") else { return nil }
            p = String(p[..<dot])
        }
    }
}
