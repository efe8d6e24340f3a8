/// One USB device as the scanner side sees it: for `ruyi usb list`, the owner's device screen and the API.
public struct ScannerStatus: Hashable, Sendable, CustomStringConvertible {
    public enum State: Hashable, Sendable {
        /// Read by Ruyi: scans flow.
        case driving
        /// No profile matches: listed, not driven, until the owner assigns one.
        case unassigned
        /// Assigning the generic keyboard profile waits for the owner's confirmation.
        case awaitingConfirmation
        /// Matched but could not be driven (in use elsewhere, no permission, bad descriptors, stalls); the words say why.
        case failed(String)
        /// Unplugged.
        case gone
    }

    public var identity: ScannerIdentity
    public var name: String
    public var family: String?
    public var transport: ScannerTransport?
    public var state: State
    public var portPath: String
    public var scans = 0
    public var problems = 0
    public var lastProblem: ScanProblem?
    /// Reports the device sent faster than they could be taken (bounded buffer).
    public var droppedReports = 0
    /// Whether the kernel had a driver on it before we took it (a keyboard: the OS loses it while we hold it).
    public var tookFromKernel = false

    public var description: String {
        let s: String
        switch state {
        case .driving: s = "driving"
        case .unassigned: s = "no profile (not driven)"
        case .awaitingConfirmation: s = "waiting for the owner's confirmation"
        case .failed(let why): s = "failed: \(why)"
        case .gone: s = "unplugged"
        }
        return "\(identity) \(name) [\(family ?? "-")/\(transport?.rawValue ?? "-")] \(s)"
    }
}
