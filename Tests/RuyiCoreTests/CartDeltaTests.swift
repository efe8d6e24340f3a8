import Foundation
import Testing
@testable import RuyiCore

/// The till journals carts as deltas: applying each delta to the state it was taken from gives the cart exactly.
@Suite struct CartDeltaTests {
    let products = [
        Product(id: "cola", name: "可乐", price: Money(fen: 350), category: "饮料"),
        Product(id: "apple", name: "苹果", unit: .kilogram, price: Money(fen: 1280), taxCategory: "reduced"),
        Product(id: "bag", name: "塑料袋", kind: .department, price: .zero(), openPrice: true),
    ]

    /// One random change a cashier could make; refused changes leave the cart as it was (and make no delta).
    func change(_ cart: inout Cart, _ rng: inout FuzzRNG) {
        let line = cart.lines.isEmpty ? 1 : Int.random(in: 1...cart.lines.count, using: &rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<4:
            let p = products[Int.random(in: 0..<products.count, using: &rng)]
            _ = try? cart.add(p, quantity: p.unit == .kilogram ? .grams(Int64.random(in: 1...3000, using: &rng)) : .pieces(1),
                              price: p.openPrice ? Money(fen: 30) : nil, barcode: Bool.random(using: &rng) ? "6901234567892" : nil)
        case 4: _ = try? cart.addUnknown(barcode: "6900000000001", price: Money(fen: 500), name: "牙刷")
        case 5: try? cart.setQuantity(line: line, to: cart.lines.isEmpty ? .pieces(1) : Quantity(Int64.random(in: 1...5, using: &rng), cart.lines[line - 1].quantity.unit))
        case 6: try? cart.voidLine(line)
        case 7: try? cart.discountLine(line, Bool.random(using: &rng) ? .percent(basisPoints: 1000) : nil)
        case 8: try? cart.discountSale(Bool.random(using: &rng) ? .amount(Money(fen: 100)) : nil)
        default: try? cart.setMember(Bool.random(using: &rng) ? "m-1" : nil)
        }
    }

    @Test func everyDeltaGivesBackTheCartItWasTakenTo() throws {
        var rng = FuzzRNG(seed: 0xCA27)
        for _ in 0..<40 {
            var cart = Cart()
            var journaled = cart  // what a reader of snapshot + deltas would hold
            for _ in 0..<Int.random(in: 1...80, using: &rng) {
                let before = cart
                change(&cart, &rng)
                guard let delta = CartDelta(from: journaled, to: cart) else {
                    #expect(cart.lines.count < journaled.lines.count || cart.kind != journaled.kind, "a delta is only refused for another cart")
                    journaled = cart
                    continue
                }
                // Through JSON, as the journal stores it.
                let stored = try JSONDecoder().decode(CartDelta.self, from: Data(JSONBytesEncoder().encode(delta)))
                journaled = try stored.applied(to: journaled)
                #expect(journaled == cart, "after \(before.lines.count) lines")
                #expect(delta.changed.count <= 1, "one change touches at most one line")
            }
        }
    }

    @Test func aDeltaDoesNotApplyToACartItDoesNotFollow() throws {
        var a = Cart()
        try a.add(products[0], quantity: .pieces(1))
        var b = a
        try b.add(products[0], quantity: .pieces(2))
        try b.add(products[0], quantity: .pieces(3))
        let delta = try #require(CartDelta(from: a, to: b))
        #expect(throws: CartDelta.Mismatch.self) { try delta.applied(to: Cart()) }
        #expect(CartDelta(from: b, to: a) == nil, "fewer lines: another cart, a snapshot is written")
        #expect(CartDelta(from: a, to: Cart(returning: UUID(), returnable: [])) == nil)
    }
}
