import Foundation
import Testing
@testable import RuyiCore

@Suite("The cart")
struct CartTests {
    let cola = Product(id: "cola", name: "可乐", price: Money(fen: 350), category: "饮料")
    let apple = Product(id: "apple", name: "苹果", unit: .kilogram, price: Money(fen: 1280), taxCategory: "reduced")
    let bag = Product(id: "bag", name: "塑料袋", kind: .department, price: .zero(), openPrice: true)

    @Test("add, change quantity, void: totals and per-rate tax add up exactly")
    func lines() throws {
        var cart = Cart()
        let l1 = try cart.add(cola, quantity: .pieces(2))
        try cart.add(apple, quantity: .grams(333))   // 4.2624 → 4.26
        try cart.add(bag, quantity: .pieces(1), price: Money(fen: 20))
        try cart.setQuantity(line: l1.id, to: .pieces(3))
        let t = try cart.totals()
        #expect(t.total == Money(fen: 1496))
        #expect(t.taxes.map(\.category) == ["reduced", "standard"])
        #expect(t.taxes.reduce(0) { $0 + $1.gross.minorUnits } == t.total.minorUnits)
        let standardTax = t.taxes.first { $0.category == "standard" }?.tax
        #expect(standardTax == Money(fen: 123))   // 1050·13/113 = 120.8 → 121, plus 20·13/113 = 2.3 → 2
        try cart.voidLine(3)
        #expect(try cart.totals().total == Money(fen: 1476))
        #expect(cart.lines.count == 3 && cart.activeLines.count == 2)
        #expect(throws: CartError.lineVoided(3)) { try cart.voidLine(3) }
    }

    @Test("illegal actions are typed errors and leave the cart unchanged")
    func refusals() throws {
        var cart = Cart()
        #expect(throws: CartError.nothingToPay) { try cart.tenderCash(Money(fen: 100)) }
        #expect(throws: CartError.emptyCart) { _ = try cart.complete() }
        #expect(throws: CartError.quantityNotPositive) { try cart.add(cola, quantity: .pieces(0)) }
        #expect(throws: CartError.quantityNotPositive) { try cart.add(cola, quantity: .pieces(-2)) }
        #expect(throws: CartError.unitMismatch(product: "苹果", expected: .kilogram)) { try cart.add(apple, quantity: .pieces(1)) }
        #expect(throws: CartError.quantityTooLarge(max: Quantity.maximumGrams)) { try cart.add(apple, quantity: .grams(150_000)) }
        #expect(throws: CartError.priceRequired(product: "塑料袋")) { try cart.add(bag, quantity: .pieces(1)) }
        #expect(throws: CartError.priceOverrideNotAllowed(product: "可乐")) { try cart.add(cola, quantity: .pieces(1), price: Money(fen: 1)) }
        let huge = Product(id: "gold", name: "金条", price: Money(fen: .max / 4))
        try cart.add(huge, quantity: .pieces(2))
        let before = cart
        #expect(throws: CartError.overflow) { try cart.add(huge, quantity: .pieces(3)) }
        #expect(cart == before)
        #expect(throws: CartError.unknownLine(9)) { try cart.voidLine(9) }
        #expect(throws: CartError.discountTooLarge) { try cart.discountLine(1, .amount(Money(fen: .max))) }
        #expect(cart == before)
    }

    @Test("a sale discount is spread over the lines exactly, so each line's tax is right")
    func saleDiscount() throws {
        var cart = Cart()
        try cart.add(cola, quantity: .pieces(1))      // 350
        try cart.add(cola, quantity: .pieces(1))      // 350
        try cart.add(apple, quantity: .grams(1000))   // 1280
        try cart.discountLine(3, .percent(basisPoints: 1000)) // −128 → 1152
        try cart.discountSale(.amount(Money(fen: 100)))
        let sold = try cart.soldLines()
        let sum = sold.map(\.amount.minorUnits).reduce(0, +)
        #expect(sum == 1752)   // 350 + 350 + 1152 − 100
        #expect(sold.map(\.discount.minorUnits) == [19, 19, 190])   // 100 spread 19/19/62 over 350/350/1152
        #expect(try cart.totals().discount == Money(fen: 228))
        #expect(allocate(100, proportionalTo: [1, 1, 1]) == [34, 33, 33])
        #expect(allocate(-7, proportionalTo: [1, 3]) == [-2, -5])
    }

    @Test("cash with change, and optional rounding of the cash due to 0.1 yuan")
    func cash() throws {
        var cart = Cart(cashRoundingToJiao: true)
        try cart.add(apple, quantity: .grams(333))  // 4.26 → cash due 4.30
        try cart.tenderCash(Money(fen: 1000))
        let t = try cart.totals()
        #expect(t.rounding == Money(fen: 4))
        #expect(t.change == Money(fen: 570))
        let sale = try cart.complete()
        #expect(sale.payments.map(\.amount) == [Money(fen: 430)])
        #expect(cart.state == .completed)
        #expect(throws: CartError.notOpen(state: "completed")) { try cart.add(cola, quantity: .pieces(1)) }
        #expect(Cart.roundedToJiao(424) == 420)
        #expect(Cart.roundedToJiao(425) == 430)
    }

    @Test("split tender: voucher, member balance, then a payment code that waits without blocking")
    func splitTender() throws {
        var cart = Cart()
        try cart.add(cola, quantity: .pieces(10))   // 35.00
        try cart.tenderVoucher(code: "V-100", faceValue: Money(fen: 1000))
        #expect(throws: CartError.noMember) { try cart.tenderMemberBalance(Money(fen: 500)) }
        try cart.setMember("M-0001")
        try cart.tenderMemberBalance(Money(fen: 500))
        #expect(throws: CartError.paymentsPresent) { try cart.add(cola, quantity: .pieces(1)) }
        let attempt = try cart.beginCodePayment(provider: "wechat")
        #expect(attempt.amount == Money(fen: 2000))
        #expect(cart.state == .awaitingPayment(attempt: 1))
        #expect(throws: CartError.awaitingPayment) { try cart.tenderCash(Money(fen: 2000)) }
        #expect(throws: CartError.awaitingPayment) { try cart.cancel() }
        try cart.codePaymentFailed(attempt: 1, reason: "余额不足")
        let retry = try cart.beginCodePayment(provider: "alipay")
        #expect(throws: CartError.unknownAttempt) { try cart.codePaymentSucceeded(attempt: 1, transaction: "x") }
        try cart.codePaymentSucceeded(attempt: retry.id, transaction: "ALI-1")
        let sale = try cart.complete()
        #expect(sale.payments.map(\.tender) == [.voucher, .member, .code])
        #expect(sale.attempts.map(\.outcome) == [.failed, .succeeded])
        #expect(sale.totals.remaining.isZero)
    }

    @Test("underpaid sales cannot complete; cancel works before payment")
    func underpaid() throws {
        var cart = Cart()
        try cart.add(cola, quantity: .pieces(2))
        try cart.tenderVoucher(code: "V", faceValue: Money(fen: 100))
        #expect(throws: CartError.underpaid(remaining: Money(fen: 600))) { _ = try cart.complete() }
        #expect(throws: CartError.paymentsPresent) { try cart.cancel() }
        var other = Cart()
        try other.add(cola, quantity: .pieces(1))
        try other.cancel()
        #expect(other.state == .cancelled)
    }

    @Test("a return refunds pro rata, the last part exactly what is left")
    func returns() throws {
        let original = UUID()
        let r = Cart.Returnable(originalLine: 1, productID: "apple", name: "苹果", unitPrice: Money(fen: 1280), taxCategory: "reduced",
                                taxRateBasisPoints: 900, category: "水果", stockTracked: true, remainingQuantity: .grams(333),
                                remainingAmount: Money(fen: 426))
        var cart = Cart(returning: original, returnable: [r])
        #expect(throws: CartError.isAReturn) { try cart.add(cola, quantity: .pieces(1)) }
        try cart.addReturn(originalLine: 1, quantity: .grams(111))   // 426 × 111/333 = 142
        try cart.addReturn(originalLine: 1, quantity: .grams(222))   // the rest: 284
        #expect(throws: CartError.returnExceedsSold(line: 1, remaining: 0)) { try cart.addReturn(originalLine: 1, quantity: .grams(1)) }
        #expect(throws: CartError.unknownOriginalLine(2)) { try cart.addReturn(originalLine: 2, quantity: .grams(1)) }
        #expect(try cart.totals().total == Money(fen: -426))
        try cart.tenderCash(Money(fen: 426))
        let sale = try cart.complete()
        #expect(sale.kind == .refund(originalSale: original))
        #expect(sale.lines.map(\.amount.minorUnits) == [-142, -284])
        #expect(sale.payments.map(\.amount) == [Money(fen: -426)])
    }

    @Test("a cart survives encoding (parking) unchanged")
    func codable() throws {
        var cart = Cart()
        try cart.add(cola, quantity: .pieces(2))
        try cart.discountSale(.percent(basisPoints: 500))
        let back = try JSONDecoder().decode(Cart.self, from: JSONEncoder().encode(cart))
        #expect(back == cart)
    }
}

@Suite("UUIDv7 and canonical JSON")
struct IdentityTests {
    final class Clock: TillClock, @unchecked Sendable {
        // Guarded by being used from one test only.
        var ms: Int64 = 1_795_395_600_000
        let bootID = "b"
        func wallMillis() -> Int64 { ms }
        func monotonicNanos() -> UInt64 { 0 }
    }
    struct Zero: RandomSource { func next() -> UInt64 { 0 } }

    @Test("ids stay strictly ordered when the wall clock steps back")
    func ordered() {
        let clock = Clock()
        let gen = UUIDv7Generator(clock: clock, random: Zero())
        var ids = [gen.next(), gen.next()]
        clock.ms -= 60_000
        ids += [gen.next(), gen.next()]
        clock.ms += 120_000
        ids.append(gen.next())
        #expect(ids.map(\.lowercased) == ids.map(\.lowercased).sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.lowercased.dropFirst(14).first == "7" })   // version 7
        #expect(ids[0].v7Millis == 1_795_395_600_000)
    }

    @Test("RFC 8785: members sorted by UTF-16 code units, minimal escapes, integers only")
    func canonical() throws {
        let v: JSONValue = .object(["b": .int(-1), "a": .array([.bool(true), .null]), "\u{FF01}": .string("x"), "\u{1F600}": .string("\u{7}\"\\/é")])
        let text = String(decoding: try CanonicalJSON.encode(v), as: UTF8.self)
        #expect(text == #"{"a":[true,null],"b":-1,"😀":"\u0007\"\\/é","！":"x"}"#)
        #expect(throws: CanonicalJSON.Failure.integerOutOfRange(1 << 60)) { try CanonicalJSON.encode(.int(1 << 60)) }
        struct F: Encodable { let x = 1.5 }
        #expect(throws: EncodingError.self) { try CanonicalEncoder().encode(F()) }
    }
}
