import Testing
import RuyiTestKit
@testable import RuyiPrinting

@Suite("Choosing the receipt printer")
struct PrinterSetupTests {
    func printer(_ name: String, deviceID: String = "", uri: String = "socket://127.0.0.1:9100") -> CUPSPrinter {
        CUPSPrinter(name: name, deviceURI: uri, state: .idle, reasons: [], message: "", acceptingJobs: true, makeAndModel: "",
                    info: "", deviceID: deviceID, errorPolicy: "retry-current-job")
    }
    let usbReceipt = CUPSDevice(uri: "usb://EPSON/TM-T88V?serial=TEST0001", deviceClass: "direct", info: "EPSON TM-T88V",
                                makeAndModel: "EPSON TM-T88V", deviceID: "MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;")
    let usbLaser = CUPSDevice(uri: "usb://HP/LaserJet?serial=1", deviceClass: "direct", info: "HP", makeAndModel: "HP LaserJet",
                              deviceID: "MFG:HP;CMD:PCL,PJL;MDL:LaserJet;")

    @Test("a configured queue that exists is used; one that does not is created for a USB receipt printer, or refused")
    func configured() {
        #expect(ReceiptPrinterSetup.choose(configured: "front", printers: [printer("front")], devices: []) == .queue("front"))
        #expect(ReceiptPrinterSetup.choose(configured: "front", printers: [], devices: [usbLaser, usbReceipt])
                == .create(name: "front", deviceURI: usbReceipt.uri, model: "EPSON TM-T88V"))
        guard case let .none(reason) = ReceiptPrinterSetup.choose(configured: "front", printers: [printer("office")], devices: [usbLaser]) else {
            Issue.record("expected no printer"); return
        }
        #expect(reason.contains("\"front\""))
    }

    @Test("without configuration: an ESC/POS queue, else ruyi-receipt, else a new queue for a USB ESC/POS device, else none")
    func automatic() {
        #expect(ReceiptPrinterSetup.choose(configured: nil, printers: [printer("office"), printer("pos", deviceID: "MFG:X;CMD:ESC/POS;")], devices: [])
                == .queue("pos"))
        #expect(ReceiptPrinterSetup.choose(configured: nil, printers: [printer("ruyi-receipt")], devices: []) == .queue("ruyi-receipt"))
        #expect(ReceiptPrinterSetup.choose(configured: nil, printers: [printer("office")], devices: [usbLaser, usbReceipt])
                == .create(name: "ruyi-receipt", deviceURI: usbReceipt.uri, model: "EPSON TM-T88V"))
        // A USB receipt printer that already has a (differently named) queue does not get a second one.
        let hasQueue = printer("tm", uri: usbReceipt.uri)
        if case .create = ReceiptPrinterSetup.choose(configured: nil, printers: [hasQueue], devices: [usbReceipt]) {
            Issue.record("a second queue for the same device")
        }
        if case .queue = ReceiptPrinterSetup.choose(configured: nil, printers: [], devices: [usbLaser]) { Issue.record("a laser printer chosen") }
    }

    @Test("against a private cupsd: the configured queue is found; no CUPS at all means the spool folder, with the reason")
    func resolve() async throws {
        let rig = try CUPSRig()
        let found = await ReceiptPrinterSetup.resolve(client: rig.client, configured: rig.queue)
        #expect(found.queue == rig.queue)
        let missing = await ReceiptPrinterSetup.resolve(client: rig.client, configured: "nope", probeSeconds: 1)
        #expect(missing.queue == nil && missing.reason.contains("\"nope\""))
        await rig.close()
        let nothing = CUPSClient(server: .socket("/tmp/ruyi-no-cups-here.sock"), timeout: 1)
        let none = await ReceiptPrinterSetup.resolve(client: nothing, configured: nil)
        #expect(none.queue == nil && none.reason.contains("spool folder"))
        await nothing.close()
    }
}

@Suite("Printer state in plain words")
struct PrinterStatusTests {
    func status(_ reasons: [String], state: CUPSPrinter.State = .idle, message: String = "") -> PrinterStatus.Problem? {
        PrinterStatus(CUPSPrinter(name: "r", deviceURI: "", state: state, reasons: reasons, message: message, acceptingJobs: true,
                                  makeAndModel: "", info: "", deviceID: "", errorPolicy: "")).problem
    }

    @Test("CUPS state reasons (with their severity suffixes) become the problem the cashier is told")
    func reasons() {
        #expect(status([]) == nil)
        #expect(status(["media-empty-error"]) == .paperOut)
        #expect(status(["media-needed"]) == .paperOut)
        #expect(status(["media-jam-error"]) == .paperJam)
        #expect(status(["cover-open-warning"]) == .coverOpen)
        #expect(status(["offline-report"]) == .offline)
        #expect(status(["connecting-to-device"]) == .offline)
        #expect(status(["paused"], state: .stopped) == .stopped)
        #expect(status([], message: "The printer is not responding.") == .offline)
        // Paper out outranks the stop it caused.
        #expect(status(["media-empty-error", "paused"], state: .stopped) == .paperOut)
    }

    @Test("the messages: waiting counts, spooling, all well")
    func messages() {
        let ok = PrintQueueStatus(printer: PrinterStatus(printer: "r"), waiting: 0, needsAttention: 0, spooling: false)
        #expect(ok.message == "打印机正常" && ok.englishMessage == "printer ready" && ok.code == "printer.ok")
        let busy = PrintQueueStatus(printer: PrinterStatus(printer: "r"), waiting: 1, needsAttention: 0, spooling: false)
        #expect(busy.message == "正在打印 — 1 张小票等待打印" && busy.englishMessage == "printing — 1 receipt waiting")
        let paper = PrintQueueStatus(printer: PrinterStatus(printer: "r", problem: .paperOut), waiting: 3, needsAttention: 0, spooling: false)
        #expect(paper.message == "打印机缺纸 — 3 张小票等待打印" && paper.code == "printer.paper_out")
        let spool = PrintQueueStatus(printer: PrinterStatus(printer: "spool"), waiting: 0, needsAttention: 0, spooling: true)
        #expect(spool.message == "未连接打印机：小票保存在本机")
    }
}
