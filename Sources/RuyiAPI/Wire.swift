import Foundation
import RuyiCore

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
    /// Whose PIN unlocked owner actions, while they are unlocked.
    public var ownerUnlocked: String?
    /// Code payments: `none` (no provider configured), `online` or `offline` (as the acquirer last answered), `unknown`.
    public var payments: String = "none"
    public init(terminalId: String, version: String, state: String, summary: String, cashier: String?, shiftOpen: Bool,
                cartLines: Int, printer: String, receiptsWaiting: Int, scanners: Int, unheardScans: Int, ownerUnlocked: String? = nil,
                payments: String = "none") {
        self.ownerUnlocked = ownerUnlocked
        self.terminalId = terminalId; self.version = version; self.state = state; self.summary = summary; self.cashier = cashier
        self.shiftOpen = shiftOpen; self.cartLines = cartLines; self.printer = printer; self.receiptsWaiting = receiptsWaiting
        self.scanners = scanners; self.unheardScans = unheardScans; self.payments = payments
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
    /// Everything taken off the line (its own discount and its share of a sale discount), when anything is.
    public var discount: String?
    /// The line's own discount as given: `10%` or `2.00`.
    public var lineDiscount: String?
    public init(line: Int, name: String, barcode: String?, quantity: String, unit: String, unitPrice: String, amount: String, voided: Bool,
                discount: String? = nil, lineDiscount: String? = nil) {
        self.line = line; self.name = name; self.barcode = barcode; self.quantity = quantity; self.unit = unit
        self.unitPrice = unitPrice; self.amount = amount; self.voided = voided; self.discount = discount; self.lineDiscount = lineDiscount
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
    /// All discounts of the cart together.
    public var discount: String = "0.00"
    /// The discount on the whole sale as given: `10%` or `5.00`.
    public var saleDiscount: String?
    public init(kind: String = "sale", state: String, lines: [CartLineView], total: String, due: String, paid: String,
                discount: String = "0.00", saleDiscount: String? = nil) {
        self.kind = kind; self.state = state; self.lines = lines; self.total = total; self.due = due; self.paid = paid
        self.discount = discount; self.saleDiscount = saleDiscount
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
    /// A code payment started: the cart waits for it (follow the `payment` and `sale` events).
    public var payment: CodePaymentView?
    public init(done: SaleDoneView?, cart: CartView, payment: CodePaymentView? = nil) { self.done = done; self.cart = cart; self.payment = payment }
}

/// `POST /v1/till/tender/code`: the customer's payment code, as scanned or typed.
public struct CodeTenderRequest: Codable, Hashable, Sendable {
    public var authCode: String
    public init(authCode: String) { self.authCode = authCode }
}

/// A payment-code attempt as the till shows it.
public struct CodePaymentView: Codable, Hashable, Sendable {
    /// The merchant order number (the attempt's UUIDv7).
    public var order: String
    public var provider: String
    public var amount: String
    /// started, paying, paid, completed, declined, reversing, reversed.
    public var state: String
    /// Completed: the receipt number of the sale it paid.
    public var receipt: Int64?
    public init(order: String, provider: String, amount: String, state: String, receipt: Int64? = nil) {
        self.order = order; self.provider = provider; self.amount = amount; self.state = state; self.receipt = receipt
    }
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

/// `POST /v1/till/lines`: a line by product (id or barcode: from a search, a button, a typed code), with a price for
/// open-price goods; or an unknown barcode sold at an entered price (the owner completes the product later).
public struct AddLineRequest: Codable, Hashable, Sendable {
    public var product: String?
    public var barcode: String?
    public var quantity: String?
    public var price: String?
    public var name: String?
    public init(product: String? = nil, barcode: String? = nil, quantity: String? = nil, price: String? = nil, name: String? = nil) {
        self.product = product; self.barcode = barcode; self.quantity = quantity; self.price = price; self.name = name
    }
}

/// `POST /v1/session/owner`: the owner's PIN, to unlock owner actions while a cashier is signed in.
public struct OwnerUnlockRequest: Codable, Hashable, Sendable {
    public var owner: String
    public var pin: String
    public init(owner: String, pin: String) { self.owner = owner; self.pin = pin }
}

public struct OwnerSessionView: Codable, Hashable, Sendable {
    public var owner: String
    public var name: String
    /// Owner actions stay unlocked this long after the last one.
    public var unlockedForSeconds: Int
    public init(owner: String, name: String, unlockedForSeconds: Int) { self.owner = owner; self.name = name; self.unlockedForSeconds = unlockedForSeconds }
}

/// A discount on a line or on the sale: exactly one of `amount` (yuan, `2.00`) and `percent` (`10`, `12.5`).
public struct DiscountRequest: Codable, Hashable, Sendable {
    public var amount: String?
    public var percent: String?
    public init(amount: String? = nil, percent: String? = nil) { self.amount = amount; self.percent = percent }
}

/// `POST /v1/cashiers/{id}/pin`: the owner sets a new PIN (a forgotten one, or to lift a lock-out).
public struct PINResetRequest: Codable, Hashable, Sendable {
    public var pin: String
    public init(pin: String) { self.pin = pin }
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
    /// The printer's state in plain words.
    public var printer: String
    public var receiptsWaiting: Int
    /// `printer.ok`, `printer.paper_out`, …
    public var printerCode: String = "printer.unknown"
    /// The CUPS queue, or `spool` for the spool folder.
    public var printerQueue: String = ""
    /// CUPS' own words, for a technician.
    public var printerDetail: String = ""
    /// Jobs that failed or may not have printed (last 24 h): reprint them if the customer needs it.
    public var needsAttention: Int = 0
    public init(scanners: [ScannerView], printer: String, receiptsWaiting: Int) {
        self.scanners = scanners; self.printer = printer; self.receiptsWaiting = receiptsWaiting
    }
}

/// The JSON coders both sides use (snake_case keys on the wire, sorted). Writing goes through `JSONBytesEncoder`
/// (the bytes `JSONEncoder` with `.convertToSnakeCase` and `.sortedKeys` writes, at a fraction of its cost).
public enum WireCoding {
    public static let bytesEncoder = JSONBytesEncoder(keyStyle: .snakeCase, sortedKeys: true)

    public static func encode(_ value: some Encodable) throws -> [UInt8] { try bytesEncoder.encode(value) }

    public static func encodeData(_ value: some Encodable) throws -> Data { try bytesEncoder.encodeData(value) }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
