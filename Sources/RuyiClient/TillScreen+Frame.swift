import Foundation
import RuyiAPI

/// What the till screen shows: one frame from its state.
extension TillScreen {
    // MARK: drawing

    func frame() -> [Terminal.Row] {
        let (cols, rows) = term.size
        var out: [Terminal.Row] = []
        // Always on top: who, the printer, receipts waiting, the link, payment codes.
        let who = status?.cashier.map { "收银员 \(cashierName ?? $0)" } ?? "未签到"
        let printer = status.map { Self.printerWords($0.printer) } ?? "打印机 ？"
        let waiting = "待打印 \(status?.receiptsWaiting ?? 0)"
        let link = linked ? "已连接" : "连接中断"
        let codes = ["online": "付款码 在线", "offline": "付款码 离线", "unknown": "付款码 待查", "none": "付款码 未开通"][status?.payments ?? "none"] ?? ""
        out.append(.init(" 如意收银 │ \(who) │ \(printer) │ \(waiting) │ \(link) │ \(codes)", strong: true))
        let kind = cart?.kind == "refund" ? "退货单" : "购物车"
        let numW = 4, qtyW = 9, priceW = 9, amountW = 10
        let nameW = max(10, cols - numW - qtyW - priceW - amountW - 1)
        out.append(.init(pad(" #", numW) + pad("商品（\(kind)）", nameW) + pad("数量", qtyW, right: true) + pad("单价", priceW, right: true) + pad("金额", amountW, right: true)))
        let listRows = max(1, rows - 12 - info.count)
        let lines = cart?.lines ?? []
        for l in lines.suffix(listRows) {
            var name = l.voided ? "× " + l.name + "（已删）" : l.name
            if let d = l.lineDiscount { name += " 优惠\(d)" }
            let qty = l.quantity + (l.unit == "kg" ? "kg" : "")
            out.append(.init(pad(String(l.line), numW - 1, right: true) + " " + fit(name, nameW) + pad(qty, qtyW, right: true)
                             + pad(l.unitPrice, priceW, right: true) + pad(l.voided ? "-" : l.amount, amountW, right: true)))
        }
        while out.count < 2 + listRows { out.append(.init("")) }
        for i in info { out.append(.init("   " + i)) }
        out.append(.init(String(repeating: "-", count: cols)))
        out.append(.init(" 上一个：" + (lastScan.isEmpty ? "—" : lastScan)))
        // The total in big digits — or, after a cash sale, the change.
        let (label, amount) = change.map { ("找零", $0) } ?? (cart?.kind == "refund" ? ("应退", cart?.due ?? "0.00") : ("合计", cart?.total ?? "0.00"))
        let big = BigDigits.rows(amount.replacingOccurrences(of: "-", with: ""))
        for (i, r) in big.enumerated() { out.append(.init(pad(i == 1 ? " " + label + " ￥" : "", 10) + r)) }
        var summary = " 已付 \(cart?.paid ?? "0.00")   还差 \(cart?.due ?? "0.00")"
        if cart?.discount != nil && cart?.discount != "0.00" { summary += "   优惠 \(cart?.discount ?? "")" }
        if cart?.saleDiscount != nil { summary += "（整单 \(cart?.saleDiscount ?? "")）" }
        if payment != nil { summary += "   ● 等顾客付款码确认" }
        out.append(.init(summary))
        out.append(.init(message.isEmpty ? "" : (messageIsError ? " ！" : " ") + message, strong: messageIsError))
        var typed = input
        if case .pin? = ask { typed = String(repeating: "*", count: input.count) }
        out.append(.init(" " + prompt() + typed + "▏"))
        out.append(.init(" 回车=扫码  q数量 v删行 d单品优惠 D整单优惠 c现金 m付款码 Esc取消"))
        out.append(.init(" h挂单 r取单 t退货 n开钱箱 l重打小票 x整单取消 o签退 Q退出"))
        return out
    }

    func prompt() -> String {
        switch ask {
        case nil: return payment != nil ? "等顾客确认（Esc 取消）> " : "扫码或输入条码 > "
        case .cashier?: return "签到：收银员编号 > "
        case let .pin(who)?: return "签到：\(who) 的密码 > "
        case let .quantity(l)?: return "第 \(l) 行的数量（如 3 或 0.350） > "
        case .void?: return "删哪一行（回车=最后一行 \(lastLine ?? 0)） > "
        case let .lineDiscount(l)?: return "第 \(l) 行优惠（10% 或 2.00） > "
        case .saleDiscount?: return "整单优惠（10% 或 5.00） > "
        case .cash?: return "收现金多少（回车=正好 \(cart?.due ?? "")） > "
        case .code?: return "扫顾客的付款码 > "
        case .returnReceipt?: return "退货：小票号（如 0001-0003） > "
        case .returnLine?: return "原单行号 数量 > "
        case .noSale?: return "开钱箱的原因 > "
        case let .unknownPrice(code)?: return "\(code) 的价格 > "
        case .cancelSale?: return "整单取消？按 y 再回车确认 > "
        case .resume?: return "取哪一单（序号） > "
        }
    }
}
