import ArgumentParser
import Foundation
import RuyiAPI

struct PayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "Take a payment.",
                                                    subcommands: [PayCashCommand.self, PayCodeCommand.self, PayCancelCommand.self])
}

struct PayCodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "code", abstract: "The customer's payment code (its digits); waits while they confirm on the phone.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The digits under the customer's payment code.") var authCode: String
    @Option(help: "Give up waiting after this many seconds (the payment goes on; see ruyi pay cancel).") var wait: Double = 120
    func run() throws {
        var quiet = options
        quiet.json = false
        let started = try quiet.call("POST", "/v1/till/tender/code", CodeTenderRequest(authCode: authCode), as: TenderOutcome.self)
        guard let p = started.payment else { throw ExitCode(1) }
        if !options.json { print("请顾客在手机上确认 waiting for the customer · \(p.amount)") }
        let end = Date().addingTimeInterval(wait)
        var view = p
        while !["completed", "declined", "reversed"].contains(view.state) {
            guard Date() < end else {
                FileHandle.standardError.write(Data("ruyi: still \(view.state) after \(Int(wait)) s (order \(p.order))\n".utf8))
                throw ExitCode(4)
            }
            usleep(300_000)
            view = try quiet.call("GET", "/v1/payments/\(p.order)", as: CodePaymentView.self)
        }
        if options.json {
            print(String(decoding: try WireCoding.encode(view), as: UTF8.self))
        } else if view.state == "completed" {
            print("收款完成 paid · 小票 receipt \(view.receipt ?? 0) · \(view.amount)")
        } else {
            print("没有付成 not paid (\(view.state)): 请换一种方式收款 take another payment")
        }
        if view.state != "completed" { throw ExitCode(1) }
    }
}

struct PayCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Give up on the waiting code payment (it is reversed; the cart is open again).")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let v = try options.call("DELETE", "/v1/till/tender/code", as: CartView.self)
        if !options.json { print("已取消 cancelled · 还差 due \(v.due)") }
    }
}

struct PayCashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cash", abstract: "Cash handed over, e.g. 50 or 50.00; prints the change.")
    @OptionGroup var options: ClientOptions
    @Argument var amount: String
    func run() throws {
        let t = try options.call("POST", "/v1/till/tender/cash", CashTenderRequest(amount: amount), as: TenderOutcome.self)
        guard !options.json else { return }
        if let done = t.done {
            print("收款完成 sale done · 小票 receipt \(done.receipt) · 合计 \(done.total) · 找零 change \(done.change)")
            print(done.preview)
        } else {
            print("已收 paid \(t.cart.paid) · 还差 due \(t.cart.due)")
        }
    }
}
