import Foundation
import RuyiAPI
import Testing

@Suite struct WireTests {
    func roundTrip<T: Codable & Equatable>(_ value: T) throws {
        let data = try WireCoding.encodeData(value)
        #expect(try WireCoding.decoder().decode(T.self, from: data) == value, "\(String(decoding: data, as: UTF8.self))")
        // snake_case on the wire, every key
        let keys = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.keys.sorted() ?? []
        #expect(keys.allSatisfy { $0 == $0.lowercased() }, "\(keys)")
    }

    @Test func everyWireTypeSurvivesTheWire() throws {
        let line = CartLineView(line: 1, name: "可口可乐", barcode: "6901234567892", quantity: "2", unit: "件", unitPrice: "3.50", amount: "7.00", voided: false)
        let cart = CartView(state: "open", lines: [line], total: "7.00", due: "7.00", paid: "0.00")
        try roundTrip(StatusView(terminalId: "t", version: "v", state: "selling", summary: "s", cashier: "c1", shiftOpen: true, cartLines: 1,
                                 printer: "printer.ok", receiptsWaiting: 2, scanners: 1, unheardScans: 0))
        try roundTrip(cart)
        try roundTrip(ScanOutcome(outcome: "line_added", message: "m", line: line, cart: cart))
        try roundTrip(TenderOutcome(done: SaleDoneView(sale: "s", receipt: 3, total: "7.00", change: "3.00", preview: "p"), cart: cart))
        try roundTrip(APIErrorBody(code: "till.bad_amount", message: "金额不对", field: "amount"))
        try roundTrip(DevicesView(scanners: [ScannerView(identity: "0c2e:0b8f:S", name: "n", profile: "honeywell", transport: "hidpos", state: "driving", scans: 1, problems: 0)],
                                  printer: "p", receiptsWaiting: 0))
        try roundTrip(SessionView(cashier: "c1", name: "小王", role: "cashier"))
        try roundTrip(ShiftView(open: true, number: 1, openedBy: "c1"))
        try roundTrip(SignInRequest(cashier: "c1", pin: "1234"))
        try roundTrip(CashTenderRequest(amount: "50"))
    }
}
