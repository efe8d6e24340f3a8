import ArgumentParser
import Foundation
import RuyiScanning

/// `ruyi usb …`: the technician's scanner diagnostics. They use libusb directly and work while the daemon is stopped.
struct USBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usb",
        abstract: "USB scanner diagnostics for a technician (work while ruyid is stopped).",
        subcommands: [UdevRulesCommand.self])
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
