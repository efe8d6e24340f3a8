/// Why the cart refused an action. The cart is unchanged after every refusal.
///
/// Each case has a stable machine ``code`` (for the API and logs) and an English ``description``; the screens show
/// the Chinese text from the string catalog keyed by the code.
public enum CartError: Error, Hashable, Sendable, CustomStringConvertible {
    case notOpen(state: String)
    case awaitingPayment
    case emptyCart
    case unknownLine(Int)
    case lineVoided(Int)
    case quantityNotPositive
    case quantityTooLarge(max: Int64)
    case unitMismatch(product: String, expected: SaleUnit)
    case priceRequired(product: String)
    case priceNotPositive
    case priceOverrideNotAllowed(product: String)
    case productInactive(product: String)
    case discountTooLarge
    case discountInvalid
    case tooManyLines(max: Int)
    case overflow
    case paymentsPresent
    case overTendered(tender: String)
    case underpaid(remaining: Money)
    case noMember
    case unknownAttempt
    case notAReturn
    case isAReturn
    case returnExceedsSold(line: Int, remaining: Int64)
    case unknownOriginalLine(Int)
    case nothingToPay

    public var code: String {
        switch self {
        case .notOpen: "cart.not_open"
        case .awaitingPayment: "cart.awaiting_payment"
        case .emptyCart: "cart.empty"
        case .unknownLine: "cart.unknown_line"
        case .lineVoided: "cart.line_voided"
        case .quantityNotPositive: "cart.quantity_not_positive"
        case .quantityTooLarge: "cart.quantity_too_large"
        case .unitMismatch: "cart.unit_mismatch"
        case .priceRequired: "cart.price_required"
        case .priceNotPositive: "cart.price_not_positive"
        case .priceOverrideNotAllowed: "cart.price_override_not_allowed"
        case .productInactive: "cart.product_inactive"
        case .discountTooLarge: "cart.discount_too_large"
        case .discountInvalid: "cart.discount_invalid"
        case .tooManyLines: "cart.too_many_lines"
        case .overflow: "cart.overflow"
        case .paymentsPresent: "cart.payments_present"
        case .overTendered: "cart.over_tendered"
        case .underpaid: "cart.underpaid"
        case .noMember: "cart.no_member"
        case .unknownAttempt: "cart.unknown_payment_attempt"
        case .notAReturn: "cart.not_a_return"
        case .isAReturn: "cart.is_a_return"
        case .returnExceedsSold: "cart.return_exceeds_sold"
        case .unknownOriginalLine: "cart.unknown_original_line"
        case .nothingToPay: "cart.nothing_to_pay"
        }
    }

    public var description: String {
        switch self {
        case let .notOpen(state): "the sale is \(state); start a new sale"
        case .awaitingPayment: "waiting for the customer's payment code result; finish or cancel that payment first"
        case .emptyCart: "the sale has no items"
        case let .unknownLine(n): "there is no line \(n) in this sale"
        case let .lineVoided(n): "line \(n) was voided"
        case .quantityNotPositive: "quantity must be more than zero"
        case let .quantityTooLarge(max): "quantity is above the limit of \(max) for one line; check the weight or count"
        case let .unitMismatch(p, u): "\(p) is sold by \(u == .kilogram ? "weight (grams)" : "the piece")"
        case let .priceRequired(p): "\(p) has no fixed price: enter the price"
        case .priceNotPositive: "the price must be more than zero"
        case let .priceOverrideNotAllowed(p): "\(p) has a fixed price; change prices from the owner menu"
        case let .productInactive(p): "\(p) is no longer sold (inactive in the catalog)"
        case .discountTooLarge: "the discount is larger than the amount it applies to"
        case .discountInvalid: "a discount must be more than zero (percent between 0 and 100)"
        case let .tooManyLines(max): "a sale holds at most \(max) lines; finish this sale and start another"
        case .overflow: "the amount is too large"
        case .paymentsPresent: "payments were already taken; items can no longer be changed (cancel the payments first)"
        case let .overTendered(t): "\(t) cannot pay more than is due"
        case let .underpaid(r): "\(r.formattedWithSymbol) is still to pay"
        case .noMember: "no member is attached to this sale"
        case .unknownAttempt: "that payment attempt is not the one in progress"
        case .notAReturn: "this is not a return"
        case .isAReturn: "a return cannot hold sale items"
        case let .returnExceedsSold(line, remaining): "line \(line) of the original sale has only \(remaining) left to return"
        case let .unknownOriginalLine(n): "the original sale has no line \(n)"
        case .nothingToPay: "nothing is due"
        }
    }
}
