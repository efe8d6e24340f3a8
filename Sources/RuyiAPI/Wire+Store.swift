import Foundation

// Wire types of the store's running: accounts, catalog, reports, parking, earlier sales, returns, cash, stock, devices.

public struct SetupRequest: Codable, Hashable, Sendable {
    public var owner: String
    public var name: String
    public var pin: String
    public init(owner: String, name: String, pin: String) { self.owner = owner; self.name = name; self.pin = pin }
}

public struct CashiersView: Codable, Hashable, Sendable {
    public struct Person: Codable, Hashable, Sendable {
        public var id: String
        public var name: String
        public var role: String
        public var active: Bool
        public init(id: String, name: String, role: String, active: Bool) { self.id = id; self.name = name; self.role = role; self.active = active }
    }
    public var cashiers: [Person]
    public init(cashiers: [Person]) { self.cashiers = cashiers }
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
    /// Code payments per provider, to reconcile with each acquirer's settlement.
    public var byProvider: [String: String]?
    /// Sales per hour of the day (sales count, amount).
    public var byHour: [HourView]?
    /// The best-selling products by amount (at most 5).
    public var topProducts: [TopProductView]?
    public var postVoids: Int = 0
    public var postVoidsTotal: String = "0.00"
    public var rounding: String = "0.00"
    /// Sales − refunds − post-voids + rounding.
    public var netTotal: String = "0.00"
    public var payIns: String = "0.00"
    public var payOuts: String = "0.00"
    public var drops: String = "0.00"
    public var noSales: Int = 0
    /// Float + cash taken + pay-ins − pay-outs − drops: what the drawer should hold.
    public var expectedCash: String = "0.00"
    public init(shift: Int64, businessDate: String, cashier: String, openingFloat: String, sales: Int, salesTotal: String, refunds: Int,
                refundsTotal: String, voidedLines: Int, discounts: String, byTender: [String: String], byCategory: [String: String]) {
        self.shift = shift; self.businessDate = businessDate; self.cashier = cashier; self.openingFloat = openingFloat; self.sales = sales
        self.salesTotal = salesTotal; self.refunds = refunds; self.refundsTotal = refundsTotal; self.voidedLines = voidedLines
        self.discounts = discounts; self.byTender = byTender; self.byCategory = byCategory
    }
}

public struct HourView: Codable, Hashable, Sendable {
    public var hour: Int
    public var sales: Int
    public var amount: String
    public init(hour: Int, sales: Int, amount: String) { self.hour = hour; self.sales = sales; self.amount = amount }
}

public struct TopProductView: Codable, Hashable, Sendable {
    public var name: String
    /// Pieces, or kg like 1.250.
    public var quantity: String
    public var amount: String
    public init(name: String, quantity: String, amount: String) { self.name = name; self.quantity = quantity; self.amount = amount }
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

/// One product with what the owner checks: stock on hand, tax, and its price history.
public struct ProductDetailView: Codable, Hashable, Sendable {
    public struct PricePoint: Codable, Hashable, Sendable {
        public var entry: Int64
        public var price: String
        public init(entry: Int64, price: String) { self.entry = entry; self.price = price }
    }
    public var product: ProductView
    public var openPrice: Bool
    public var taxCategory: String
    public var category: String
    /// Pieces, or grams for weighed goods; nil when stock is not tracked.
    public var onHand: Int64?
    public var lowStockThreshold: Int64?
    public var priceHistory: [PricePoint]
    public init(product: ProductView, openPrice: Bool, taxCategory: String, category: String, onHand: Int64?, lowStockThreshold: Int64?,
                priceHistory: [PricePoint]) {
        self.product = product; self.openPrice = openPrice; self.taxCategory = taxCategory; self.category = category
        self.onHand = onHand; self.lowStockThreshold = lowStockThreshold; self.priceHistory = priceHistory
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
    public var closedBy: String = ""
    /// The Z report as it prints (text).
    public var preview: String = ""
    /// The print job of the Z report, when one was queued.
    public var printJob: String?
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

/// A print job queued: a reprint, a report, a test page. `preview` is the page as text, as it will print.
public struct ReprintView: Codable, Hashable, Sendable {
    public var job: String
    public var number: Int64
    public var preview: String?
    public init(job: String, number: Int64, preview: String? = nil) { self.job = job; self.number = number; self.preview = preview }
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
