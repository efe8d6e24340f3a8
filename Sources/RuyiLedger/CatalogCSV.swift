import Foundation
import RuyiCore

/// The catalog CSV format (documented in the README): a header row naming the columns, then one product per row.
enum CatalogCSV {
    static let required = ["sku", "name", "price"]
    static let optional = ["barcodes", "unit", "tax_category", "category", "plu", "stock_tracked", "active", "open_price", "kind", "low_stock"]

    struct Header {
        let index: [String: Int]
        func value(_ name: String, in fields: [String]) -> String? {
            guard let i = index[name], i < fields.count else { return nil }
            let v = fields[i].trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
    }

    static func header(_ fields: [String]) throws(ImportFailure) -> Header {
        var index: [String: Int] = [:]
        for (i, raw) in fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard required.contains(name) || optional.contains(name) else {
                throw .badHeader("unknown column '\(raw)'; the columns are: " + (required + optional).joined(separator: ", "))
            }
            guard index[name] == nil else { throw .badHeader("column '\(name)' appears twice") }
            index[name] = i
        }
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else { throw .badHeader("missing column(s): " + missing.joined(separator: ", ")) }
        return Header(index: index)
    }

    /// One row as a product, or every problem with it (a row may have several).
    static func product(_ fields: [String], header: Header, taxCategories: Set<String>) -> Result<Product, RowProblems> {
        var problems: [String] = []
        let sku = header.value("sku", in: fields) ?? ""
        if sku.isEmpty { problems.append("sku is empty") } else if sku.count > 64 { problems.append("sku is longer than 64 characters") }
        let name = header.value("name", in: fields) ?? ""
        if name.isEmpty { problems.append("name is empty") } else if name.count > 120 { problems.append("name is longer than 120 characters") }

        func flag(_ column: String, default d: Bool) -> Bool {
            guard let v = header.value(column, in: fields)?.lowercased() else { return d }
            switch v {
            case "1", "yes", "y", "true", "是": return true
            case "0", "no", "n", "false", "否": return false
            default: problems.append("\(column) '\(v)' is not 1/0 or yes/no"); return d
            }
        }
        let kind: ProductKind
        switch header.value("kind", in: fields)?.lowercased() ?? "item" {
        case "item": kind = .item
        case "department": kind = .department
        case let other: problems.append("kind '\(other)' is not item or department"); kind = .item
        }
        let unit: SaleUnit
        switch header.value("unit", in: fields)?.lowercased() ?? "piece" {
        case "piece", "pcs", "个", "件": unit = .piece
        case "kg", "kilogram", "公斤", "千克": unit = .kilogram
        case let other: problems.append("unit '\(other)' is not piece or kg"); unit = .piece
        }
        let openPrice = flag("open_price", default: kind == .department)
        var price = Money.zero()
        if let text = header.value("price", in: fields) {
            do {
                price = try Money.parse(text)
                if !openPrice && price.isZero { problems.append("price is zero (mark open_price=1 for items priced at the counter)") }
            } catch { problems.append("price '\(text)': \(error)") }
        } else if !openPrice {
            problems.append("price is empty")
        }
        let tax = header.value("tax_category", in: fields) ?? TaxCategoryID.standard.rawValue
        if !taxCategories.contains(tax) { problems.append("tax_category '\(tax)' is not one of: " + taxCategories.sorted().joined(separator: ", ")) }
        var barcodes: [ProductBarcode] = []
        for part in (header.value("barcodes", in: fields) ?? "").split(separator: ";") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { continue }
            let pieces = item.split(separator: "*", maxSplits: 1).map(String.init)
            let code = pieces[0]
            var pack: Int64 = 1
            if pieces.count == 2 {
                if let n = Int64(pieces[1]), n > 0, n <= 10_000 { pack = n } else { problems.append("pack quantity in '\(item)' must be 1–10000") }
            }
            if code.isEmpty || code.count > 48 || !code.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
                problems.append("barcode '\(code)' is not a barcode")
            } else if code.allSatisfy(\.isNumber), [8, 12, 13, 14].contains(code.count), !GTIN.isValid(code) {
                problems.append("barcode \(code) has a wrong check digit")
            } else {
                barcodes.append(ProductBarcode(code, packQuantity: pack))
            }
        }
        let plu = header.value("plu", in: fields)
        if let plu, !(plu.allSatisfy { $0.isASCII && $0.isNumber } && (1...6).contains(plu.count)) { problems.append("plu '\(plu)' must be 1–6 digits") }
        var lowStock: Int64?
        if let v = header.value("low_stock", in: fields) {
            if let n = Int64(v), n >= 0 { lowStock = n } else { problems.append("low_stock '\(v)' is not a whole number") }
        }
        let stockTracked = flag("stock_tracked", default: kind == .item)
        let active = flag("active", default: true)
        guard problems.isEmpty else { return .failure(RowProblems(messages: problems)) }
        return .success(Product(id: ProductID(sku), name: name, kind: kind, barcodes: barcodes, plu: plu, unit: unit, price: price,
                                openPrice: openPrice, taxCategory: TaxCategoryID(tax), category: header.value("category", in: fields) ?? "",
                                stockTracked: stockTracked, active: active, lowStockThreshold: lowStock))
    }

    struct RowProblems: Error { let messages: [String] }
}

/// Why a whole import was refused before any row was looked at.
enum ImportFailure: Error {
    case badHeader(String)
}

