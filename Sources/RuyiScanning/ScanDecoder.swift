/// The decoder a transport needs, behind one face for the driver.
enum ScanDecoder: Sendable {
    case keyboard(KeyboardDecoder)
    case hidpos(HIDPOSDecoder)
    case bulk(BulkFramer)

    init(transport: ScannerTransport, profile: ScannerProfile, layout: KeyboardLayout) {
        switch transport {
        case .keyboard, .detect:
            self = .keyboard(KeyboardDecoder(layout: layout, terminator: profile.terminator, timeoutMS: profile.timeoutMS, aimPrefix: profile.aimPrefix))
        case .hidpos:
            self = .hidpos(HIDPOSDecoder(timeoutMS: max(profile.timeoutMS, 500)))
        case .bulk:
            self = .bulk(BulkFramer(terminator: profile.bulkTerminator, timeoutMS: profile.timeoutMS, aimPrefix: profile.aimPrefix))
        }
    }

    mutating func feed(_ bytes: [UInt8], at time: UInt64, into out: inout [DecodedItem]) {
        switch self {
        case .keyboard(var d): d.feed(bytes, at: time, into: &out); self = .keyboard(d)
        case .hidpos(var d): d.feed(bytes, at: time, into: &out); self = .hidpos(d)
        case .bulk(var d): d.feed(bytes, at: time, into: &out); self = .bulk(d)
        }
    }

    mutating func expire(at time: UInt64, into out: inout [DecodedItem]) {
        switch self {
        case .keyboard(var d): d.expire(at: time, into: &out); self = .keyboard(d)
        case .hidpos(var d): d.expire(at: time, into: &out); self = .hidpos(d)
        case .bulk(var d): d.expire(at: time, into: &out); self = .bulk(d)
        }
    }

    mutating func abandon(_ why: String) -> ScanProblem? {
        switch self {
        case .keyboard(var d): defer { self = .keyboard(d) }; return d.abandon(why)
        case .hidpos(var d): defer { self = .hidpos(d) }; return d.abandon(why)
        case .bulk(var d): defer { self = .bulk(d) }; return d.abandon(why)
        }
    }

    var deadline: UInt64? {
        switch self {
        case .keyboard(let d): d.deadline
        case .hidpos(let d): d.deadline
        case .bulk(let d): d.deadline
        }
    }
}
