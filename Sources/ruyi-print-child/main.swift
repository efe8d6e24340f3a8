// Crash-test child for the print queue: prints the ledger's owed receipts through a CUPS queue and SIGKILLs itself
// at the named fault point, as a power cut or a crash would stop the daemon there.
// Usage: ruyi-print-child LEDGER CUPS-SOCKET QUEUE FAULT   (FAULT: before-create, after-create, after-recorded, after-document)
import Foundation
import Glibc
import RuyiCore
import RuyiLedger
import RuyiPrinting
import RuyiReceipts
import RuyiTestKit

let args = CommandLine.arguments
guard args.count == 5, let point = PrintFaultPoint(rawValue: args[4]) else {
    FileHandle.standardError.write(Data("usage: ruyi-print-child LEDGER CUPS-SOCKET QUEUE FAULT\n".utf8))
    exit(2)
}
do {
    let ledger = try StoreFixture.open(args[1], clock: SystemClock(), random: SystemRandomSource())
    var options = PrintWorker.Options()
    options.fault = { reached in
        if reached == point { kill(getpid(), SIGKILL) }
    }
    let client = CUPSClient(server: .socket(args[2]), timeout: 10)
    let worker = try PrintWorker(ledger: ledger, target: CUPSTarget(client: client, queue: args[3]), profile: .generic80,
                                 clock: SystemClock(), options: options)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        for _ in 0..<200 where try! ledger.openPrintJobs().isEmpty == false {
            if await !worker.step() { try? await Task.sleep(for: .milliseconds(100)) }
        }
        done.signal()
    }
    done.wait()
    FileHandle.standardError.write(Data("ruyi-print-child: the fault point \(point.rawValue) was never reached\n".utf8))
    exit(3)
} catch {
    FileHandle.standardError.write(Data("ruyi-print-child: \(error)\n".utf8))
    exit(1)
}
