import Foundation

/// The kernel's name for the calling thread (what `ps -L` shows): tests check which thread an actor's code ran on.
public func currentThreadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
}
