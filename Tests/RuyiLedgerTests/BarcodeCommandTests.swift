import Foundation
import Testing

/// `ruyi barcode`, run as the built executable (no daemon).
@Suite("ruyi barcode")
struct BarcodeCommandTests {
    func barcode(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(try executable("ruyi"), ["barcode"] + args)
    }

    @Test("JSON for GS1 data: typed values, amounts as strings beside integers")
    func json() throws {
        let r = try barcode(["--json", "(01)09501101530003(17)250200(3103)001250(3922)995"])
        #expect(r.status == 0)
        let expected = #"{"elements":[{"ai":"01","title":"GTIN","type":"gtin","value":"09501101530003"},"#
            + #"{"ai":"17","endOfMonth":true,"title":"USE BY or EXPIRY","type":"date","value":"2025-02-28"},"#
            + #"{"ai":"3103","milliUnits":1250,"title":"NET WEIGHT (kg)","type":"measure","unit":"kg","value":"1.250"},"#
            + #"{"ai":"3922","currency":"CNY","minorUnits":995,"title":"PRICE","type":"money","value":"9.95"}],"#
            + #""gtin":"09501101530003","kind":"gs1","text":"(01)09501101530003(17)250200(3103)001250(3922)995"}"#
        #expect(r.stdout.trimmingCharacters(in: .newlines) == expected)
    }

    @Test("plain words for people; the GS separator and a separate symbology")
    func human() throws {
        let r = try barcode(["\u{1D}0109501101530003" + "10AB-123\u{1D}21S1", "--symbology", "]C1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("GS1 data — look up GTIN 09501101530003"))
        #expect(r.stdout.contains("(10) BATCH/LOT: AB-123"))
        #expect(r.stdout.contains("symbology: ]C1 GS1-128"))
        let scale = try barcode(["210012300899004508"])
        #expect(scale.stdout.contains("PLU 00123, price ￥8.99, weight 450 g"))
    }

    @Test("a misread exits 1 and says to scan again; bad options are usage errors")
    func failures() throws {
        let r = try barcode(["6901939621258"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("Misread, scan again"))
        let j = try barcode(["--json", "]C10109501101530004"])
        #expect(j.status == 1)
        #expect(j.stdout.contains(#""code":"barcode.misread""#))
        #expect(j.stdout.contains(#""ai":"01""#))
        #expect(j.stdout.contains(#""position":19"#))
        #expect(try barcode(["--hex", "5d4"]).status == 64)
        #expect(try barcode(["--symbology", "C1x", "123"]).status == 64)
        let raw = try barcode(["--json", "--hex", "ff41"])
        #expect(raw.stdout.contains(#""hex":"ff41""#))
        #expect(raw.stdout.contains(#""kind":"unknown""#))
    }
}
