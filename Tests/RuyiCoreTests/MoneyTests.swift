import Testing
@testable import RuyiCore

@Suite("Money")
struct MoneyTests {
    @Test("formats for receipts, with and without the yen sign")
    func formatting() {
        #expect(Money(fen: 1250).formatted == "12.50")
        #expect(Money(fen: 5).formatted == "0.05")
        #expect(Money(fen: -300).formatted == "-3.00")
        #expect(Money(fen: 1250).formattedWithSymbol == "￥12.50")
        #expect(Money(fen: -1250).formattedWithSymbol == "-￥12.50")
        #expect(!Money(fen: 1).formattedWithSymbol.unicodeScalars.contains("\u{00A5}"))
    }

    @Test("parses what people type", arguments: [
        ("12.5", 1250), ("12.50", 1250), ("12", 1200), ("0.05", 5), (" ￥12.50 ", 1250), ("12.50元", 1250),
        ("１２．５", 1250), (".5", 50), ("007", 700),
    ] as [(String, Int64)])
    func parsing(text: String, fen: Int64) throws {
        #expect(try Money.parse(text) == Money(fen: fen))
    }

    @Test("refuses what is not an amount, saying why", arguments: [
        ("", MoneyError.empty), ("12.505", .tooManyDecimals(allowed: 2)), ("1,250", .invalidCharacter(",")),
        ("abc", .invalidCharacter("a")), ("-5", .negativeNotAllowed), ("1.2.3", .invalidCharacter(".")),
        ("99999999999999999999", .overflow), ("￥", .empty),
    ] as [(String, MoneyError)])
    func badInput(text: String, error: MoneyError) {
        #expect(throws: error) { try Money.parse(text) }
    }

    @Test("negative amounts only when asked for")
    func negative() throws {
        #expect(try Money.parse("-3.20", allowNegative: true) == Money(fen: -320))
    }

    @Test("overflow is an error, never a wrap")
    func overflow() {
        let big = Money(fen: .max)
        #expect(throws: MoneyError.overflow) { try big + Money(fen: 1) }
        #expect(throws: MoneyError.overflow) { try Money(fen: .min) - Money(fen: 1) }
        #expect(throws: MoneyError.overflow) { try big * 2 }
        #expect(throws: MoneyError.overflow) { try Money(fen: .min).negated() }
        #expect(throws: MoneyError.overflow) { try big.scaled(by: 3, over: 2) }
    }

    @Test("different currencies do not mix")
    func currencies() {
        let usd = Money(minorUnits: 100, currency: Currency(code: "USD", minorDigits: 2))
        #expect(throws: MoneyError.currencyMismatch("CNY", "USD")) { try Money(fen: 100) + usd }
    }

    @Test("scaled division rounds half away from zero")
    func rounding() throws {
        #expect(try RoundedDivision.halfAwayFromZero(5, times: 1, over: 10) == 1)   // 0.5 → 1
        #expect(try RoundedDivision.halfAwayFromZero(4, times: 1, over: 10) == 0)   // 0.4 → 0
        #expect(try RoundedDivision.halfAwayFromZero(-5, times: 1, over: 10) == -1) // −0.5 → −1
        #expect(try RoundedDivision.halfAwayFromZero(.max, times: 2, over: 2) == .max) // 128-bit intermediate
        #expect(throws: MoneyError.overflow) { try RoundedDivision.halfAwayFromZero(1, times: 1, over: 0) }
    }
}

@Suite("Quantity")
struct QuantityTests {
    @Test("weighed prices round half-up to the fen at the 0.005 boundary", arguments: [
        // price per kg (fen), grams, expected fen
        (1999, 250, 500),     // 4.9975 → 5.00
        (1000, 5, 5),         // 0.05 exactly
        (1, 500, 1),          // 0.005 → 0.01 (half-up)
        (1, 499, 0),          // 0.00499 → 0.00
        (1, 1, 0),            // 1 g at 0.01/kg
        (2580, 1, 3),         // 1 g of 25.80/kg = 0.0258 → 0.03
        (1280, 30_000, 38_400), // 30 kg at 12.80/kg
        (3333, 3, 10),        // 0.09999 → 0.10
    ] as [(Int64, Int64, Int64)])
    func weighed(perKg: Int64, grams: Int64, expected: Int64) throws {
        #expect(try Quantity.grams(grams).price(at: Money(fen: perKg)) == Money(fen: expected))
    }

    @Test("pieces multiply exactly and refuse overflow")
    func pieces() throws {
        #expect(try Quantity.pieces(3).price(at: Money(fen: 350)) == Money(fen: 1050))
        #expect(throws: MoneyError.overflow) { try Quantity.pieces(3).price(at: Money(fen: .max / 2)) }
    }

    @Test("describes weights in kilograms")
    func describe() {
        #expect(Quantity.grams(250).description == "0.250kg")
        #expect(Quantity.grams(30_000).description == "30.000kg")
        #expect(Quantity.pieces(4).description == "4")
    }
}
