import CCUPS
import RuyiSystem
import Glibc

/// The one owner of every libcups call (libcups is not safe to call concurrently and keeps per-thread state).
///
/// Runs on a thread of its own (``DedicatedThreadExecutor``), talks to one configured scheduler through an explicit
/// `http_t*` from `httpConnect2` (never `CUPS_HTTP_DEFAULT` or `cupsSetServer`), and bounds every request with
/// `httpSetTimeout`, so a scheduler that stopped answering (SIGSTOP, a hung cupsd) costs this thread a timeout and
/// nothing else: scans, sales and receipt composition never wait for it.
public actor CUPSClient {
    private let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public nonisolated let server: CUPSServer
    /// Seconds a connect or a reply may take before the call fails with ``CUPSError/unreachableCode``.
    public nonisolated let timeout: Double
    private var http: OpaquePointer?

    public init(server: CUPSServer, timeout: Double = 10) {
        self.server = server
        self.timeout = timeout
        executor = DedicatedThreadExecutor(name: "ruyi-cups")
    }

    /// Closes the connection and ends the thread. The client must not be used afterwards.
    public func close() {
        if let http { httpClose(http) }
        http = nil
        executor.shutdown()
    }

    /// True when this code runs on the client's own thread (for the tests that prove it).
    public func runsOnOwnThread() -> Bool { executor.isCurrent }

    // MARK: - Queues

    /// Every queue CUPS has, with its state.
    public func printers() throws(CUPSError) -> [CUPSPrinter] {
        let request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS)
        addRequestedAttributes(request, Self.printerAttributes)
        let response = try send(request, "/", "CUPS-Get-Printers")
        defer { ippDelete(response) }
        return Self.groups(response, IPP_TAG_PRINTER).compactMap(Self.printer)
    }

    /// One queue's state; ``CUPSError/notFoundCode`` when it does not exist.
    public func printer(_ name: String) throws(CUPSError) -> CUPSPrinter {
        let request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, Self.printerURI(name))
        addRequestedAttributes(request, Self.printerAttributes)
        let response = try send(request, "/", "Get-Printer-Attributes")
        defer { ippDelete(response) }
        guard let p = Self.groups(response, IPP_TAG_PRINTER).first.flatMap(Self.printer) else {
            throw CUPSError(code: CUPSError.notFoundCode, operation: "Get-Printer-Attributes", message: "no printer \(name)")
        }
        return p
    }

    /// Creates (or changes) a raw queue for a receipt printer: no driver (the bytes are ESC/POS already), accepting and
    /// enabled, and `printer-error-policy=retry-current-job`, because CUPS' default (stop-printer) leaves a printer
    /// that was briefly off disabled until an administrator re-enables it.
    ///
    /// - Important: CUPS allows this only to members of its SystemGroup (`lpadmin` on Debian); otherwise it throws
    ///   ``CUPSError/forbiddenCode`` and the caller keeps using the queues that exist.
    public func addRawQueue(name: String, deviceURI: String, info: String = "Ruyi receipt printer") throws(CUPSError) {
        guard Self.isValidQueueName(name) else {
            throw CUPSError(code: CUPSError.failedCode, operation: "CUPS-Add-Modify-Printer",
                            message: "queue name \"\(name)\": use 1–127 letters, digits, - or _")
        }
        let request = ippNewRequest(IPP_OP_CUPS_ADD_MODIFY_PRINTER)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, Self.printerURI(name))
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
        ippAddString(request, IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", nil, deviceURI)
        ippAddString(request, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-info", nil, info)
        ippAddString(request, IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-error-policy", nil, "retry-current-job")
        ippAddBoolean(request, IPP_TAG_PRINTER, "printer-is-accepting-jobs", 1)
        ippAddInteger(request, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", Int32(IPP_PSTATE_IDLE.rawValue))
        ippDelete(try send(request, "/admin/", "CUPS-Add-Modify-Printer"))
    }

    /// What CUPS' backends can see (USB printers without a queue among them). Slow: the backends probe for up to
    /// `timeout` seconds.
    public func devices(timeout seconds: Int32 = 5) throws(CUPSError) -> [CUPSDevice] {
        let request = ippNewRequest(IPP_OP_CUPS_GET_DEVICES)
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "timeout", seconds)
        let response = try send(request, "/", "CUPS-Get-Devices")
        defer { ippDelete(response) }
        return Self.groups(response, IPP_TAG_PRINTER).compactMap { a in
            guard let uri = a["device-uri"]?.first else { return nil }
            return CUPSDevice(uri: uri, deviceClass: a["device-class"]?.first ?? "", info: a["device-info"]?.first ?? "",
                              makeAndModel: a["device-make-and-model"]?.first ?? "", deviceID: a["device-id"]?.first ?? "")
        }
    }

    // MARK: - Jobs

    /// Creates a job named `name` (Ruyi's print-job UUID) on `printer` and returns its CUPS id. The document follows
    /// with ``sendDocument(printer:job:bytes:)``; the two steps are separate so the caller can record the id between them.
    public func createJob(printer: String, name: String) throws(CUPSError) -> Int32 {
        let http = try connection()
        let id = cupsCreateJob(http, printer, name, 0, nil)
        guard id > 0 else { throw lastError("cupsCreateJob") }
        return id
    }

    /// Sends the raw bytes as the job's only document (`CUPS_FORMAT_RAW`: no filter touches them).
    public func sendDocument(printer: String, job: Int32, bytes: [UInt8]) throws(CUPSError) {
        let http = try connection()
        guard cupsStartDocument(http, printer, job, "receipt", CCUPS_format_raw(), 1) == HTTP_STATUS_CONTINUE else {
            throw lastError("cupsStartDocument")
        }
        let written = bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { cupsWriteRequestData(http, $0, b.count) }
        }
        guard written == HTTP_STATUS_CONTINUE else {
            _ = cupsFinishDocument(http, printer)
            throw lastError("cupsWriteRequestData")
        }
        let status = cupsFinishDocument(http, printer)
        guard status.rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue else { throw lastError("cupsFinishDocument") }
    }

    /// Every job CUPS keeps on `printer` (active and finished) whose name is `name`, newest first, found with
    /// `cupsGetJobs2` and completed with each job's document count.
    public func jobs(printer: String, named name: String) throws(CUPSError) -> [CUPSJob] {
        let http = try connection()
        var list: UnsafeMutablePointer<cups_job_t>?
        let n = cupsGetJobs2(http, &list, printer, 0, CCUPS_whichjobs_all())
        guard n >= 0 else { throw lastError("cupsGetJobs2") }
        defer { cupsFreeJobs(n, list) }
        var ids: [Int32] = []
        for i in 0..<Int(n) {
            let j = list![i]
            if j.title != nil && String(cString: j.title) == name { ids.append(j.id) }
        }
        var found: [CUPSJob] = []
        for id in ids.sorted(by: >) {
            if let job = try job(id) { found.append(job) }
        }
        return found
    }

    /// A job's state, or nil when CUPS no longer knows the id.
    public func job(_ id: Int32) throws(CUPSError) -> CUPSJob? {
        let request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(id)")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
        addRequestedAttributes(request, ["job-id", "job-name", "job-state", "job-state-reasons", "number-of-documents", "job-printer-uri"])
        let response: OpaquePointer
        do {
            response = try send(request, "/", "Get-Job-Attributes")
        } catch where error.code == CUPSError.notFoundCode {
            return nil
        }
        defer { ippDelete(response) }
        guard let a = Self.groups(response, IPP_TAG_JOB).first, let state = a["job-state"]?.first.flatMap({ Int32($0) }).flatMap(CUPSJobState.init) else {
            return nil
        }
        let printerURI = a["job-printer-uri"]?.first ?? ""
        return CUPSJob(id: id, name: a["job-name"]?.first ?? "", printer: String(printerURI.split(separator: "/").last ?? ""), state: state,
                       documents: a["number-of-documents"]?.first.flatMap { Int($0) } ?? 0,
                       reasons: (a["job-state-reasons"] ?? []).filter { $0 != "none" })
    }

    /// Cancels a job (used only for a job that was created but never got its document: nothing of it was printed).
    public func cancel(printer: String, job: Int32) throws(CUPSError) {
        let http = try connection()
        let status = cupsCancelJob2(http, printer, job, 0)
        guard status.rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue else { throw lastError("cupsCancelJob2") }
    }

    // MARK: - The boundary: connection, requests, errors

    private func connection() throws(CUPSError) -> OpaquePointer {
        if let http { return http }
        guard let h = httpConnect2(server.host, server.port, nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1,
                                   Int32(timeout * 1000), nil) else {
            throw CUPSError(code: CUPSError.unreachableCode, operation: "httpConnect2",
                            message: "cannot connect to CUPS at \(server): \(String(cString: strerror(errno)))")
        }
        // A reply that does not come within the timeout fails the call (no callback: give up, do not extend).
        httpSetTimeout(h, timeout, nil, nil)
        http = h
        return h
    }

    /// Sends an IPP request (consumed) and returns the response, or throws what went wrong.
    private func send(_ request: OpaquePointer?, _ resource: String, _ operation: String) throws(CUPSError) -> OpaquePointer {
        let http: OpaquePointer
        do { http = try connection() } catch { ippDelete(request); throw error }
        guard let response = cupsDoRequest(http, request, resource) else { throw lastError(operation) }
        let status = ippGetStatusCode(response)
        guard status.rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue else {
            ippDelete(response)
            throw lastError(operation, status: status)
        }
        return response
    }

    /// The thread's last libcups error as a typed error. A failure below IPP drops the connection, so the next call
    /// reconnects instead of reusing a dead or desynchronised one.
    private func lastError(_ operation: String, status given: ipp_status_t? = nil) -> CUPSError {
        let status = given ?? cupsLastError()
        let message = String(cString: cupsLastErrorString())
        let code: String
        switch status {
        case IPP_STATUS_ERROR_NOT_FOUND: code = CUPSError.notFoundCode
        case IPP_STATUS_ERROR_FORBIDDEN, IPP_STATUS_ERROR_NOT_AUTHORIZED, IPP_STATUS_ERROR_NOT_AUTHENTICATED,
             IPP_STATUS_ERROR_CUPS_AUTHENTICATION_CANCELED:
            code = CUPSError.forbiddenCode
        case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS: code = CUPSError.notAcceptingCode
        case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE, IPP_STATUS_ERROR_INTERNAL, IPP_STATUS_ERROR_DEVICE:
            code = CUPSError.unreachableCode
        default: code = CUPSError.failedCode
        }
        if code == CUPSError.unreachableCode || httpGetFd(http) < 0 || httpError(http) != 0 {
            if let http { httpClose(http) }
            http = nil
        }
        return CUPSError(code: code, operation: operation, status: Int32(status.rawValue), message: message)
    }

    private func addRequestedAttributes(_ request: OpaquePointer?, _ names: [String]) {
        var pointers = names.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        pointers.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: b.count) { values in
                _ = ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", Int32(b.count), nil, values)
            }
        }
    }

    // MARK: - Reading responses (pure)

    static let printerAttributes = ["printer-name", "device-uri", "printer-state", "printer-state-reasons", "printer-state-message",
                                    "printer-is-accepting-jobs", "printer-make-and-model", "printer-info", "printer-device-id",
                                    "printer-error-policy"]

    static func printerURI(_ name: String) -> String { "ipp://localhost/printers/\(name)" }

    static func isValidQueueName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 127
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    /// The attribute groups of one tag in a response (a CUPS-Get-Printers reply holds one printer group per queue),
    /// each as name → values (integers, enums and booleans as decimal strings).
    static func groups(_ response: OpaquePointer, _ tag: ipp_tag_t) -> [[String: [String]]] {
        var out: [[String: [String]]] = []
        var current: [String: [String]]?
        var attr = ippFirstAttribute(response)
        while let a = attr {
            let group = ippGetGroupTag(a)
            if let nameC = ippGetName(a), group == tag {
                var values: [String] = []
                for i in 0..<ippGetCount(a) {
                    switch ippGetValueTag(a) {
                    case IPP_TAG_INTEGER, IPP_TAG_ENUM: values.append(String(ippGetInteger(a, i)))
                    case IPP_TAG_BOOLEAN: values.append(ippGetBoolean(a, i) != 0 ? "1" : "0")
                    default: values.append(ippGetString(a, i, nil).map { String(cString: $0) } ?? "")
                    }
                }
                if current == nil { current = [:] }
                current![String(cString: nameC)] = values
            } else if current != nil {
                out.append(current!)   // a separator or another group ends this one
                current = nil
            }
            attr = ippNextAttribute(response)
        }
        if let current { out.append(current) }
        return out
    }

    static func printer(_ a: [String: [String]]) -> CUPSPrinter? {
        guard let name = a["printer-name"]?.first else { return nil }
        let state = a["printer-state"]?.first.flatMap { Int32($0) }.flatMap(CUPSPrinter.State.init) ?? .idle
        return CUPSPrinter(name: name, deviceURI: a["device-uri"]?.first ?? "", state: state,
                           reasons: (a["printer-state-reasons"] ?? []).filter { $0 != "none" },
                           message: a["printer-state-message"]?.first ?? "", acceptingJobs: a["printer-is-accepting-jobs"]?.first == "1",
                           makeAndModel: a["printer-make-and-model"]?.first ?? "", info: a["printer-info"]?.first ?? "",
                           deviceID: a["printer-device-id"]?.first ?? "", errorPolicy: a["printer-error-policy"]?.first ?? "")
    }
}
