import Foundation
import Testing
import RuyiTestKit
@testable import RuyiPrinting

/// A private cupsd, a raw queue to a byte-recording listener on 127.0.0.1, and Ruyi's CUPS client.
final class CUPSRig: @unchecked Sendable {
    let cups: PrivateCUPS
    let listener: ByteListener
    let client: CUPSClient
    let queue: String

    init(queue: String = "receipt", contimeout: Int? = nil, timeout: Double = 10) throws {
        try #require(PrivateCUPS.isInstalled, "cupsd, lpadmin and the socket backend are needed: run scripts/setup.sh")
        cups = try PrivateCUPS()
        listener = try ByteListener()
        self.queue = queue
        try cups.addRawQueue(queue, uri: listener.uri(contimeout: contimeout))
        client = CUPSClient(server: .socket(cups.socketPath), timeout: timeout)
    }

    func close() async {
        await client.close()
        listener.down()
        cups.stop()
    }
}

@Suite("CUPS client against a private cupsd", .serialized)
struct CUPSClientTests {
    @Test("raw bytes (all 256 values, ESC/POS) arrive at the printer exactly, and the job completes")
    func exactBytes() async throws {
        let rig = try CUPSRig()
        // Given every byte value and a real receipt's commands
        let bytes: [UInt8] = [0x1B, 0x40] + Array(0...255) + [0x0A, 0x1B, 0x64, 0x03, 0x1D, 0x56, 0x01]
        // When the client creates the job and sends the document
        let id = try await rig.client.createJob(printer: rig.queue, name: "0190f3a2-0000-7000-8000-000000000001")
        try await rig.client.sendDocument(printer: rig.queue, job: id, bytes: bytes)
        // Then the listener got those bytes once, and CUPS reports the job completed under its name
        let got = rig.listener.waitFor(1, timeout: 15)
        #expect(got == [bytes])
        var state: CUPSJobState?
        for _ in 0..<100 {
            state = try await rig.client.job(id)?.state
            if state?.isFinal == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == .completed)
        let found = try await rig.client.jobs(printer: rig.queue, named: "0190f3a2-0000-7000-8000-000000000001")
        #expect(found.map(\.id) == [id])
        #expect(found.first?.documents == 1)
        await rig.close()
    }

    @Test("queues and their state; a missing queue is not-found; every call runs on the client's own thread")
    func printers() async throws {
        let rig = try CUPSRig()
        let all = try await rig.client.printers()
        #expect(all.map(\.name) == [rig.queue])
        let p = try await rig.client.printer(rig.queue)
        #expect(p.deviceURI == rig.listener.uri())
        #expect(p.acceptingJobs)
        #expect(p.state == .idle)
        #expect(p.errorPolicy == "retry-current-job")
        await #expect(throws: CUPSError.self) { try await rig.client.printer("nope") }
        do { _ = try await rig.client.printer("nope") } catch { #expect(error.code == CUPSError.notFoundCode) }
        #expect(await rig.client.runsOnOwnThread())
        await rig.close()
    }

    @Test("a raw queue created by Ruyi is enabled, accepting, retries the current job, and prints")
    func addRawQueue() async throws {
        let rig = try CUPSRig()
        try await rig.client.addRawQueue(name: "XP-80_USB", deviceURI: rig.listener.uri())
        let p = try await rig.client.printer("XP-80_USB")
        #expect(p.acceptingJobs && p.state == .idle)
        #expect(p.errorPolicy == "retry-current-job")
        let id = try await rig.client.createJob(printer: "XP-80_USB", name: "t")
        try await rig.client.sendDocument(printer: "XP-80_USB", job: id, bytes: [0x1B, 0x40, 0x41, 0x0A])
        #expect(rig.listener.waitFor(1, timeout: 15) == [[0x1B, 0x40, 0x41, 0x0A]])
        // A name CUPS would choke on is refused before any request.
        await #expect(throws: CUPSError.self) { try await rig.client.addRawQueue(name: "bad name/../x", deviceURI: rig.listener.uri()) }
        await rig.close()
    }

    @Test("no scheduler at the configured socket: a clear unreachable error, no hang")
    func unreachable() async throws {
        let client = CUPSClient(server: .socket("/tmp/ruyi-no-such-cups.sock"), timeout: 2)
        do {
            _ = try await client.printers()
            Issue.record("printers() succeeded without a scheduler")
        } catch {
            #expect(error.code == CUPSError.unreachableCode)
            #expect(error.message.contains("/tmp/ruyi-no-such-cups.sock"))
        }
        await client.close()
    }

    @Test("IEEE-1284 device ids: ESC/POS printers are receipt printers, others are not")
    func deviceIDs() {
        #expect(IEEE1284.isReceiptPrinter("MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;DES:EPSON TM-T88V;"))
        #expect(IEEE1284.isReceiptPrinter("MANUFACTURER:Xprinter;COMMAND SET:ESCPOS,PCL;MODEL:XP-80C;"))
        #expect(!IEEE1284.isReceiptPrinter("MFG:HP;CMD:PCL,PJL,POSTSCRIPT;MDL:LaserJet;"))
        #expect(!IEEE1284.isReceiptPrinter(""))
        #expect(!IEEE1284.isReceiptPrinter("garbage;;;:::"))
        #expect(IEEE1284.fields("MFG:EPSON;MDL:TM-T20II;")["MDL"] == "TM-T20II")
    }
}
