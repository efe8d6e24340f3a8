import Foundation
import RuyiAPI
import RuyiCore
import RuyiLedger

/// Lines that do not come from a scan: a product picked by id (search, buttons), open-price goods, unknown barcodes.
extension TillSession {
    public func addLine(_ request: AddLineRequest) throws(TillFailure) -> ScanOutcome {
        _ = try requireCashier()
        let price: Money?
        if let text = request.price {
            do { price = try Money.parse(text) } catch {
                throw TillFailure(400, "till.bad_amount", Strings.text("till.bad_amount") + "（\(error)）", field: "price")
            }
            guard price!.isPositive else { throw TillFailure(400, "till.bad_amount", field: "price") }
            guard price! <= maxTender else { throw TillFailure(400, "till.amount_too_large", field: "price") }
        } else {
            price = nil
        }
        let line: CartLine
        do {
            switch (request.product, request.barcode) {
            case let (key?, nil):
                let found: (product: Product, barcode: String?, pack: Int64, rate: Int64?)
                if let p = try ledger.product(id: ProductID(key)) {
                    found = (p, nil, 1, nil)
                } else if let s = try ledger.product(barcode: key) {
                    found = (s.product, key, s.packQuantity, s.taxRateBasisPoints)
                } else {
                    throw TillFailure(404, "stock.unknown_product", Strings.text("stock.unknown_product") + "（\(key)）", field: "product")
                }
                guard found.product.active else { throw TillFailure(409, "till.not_for_sale") }
                let quantity = try request.quantity.map { text throws(TillFailure) in try Self.parseQuantity(text, unit: found.product.unit) }
                    ?? Quantity(found.pack, found.product.unit)
                if found.product.unit == .kilogram && request.quantity == nil {
                    throw TillFailure(400, "till.bad_quantity", "称重商品请输入重量（公斤，如 0.350）", field: "quantity")
                }
                line = try cart.add(found.product, quantity: quantity, price: price, barcode: found.barcode, taxRateBasisPoints: found.rate)
            case let (nil, barcode?):
                // A code the catalog does not know: sold at the price the cashier enters, flagged for the owner.
                guard let price else { throw TillFailure(400, "till.bad_amount", "没登记的商品请输入价格", field: "price") }
                let code = barcode.trimmingCharacters(in: .whitespaces)
                guard !code.isEmpty, code.count <= 64, code.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                    throw TillFailure(400, "till.misread", field: "barcode")
                }
                guard try ledger.product(barcode: code) == nil else {
                    throw TillFailure(409, "till.not_allowed", "这个条码已经登记了，请直接扫码", field: "barcode")
                }
                let name = String((request.name ?? "").trimmingCharacters(in: .whitespaces).prefix(40))
                line = try cart.addUnknown(barcode: code, price: price, name: name.isEmpty ? "未登记商品" : name)
            default:
                throw TillFailure(400, "till.bad_line", "请给出商品（product）或没登记的条码（barcode）中的一个")
            }
        } catch {
            throw TillFailure.adding(error)
        }
        return lineAdded(line)
    }

    public func productDetail(_ key: String) throws(TillFailure) -> ProductDetailView {
        _ = try requireCashier()
        guard let p = (try? ledger.product(id: ProductID(key))) ?? nil ?? (try? ledger.product(barcode: key))??.product else {
            throw TillFailure(404, "stock.unknown_product", field: "id")
        }
        let history = ((try? ledger.priceHistory(p.id)) ?? []).map { ProductDetailView.PricePoint(entry: $0.seq, price: $0.price.formatted) }
        let view = ProductView(id: p.id.rawValue, name: p.name, price: p.price.formatted, unit: p.unit == .kilogram ? "kg" : "件",
                               barcode: p.barcodes.first?.code, initials: "", active: p.active)
        return ProductDetailView(product: view, openPrice: p.openPrice, taxCategory: p.taxCategory.rawValue, category: p.category,
                                 onHand: p.stockTracked ? try? ledger.stockLevel(p.id) : nil, lowStockThreshold: p.lowStockThreshold,
                                 priceHistory: history)
    }
}
