import Foundation
import Glibc
import Hummingbird
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPayments
import RuyiPrinting
import RuyiReceipts
import RuyiScanning
import RuyiSystem
import RuyiUSB
import ServiceLifecycle

/// What the API handlers reach: the till, the devices, the events. Built once by `Daemon`.
final class DaemonContext: Sendable {
    let till: TillSession
    let events: EventHub
    let ledger: Ledger
    let hub: ScannerHub?
    let worker: PrintWorker
    let terminalID: UUID
    let logger: Logger
    let testHooks: Bool
    let maxBodyBytes: Int
    let search: CatalogSearch
    let importer: CatalogImporter

    init(till: TillSession, events: EventHub, ledger: Ledger, hub: ScannerHub?, worker: PrintWorker, terminalID: UUID, logger: Logger,
         testHooks: Bool, maxBodyBytes: Int) {
        self.till = till; self.events = events; self.ledger = ledger; self.hub = hub; self.worker = worker
        search = CatalogSearch(ledger: ledger)
        importer = CatalogImporter(ledger: ledger, events: events, logger: logger)
        self.terminalID = terminalID; self.logger = logger; self.testHooks = testHooks; self.maxBodyBytes = maxBodyBytes
    }

    func status() async -> StatusView {
        let print = await worker.status()
        let scanners = hub?.list().filter { if case .driving = $0.state { true } else { false } }.count ?? 0
        let cashier = await till.cashierID
        let lines = await till.lineCount
        let shiftOpen = (try? ledger.shiftStatus())??.isOpen ?? false
        let summary = Self.summary(shiftOpen: shiftOpen, print: print, scanners: scanners)
        return StatusView(terminalId: terminalID.uuidString.lowercased(), version: Daemon.version, state: shiftOpen ? "selling" : "shift_closed",
                          summary: summary, cashier: cashier, shiftOpen: shiftOpen, cartLines: lines,
                          printer: print?.code ?? "printer.unknown", receiptsWaiting: print?.waiting ?? 0, scanners: scanners,
                          unheardScans: hub?.events.unheardScans ?? 0, ownerUnlocked: await till.ownerUnlockedBy,
                          payments: await till.codePaymentsState)
    }

    /// "selling · printer ok · 2 receipts waiting · 1 scanner": what `systemctl status` shows.
    static func summary(shiftOpen: Bool, print: PrintQueueStatus?, scanners: Int) -> String {
        var parts = [shiftOpen ? "selling" : "shift closed"]
        if let p = print {
            parts.append(p.printer.problem == nil ? (p.spooling ? "printing to spool folder" : "printer ok") : p.englishMessage)
            if p.waiting > 0 { parts.append("\(p.waiting) receipt\(p.waiting == 1 ? "" : "s") waiting") }
        }
        parts.append("\(scanners) scanner\(scanners == 1 ? "" : "s")")
        return parts.joined(separator: " · ")
    }

    static func view(_ s: ScannerStatus) -> ScannerView {
        let state: String
        switch s.state {
        case .driving: state = "driving"
        case .unassigned: state = "unassigned"
        case .awaitingConfirmation: state = "awaiting_confirmation"
        case .failed(let why): state = "failed: \(why)"
        case .gone: state = "gone"
        }
        return ScannerView(identity: s.identity.description, name: s.name, profile: s.family, transport: s.transport?.rawValue,
                           state: state, scans: s.scans, problems: s.problems)
    }

    func devices() async -> DevicesView {
        let scanners = (hub?.list() ?? []).map(Self.view)
        let print = await worker.status()
        var v = DevicesView(scanners: scanners, printer: print?.message ?? "打印机状态未知", receiptsWaiting: print?.waiting ?? 0)
        v.printerCode = print?.code ?? "printer.unknown"
        v.printerQueue = print?.printer.printer ?? ""
        v.printerDetail = print?.printer.detail ?? ""
        v.needsAttention = print?.needsAttention ?? 0
        return v
    }
}

/// The composition root: configuration in, one ServiceGroup out — ledger → devices → printing → till → API →
/// notifier — so SIGTERM shuts down in reverse and the ledger closes last.
public enum Daemon {
    public static let version = "0.6.0"

    public struct Options: Sendable {
        public var config: DaemonConfig
        public var configFile: String?
        public var stateDir: String
        public var socket: String
        public var testHooks = false
        public init(config: DaemonConfig, configFile: String?, stateDir: String, socket: String) {
            self.config = config; self.configFile = configFile; self.stateDir = stateDir; self.socket = socket
        }
    }

    public static func run(_ options: Options, logger: Logger) async throws {
        let c = options.config
        let state = try StateDirectory(path: options.stateDir)
        let terminalID = try state.terminalID()
        let notifier = SystemdNotifier()
        var log = Logger.module("daemon", c, logger)
        log[metadataKey: "terminal"] = "\(terminalID.uuidString.lowercased())"
        log.notice("ruyid starting", metadata: ["version": "\(version)", "state": "\(state.path)", "socket": "\(options.socket)",
                                                "config": "\(options.configFile ?? "(embedded defaults)")"])

        // Start-up phases in ms, logged with READY (where the cold start goes).
        var phases: [String] = []
        var mark = monotonicNanoseconds()
        func phase(_ name: String) {
            let now = monotonicNanoseconds()
            phases.append("\(name)=\((now - mark) / 1_000_000)")
            mark = now
        }
        // 1. The ledger (opened and migrated before anything else; closed last).
        let ledger = try Ledger(path: state.ledgerPath, options: Ledger.Options())
        phase("ledger")
        // 2. Devices: libusb and the scanners (a terminal without USB still sells: typed codes work).
        var usb: USBContext?
        var hub: ScannerHub?
        let devicesDir = c.devicesDir.isEmpty ? ScannerCatalog.defaultDevicesFolder() : c.devicesDir
        if c.scannersEnabled {
            do {
                guard let dir = devicesDir else { throw ScannerProfileError(source: "devices", key: nil, problem: "no devices folder found") }
                let catalog = try ScannerCatalog.load(devices: dir)
                let context = try USBContext(logger: Logger.module("usb", c, log))
                usb = context
                hub = ScannerHub(context: context, catalog: catalog, assignments: try ScannerAssignments(file: state.assignmentsPath),
                                 logger: Logger.module("scanner", c, log), readTimeoutMS: UInt32(c.scannerReadTimeoutMS))
            } catch {
                log.error("scanners are off: typed codes still sell", metadata: ["error": "\(error)"])
            }
        }
        phase("scanners")
        // 3. Printing: the durable queue's worker and its printer.
        let profile: PrinterProfile
        if let dir = devicesDir {
            profile = try PrinterProfiles.load(named: c.printerProfile, directory: dir + "/printers")
        } else {
            log.warning("no devices folder: printing with the built-in 80 mm profile", metadata: ["printer.profile": "\(c.printerProfile)"])
            profile = .generic80
        }
        let target = try await printTarget(c, state: state, log: Logger.module("printer", c, log))
        let worker = try PrintWorker(ledger: ledger, target: target, profile: profile)
        // 4. The till.
        phase("printer")
        let events = EventHub()
        let till = try TillSession(ledger: ledger, journalPath: state.cartJournalPath, maxTender: Money(fen: Int64(c.maxTenderYuan) * 100),
                                   store: StoreReceiptInfo(storeName: c.storeName, headerLines: [c.storeAddress, c.storePhone].filter { !$0.isEmpty }),
                                   profile: profile, cashRounding: c.cashRoundingToJiao,
                                   policy: TillPolicy(ownerUnlockSeconds: Double(c.ownerUnlockMinutes) * 60,
                                                      cashierDiscountLimitBP: Int64(c.cashierDiscountPercent) * 100),
                                   events: events,
                                   logger: Logger.module("till", c, log)) { worker.wake() }
        let context = DaemonContext(till: till, events: events, ledger: ledger, hub: hub, worker: worker, terminalID: terminalID,
                                    logger: Logger.module("api", c, log), testHooks: options.testHooks, maxBodyBytes: c.maxBodyKB * 1024)
        // Code payments, when a provider is configured: unfinished attempts are settled first thing.
        var payments: CodePayments?
        if c.paymentsProvider == "http" {
            let provider = try HTTPAcquirer(name: c.paymentsName, url: c.paymentsURL, merchant: c.paymentsMerchant,
                                            timeoutSeconds: Double(c.paymentsRequestTimeoutSeconds))
            let p = CodePayments(provider: provider, ledger: ledger,
                                 policy: CodePaymentPolicy(pollSeconds: Double(c.paymentsPollMS) / 1000, waitSeconds: Double(c.paymentsWaitSeconds)),
                                 events: events, logger: Logger.module("till", c, log), executor: till.executor)
            await p.onResolve { [till] order, resolution in await till.codePaymentSettled(order, resolution) }
            await till.attach(p)
            payments = p
        }
        await till.reconcileRestoredPayment()
        await payments?.recover()
        phase("till")
        let startup = phases.joined(separator: " ")
        // 5. The API on its Unix socket; READY=1 once it is bound (the ledger is open and migrated by then).
        try prepareSocket(options.socket)
        let socketGroup = c.socketGroup
        let readyLog = log
        let app = Application(router: APIRoutes.router(context),
                              configuration: .init(address: .unixDomainSocket(path: options.socket), serverName: "ruyid"),
                              onServerRunning: { _ in
            chmod(options.socket, 0o660)
            if !socketGroup.isEmpty, let g = getgrnam(socketGroup) { chown(options.socket, UInt32.max, g.pointee.gr_gid) }
            notifier?.notify("READY=1\nSTATUS=\(await context.status().summary)")
            readyLog.notice("ruyid ready", metadata: ["socket": "\(options.socket)", "startup_ms": "\(startup)"])
        }, logger: Logger.module("api", c, log))

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: LedgerService(ledger: ledger, logger: log))]
        if let usb { services.append(.init(service: usb)) }
        if let hub { services.append(.init(service: hub)); services.append(.init(service: ScanRouter(hub: hub, till: till, events: events, logger: log))) }
        services.append(.init(service: PrintService(worker: worker, events: events)))
        services.append(.init(service: app))
        services.append(.init(service: NotifierService(notifier: notifier, context: context, till: till, logger: log)))
        services.append(.init(service: IdleUpkeepService(till: till)))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: log))
        try await group.run()
        await payments?.close()
        if let provider = payments?.provider as? HTTPAcquirer { await provider.close() }
        await context.importer.close()
        await context.search.close()
        unlink(options.socket)
        log.notice("ruyid stopped cleanly")
    }

    /// Where receipts go. `spool`: the spool folder. `cups`: the configured queue (created for a USB receipt printer
    /// that has none, if CUPS lets us); with no queue configured, the ESC/POS queue CUPS has, else `ruyi-receipt`, else
    /// one made for a USB receipt printer found — and when there is none of those, the spool folder, with the reason
    /// logged. A configured queue is kept even while CUPS does not answer yet (cupsd may start after us): jobs wait.
    static func printTarget(_ c: DaemonConfig, state: StateDirectory, log: Logger) async throws -> any PrintTarget {
        let spool = c.spoolDir.isEmpty ? state.spoolPath : c.spoolDir
        guard c.printerKind == "cups" else { return try SpoolFolderTarget(directory: spool) }
        let server: CUPSServer
        if c.cupsServer.hasPrefix("/") {
            server = .socket(c.cupsServer)
        } else {
            let parts = c.cupsServer.split(separator: ":")
            server = CUPSServer(host: String(parts.first ?? "localhost"), port: parts.count > 1 ? Int32(parts[1]) ?? 631 : 631)
        }
        let client = CUPSClient(server: server)
        let configured = c.printerQueue.isEmpty ? nil : c.printerQueue
        // The USB probe only runs when no queue will do; bounded, so a start never waits long for it.
        let (queue, reason) = await ReceiptPrinterSetup.resolve(client: client, configured: configured, probeSeconds: 2)
        if let queue {
            log.notice("receipt printer", metadata: ["queue": "\(queue)", "how": "\(reason)"])
            return CUPSTarget(client: client, queue: queue)
        }
        if let configured {
            log.warning("the configured printer queue is not usable yet; receipts wait for it", metadata: ["queue": "\(configured)", "why": "\(reason)"])
            return CUPSTarget(client: client, queue: configured)
        }
        log.warning("no receipt printer in CUPS: receipts go to the spool folder", metadata: ["why": "\(reason)", "spool": "\(spool)"])
        return try SpoolFolderTarget(directory: spool)
    }

    /// A socket file left by a killed ruyid is removed; one a running ruyid answers on is not (two daemons must not share a till).
    static func prepareSocket(_ path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard FileManager.default.fileExists(atPath: path) else { return }
        if let fd = try? UnixSocket.connect(path, timeoutSeconds: 1) {
            close(fd)
            throw DaemonError("another ruyid is already answering on \(path): stop it first")
        }
        unlink(path)
    }
}

public struct DaemonError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

extension Logger {
    /// A module's logger with its level from `[log] levels` (else `[log] level`).
    static func module(_ name: String, _ c: DaemonConfig, _ base: Logger) -> Logger {
        var l = base
        l[metadataKey: "module"] = "\(name)"
        l.logLevel = Logger.Level(rawValue: c.logLevels[name] ?? c.logLevel) ?? .info
        return l
    }
}

/// Keeps the ledger open while the daemon runs; closes it last (it is the first service, so shutdown reaches it last).
struct LedgerService: Service {
    let ledger: Ledger
    let logger: Logger
    func run() async throws {
        try? await gracefulShutdown()
        logger.notice("ledger closing")
    }
}

/// The till's upkeep while the counter is quiet (``TillSession/idleUpkeep(slice:quietSeconds:)``): stock levels folded from the
/// sales' entries a slice at a time (a sale writes none of them), then the WAL checkpointed.
struct IdleUpkeepService: Service {
    let till: TillSession
    /// Between calls while nothing is left to do (the till decides what counts as quiet).
    var intervalSeconds: Double = 10
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let more = await till.idleUpkeep()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(more ? 0.2 : intervalSeconds)) }
        }
    }
}

/// The print worker as a service; the printer's state changes go out as `printer` events (paper out, offline, back).
struct PrintService: Service {
    let worker: PrintWorker
    let events: EventHub
    func run() async throws {
        // The worker prints until its task is cancelled: cancel it when shutdown begins (a receipt being sent is
        // resolved on the next start, never lost).
        let task = Task { await worker.run() }
        let forward = Task { [events, worker] in
            var last: (String, Int, Int)?
            for await s in worker.statusUpdates {
                let now = (s.code, s.waiting, s.needsAttention)
                if let last, last == now { continue }
                last = now
                events.publish(name: "printer", ["code": s.code, "message": s.message, "waiting": "\(s.waiting)",
                                                 "needs_attention": "\(s.needsAttention)", "printer": s.printer.printer])
            }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler { await task.value } onGracefulShutdown: { task.cancel() }
        } onCancel: { task.cancel() }
        forward.cancel()
        await worker.close()
    }
}

/// Scans from every driven scanner go to the till session, in order.
struct ScanRouter: Service {
    let hub: ScannerHub
    let till: TillSession
    let events: EventHub
    let logger: Logger
    func run() async throws {
        // A deep buffer: a scan must never be dropped because the till was busy for a moment (overflow is counted).
        for await event in hub.events.listen(buffer: 4096).cancelOnGracefulShutdown() {
            switch event {
            case .scan(let scan):
                do {
                    let outcome = try await till.scan(bytes: scan.data, symbology: scan.symbology)
                    logger.debug("scan added a line", metadata: ["scanner": "\(scan.device)", "line": "\(outcome.line?.line ?? 0)"])
                } catch {
                    events.publish(name: "warning", ["code": error.code, "message": error.message, "scanner": scan.device.description])
                }
            case .device(let s):
                events.publish(name: "scanner", ["scanner": s.identity.description, "state": "\(s.state)"])
            case .problem(let id, let p):
                events.publish(name: "scanner_problem", ["scanner": id.description, "code": p.code])
            case .report:
                break
            }
        }
    }
}
