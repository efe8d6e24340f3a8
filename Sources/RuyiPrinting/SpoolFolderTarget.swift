import Foundation
import RuyiLedger

/// The printer used when there is no CUPS server (the README's run command on a fresh machine): every job's ESC/POS
/// bytes and its text preview are written to a folder, named by creation order and job id.
///
/// Not a CUPS `file:` device: on a raw queue that reports success and writes nothing. A file is written under a
/// temporary name and renamed into place, so a job's file is either whole or absent, and a job whose file exists is
/// printed: a crash never writes it twice.
public struct SpoolFolderTarget: PrintTarget {
    public let directory: String
    public var name: String { "spool" }
    public var isSpool: Bool { true }
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func file(for job: PrintJob) -> String {
        let n = String(job.n)
        return (directory as NSString).appendingPathComponent(String(repeating: "0", count: max(0, 6 - n.count)) + n + "-" + job.id.lowercased + ".bin")
    }

    public func send(_ job: PrintJob, bytes: [UInt8], preview: String, ledger: Ledger, fault: (@Sendable (PrintFaultPoint) -> Void)?,
                     isolation: isolated (any Actor)? = #isolation) async throws {
        try ledger.updatePrintJob(job.id, state: .submitting, printer: name, attempts: job.attempts + 1, detail: "to \(directory)")
        fault?(.beforeCreate)
        let path = file(for: job)
        try write(Data(bytes), to: path)
        try write(Data(preview.utf8), to: String(path.dropLast(4)) + ".txt")
        fault?(.afterDocument)
        try ledger.updatePrintJob(job.id, state: .printed, detail: "written to \(path)")
    }

    public func resolve(_ job: PrintJob, ledger: Ledger, isolation: isolated (any Actor)? = #isolation) async throws {
        if FileManager.default.fileExists(atPath: file(for: job)) {
            try ledger.updatePrintJob(job.id, state: .printed, detail: "found \(file(for: job))")
        } else {
            try ledger.updatePrintJob(job.id, state: .queued, detail: "not written yet: write again")
        }
    }

    public func status() async -> PrinterStatus { PrinterStatus(printer: name, detail: directory) }

    public func sendNow(_ bytes: [UInt8], deadline: Double) async -> Bool { false }

    private func write(_ data: Data, to path: String) throws {
        let temporary = path + ".part"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        // fsync before the rename, so the name never points at a file a power cut emptied.
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
