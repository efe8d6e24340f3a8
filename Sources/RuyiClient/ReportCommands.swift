import ArgumentParser
import Foundation
import RuyiAPI

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Shift reports.", subcommands: [XReportCommand.self, ZReportCommand.self])
}

struct XReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "x", abstract: "The X report: the open shift's figures so far.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print it on the receipt printer too.") var print = false
    func run() throws {
        if self.print {
            let job = try options.call("POST", "/v1/reports/x/print", as: ReprintView.self)
            if !options.json { Swift.print(job.preview ?? "", terminator: ""); Swift.print("已送去打印 sent to the printer (job \(job.number))") }
            return
        }
        let r = try options.call("GET", "/v1/reports/x", as: ReportView.self)
        guard !options.json else { return }
        let rows: [(String, String)] = [
            ("班次 shift", "\(r.shift) · \(r.businessDate) · \(r.cashier)"),
            ("备用金 float", r.openingFloat),
            ("销售 sales", "\(r.sales) 笔 · \(r.salesTotal)"),
            ("退货 refunds", "\(r.refunds) 笔 · \(r.refundsTotal)"),
            ("撤销行 voided lines", "\(r.voidedLines)"),
            ("优惠 discounts", r.discounts),
            ("作废 post-voids", "\(r.postVoids) 笔 · \(r.postVoidsTotal)"),
            ("净额 net", r.netTotal),
            ("存入/取出/上缴 in/out/drops", "\(r.payIns) / \(r.payOuts) / \(r.drops)"),
            ("应有现金 expected cash", r.expectedCash),
        ] + r.byTender.sorted { $0.key < $1.key }.map { ("付款 \($0.key)", $0.value) }
            + r.byCategory.sorted { $0.key < $1.key }.map { ("类别 \($0.key)", $0.value) }
        let width = rows.map { displayWidth($0.0) }.max() ?? 10
        Swift.print("X 报表 (not a Z: the shift stays open)")
        for (k, v) in rows { Swift.print(pad(k, width) + "  " + v) }
    }
}

func printZ(_ z: ZReportView) {
    print(z.preview, terminator: "")
    for (k, v) in z.counted.sorted(by: { $0.key < $1.key }) { print("点数 counted \(k) \(v) · 差额 variance \(z.variance[k] ?? "0.00")") }
    print("账本锚点 chain head \(z.chainHead)  (ruyi ledger verify --anchor \(z.chainHead))")
}

struct ZReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "z", abstract: "A closed shift's Z report (owner): the last one, or number N.",
                                                    discussion: "Closing the shift makes the Z report: ruyi shift close --counted cash=AMOUNT.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The Z number (default: the last).") var number: String = "last"
    @Flag(name: .long, help: "Print it again on the receipt printer (marked REPRINT).") var print = false
    func run() throws {
        guard number == "last" || Int(number).map({ $0 > 0 }) == true else { throw ValidationError("N is a Z report number (1, 2, …) or last") }
        if self.print {
            let job = try options.call("POST", "/v1/reports/z/\(number)/print", as: ReprintView.self)
            if !options.json { Swift.print(job.preview ?? "", terminator: ""); Swift.print("已送去打印 sent to the printer (job \(job.number))") }
            return
        }
        let z = try options.call("GET", "/v1/reports/z/\(number)", as: ZReportView.self)
        if !options.json { printZ(z) }
    }
}
