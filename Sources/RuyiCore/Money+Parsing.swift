extension Money {
    /// Parses what a person types or a CSV holds: `12.5`, `12.50`, `12`, `￥12.50`, `12.50元`, full-width digits `１２.５`.
    ///
    /// More decimals than the currency has (`12.505`) are refused, never rounded: a price typed wrong must be typed again.
    /// Separators (`1,250.00`) are refused rather than guessed, so `1,5` can never be read as 1.5 or 15.
    public static func parse(_ text: String, currency: Currency = .cny, allowNegative: Bool = false) throws(MoneyError) -> Money {
        var chars: [Character] = []
        for ch in text {
            // Full-width digits and punctuation (Chinese input methods) → ASCII.
            if let scalar = ch.unicodeScalars.first, ch.unicodeScalars.count == 1,
               (0xFF10...0xFF19).contains(scalar.value) {
                chars.append(Character(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!))
            } else if ch == "．" || ch == "。" {
                chars.append(".")
            } else if ch == "－" {
                chars.append("-")
            } else {
                chars.append(ch)
            }
        }
        var s = Substring(String(chars).trimmingWhitespace())
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        if let first = s.first, first == "￥" || first == "¥" { s = s.dropFirst() }
        if s.last == "元" { s = s.dropLast() }
        s = Substring(String(s).trimmingWhitespace())
        if s.first == "-" && !negative { negative = true; s = s.dropFirst() }
        guard !s.isEmpty else { throw .empty }
        if negative && !allowNegative { throw .negativeNotAllowed }

        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        for ch in s {
            if ch == "." {
                if seenPoint { throw .invalidCharacter(ch) }
                seenPoint = true
                continue
            }
            guard let d = ch.wholeNumberValue, ch.isASCII else { throw .invalidCharacter(ch) }
            seenDigit = true
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > currency.minorDigits { throw .tooManyDecimals(allowed: currency.minorDigits) }
                fraction = fraction * 10 + Int64(d)
            } else {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { throw .overflow }
                whole = a
            }
        }
        guard seenDigit else { throw .empty }
        for _ in fractionDigits..<currency.minorDigits { fraction *= 10 }
        var scale: Int64 = 1
        for _ in 0..<currency.minorDigits { scale *= 10 }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        let (v, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 { throw .overflow }
        return Money(minorUnits: negative ? -v : v, currency: currency)
    }
}

extension String {
    /// Trims ASCII and Unicode whitespace (including the ideographic space U+3000) without Foundation.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
