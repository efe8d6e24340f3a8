import ArgumentParser
import Foundation
import RuyiAPI
import Synchronization

/// Options every daemon command takes.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "ruyid's socket (default: $RUYI_SOCKET, then /run/ruyi/ruyid.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print ruyid's JSON answer as is.")
    var json = false

    var client: APIClient { APIClient(socketPath: APIClient.socketPath(flag: socket)) }

    /// Sends a request; on an error answer prints its message (or JSON) and exits 1; unreachable daemon exits 3.
    func call<T: Decodable>(_ method: String, _ path: String, _ body: (some Encodable)? = Optional<String>.none, as: T.Type) throws -> T {
        let reply: APIClient.Reply
        do {
            reply = try client.send(method, path, body: try body.map { try WireCoding.encodeData($0) })
        } catch {
            FileHandle.standardError.write(Data("ruyi: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if json { print(String(decoding: reply.body, as: UTF8.self)) }
        guard (200..<300).contains(reply.status) else {
            if !json {
                let message = (try? WireCoding.decoder().decode(APIErrorBody.self, from: reply.body)).map { "\($0.error.message) [\($0.error.code)]" }
                    ?? "HTTP \(reply.status)"
                FileHandle.standardError.write(Data("ruyi: \(message)\n".utf8))
            }
            throw ExitCode(1)
        }
        if T.self == Empty.self, let nothing = Empty() as? T { return nothing }
        do { return try WireCoding.decoder().decode(T.self, from: reply.body) } catch {
            FileHandle.standardError.write(Data("ruyi: ruyid's answer was not understood (\(error)); is it a newer version?\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Display width: CJK and full-width characters take two columns in a terminal.
func displayWidth(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { w, u in
        let v = u.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
            || (0x20000...0x3FFFD).contains(v)
        return w + (wide ? 2 : 1)
    }
}

func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - displayWidth(s)))
    return right ? fill + s : s + fill
}

func printCart(_ cart: CartView) {
    let nameWidth = max(8, cart.lines.map { displayWidth($0.name) }.max() ?? 0)
    for l in cart.lines {
        let mark = l.voided ? " (已撤销)" : ""
        print(pad("\(l.line)", 3, right: true) + "  " + pad(l.name, nameWidth) + "  " + pad(l.quantity + (l.unit == "kg" ? "kg" : ""), 8, right: true)
              + "  × " + pad(l.unitPrice, 8, right: true) + "  = " + pad(l.amount, 9, right: true) + mark)
    }
    print(pad("合计 total", nameWidth + 5) + pad(cart.total, 40 - 8, right: true) + "   应付 due " + cart.due)
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The daemon's state in one line, and the details.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let s = try options.call("GET", "/v1/status", as: StatusView.self)
        guard !options.json else { return }
        print(s.summary)
        print("terminal \(s.terminalId) · ruyid \(s.version) · cashier \(s.cashier ?? "-") · cart \(s.cartLines) line(s)")
    }
}

struct SignInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signin", abstract: "Sign a cashier in (PIN from --pin or $RUYI_PIN).")
    @OptionGroup var options: ClientOptions
    @Argument var cashier: String
    @Option var pin: String?
    func run() throws {
        let pin = try RuyiClient.pin(pin)
        let s = try options.call("POST", "/v1/session", SignInRequest(cashier: cashier, pin: pin), as: SessionView.self)
        if !options.json { print("signed in: \(s.name) (\(s.cashier), \(s.role))") }
    }
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scan", abstract: "Scan DATA as if a scanner read it (or the cashier typed it).",
                                                    discussion: "Exit status: 0 a line was added; 1 the till refused (the message says why); 3 ruyid unreachable.")
    @OptionGroup var options: ClientOptions
    @Argument var data: String
    func run() throws {
        let o = try options.call("POST", "/v1/till/scan", ScanRequest(data: data), as: ScanOutcome.self)
        if !options.json { print(o.message); printCart(o.cart) }
    }
}

struct QuantityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "qty", abstract: "Set line LINE's quantity to N (pieces, or kg like 0.350).")
    @OptionGroup var options: ClientOptions
    @Argument var line: Int
    @Argument var quantity: String
    func run() throws {
        let c = try options.call("POST", "/v1/till/lines/\(line)/quantity", QuantityRequest(quantity: quantity), as: CartView.self)
        if !options.json { printCart(c) }
    }
}

struct VoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "void", abstract: "Void line LINE of the cart.")
    @OptionGroup var options: ClientOptions
    @Argument var line: Int
    func run() throws {
        let c = try options.call("DELETE", "/v1/till/lines/\(line)", as: CartView.self)
        if !options.json { printCart(c) }
    }
}

struct CartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cart", abstract: "Show the open cart.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let c = try options.call("GET", "/v1/till", as: CartView.self)
        if !options.json { printCart(c) }
    }
}

struct ShiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shift", abstract: "Open or close the shift.", subcommands: [ShiftOpenCommand.self, ShiftCloseCommand.self])
}

struct ShiftOpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open a shift with FLOAT yuan in the drawer.")
    @OptionGroup var options: ClientOptions
    @Argument var float: String
    func run() throws {
        let s = try options.call("POST", "/v1/shift/open", ShiftOpenRequest(float: float), as: ShiftView.self)
        if !options.json { print("shift \(s.number ?? 0) open") }
    }
}

struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "setup", abstract: "First start: create the owner account (only while there is no cashier at all).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The owner's login, e.g. boss.") var owner: String
    @Argument(help: "The owner's name, e.g. 老板.") var name: String
    @Option(help: "4–12 digits (or $RUYI_PIN).") var pin: String?
    func run() throws {
        let pin = try RuyiClient.pin(pin)
        let s = try options.call("POST", "/v1/setup", SetupRequest(owner: owner, name: name, pin: pin), as: SessionView.self)
        if !options.json { print("owner account created: \(s.name) (\(s.cashier))") }
    }
}

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "The product catalog.", subcommands: [CatalogImportCommand.self])
}

struct CatalogImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a CSV catalog (owner; all or nothing).",
                                                    discussion: "Exit status: 0 imported; 1 refused — every bad row is listed with its line, and nothing was imported.")
    @OptionGroup var options: ClientOptions
    @Argument var file: String
    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        // A big catalog takes a while: wait up to 10 minutes, and show ruyid's progress events meanwhile.
        let client = APIClient(socketPath: options.client.socketPath, timeoutSeconds: 600)
        let finished = Mutex(false)
        if !options.json {
            let follower = options.client
            Thread.detachNewThread {
                try? follower.follow("/v1/events", seconds: 600) { e in
                    guard e.name == "import", !finished.withLock({ $0 }) else { return !finished.withLock { $0 } }
                    let f = (try? JSONSerialization.jsonObject(with: Data(e.data.utf8))) as? [String: String] ?? [:]
                    if f["state"] == "reading" {
                        FileHandle.standardError.write(Data("  读取中 reading: \(f["rows"] ?? "?") 行 rows (\(f["percent"] ?? "?")%)\n".utf8))
                    }
                    return f["state"] != "done" && f["state"] != "refused"
                }
            }
        }
        defer { finished.withLock { $0 = true } }
        let reply: APIClient.Reply
        do {
            let source = ((file as NSString).lastPathComponent).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
            reply = try client.send("POST", "/v1/catalog/import?source=\(source)", body: data)
        } catch {
            FileHandle.standardError.write(Data("ruyi: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if options.json { print(String(decoding: reply.body, as: UTF8.self)) }
        if let v = try? WireCoding.decoder().decode(ImportView.self, from: reply.body) {
            if !options.json {
                print(v.committed ? "imported \(v.imported) of \(v.rows) rows" : "nothing imported: \(v.badRows.count) bad row(s) of \(v.rows)")
                for b in v.badRows { print("  line \(b.line): " + b.problems.joined(separator: "; ")) }
            }
            if !v.committed { throw ExitCode(1) }
            return
        }
        if !options.json {
            let message = (try? WireCoding.decoder().decode(APIErrorBody.self, from: reply.body)).map { "\($0.error.message) [\($0.error.code)]" } ?? "HTTP \(reply.status)"
            FileHandle.standardError.write(Data("ruyi: \(message)\n".utf8))
        }
        throw ExitCode(1)
    }
}

struct ProductsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "products", abstract: "Find products by name, pinyin initials (ksf → 康师傅) or barcode.")
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: "What to look for.") var search: String
    func run() throws {
        let q = search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? search
        let v = try options.call("GET", "/v1/catalog/search?q=\(q)", as: ProductsView.self)
        guard !options.json else { return }
        if v.products.isEmpty { print("没有找到 nothing found"); return }
        let width = v.products.map { displayWidth($0.name) }.max() ?? 10
        for p in v.products {
            print(pad(p.name, width) + "  " + pad(p.price, 8, right: true) + "/" + p.unit + "  " + pad(p.barcode ?? "-", 14) + "  " + p.initials + (p.active ? "" : "  (停售)"))
        }
    }
}

struct ShiftCloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close the shift with the counted cash (owner): prints the Z report.")
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: "Counted amount per tender, e.g. cash=1234.50 (repeatable).") var counted: [String]
    func run() throws {
        var map: [String: String] = [:]
        for c in counted {
            let parts = c.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--counted '\(c)' is not TENDER=AMOUNT, e.g. cash=1234.50") }
            map[String(parts[0])] = String(parts[1])
        }
        let z = try options.call("POST", "/v1/shift/close", ShiftCloseRequest(counted: map), as: ZReportView.self)
        guard !options.json else { return }
        printZ(z)
        print(z.printJob != nil ? "已送去打印 sent to the printer" : "没有送去打印：请用 ruyi report z \(z.z) --print 重打 (not queued for printing)")
    }
}

struct ParkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "park", abstract: "Park the open cart (it survives restarts) and start an empty one.")
    @OptionGroup var options: ClientOptions
    @Option(help: "A word to find it again by, e.g. the customer's shirt colour.") var label: String?
    func run() throws {
        let p = try options.call("POST", "/v1/till/park", ParkRequest(label: label), as: ParkedView.self)
        if !options.json { print("parked \(p.id)\(p.label.isEmpty ? "" : " (\(p.label))")") }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Bring a parked cart back; without an id, list the parked carts.")
    @OptionGroup var options: ClientOptions
    @Argument var id: String?
    func run() throws {
        guard let id else {
            let list = try options.call("GET", "/v1/parked", as: ParkedListView.self)
            if !options.json { for p in list.parked { print("\(p.id)  \(p.label)  \(p.cashier)") } }
            return
        }
        let c = try options.call("POST", "/v1/parked/\(id)/resume", as: CartView.self)
        if !options.json { printCart(c) }
    }
}

struct ReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receipt", abstract: "Receipts of earlier sales.",
                                                    subcommands: [ReceiptShowCommand.self, ReceiptReprintCommand.self, ReceiptVoidCommand.self])
}

struct ReceiptReprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reprint", abstract: "Print a sale's receipt again (marked REPRINT).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The receipt number as printed (0001-0003) or the sale id.") var receipt: String
    func run() throws {
        let r = try options.call("POST", "/v1/sales/\(pathSegment(receipt))/reprint", as: ReprintView.self)
        if !options.json { print("reprint queued (job \(r.number))") }
    }
}

struct StockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stock", abstract: "Goods received, counts, waste, and the low-stock list.",
                                                    subcommands: [StockReceiveCommand.self, StockCountCommand.self, StockWasteCommand.self, LowStockCommand.self])
}

/// `stock receive|count|waste PRODUCT QTY`: one movement of goods, recorded with the cashier.
struct StockMovement: ParsableArguments {
    @OptionGroup var options: ClientOptions
    @Argument(help: "A product id or barcode.") var product: String
    @Argument(help: "Pieces (grams for weighed goods).") var quantity: Int64
    @Option(help: "Why, or where from (supplier, delivery note, 'bruised').") var note: String?

    func record(_ kind: String) throws {
        let v = try options.call("POST", "/v1/stock", StockRequest(kind: kind, product: product, quantity: quantity, note: note), as: StockView.self)
        if !options.json { print("\(v.name): 库存 on hand \(v.onHand)") }
    }
}

struct StockReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Goods received: adds QTY (ruyi stock receive 6901234567892 24).")
    @OptionGroup var movement: StockMovement
    func run() throws { try movement.record("receive") }
}

struct StockCountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "count", abstract: "A shelf count: the stock becomes QTY (ruyi stock count cola 17).")
    @OptionGroup var movement: StockMovement
    func run() throws { try movement.record("count") }
}

struct StockWasteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "waste", abstract: "Waste or breakage: takes QTY off (ruyi stock waste apple 350 --note 'bruised').")
    @OptionGroup var movement: StockMovement
    func run() throws { try movement.record("waste") }
}

struct LowStockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "low", abstract: "Products at or below their low-stock level.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        let v = try options.call("GET", "/v1/stock/low", as: LowStockView.self)
        guard !options.json else { return }
        let width = v.items.map { displayWidth($0.name) }.max() ?? 8
        for i in v.items { print(pad(i.name, width) + "  库存 \(i.onHand) / 下限 \(i.threshold)  建议进货 \(i.suggestedOrder)") }
        if v.items.isEmpty { print("没有缺货的商品 nothing is low") }
    }
}

struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refund", abstract: "Refund from a receipt: without --line, list what can be returned.",
                                                    discussion: "With --line N --qty Q the line is refunded and the cash paid back at once (a refund receipt prints).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The receipt number as printed (0001-0003) or the sale id.") var receipt: String
    @Option var line: Int?
    @Option var qty: String?
    func run() throws {
        let r = try options.call("POST", "/v1/till/return", ReturnRequest(receipt: receipt), as: ReturnView.self)
        guard let line else {
            if !options.json { for l in r.returnable { print("line \(l.line)  \(l.name)  可退 \(l.quantity) · \(l.amount)") } }
            return
        }
        let cart = try options.call("POST", "/v1/till/return/lines", ReturnLineRequest(line: line, quantity: qty ?? "1"), as: CartView.self)
        let due = cart.due.hasPrefix("-") ? String(cart.due.dropFirst()) : cart.due
        let t = try options.call("POST", "/v1/till/tender/cash", CashTenderRequest(amount: due), as: TenderOutcome.self)
        if !options.json, let done = t.done { print("退款完成 refund done · 退还 \(due) · 小票 receipt \(done.receipt)") }
    }
}
