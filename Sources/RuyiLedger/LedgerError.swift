/// Why the ledger refused or failed an operation. Nothing is written when one is thrown.
///
/// A struct with static members rather than a closed enum, so new cases do not break callers (swift-system's `Errno`).
/// `code` is stable for machines (API, logs, tests); `message` says what happened, where, and what to do, in English;
/// the screens show the Chinese text from the string catalog keyed by `code`.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    public static func storageFull(_ detail: String) -> LedgerError {
        LedgerError(code: "ledger.storage_full",
                    message: "storage full: \(detail). The sale was not completed and is kept; free space or call support before selling on")
    }
    public static func newerSchema(_ migrations: [String]) -> LedgerError {
        LedgerError(code: "ledger.newer_schema",
                    message: "this ledger was written by a newer Ruyi (unknown migrations: \(migrations.joined(separator: ", "))); update the software, never downgrade the ledger")
    }
    public static func notALedger(_ path: String, _ detail: String) -> LedgerError {
        LedgerError(code: "ledger.not_a_ledger", message: "\(path) is not a readable Ruyi ledger: \(detail)")
    }
    public static func duplicateEntry(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.duplicate_id", message: "an entry with id \(id) is already in the ledger; it was not recorded twice")
    }
    public static let noOpenShift = LedgerError(code: "ledger.no_open_shift", message: "no shift is open: open a shift with a cash float first")
    public static let shiftAlreadyOpen = LedgerError(code: "ledger.shift_open", message: "a shift is already open: close it with a Z report first")
    public static func openSales(_ n: Int) -> LedgerError {
        LedgerError(code: "ledger.open_sales", message: "\(n) sale(s) are still open or parked: finish or cancel them before the Z report")
    }
    public static func unknownProduct(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.unknown_product", message: "product \(id) is not in the catalog")
    }
    public static func unknownSale(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.unknown_sale", message: "no sale \(id) in this ledger")
    }
    public static func invalidSale(_ detail: String) -> LedgerError {
        LedgerError(code: "ledger.invalid_sale", message: "the sale's figures do not add up: \(detail); nothing was recorded")
    }
    public static func refundExceedsSold(line: Int, detail: String) -> LedgerError {
        LedgerError(code: "ledger.refund_exceeds_sold", message: "line \(line) of the original sale: \(detail)")
    }
    public static func saleVoided(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.sale_voided", message: "sale \(id) was post-voided; it cannot be refunded or voided again")
    }
    public static func saleHasRefunds(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.sale_has_refunds", message: "sale \(id) already has refunds; refund the remaining lines instead of voiding it")
    }
    public static func notPermitted(_ action: String) -> LedgerError {
        LedgerError(code: "ledger.not_permitted", message: "\(action) needs the owner: unlock the owner menu with the owner's PIN")
    }
    public static func invalidInput(_ field: String, _ detail: String) -> LedgerError {
        LedgerError(code: "ledger.invalid_input", message: "\(field): \(detail)")
    }
    public static func unknownCashier(_ id: String) -> LedgerError {
        LedgerError(code: "ledger.unknown_cashier", message: "no active cashier \(id)")
    }
    public static func corrupt(_ detail: String) -> LedgerError {
        LedgerError(code: "ledger.corrupt", message: "the ledger file is damaged: \(detail); stop selling on this terminal and call support")
    }
}
