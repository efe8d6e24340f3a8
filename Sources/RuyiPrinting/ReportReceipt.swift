import Foundation
import RuyiCore
import RuyiLedger
import RuyiReceipts

/// X and Z reports and the printer's test page, as receipt documents: what the owner keeps in the drawer at night.
public enum ReportReceipt {
    /// The X report: the open shift's figures so far (nothing is closed by printing it).
    public static func x(_ r: ShiftReport, store: StoreReceiptInfo, printedAt: Int64) -> ReceiptDocument {
        var b = header(store, title: "X 报表（未结班）", printedAt: printedAt)
        b += figures(r, store: store)
        b.append(.rule("-"))
        b.append(.pair("应有现金", yuan(r.expectedCash), style: TextStyle(bold: true)))
        b.append(.text("X 报表只是查看，不结班", align: .center))
        return ReceiptDocument(blocks: b)
    }

    /// The Z report of a closed shift: the figures, what was counted, the variance, and the chain anchor that ties
    /// this paper to the ledger (`ruyi ledger verify --anchor SEQ:HASH`).
    public static func z(_ z: ZReport, store: StoreReceiptInfo, printedAt: Int64) -> ReceiptDocument {
        var b = header(store, title: "Z 报表 第 \(z.z) 期（日结）", printedAt: printedAt)
        b.append(.pair("结班时间", SaleReceipt.time(z.closedAt, store.timeZone)))
        b.append(.pair("结班人", z.owner))
        b += figures(z.report, store: store)
        b.append(.rule("-"))
        b.append(.pair("应有现金", yuan(z.report.expectedCash), style: TextStyle(bold: true)))
        for (tender, amount) in z.counted.sorted(by: { $0.key < $1.key }) {
            b.append(.pair("点数 \(SaleReceipt.tenderLabel(tender))", yuan(amount)))
        }
        for (tender, amount) in z.variance.sorted(by: { $0.key < $1.key }) {
            b.append(.pair("差额 \(SaleReceipt.tenderLabel(tender))", (amount > 0 ? "+" : "") + yuan(amount), style: TextStyle(bold: amount != 0)))
        }
        if let anchor = z.anchor {
            b.append(.rule("-"))
            b.append(.text("账本校验码", align: .center))
            b.append(.text(String(anchor.prefix(40)), align: .center))
            b.append(.qr("RZ:" + anchor))
        }
        return ReceiptDocument(blocks: b)
    }

    /// A test page: the store's header, Chinese and ASCII text, the paper's width, a barcode and a QR code.
    public static func testPage(store: StoreReceiptInfo, profile: PrinterProfile, printedAt: Int64) -> ReceiptDocument {
        var b = header(store, title: "打印测试", printedAt: printedAt)
        b.append(.pair("打印机设置", profile.name))
        b.append(.pair("纸宽", "\(profile.paperWidthMM) mm · \(profile.columns) 字符"))
        b.append(.text(String(repeating: "0123456789", count: (profile.columns + 9) / 10).prefix(profile.columns).description))
        b.append(.text("中文：如意收银 · 康师傅红烧牛肉面 · ￥12.80"))
        b.append(.text("粗体 bold", style: TextStyle(bold: true)))
        b.append(.text("倍高倍宽", style: TextStyle(doubleWidth: true, doubleHeight: true)))
        b.append(.barcode(.ean13("6901234567892")))
        b.append(.qr("RUYI TEST"))
        b.append(.text("看到这张纸，打印机就能用", align: .center))
        return ReceiptDocument(blocks: b)
    }

    static func header(_ store: StoreReceiptInfo, title: String, printedAt: Int64) -> [ReceiptBlock] {
        var b: [ReceiptBlock] = [.text(store.storeName, align: .center, style: TextStyle(bold: true, doubleWidth: true, doubleHeight: true))]
        b.append(.text(title, align: .center, style: TextStyle(bold: true)))
        b.append(.pair("打印时间", SaleReceipt.time(printedAt, store.timeZone)))
        b.append(.rule("-"))
        return b
    }

    static func figures(_ r: ShiftReport, store: StoreReceiptInfo) -> [ReceiptBlock] {
        var b: [ReceiptBlock] = [
            .pair("班次", "\(r.shift)"), .pair("营业日", r.businessDate), .pair("开班收银员", r.cashier),
            .pair("开班时间", SaleReceipt.time(r.openedAt, store.timeZone)), .rule("-"),
            .pair("销售 \(r.salesCount) 笔", yuan(r.salesTotal)),
            .pair("退货 \(r.refundsCount) 笔", "-" + yuan(r.refundsTotal)),
            .pair("作废 \(r.postVoidsCount) 笔", "-" + yuan(r.postVoidsTotal)),
            .pair("撤销商品行", "\(r.voidedLines)"),
            .pair("优惠", yuan(r.discounts)),
        ]
        if r.cashRounding != 0 { b.append(.pair("抹零", yuan(r.cashRounding))) }
        b.append(.pair("净销售额", yuan(r.netTotal), style: TextStyle(bold: true)))
        if !r.byTender.isEmpty {
            b.append(.rule("-"))
            for (tender, amount) in r.byTender.sorted(by: { $0.key < $1.key }) { b.append(.pair(SaleReceipt.tenderLabel(tender), yuan(amount))) }
            for (provider, amount) in (r.byProvider ?? [:]).sorted(by: { $0.key < $1.key }) { b.append(.pair("  付款码 \(provider)", yuan(amount))) }
        }
        if !r.byTax.isEmpty {
            b.append(.rule("-"))
            for t in r.byTax { b.append(.pair("税 \(SaleReceipt.percent(t.rate)) 含税 \(yuan(t.gross))", yuan(t.tax))) }
        }
        if !r.byCategory.isEmpty {
            b.append(.rule("-"))
            for (category, amount) in r.byCategory.sorted(by: { $0.key < $1.key }) { b.append(.pair(category.isEmpty ? "其他" : category, yuan(amount))) }
        }
        b.append(.rule("-"))
        b.append(.pair("开班备用金", yuan(r.openingFloat)))
        b.append(.pair("存入", yuan(r.payIns)))
        b.append(.pair("取出", yuan(r.payOuts)))
        b.append(.pair("上缴", yuan(r.drops)))
        b.append(.pair("开钱箱（无销售）", "\(r.noSales) 次"))
        return b
    }

    static func yuan(_ fen: Int64) -> String { Money(fen: fen).formatted }
}
