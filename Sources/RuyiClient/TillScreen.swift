import ArgumentParser
import Foundation
import RuyiAPI

struct TillScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "till", abstract: "The cashier's full-screen till (keys only; typing digits + Enter is a scan).")
    @Option(name: .long, help: "ruyid's socket (default: $RUYI_SOCKET, then /run/ruyi/ruyid.sock).") var socket: String?

    func run() throws {
        let term = try Terminal.forScreen("ruyi till")
        defer { term.restore() }
        let path = APIClient.socketPath(flag: socket)
        TillScreen(term: term, api: ScreenAPI(socket: path), feed: EventFeed(socket: path)).run()
    }
}

/// The cashier's screen. The cart with Chinese names aligned, the last scan and what it was taken for, the total in
/// big digits (the change, after a cash sale), and always on top: the cashier, the printer, receipts waiting, the
/// link to ruyid and whether payment codes work. Follows the event stream, so a scan from the USB scanner shows
/// without a key; survives a restart of ruyid (it reconnects and shows the restored cart) and a resize.
final class TillScreen {
    enum Ask {
        case cashier
        case pin(String)
        case quantity(Int)
        case void
        case lineDiscount(Int)
        case saleDiscount
        case cash
        case code
        case returnReceipt
        case returnLine
        case noSale
        case unknownPrice(String)
        case cancelSale
        case resume([ParkedView])
    }

    let term: Terminal
    let api: ScreenAPI
    let feed: EventFeed
    var cart: CartView?
    var status: StatusView?
    var linked = true
    var cashierName: String?
    var lastScan = ""
    var message = ""
    var messageIsError = false
    var info: [String] = []
    var input = ""
    var ask: Ask?
    /// After a cash sale: the change, big, until the next scan.
    var change: String?
    var payment: CodePaymentView?
    var lastSale: String?
    var refreshedAt = Date.distantPast
    var quit = false

    init(term: Terminal, api: ScreenAPI, feed: EventFeed) {
        self.term = term
        self.api = api
        self.feed = feed
    }

    func run() {
        refresh()
        while !quit {
            if status?.cashier == nil, linked, ask == nil { ask = .cashier; input = "" }
            term.draw(frame())
            let key = term.key(timeoutMS: 400, wake: feed.wake)
            let events = feed.drain()
            if !events.isEmpty { handle(events) }
            if let key { handle(key) }
            if Date().timeIntervalSince(refreshedAt) > (linked ? 3 : 1) { refresh() }
        }
    }

    // MARK: state from ruyid

    func refresh() {
        refreshedAt = Date()
        switch api.call("GET", "/v1/status", as: StatusView.self) {
        case let .success(s):
            if !linked { say("已重新连上收银程序") }
            linked = true
            status = s
            if s.cashier == nil { cashierName = nil }
        case let .failure(e):
            linked = false
            say(e.message, error: true)
            return
        }
        if case let .success(c) = api.call("GET", "/v1/till", as: CartView.self) {
            cart = c
            if c.state != "awaiting_payment" { payment = nil }
        }
    }

    func handle(_ events: [EventFeed.Event]) {
        for e in events {
            switch (e.name, e.fields["outcome"] ?? e.fields["state"] ?? e.fields["change"] ?? "") {
            case ("scan", "misread"): say("没扫清楚，请再扫一次", error: true)
            case ("scan", "unknown_code"):
                let code = e.fields["code"] ?? ""
                askUnknown(code)
            case ("payment", "paying"): say("顾客正在手机上确认…（Esc 取消）")
            case ("payment", "completed"):
                payment = nil
                change = nil
                say("付款码收款完成 · 小票 \(e.fields["receipt"] ?? "")")
            case ("payment", "declined"), ("payment", "reversing"), ("payment", "reversed"):
                if payment != nil { say("付款码没有付成（\(e.fields["message"] ?? "")），请换一种方式收款", error: true) }
                payment = nil
            case ("sale", _):
                if let s = e.fields["sale"] { lastSale = s }
            default: break
            }
        }
        refresh()
        if let last = cart?.lines.last(where: { !$0.voided }), events.contains(where: { $0.name == "cart" && $0.fields["change"] == "line_added" }) {
            lastScan = "\(last.barcode ?? "") → \(last.name) \(last.quantity)\(last.unit == "kg" ? "kg" : "") \(last.amount)"
            change = nil
        }
    }

    // MARK: keys

    func handle(_ key: Terminal.Key) {
        if key == .ctrlC { quit = true; return }
        if let ask { answer(ask, key); return }
        switch key {
        case let .char(c) where c.isNumber || c == ".":
            input.append(c)
        case .backspace:
            if !input.isEmpty { input.removeLast() }
        case .enter:
            guard !input.isEmpty else { return }
            scan(input)
            input = ""
        case .escape:
            if payment != nil {
                if let e = api.send("DELETE", "/v1/till/tender/code") { say(e.message, error: true) } else { say("付款码已取消，请换一种方式收款"); payment = nil }
            } else {
                input = ""; info = []; say("")
            }
            refresh()
        case let .char(c):
            command(c)
        default:
            break
        }
    }

    var lastLine: Int? { cart?.lines.last(where: { !$0.voided })?.line }

    func command(_ c: Character) {
        info = []
        switch c {
        case "q": if let l = lastLine { start(.quantity(l)) } else { say("购物车是空的", error: true) }
        case "v": if lastLine != nil { start(.void) } else { say("购物车是空的", error: true) }
        case "d": if let l = lastLine { start(.lineDiscount(l)) } else { say("购物车是空的", error: true) }
        case "D": start(.saleDiscount)
        case "c": start(.cash)
        case "m":
            guard cart?.kind == "refund" else { start(.code); return }
            // A return of a code-paid sale: the money goes back the way it came.
            switch api.call("POST", "/v1/till/tender/code-refund", as: TenderOutcome.self) {
            case let .success(t):
                lastSale = t.done?.sale
                say("已原路退回付款码 · 小票 \(t.done?.receipt ?? 0)")
            case let .failure(e): say(e.message, error: true)
            }
        case "h":
            if let e = api.send("POST", "/v1/till/park", ParkRequest(label: nil)) { say(e.message, error: true) } else { say("已挂单") }
        case "r":
            switch api.call("GET", "/v1/parked", as: ParkedListView.self) {
            case let .success(list) where list.parked.count == 1: resume(list.parked[0])
            case let .success(list) where list.parked.isEmpty: say("没有挂起的单", error: true)
            case let .success(list):
                info = list.parked.prefix(9).enumerated().map { "\($0.offset + 1). \($0.element.label)（\($0.element.cashier)）" }
                start(.resume(Array(list.parked.prefix(9))))
            case let .failure(e): say(e.message, error: true)
            }
        case "t": start(.returnReceipt)
        case "n": start(.noSale)
        case "l":
            guard let s = lastSale else { say("这次开机后还没有小票", error: true); return }
            if let e = api.send("POST", "/v1/sales/\(s)/reprint") { say(e.message, error: true) } else { say("已重打上一张小票") }
        case "x": if cart?.lines.isEmpty == false { start(.cancelSale) }
        case "o":
            if let e = api.send("DELETE", "/v1/session") { say(e.message, error: true) } else { say("已签退"); cashierName = nil }
        case "Q": quit = true
        default: say("这个键没有用处；看下面的按键说明", error: true)
        }
        refresh()
    }

    func start(_ a: Ask) {
        ask = a
        input = ""
    }

    func answer(_ a: Ask, _ key: Terminal.Key) {
        switch key {
        case .escape:
            ask = nil; input = ""; info = []
            say("")
            if case .cashier = a { quit = true }
            return
        case .backspace:
            if !input.isEmpty { input.removeLast() }
            return
        case let .char(c):
            input.append(c)
            return
        case .enter:
            break
        default:
            return
        }
        let text = input.trimmingCharacters(in: .whitespaces)
        input = ""
        ask = nil
        switch a {
        case .cashier:
            guard !text.isEmpty else { ask = .cashier; return }
            ask = .pin(text)
        case let .pin(who):
            switch api.call("POST", "/v1/session", SignInRequest(cashier: who, pin: text), as: SessionView.self) {
            case let .success(s): cashierName = s.name; say("\(s.name)，你好")
            case let .failure(e): say(e.message, error: true); ask = .cashier
            }
        case let .quantity(line):
            guard !text.isEmpty else { return }
            report(api.call("POST", "/v1/till/lines/\(line)/quantity", QuantityRequest(quantity: text), as: CartView.self), done: "第 \(line) 行改成 \(text)")
        case .void:
            let line = Int(text) ?? lastLine ?? 0
            report(api.call("DELETE", "/v1/till/lines/\(line)", as: CartView.self), done: "已删掉第 \(line) 行")
        case let .lineDiscount(line):
            guard !text.isEmpty else { return }
            report(api.call("POST", "/v1/till/lines/\(line)/discount", Self.discount(text), as: CartView.self), done: "第 \(line) 行优惠 \(text)")
        case .saleDiscount:
            guard !text.isEmpty else { return }
            report(api.call("POST", "/v1/till/discount", Self.discount(text), as: CartView.self), done: "整单优惠 \(text)")
        case .cash:
            let due = (cart?.due ?? "0").hasPrefix("-") ? String((cart?.due ?? "0").dropFirst()) : (cart?.due ?? "0")
            let amount = text.isEmpty ? due : text
            switch api.call("POST", "/v1/till/tender/cash", CashTenderRequest(amount: amount), as: TenderOutcome.self) {
            case let .success(t):
                if let done = t.done {
                    lastSale = done.sale
                    change = done.change
                    say(cart?.kind == "refund" ? "退款完成 · 退还 \(amount) · 小票 \(done.receipt)" : "收款完成 · 收 \(amount) · 找零 \(done.change) · 小票 \(done.receipt)")
                } else {
                    say("已收 \(t.cart.paid)，还差 \(t.cart.due)")
                }
            case let .failure(e): say(e.message, error: true)
            }
        case .code:
            guard !text.isEmpty else { return }
            payByCode(text)
        case .returnReceipt:
            guard !text.isEmpty else { return }
            switch api.call("POST", "/v1/till/return", ReturnRequest(receipt: text), as: ReturnView.self) {
            case let .success(r):
                change = nil
                info = r.returnable.prefix(6).map { "第 \($0.line) 行  \($0.name)  可退 \($0.quantity) · \($0.amount)" }
                say("退货：输入 原单行号 数量（如 1 1），回车；输完直接回车，按 c 退现金，付款码付的按 m 原路退回")
                ask = .returnLine
            case let .failure(e): say(e.message, error: true)
            }
        case .returnLine:
            guard !text.isEmpty else { info = []; say("按 c 退现金；付款码付的按 m 原路退回"); return }
            let parts = text.split(separator: " ")
            guard let line = parts.first.flatMap({ Int($0) }) else { say("要写原单的行号和数量，如 1 1", error: true); ask = .returnLine; return }
            report(api.call("POST", "/v1/till/return/lines", ReturnLineRequest(line: line, quantity: parts.count > 1 ? String(parts[1]) : "1"), as: CartView.self),
                   done: "退第 \(line) 行")
            ask = .returnLine
        case .noSale:
            guard !text.isEmpty else { say("开钱箱要写原因", error: true); ask = .noSale; return }
            if let e = api.send("POST", "/v1/shift/cash", CashMovementRequest(kind: "no_sale", amount: "0", reason: text)) { say(e.message, error: true) } else { say("钱箱已打开（\(text)）") }
        case let .unknownPrice(code):
            guard !text.isEmpty else { return }
            switch api.call("POST", "/v1/till/lines", AddLineRequest(barcode: code, price: text), as: ScanOutcome.self) {
            case let .success(o): lastScan = "\(code) → \(o.line?.name ?? "") \(o.line?.amount ?? "")（老板以后补登）"
            case let .failure(e): say(e.message, error: true)
            }
        case .cancelSale:
            guard text.lowercased() == "y" else { say("没有取消"); return }
            if let e = api.send("POST", "/v1/till/cancel") { say(e.message, error: true) } else { say("整单已取消") }
        case let .resume(list):
            guard let n = Int(text), (1...list.count).contains(n) else { say("要输入单子的序号", error: true); return }
            resume(list[n - 1])
        }
        // The returnable lines stay listed while they are being picked.
        if case .returnLine? = ask {} else { info = [] }
        refresh()
    }

    private static func discount(_ text: String) -> DiscountRequest {
        text.hasSuffix("%") ? DiscountRequest(percent: String(text.dropLast())) : DiscountRequest(amount: text)
    }

    func report(_ r: Result<CartView, ScreenAPI.Refusal>, done: String) {
        switch r {
        case let .success(c): cart = c; say(done)
        case let .failure(e): say(e.message, error: true)
        }
    }

    func resume(_ p: ParkedView) {
        if let e = api.send("POST", "/v1/parked/\(p.id)/resume") { say(e.message, error: true) } else { say("已取回：\(p.label)") }
    }

    func scan(_ code: String) {
        switch api.call("POST", "/v1/till/scan", ScanRequest(data: code), as: ScanOutcome.self) {
        case let .success(o):
            cart = o.cart
            change = nil
            if let l = o.line {
                lastScan = "\(code) → \(l.name) \(l.quantity)\(l.unit == "kg" ? "kg" : "") \(l.amount)"
                say("")
            } else if o.outcome == "payment_started" {
                payment = CodePaymentView(order: "", provider: "", amount: o.cart.due, state: "started")
                lastScan = "\(code) → 付款码"
                say(o.message + "（Esc 取消）")
            }
        case let .failure(e) where e.code == "till.unknown_code":
            askUnknown(code)
        case let .failure(e):
            lastScan = "\(code) → 没有加上"
            say(e.message, error: true)
        }
    }

    func askUnknown(_ code: String) {
        lastScan = "\(code) → 商品库里没有"
        say("商品库里没有这个码：输入价格照卖（老板以后补登），Esc 不卖", error: true)
        ask = .unknownPrice(code)
        input = ""
    }

    func payByCode(_ code: String) {
        switch api.call("POST", "/v1/till/tender/code", CodeTenderRequest(authCode: code), as: TenderOutcome.self) {
        case let .success(t):
            payment = t.payment
            say("请顾客在手机上确认 \(t.payment?.amount ?? "")（Esc 取消）")
        case let .failure(e): say(e.message, error: true)
        }
    }

    func say(_ text: String, error: Bool = false) {
        message = text
        messageIsError = error && !text.isEmpty
    }

    static func printerWords(_ code: String) -> String {
        switch code {
        case "printer.ok": "打印机 正常"
        case "printer.offline", "printer.unreachable": "打印机 连不上"
        case "printer.paper_out": "打印机 没纸了"
        case "printer.unknown": "打印机 ？"
        default: "打印机 要看一下"
        }
    }
}
