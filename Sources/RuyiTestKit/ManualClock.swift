import Foundation
import RuyiCore
import Synchronization

/// A clock tests drive: set, advance, or step the wall clock back as a bad NTP sync would.
public final class ManualClock: TillClock {
    private let state: Mutex<(wall: Int64, mono: UInt64)>
    public let bootID: String

    /// Starts at 2026-11-23 09:00 Asia/Shanghai unless told otherwise.
    public init(wallMillis: Int64 = 1_795_395_600_000, bootID: String = "test-boot") {
        state = Mutex((wallMillis, 1_000_000_000))
        self.bootID = bootID
    }

    public func wallMillis() -> Int64 { state.withLock { $0.wall } }
    public func monotonicNanos() -> UInt64 { state.withLock { $0.mono } }

    /// Moves both clocks forward.
    public func advance(millis: Int64) {
        state.withLock { s in
            s.wall += millis
            s.mono += UInt64(max(millis, 0)) * 1_000_000
        }
    }

    /// Sets the wall clock only (it may go backwards); monotonic time keeps counting.
    public func setWall(_ millis: Int64) {
        state.withLock { s in
            s.wall = millis
            s.mono += 1_000_000
        }
    }
}

/// Deterministic random bits (SplitMix64), so ids in tests are reproducible.
public final class SeededRandom: RandomSource {
    private let state: Mutex<UInt64>
    public init(seed: UInt64 = 42) { state = Mutex(seed) }
    public func next() -> UInt64 {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
