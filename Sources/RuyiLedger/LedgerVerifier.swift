import Foundation
import GRDB

/// What `ruyi ledger verify` found.
public struct VerifyReport: Sendable, Hashable, Codable {
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// altered | removed | inserted | truncated | unprotected
        public let kind: String
        /// The first entry concerned.
        public let seq: Int64?
        public let message: String
        public var description: String { message }
    }

    public var entries: Int64 = 0
    public var head: String = ChainHead(seq: 0, hash: ChainHead.genesisHash).description
    public var anchorsChecked = 0
    public var problems: [Problem] = []
    public var intact: Bool { problems.isEmpty }
}

/// Checks a ledger file's chain from the first entry, read-only, independently of the ledger's own code paths.
///
/// It names the first entry that was altered, inserted or removed, and entries missing after an anchor (a head known
/// from outside the file: a printed Z report, the server's acknowledgement), because a chain alone cannot notice its
/// last entries being cut off.
public enum LedgerVerifier {
    public static func verify(path: String, anchors external: [ChainHead] = []) throws -> VerifyReport {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.notALedger(path, "no such file") }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw LedgerError.notALedger(path, "\(error)")
        }
        return try queue.read { db in
            guard try db.tableExists("ledger_entry") else { throw LedgerError.notALedger(path, "it has no ledger_entry table") }
            var report = VerifyReport()
            var expected: Int64 = 1
            var prev = ChainHead.genesisHash
            // From v8 on, each entry's outbox row, keyed by its id, is the chain's unique index: it must name the entry.
            let keyed = try db.tableExists("outbox") && db.columns(in: "outbox").contains { $0.name == "id" }
            let cursor = try Row.fetchCursor(db, sql: keyed
                ? "SELECT e.seq, e.id, e.kind, e.body, e.hash, o.seq FROM ledger_entry e LEFT JOIN outbox o ON o.id = e.id ORDER BY e.seq"
                : "SELECT seq, id, kind, body, hash, seq FROM ledger_entry ORDER BY seq")
            while let row = try cursor.next() {
                let seq: Int64 = row[0]
                let body = [UInt8](row[3] as Data)
                let stored = [UInt8](row[4] as Data)
                if seq != expected {
                    report.problems.append(.init(kind: "removed", seq: expected,
                        message: seq > expected
                            ? "entry \(expected)\(seq - 1 > expected ? "–\(seq - 1)" : "") is missing: removed from the ledger"
                            : "entry \(seq) appears out of order after \(expected - 1): inserted"))
                    break
                }
                let envelope = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
                let claimedPrev = envelope?["prev"] as? String
                let computed = Chain.link(previous: prev, body: body)
                if computed != stored {
                    if let claimedPrev, claimedPrev != prev.hex, let claimed = [UInt8](hex: claimedPrev),
                       Chain.link(previous: claimed, body: body) == stored {
                        report.problems.append(.init(kind: "inserted", seq: seq,
                            message: "entry \(seq) does not follow entry \(seq - 1): an entry was inserted or removed before it"))
                    } else {
                        report.problems.append(.init(kind: "altered", seq: seq, message: "entry \(seq) was altered: its hash does not match its content"))
                    }
                    break
                }
                // The hash covers the body; the indexed columns must say what the body says.
                let idColumn = [UInt8](row[1] as Data).hex
                let idBody = (envelope?["id"] as? String)?.replacingOccurrences(of: "-", with: "")
                if (envelope?["seq"] as? NSNumber)?.int64Value != seq || idBody != idColumn || envelope?["kind"] as? String != row[2] as String {
                    report.problems.append(.init(kind: "altered", seq: seq, message: "entry \(seq) was altered: its columns do not match its hashed content"))
                    break
                }
                if row[5] as Int64? != seq {
                    report.problems.append(.init(kind: "altered", seq: seq,
                        message: "entry \(seq) was altered: the outbox row under its id is missing or names another entry"))
                    break
                }
                prev = stored
                report.entries = seq
                expected += 1
            }
            let head = ChainHead(seq: report.entries, hash: report.entries == 0 ? ChainHead.genesisHash : prev)
            report.head = head.description

            if report.problems.isEmpty, keyed, let keys = try Row.fetchOne(db, sql: "SELECT COUNT(*), IFNULL(MAX(seq), 0) FROM outbox") {
                let (count, last): (Int64, Int64) = (keys[0], keys[1])
                if last > head.seq {
                    report.problems.append(.init(kind: "truncated", seq: head.seq + 1,
                        message: "entries \(head.seq + 1)–\(last) are missing: the ledger was cut back (their outbox rows remain)"))
                } else if count != head.seq {
                    report.problems.append(.init(kind: "inserted", seq: nil,
                        message: "the outbox holds \(count) rows for \(head.seq) entries: rows were added outside Ruyi"))
                }
            }
            if report.problems.isEmpty {
                var anchors = external
                if try db.tableExists("anchor") {
                    anchors += try Row.fetchAll(db, sql: "SELECT seq, hash FROM anchor").map { ChainHead(seq: $0[0], hash: [UInt8]($0[1] as Data)) }
                }
                for a in anchors.sorted(by: { $0.seq > $1.seq }) {
                    report.anchorsChecked += 1
                    if a.seq > head.seq {
                        report.problems.append(.init(kind: "truncated", seq: head.seq + 1,
                            message: "entries \(head.seq + 1)–\(a.seq) are missing: the ledger was cut back after anchor \(a.seq)"))
                        break
                    }
                    let h = try Data.fetchOne(db, sql: "SELECT hash FROM ledger_entry WHERE seq = ?", arguments: [a.seq])
                    if a.seq > 0, h.map({ [UInt8]($0) }) != a.hash {
                        report.problems.append(.init(kind: "altered", seq: a.seq,
                            message: "entry \(a.seq) is not the one anchored (\(a)): the ledger was rewritten from there"))
                        break
                    }
                }
            }
            let triggers = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            let needed = LedgerSchema.protectingTriggers["ledger_entry"]! + (keyed ? LedgerSchema.protectingTriggers["outbox"]! : [])
            let missing = needed.filter { !triggers.contains($0) }
            if !missing.isEmpty {
                report.problems.append(.init(kind: "unprotected", seq: nil,
                    message: "the append-only triggers were removed (\(missing.joined(separator: ", "))): someone edited the file outside Ruyi"))
            }
            return report
        }
    }
}
