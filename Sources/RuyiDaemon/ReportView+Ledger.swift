import RuyiAPI
import RuyiCore
import RuyiLedger

extension ReportView {
    init(_ r: ShiftReport) {
        func yuan(_ fen: Int64) -> String { Money(fen: fen).formatted }
        self.init(shift: r.shift, businessDate: r.businessDate, cashier: r.cashier, openingFloat: yuan(r.openingFloat), sales: r.salesCount,
                  salesTotal: yuan(r.salesTotal), refunds: r.refundsCount, refundsTotal: yuan(r.refundsTotal), voidedLines: r.voidedLines,
                  discounts: yuan(r.discounts), byTender: r.byTender.mapValues(yuan), byCategory: r.byCategory.mapValues(yuan))
        byProvider = r.byProvider?.mapValues(yuan)
        byHour = r.byHour.map { HourView(hour: $0.hour, sales: $0.sales, amount: yuan($0.amount)) }
        topProducts = r.topProducts(5).map { t in
            TopProductView(name: t.name, quantity: t.unit == "kilogram" ? String(format: "%lld.%03lld", t.quantity / 1000, abs(t.quantity % 1000)) : "\(t.quantity)",
                           amount: yuan(t.amount))
        }
        postVoids = r.postVoidsCount
        postVoidsTotal = yuan(r.postVoidsTotal)
        rounding = yuan(r.cashRounding)
        netTotal = yuan(r.netTotal)
        payIns = yuan(r.payIns)
        payOuts = yuan(r.payOuts)
        drops = yuan(r.drops)
        noSales = r.noSales
        expectedCash = yuan(r.expectedCash)
    }
}

extension ZReportView {
    init(_ z: ZReport) {
        self.init(z: z.z, report: ReportView(z.report), counted: z.counted.mapValues { Money(fen: $0).formatted },
                  variance: z.variance.mapValues { Money(fen: $0).formatted }, chainHead: z.chainHeadBefore)
        closedBy = z.owner
    }
}
