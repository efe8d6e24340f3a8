/// A product's identity in the catalog: the store's SKU.
public struct ProductID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public static func < (l: ProductID, r: ProductID) -> Bool { l.rawValue < r.rawValue }
    public var description: String { rawValue }
}

/// A barcode printed on goods, and how many base units of the product it stands for.
///
/// A carton of 10 packs of cigarettes carries its own barcode: it maps to the pack product × 10,
/// so stock is always kept in packs.
public struct ProductBarcode: Hashable, Sendable, Codable {
    public let code: String
    /// Base units one scan of this barcode adds (1 for the item's own barcode).
    public let packQuantity: Int64

    public init(_ code: String, packQuantity: Int64 = 1) {
        self.code = code
        self.packQuantity = packQuantity
    }
}

/// What kind of thing the cashier rings up.
public enum ProductKind: String, Sendable, Codable, Hashable {
    /// Goods with a barcode or PLU.
    case item
    /// A department key: loose goods or a fee (plastic bag) rung up by amount, no stock.
    case department
}

/// A product as the catalog holds it now. Price history and stock are derived from ledger entries.
public struct Product: Hashable, Sendable, Codable, Identifiable {
    public let id: ProductID
    public var name: String
    public var kind: ProductKind
    public var barcodes: [ProductBarcode]
    /// The item code a scale prints on weighed-goods labels (usually 4–6 digits).
    public var plu: String?
    public var unit: SaleUnit
    /// Tax-inclusive price per piece, or per kilogram for weighed goods. For open-price items, a suggestion (may be zero).
    public var price: Money
    /// The cashier types the price at the counter (department keys, loose goods).
    public var openPrice: Bool
    public var taxCategory: TaxCategoryID
    public var category: String
    public var stockTracked: Bool
    public var active: Bool
    /// Below this many base units the product appears on the low-stock list; nil means never.
    public var lowStockThreshold: Int64?

    public init(id: ProductID, name: String, kind: ProductKind = .item, barcodes: [ProductBarcode] = [], plu: String? = nil,
                unit: SaleUnit = .piece, price: Money, openPrice: Bool = false, taxCategory: TaxCategoryID = .standard,
                category: String = "", stockTracked: Bool = true, active: Bool = true, lowStockThreshold: Int64? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.barcodes = barcodes
        self.plu = plu
        self.unit = unit
        self.price = price
        self.openPrice = openPrice
        self.taxCategory = taxCategory
        self.category = category
        self.stockTracked = stockTracked && kind == .item
        self.active = active
        self.lowStockThreshold = lowStockThreshold
    }
}
