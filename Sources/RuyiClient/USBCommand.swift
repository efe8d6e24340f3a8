import ArgumentParser
import Dispatch
import Foundation
import RuyiScanning
import RuyiUSB

/// `ruyi usb …`: the technician's scanner diagnostics. They use libusb directly and work while the daemon is stopped.
struct USBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usb",
        abstract: "USB scanner diagnostics for a technician (work while ruyid is stopped).",
        subcommands: [USBListCommand.self, USBWatchCommand.self, UdevRulesCommand.self])
}

struct DevicesOption: ParsableArguments {
    @Option(name: .long, help: "The devices folder with scanners/ and layouts/ (default: $RUYI_DEVICES, ./devices, /usr/share/ruyi/devices).")
    var devices: String?

    func catalog() throws -> ScannerCatalog {
        guard let folder = devices ?? ScannerCatalog.defaultDevicesFolder() else {
            throw ValidationError("no devices folder found: pass --devices DIR (the folder holding scanners/ and layouts/)")
        }
        do {
            return try ScannerCatalog.load(devices: folder)
        } catch {
            throw ValidationError("scanner profiles refused: \(error)")
        }
    }
}

struct UdevRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print the udev rules that give the ruyi group access to the profiled scanners.",
        discussion: "Without --add, prints udev/60-ruyi-scanners.rules as generated from the profiles. With --add VID:PID, the line for one scanner the owner marked as a generic keyboard.")

    @OptionGroup var options: DevicesOption

    @Option(name: .long, help: "VID:PID of a device marked as a generic keyboard scanner, e.g. 04b4:0101.")
    var add: String?

    func run() throws {
        if let add {
            let parts = add.lowercased().split(separator: ":")
            guard parts.count == 2, let v = USBID.parse(String(parts[0])), let p = USBID.parse(String(parts[1])) else {
                throw ValidationError("--add '\(add)' is not VID:PID in hex, e.g. 04b4:0101")
            }
            print(UdevRules.rule(vendorID: v, productID: p, name: "USB device \(add.lowercased())"), terminator: "")
            return
        }
        print(UdevRules.render(try options.catalog()), terminator: "")
    }
}

struct USBListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List USB devices and the scanner profile that matches each.",
        discussion: "Opens devices only to read their names and serials; claims nothing. Exit status 0; 2 when libusb cannot start.")

    @OptionGroup var options: DevicesOption

    func run() throws {
        let catalog = try options.catalog()
        let context: USBContext
        do { context = try USBContext() } catch { throw CleanExit.message("libusb cannot start: \(error)") }
        let entries: [InventoryEntry]
        do { entries = try USBInventory.list(context: context, catalog: catalog) } catch {
            FileHandle.standardError.write(Data("ruyi: cannot list USB devices: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if entries.isEmpty { print("no USB devices (hubs aside)") }
        for e in entries { print(e.summary) }
    }
}

struct USBWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Drive the profiled scanners and print every scan with its raw reports (ruyid must be stopped).",
        discussion: """
            Takes each profiled scanner the way ruyid would and prints devices arriving and leaving, raw reports (hex) \
            and decoded scans. A scanner ruyid holds is refused ("in use by another program"): stop ruyid first. \
            Ends on Ctrl-C, after --count scans or after --seconds; every device is given back to the OS on the way out.
            """)

    @OptionGroup var options: DevicesOption

    @Option(help: "Stop after this many scans.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var seconds: Double?

    @Flag(help: "Do not print raw reports.")
    var quiet = false

    func run() throws {
        let catalog = try options.catalog()
        let context: USBContext
        do { context = try USBContext() } catch { throw CleanExit.message("libusb cannot start: \(error)") }
        let hub = ScannerHub(context: context, catalog: catalog)
        let stream = hub.events.listen(rawReports: !quiet, buffer: 10_000)
        let done = DispatchSemaphore(value: 0)
        let wanted = count, quiet = self.quiet
        let events = Task.detached { try? await context.run() }
        let driving = Task.detached { try? await hub.run() }
        let printing = Task.detached {
            var scans = 0
            for await event in stream {
                switch event {
                case .device(let s): print("device  \(s)")
                case .report(let id, let bytes) where !quiet: print("report  \(id)  " + bytes.map { String(format: "%02x", $0) }.joined())
                case .report: break
                case .problem(let id, let p): print("skipped \(id)  \(p)")
                case .scan(let scan):
                    print("SCAN    \(scan.device)  \(scan.symbology.map { "\($0) " } ?? "")\(scan.text.debugDescription)")
                    scans += 1
                    if let wanted, scans >= wanted { done.signal() }
                }
                fflush(nil)
            }
        }
        // Ctrl-C and SIGTERM end the watch cleanly: the hub gives keyboards back to the OS.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { done.signal() }
            s.resume()
            return s
        }
        print("watching USB scanners (Ctrl-C to stop)")
        fflush(nil)
        if let seconds { _ = done.wait(timeout: .now() + seconds) } else { done.wait() }
        driving.cancel()
        let finished = DispatchSemaphore(value: 0)
        Task.detached { _ = await driving.result; finished.signal() }
        _ = finished.wait(timeout: .now() + 3)
        context.stop()
        _ = events
        printing.cancel()
        sources.forEach { $0.cancel() }
    }
}
