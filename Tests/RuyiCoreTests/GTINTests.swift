import Testing
@testable import RuyiCore

@Suite("Retail barcodes")
struct GTINTests {
    @Test("check digits of real codes")
    func checkDigits() {
        #expect(GTIN.isValid("6901234567892"))   // EAN-13 (China prefix 690)
        #expect(GTIN.isValid("96385074"))        // EAN-8
        #expect(GTIN.isValid("036000291452"))    // UPC-A
        #expect(GTIN.isValid("10012345678902"))  // GTIN-14
        #expect(!GTIN.isValid("6901234567893"))
    }

    @Test("every form of one number finds the same key")
    func normalization() throws {
        #expect(try GTIN.normalize("036000291452") == "00036000291452")
        #expect(try GTIN.normalize("0036000291452") == "00036000291452")
        #expect(try GTIN.normalize("96385074") == "00000096385074")
        #expect(GTIN.catalogKey("036000291452") == GTIN.catalogKey("0036000291452"))
    }

    @Test("bad codes say what is wrong")
    func bad() {
        #expect(throws: GTIN.Failure.badCheckDigit(expected: 2, found: 3)) { try GTIN.normalize("6901234567893") }
        #expect(throws: GTIN.Failure.badLength(5)) { try GTIN.normalize("12345") }
        #expect(throws: GTIN.Failure.notDigits) { try GTIN.normalize("69012345678a2") }
        #expect(GTIN.catalogKey("ABC-123") == "ABC-123") // in-store codes are kept as printed
    }
}
