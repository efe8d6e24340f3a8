import ArgumentParser
import Foundation
import RuyiCore
import RuyiReceipts

/// `ruyi-bench receipt`: composing a 30-line Chinese receipt with a QR code, beside python-escpos (its Dummy printer)
/// composing the same receipt in the same run: the same lines, the same alignment by GB18030 width, the same QR code.
struct ReceiptBench: BenchArea {
    static let configuration = CommandConfiguration(commandName: "receipt", abstract: "Receipt composition figures.")

    @OptionGroup var options: BenchOptions

    static func measure(_ options: BenchOptions, _ f: Figures) throws {
        f.say("# ruyi-bench receipt\(options.smoke ? " --smoke (debug-sized: these numbers measure nothing)" : "")")
        let iterations = options.smoke ? 50 : 20_000
        let sale = benchReceipt()
        let composer = try ReceiptComposer(profile: .generic80)
        let document = sale.document()
        let lines = composer.preview(document).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        var size = 0
        for _ in 0..<min(iterations, 200) { size = try composer.escpos(sale.document()).bytes.count }   // warm up
        let start = SystemFacts.now()
        var sink = 0
        for _ in 0..<iterations {
            // The document is built inside the loop: the till builds it from the sale each time.
            sink &+= try composer.escpos(sale.document()).bytes.count
        }
        let ours = Double(SystemFacts.now() - start) / Double(iterations) / 1000
        blackHole(sink)
        f.add("receipt_us", format(ours, 1), note: "\(lines - 1) printed lines + a QR code, 80 mm, Chinese; \(size) bytes")

        // What a sale's transaction adds: the receipt document built and frozen (JSON) for the print queue.
        let freezeStart = SystemFacts.now()
        for _ in 0..<iterations { sink &+= try ReceiptDocument.frozen(sale.document()).count }
        let freeze = Double(SystemFacts.now() - freezeStart) / Double(iterations) / 1000
        blackHole(sink)
        f.add("receipt_freeze_us", format(freeze, 1), note: "document built and frozen inside the sale's commit")

        switch PythonEscpos.measure(document: document, columns: composer.profile.columns, iterations: options.smoke ? 20 : 2_000) {
        case let .measured(us, bytes):
            f.add("receipt_python_escpos_us", format(us, 1), note: "python-escpos Dummy printer, same receipt; \(bytes) bytes")
            f.add("receipt_speedup_vs_python_escpos", format(us / ours, 1), note: "target >= 20")
        case let .unavailable(why):
            guard options.smoke else { throw ValidationError("python-escpos baseline: \(why) (scripts/setup.sh installs it)") }
            f.add("receipt_python_escpos_us", "unavailable", note: why)
        }
    }

    /// 30 printed lines: 6 items (two lines each, one with a line discount), a sale discount, two tax rates, cash with change, a footer and a QR code.
    static func benchReceipt() -> SaleReceipt {
        let names = ["可口可乐 330ml", "农夫山泉 550ml", "康师傅红烧牛肉面", "散称苹果", "伊利纯牛奶 250ml", "乐事薯片原味 70g"]
        var items: [SaleReceipt.Item] = []
        for (i, name) in names.enumerated() {
            let price = Money(fen: Int64(150 + i * 85))
            if name == "散称苹果" {
                items.append(.init(name: name, quantity: "0.456kg", unitPrice: Money(fen: 1280), unitSuffix: "/kg", amount: Money(fen: 584)))
            } else {
                let qty = i % 3 + 1
                items.append(.init(name: name, quantity: "\(qty)", unitPrice: price, amount: Money(fen: price.minorUnits * Int64(qty)),
                                   discount: i == 2 ? Money(fen: 50) : nil))
            }
        }
        return SaleReceipt(
            storeName: "如意便利店", headerLines: ["中山路店·欢迎光临", "电话 0571-8888 6666"], receiptNumber: "0012-0345",
            time: "2026-11-23 09:30", cashier: "小王", items: items, discounts: [.init("整单优惠", Money(fen: 84))],
            total: Money(fen: 12_345), taxes: [.init("13%", Money(fen: 1320)), .init("9%", Money(fen: 48))],
            tenders: [.init("现金", Money(fen: 20_000))], change: Money(fen: 7655),
            footerLines: ["谢谢惠顾，欢迎再来"], qr: "https://ruyi.example/r/0190f3a2-7c1e-7b3a-9a4e-3f1c2d5e6a7b")
    }
}

/// Runs python-escpos on the same receipt, in a child `python3`, and reads its figure.
enum PythonEscpos {
    enum Result { case measured(us: Double, bytes: Int), unavailable(String) }

    static func measure(document: ReceiptDocument, columns: Int, iterations: Int) -> Result {
        // The receipt as plain JSON rows the script lays out the way our composer does (width = GB18030 byte length).
        var rows: [[String: Any]] = []
        for block in document.blocks {
            switch block {
            case let .text(s, align, style):
                rows.append(["t": "text", "s": s, "align": align.rawValue, "bold": style.bold, "dw": style.doubleWidth, "dh": style.doubleHeight])
            case let .pair(l, r, style):
                rows.append(["t": "pair", "l": l, "r": r, "bold": style.bold, "dh": style.doubleHeight])
            case let .rule(c):
                rows.append(["t": "rule", "c": String(c.prefix(1))])
            case let .qr(s, _):
                rows.append(["t": "qr", "s": s])
            case .blank:
                rows.append(["t": "text", "s": "", "align": "left", "bold": false, "dw": false, "dh": false])
            case .barcode, .lineSpacing, .feed:
                break
            }
        }
        guard let input = try? JSONSerialization.data(withJSONObject: ["columns": columns, "iterations": iterations, "rows": rows]) else {
            return .unavailable("could not encode the receipt for python")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return .unavailable("python3 did not start: \(error)") }
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: out, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let why = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            return .unavailable("python-escpos run failed: \(why)")
        }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let us = Double(fields[0]), let bytes = Int(fields[1]) else { return .unavailable("unexpected output \(text)") }
        return .measured(us: us, bytes: bytes)
    }

    static let script = #"""
import json, sys, time
from escpos.printer import Dummy
spec = json.load(sys.stdin)
cols, rows, n = spec["columns"], spec["rows"], spec["iterations"]
w = lambda s: len(s.encode("gb18030"))
def compose():
    p = Dummy()
    for r in rows:
        t = r["t"]
        if t == "text":
            width = cols // 2 if r["dw"] else cols
            p.set(align="left", bold=r["bold"], double_width=r["dw"], double_height=r["dh"], normal_textsize=not (r["dw"] or r["dh"]))
            gap = {"left": 0, "center": (width - w(r["s"])) // 2, "right": width - w(r["s"])}[r["align"]]
            p.text(" " * max(gap, 0) + r["s"] + "\n")
        elif t == "pair":
            p.set(align="left", bold=r["bold"], double_height=r["dh"], normal_textsize=not r["dh"])
            p.text(r["l"] + " " * max(cols - w(r["l"]) - w(r["r"]), 1) + r["r"] + "\n")
        elif t == "rule":
            p.set(normal_textsize=True)
            p.text(r["c"] * cols + "\n")
        elif t == "qr":
            p.set(align="center", normal_textsize=True)
            p.qr(r["s"], native=True, size=6)
            p.set(align="left")
    p.cut(mode="PART")
    return p.output
out = compose()
start = time.perf_counter()
for _ in range(n):
    compose()
print("%.3f %d" % ((time.perf_counter() - start) / n * 1e6, len(out)))
"""#
}
