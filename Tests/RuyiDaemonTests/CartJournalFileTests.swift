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
        #expect(j.latest() == Data("three".utf8))
        // A restart reads the same, and goes on numbering after it.
        j = try CartJournalFile(path: path)
        #expect(j.latest() == Data("three".utf8))
        try j.write(Data("four".utf8))
        #expect(try CartJournalFile(path: path).latest() == Data("four".utf8))
        // The newest file cut short (a SIGKILL between pages): the other one, a change older, is read.
        let aIsFour = try Data(contentsOf: URL(fileURLWithPath: path + ".a")).suffix(4) == Data("four".utf8)
        let target = aIsFour ? path + ".a" : path + ".b"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: target))
        try bytes.prefix(bytes.count - 2).write(to: URL(fileURLWithPath: target))
        #expect(try CartJournalFile(path: path).latest() == Data("three".utf8))
        // A flipped byte is caught by the checksum too.
        var other = try Data(contentsOf: URL(fileURLWithPath: aIsFour ? path + ".b" : path + ".a"))
        other[other.count - 1] ^= 0xFF
        try other.write(to: URL(fileURLWithPath: aIsFour ? path + ".b" : path + ".a"))
        #expect(try CartJournalFile(path: path).latest() == nil)
    }
}
