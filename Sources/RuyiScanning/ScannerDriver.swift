import Foundation
import Logging
import RuyiSystem
import RuyiUSB

/// Drives one scanner: opens it, claims its interface (taking it from the kernel driver if need be), reads its IN
/// endpoint continuously, decodes reports and publishes scans. One actor per device, on the shared USB I/O thread
/// (the synchronous libusb calls block up to their timeout; never on Swift's shared pool).
actor ScannerDriver {
    nonisolated let unownedExecutor: UnownedSerialExecutor
    let device: USBDevice
    let profile: ScannerProfile
    let model: ScannerModel?
    let layout: KeyboardLayout
    let sink: ScanBroadcaster
    let logger: Logger
    let readTimeoutMS: UInt32
    let report: @Sendable (ScannerStatus, _ publish: Bool) -> Void

    private var handle: USBDeviceHandle?
    private var decoder: ScanDecoder?
    private var endpoint: USBEndpoint?
    private var interfaceNumber: UInt8 = 0
    private let readerBox = ReaderBox()
    private(set) var status: ScannerStatus
    private var expiryScheduled: UInt64?
    private var consecutiveStalls = 0
    private var out: [DecodedItem] = []

    init(device: USBDevice, profile: ScannerProfile, model: ScannerModel?, layout: KeyboardLayout, sink: ScanBroadcaster,
         executor: DedicatedThreadExecutor, logger: Logger, readTimeoutMS: UInt32, identity: ScannerIdentity,
         report: @escaping @Sendable (ScannerStatus, _ publish: Bool) -> Void) {
        unownedExecutor = executor.asUnownedSerialExecutor()
        self.device = device
        self.profile = profile
        self.model = model
        self.layout = layout
        self.sink = sink
        var l = logger
        l[metadataKey: "scanner"] = "\(identity)"
        self.logger = l
        self.readTimeoutMS = readTimeoutMS
        self.report = report
        status = ScannerStatus(identity: identity, name: model?.name ?? profile.name, family: profile.family,
                               transport: model?.transport, state: .failed("not started"), portPath: device.portPath)
    }

    func setIdentity(_ identity: ScannerIdentity) {
        status.identity = identity
        report(status, true)
    }

    /// Opens and claims the device and starts reading. On failure everything taken is given back (kernel driver
    /// reattached, handle closed) and the status says why.
    func start() throws(ScannerError) {
        do {
            let h = try USBDeviceHandle(opening: device)
            handle = h
            let interfaces = try device.interfaces()
            // No model (an owner assignment): the generic profile types; any other family is read from the descriptors.
            let wanted = model?.transport ?? (profile.generic ? .keyboard : .detect)
            guard let (interface, transport, ep) = Self.choose(interfaces, wanted, model?.interface) else {
                throw ScannerError.unusable("no interface fits \(wanted.rawValue) mode (\(interfaces.count) interfaces)")
            }
            interfaceNumber = interface.number
            endpoint = ep
            status.transport = transport
            status.tookFromKernel = try h.claim(interface: interface.number)
            if transport == .keyboard && interface.isBootKeyboard { h.prepareBootKeyboard(interface: interface.number) }
            if let feature = model?.enableFeatureReport {
                do { try h.setFeatureReport(interface: interface.number, feature) } catch {
                    logger.warning("enable feature report refused; reading anyway", metadata: ["error": "\(error)"])
                }
            }
            decoder = ScanDecoder(transport: transport, profile: profile, layout: layout)
            try startReader()
            status.state = .driving
            report(status, true)
            logger.info("scanner driven", metadata: ["transport": "\(transport.rawValue)", "interface": "\(interface.number)",
                                                      "endpoint": "0x\(String(ep.address, radix: 16))", "took_from_kernel": "\(status.tookFromKernel)"])
        } catch let e as LibUSBError {
            close()
            let error = ScannerError.usb(e)
            status.state = .failed(error.description)
            report(status, true)
            throw error
        } catch let e as ScannerError {
            close()
            status.state = .failed(e.description)
            report(status, true)
            throw e
        } catch {
            close()
            throw ScannerError.unusable("\(error)")
        }
    }

    /// Which interface, transport and IN endpoint to use for the model's transport (`detect`: from the descriptors).
    static func choose(_ interfaces: [USBInterface], _ wanted: ScannerTransport, _ number: Int?) -> (USBInterface, ScannerTransport, USBEndpoint)? {
        let candidates = number.map { n in interfaces.filter { Int($0.number) == n } } ?? interfaces
        func keyboard() -> (USBInterface, ScannerTransport, USBEndpoint)? {
            (candidates.first { $0.isBootKeyboard && $0.interruptIn != nil }).map { ($0, .keyboard, $0.interruptIn!) }
        }
        func hidpos() -> (USBInterface, ScannerTransport, USBEndpoint)? {
            (candidates.first { $0.isHID && !$0.isBootKeyboard && $0.interruptIn != nil }).map { ($0, .hidpos, $0.interruptIn!) }
        }
        func bulk() -> (USBInterface, ScannerTransport, USBEndpoint)? {
            (candidates.first { $0.bulkIn != nil }).map { ($0, .bulk, $0.bulkIn!) }
        }
        switch wanted {
        case .keyboard: return keyboard() ?? (candidates.first { $0.isHID && $0.interruptIn != nil }).map { ($0, .keyboard, $0.interruptIn!) }
        case .hidpos: return hidpos()
        case .bulk: return bulk()
        case .detect: return keyboard() ?? hidpos() ?? bulk()
        }
    }

    private func startReader() throws(LibUSBError) {
        guard let handle, let endpoint else { return }
        let length = max(Int(endpoint.maxPacketSize), endpoint.isBulk ? 512 : 8)
        readerBox.set(try handle.startReading(endpoint: endpoint, length: length, timeoutMS: readTimeoutMS))
    }

    /// Reads until the device goes away, `stop()` is called or the endpoint cannot be recovered; then gives
    /// everything back. Returns the reason reading ended.
    func run() async -> LibUSBError? {
        var ended: LibUSBError?
        while let reader = readerBox.current {
            for await event in reader.events {
                switch event {
                case .data(let bytes, let time):
                    consecutiveStalls = 0
                    handle(bytes, at: time)
                case .timedOut(let time):
                    expire(at: time)
                case .ended(let error):
                    ended = error
                }
            }
            status.droppedReports += reader.dropped
            readerBox.set(nil)
            guard let error = ended, error.is(.pipe), !readerBox.stopping else { break }
            // A stalled endpoint: clear it and read on, a bounded number of times in a row.
            consecutiveStalls += 1
            logger.warning("endpoint stalled; clearing it", metadata: ["count": "\(consecutiveStalls)"])
            guard consecutiveStalls <= 5 else {
                status.state = .failed("the scanner keeps refusing to send (endpoint stalled 5 times); unplug it and plug it back in")
                break
            }
            do {
                try self.handle?.clearHalt(endpoint: endpoint?.address ?? 0)
                try startReader()
                ended = nil
            } catch {
                status.state = .failed("cannot recover the stalled endpoint: \(error)")
                break
            }
        }
        let why = ended.map { $0.is(.noDevice) ? "unplugged" : $0.is(.interrupted) ? "stopped" : "read failed: \($0)" } ?? "stopped"
        if var d = decoder, let p = d.abandon(why) {
            decoder = d
            count(p)
            logger.warning("partial scan dropped", metadata: ["problem": "\(p)"])
            sink.publish(.problem(status.identity, p))
        }
        close()
        if case .driving = status.state {
            let gone = ended == nil || ended!.is(.noDevice) || ended!.is(.interrupted)
            status.state = gone ? .gone : .failed(why)
        }
        report(status, true)
        return ended
    }

    /// Stops reading (from any thread, at once): `run()` then drops a partial scan and gives the device back.
    nonisolated func stop() { readerBox.stop() }

    private func handle(_ bytes: [UInt8], at time: UInt64) {
        if sink.wantsRaw { sink.publish(.report(status.identity, bytes)) }
        decoder?.feed(bytes, at: time, into: &out)
        deliver(at: time)
        scheduleExpiry()
    }

    private func expire(at time: UInt64) {
        decoder?.expire(at: time, into: &out)
        deliver(at: time)
    }

    /// Publishes what the decoder made of the report that arrived at `time` (a scan's time is its last report's).
    /// Each item is counted in the device list before it is published, so whoever hears it and then asks for the list
    /// finds it counted.
    private func deliver(at time: UInt64) {
        guard !out.isEmpty else { return }
        for item in out {
            switch item {
            case .scan(let text, let data, let symbology):
                status.scans += 1
                report(status, false) // counters for the device list; not an event
                sink.publish(.scan(Scan(text: text, data: data, symbology: symbology, device: status.identity, time: time)))
            case .problem(let p):
                count(p)
                report(status, false)
                if status.problems <= 10 || status.problems % 100 == 0 {
                    logger.warning("report skipped", metadata: ["problem": "\(p)", "problems_so_far": "\(status.problems)"])
                }
                sink.publish(.problem(status.identity, p))
            }
        }
        out.removeAll(keepingCapacity: true)
    }

    private func count(_ p: ScanProblem) {
        status.problems += 1
        status.lastProblem = p
    }

    /// A scan in progress must end (or be dropped) after its timeout even if no report comes.
    private func scheduleExpiry() {
        guard let deadline = decoder?.deadline, expiryScheduled != deadline else { return }
        expiryScheduled = deadline
        let now = monotonicNanoseconds()
        let wait = deadline > now ? deadline - now : 0
        Task { [weak self] in
            try? await Task.sleep(nanoseconds: wait + 1_000_000)
            await self?.expireIfDue()
        }
    }

    private func expireIfDue() {
        expiryScheduled = nil
        guard let deadline = decoder?.deadline else { return }
        let now = monotonicNanoseconds()
        if now >= deadline { expire(at: now) } else { scheduleExpiry() }
    }

    private func close() {
        handle?.close()
        handle = nil
    }
}

/// The current reader, reachable from `stop()` without waiting for the actor. Guarded by `lock`.
final class ReaderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var reader: USBInReader?
    private var stopped = false

    var current: USBInReader? { lock.lock(); defer { lock.unlock() }; return reader }
    var stopping: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func set(_ r: USBInReader?) {
        lock.lock()
        reader = r
        let s = stopped
        lock.unlock()
        if s { r?.cancel() }
    }

    func stop() {
        lock.lock()
        stopped = true
        let r = reader
        lock.unlock()
        r?.cancel()
    }
}

/// Why a scanner could not be driven.
public enum ScannerError: Error, Hashable, Sendable, CustomStringConvertible {
    case usb(LibUSBError)
    case unusable(String)

    public var description: String {
        switch self {
        case .usb(let e) where e.is(.busy): "in use by another program (is ruyid running? stop it first, or use `ruyi devices`): \(e)"
        case .usb(let e) where e.is(.access): "no permission: install udev/60-ruyi-scanners.rules and add the user to group ruyi (\(e))"
        case .usb(let e): e.description
        case .unusable(let why): why
        }
    }
}
