import RuyiAPI
import RuyiCore
import RuyiLedger

extension ReportView {
    init(_ r: ShiftReport) {
        func yuan(_ fen: Int64) -> String { Money(fen: fen).formatted }
        self.init(shift: r.shift, businessDate: r.businessDate, cashier: r.cashier, openingFloat: yuan(r.openingFloat), sales: r.salesCount,
                  salesTotal: yuan(r.salesTotal), refunds: r.refundsCount, refundsTotal: yuan(r.refundsTotal), voidedLines: r.voidedLines,
                  discounts: yuan(r.discounts), byTender: r.byTender.mapValues(yuan), byCategory: r.byCategory.mapValues(yuan))
    }
}
