import Foundation

/// Finds the receipt printer to use, creating its CUPS queue when a USB receipt printer has none yet.
///
/// Order: the queue the configuration names; else a queue whose IEEE-1284 id says ESC/POS; else a USB device that
/// says ESC/POS, for which a raw queue is created (`ruyi-receipt`, `printer-error-policy=retry-current-job`); else none,
/// and the daemon prints to the spool folder. Creating a queue needs the daemon's user in CUPS' SystemGroup (`lpadmin`
/// on Debian): without it the choice says so, and the owner's device screen asks for a technician.
public enum ReceiptPrinterSetup {
    public enum Choice: Hashable, Sendable {
        /// Print to this existing queue.
        case queue(String)
        /// Create a raw queue with this name for this device, then print to it.
        case create(name: String, deviceURI: String, model: String)
        /// No receipt printer: spool folder.
        case none(reason: String)
    }

    public static let defaultQueueName = "ruyi-receipt"

    /// The choice, from what CUPS reports (pure: tested without CUPS).
    public static func choose(configured: String?, printers: [CUPSPrinter], devices: [CUPSDevice]) -> Choice {
        if let configured {
            if printers.contains(where: { $0.name == configured }) { return .queue(configured) }
            if let device = devices.first(where: { $0.uri.hasPrefix("usb:") && IEEE1284.isReceiptPrinter($0.deviceID) }) {
                return .create(name: configured, deviceURI: device.uri, model: device.makeAndModel)
            }
            return .none(reason: "the configured printer queue \"\(configured)\" does not exist in CUPS and no USB receipt printer is connected")
        }
        if let p = printers.first(where: { IEEE1284.isReceiptPrinter($0.deviceID) }) { return .queue(p.name) }
        if let p = printers.first(where: { $0.name == defaultQueueName }) { return .queue(p.name) }
        // A USB device that already has a queue is not given a second one.
        let used = Set(printers.map(\.deviceURI))
        if let device = devices.first(where: { $0.uri.hasPrefix("usb:") && IEEE1284.isReceiptPrinter($0.deviceID) && !used.contains($0.uri) }) {
            return .create(name: defaultQueueName, deviceURI: device.uri, model: device.makeAndModel)
        }
        return .none(reason: printers.isEmpty ? "CUPS has no printer queue and no USB receipt printer is connected"
                                              : "none of CUPS' queues is a receipt printer (ESC/POS); name one in the configuration")
    }

    /// Asks CUPS and carries the choice out. Returns the queue to print to, or nil (spool folder) with the reason.
    public static func resolve(client: CUPSClient, configured: String?, probeSeconds: Int32 = 5) async -> (queue: String?, reason: String) {
        let printers: [CUPSPrinter]
        do { printers = try await client.printers() } catch {
            return (nil, "CUPS is not reachable at \(client.server) (\(error.message)): receipts go to the spool folder")
        }
        // Queues first: the device probe is slow, and not needed when a queue is configured and present.
        var devices: [CUPSDevice] = []
        if case .none = choose(configured: configured, printers: printers, devices: []) {
            devices = (try? await client.devices(timeout: probeSeconds)) ?? []
        }
        switch choose(configured: configured, printers: printers, devices: devices) {
        case let .queue(name):
            return (name, "printing to CUPS queue \(name)")
        case let .create(name, uri, model):
            do {
                try await client.addRawQueue(name: name, deviceURI: uri, info: "Ruyi receipt printer \(model)")
                return (name, "created CUPS queue \(name) for \(model) at \(uri)")
            } catch where error.code == CUPSError.forbiddenCode {
                return (nil, "found \(model) at \(uri) but may not create its CUPS queue: add the daemon's user to the lpadmin group (\(error.message))")
            } catch {
                return (nil, "could not create a CUPS queue for \(model) at \(uri): \(error.message)")
            }
        case let .none(reason):
            return (nil, reason)
        }
    }
}
