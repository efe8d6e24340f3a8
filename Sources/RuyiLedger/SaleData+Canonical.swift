import Foundation
import RuyiCore

// Hand-written canonical forms for the sale path. Members in byte order of their (ASCII) names, nil optionals left
// out: the same bytes CanonicalEncoder writes for these types (CanonicalWriterTests compares them).

extension SaleData: CanonicalEncodable {
    public func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure) {
        w.beginObject()
        w.key("attempts"); w.beginArray()
        for a in attempts {
            w.beginObject()
            w.key("amount"); try w.int(a.amount)
            if let d = a.detail { w.key("detail"); w.string(d) }
            w.key("outcome"); w.string(a.outcome)
            w.key("provider"); w.string(a.provider)
            w.endObject()
        }
        w.endArray()
        w.key("cashier"); w.string(cashier)
        w.key("change"); try w.int(change)
        w.key("currency"); w.string(currency)
        w.key("discount"); try w.int(discount)
        w.key("lines"); w.beginArray()
        for l in lines { try l.writeCanonical(to: &w) }
        w.endArray()
        if let member { w.key("member"); w.string(member) }
        if let original { w.key("original"); w.string(original.lowercased) }
        w.key("payments"); w.beginArray()
        for p in payments {
            w.beginObject()
            w.key("amount"); try w.int(p.amount)
            w.key("change"); try w.int(p.change)
            if let r = p.ref { w.key("ref"); w.string(r) }
            w.key("tender"); w.string(p.tender)
            w.key("tendered"); try w.int(p.tendered)
            if let t = p.txn { w.key("txn"); w.string(t) }
            w.endObject()
        }
        w.endArray()
        w.key("receipt"); try w.int(receipt)
        w.key("rounding"); try w.int(rounding)
        w.key("shift"); try w.int(shift)
        w.key("subtotal"); try w.int(subtotal)
        w.key("taxes"); w.beginArray()
        for t in taxes {
            w.beginObject()
            w.key("category"); w.string(t.category)
            w.key("gross"); try w.int(t.gross)
            w.key("rate"); try w.int(t.rate)
            w.key("tax"); try w.int(t.tax)
            w.endObject()
        }
        w.endArray()
        w.key("total"); try w.int(total)
        w.key("voided"); w.beginArray()
        for v in voided {
            w.beginObject()
            w.key("amount"); try w.int(v.amount)
            w.key("n"); try w.int(v.n)
            w.key("product"); w.string(v.product)
            w.key("qty"); try w.int(v.qty)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}

extension SaleData.Line {
    func writeCanonical(to w: inout CanonicalWriter) throws(CanonicalJSON.Failure) {
        w.beginObject()
        w.key("amount"); try w.int(amount)
        if let barcode { w.key("barcode"); w.string(barcode) }
        w.key("category"); w.string(category)
        w.key("discount"); try w.int(discount)
        w.key("gross"); try w.int(gross)
        w.key("n"); try w.int(n)
        w.key("name"); w.string(name)
        if let pending { w.key("pending"); w.bool(pending) }
        w.key("price"); try w.int(price)
        w.key("product"); w.string(product)
        w.key("qty"); try w.int(qty)
        if let returnOf { w.key("return_of"); try w.int(returnOf) }
        w.key("stock"); w.bool(stock)
        w.key("tax"); try w.int(tax)
        w.key("tax_cat"); w.string(taxCategory)
        w.key("tax_rate"); try w.int(taxRate)
        w.key("unit"); w.string(unit)
        w.endObject()
    }
}

/// Writes the v1 envelope around a hand-written `data` member.
enum EnvelopeWriter {
    static func write(seq: Int64, id: UUID, kind: String, prev: [UInt8], at: Int64, boot: String, mono: UInt64, ref: UUID?,
                      data: (inout CanonicalWriter) throws(CanonicalJSON.Failure) -> Void) throws(CanonicalJSON.Failure) -> [UInt8] {
        try write(seq: seq, id: id, kind: kind, prevHex: prev.hex, at: at, boot: boot, mono: mono, ref: ref, data: data)
    }

    static func write(seq: Int64, id: UUID, kind: String, prevHex: String, at: Int64, boot: String, mono: UInt64, ref: UUID?,
                      data: (inout CanonicalWriter) throws(CanonicalJSON.Failure) -> Void) throws(CanonicalJSON.Failure) -> [UInt8] {
        var w = CanonicalWriter(capacity: 1536)
        w.beginObject()
        w.key("at"); try w.int(at)
        w.key("boot"); w.string(boot)
        w.key("data"); try data(&w)
        w.key("id"); w.string(id.lowercased)
        w.key("kind"); w.string(kind)
        w.key("mono"); try w.uint(mono)
        w.key("prev"); w.string(prevHex)
        if let ref { w.key("ref"); w.string(ref.lowercased) }
        w.key("seq"); try w.int(seq)
        w.key("v"); try w.int(Int64(Chain.encodingVersion))
        w.endObject()
        return w.bytes
    }
}
