import Foundation

/// The profiles the owner assigned to devices no profile claims, kept in the state folder as JSON.
///
/// Keyed by identity; a device with no exact entry inherits the assignment of its model (vid:pid), so a serial-less
/// scanner moved to another port keeps working. Written atomically (temp file + rename); a damaged file is refused at
/// start with its name rather than silently forgotten.
public struct ScannerAssignments: Sendable {
    public struct Entry: Codable, Hashable, Sendable {
        public var identity: String
        public var model: String
        public var family: String
    }

    public private(set) var entries: [Entry] = []
    public let file: String?

    /// In memory only (tools, tests).
    public init() { file = nil }

    /// Loads `file` (absent: no assignments).
    public init(file: String) throws(ScannerProfileError) {
        self.file = file
        guard FileManager.default.fileExists(atPath: file) else { return }
        guard let data = FileManager.default.contents(atPath: file) else { throw ScannerProfileError(source: file, key: nil, problem: "cannot be read") }
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw ScannerProfileError(source: file, key: nil, problem: "damaged (\(error)); move it away to forget the owner's scanner assignments")
        }
    }

    public func family(for identity: ScannerIdentity) -> String? {
        entries.first { $0.identity == identity.description }?.family ?? entries.first { $0.model == identity.model }?.family
    }

    mutating func set(_ family: String, for identity: ScannerIdentity) throws {
        entries.removeAll { $0.identity == identity.description }
        entries.append(Entry(identity: identity.description, model: identity.model, family: family))
        try save()
    }

    mutating func remove(_ identity: ScannerIdentity) throws {
        entries.removeAll { $0.identity == identity.description || $0.model == identity.model }
        try save()
    }

    private func save() throws {
        guard let file else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(entries).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
