import ArgumentParser
import Foundation
import RuyiAPI

/// A receipt number or id as one URL path segment.
func pathSegment(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? s }

/// The PIN from `--pin`, else `$RUYI_PIN` (so it stays out of the shell history).
func pin(_ flag: String?) throws -> String {
    guard let pin = flag ?? ProcessInfo.processInfo.environment["RUYI_PIN"] else { throw ValidationError("give the PIN with --pin or RUYI_PIN") }
    return pin
}

struct OwnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "owner", abstract: "Unlock owner actions with the owner's PIN while a cashier is signed in; lock them again.",
                                                    subcommands: [OwnerUnlockCommand.self, OwnerLockCommand.self])
}

struct OwnerUnlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Unlock owner actions (PIN from --pin or $RUYI_PIN).")
    @OptionGroup var options: ClientOptions
    @Argument var owner: String
    @Option var pin: String?
    func run() throws {
        let s = try options.call("POST", "/v1/session/owner", OwnerUnlockRequest(owner: owner, pin: try RuyiClient.pin(pin)), as: OwnerSessionView.self)
        if !options.json { print("老板功能已解锁 owner actions unlocked: \(s.name) (\(s.unlockedForSeconds / 60) 分钟无操作后自动锁定)") }
    }
}

struct OwnerLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lock", abstract: "Lock owner actions now.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        _ = try options.call("DELETE", "/v1/session/owner", as: Empty.self)
        if !options.json { print("老板功能已锁定 owner actions locked") }
    }
}

/// A 204 answer.
struct Empty: Decodable { init() {} }

struct DiscountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discount", abstract: "Discount a line or the whole sale: 10% or 2.00.",
        discussion: "ruyi discount 10% --line 2 · ruyi discount 5.00 · ruyi discount --remove --line 2. Above the store's cashier limit the owner's PIN is needed (ruyi owner unlock).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "12.5% off, or an amount in yuan.") var value: String?
    @Option(help: "The line to discount (default: the whole sale).") var line: Int?
    @Flag(help: "Take the discount off again.") var remove = false
    func run() throws {
        let path = line.map { "/v1/till/lines/\($0)/discount" } ?? "/v1/till/discount"
        let cart: CartView
        if remove {
            cart = try options.call("DELETE", path, as: CartView.self)
        } else {
            guard let value, !value.isEmpty else { throw ValidationError("give the discount: 10% or 2.00 (or --remove)") }
            let request = value.hasSuffix("%") ? DiscountRequest(percent: String(value.dropLast())) : DiscountRequest(amount: value)
            cart = try options.call("POST", path, request, as: CartView.self)
        }
        if !options.json { printCart(cart); print("优惠 discount \(cart.discount)" + (cart.saleDiscount.map { " · 整单 \($0)" } ?? "")) }
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the open cart (nothing is sold; the cancel is logged).")
    @OptionGroup var options: ClientOptions
    func run() throws {
        _ = try options.call("POST", "/v1/till/cancel", as: CartView.self)
        if !options.json { print("已取消 cart cancelled") }
    }
}

struct CashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cash", abstract: "Cash in and out of the drawer outside a sale (each opens the drawer and is logged).",
                                                    subcommands: [PayInCommand.self, PayOutCommand.self, DropCommand.self, NoSaleCommand.self])
}

struct CashMovementArguments: ParsableArguments {
    @OptionGroup var options: ClientOptions
    @Argument(help: "Amount in yuan.") var amount: String
    @Option(help: "Why (required: it goes in the ledger).") var reason: String

    func record(_ kind: String) throws {
        let v = try options.call("POST", "/v1/shift/cash", CashMovementRequest(kind: kind, amount: amount, reason: reason), as: CashMovementView.self)
        if !options.json { print("\(kind) \(v.amount) 已记录 recorded" + (v.drawerOpened ? " · 钱箱已打开 drawer opened" : "")) }
    }
}

struct PayInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay-in", abstract: "Cash put into the drawer (more change, say).")
    @OptionGroup var movement: CashMovementArguments
    func run() throws { try movement.record("pay_in") }
}

struct PayOutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay-out", abstract: "Cash paid out of the drawer (a delivery paid in cash, say).")
    @OptionGroup var movement: CashMovementArguments
    func run() throws { try movement.record("pay_out") }
}

struct DropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Cash taken out to the safe during the shift.")
    @OptionGroup var movement: CashMovementArguments
    func run() throws { try movement.record("drop") }
}

struct NoSaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "no-sale", abstract: "Open the drawer without a sale (logged with the reason).")
    @OptionGroup var options: ClientOptions
    @Option(help: "Why (required).") var reason: String
    func run() throws {
        let v = try options.call("POST", "/v1/shift/cash", CashMovementRequest(kind: "no_sale", amount: "0", reason: reason), as: CashMovementView.self)
        if !options.json { print(v.drawerOpened ? "钱箱已打开 drawer opened" : "已记录，但钱箱没有打开：请检查打印机和钱箱 (recorded; the drawer did not open)") }
    }
}

struct CashierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cashier", abstract: "The people who work the till (owner).",
                                                    subcommands: [CashierListCommand.self, CashierAddCommand.self, CashierPINCommand.self, CashierRemoveCommand.self])
}

struct CashierListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Everyone, with their role.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let v = try options.call("GET", "/v1/cashiers", as: CashiersView.self)
        guard !options.json else { return }
        let idWidth = max(4, v.cashiers.map { displayWidth($0.id) }.max() ?? 0)
        let nameWidth = max(4, v.cashiers.map { displayWidth($0.name) }.max() ?? 0)
        for c in v.cashiers {
            print(pad(c.id, idWidth) + "  " + pad(c.name, nameWidth) + "  " + pad(c.role == "owner" ? "老板" : "收银员", 6) + (c.active ? "" : "  (已停用)"))
        }
    }
}

struct CashierAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a cashier (PIN from --pin or $RUYI_PIN).")
    @OptionGroup var options: ClientOptions
    @Argument var id: String
    @Argument var name: String
    @Option(help: "cashier or owner.") var role = "cashier"
    @Option var pin: String?
    func run() throws {
        let s = try options.call("POST", "/v1/cashiers", NewCashierRequest(cashier: id, name: name, role: role, pin: try RuyiClient.pin(pin)), as: SessionView.self)
        if !options.json { print("已添加 added: \(s.name) (\(s.cashier), \(s.role))") }
    }
}

struct CashierPINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pin", abstract: "Set a new PIN for someone; lifts a lock-out (PIN from --pin or $RUYI_PIN).")
    @OptionGroup var options: ClientOptions
    @Argument var id: String
    @Option var pin: String?
    func run() throws {
        _ = try options.call("POST", "/v1/cashiers/\(pathSegment(id))/pin", PINResetRequest(pin: try RuyiClient.pin(pin)), as: Empty.self)
        if !options.json { print("密码已更新 PIN changed: \(id)") }
    }
}

struct CashierRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Deactivate someone: they can no longer sign in; their sales stay theirs.")
    @OptionGroup var options: ClientOptions
    @Argument var id: String
    func run() throws {
        _ = try options.call("DELETE", "/v1/cashiers/\(pathSegment(id))", as: Empty.self)
        if !options.json { print("已停用 deactivated: \(id)") }
    }
}

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "Scanners and the printer, and their state.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let v = try options.call("GET", "/v1/devices", as: DevicesView.self)
        guard !options.json else { return }
        print("打印机 printer: \(v.printer) [\(v.printerCode)] · \(v.printerQueue)" + (v.printerDetail.isEmpty ? "" : " · \(v.printerDetail)"))
        if v.needsAttention > 0 { print("  \(v.needsAttention) 张小票可能没打出来：需要时请重打 (ruyi receipt reprint)") }
        if v.scanners.isEmpty { print("扫码枪 scanners: 没有插着的 none plugged in"); return }
        let nameWidth = max(8, v.scanners.map { displayWidth($0.name) }.max() ?? 0)
        let idWidth = max(8, v.scanners.map { displayWidth($0.identity) }.max() ?? 0)
        for s in v.scanners {
            print(pad(s.identity, idWidth) + "  " + pad(s.name, nameWidth) + "  " + pad(s.state, 12) + "  " + pad(s.profile ?? "-", 16)
                  + "  扫码 \(s.scans)" + (s.problems > 0 ? " · 问题 \(s.problems)" : ""))
        }
    }
}

struct PrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "print", abstract: "Printer pages.", subcommands: [PrintTestCommand.self])
}

struct PrintTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Print the test page (Chinese text, barcode, QR, paper width).")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let job = try options.call("POST", "/v1/devices/printer/test", as: ReprintView.self)
        if !options.json { print(job.preview ?? "", terminator: ""); print("已送去打印 sent to the printer (job \(job.number))") }
    }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Follow ruyid's events (scans, cart changes, sales, printer state) as they happen.",
                                                    discussion: "Runs until Ctrl-C, ruyid stops, --count events came or --seconds passed. Exit 0.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Stop after this many events.") var count: Int?
    @Option(help: "Stop after this many seconds.") var seconds: Double?
    func run() throws {
        var seen = 0
        do {
            try options.client.follow("/v1/events", seconds: seconds) { e in
                if options.json {
                    print(#"{"id":\#(e.id ?? "null"),"event":"\#(e.name)","data":\#(e.data.isEmpty ? "{}" : e.data)}"#)
                } else {
                    let fields = (try? JSONSerialization.jsonObject(with: Data(e.data.utf8))) as? [String: Any] ?? [:]
                    print(pad(e.name, 8) + "  " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
                }
                fflush(nil) // one line at a time, also into a pipe
                seen += 1
                return count.map { seen < $0 } ?? true
            }
        } catch {
            FileHandle.standardError.write(Data("ruyi: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}

struct ReceiptShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A sale as recorded: lines, payments, total.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The receipt number as printed (0001-0003) or the sale id.") var receipt: String
    func run() throws {
        let s = try options.call("GET", "/v1/sales/\(pathSegment(receipt))", as: SaleView.self)
        guard !options.json else { return }
        print("小票 receipt \(s.shift)-\(s.receipt) · 收银员 \(s.cashier) · \(s.sale)")
        let width = max(8, s.lines.map { displayWidth($0.name) }.max() ?? 0)
        for l in s.lines { print(pad(l.name, width) + "  " + pad(l.quantity, 8, right: true) + "  " + pad(l.amount, 9, right: true)) }
        print(pad("合计 total", width + 10) + pad(s.total, 9, right: true))
        for p in s.payments { print(pad("  \(p.tender)", width + 10) + pad(p.amount, 9, right: true)) }
    }
}

struct ReceiptVoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "void", abstract: "Post-void a sale of the open shift (owner): it stays in the ledger, cancelled, with the reason.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The receipt number as printed (0001-0003) or the sale id.") var receipt: String
    @Option(help: "Why (required).") var reason: String
    func run() throws {
        let v = try options.call("POST", "/v1/sales/\(pathSegment(receipt))/void", VoidRequest(reason: reason), as: VoidView.self)
        if !options.json { print("已作废 post-voided (ledger entry \(v.entry))") }
    }
}

struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a product by id or barcode (a price for open-price goods), or sell an unknown barcode at a price.",
        discussion: "ruyi add cola · ruyi add apple --qty 0.350 · ruyi add bag --price 0.30 · ruyi add --barcode 6900000000000 --price 5.00 --name 牙刷")
    @OptionGroup var options: ClientOptions
    @Argument(help: "A product id or barcode from the catalog.") var product: String?
    @Option(help: "A barcode the catalog does not know (needs --price).") var barcode: String?
    @Option(help: "Pieces, or kg for weighed goods (0.350).") var qty: String?
    @Option(help: "The price (open-price goods, unknown barcodes).") var price: String?
    @Option(help: "What it is (unknown barcodes).") var name: String?
    func run() throws {
        guard (product == nil) != (barcode == nil) else { throw ValidationError("give a product, or --barcode for an unknown code") }
        let o = try options.call("POST", "/v1/till/lines", AddLineRequest(product: product, barcode: barcode, quantity: qty, price: price, name: name),
                                 as: ScanOutcome.self)
        if !options.json { print(o.message); printCart(o.cart) }
    }
}

struct ProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "One product: price, tax, stock on hand, price history.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "A product id or barcode.") var product: String
    func run() throws {
        let v = try options.call("GET", "/v1/products/\(pathSegment(product))", as: ProductDetailView.self)
        guard !options.json else { return }
        print("\(v.product.name) (\(v.product.id)) · \(v.product.price)/\(v.product.unit)" + (v.openPrice ? " · 现场定价 open price" : "") + (v.product.active ? "" : " · 停售"))
        print("条码 barcode \(v.product.barcode ?? "-") · 税 tax \(v.taxCategory) · 类别 \(v.category.isEmpty ? "-" : v.category)")
        if let onHand = v.onHand { print("库存 on hand \(onHand)" + (v.lowStockThreshold.map { " · 下限 low at \($0)" } ?? "")) }
        if v.priceHistory.count > 1 { print("价格记录 prices: " + v.priceHistory.map(\.price).joined(separator: " → ")) }
    }
}
