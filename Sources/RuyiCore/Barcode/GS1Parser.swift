/// Reads GS1 element strings in the forms a scanner can deliver them: FNC1 as the GS character (0x1D) or implied by a
/// symbology identifier, the parenthesised human-readable form, and GS1 Digital Link URIs.
///
/// Works on bytes; `positions` in errors are 1-based offsets into the whole scanned text.
struct GS1Parser {
    static let gs: UInt8 = 0x1D

    let referenceYear: Int
    let currency: Currency

    // MARK: element strings (GS separators)

    /// `bytes[start..<end]` is an element string; GS separates variable-length fields.
    func elementString(_ bytes: [UInt8], _ start: Int, _ end: Int) throws(BarcodeError) -> [GS1Element] {
        var i = start
        while i < end && bytes[i] == Self.gs { i += 1 }
        guard i < end else { throw BarcodeError(.gs1(ai: nil, position: start + 1, problem: .noData)) }
        var elements: [GS1Element] = []
        elements.reserveCapacity(4)
        while i < end {
            if bytes[i] == Self.gs { i += 1; continue }
            let (spec, aiText, aiLen) = try readAI(bytes, i, end)
            let valueStart = i + aiLen
            var valueEnd: Int
            if spec.minLength == spec.maxLength {
                // Fixed length: take exactly that many (a GS after it is tolerated, never required).
                valueEnd = valueStart
                let limit = min(end, valueStart + spec.maxLength)
                while valueEnd < limit && bytes[valueEnd] != Self.gs { valueEnd += 1 }
                if valueEnd - valueStart < spec.maxLength {
                    throw BarcodeError(.gs1(ai: aiText, position: i + 1,
                                            problem: valueEnd == valueStart ? .valueMissing : .tooShort(minimum: spec.maxLength, found: valueEnd - valueStart)))
                }
            } else {
                valueEnd = valueStart
                while valueEnd < end && bytes[valueEnd] != Self.gs { valueEnd += 1 }
                let n = valueEnd - valueStart
                if n == 0 { throw BarcodeError(.gs1(ai: aiText, position: i + 1, problem: .valueMissing)) }
                if n > spec.maxLength { throw BarcodeError(.gs1(ai: aiText, position: i + 1, problem: .tooLong(maximum: spec.maxLength, found: n))) }
            }
            let element = try value(spec, aiText, bytes, valueStart, valueEnd, aiPosition: i + 1)
            try append(element, to: &elements, position: i + 1)
            i = valueEnd
            if i < end && bytes[i] == Self.gs { i += 1 }
        }
        return elements
    }

    /// The AI starting at `i`: its spec, its text and its length.
    private func readAI(_ bytes: [UInt8], _ i: Int, _ end: Int) throws(BarcodeError) -> (GS1AISpec, String, Int) {
        guard i + 1 < end, isDigit(bytes[i]), isDigit(bytes[i + 1]) else {
            throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .notAnAI(found: preview(bytes, i, end))))
        }
        let len = GS1AI.aiLength(prefix: Int(bytes[i] - 0x30) * 10 + Int(bytes[i + 1] - 0x30))
        guard len > 0 else { throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .unknownAI(ascii(bytes, i, min(end, i + 2))))) }
        guard i + len <= end else {
            throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .unknownAI(ascii(bytes, i, end))))
        }
        var n = 0
        for k in i..<(i + len) {
            guard isDigit(bytes[k]) else { throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .notAnAI(found: preview(bytes, i, end)))) }
            n = n * 10 + Int(bytes[k] - 0x30)
        }
        let text = ascii(bytes, i, i + len)
        guard let spec = GS1AI.spec(ai: n, length: len) else { throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .unknownAI(text))) }
        return (spec, text, len)
    }

    // MARK: parenthesised form

    /// `(01)09501101530003(17)140704(10)AB-123`: spaces next to the parentheses are ignored (character set 82
    /// has no space, so no value can contain one).
    func parenthesised(_ bytes: [UInt8], _ start: Int, _ end: Int) throws(BarcodeError) -> [GS1Element] {
        var elements: [GS1Element] = []
        var i = start
        while i < end && bytes[i] == 0x20 { i += 1 }
        while i < end {
            guard let close = Self.aiGroupEnd(bytes, i, end) else {
                throw BarcodeError(.gs1(ai: nil, position: i + 1, problem: .notAnAI(found: preview(bytes, i, end))))
            }
            let (spec, aiText, _) = try readAI(bytes, i + 1, close)
            guard close - (i + 1) == aiText.utf8.count else {
                throw BarcodeError(.gs1(ai: nil, position: i + 2, problem: .unknownAI(ascii(bytes, i + 1, close))))
            }
            var valueStart = close + 1
            while valueStart < end && bytes[valueStart] == 0x20 { valueStart += 1 }
            var next = valueStart
            while next < end && !(bytes[next] == UInt8(ascii: "(") && Self.aiGroupEnd(bytes, next, end) != nil) { next += 1 }
            var valueEnd = next
            while valueEnd > valueStart && bytes[valueEnd - 1] == 0x20 { valueEnd -= 1 }
            try checkLength(spec, aiText, valueEnd - valueStart, aiPosition: i + 2)
            let element = try value(spec, aiText, bytes, valueStart, valueEnd, aiPosition: i + 2)
            try append(element, to: &elements, position: i + 2)
            i = next
        }
        guard !elements.isEmpty else { throw BarcodeError(.gs1(ai: nil, position: start + 1, problem: .noData)) }
        return elements
    }

    /// If `bytes[i]` opens `(` + 2–4 digits + `)`, the index of the `)`.
    static func aiGroupEnd(_ bytes: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard i < end, bytes[i] == UInt8(ascii: "(") else { return nil }
        var k = i + 1
        while k < end && k - i <= 5 && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
        guard k < end, bytes[k] == UInt8(ascii: ")"), (2...4).contains(k - i - 1) else { return nil }
        return k
    }

    // MARK: GS1 Digital Link

    /// The AIs of a GS1 Digital Link URI (`https://id.example.com/01/09506000134352/10/ABC?17=251231`), or nil when
    /// the URI carries no GS1 primary key (then it is not GS1 data, just a web address).
    ///
    /// The primary key is the first path segment that is a key AI and is followed only by AI/value pairs up to the end
    /// of the path; anything before it is the publisher's own path. Query parameters named by digits are AIs; others
    /// (`linkType`, campaign tags) are ignored. A GTIN in the path may be 8, 12 or 13 digits and is padded to 14.
    func digitalLink(_ bytes: [UInt8], _ start: Int, _ end: Int) throws(BarcodeError) -> [GS1Element]? {
        guard let schemeEnd = Self.webScheme(bytes, start, end) else { return nil }
        var i = schemeEnd
        while i < end && bytes[i] != UInt8(ascii: "/") && bytes[i] != UInt8(ascii: "?") && bytes[i] != UInt8(ascii: "#") { i += 1 }
        guard i < end, bytes[i] == UInt8(ascii: "/") else { return nil }
        var pathEnd = i
        while pathEnd < end && bytes[pathEnd] != UInt8(ascii: "?") && bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        // Path segments as (start, end) ranges.
        var segments: [(Int, Int)] = []
        var s = i + 1
        while s <= pathEnd {
            var e = s
            while e < pathEnd && bytes[e] != UInt8(ascii: "/") { e += 1 }
            segments.append((s, e))
            s = e + 1
        }
        if let last = segments.last, last.0 == last.1 { segments.removeLast() }  // trailing slash
        var keyIndex: Int?
        for k in segments.indices where (segments.count - k) % 2 == 0 {
            let (a, b) = segments[k]
            if Self.primaryKeys.contains(ascii(bytes, a, b)) { keyIndex = k; break }
        }
        guard let keyIndex else { return nil }
        var elements: [GS1Element] = []
        var k = keyIndex
        while k < segments.count {
            let (a, b) = segments[k]
            let (va, vb) = segments[k + 1]
            try dlPair(bytes, keyStart: a, keyEnd: b, valueStart: va, valueEnd: vb, isPrimary: k == keyIndex, into: &elements)
            k += 2
        }
        if pathEnd < end && bytes[pathEnd] == UInt8(ascii: "?") {
            var q = pathEnd + 1
            var queryEnd = q
            while queryEnd < end && bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
            while q < queryEnd {
                var e = q
                while e < queryEnd && bytes[e] != UInt8(ascii: "&") { e += 1 }
                var eq = q
                while eq < e && bytes[eq] != UInt8(ascii: "=") { eq += 1 }
                if eq < e, eq > q, (q..<eq).allSatisfy({ isDigit(bytes[$0]) }) {
                    try dlPair(bytes, keyStart: q, keyEnd: eq, valueStart: eq + 1, valueEnd: e, isPrimary: false, into: &elements)
                }
                q = e + 1
            }
        }
        return elements
    }

    /// Key AIs that may start a Digital Link path.
    static let primaryKeys: Set<String> = ["00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006",
                                           "8010", "8013", "8017", "8018"]

    /// The index after `http://` or `https://` (any case), or nil.
    static func webScheme(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int? {
        for scheme in ["https://", "http://"] {
            let s = Array(scheme.utf8)
            guard end - start >= s.count else { continue }
            var ok = true
            for (k, c) in s.enumerated() where bytes[start + k] | 0x20 != c | 0x20 { ok = false; break }
            if ok { return start + s.count }
        }
        return nil
    }

    private func dlPair(_ bytes: [UInt8], keyStart: Int, keyEnd: Int, valueStart: Int, valueEnd: Int, isPrimary: Bool,
                        into elements: inout [GS1Element]) throws(BarcodeError) {
        let (spec, aiText, aiLen) = try readAI(bytes, keyStart, keyEnd)
        guard aiLen == keyEnd - keyStart else {
            throw BarcodeError(.gs1(ai: nil, position: keyStart + 1, problem: .unknownAI(ascii(bytes, keyStart, keyEnd))))
        }
        var decoded = try percentDecoded(bytes, valueStart, valueEnd, aiText: aiText)
        if spec.kind == .gtin && [8, 12, 13].contains(decoded.count) && decoded.allSatisfy(isDigit) {
            decoded = [UInt8](repeating: 0x30, count: 14 - decoded.count) + decoded
        }
        try checkLength(spec, aiText, decoded.count, aiPosition: keyStart + 1)
        // Positions inside a decoded value point at the value's start: escapes make finer positions meaningless.
        let element = try value(spec, aiText, decoded, 0, decoded.count, aiPosition: keyStart + 1, positionBase: valueStart)
        try append(element, to: &elements, position: keyStart + 1)
    }

    private func percentDecoded(_ bytes: [UInt8], _ start: Int, _ end: Int, aiText: String) throws(BarcodeError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        while i < end {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < end, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else {
                    throw BarcodeError(.gs1(ai: aiText, position: i + 1, problem: .badPercentEncoding))
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    // MARK: values

    private func checkLength(_ spec: GS1AISpec, _ aiText: String, _ n: Int, aiPosition: Int) throws(BarcodeError) {
        if n == 0 { throw BarcodeError(.gs1(ai: aiText, position: aiPosition, problem: .valueMissing)) }
        if n < spec.minLength { throw BarcodeError(.gs1(ai: aiText, position: aiPosition, problem: .tooShort(minimum: spec.minLength, found: n))) }
        if n > spec.maxLength { throw BarcodeError(.gs1(ai: aiText, position: aiPosition, problem: .tooLong(maximum: spec.maxLength, found: n))) }
    }

    private func append(_ element: GS1Element, to elements: inout [GS1Element], position: Int) throws(BarcodeError) {
        if let same = elements.first(where: { $0.ai == element.ai }) {
            if same.value != element.value { throw BarcodeError(.gs1(ai: element.ai, position: position, problem: .conflictingRepeat)) }
            return
        }
        elements.append(element)
    }

    /// Checks the characters of `bytes[start..<end]` against the AI's format and types the value.
    /// `positionBase` maps offsets in `bytes` to positions in the scanned text (for decoded Digital Link values).
    func value(_ spec: GS1AISpec, _ aiText: String, _ bytes: [UInt8], _ start: Int, _ end: Int, aiPosition: Int,
               positionBase: Int? = nil) throws(BarcodeError) -> GS1Element {
        let n = end - start
        if n < spec.minLength {
            throw BarcodeError(.gs1(ai: aiText, position: aiPosition, problem: n == 0 ? .valueMissing : .tooShort(minimum: spec.minLength, found: n)))
        }
        func position(_ k: Int) -> Int { positionBase.map { $0 + 1 } ?? k + 1 }
        let table: [Bool]? = switch spec.charset {
        case .numeric: nil
        case .cset82: GS1AI.cset82
        case .cset39: GS1AI.cset39
        case .cset64: GS1AI.cset64
        }
        for k in start..<end {
            let b = bytes[k]
            if let table, k - start >= spec.numericPrefix {
                guard table[Int(b)] else {
                    throw BarcodeError(.gs1(ai: aiText, position: position(k), problem: .badCharacter(found: shown(b), allowed: allowedName(spec.charset))))
                }
            } else if !isDigit(b) {
                throw BarcodeError(.gs1(ai: aiText, position: position(k), problem: .badCharacter(found: shown(b), allowed: "digits only")))
            }
        }
        let text = ascii(bytes, start, end)
        switch spec.kind {
        case .text:
            return GS1Element(ai: aiText, value: .text(text))
        case .gtin:
            try checkDigit(bytes, start, start + 14, aiText: aiText, position: position(end - 1))
            return GS1Element(ai: aiText, value: .gtin(text))
        case let .key(checkLength):
            try checkDigit(bytes, start, start + checkLength, aiText: aiText, position: position(start + checkLength - 1))
            return GS1Element(ai: aiText, value: .key(text))
        case .date:
            let date = try self.date(bytes, start, aiText: aiText, position: position(start))
            return GS1Element(ai: aiText, value: .date(date))
        case .dateTime:
            return GS1Element(ai: aiText, value: .dateTime(try dateTime(bytes, start, end, aiText: aiText, position: position(start))))
        case .count:
            return GS1Element(ai: aiText, value: .count(number(bytes, start, end)))
        case let .measure(unit):
            return GS1Element(ai: aiText, value: .measure(GS1Measure(unit: unit, value: number(bytes, start, end), decimals: decimals(aiText))))
        case .money:
            let amount = try money(number(bytes, start, end), decimals: decimals(aiText), currency: currency, aiText: aiText, position: position(start))
            return GS1Element(ai: aiText, value: .money(amount))
        case .moneyWithCurrency:
            let iso = Int(number(bytes, start, start + 3))
            guard let cur = GS1AI.currency(numeric: iso) else {
                throw BarcodeError(.gs1(ai: aiText, position: position(start), problem: .unknownCurrency(iso)))
            }
            guard n > 3 else { throw BarcodeError(.gs1(ai: aiText, position: aiPosition, problem: .tooShort(minimum: 4, found: n))) }
            let amount = try money(number(bytes, start + 3, end), decimals: decimals(aiText), currency: cur, aiText: aiText, position: position(start + 3))
            return GS1Element(ai: aiText, value: .money(amount))
        }
    }

    private func decimals(_ aiText: String) -> Int { Int(aiText.utf8.last! - 0x30) }

    private func money(_ value: Int64, decimals: Int, currency: Currency, aiText: String, position: Int) throws(BarcodeError) -> Money {
        let minor = currency.minorDigits
        if decimals <= minor { return Money(minorUnits: value * pow10[minor - decimals], currency: currency) }
        let d = pow10[decimals - minor]
        guard value % d == 0 else {
            throw BarcodeError(.gs1(ai: aiText, position: position, problem: .finerThanCurrency(decimals: decimals, currency: currency.code, minorDigits: minor)))
        }
        return Money(minorUnits: value / d, currency: currency)
    }

    private func checkDigit(_ bytes: [UInt8], _ start: Int, _ end: Int, aiText: String, position: Int) throws(BarcodeError) {
        let expected = mod10CheckDigit(bytes, start, end - 1)
        let found = Int(bytes[end - 1] - 0x30)
        if expected != found { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .checkDigit(expected: expected, found: found))) }
    }

    /// YYMMDD with the GS1 century rule (GenSpecs 7.12) and day 00 meaning the last day of the month.
    private func date(_ bytes: [UInt8], _ i: Int, aiText: String, position: Int) throws(BarcodeError) -> GS1Date {
        let yy = two(bytes, i), mm = two(bytes, i + 2), dd = two(bytes, i + 4)
        guard (1...12).contains(mm) else { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("month \(pad2(mm)) is not a month (01–12)"))) }
        let year = Self.fullYear(yy, reference: referenceYear)
        let last = GS1Date.daysIn(month: mm, year: year)
        if dd == 0 { return GS1Date(year: year, month: mm, day: last, endOfMonth: true) }
        guard dd <= last else {
            throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("\(year)-\(pad2(mm)) has no day \(pad2(dd))")))
        }
        return GS1Date(year: year, month: mm, day: dd)
    }

    /// GS1's sliding century: a two-digit year 51 or more years ahead of the reference year belongs to the previous
    /// century; 50 or more years behind it, to the next.
    static func fullYear(_ yy: Int, reference: Int) -> Int {
        let current = ((reference % 100) + 100) % 100
        let century = reference - current
        let diff = yy - current
        if diff >= 51 { return century - 100 + yy }
        if diff <= -50 { return century + 100 + yy }
        return century + yy
    }

    /// YYMMDDHH[MM[SS]] (8008) or YYMMDDHHMM (7003).
    private func dateTime(_ bytes: [UInt8], _ start: Int, _ end: Int, aiText: String, position: Int) throws(BarcodeError) -> GS1DateTime {
        let n = end - start
        guard n == 8 || n == 10 || n == 12 else {
            throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("a date and time has 8, 10 or 12 digits (YYMMDDHH[MM[SS]]), not \(n)")))
        }
        let date = try self.date(bytes, start, aiText: aiText, position: position)
        guard !date.endOfMonth else { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("day 00 is not allowed with a time"))) }
        let hour = two(bytes, start + 6)
        guard hour <= 23 else { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("hour \(pad2(hour)) is not an hour (00–23)"))) }
        let minute = n >= 10 ? two(bytes, start + 8) : nil
        let second = n == 12 ? two(bytes, start + 10) : nil
        if let minute, minute > 59 { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("minute \(pad2(minute)) is not a minute (00–59)"))) }
        if let second, second > 59 { throw BarcodeError(.gs1(ai: aiText, position: position, problem: .badDate("second \(pad2(second)) is not a second (00–59)"))) }
        return GS1DateTime(date: date, hour: hour, minute: minute, second: second)
    }

    private func two(_ bytes: [UInt8], _ i: Int) -> Int { Int(bytes[i] - 0x30) * 10 + Int(bytes[i + 1] - 0x30) }

    /// At most 18 digits (GS1 numeric fields are ≤ 15 digits plus a 3-digit currency), so this never overflows.
    private func number(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int64 {
        var v: Int64 = 0
        for k in start..<end { v = v * 10 + Int64(bytes[k] - 0x30) }
        return v
    }

    private func allowedName(_ c: GS1AISpec.Charset) -> String {
        switch c {
        case .numeric: "digits only"
        case .cset82: "GS1 character set 82: letters, digits and !\"%&'()*+,-./:;<=>?_"
        case .cset39: "capitals, digits, # - /"
        case .cset64: "letters, digits, - _ ="
        }
    }
}

// MARK: byte helpers shared by the barcode readers

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

/// The GS1 mod-10 check digit of the digits `bytes[start..<end]` (weights 3,1,… from the right).
@inline(__always)
func mod10CheckDigit(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
    var sum = 0
    var weight3 = true
    var k = end - 1
    while k >= start {
        sum += Int(bytes[k] - 0x30) * (weight3 ? 3 : 1)
        weight3.toggle()
        k -= 1
    }
    return (10 - sum % 10) % 10
}

/// ASCII bytes as a String (callers have checked they are ASCII, or accept replacement characters).
func ascii(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
    String(decoding: bytes[start..<end], as: UTF8.self)
}

/// Up to 8 characters from `i`, control characters shown as `<GS>`, `<0x07>`.
func preview(_ bytes: [UInt8], _ i: Int, _ end: Int) -> String {
    var s = ""
    for k in i..<min(end, i + 8) { s += shown(bytes[k]) }
    return s
}

/// One byte as people should see it in a message.
func shown(_ b: UInt8) -> String {
    switch b {
    case 0x1D: "<GS>"
    case 0x20...0x7E: String(UnicodeScalar(b))
    default: "<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">"
    }
}
