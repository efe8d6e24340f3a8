/// The till's view of time, injected everywhere so tests can step it (forward, and backward as a bad NTP sync does).
public protocol TillClock: Sendable {
    /// Wall-clock time, milliseconds since the Unix epoch. May jump backwards.
    func wallMillis() -> Int64
    /// Monotonic nanoseconds since boot. Never goes backwards within one boot.
    func monotonicNanos() -> UInt64
    /// Identifies this boot, so monotonic times from different boots are never compared.
    var bootID: String { get }
}

/// A source of random bits for ids, injected so tests are reproducible.
public protocol RandomSource: Sendable {
    func next() -> UInt64
}
