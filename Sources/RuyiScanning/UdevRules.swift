/// The udev rules that let the `ruyi` group open the scanners in `devices/scanners` (`udev/60-ruyi-scanners.rules`).
///
/// One commented line per profile family (and one rule per vendor in it), generated from the profiles so the two cannot
/// drift apart: a test compares the committed file with this text, and `ruyi usb udev-rules` prints it.
public enum UdevRules {
    public static func render(_ catalog: ScannerCatalog) -> String {
        var lines = [
            "# Ruyi: USB barcode scanners the daemon (user and group ruyi) drives through libusb.",
            "# Generated from devices/scanners/*.json by `ruyi usb udev-rules`; a test keeps the two in step. Do not edit by hand.",
            "# Install: cp udev/60-ruyi-scanners.rules /etc/udev/rules.d/ && udevadm control --reload && udevadm trigger",
        ]
        for profile in catalog.profiles.sorted(by: { $0.family < $1.family }) where !profile.generic {
            var vendors: [UInt16] = []
            for m in profile.models where !vendors.contains(m.vendorID) { vendors.append(m.vendorID) }
            for vendor in vendors {
                let models = profile.models.filter { $0.vendorID == vendor }
                let products = models.map(\.product.udevGlob).joined(separator: "|")
                lines.append("")
                lines.append("# \(profile.name) (devices/scanners/\(profile.family).json): " + models.map(\.id).joined(separator: " "))
                lines.append("SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(USBID.hex(vendor))\", "
                    + "ATTR{idProduct}==\"\(products)\", GROUP=\"ruyi\", MODE=\"0660\", TAG+=\"systemd\"")
            }
        }
        lines.append("")
        lines.append("# A scanner the owner marks as a generic keyboard has no fixed ids: `ruyi usb udev-rules --add VID:PID` prints its line.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rule for one device the owner marked as a scanner (generic keyboard profile).
    public static func rule(vendorID: UInt16, productID: UInt16, name: String) -> String {
        "# \(name) (marked as a scanner by the owner)\n"
            + "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(USBID.hex(vendorID))\", "
            + "ATTR{idProduct}==\"\(USBID.hex(productID))\", GROUP=\"ruyi\", MODE=\"0660\", TAG+=\"systemd\"\n"
    }
}
