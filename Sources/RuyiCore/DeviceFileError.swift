/// Why a device file (a printer or scanner profile, a keyboard layout, an assignment file) was refused: the file, the key,
/// and what is allowed.
public struct DeviceFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var source: String
    public var key: String?
    public var problem: String

    public init(source: String, key: String?, problem: String) {
        self.source = source
        self.key = key
        self.problem = problem
    }

    public var description: String { source + (key.map { ": \($0)" } ?? "") + ": \(problem)" }
}
