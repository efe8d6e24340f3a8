import ArgumentParser
import Foundation

/// `ruyi-bench`: speed and memory figures, each beside a baseline measured in the same run. Release builds only give
/// meaningful numbers; `--smoke` runs every benchmark tiny (CI, debug) so none of them can rot.
public struct BenchCommand: ParsableCommand {
    // Plain `ruyi-bench` runs every area (the `all` subcommand is the default).
    public static let configuration = CommandConfiguration(
        commandName: "ruyi-bench",
        abstract: "Ruyi benchmarks. Prints `key=value` lines (or JSON with --json), each figure beside its baseline.",
        subcommands: [AllBench.self, LedgerBench.self, BarcodeBench.self, ReceiptBench.self, ScannerBench.self, DaemonBench.self],
        defaultSubcommand: AllBench.self)

    public init() {}
}

/// Every area in one run, one set of figures.
struct AllBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Every benchmark (the default).")

    @OptionGroup var options: BenchOptions

    func run() throws {
        let f = Figures(json: options.json)
        try BarcodeBench.measure(options, f)
        try ReceiptBench.measure(options, f)
        try ScannerBench.measure(options, f)
        try DaemonBench.measure(options, f)
        try LedgerBench.measure(options, f)
        f.finish()
    }
}

/// One benchmark area: a subcommand that measures into a shared set of figures.
protocol BenchArea: ParsableCommand {
    var options: BenchOptions { get }
    static func measure(_ options: BenchOptions, _ f: Figures) throws
}

extension BenchArea {
    func run() throws {
        let f = Figures(json: options.json)
        try Self.measure(options, f)
        f.finish()
    }
}

struct BenchOptions: ParsableArguments {
    @Flag(help: "Tiny sizes: proves the benchmark runs, measures nothing.")
    var smoke = false

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @Option(help: "Keep the ledger file the benchmark wrote in this directory (DIR/ledger.sqlite).")
    var keep: String?

    @Option(help: ArgumentHelp("Rounds of commits (for profiling the commit path).", visibility: .hidden))
    var commitRounds: Int?

    init() {}
}

/// Collects figures and prints them as `key=value` lines or JSON.
final class Figures {
    private var items: [(String, String)] = []
    let json: Bool

    init(json: Bool) { self.json = json }

    func add(_ key: String, _ value: String, note: String = "") {
        items.append((key, value))
        if !json { print("\(key)=\(value)" + (note.isEmpty ? "" : "    # \(note)")) }
    }

    func say(_ line: String) {
        if !json { print(line) }
    }

    func finish() {
        guard json else { return }
        let body = items.map { "\"\($0.0)\":\(Double($0.1) != nil ? $0.1 : "\"\($0.1)\"")" }.joined(separator: ",")
        print("{\(body)}")
    }
}

func format(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
