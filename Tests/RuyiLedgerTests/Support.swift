import Foundation
import Testing
import RuyiCore
import RuyiLedger
import RuyiTestKit

/// Runs a program to completion with a time limit; returns its exit status and output.
/// Output goes to temporary files, so a chatty child can never stall on a full pipe.
func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let dir = try TemporaryDirectory(prefix: "ruyi-run")
    _ = FileManager.default.createFile(atPath: dir.file("out"), contents: nil)
    _ = FileManager.default.createFile(atPath: dir.file("err"), contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("out")))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("err")))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(5_000) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        Issue.record("\(executable) \(arguments) did not finish within \(timeout) s")
    }
    p.waitUntilExit()
    try out.close()
    try err.close()
    let o = (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? ""
    let e = (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? ""
    return (p.terminationStatus, o, e)
}

var productsDirectory: String { BuiltProducts.directory }

func executable(_ name: String) throws -> String { try BuiltProducts.executable(name) }

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func fixture(_ name: String) -> String {
    Bundle.module.path(forResource: name, ofType: nil, inDirectory: "Fixtures")
        ?? Bundle.module.path(forResource: name, ofType: nil)!
}

/// sqlite3 CLI, as a tamperer would use it.
func sqlite(_ db: String, _ sql: String) throws -> String {
    let r = try run("/usr/bin/sqlite3", [db, sql])
    guard r.status == 0 else { throw TestFailure("sqlite3 failed: \(r.stderr)") }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// SQLite's plan for each query, as `EXPLAIN QUERY PLAN` prints it in the sqlite3 CLI (unbound `?` read as NULL).
func queryPlans(_ db: String, _ queries: [String]) throws -> [String] {
    try queries.map { try sqlite(db, "EXPLAIN QUERY PLAN " + $0) }
}

func entryCount(_ db: String) throws -> Int { Int(try sqlite(db, "SELECT COUNT(*) FROM ledger_entry")) ?? -1 }
