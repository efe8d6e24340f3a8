import Foundation
import Logging
import RuyiSystem
import RuyiUSB
import ServiceLifecycle

/// The scanner side of the terminal: follows USB hotplug, drives every device a profile (or the owner) claims, lists
/// the rest, and publishes scans on `events`. Run it as a `Service` after the USB context's service.
public actor ScannerHub: Service {
    let context: USBContext
    public let catalog: ScannerCatalog
    public nonisolated let events: ScanBroadcaster
    private var assignments: ScannerAssignments
    private let executor: DedicatedThreadExecutor
    private let probe: DeviceProbe
    private let logger: Logger
    private let readTimeoutMS: UInt32
    private let board = StatusBoard()

    private struct Present {
        var device: USBDevice
        var info: DeviceInfo
        var identity: ScannerIdentity
        var driver: ScannerDriver?
        var task: Task<Void, Never>?
    }
    private var present: [UInt: Present] = [:]

    public init(context: USBContext, catalog: ScannerCatalog, assignments: ScannerAssignments = ScannerAssignments(),
                events: ScanBroadcaster? = nil, logger: Logger = Logger(label: "ruyi.scanner"), readTimeoutMS: UInt32 = 1000) {
        self.context = context
        self.catalog = catalog
        self.assignments = assignments
        self.events = events ?? ScanBroadcaster(logger: logger)
        self.logger = logger
        self.readTimeoutMS = readTimeoutMS
        let executor = DedicatedThreadExecutor(name: "usb-io")
        self.executor = executor
        probe = DeviceProbe(executor: executor)
    }

    /// Follows hotplug until graceful shutdown or cancellation, then gives every device back.
    public func run() async throws {
        let hotplug = try context.hotplugEvents()
        for await event in hotplug.cancelOnGracefulShutdown() {
            switch event {
            case .arrived(let device): await arrived(device)
            case .left(let device): await left(device)
            }
        }
        for key in present.keys.sorted() { await release(key) }
        present.removeAll()
        executor.shutdown()
    }

    /// Every USB device present (hubs aside), driven or not.
    public nonisolated func list() -> [ScannerStatus] { board.all }

    private func arrived(_ device: USBDevice) async {
        guard device.deviceClass != 9, device.vendorID != 0x1d6b, present[device.key] == nil else { return }
        let info = await probe.info(device)
        var identity = ScannerIdentity(vendorID: device.vendorID, productID: device.productID, serial: info.serial, portPath: device.portPath)
        // A serial two present devices share identifies neither: both fall back to their port paths.
        if identity.serial != nil, let twin = present.first(where: { $0.value.identity == identity }) {
            identity = identity.withoutSerial(portPath: device.portPath)
            let twinIdentity = twin.value.identity.withoutSerial(portPath: twin.value.device.portPath)
            present[twin.key]?.identity = twinIdentity
            board.rename(twin.key, to: twinIdentity)
            await present[twin.key]?.driver?.setIdentity(twinIdentity)
            logger.warning("two scanners share one serial; telling them apart by USB port", metadata: ["serial": "\(info.serial ?? "")"])
        }
        present[device.key] = Present(device: device, info: info, identity: identity)
        if let problem = info.problem {
            board.set(device.key, ScannerStatus(identity: identity, name: info.displayName(device), family: nil, transport: nil,
                                                state: .failed(problem), portPath: device.portPath))
            events.publish(.device(board.get(device.key)!))
            logger.warning("USB device cannot be read", metadata: ["device": "\(device)", "problem": "\(problem)"])
            return
        }
        if let (profile, model) = catalog.match(vendorID: device.vendorID, productID: device.productID) {
            await drive(device.key, profile: profile, model: model)
        } else if let family = assignments.family(for: identity), let profile = catalog.profile(family: family) {
            await drive(device.key, profile: profile, model: nil)
        } else {
            board.set(device.key, ScannerStatus(identity: identity, name: info.displayName(device), family: nil, transport: nil,
                                                state: .unassigned, portPath: device.portPath))
            events.publish(.device(board.get(device.key)!))
            logger.info("USB device with no scanner profile: listed, not driven", metadata: ["device": "\(device)", "name": "\(info.displayName(device))"])
        }
    }

    private func drive(_ key: UInt, profile: ScannerProfile, model: ScannerModel?) async {
        guard let p = present[key] else { return }
        guard let layout = catalog.layouts[profile.layout] else { return } // the catalog checked every profile's layout
        let board = self.board, events = self.events
        let driver = ScannerDriver(device: p.device, profile: profile, model: model, layout: layout, sink: events, executor: executor,
                                   logger: logger, readTimeoutMS: readTimeoutMS, identity: p.identity) { status, publish in
            board.set(key, status)
            if publish { events.publish(.device(status)) }
        }
        present[key]?.driver = driver
        do {
            try await driver.start()
        } catch {
            logger.error("scanner cannot be driven", metadata: ["device": "\(p.device)", "error": "\(error)"])
            return
        }
        present[key]?.task = Task { _ = await driver.run() }
    }

    private func left(_ device: USBDevice) async {
        guard present[device.key] != nil else { return }
        await release(device.key)
        if var s = board.get(device.key) {
            s.state = .gone
            events.publish(.device(s))
        }
        board.remove(device.key)
        present[device.key] = nil
    }

    /// Stops the driver (its partial scan is dropped and logged) and waits until it gave the device back.
    private func release(_ key: UInt) async {
        guard let p = present[key] else { return }
        p.driver?.stop()
        await p.task?.value
        present[key]?.driver = nil
        present[key]?.task = nil
    }

    // MARK: The owner assigning a profile to a device no profile claims

    /// Assigns `family` to an unassigned device. Taking a generic HID keyboard takes it away from the OS (it may be the
    /// terminal's own keyboard): that needs `confirmed: true` after the owner read the warning; `unassign` undoes it.
    public func assign(_ identity: ScannerIdentity, family: String, confirmed: Bool) async throws(AssignmentError) -> ScannerStatus {
        guard let profile = catalog.profile(family: family) else { throw .unknownProfile(family) }
        guard let (key, p) = present.first(where: { $0.value.identity == identity }) else { throw .notPresent(identity) }
        guard p.driver == nil else { throw .alreadyDriven(identity) }
        if profile.generic && p.info.keyboardBoundToKernel && !confirmed {
            var s = board.get(key) ?? ScannerStatus(identity: identity, name: p.info.displayName(p.device), state: .unassigned, portPath: p.device.portPath)
            s.state = .awaitingConfirmation
            board.set(key, s)
            throw .needsConfirmation(ConfirmationRequest(identity: identity, deviceName: p.info.displayName(p.device)))
        }
        do { try assignments.set(family, for: identity) } catch { throw .cannotSave("\(error)") }
        await drive(key, profile: profile, model: nil)
        logger.notice("owner assigned a scanner profile", metadata: ["scanner": "\(identity)", "family": "\(family)"])
        return board.get(key)!
    }

    /// Undoes an assignment: the device is given back to the OS (its kernel driver reattached) and listed again.
    public func unassign(_ identity: ScannerIdentity) async throws(AssignmentError) -> ScannerStatus {
        guard let (key, p) = present.first(where: { $0.value.identity == identity }) else { throw .notPresent(identity) }
        await release(key)
        do { try assignments.remove(identity) } catch { throw .cannotSave("\(error)") }
        let s = ScannerStatus(identity: identity, name: p.info.displayName(p.device), family: nil, transport: nil, state: .unassigned, portPath: p.device.portPath)
        board.set(key, s)
        events.publish(.device(s))
        return s
    }
}

/// What the owner is asked before a keyboard is taken away from the OS.
public struct ConfirmationRequest: Hashable, Sendable {
    public var identity: ScannerIdentity
    public var deviceName: String
    public var code: String { "scanner.confirm_take_keyboard" }
    public var messageZH: String { "“\(deviceName)”现在是这台收银机的键盘。把它当作扫码枪后，它就不能再打字了。确定是扫码枪吗？（可以随时撤销）" }
    public var messageEN: String { "“\(deviceName)” is a keyboard of this terminal now. Used as a scanner it will no longer type. Is it really a scanner? (You can undo this.)" }
}

public enum AssignmentError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownProfile(String)
    case notPresent(ScannerIdentity)
    case alreadyDriven(ScannerIdentity)
    case needsConfirmation(ConfirmationRequest)
    case cannotSave(String)

    public var code: String {
        switch self {
        case .unknownProfile: "scanner.unknown_profile"
        case .notPresent: "scanner.not_present"
        case .alreadyDriven: "scanner.already_driven"
        case .needsConfirmation(let r): r.code
        case .cannotSave: "scanner.cannot_save_assignment"
        }
    }

    public var description: String {
        switch self {
        case .unknownProfile(let f): "no scanner profile \(f.debugDescription) in devices/scanners"
        case .notPresent(let i): "no device \(i) is plugged in"
        case .alreadyDriven(let i): "\(i) is already driven by its profile"
        case .needsConfirmation(let r): r.messageEN
        case .cannotSave(let why): "the assignment could not be saved: \(why)"
        }
    }
}

/// Statuses by device key, readable without waiting for any actor. Guarded by `lock`.
final class StatusBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [UInt: ScannerStatus] = [:]

    var all: [ScannerStatus] { lock.lock(); defer { lock.unlock() }; return statuses.values.sorted { $0.identity < $1.identity } }
    func get(_ key: UInt) -> ScannerStatus? { lock.lock(); defer { lock.unlock() }; return statuses[key] }
    func set(_ key: UInt, _ s: ScannerStatus) { lock.lock(); statuses[key] = s; lock.unlock() }
    func remove(_ key: UInt) { lock.lock(); statuses[key] = nil; lock.unlock() }
    func rename(_ key: UInt, to identity: ScannerIdentity) { lock.lock(); statuses[key]?.identity = identity; lock.unlock() }
}

/// Reads device facts on the USB I/O thread (opening and control transfers block).
actor DeviceProbe {
    nonisolated let unownedExecutor: UnownedSerialExecutor
    init(executor: DedicatedThreadExecutor) { unownedExecutor = executor.asUnownedSerialExecutor() }
    func info(_ device: USBDevice) -> DeviceInfo { DeviceInfo.read(device) }
}
