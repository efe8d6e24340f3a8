/// What a receipt printer model can do: paper, columns, Chinese support, cutter, drawer.
public struct PrinterProfile: Hashable, Sendable, Codable {
    public enum Cutter: String, Hashable, Sendable, Codable { case none, partial, full }

    public var name: String
    /// Substrings of an IEEE-1284 device id that select this profile (`MDL:TM-T82`).
    public var match: [String]
    /// 58 or 80.
    public var paperWidthMM: Int
    /// Characters per line in font A (58 mm: 32; 80 mm: 48, or 42 on 512-dot printers).
    public var columns: Int
    /// The model needs `FS &` to enter Chinese mode (most Chinese-market printers start in it).
    public var needsChineseModeCommand: Bool
    /// The printer prints 4-byte GB18030 sequences (rare ideographs); otherwise they are replaced by □.
    public var fourByteCharacters: Bool
    public var cutter: Cutter
    /// Lines fed before cutting, so the last line clears the cutter.
    public var feedBeforeCut: Int
    /// Drawer kick pulse (`ESC p`): on and off times in 2 ms units.
    public var drawerPulseOn: UInt8
    public var drawerPulseOff: UInt8
    /// QR module size in dots (1–16).
    public var qrModuleSize: UInt8

    public init(name: String, match: [String] = [], paperWidthMM: Int, columns: Int, needsChineseModeCommand: Bool = false,
                fourByteCharacters: Bool = false, cutter: Cutter = .partial, feedBeforeCut: Int = 4, drawerPulseOn: UInt8 = 25,
                drawerPulseOff: UInt8 = 250, qrModuleSize: UInt8 = 6) {
        self.name = name
        self.match = match
        self.paperWidthMM = paperWidthMM
        self.columns = columns
        self.needsChineseModeCommand = needsChineseModeCommand
        self.fourByteCharacters = fourByteCharacters
        self.cutter = cutter
        self.feedBeforeCut = feedBeforeCut
        self.drawerPulseOn = drawerPulseOn
        self.drawerPulseOff = drawerPulseOff
        self.qrModuleSize = qrModuleSize
    }

    /// A common 58 mm Chinese thermal printer (Xprinter XP-58 class): 32 columns, starts in Chinese mode.
    public static let generic58 = PrinterProfile(name: "58 mm", paperWidthMM: 58, columns: 32, cutter: .none, feedBeforeCut: 3, qrModuleSize: 5)
    /// A common 80 mm Chinese thermal printer (Xprinter XP-80 / Epson TM-T82 class): 48 columns, auto-cutter.
    public static let generic80 = PrinterProfile(name: "80 mm", paperWidthMM: 80, columns: 48, needsChineseModeCommand: true)
}
