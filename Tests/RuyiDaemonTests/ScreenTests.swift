import Foundation
import Glibc
import RuyiAPI
import RuyiLedger
import RuyiTestKit
import Testing

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
        screen.allSatisfy { displayColumns($0) <= columns }
    }

    static func displayColumns(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { w, u in
            let v = u.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
            return w + (wide ? 2 : 1)
        }
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
