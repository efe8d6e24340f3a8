import ArgumentParser
import Foundation
import RuyiCore

/// `ruyi barcode DATA`: what the till would make of a scan. Calls the interpreter directly (no daemon needed).
struct BarcodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barcode",
        abstract: "Show how the till reads scanned data.",
        discussion: """
            DATA is the text a scanner sends, optionally starting with its AIM symbology identifier (]C1, ]E0, ]Q3 …). \
            Type the GS1 separator with bash's $'…' quoting: ruyi barcode $']C10109501101530003\\x1d10AB-123'. \
            Uses the embedded default rules (Chinese scale labels, standard payment codes). \
            Exit status: 0 read; 1 the data is a misread or invalid (the message says what and where).
            """)

    @Argument(help: "The scanned text (or hex bytes with --hex).")
    var data: String

    @Flag(name: .long, help: "DATA is hex bytes, e.g. 5d4331… (for control characters and non-UTF-8 data).")
    var hex = false

    @Option(name: .long, help: "The symbology the scanner reported separately (HID-POS), as an AIM identifier like ]C1.")
    var symbology: String?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let bytes: [UInt8]
        if hex {
            guard let b = [UInt8](hex: data.replacingOccurrences(of: " ", with: "")) else { throw ValidationError("--hex: '\(data)' is not an even number of hex digits") }
            bytes = b
        } else {
            bytes = Array(data.utf8)
        }
        var given: Symbology?
        if let symbology {
            guard let s = Symbology(aim: symbology) else {
                throw ValidationError("--symbology '\(symbology)' is not an AIM identifier (']' + a letter + a letter or digit, e.g. ]C1)")
            }
            given = s
        }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let interpreter = try BarcodeInterpreter(rules: .standard, referenceYear: year)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let outcome = Result { () throws(BarcodeError) -> ScanResult in try interpreter.interpret(bytes: bytes, symbology: given) }
        switch outcome {
        case let .success(result):
            if json {
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                for line in Self.describe(result) { print(line) }
            }
        case let .failure(error):
            if json {
                print(String(decoding: try encoder.encode(["error": error]), as: UTF8.self))
            } else {
                FileHandle.standardError.write(Data("ruyi: \(error.message)\n".utf8))
            }
            throw ExitCode(1)
        }
    }

    /// Plain lines for people.
    static func describe(_ r: ScanResult) -> [String] {
        var lines: [String] = []
        switch r.meaning {
        case let .product(code):
            lines.append("product (\(code.format.name)) — look up GTIN \(code.gtin)" + (code.addOn.map { ", add-on \($0)" } ?? ""))
        case let .variableMeasure(v):
            var parts = ["PLU \(v.plu)"]
            if let p = v.price { parts.append("price \(p)") }
            if let g = v.grams { parts.append("weight \(g) g") }
            lines.append("scale label (\(v.rule)) — " + parts.joined(separator: ", "))
        case let .gs1(elements):
            lines.append("GS1 data" + (r.gtin.map { " — look up GTIN \($0)" } ?? ""))
            for e in elements { lines.append("  (\(e.ai)) \(e.title): \(Self.describe(e.value))") }
        case let .payment(p):
            lines.append("payment code: \(p.name) — start a code payment")
        case let .member(s):
            lines.append("member card (\(s.rule)): \(s.code)")
        case let .coupon(s):
            lines.append("coupon (\(s.rule)): \(s.code)")
        case let .moduleClaimed(m):
            lines.append("claimed by module \(m.module) (\(m.claim)): \(m.code)")
        case .unknown:
            lines.append("unknown — search by name or enter a price")
        }
        if let s = r.symbology { lines.append("symbology: \(s.aim) \(s.name)") }
        return lines
    }

    static func describe(_ v: GS1Value) -> String {
        switch v {
        case let .gtin(g): g
        case let .key(k): k
        case let .text(t): t
        case let .date(d): d.description + (d.endOfMonth ? " (end of month)" : "")
        case let .dateTime(t): t.description
        case let .count(n): String(n)
        case let .measure(m): "\(m.description) (\(m.milliUnits) thousandths)"
        case let .money(m): m.description
        }
    }
}
