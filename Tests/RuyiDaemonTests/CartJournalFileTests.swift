import Foundation
import RuyiTestKit
import Testing
@testable import RuyiDaemon

@Suite struct CartJournalFileTests {
    @Test func theNewestWholeSnapshotWinsAndACutWriteFallsBackToTheOlderOne() throws {
        let dir = try TemporaryDirectory(prefix: "ruyi-journal")
        let path = dir.file("open-cart")
        var j = try CartJournalFile(path: path)
        #expect(j.latest() == nil)
        try j.write(Data("one".utf8))
        try j.write(Data("two".utf8))
        try j.write(Data("three".utf8))
        #expect(j.latest()?.snapshot == Data("three".utf8))
        // A restart reads the same, and goes on numbering after it.
        j = try CartJournalFile(path: path)
        #expect(j.latest()?.snapshot == Data("three".utf8))
        try j.write(Data("four".utf8))
        #expect(try CartJournalFile(path: path).latest()?.snapshot == Data("four".utf8))
        // The newest file cut short (a SIGKILL between pages): the other one, a change older, is read.
        let aIsFour = try Data(contentsOf: URL(fileURLWithPath: path + ".a")).suffix(4) == Data("four".utf8)
        let target = aIsFour ? path + ".a" : path + ".b"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: target))
        try bytes.prefix(bytes.count - 2).write(to: URL(fileURLWithPath: target))
        #expect(try CartJournalFile(path: path).latest()?.snapshot == Data("three".utf8))
        // A flipped byte is caught by the checksum too.
        var other = try Data(contentsOf: URL(fileURLWithPath: aIsFour ? path + ".b" : path + ".a"))
        other[other.count - 1] ^= 0xFF
        try other.write(to: URL(fileURLWithPath: aIsFour ? path + ".b" : path + ".a"))
        #expect(try CartJournalFile(path: path).latest() == nil)
    }

    @Test func changesFollowTheNewestSnapshotUntilOneIsCutShort() throws {
        let dir = try TemporaryDirectory(prefix: "ruyi-journal")
        let path = dir.file("open-cart")
        var j = try CartJournalFile(path: path)
        try j.write(Data("base".utf8))
        for c in ["c1", "c2", "c3"] { try j.append(Data(c.utf8)) }
        #expect(j.changesSinceSnapshot == 3)
        #expect(j.latest()?.snapshot == Data("base".utf8) && j.latest()?.changes == ["c1", "c2", "c3"].map { Data($0.utf8) })
        // A restart reads the same and appends after it.
        j = try CartJournalFile(path: path)
        #expect(j.changesSinceSnapshot == 3)
        try j.append(Data("c4".utf8))
        #expect(try CartJournalFile(path: path).latest()?.changes.count == 4)
        // The last change cut short: reading stops before it, and the next change takes its place.
        let log = try Data(contentsOf: URL(fileURLWithPath: path + ".log"))
        try log.prefix(log.count - 1).write(to: URL(fileURLWithPath: path + ".log"))
        j = try CartJournalFile(path: path)
        #expect(j.latest()?.changes == ["c1", "c2", "c3"].map { Data($0.utf8) })
        try j.append(Data("c4'".utf8))
        #expect(try CartJournalFile(path: path).latest()?.changes.last == Data("c4'".utf8))
        // A flipped byte in the middle: only the changes before it count.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path + ".log"))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path + ".log"))
        #expect(try CartJournalFile(path: path).latest()!.changes.count < 4)
        // A new snapshot empties the log; a stale log (written before the newest snapshot) is never applied to it.
        j = try CartJournalFile(path: path)
        try j.write(Data("next".utf8))
        #expect(j.latest()?.snapshot == Data("next".utf8) && j.latest()?.changes == [])
        try j.append(Data("n1".utf8))
        let staleLog = try Data(contentsOf: URL(fileURLWithPath: path + ".log"))
        try j.write(Data("newest".utf8))
        try staleLog.write(to: URL(fileURLWithPath: path + ".log"))
        #expect(try CartJournalFile(path: path).latest()?.changes == [])
        // The newest snapshot cut short: the one before it, whole, is read (the other file), never a torn one.
        let files = [path + ".a", path + ".b"]
        let newest = try files.first { try Data(contentsOf: URL(fileURLWithPath: $0)).suffix(6) == Data("newest".utf8) }!
        let torn = try Data(contentsOf: URL(fileURLWithPath: newest))
        try torn.prefix(torn.count - 3).write(to: URL(fileURLWithPath: newest))
        #expect(try CartJournalFile(path: path).latest()?.snapshot == Data("next".utf8))
    }
}
