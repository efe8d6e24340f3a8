// Crash-test child: commits cash sales in a loop and prints each sale's id only after commitSale returned (durable).
// The test kills it with SIGKILL at random moments and checks the ledger. Usage: ruyi-ledger-child DB [MAX]
import Foundation
import RuyiCore
import RuyiLedger
import RuyiTestKit

/// One write(2) per line: nothing sits in a buffer when the kill comes.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ruyi-ledger-child DB [MAX]\n".utf8))
    exit(2)
}
let max = args.count > 2 ? Int(args[2]) ?? Int.max : Int.max
do {
    let ledger = try StoreFixture.open(args[1], clock: SystemClock(), random: SystemRandomSource())
    say("ready quick_check=\(ledger.ranQuickCheck)")
    var n = 0
    while n < max {
        let sale = try StoreFixture.cashSale(ledger, colas: Int64(n % 5 + 1))
        let committed = try ledger.commitSale(sale, cashier: StoreFixture.cashier)
        say("committed \(committed.id.lowercased)")
        n += 1
    }
} catch {
    FileHandle.standardError.write(Data("ruyi-ledger-child: \(error)\n".utf8))
    exit(1)
}
