import RuyiCore

/// What a sale receipt says, already worked out by the till (the composer does no arithmetic). Laid out the same way
/// on every paper width: the item's name on its own line(s), then quantity × price and the amount right-aligned.
public struct SaleReceipt: Hashable, Sendable, Codable {
    public struct Item: Hashable, Sendable, Codable {
        public var name: String
        /// As printed: `2`, `0.456kg`.
        public var quantity: String
        public var unitPrice: Money
        /// After the unit price: `/kg` for weighed goods, else empty.
        public var unitSuffix: String
        public var amount: Money
        /// A line discount, printed under the line as a negative amount.
        public var discount: Money?

        public init(name: String, quantity: String, unitPrice: Money, unitSuffix: String = "", amount: Money, discount: Money? = nil) {
            self.name = name
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.unitSuffix = unitSuffix
            self.amount = amount
            self.discount = discount
        }
    }

    /// A label and an amount (sale discounts, taxes, tenders).
    public struct Line: Hashable, Sendable, Codable {
        public var label: String
        public var amount: Money

        public init(_ label: String, _ amount: Money) {
            self.label = label
            self.amount = amount
        }
    }

    public var storeName: String
    public var headerLines: [String]
    public var receiptNumber: String
    /// As printed, e.g. `2026-11-23 09:30`.
    public var time: String
    public var cashier: String
    public var items: [Item]
    /// Whole-sale discounts (positive amounts, printed negative).
    public var discounts: [Line]
    public var total: Money
    /// Tax included in the total, per rate (`13%`).
    public var taxes: [Line]
    public var tenders: [Line]
    public var change: Money?
    public var footerLines: [String]
    /// Lines a receipt-marketing module adds (frozen with the receipt when the sale commits).
    public var marketingLines: [String]
    public var qr: String?

    public init(storeName: String, headerLines: [String] = [], receiptNumber: String, time: String, cashier: String, items: [Item],
                discounts: [Line] = [], total: Money, taxes: [Line] = [], tenders: [Line] = [], change: Money? = nil,
                footerLines: [String] = [], marketingLines: [String] = [], qr: String? = nil) {
        self.storeName = storeName
        self.headerLines = headerLines
        self.receiptNumber = receiptNumber
        self.time = time
        self.cashier = cashier
        self.items = items
        self.discounts = discounts
        self.total = total
        self.taxes = taxes
        self.tenders = tenders
        self.change = change
        self.footerLines = footerLines
        self.marketingLines = marketingLines
        self.qr = qr
    }

    public func document() -> ReceiptDocument {
        var b: [ReceiptBlock] = [.text(storeName, align: .center, style: TextStyle(bold: true, doubleWidth: true, doubleHeight: true))]
        for h in headerLines { b.append(.text(h, align: .center)) }
        b.append(.rule("-"))
        b.append(.pair("单号 \(receiptNumber)", time))
        b.append(.text("收银员 \(cashier)"))
        b.append(.rule("-"))
        for item in items {
            b.append(.text(item.name))
            b.append(.pair("  \(item.quantity) × \(item.unitPrice.formatted)\(item.unitSuffix)", item.amount.formatted))
            if let d = item.discount { b.append(.pair("  优惠", "-" + d.formatted)) }
        }
        b.append(.rule("-"))
        for d in discounts { b.append(.pair(d.label, "-" + d.amount.formatted)) }
        b.append(.pair("合计", "￥" + total.formatted, style: TextStyle(bold: true, doubleHeight: true)))
        for t in taxes { b.append(.pair("其中税额 \(t.label)", t.amount.formatted)) }
        b.append(.rule("-"))
        for t in tenders { b.append(.pair(t.label, t.amount.formatted)) }
        if let change { b.append(.pair("找零", change.formatted)) }
        if !footerLines.isEmpty || !marketingLines.isEmpty { b.append(.rule("-")) }
        for f in footerLines { b.append(.text(f, align: .center)) }
        for m in marketingLines { b.append(.text(m, align: .center)) }
        if let qr { b.append(.qr(qr)) }
        return ReceiptDocument(blocks: b)
    }
}
