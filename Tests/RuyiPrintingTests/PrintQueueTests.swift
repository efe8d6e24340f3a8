import Foundation
import Glibc
import Testing
import RuyiCore
import RuyiLedger
import RuyiReceipts
import RuyiTestKit
@testable import RuyiPrinting

let testStore = StoreReceiptInfo(storeName: "如意便利店", headerLines: ["中山路店"])

/// A store ledger on real time (backoff is wall-clock), a private cupsd with a raw queue to a listener, and a worker.
final class PrintRig: @unchecked Sendable {
    let dir: TemporaryDirectory
    let ledger: Ledger
    let rig: CUPSRig
    let worker: PrintWorker

    init(contimeout: Int? = nil, timeout: Double = 10, backoffBase: Double = 0.2) throws {
        dir = try TemporaryDirectory(prefix: "ruyi-print")
        ledger = try StoreFixture.open(dir.file("ledger.sqlite"), clock: SystemClock(), random: SystemRandomSource())
        rig = try CUPSRig(contimeout: contimeout, timeout: timeout)
        var options = PrintWorker.Options()
        options.backoffBase = backoffBase
        options.backoffMax = 1
        options.pollInterval = .milliseconds(100)
        worker = try PrintWorker(ledger: ledger, target: CUPSTarget(client: rig.client, queue: rig.queue), profile: .generic80,
                                 clock: SystemClock(), options: options)
    }

    /// Commits a cash sale with its receipt owed, in one transaction.
    func sell(colas: Int64 = 2) throws -> CommittedSale {
        try ledger.commitSale(try StoreFixture.cashSale(ledger, colas: colas), cashier: StoreFixture.cashier,
                              receipt: SaleReceipt.freezer(store: testStore))
    }

    /// The bytes the printer must receive for a job, rendered independently of the worker.
    func expectedBytes(_ sale: CommittedSale, reprint: Bool = false) throws -> [UInt8] {
        let id = try #require(sale.printJob)
        let job = try #require(try ledger.printJob(id))
        return try ReceiptComposer(profile: .generic80).escpos(try ReceiptDocument.thawed(job.document), reprint: reprint).bytes
    }

    /// Steps the worker until no job is open, at most `timeout` seconds (generous: with the whole suite running on two
    /// cores beside several private cupsd, a job has been seen to take over 30 s to complete).
    func drain(timeout: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !ledger.openPrintJobs().isEmpty {
            guard Date() < deadline else {
                Issue.record("print queue not drained within \(timeout) s: \(try ledger.openPrintJobs().map(\.state)) — cupsd: \(rig.cups.log().suffix(3000))")
                return
            }
            if await !worker.step() { try await Task.sleep(for: .milliseconds(100)) }
        }
    }

    func close() async {
        await worker.close()
        await rig.close()
    }
}

@Suite("Durable print queue through a private cupsd", .serialized)
struct PrintQueueTests {
    @Test("a committed sale's receipt is owed in the same transaction and comes out of the printer exactly")
    func receiptPrints() async throws {
        let p = try PrintRig()
        let sale = try p.sell()
        // The job row exists as soon as the sale is committed, before any printing.
        let id = try #require(sale.printJob)
        let job = try #require(try p.ledger.printJob(id))
        #expect(job.state == .queued && job.kind == .receipt && job.sale == sale.id)
        try await p.drain()
        let got = p.rig.listener.waitFor(1, timeout: 15)
        #expect(got == [try p.expectedBytes(sale)])
        let done = try #require(try p.ledger.printJob(job.id))
        #expect(done.state == .printed)
        #expect(try p.ledger.printJobEvents(job.id).map(\.state) == [.queued, .submitting, .created, .sent, .printed])
        // The worker published its state as events (the till's status line follows them).
        var updates = p.worker.statusUpdates.makeAsyncIterator()
        #expect(await updates.next() != nil)
        // The receipt says what was sold: the preview of the frozen document names the goods and the receipt number.
        let preview = try ReceiptComposer(profile: .generic80).preview(try ReceiptDocument.thawed(done.document))
        #expect(preview.contains("可口可乐 330ml") && preview.contains(sale.receiptNumber) && preview.contains("找零"))
        await p.close()
    }

    @Test("printer down: receipts wait, the cashier is told how many, and they print once each, in order, when it is back")
    func printerDownThenBack() async throws {
        let p = try PrintRig(contimeout: 1)
        p.rig.listener.down()
        let first = try p.sell(colas: 1)
        let second = try p.sell(colas: 3)
        let running = Task { await p.worker.run() }
        // Wait (bounded) until the worker has published that two receipts are waiting.
        var sawWaiting: PrintQueueStatus?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let s = await p.worker.status(), s.waiting == 2, try p.ledger.printJob(first.printJob!)?.state == .sent {
                sawWaiting = s
                if s.printer.problem != nil { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let waiting = try #require(sawWaiting, "the worker never reported 2 receipts waiting")
        #expect(waiting.printer.problem == .offline, "CUPS said: \(waiting.printer.detail)")
        #expect(waiting.message == "打印机离线 — 2 张小票等待打印")
        #expect(waiting.code == "printer.offline")
        #expect(waiting.englishMessage == "printer offline — 2 receipts waiting")
        #expect(p.rig.listener.connections.isEmpty)
        // The printer comes back.
        try p.rig.listener.up()
        let got = p.rig.listener.waitFor(2, timeout: 40)
        #expect(got == [try p.expectedBytes(first), try p.expectedBytes(second)])
        try await Task.sleep(for: .milliseconds(1500))
        #expect(p.rig.listener.connections.count == 2, "a receipt printed twice")
        running.cancel()
        await running.value
        #expect(try p.ledger.printJob(first.printJob!)?.state == .printed)
        #expect(try p.ledger.printJob(second.printJob!)?.state == .printed)
        await p.close()
    }

    @Test("killed at each step of a send and restarted: the receipt prints exactly once", arguments: PrintFaultPoint.allCases)
    func crashWindows(point: PrintFaultPoint) async throws {
        let p = try PrintRig()
        let sale = try p.sell()
        let child = try ChildProcess(try BuiltProducts.executable("ruyi-print-child"),
                                     [p.ledger.path, p.rig.cups.socketPath, p.rig.queue, point.rawValue],
                                     stderr: p.dir.file("child.err"))
        let status = child.wait(timeout: 30)
        #expect(status == 128 + SIGKILL, "child: \((try? String(contentsOfFile: p.dir.file("child.err"), encoding: .utf8)) ?? "")")
        // The restarted worker (this process) resolves what the crash left.
        try await p.drain()
        let got = p.rig.listener.waitFor(1, timeout: 15)
        try await Task.sleep(for: .milliseconds(1000))
        #expect(p.rig.listener.connections.count == 1, "printed \(p.rig.listener.connections.count) times after a crash at \(point)")
        #expect(got.first == (try p.expectedBytes(sale)))
        #expect(try p.ledger.printJob(sale.printJob!)?.state == .printed)
        if point == .afterCreate {
            // CUPS got a job under the receipt's name but never its document: it was withdrawn, then sent once more.
            let named = try await p.rig.client.jobs(printer: p.rig.queue, named: sale.printJob!.lowercased)
            #expect(named.map(\.state).sorted { $0.rawValue < $1.rawValue } == [.canceled, .completed])
        }
        await p.close()
    }

    @Test("an explicit reprint prints again, marked REPRINT, identical otherwise")
    func reprint() async throws {
        let p = try PrintRig()
        let sale = try p.sell()
        try await p.drain()
        let job = try p.ledger.reprintReceipt(of: sale.id)
        #expect(job.kind == .reprint && job.reprint)
        try await p.drain()
        let got = p.rig.listener.waitFor(2, timeout: 15)
        #expect(got.count == 2)
        #expect(got.last == (try p.expectedBytes(sale, reprint: true)))
        #expect(got.last != got.first)
        // A sale with no receipt cannot be reprinted.
        #expect(throws: LedgerError.self) { try p.ledger.reprintReceipt(of: UUID()) }
        await p.close()
    }

    @Test("with cupsd stopped (SIGSTOP), sales commit and receipts compose while the print thread waits")
    func pausedScheduler() async throws {
        let p = try PrintRig(timeout: 8)
        _ = try p.sell()
        p.rig.cups.pause()
        let stepped = Flag()
        let stepping = Task {
            await p.worker.step()   // blocks on the CUPS thread until the client's timeout
            stepped.set()
        }
        try await Task.sleep(for: .milliseconds(300))
        // The till goes on: 20 sales with their receipts owed, and 20 receipts composed, on this thread.
        let composer = try ReceiptComposer(profile: .generic80)
        for i in 0..<20 {
            let sale = try p.sell(colas: Int64(i % 4 + 1))
            let job = try #require(try p.ledger.printJob(sale.printJob!))
            _ = try composer.escpos(try ReceiptDocument.thawed(job.document))
        }
        #expect(!stepped.isSet, "the sales waited for the stopped CUPS (or the print step returned early)")
        p.rig.cups.resume()
        await stepping.value
        try await p.drain(timeout: 60)
        #expect(p.rig.listener.waitFor(21, timeout: 30).count == 21)
        await p.close()
    }

    @Test("a receipt whose stored document is unreadable is marked failed with the reason, and the next one prints")
    func corruptDocument() async throws {
        let p = try PrintRig()
        let bad = try p.ledger.enqueuePrint(.test, document: Array("{not json".utf8))
        let sale = try p.sell()
        try await p.drain()
        let failed = try #require(try p.ledger.printJob(bad.id))
        #expect(failed.state == .failed)
        #expect(failed.lastError?.contains("cannot be read") == true)
        #expect(p.rig.listener.waitFor(1, timeout: 15) == [try p.expectedBytes(sale)])
        #expect(await p.worker.status()?.needsAttention == 1)
        await p.close()
    }

    @Test("a queue that disappears is reported missing only after three looks in a row")
    func debounce() async throws {
        let p = try PrintRig()
        let target = CUPSTarget(client: p.rig.client, queue: p.rig.queue)
        #expect(await target.status().problem == nil)
        try p.rig.cups.removeQueue(p.rig.queue)
        #expect(await target.status().problem == nil)
        #expect(await target.status().problem == nil)
        #expect(await target.status().problem == .missing)
        // Back again: at once.
        try p.rig.cups.addRawQueue(p.rig.queue, uri: p.rig.listener.uri())
        #expect(await target.status().problem == nil)
        await p.close()
    }

    @Test("a drawer kick goes out at once with the profile's pulse; a stale one is dropped, never sent late")
    func drawerKick() async throws {
        let p = try PrintRig()
        let clock = SystemClock()
        #expect(await p.worker.kickDrawer(requestedAt: clock.monotonicNanos()))
        #expect(p.rig.listener.waitFor(1, timeout: 10) == [[0x1B, 0x70, 0x00, 25, 250]])
        #expect(await !p.worker.kickDrawer(requestedAt: clock.monotonicNanos() &- 5_000_000_000))
        try await Task.sleep(for: .milliseconds(500))
        #expect(p.rig.listener.connections.count == 1)
        #expect(try p.ledger.openPrintJobs().isEmpty, "a drawer kick must not be queued")
        await p.close()
    }
}

@Suite("Spool-folder printer (no CUPS)")
struct SpoolFolderTests {
    @Test("each receipt's bytes and preview are written once, named by order and id; a crash leaves no double")
    func spool() async throws {
        let dir = try TemporaryDirectory(prefix: "ruyi-spool")
        let ledger = try StoreFixture.open(dir.file("ledger.sqlite"), clock: SystemClock(), random: SystemRandomSource())
        let target = try SpoolFolderTarget(directory: dir.file("receipts"))
        let worker = try PrintWorker(ledger: ledger, target: target, profile: .generic58, clock: SystemClock())
        let sale = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier,
                                         receipt: SaleReceipt.freezer(store: testStore))
        while await worker.step() {}
        let job = try #require(try ledger.printJob(sale.printJob!))
        #expect(job.state == .printed)
        let document = try ReceiptDocument.thawed(job.document)
        let composer = try ReceiptComposer(profile: .generic58)
        let bytes = try #require(FileManager.default.contents(atPath: target.file(for: job)))
        #expect([UInt8](bytes) == (try composer.escpos(document).bytes))
        let text = try String(contentsOfFile: String(target.file(for: job).dropLast(4)) + ".txt", encoding: .utf8)
        #expect(text == composer.preview(document))
        #expect(await worker.status()?.message.contains("小票保存在本机") == true)
        // A restart that finds the job "submitting" with its file written records it printed, and writes nothing.
        try ledger.updatePrintJob(job.id, state: .submitting, detail: "test: as if killed before recording")
        let before = try FileManager.default.attributesOfItem(atPath: target.file(for: job))[.modificationDate] as? Date
        while await worker.step() {}
        #expect(try ledger.printJob(job.id)?.state == .printed)
        #expect(try FileManager.default.attributesOfItem(atPath: target.file(for: job))[.modificationDate] as? Date == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("receipts")).count == 2)
        await worker.close()
    }

    @Test("a target's ledger writes and file syncs run on the print thread, never on the shared pool the till needs")
    func printThread() async throws {
        let dir = try TemporaryDirectory(prefix: "ruyi-spool")
        let ledger = try StoreFixture.open(dir.file("ledger.sqlite"), clock: SystemClock(), random: SystemRandomSource())
        let target = ThreadNotingTarget(spool: try SpoolFolderTarget(directory: dir.file("receipts")))
        let worker = try PrintWorker(ledger: ledger, target: target, profile: .generic58, clock: SystemClock())
        let sale = try ledger.commitSale(try StoreFixture.cashSale(ledger), cashier: StoreFixture.cashier,
                                         receipt: SaleReceipt.freezer(store: testStore))
        while await worker.step() {}
        try ledger.updatePrintJob(try #require(sale.printJob), state: .submitting, detail: "test: as if killed before recording")
        while await worker.step() {}
        #expect(try ledger.printJob(sale.printJob!)?.state == .printed)
        #expect(target.threads.all == ["ruyi-print", "ruyi-print"], "send, then resolve")
        await worker.close()
    }
}

/// The spool folder, noting the thread each send and resolve runs on.
struct ThreadNotingTarget: PrintTarget {
    let spool: SpoolFolderTarget
    let threads = ThreadNames()
    var name: String { spool.name }
    var isSpool: Bool { true }

    func send(_ job: PrintJob, bytes: [UInt8], preview: String, ledger: Ledger, fault: (@Sendable (PrintFaultPoint) -> Void)?,
              isolation: isolated (any Actor)?) async throws {
        threads.note()
        try await spool.send(job, bytes: bytes, preview: preview, ledger: ledger, fault: fault, isolation: isolation)
    }

    func resolve(_ job: PrintJob, ledger: Ledger, isolation: isolated (any Actor)?) async throws {
        threads.note()
        try await spool.resolve(job, ledger: ledger, isolation: isolation)
    }

    func status() async -> PrinterStatus { await spool.status() }
    func sendNow(_ bytes: [UInt8], deadline: Double) async -> Bool { false }
}

final class ThreadNames: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var names: [String] = []
    func note() {
        let name = currentThreadName()
        lock.withLock { names.append(name) }
    }
    var all: [String] { lock.withLock { names } }
}

/// A flag set once from any task.
final class Flag: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
