import Foundation
import Glibc
import RuyiAPI
import RuyiLedger
import RuyiTestKit
import Testing
@testable import RuyiClient

/// The cashier's till screen, driven in tmux against a real ruyid as a person would: keys in, the pane read back.
@Suite(.serialized) struct TillScreenTests {
    static func signIn(_ t: Tmux) throws {
        let first = try t.waitFor("签到：收银员编号")
        try #require(first.found, "\(first.screen)")
        try t.type("c1"); try t.press("Enter")
        try #require(try t.waitFor("c1 的密码").found)
        try t.type("1234"); try t.press("Enter")
        let signed = try t.waitFor("小王，你好", "收银员 小王")
        try #require(signed.found, "\(signed.screen)")
    }

    /// Every row fits the terminal's width (CJK characters count two columns).
    static func fits(_ screen: [String], columns: Int) -> Bool {
        screen.allSatisfy { displayWidth($0) <= columns }
    }

    @Test func aSaleWithAWeighedItemAndCashChangeAVoidAndAReturn() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let t = try Tmux([try BuiltProducts.executable("ruyi"), "till", "--socket", d.socket])
        try Self.signIn(t)
        #expect(try t.waitFor("打印机", "待打印 0", "已连接").found, "the status bar is always there")
        // Digits + Enter is a scan: a piece and a weighed apple (18-digit scale label, 0.350 kg).
        try t.type("6901234567892"); try t.press("Enter")
        #expect(try t.waitFor("可口可乐 330ml", "6901234567892 → 可口可乐").found)
        try t.type("210100100448003501"); try t.press("Enter")
        var s = try t.waitFor("红富士苹果", "0.350kg", "4.48")
        #expect(s.found, "\(s.screen)")
        // A scan from elsewhere (the USB scanner's path into the till) shows without a key.
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"036000291452"}"#).0 == 200)
        s = try t.waitFor("东北大米 5kg")
        #expect(s.found, "\(s.screen)")
        // Void the rice (the last line), then cash: 20 for 7.98 → 12.02 change, big.
        try t.type("v"); try t.press("Enter")
        s = try t.waitFor("已删掉第 3 行", "（已删）")
        #expect(s.found, "\(s.screen)")
        try t.type("c"); try #require(try t.waitFor("收现金多少").found)
        try t.type("20"); try t.press("Enter")
        s = try t.waitFor("收款完成", "找零 12.02", "找零 ￥")
        #expect(s.found, "\(s.screen)")
        #expect(Self.fits(try t.screen(), columns: 80))
        // A code the catalog does not know: asked where the eye is (sell at a price, or Esc not to).
        try t.type("6900000000007"); try t.press("Enter")
        #expect(try t.waitFor("！商品库里没有这个码", "6900000000007 的价格").found)
        try t.press("Escape")
        // A return from the receipt number: the cola back, cash paid out.
        let receipt = try #require(try d.call("GET", "/v1/reports/x").1["sales"] as? Int)
        try t.type("t"); try #require(try t.waitFor("退货：小票号").found)
        try t.type(String(format: "0001-%04d", receipt)); try t.press("Enter")
        s = try t.waitFor("原单行号 数量", "可口可乐")
        #expect(s.found, "\(s.screen)")
        try t.type("1 1"); try t.press("Enter")
        s = try t.waitFor("退第 1 行", "退货单")
        #expect(s.found, "\(s.screen)")
        try t.press("Enter")
        try t.type("c"); try t.press("Enter")
        s = try t.waitFor("退款完成", "退还 3.50")
        #expect(s.found, "\(s.screen)")
        try t.type("Q")
    }

    @Test func aCodePaymentThroughUserPayingAndTheScreenSurvivesARestartAndAResize() throws {
        let acquirer = try TestAcquirer()
        acquirer.script("280000000000000001", .userPaying(seconds: 1.5, thenPaid: true))
        let d = try DaemonUnderTest()
        defer { d.stop() }
        let config = try DaemonCodePaymentTests.config(d, acquirer)
        try #require(try d.start(extra: ["--config", config]) != nil, "\(d.log)")
        let t = try Tmux([try BuiltProducts.executable("ruyi"), "till", "--socket", d.socket])
        try Self.signIn(t)
        try t.type("036000291452"); try t.press("Enter")
        #expect(try t.waitFor("东北大米 5kg").found)
        // The customer's code, scanned as digits + Enter: the till waits while they confirm, then it is paid.
        try t.type("280000000000000001"); try t.press("Enter")
        var s = try t.waitFor("手机上确认", "等顾客")
        #expect(s.found, "\(s.screen)")
        s = try t.waitFor("付款码收款完成", seconds: 15)
        #expect(s.found, "\(s.screen)")
        #expect(try t.screen().joined().contains("付款码 在线"))
        // ruyid restarts: the screen says so, reconnects, and shows the restored cart.
        try t.type("6901234567892"); try t.press("Enter")
        #expect(try t.waitFor("可口可乐 330ml").found)
        d.process?.signal(SIGTERM)
        _ = d.process?.wait(timeout: 10)
        s = try t.waitFor("连接中断")
        #expect(s.found, "\(s.screen)")
        try #require(try d.start(extra: ["--config", config]) != nil, "\(d.log)")
        s = try t.waitFor("已连接", "可口可乐 330ml", "已重新连上")
        #expect(s.found, "\(s.screen)")
        // A wide terminal, then back to 80×24: the layout follows, nothing overflows.
        try t.resize(columns: 132, rows: 40)
        usleep(800_000)
        let wide = try t.screen()
        #expect(wide.count >= 40 && Self.fits(wide, columns: 132) && wide.joined().contains("可口可乐 330ml"))
        try t.resize(columns: 80, rows: 24)
        usleep(800_000)
        #expect(Self.fits(try t.screen(), columns: 80))
        try t.press("C-c")
    }
}

/// The owner's menu in tmux: signed in with the owner's PIN, today's takings, closing the day with the cash counted
/// (restated with the difference before a second key), reprinting the closing report; plain words that fit 80×24.
@Suite(.serialized) struct OwnerMenuTests {
    /// Waits for `texts`; the screen they show on must fit 80×24. When they never show, the screen is recorded.
    static func see(_ t: Tmux, _ texts: [String]) throws -> Bool {
        let (found, rows) = try t.waitFor(texts)
        guard found else {
            Issue.record("not on the screen: \(texts)\n\(rows.joined(separator: "\n"))")
            return false
        }
        #expect(TillScreenTests.fits(rows, columns: 80) && rows.count <= 24, "\(rows)")
        return true
    }

    @Test func theOwnerReadsTodayClosesTheDayAndReprintsTheClosingReport() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        // A sale at the till first.
        _ = try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#)
        _ = try d.call("POST", "/v1/till/scan", #"{"data":"6901234567892"}"#)
        #expect(try d.call("POST", "/v1/till/tender/cash", #"{"amount":"10"}"#).0 == 200)
        let expected = try #require(try d.call("GET", "/v1/reports/x").1["expected_cash"] as? String)
        let t = try Tmux([try BuiltProducts.executable("ruyi"), "menu", "--socket", d.socket])
        func see(_ texts: String...) throws -> Bool { try Self.see(t, texts) }
        #expect(try see("老板编号"))
        try t.type("boss"); try t.press("Enter")
        #expect(try see("老板密码"))
        try t.type("8888"); try t.press("Enter")
        #expect(try see("老板，你好", "1   今天的生意", "7   数据上传", "0   退出"))
        try t.type("1")
        #expect(try see("今天卖了 3.50 元，1 位顾客", "现金：3.50 元", "卖得最好：可口可乐 330ml 1"))
        // Close the day: count one yuan more than expected; the menu says so and waits for a second key.
        try t.type("2")
        #expect(try see("数一数钱箱里的现金"))
        let counted = MenuScreen.yuan((MenuScreen.fen(expected) ?? 0) + 100)
        try t.type(counted); try t.press("Enter")
        #expect(try see("钱箱里应该有 \(expected) 元，你数的是 \(counted) 元，多了 1.00 元", "不能再改", "按 1 确认"))
        try t.type("1")
        #expect(try see("第 1 号结账单：卖了 3.50 元，现金差额 1.00 元"))
        // The closing report, read on the screen.
        #expect(try see("第 1 号结账单 │", "卖了 3.50 元，1 位顾客", "现金应有 \(expected) 元，数的是 \(counted) 元，差额 1.00 元"))
        try t.type("0")
        #expect(try d.call("GET", "/v1/shift").1["open"] as? Bool == false)
        try t.type("3")
        #expect(try see("第几号结账单"))
        try t.press("Enter")
        #expect(try see("第 1 号结账单正在补打", "第 1 号结账单 │"))
        // Other pages: the printer's state in plain words; what is not there yet says so.
        try t.type("0"); try t.type("0"); try t.type("5")
        #expect(try see("打印机：正常"))
        try t.type("0"); try t.type("6")
        #expect(try see("还没有开通"))
        try t.press("C-c")
    }

    @Test func theOwnersWordsHaveNoJargonAndFitTheScreen() {
        for (key, text) in MenuStrings.catalog {
            for word in MenuStrings.jargon { #expect(!text.zh.contains(word), "\(key): \(text.zh) says \(word)") }
            let filled = text.zh.replacingOccurrences(of: #"\{[0-9]\}"#, with: "100000.00", options: .regularExpression)
            #expect(displayWidth(filled) <= 76, "\(key) is too wide for 80 columns: \(filled)")
        }
    }

    @Test func thePriceStockCashiersAndANewProductFromTheMenu() throws {
        let d = try DaemonUnderTest()
        defer { d.stop() }
        try #require(try d.start() != nil, "\(d.log)")
        let t = try Tmux([try BuiltProducts.executable("ruyi"), "menu", "--socket", d.socket])
        func see(_ texts: String...) throws -> Bool { try Self.see(t, texts) }
        _ = try see("老板编号"); try t.type("boss"); try t.press("Enter")
        _ = try see("老板密码"); try t.type("8888"); try t.press("Enter")
        _ = try see("1   今天的生意")
        // A price change: restated with both prices, done only after the second key; refused a zero price first.
        try t.type("3"); _ = try see("2   改价格")
        try t.type("2"); _ = try see("扫要改价的商品")
        try t.type("6901234567892"); try t.press("Enter")
        _ = try see("可口可乐 330ml 现在卖 3.50 元")
        try t.type("4"); try t.press("Enter")
        _ = try see("把 可口可乐 330ml 从 3.50 元改成 4.00 元", "按 1 确认")
        try t.type("0")
        _ = try see("没有做，什么都没改")
        #expect(try d.call("GET", "/v1/products/cola").1["product"].flatMap { ($0 as? [String: Any])?["price"] as? String } == "3.50")
        try t.type("2"); try t.type("cola"); try t.press("Enter"); try t.type("4"); try t.press("Enter")
        _ = try see("改成 4.00 元", "按 1 确认"); try t.type("1")
        _ = try see("可口可乐 330ml 改成 4.00 元了")
        #expect(try d.call("GET", "/v1/products/cola").1["product"].flatMap { ($0 as? [String: Any])?["price"] as? String } == "4.00")
        // A new product by scanning its code.
        try t.type("3"); _ = try see("扫新商品的条码")
        try t.type("6901234567939"); try t.press("Enter"); _ = try see("商品名字")
        try t.type("矿泉水"); try t.press("Enter"); _ = try see("卖多少元")
        try t.type("2"); try t.press("Enter")
        _ = try see("添加 矿泉水（6901234567939），卖 2.00 元"); try t.type("1")
        _ = try see("矿泉水 加好了")
        #expect(try d.call("POST", "/v1/session", #"{"cashier":"c1","pin":"1234"}"#).0 == 200)
        #expect(try d.call("POST", "/v1/till/scan", #"{"data":"6901234567939"}"#).0 == 200, "sold at once")
        // Goods in, and a write-off restated before it is done.
        try t.type("0"); try t.type("2"); _ = try see("1   进货")
        try t.type("1"); _ = try see("扫商品的条码"); try t.type("cola"); try t.press("Enter")
        _ = try see("数量"); try t.type("24"); try t.press("Enter")
        _ = try see("可口可乐 330ml 现在有")
        try t.type("3"); try t.type("cola"); try t.press("Enter"); try t.type("2"); try t.press("Enter")
        _ = try see("把 可口可乐 330ml 报损 2", "按 1 确认"); try t.type("1")
        _ = try see("可口可乐 330ml 现在有 22")
        // A new cashier, then stopped (restated first).
        // The cashier signing in at the till locked owner actions again: the menu asks for the PIN once more.
        try t.type("0"); try t.type("4"); _ = try see("请再输一次老板密码")
        try t.type("8888"); try t.press("Enter")
        _ = try see("c1  小王", "可以接着做了")
        try t.type("1"); try t.type("c2"); try t.press("Enter"); try t.type("小李"); try t.press("Enter"); try t.type("2468"); try t.press("Enter")
        _ = try see("c2  小李")
        try t.type("3"); try t.type("c2"); try t.press("Enter")
        _ = try see("停用 c2", "按 1 确认"); try t.type("1")
        _ = try see("c2  小李（已停用）")
        try t.press("C-c")
    }
}
