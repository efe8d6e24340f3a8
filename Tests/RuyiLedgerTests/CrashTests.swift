import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

/// Power cut mid-sale, simulated: a child process commits sales in a loop and is killed with SIGKILL at random moments.
/// After every kill the ledger opens (running quick_check), verifies, and holds every sale the child reported committed
/// exactly once. The seed is printed; RUYI_CRASH_SEED=<seed> replays a run.
@Suite("Crash safety")
struct CrashTests {
    @Test("SIGKILL at random moments loses no committed sale and never breaks the chain", .timeLimit(.minutes(5)))
    func killLoop() throws {
        let seed = ProcessInfo.processInfo.environment["RUYI_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash test seed: \(seed) (replay with RUYI_CRASH_SEED=\(seed))")
        let random = SeededRandom(seed: seed)
        let dir = try TemporaryDirectory()
        let db = dir.file("ledger.sqlite")
        let child = try executable("ruyi-ledger-child")
        var reported: [String] = []
        var kills = 0
        var quickChecks = 0
        let deadline = Date().addingTimeInterval(240)
        while (kills < 20 || reported.count < 2000) && Date() < deadline {
            let (ids, ranQuickCheck) = try runAndKill(child, db: db, afterMillis: Int(10 + random.next() % 140))
            reported += ids
            kills += 1
            if ranQuickCheck { quickChecks += 1 }
            // After each kill: the ledger opens and verifies, and every reported sale is there exactly once.
            let report = try LedgerVerifier.verify(path: db)
            #expect(report.intact, "after kill \(kills): \(report.problems)")
            if !report.intact { break }
        }
        #expect(kills >= 20)
        #expect(reported.count >= 2000, "only \(reported.count) sales in the time allowed")
        #expect(quickChecks > 0, "no kill ever left a WAL behind, so quick_check never ran")
        let stored = try sqlite(db, "SELECT lower(hex(id)) FROM ledger_entry WHERE kind = 'sale'").split(separator: "\n").map(String.init)
        var counts: [String: Int] = [:]
        for id in stored { counts[id, default: 0] += 1 }
        let missing = reported.filter { counts[$0.replacingOccurrences(of: "-", with: "")] != 1 }
        #expect(missing.isEmpty, "\(missing.count) reported sales missing or duplicated, e.g. \(missing.prefix(3))")
        #expect(Set(reported).count == reported.count)
        print("crash test: \(kills) kills, \(reported.count) sales reported committed, \(stored.count) in the ledger")
    }

    /// Starts the child, lets it sell for `afterMillis` once it is ready, kills it with SIGKILL, and returns the ids it
    /// reported and whether its open ran quick_check.
    private func runAndKill(_ child: String, db: String, afterMillis: Int) throws -> ([String], Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: child)
        p.arguments = [db]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let handle = out.fileHandleForReading
        var buffer = Data()
        var readyAt: Date?
        let start = Date()
        // Read until ready + afterMillis, bounded by 30 s whatever happens.
        while Date().timeIntervalSince(start) < 30 {
            if let r = readyAt, Date().timeIntervalSince(r) * 1000 >= Double(afterMillis) { break }
            if !p.isRunning { break }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if readyAt == nil, String(decoding: buffer, as: UTF8.self).contains("ready") { readyAt = Date() }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        buffer.append(handle.readDataToEndOfFile())
        let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
        let ids = lines.filter { $0.hasPrefix("committed ") }.map { String($0.dropFirst("committed ".count)) }
        let quick = lines.contains { $0 == "ready quick_check=true" }
        return (ids, quick)
    }
}
