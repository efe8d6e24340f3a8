import Foundation

/// One line of a cart. Voided lines stay in the cart (struck through on screen, counted in reports).
public struct CartLine: Hashable, Sendable, Codable, Identifiable {
    /// 1-based line number, stable for the life of the cart.
    public let id: Int
    public let productID: ProductID
    public let name: String
    /// The barcode scanned for this line, if it was scanned.
    public let barcode: String?
    /// Quantity in base units (pieces or grams); negative on return lines.
    public internal(set) var quantity: Quantity
    /// Tax-inclusive price per piece or per kilogram.
    public let unitPrice: Money
    public let taxCategory: TaxCategoryID
    public let taxRateBasisPoints: Int64
    public let category: String
    public let stockTracked: Bool
    public internal(set) var discount: Discount?
    public internal(set) var voided: Bool
    /// Sold at an entered price under a barcode the catalog did not know: the owner completes the product later.
    public let pendingProduct: Bool
    /// On a return: the original sale's line this line refunds.
    public let returnOf: Int?
    /// On a return: the amount refunded, fixed from the original line so refunds never exceed what was paid.
    public let fixedAmount: Money?
}

/// A line of a sale as completed: final amounts after discounts, and the tax it contains.
public struct SoldLine: Hashable, Sendable, Codable {
    public let line: CartLine
    /// quantity × unit price, before discounts.
    public let gross: Money
    /// Line discount plus its share of the sale discount (positive).
    public let discount: Money
    /// What the customer pays for the line: gross − discount.
    public let amount: Money
    public let tax: Money
}

/// How a customer paid.
public enum TenderKind: String, Hashable, Sendable, Codable, CaseIterable {
    case cash
    /// A payment code (Alipay, WeChat Pay, UnionPay QR) through a provider.
    case code
    /// The member's stored balance.
    case member
    case voucher
}

/// A payment taken toward the sale.
public struct Payment: Hashable, Sendable, Codable {
    public let tender: TenderKind
    /// The amount applied to the sale (negative on a refund: money paid out).
    public let amount: Money
    /// What the customer handed over (cash) or the voucher's face value; equal to `amount` otherwise.
    public let tendered: Money
    /// Change given back in cash.
    public let change: Money
    /// Payment-code provider, member id or voucher code.
    public let reference: String?
    /// The provider's transaction id for a code payment.
    public let providerTransaction: String?
}

/// A payment-code attempt. Kept even when it fails: attempts are records of money.
public struct PaymentAttempt: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable { case pending, succeeded, failed, cancelled }
    public let id: Int
    public let provider: String
    public let amount: Money
    public internal(set) var outcome: Outcome
    public internal(set) var detail: String?
    /// The merchant order number sent to the acquirer: the attempt's own UUIDv7 (never the sale's: an acquirer refuses
    /// a number again after a reversal). Nil on attempts made before it was kept.
    public var order: UUID?
}

/// The till session's cart: a value type with no I/O. Every mutating method either applies the whole change or throws
/// a ``CartError`` and leaves the cart exactly as it was.
public struct Cart: Hashable, Sendable, Codable {
    public enum State: Hashable, Sendable, Codable {
        case open
        /// A code payment is with the provider; the cart waits without blocking anything.
        case awaitingPayment(attempt: Int)
        case completed
        case cancelled
    }

    public enum Kind: Hashable, Sendable, Codable {
        case sale
        /// Refunding lines of an earlier sale.
        case refund(originalSale: UUID)
    }

    /// What may be returned of one original line: what was sold minus what earlier refunds took.
    public struct Returnable: Hashable, Sendable, Codable {
        public let originalLine: Int
        public let productID: ProductID
        public let name: String
        public let unitPrice: Money
        public let taxCategory: TaxCategoryID
        public let taxRateBasisPoints: Int64
        public let category: String
        public let stockTracked: Bool
        public let remainingQuantity: Quantity
        public let remainingAmount: Money

        public init(originalLine: Int, productID: ProductID, name: String, unitPrice: Money, taxCategory: TaxCategoryID,
                    taxRateBasisPoints: Int64, category: String, stockTracked: Bool, remainingQuantity: Quantity, remainingAmount: Money) {
            self.originalLine = originalLine
            self.productID = productID
            self.name = name
            self.unitPrice = unitPrice
            self.taxCategory = taxCategory
            self.taxRateBasisPoints = taxRateBasisPoints
            self.category = category
            self.stockTracked = stockTracked
            self.remainingQuantity = remainingQuantity
            self.remainingAmount = remainingAmount
        }
    }

    public static let maximumLines = 500

    public let kind: Kind
    public internal(set) var state: State = .open
    public internal(set) var lines: [CartLine] = []
    public internal(set) var saleDiscount: Discount?
    public internal(set) var payments: [Payment] = []
    public internal(set) var attempts: [PaymentAttempt] = []
    public internal(set) var member: String?
    /// Cash rounding adjustment (e.g. −0.04 when 12.34 is paid as 12.30); zero unless cash rounding applied.
    public internal(set) var rounding: Money = .zero()
    /// Round the cash due to 0.1 yuan (half-up), as many stores do to avoid fen coins.
    public let cashRoundingToJiao: Bool
    // A var only so a `CartDelta` can leave it out (it never changes during a cart's life).
    var returnable: [Int: Returnable]
    var nextLineID = 1

    public init(cashRoundingToJiao: Bool = false) {
        self.kind = .sale
        self.cashRoundingToJiao = cashRoundingToJiao
        self.returnable = [:]
    }

    /// A return cart for lines of `originalSale`. `returnable` lists what each original line still allows.
    public init(returning originalSale: UUID, returnable: [Returnable], cashRoundingToJiao: Bool = false) {
        self.kind = .refund(originalSale: originalSale)
        self.cashRoundingToJiao = cashRoundingToJiao
        self.returnable = Dictionary(returnable.map { ($0.originalLine, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public var activeLines: [CartLine] { lines.filter { !$0.voided } }
    public var isRefund: Bool { if case .refund = kind { true } else { false } }

    // MARK: changing items

    /// Adds `quantity` of `product`. Open-price products need `price`; fixed-price products refuse one.
    /// `taxRateBasisPoints` comes from the catalog's tax table; without it the default table's rate is used.
    @discardableResult
    public mutating func add(_ product: Product, quantity: Quantity, price: Money? = nil, barcode: String? = nil,
                             taxRateBasisPoints: Int64? = nil) throws(CartError) -> CartLine {
        try requireEditable()
        guard !isRefund else { throw .isAReturn }
        guard product.active else { throw .productInactive(product: product.name) }
        try Self.checkQuantity(quantity, for: product.unit, name: product.name)
        let unitPrice: Money
        if product.openPrice {
            guard let p = price else { throw .priceRequired(product: product.name) }
            guard p.isPositive else { throw .priceNotPositive }
            unitPrice = p
        } else {
            if let p = price, p != product.price { throw .priceOverrideNotAllowed(product: product.name) }
            unitPrice = product.price
        }
        let line = CartLine(id: nextLineID, productID: product.id, name: product.name, barcode: barcode, quantity: quantity,
                            unitPrice: unitPrice, taxCategory: product.taxCategory,
                            taxRateBasisPoints: taxRateBasisPoints
                                ?? TaxCategory.defaults.first { $0.id == product.taxCategory }?.rateBasisPoints ?? 0,
                            category: product.category, stockTracked: product.stockTracked, discount: nil, voided: false,
                            pendingProduct: false, returnOf: nil, fixedAmount: nil)
        return try append(line)
    }

    /// Sells a barcode the catalog does not know at an entered price, so the sale goes on; the line is flagged as a
    /// pending product for the owner to complete.
    @discardableResult
    public mutating func addUnknown(barcode: String, price: Money, name: String = "未登记商品") throws(CartError) -> CartLine {
        try requireEditable()
        guard !isRefund else { throw .isAReturn }
        guard price.isPositive else { throw .priceNotPositive }
        let line = CartLine(id: nextLineID, productID: ProductID("pending:" + barcode), name: name, barcode: barcode,
                            quantity: .pieces(1), unitPrice: price, taxCategory: .standard,
                            taxRateBasisPoints: TaxCategory.defaults[0].rateBasisPoints, category: "", stockTracked: false,
                            discount: nil, voided: false, pendingProduct: true, returnOf: nil, fixedAmount: nil)
        return try append(line)
    }

    /// Returns `quantity` of an original line (a positive quantity; the line holds it negated).
    /// The unit an original line was sold in (to read a typed quantity right); nil when the line is not returnable.
    public func returnableUnit(originalLine: Int) -> SaleUnit? { returnable[originalLine]?.remainingQuantity.unit }

    @discardableResult
    public mutating func addReturn(originalLine: Int, quantity: Quantity) throws(CartError) -> CartLine {
        try requireEditable()
        guard isRefund else { throw .notAReturn }
        guard let r = returnable[originalLine] else { throw .unknownOriginalLine(originalLine) }
        try Self.checkQuantity(quantity, for: r.remainingQuantity.unit, name: r.name)
        let alreadyInCart = activeLines.filter { $0.returnOf == originalLine }.reduce(Int64(0)) { $0 - $1.quantity.amount }
        let remaining = r.remainingQuantity.amount - alreadyInCart
        guard quantity.amount <= remaining else { throw .returnExceedsSold(line: originalLine, remaining: max(remaining, 0)) }
        let alreadyAmount = activeLines.filter { $0.returnOf == originalLine }.reduce(Int64(0)) { $0 - ($1.fixedAmount?.minorUnits ?? 0) }
        // The refund for a part is the remaining amount pro rata; the last part takes exactly what is left, so the
        // refunds of a line add up to what the customer paid for it, never a fen more.
        let amount: Int64
        if quantity.amount == remaining {
            amount = r.remainingAmount.minorUnits - alreadyAmount
        } else {
            do {
                amount = try RoundedDivision.halfAwayFromZero(r.remainingAmount.minorUnits, times: quantity.amount,
                                                              over: r.remainingQuantity.amount)
            } catch { throw .overflow }
        }
        let line = CartLine(id: nextLineID, productID: r.productID, name: r.name, barcode: nil, quantity: quantity.negated(),
                            unitPrice: r.unitPrice, taxCategory: r.taxCategory, taxRateBasisPoints: r.taxRateBasisPoints,
                            category: r.category, stockTracked: r.stockTracked, discount: nil, voided: false,
                            pendingProduct: false, returnOf: originalLine, fixedAmount: Money(minorUnits: -amount, currency: r.unitPrice.currency))
        return try append(line)
    }

    public mutating func setQuantity(line id: Int, to quantity: Quantity) throws(CartError) {
        try requireEditable()
        let i = try index(of: id)
        guard lines[i].returnOf == nil else { throw .isAReturn }
        try Self.checkQuantity(quantity, for: lines[i].quantity.unit, name: lines[i].name)
        var copy = self
        copy.lines[i].quantity = quantity
        try copy.validateTotals()
        self = copy
    }

    public mutating func voidLine(_ id: Int) throws(CartError) {
        try requireEditable()
        let i = try index(of: id)
        lines[i].voided = true
    }

    public mutating func discountLine(_ id: Int, _ discount: Discount?) throws(CartError) {
        try requireEditable()
        guard !isRefund else { throw .isAReturn }
        let i = try index(of: id)
        var copy = self
        copy.lines[i].discount = discount
        try copy.validateTotals()
        self = copy
    }

    public mutating func discountSale(_ discount: Discount?) throws(CartError) {
        try requireEditable()
        guard !isRefund else { throw .isAReturn }
        var copy = self
        copy.saleDiscount = discount
        try copy.validateTotals()
        self = copy
    }

    public mutating func setMember(_ member: String?) throws(CartError) {
        try requireOpen()
        self.member = member
    }

    /// Cancels the sale. Refused while a code payment is in flight or after payments were taken (refund them first).
    public mutating func cancel() throws(CartError) {
        try requireOpen()
        guard payments.isEmpty else { throw .paymentsPresent }
        state = .cancelled
    }

    // MARK: helpers

    static func checkQuantity(_ q: Quantity, for unit: SaleUnit, name: String) throws(CartError) {
        guard q.unit == unit else { throw .unitMismatch(product: name, expected: unit) }
        guard q.amount > 0 else { throw .quantityNotPositive }
        let max = unit == .kilogram ? Quantity.maximumGrams : Quantity.maximumPieces
        guard q.amount <= max else { throw .quantityTooLarge(max: max) }
    }

    mutating func append(_ line: CartLine) throws(CartError) -> CartLine {
        guard lines.count < Self.maximumLines else { throw .tooManyLines(max: Self.maximumLines) }
        var copy = self
        copy.lines.append(line)
        copy.nextLineID += 1
        try copy.validateTotals()
        self = copy
        return line
    }

    func index(of id: Int) throws(CartError) -> Int {
        guard let i = lines.firstIndex(where: { $0.id == id }) else { throw .unknownLine(id) }
        guard !lines[i].voided else { throw .lineVoided(id) }
        return i
    }

    func requireOpen() throws(CartError) {
        switch state {
        case .open: return
        case .awaitingPayment: throw .awaitingPayment
        case .completed: throw .notOpen(state: "completed")
        case .cancelled: throw .notOpen(state: "cancelled")
        }
    }

    /// Items may change only while open and before any payment is taken.
    func requireEditable() throws(CartError) {
        try requireOpen()
        guard payments.isEmpty else { throw .paymentsPresent }
    }

    func validateTotals() throws(CartError) { _ = try soldLines() }
}
