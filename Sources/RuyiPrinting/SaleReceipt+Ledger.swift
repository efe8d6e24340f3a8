import Foundation
import RuyiCore
import RuyiLedger
import RuyiReceipts

/// What every receipt of the store says besides the sale: its name, header and footer lines.
public struct StoreReceiptInfo: Hashable, Sendable, Codable {
    public var storeName: String
    public var headerLines: [String]
    public var footerLines: [String]
    public var timeZone: TimeZone

    public init(storeName: String, headerLines: [String] = [], footerLines: [String] = ["谢谢惠顾，欢迎再来"],
                timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) {
        self.storeName = storeName
        self.headerLines = headerLines
        self.footerLines = footerLines
        self.timeZone = timeZone
    }
}

extension SaleReceipt {
    /// The receipt of a sale (or refund) as the ledger recorded it: names, quantities, prices and amounts, per-rate tax,
    /// tenders and change. The QR code carries the sale's id, so a return can start from the receipt.
    public init(_ sale: SaleData, committed: CommittedSale, store: StoreReceiptInfo, marketingLines: [String] = []) {
        let refund = sale.original != nil
        let items: [Item] = sale.lines.map { l in
            let unit = SaleUnit(rawValue: l.unit) ?? .piece
            let weighed = unit == .kilogram
            return Item(name: l.name, quantity: Quantity(l.qty, unit).description, unitPrice: Money(fen: l.price), unitSuffix: weighed ? "/kg" : "",
                        amount: Money(fen: l.amount), discount: l.discount > 0 ? Money(fen: l.discount) : nil)
        }
        var tenders: [Line] = sale.payments.map { p in Line(Self.tenderLabel(p.tender), Money(fen: p.tendered == 0 ? p.amount : p.tendered)) }
        if sale.rounding != 0 { tenders.insert(Line("抹零", Money(fen: -sale.rounding)), at: 0) }
        let taxes = sale.taxes.filter { $0.tax != 0 }.map { Line(Self.percent($0.rate), Money(fen: $0.tax)) }
        self.init(storeName: store.storeName, headerLines: store.headerLines + (refund ? ["退货单 REFUND"] : []),
                  receiptNumber: committed.receiptNumber, time: Self.time(committed.at, store.timeZone), cashier: sale.cashier,
                  items: items, discounts: [], total: Money(fen: sale.total), taxes: taxes, tenders: tenders,
                  change: sale.change > 0 ? Money(fen: sale.change) : nil, footerLines: store.footerLines,
                  marketingLines: marketingLines, qr: "RY:" + committed.id.lowercased)
    }

    /// A freezer for ``Ledger/commitSale(_:cashier:id:receipt:)``: the sale's receipt document, frozen as JSON.
    public static func freezer(store: StoreReceiptInfo, marketingLines: [String] = []) -> ReceiptFreezer {
        { sale, committed in
            try ReceiptDocument.frozen(SaleReceipt(sale, committed: committed, store: store, marketingLines: marketingLines).document())
        }
    }

    /// Basis points as printed: 1300 → `13%`, 1250 → `12.50%`.
    public static func percent(_ basisPoints: Int64) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : "\(basisPoints / 100).\(basisPoints % 100 < 10 ? "0" : "")\(basisPoints % 100)%"
    }

    static func tenderLabel(_ tender: String) -> String {
        switch TenderKind(rawValue: tender) {
        case .cash: "现金"
        case .code: "扫码支付"
        case .member: "会员余额"
        case .voucher: "代金券"
        case nil: tender
        }
    }

    static func time(_ millis: Int64, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }
}
