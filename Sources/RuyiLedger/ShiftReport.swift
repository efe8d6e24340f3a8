import Foundation
import RuyiCore

/// An X report (the shift so far) or the figures of a Z report. All amounts are fen.
public struct ShiftReport: Codable, Sendable, Hashable {
    public struct TaxLine: Codable, Sendable, Hashable {
        public var category: String
        public var rate: Int64
        public var gross: Int64
        public var tax: Int64
    }

    public struct HourLine: Codable, Sendable, Hashable {
        public var hour: Int
        public var sales: Int
        public var amount: Int64
    }

    public var shift: Int64
    public var businessDate: String
    public var openedAt: Int64
    public var cashier: String
    public var openingFloat: Int64
    public var salesCount: Int = 0
    public var refundsCount: Int = 0
    public var postVoidsCount: Int = 0
    public var voidedLines: Int = 0
    public var noSales: Int = 0
    /// Sum of sale totals (after discounts).
    public var salesTotal: Int64 = 0
    /// Sum of refunds, as a positive amount.
    public var refundsTotal: Int64 = 0
    /// Sum of post-voided sales, as a positive amount.
    public var postVoidsTotal: Int64 = 0
    public var discounts: Int64 = 0
    public var cashRounding: Int64 = 0
    /// Per tender: what it took in, net of change, refunds and post-voids.
    public var byTender: [String: Int64] = [:]
    /// Code payments per provider (the acquirer's settlement is reconciled against these); nil with none.
    public var byProvider: [String: Int64]?
    public var byTax: [TaxLine] = []
    public var byCategory: [String: Int64] = [:]
    public var byHour: [HourLine] = []
    public var payIns: Int64 = 0
    public var payOuts: Int64 = 0
    public var drops: Int64 = 0

    /// What each product sold (net of refunds and post-voids), for the owner's "top products". Worked out from the
    /// sales each time; not part of the recorded Z report (not in `CodingKeys`).
    public struct ProductTally: Hashable, Sendable {
        public var name: String
        public var unit: String
        public var quantity: Int64
        public var amount: Int64
    }
    /// Worked out, not recorded: two reports of the same figures are equal whatever this holds.
    public struct Tallies: Hashable, Sendable {
        public var products: [String: ProductTally] = [:]
        public static func == (_: Tallies, _: Tallies) -> Bool { true }
        public func hash(into hasher: inout Hasher) {}
    }
    public var tallies = Tallies()

    /// The best sellers by amount.
    public func topProducts(_ n: Int) -> [ProductTally] {
        tallies.products.values.filter { $0.amount > 0 }.sorted { ($0.amount, $1.name) > ($1.amount, $0.name) }.prefix(n).map { $0 }
    }

    /// salesTotal − refundsTotal − postVoidsTotal + cash rounding.
    public var netTotal: Int64 { salesTotal - refundsTotal - postVoidsTotal + cashRounding }
    /// What the drawer should hold: float + net cash + pay-ins − pay-outs − drops.
    public var expectedCash: Int64 { openingFloat + (byTender["cash"] ?? 0) + payIns - payOuts - drops }

    enum CodingKeys: String, CodingKey {
        case shift, businessDate = "business_date", openedAt = "opened_at", cashier, openingFloat = "float"
        case salesCount = "sales", refundsCount = "refunds", postVoidsCount = "post_voids", voidedLines = "voided_lines"
        case noSales = "no_sales", salesTotal = "sales_total", refundsTotal = "refunds_total", postVoidsTotal = "post_voids_total"
        case discounts, cashRounding = "rounding", byTender = "by_tender", byProvider = "by_provider", byTax = "by_tax", byCategory = "by_category"
        case byHour = "by_hour", payIns = "pay_ins", payOuts = "pay_outs", drops
    }

    init(shift: Int64, businessDate: String, openedAt: Int64, cashier: String, openingFloat: Int64) {
        self.shift = shift
        self.businessDate = businessDate
        self.openedAt = openedAt
        self.cashier = cashier
        self.openingFloat = openingFloat
    }

    /// Adds one sale or refund (sign +1), or takes a post-voided sale back out (sign −1).
    mutating func add(_ s: SaleData, at: Int64, sign: Int64, timeZone: TimeZone) {
        let isRefund = s.original != nil
        if sign < 0 {
            postVoidsCount += 1
            postVoidsTotal += s.total
        } else if isRefund {
            refundsCount += 1
            refundsTotal += -s.total
        } else {
            salesCount += 1
            salesTotal += s.total
            voidedLines += s.voided.count
        }
        discounts += sign * s.discount
        cashRounding += sign * s.rounding
        for p in s.payments {
            byTender[p.tender, default: 0] += sign * p.amount
            if p.tender == TenderKind.code.rawValue { byProvider = (byProvider ?? [:]).merging([p.ref ?? "code": sign * p.amount], uniquingKeysWith: +) }
        }
        for t in s.taxes {
            if let i = byTax.firstIndex(where: { $0.category == t.category && $0.rate == t.rate }) {
                byTax[i].gross += sign * t.gross
                byTax[i].tax += sign * t.tax
            } else {
                byTax.append(TaxLine(category: t.category, rate: t.rate, gross: sign * t.gross, tax: sign * t.tax))
            }
        }
        byTax.sort { ($0.category, $0.rate) < ($1.category, $1.rate) }
        for l in s.lines {
            byCategory[l.category, default: 0] += sign * l.amount
            var t = tallies.products[l.product] ?? ProductTally(name: l.name, unit: l.unit, quantity: 0, amount: 0)
            t.quantity += sign * l.qty
            t.amount += sign * l.amount
            tallies.products[l.product] = t
        }
        if !isRefund && sign > 0 {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = timeZone
            let hour = cal.component(.hour, from: Date(timeIntervalSince1970: TimeInterval(at / 1000)))
            if let i = byHour.firstIndex(where: { $0.hour == hour }) {
                byHour[i].sales += 1
                byHour[i].amount += s.total
            } else {
                byHour.append(HourLine(hour: hour, sales: 1, amount: s.total))
                byHour.sort { $0.hour < $1.hour }
            }
        }
    }
}

/// A Z report: closes the shift. Immutable once recorded; reprintable from the ledger by its number.
public struct ZReport: Codable, Sendable, Hashable {
    public var z: Int64
    public var report: ShiftReport
    public var closedAt: Int64
    public var owner: String
    /// Counted amount per tender at close.
    public var counted: [String: Int64]
    /// counted − expected, per tender (cash: against the expected drawer).
    public var variance: [String: Int64]
    /// The chain head just before this Z report (`SEQ:HEX`).
    public var chainHeadBefore: String
    /// This Z report's own entry (`SEQ:HEX`): print it; `ruyi ledger verify --anchor` takes it.
    public var anchor: String?

    enum CodingKeys: String, CodingKey {
        case z, report, closedAt = "closed_at", owner, counted, variance, chainHeadBefore = "chain_head", anchor
    }
}
