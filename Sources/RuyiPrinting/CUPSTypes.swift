import Foundation

/// Where the CUPS scheduler listens: a Unix socket path or a host and port.
public struct CUPSServer: Hashable, Sendable, CustomStringConvertible {
    /// A socket path (starts with `/`) or a host name.
    public var host: String
    public var port: Int32

    public init(host: String, port: Int32 = 631) {
        self.host = host
        self.port = port
    }

    public static func socket(_ path: String) -> CUPSServer { CUPSServer(host: path, port: 631) }
    /// Debian's cupsd.
    public static let system = CUPSServer.socket("/run/cups/cups.sock")

    public var description: String { host.hasPrefix("/") ? host : "\(host):\(port)" }
}

/// Why a CUPS call failed. `code` is stable for programs and logs; `message` is libcups' own words.
public struct CUPSError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    /// The libcups call or IPP operation, e.g. `cupsCreateJob`.
    public var operation: String
    /// `ipp_status_t` (or 0 when the failure was below IPP, e.g. no connection).
    public var status: Int32
    public var message: String

    public init(code: String, operation: String, status: Int32 = 0, message: String) {
        self.code = code
        self.operation = operation
        self.status = status
        self.message = message
    }

    /// The scheduler cannot be reached (no socket, refused, or it stopped answering within the timeout).
    public static let unreachableCode = "cups.unreachable"
    /// The queue does not exist (`client-error-not-found`).
    public static let notFoundCode = "cups.not_found"
    /// CUPS refused an administrative operation: the daemon's user is not in CUPS' SystemGroup (`lpadmin`).
    public static let forbiddenCode = "cups.forbidden"
    /// The queue is not accepting jobs.
    public static let notAcceptingCode = "cups.not_accepting"
    /// Any other refusal.
    public static let failedCode = "cups.failed"

    public var description: String { "\(operation): \(message) [\(code)]" }
}

public enum CUPSJobState: Int32, Hashable, Sendable, CustomStringConvertible {
    case pending = 3, held = 4, processing = 5, stopped = 6, canceled = 7, aborted = 8, completed = 9

    /// CUPS will do nothing more with the job.
    public var isFinal: Bool { rawValue >= 7 }

    public var description: String {
        switch self {
        case .pending: "pending"
        case .held: "held"
        case .processing: "processing"
        case .stopped: "stopped"
        case .canceled: "canceled"
        case .aborted: "aborted"
        case .completed: "completed"
        }
    }
}

/// A job as CUPS reports it.
public struct CUPSJob: Hashable, Sendable {
    public var id: Int32
    /// The job name: Ruyi sets it to the print job's UUID, so a job can be found again after a crash.
    public var name: String
    public var printer: String
    public var state: CUPSJobState
    /// Documents CUPS holds for the job: 0 for a job created but never sent (the crash window).
    public var documents: Int
    public var reasons: [String]
}

/// A CUPS queue and its state.
public struct CUPSPrinter: Hashable, Sendable {
    public enum State: Int32, Hashable, Sendable { case idle = 3, processing = 4, stopped = 5 }

    public var name: String
    public var deviceURI: String
    public var state: State
    /// `printer-state-reasons` without `none`: `media-empty`, `offline-report`, `paused`, `connecting-to-device`…
    public var reasons: [String]
    public var message: String
    public var acceptingJobs: Bool
    public var makeAndModel: String
    public var info: String
    /// IEEE-1284 device id when CUPS knows it (`MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;`), else empty.
    public var deviceID: String
    public var errorPolicy: String
}

/// A device a CUPS backend reports (CUPS-Get-Devices), e.g. a USB printer with no queue yet.
public struct CUPSDevice: Hashable, Sendable {
    public var uri: String
    public var deviceClass: String
    public var info: String
    public var makeAndModel: String
    public var deviceID: String
}

/// Reads IEEE-1284 device ids: is this device an ESC/POS receipt printer?
public enum IEEE1284 {
    /// The id's fields by key (`MFG`, `MDL`, `CMD`, …); the long key names (`MANUFACTURER`, `COMMAND SET`, `MODEL`) are
    /// folded onto the short ones.
    public static func fields(_ id: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in id.split(separator: ";") {
            guard let colon = part.firstIndex(of: ":") else { continue }
            let key = part[..<colon].trimmingCharacters(in: .whitespaces).uppercased()
            let value = part[part.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let short = ["MANUFACTURER": "MFG", "COMMAND SET": "CMD", "MODEL": "MDL", "DESCRIPTION": "DES", "CLASS": "CLS"][key] ?? key
            out[short] = value
        }
        return out
    }

    /// True when the command set names ESC/POS (`CMD:ESC/POS`, `CMD:ESCPOS,…`, `CMD:EPSON ESC/POS`).
    public static func isReceiptPrinter(_ id: String) -> Bool {
        guard let cmd = fields(id)["CMD"] else { return false }
        return cmd.split(separator: ",").contains { part in
            let p = part.uppercased().replacingOccurrences(of: " ", with: "")
            return p.hasSuffix("ESC/POS") || p.hasSuffix("ESCPOS")
        }
    }
}
