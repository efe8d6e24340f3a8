/// One Application Identifier and its value, as read from GS1 data.
public struct GS1Element: Hashable, Sendable {
    /// The AI as printed, e.g. `01`, `3103`, `8008`.
    public let ai: String
    public let value: GS1Value

    public init(ai: String, value: GS1Value) {
        self.ai = ai
        self.value = value
    }

    /// The GS1 data title, e.g. `BEST BEFORE or BEST BY`.
    public var title: String { GS1AI.spec(for: ai)?.title ?? "AI \(ai)" }
}

/// A typed AI value. Dates are dates, weights and measures are integers with their implied decimals, prices are `Money`.
public enum GS1Value: Hashable, Sendable {
    /// A GTIN (AI 01, 02, 03): always 14 digits with a verified check digit.
    case gtin(String)
    /// Another check-digit-verified key (SSCC, GLN, GRAI, …), as printed.
    case key(String)
    /// Any other data (batch, serial, internal codes…), as printed.
    case text(String)
    /// AIs 11–17 and 7006. A day of 00 means "end of the month": `day` then holds that last day.
    case date(GS1Date)
    /// AIs 8008 and 7003.
    case dateTime(GS1DateTime)
    /// AIs 30, 37: number of items.
    case count(Int64)
    /// AIs 31nn–36nn: a measure with its implied decimals.
    case measure(GS1Measure)
    /// AIs 390n–393n: an amount (in the store's currency unless the AI names one).
    case money(Money)
}

/// A calendar date from a GS1 YYMMDD field.
public struct GS1Date: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    /// The label said day 00: the date means "by the end of this month".
    public let endOfMonth: Bool

    public init(year: Int, month: Int, day: Int, endOfMonth: Bool = false) {
        self.year = year
        self.month = month
        self.day = day
        self.endOfMonth = endOfMonth
    }

    public static func < (l: GS1Date, r: GS1Date) -> Bool { (l.year, l.month, l.day) < (r.year, r.month, r.day) }

    /// `2025-07-31`.
    public var description: String { "\(year)-\(pad2(month))-\(pad2(day))" }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A date with a time of day (AI 8008: YYMMDDHH[MM[SS]]; AI 7003: YYMMDDHHMM).
public struct GS1DateTime: Hashable, Sendable, CustomStringConvertible {
    public let date: GS1Date
    public let hour: Int
    /// Nil when the label gives the hour only.
    public let minute: Int?
    public let second: Int?

    public init(date: GS1Date, hour: Int, minute: Int?, second: Int?) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// `2025-07-31T14:30`.
    public var description: String {
        var s = "\(date)T\(pad2(hour))"
        if let minute { s += ":\(pad2(minute))" }
        if let second { s += ":\(pad2(second))" }
        return s
    }
}

/// The unit of a GS1 measure.
public enum GS1Unit: String, Hashable, Sendable, Codable {
    case kilogram = "kg", metre = "m", squareMetre = "m2", litre = "l", cubicMetre = "m3", kilogramPerSquareMetre = "kg/m2"
    case pound = "lb", inch = "in", foot = "ft", yard = "yd", squareInch = "in2", squareFoot = "ft2", squareYard = "yd2"
    case troyOunce = "oz t", fluidOunce = "fl oz", quart = "qt", gallon = "gal", cubicInch = "in3", cubicFoot = "ft3"
    case cubicYard = "yd3"
}

/// A measure from AIs 31nn–36nn: `value` with `decimals` implied decimal places (AI 3102 value 1234 = 12.34 kg).
public struct GS1Measure: Hashable, Sendable, CustomStringConvertible {
    public let unit: GS1Unit
    public let value: Int64
    public let decimals: Int

    public init(unit: GS1Unit, value: Int64, decimals: Int) {
        self.unit = unit
        self.value = value
        self.decimals = decimals
    }

    /// Thousandths of the unit (grams for kilograms, millilitres for litres), rounded half up when the label is finer.
    public var milliUnits: Int64 {
        if decimals <= 3 { return value * pow10[3 - decimals] }
        let d = pow10[decimals - 3]
        return (value + d / 2) / d
    }

    /// Whole grams for a weight in kilograms; nil for other units.
    public var grams: Int64? { unit == .kilogram ? milliUnits : nil }

    /// `1.234 kg`.
    public var description: String { decimalString(value, decimals) + " " + unit.rawValue }
}

let pow10: [Int64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
                      10_000_000_000, 100_000_000_000, 1_000_000_000_000]

func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

/// `1234`, 2 → `12.34` (non-negative values only).
func decimalString(_ value: Int64, _ decimals: Int) -> String {
    guard decimals > 0 else { return String(value) }
    var digits = String(value)
    if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
    let cut = digits.index(digits.endIndex, offsetBy: -decimals)
    return digits[..<cut] + "." + digits[cut...]
}
