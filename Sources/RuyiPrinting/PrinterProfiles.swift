import Foundation
import RuyiReceipts

/// The receipt printer profiles in a folder (`devices/printers/*.json`), read at start.
public enum PrinterProfiles {
    /// Every `*.json` profile in `directory`, by file name. A bad file is an error naming it (the daemon does not start
    /// half-configured); an absent folder is no profiles.
    public static func load(directory: String) throws(PrinterProfileError) -> [PrinterProfile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var profiles: [PrinterProfile] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PrinterProfileError(source: path, key: nil, problem: "cannot be read")
            }
            profiles.append(try PrinterProfile.parse(json: [UInt8](data), source: path))
        }
        return profiles
    }
}

extension PrinterProfiles {
    /// The profile file `<directory>/<name>.json` (`printer.profile` in ruyid.toml). A missing file is an error that
    /// lists the profiles there are: a typo must not quietly print with another printer's settings.
    public static func load(named name: String, directory: String) throws(PrinterProfileError) -> PrinterProfile {
        let path = (directory as NSString).appendingPathComponent(name + ".json")
        guard let data = FileManager.default.contents(atPath: path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }
                .map { String($0.dropLast(5)) }.sorted()
            throw PrinterProfileError(source: path, key: nil, problem: "no such printer profile; there are: \(known.joined(separator: ", "))")
        }
        return try PrinterProfile.parse(json: [UInt8](data), source: path)
    }
}
