import ArgumentParser
import Foundation
import RuyiLedger

/// `ruyi`: the client. Until the daemon's API exists it carries the offline admin commands a technician runs
/// against a ledger file (read-only).
public struct RuyiCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ruyi",
        abstract: "Ruyi (如意) point-of-sale client.",
        subcommands: [TillScreenCommand.self, MenuScreenCommand.self, StatusCommand.self, SetupCommand.self, SignInCommand.self, ShiftCommand.self, CatalogCommand.self, ProductsCommand.self, ReportCommand.self, ScanCommand.self, AddCommand.self, ProductCommand.self, QuantityCommand.self, VoidCommand.self, DiscountCommand.self, CancelCommand.self, CartCommand.self, PayCommand.self, ParkCommand.self, ResumeCommand.self, ReceiptCommand.self, StockCommand.self, RefundCommand.self, CashCommand.self, OwnerCommand.self, CashierCommand.self, DevicesCommand.self, PrintCommand.self, EventsCommand.self, LedgerCommand.self, BarcodeCommand.self, USBCommand.self])

    public init() {}
}

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Offline checks of a till ledger file.",
        subcommands: [VerifyCommand.self])
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a ledger's hash chain from the first entry.",
        discussion: """
            Exit status: 0 the chain is intact; 1 an entry was altered, inserted or removed, entries are missing after an \
            anchor, or the append-only protection was removed; 2 the file cannot be read as a ledger.
            """)

    @Option(name: .long, help: "The ledger file (e.g. /var/lib/ruyi/ledger.sqlite).")
    var db: String

    @Option(name: .long, help: "A chain head known from outside the file, as SEQ:HASH (printed on every Z report). Repeatable.")
    var anchor: [String] = []

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() throws {
        var anchors: [ChainHead] = []
        for text in anchor {
            guard let head = ChainHead(parsing: text) else {
                throw ValidationError("--anchor '\(text)' is not SEQ:HASH (a number, a colon, 64 hex digits), as printed on a Z report")
            }
            anchors.append(head)
        }
        let report: VerifyReport
        do {
            report = try LedgerVerifier.verify(path: db, anchors: anchors)
        } catch let e as LedgerError {
            if json {
                print(#"{"error":{"code":"\#(e.code)","message":\#(jsonString(e.message))}}"#)
            } else {
                FileHandle.standardError.write(Data("ruyi: \(e.message)\n".utf8))
            }
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(Output(report)), as: UTF8.self))
        } else if report.intact {
            print("ledger intact: \(report.entries) entries, head \(report.head)\(report.anchorsChecked > 0 ? ", \(report.anchorsChecked) anchor(s) checked" : "")")
        } else {
            for p in report.problems { print("TAMPERED: \(p.message)") }
            print("checked \(report.entries) entries before the first problem")
        }
        if !report.intact { throw ExitCode(1) }
    }

    struct Output: Encodable {
        let intact: Bool
        let entries: Int64
        let head: String
        let anchorsChecked: Int
        let problems: [VerifyReport.Problem]
        init(_ r: VerifyReport) {
            intact = r.intact
            entries = r.entries
            head = r.head
            anchorsChecked = r.anchorsChecked
            problems = r.problems
        }
    }
}

private func jsonString(_ s: String) -> String {
    (try? String(decoding: JSONEncoder().encode(s), as: UTF8.self)) ?? "\"\""
}
