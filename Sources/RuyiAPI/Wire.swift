import Foundation

// The local API's wire types (HTTP/1.1 + JSON over ruyid's Unix socket), shared by the daemon and the client.
// Amounts are strings in yuan with two decimals ("12.50") — exact, and what people type; quantities are strings too
// ("2" pieces, "0.350" kg).

/// Every error body: a stable `code` for programs, `message` for people (Simplified Chinese by default).
public struct APIErrorBody: Codable, Hashable, Sendable {
    public struct Detail: Codable, Hashable, Sendable {
        public var code: String
        public var message: String
        /// Where the problem is (a field, a line), when that helps.
        public var field: String?
        public init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }
    }
    public var error: Detail
    public init(code: String, message: String, field: String? = nil) { error = Detail(code: code, message: message, field: field) }
}

public struct StatusView: Codable, Hashable, Sendable {
    public var terminalId: String
    public var version: String
    public var state: String
    /// One line a person can read, the same as systemd's STATUS=.
    public var summary: String
    public var cashier: String?
    public var shiftOpen: Bool
    public var cartLines: Int
    public var printer: String
    public var receiptsWaiting: Int
    public var scanners: Int
    public var unheardScans: Int
    public init(terminalId: String, version: String, state: String, summary: String, cashier: String?, shiftOpen: Bool,
                cartLines: Int, printer: String, receiptsWaiting: Int, scanners: Int, unheardScans: Int) {
        self.terminalId = terminalId; self.version = version; self.state = state; self.summary = summary; self.cashier = cashier
        self.shiftOpen = shiftOpen; self.cartLines = cartLines; self.printer = printer; self.receiptsWaiting = receiptsWaiting
        self.scanners = scanners; self.unheardScans = unheardScans
    }
}

public struct CartLineView: Codable, Hashable, Sendable {
    public var line: Int
    public var name: String
    public var barcode: String?
    public var quantity: String
    public var unit: String
    public var unitPrice: String
    public var amount: String
    public var voided: Bool
    public init(line: Int, name: String, barcode: String?, quantity: String, unit: String, unitPrice: String, amount: String, voided: Bool) {
        self.line = line; self.name = name; self.barcode = barcode; self.quantity = quantity; self.unit = unit
        self.unitPrice = unitPrice; self.amount = amount; self.voided = voided
    }
}

public struct CartView: Codable, Hashable, Sendable {
    /// `sale`, or `refund` (lines and amounts negative: money goes back to the customer).
    public var kind: String = "sale"
    public var state: String
    public var lines: [CartLineView]
    public var total: String
    public var due: String
    public var paid: String
    public init(kind: String = "sale", state: String, lines: [CartLineView], total: String, due: String, paid: String) {
        self.kind = kind; self.state = state; self.lines = lines; self.total = total; self.due = due; self.paid = paid
    }
}

public struct ScanRequest: Codable, Hashable, Sendable {
    /// The scanned text (as typed or sent by a scanner), optionally with an AIM prefix.
    public var data: String
    public init(data: String) { self.data = data }
}

/// What a scan did to the till.
public struct ScanOutcome: Codable, Hashable, Sendable {
    /// `line_added`, `unknown_code`, `payment_code`, `not_for_sale`, …
    public var outcome: String
    public var message: String
    public var line: CartLineView?
    public var cart: CartView
    public init(outcome: String, message: String, line: CartLineView?, cart: CartView) {
        self.outcome = outcome; self.message = message; self.line = line; self.cart = cart
    }
}

public struct QuantityRequest: Codable, Hashable, Sendable {
    public var quantity: String
    public init(quantity: String) { self.quantity = quantity }
}

public struct CashTenderRequest: Codable, Hashable, Sendable {
    public var amount: String
    public init(amount: String) { self.amount = amount }
}

public struct SaleDoneView: Codable, Hashable, Sendable {
    public var sale: String
    public var receipt: Int64
    public var total: String
    public var change: String
    /// The receipt as it will print (text preview).
    public var preview: String
    public init(sale: String, receipt: Int64, total: String, change: String, preview: String) {
        self.sale = sale; self.receipt = receipt; self.total = total; self.change = change; self.preview = preview
    }
}

public struct TenderOutcome: Codable, Hashable, Sendable {
    /// Set when the tender completed the sale.
    public var done: SaleDoneView?
    public var cart: CartView
    public init(done: SaleDoneView?, cart: CartView) { self.done = done; self.cart = cart }
}

public struct SignInRequest: Codable, Hashable, Sendable {
    public var cashier: String
    public var pin: String
    public init(cashier: String, pin: String) { self.cashier = cashier; self.pin = pin }
}

public struct SessionView: Codable, Hashable, Sendable {
    public var cashier: String
    public var name: String
    public var role: String
    public init(cashier: String, name: String, role: String) { self.cashier = cashier; self.name = name; self.role = role }
}

public struct ShiftOpenRequest: Codable, Hashable, Sendable {
    public var float: String
    public init(float: String) { self.float = float }
}

public struct ShiftView: Codable, Hashable, Sendable {
    public var open: Bool
    public var number: Int64?
    public var openedBy: String?
    public init(open: Bool, number: Int64?, openedBy: String?) { self.open = open; self.number = number; self.openedBy = openedBy }
}

public struct ScannerView: Codable, Hashable, Sendable {
    public var identity: String
    public var name: String
    public var profile: String?
    public var transport: String?
    public var state: String
    public var scans: Int
    public var problems: Int
    public init(identity: String, name: String, profile: String?, transport: String?, state: String, scans: Int, problems: Int) {
        self.identity = identity; self.name = name; self.profile = profile; self.transport = transport; self.state = state
        self.scans = scans; self.problems = problems
    }
}

public struct DevicesView: Codable, Hashable, Sendable {
    public var scanners: [ScannerView]
    public var printer: String
    public var receiptsWaiting: Int
    public init(scanners: [ScannerView], printer: String, receiptsWaiting: Int) {
        self.scanners = scanners; self.printer = printer; self.receiptsWaiting = receiptsWaiting
    }
}

public struct SetupRequest: Codable, Hashable, Sendable {
    public var owner: String
    public var name: String
    public var pin: String
    public init(owner: String, name: String, pin: String) { self.owner = owner; self.name = name; self.pin = pin }
}

public struct NewCashierRequest: Codable, Hashable, Sendable {
    public var cashier: String
    public var name: String
    public var role: String
    public var pin: String
    public init(cashier: String, name: String, role: String, pin: String) { self.cashier = cashier; self.name = name; self.role = role; self.pin = pin }
}

public struct ImportView: Codable, Hashable, Sendable {
    public struct BadRow: Codable, Hashable, Sendable {
        public var line: Int
        public var problems: [String]
        public init(line: Int, problems: [String]) { self.line = line; self.problems = problems }
    }
    public var rows: Int
    public var imported: Int
    public var committed: Bool
    public var badRows: [BadRow]
    public init(rows: Int, imported: Int, committed: Bool, badRows: [BadRow]) {
        self.rows = rows; self.imported = imported; self.committed = committed; self.badRows = badRows
    }
}

/// An X (or Z) report: the shift's figures so far, amounts in yuan.
public struct ReportView: Codable, Hashable, Sendable {
    public var shift: Int64
    public var businessDate: String
    public var cashier: String
    public var openingFloat: String
    public var sales: Int
    public var salesTotal: String
    public var refunds: Int
    public var refundsTotal: String
    public var voidedLines: Int
    public var discounts: String
    public var byTender: [String: String]
    public var byCategory: [String: String]
    public init(shift: Int64, businessDate: String, cashier: String, openingFloat: String, sales: Int, salesTotal: String, refunds: Int,
                refundsTotal: String, voidedLines: Int, discounts: String, byTender: [String: String], byCategory: [String: String]) {
        self.shift = shift; self.businessDate = businessDate; self.cashier = cashier; self.openingFloat = openingFloat; self.sales = sales
        self.salesTotal = salesTotal; self.refunds = refunds; self.refundsTotal = refundsTotal; self.voidedLines = voidedLines
        self.discounts = discounts; self.byTender = byTender; self.byCategory = byCategory
    }
}

public struct ProductView: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var price: String
    public var unit: String
    public var barcode: String?
    public var initials: String
    public var active: Bool
    public init(id: String, name: String, price: String, unit: String, barcode: String?, initials: String, active: Bool) {
        self.id = id; self.name = name; self.price = price; self.unit = unit; self.barcode = barcode; self.initials = initials; self.active = active
    }
}

public struct ProductsView: Codable, Hashable, Sendable {
    public var products: [ProductView]
    public init(products: [ProductView]) { self.products = products }
}

public struct ShiftCloseRequest: Codable, Hashable, Sendable {
    /// Counted amount per tender, e.g. {"cash": "1234.50"}.
    public var counted: [String: String]
    public init(counted: [String: String]) { self.counted = counted }
}

public struct ZReportView: Codable, Hashable, Sendable {
    public var z: Int64
    public var report: ReportView
    public var counted: [String: String]
    public var variance: [String: String]
    /// The ledger's chain head before this Z (`SEQ:HASH`): `ruyi ledger verify --anchor` checks a ledger file against it.
    public var chainHead: String
    public init(z: Int64, report: ReportView, counted: [String: String], variance: [String: String], chainHead: String) {
        self.z = z; self.report = report; self.counted = counted; self.variance = variance; self.chainHead = chainHead
    }
}

public struct ParkRequest: Codable, Hashable, Sendable {
    public var label: String?
    public init(label: String?) { self.label = label }
}

public struct ParkedView: Codable, Hashable, Sendable {
    public var id: String
    public var label: String
    public var cashier: String
    public init(id: String, label: String, cashier: String) { self.id = id; self.label = label; self.cashier = cashier }
}

public struct ParkedListView: Codable, Hashable, Sendable {
    public var parked: [ParkedView]
    public init(parked: [ParkedView]) { self.parked = parked }
}

public struct SaleView: Codable, Hashable, Sendable {
    public struct Line: Codable, Hashable, Sendable {
        public var name: String
        public var quantity: String
        public var amount: String
        public init(name: String, quantity: String, amount: String) { self.name = name; self.quantity = quantity; self.amount = amount }
    }
    public struct Paid: Codable, Hashable, Sendable {
        public var tender: String
        public var amount: String
        public init(tender: String, amount: String) { self.tender = tender; self.amount = amount }
    }
    public var sale: String
    public var shift: Int64
    public var receipt: Int64
    public var cashier: String
    public var total: String
    public var lines: [Line]
    public var payments: [Paid]
    public init(sale: String, shift: Int64, receipt: Int64, cashier: String, total: String, lines: [Line], payments: [Paid]) {
        self.sale = sale; self.shift = shift; self.receipt = receipt; self.cashier = cashier; self.total = total; self.lines = lines; self.payments = payments
    }
}

public struct ReprintView: Codable, Hashable, Sendable {
    public var job: String
    public var number: Int64
    public init(job: String, number: Int64) { self.job = job; self.number = number }
}

public struct VoidRequest: Codable, Hashable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

public struct VoidView: Codable, Hashable, Sendable {
    public var sale: String
    public var entry: Int64
    public init(sale: String, entry: Int64) { self.sale = sale; self.entry = entry }
}

public struct CashMovementRequest: Codable, Hashable, Sendable {
    /// `pay_in`, `pay_out`, `drop` or `no_sale`.
    public var kind: String
    /// Zero for `no_sale`.
    public var amount: String
    public var reason: String
    public init(kind: String, amount: String, reason: String) { self.kind = kind; self.amount = amount; self.reason = reason }
}

public struct CashMovementView: Codable, Hashable, Sendable {
    public var kind: String
    public var amount: String
    /// Whether the drawer was kicked open (a printer that can; not the spool folder).
    public var drawerOpened: Bool
    public init(kind: String, amount: String, drawerOpened: Bool) { self.kind = kind; self.amount = amount; self.drawerOpened = drawerOpened }
}

public struct StockRequest: Codable, Hashable, Sendable {
    /// `receive`, `count` or `waste`.
    public var kind: String
    /// A product id or one of its barcodes.
    public var product: String
    /// In base units: pieces, or grams for weighed goods. For `count`, what was counted.
    public var quantity: Int64
    public var note: String?
    public init(kind: String, product: String, quantity: Int64, note: String?) { self.kind = kind; self.product = product; self.quantity = quantity; self.note = note }
}

public struct StockView: Codable, Hashable, Sendable {
    public var product: String
    public var name: String
    public var onHand: Int64
    public init(product: String, name: String, onHand: Int64) { self.product = product; self.name = name; self.onHand = onHand }
}

public struct LowStockView: Codable, Hashable, Sendable {
    public struct Item: Codable, Hashable, Sendable {
        public var product: String
        public var name: String
        public var onHand: Int64
        public var threshold: Int64
        public var suggestedOrder: Int64
        public init(product: String, name: String, onHand: Int64, threshold: Int64, suggestedOrder: Int64) {
            self.product = product; self.name = name; self.onHand = onHand; self.threshold = threshold; self.suggestedOrder = suggestedOrder
        }
    }
    public var items: [Item]
    public init(items: [Item]) { self.items = items }
}

public struct AssignRequest: Codable, Hashable, Sendable {
    /// A profile family in devices/scanners, e.g. `generic-hid-keyboard`.
    public var profile: String
    /// Set after the owner read the warning that a keyboard will be taken away from the terminal.
    public var confirmed: Bool
    public init(profile: String, confirmed: Bool) { self.profile = profile; self.confirmed = confirmed }
}

public struct ReturnRequest: Codable, Hashable, Sendable {
    /// The receipt number as printed (`0001-0003`) or the sale id.
    public var receipt: String
    public init(receipt: String) { self.receipt = receipt }
}

public struct ReturnLineRequest: Codable, Hashable, Sendable {
    /// The line number on the original receipt.
    public var line: Int
    /// Pieces, or kg like 0.350 for weighed goods.
    public var quantity: String
    public init(line: Int, quantity: String) { self.line = line; self.quantity = quantity }
}

public struct ReturnView: Codable, Hashable, Sendable {
    public struct Returnable: Codable, Hashable, Sendable {
        public var line: Int
        public var name: String
        public var quantity: String
        public var amount: String
        public init(line: Int, name: String, quantity: String, amount: String) { self.line = line; self.name = name; self.quantity = quantity; self.amount = amount }
    }
    public var sale: String
    public var returnable: [Returnable]
    public var cart: CartView
    public init(sale: String, returnable: [Returnable], cart: CartView) { self.sale = sale; self.returnable = returnable; self.cart = cart }
}

public struct PriceRequest: Codable, Hashable, Sendable {
    /// The new tax-inclusive price in yuan (per piece, or per kg for weighed goods).
    public var price: String
    public init(price: String) { self.price = price }
}

/// The JSON coders both sides use (snake_case keys on the wire).
public enum WireCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
