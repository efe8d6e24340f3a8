import Foundation
import Synchronization

/// Makes UUIDv7s (RFC 9562 §5.7): 48-bit Unix milliseconds, then a 12-bit counter, then 62 random bits.
///
/// Ids from one generator are strictly increasing even when the wall clock steps back (NTP correction, a dead RTC
/// battery): the generator never goes below the last timestamp it used and counts within it. This is RFC 9562's
/// "fixed bit-length dedicated counter" method (§6.2, method 1); when the counter runs out it borrows the next millisecond.
public final class UUIDv7Generator: Sendable {
    private struct State {
        var lastMillis: Int64 = 0
        var counter: UInt16 = 0
    }

    private let clock: any TillClock
    private let random: any RandomSource
    private let state = Mutex(State())

    public init(clock: any TillClock, random: any RandomSource) {
        self.clock = clock
        self.random = random
    }

    /// Raises the floor to the newest id already stored (e.g. the ledger's last entry), so ids stay ordered across
    /// a restart during which the clock went back.
    public func observe(_ existing: UUID) {
        let ms = existing.v7Millis
        state.withLock { s in
            if ms > s.lastMillis {
                s.lastMillis = ms
                s.counter = UInt16((existing.bytes[6] & 0x0F)) << 8 | UInt16(existing.bytes[7])
            }
        }
    }

    public func next() -> UUID {
        let now = clock.wallMillis()
        let (ms, counter) = state.withLock { s -> (Int64, UInt16) in
            if now > s.lastMillis {
                s.lastMillis = now
                // Start each millisecond's counter low but random-ish, leaving room to count up.
                s.counter = UInt16(random.next() & 0x1FF)
            } else if s.counter < 0x0FFF {
                s.counter += 1
            } else {
                s.lastMillis += 1
                s.counter = 0
            }
            return (s.lastMillis, s.counter)
        }
        let rand = random.next()
        var b = [UInt8](repeating: 0, count: 16)
        let t = UInt64(max(ms, 0))
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: t >> (40 - 8 * UInt64(i))) }
        b[6] = 0x70 | UInt8(counter >> 8)
        b[7] = UInt8(truncatingIfNeeded: counter)
        b[8] = 0x80 | UInt8(truncatingIfNeeded: rand >> 58)
        for i in 9..<16 { b[i] = UInt8(truncatingIfNeeded: rand >> (8 * UInt64(15 - i))) }
        return UUID(bytes: b)
    }
}

extension UUID {
    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: uuid) { Array($0) }
    }

    public init(bytes b: [UInt8]) {
        precondition(b.count == 16, "a UUID has 16 bytes")
        self.init(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// The Unix-milliseconds timestamp of a UUIDv7 (meaningless for other versions).
    public var v7Millis: Int64 {
        let b = bytes
        var t: Int64 = 0
        for i in 0..<6 { t = t << 8 | Int64(b[i]) }
        return t
    }

    /// Lower-case text form (`8-4-4-4-12` hex digits), as stored and sent upstream. Written by hand: Foundation's
    /// `uuidString` formats with snprintf and is upper case, and ids are formatted on every sale.
    public var lowercased: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var j = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[j] = UInt8(ascii: "-"); j += 1 }
                    out[j] = digits.utf8Start[Int(raw[i] >> 4)]
                    out[j + 1] = digits.utf8Start[Int(raw[i] & 0x0F)]
                    j += 2
                }
                return 36
            }
        }
    }
}
