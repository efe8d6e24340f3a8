import Crypto
import Foundation
import Glibc

/// The open cart's journal: whole snapshots in two files written in turn (`.a`, `.b`), and the changes since the
/// newest one appended to a third (`.log`).
///
/// Every record is a header (magic, sequence, length, SHA-256) and its bytes, written with one `pwrite` — no temp file,
/// no rename, no fsync — so a change costs a few µs. A snapshot goes to the older file and empties the log; a change
/// is appended with the next sequence number. Reading takes the newest whole snapshot and then the log's records that
/// follow it without a gap: a write cut short (SIGKILL between pages) fails its checksum and is where reading stops, so
/// at most that one change is lost. The cart is not money yet: a power cut may lose its last scans, never a committed sale.
final class CartJournalFile {
    private let snapshotFDs: [Int32]
    private let logFD: Int32
    private var sequence: UInt64
    /// Which snapshot file holds the newest snapshot: the next one goes to the other, so one whole snapshot always stays.
    private var current: Int
    /// Where the next change goes in the log, and how many follow the newest snapshot.
    private var logEnd: Int
    private(set) var changesSinceSnapshot: Int
    private static let snapshotMagic: [UInt8] = Array("RUYICART".utf8)
    private static let changeMagic: [UInt8] = Array("RUYICHNG".utf8)
    private static let headerSize = 56

    init(path: String) throws {
        var fds: [Int32] = []
        for suffix in [".a", ".b", ".log"] {
            let fd = open(path + suffix, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else {
                fds.forEach { close($0) }
                throw DaemonError("cannot open the cart journal \(path + suffix): \(String(cString: strerror(errno)))")
            }
            fds.append(fd)
        }
        let snapshotFDs = Array(fds[0..<2]), logFD = fds[2]
        self.snapshotFDs = snapshotFDs
        self.logFD = logFD
        let snapshots = snapshotFDs.map { Self.readSnapshot($0) }
        let newest = snapshots.indices.filter { snapshots[$0] != nil }.max { snapshots[$0]!.sequence < snapshots[$1]!.sequence }
        let changes = newest.map { Self.readChanges(logFD, after: snapshots[$0]!.sequence) } ?? (records: [], end: 0)
        current = newest ?? 1
        sequence = (newest.map { snapshots[$0]!.sequence } ?? 0) + UInt64(changes.records.count)
        logEnd = changes.end
        changesSinceSnapshot = changes.records.count
        // Whatever follows the last good change (a cut write, a log from before the newest snapshot) is dropped.
        _ = ftruncate(logFD, off_t(logEnd))
    }

    deinit {
        snapshotFDs.forEach { close($0) }
        close(logFD)
    }

    /// The newest snapshot that is whole, and the changes after it, oldest first.
    func latest() -> (snapshot: Data, changes: [Data])? {
        guard let s = snapshotFDs.compactMap({ Self.readSnapshot($0) }).max(by: { $0.sequence < $1.sequence }) else { return nil }
        return (s.data, Self.readChanges(logFD, after: s.sequence).records)
    }

    /// A whole snapshot; the changes before it are no longer needed.
    func write(_ snapshot: some DataProtocol) throws {
        sequence += 1
        let record = Self.record(Self.snapshotMagic, sequence, snapshot)
        let fd = snapshotFDs[1 - current]
        let n = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard n == record.count else { throw DaemonError("cart journal write: \(String(cString: strerror(errno)))") }
        _ = ftruncate(fd, off_t(record.count))
        current = 1 - current
        _ = ftruncate(logFD, 0)
        logEnd = 0
        changesSinceSnapshot = 0
    }

    /// One change after the newest snapshot (or the change before it).
    func append(_ change: some DataProtocol) throws {
        precondition(sequence > 0, "a change needs a snapshot before it")
        let record = Self.record(Self.changeMagic, sequence + 1, change)
        let n = record.withUnsafeBytes { pwrite(logFD, $0.baseAddress, $0.count, off_t(logEnd)) }
        guard n == record.count else { throw DaemonError("cart journal write: \(String(cString: strerror(errno)))") }
        sequence += 1
        logEnd += record.count
        changesSinceSnapshot += 1
    }

    private static func record(_ magic: [UInt8], _ sequence: UInt64, _ payload: some DataProtocol) -> [UInt8] {
        var record = magic
        record.reserveCapacity(headerSize + payload.count)
        withUnsafeBytes(of: sequence.littleEndian) { record += $0 }
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { record += $0 }
        record += SHA256.hash(data: payload)
        record += payload
        return record
    }

    /// The record at `offset` of `bytes` if it is whole: its sequence, its bytes, and where it ends.
    private static func parse(_ bytes: [UInt8], at offset: Int, magic: [UInt8]) -> (sequence: UInt64, data: Data, end: Int)? {
        guard bytes.count - offset >= headerSize, Array(bytes[offset..<(offset + 8)]) == magic else { return nil }
        let seq = bytes[(offset + 8)..<(offset + 16)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        let len = bytes[(offset + 16)..<(offset + 24)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard len <= UInt64(bytes.count - offset - headerSize) else { return nil }
        let end = offset + headerSize + Int(len)
        let data = Data(bytes[(offset + headerSize)..<end])
        guard Array(SHA256.hash(data: data)) == Array(bytes[(offset + 24)..<(offset + 56)]) else { return nil }
        return (seq, data, end)
    }

    private static func contents(_ fd: Int32) -> [UInt8]? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size < 64 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        guard pread(fd, &bytes, bytes.count, 0) == bytes.count else { return nil }
        return bytes
    }

    private static func readSnapshot(_ fd: Int32) -> (sequence: UInt64, data: Data)? {
        guard let bytes = contents(fd), let r = parse(bytes, at: 0, magic: snapshotMagic), r.end == bytes.count else { return nil }
        return (r.sequence, r.data)
    }

    /// The log's changes that follow snapshot `after` one by one, and where the last of them ends.
    private static func readChanges(_ fd: Int32, after snapshot: UInt64) -> (records: [Data], end: Int) {
        guard let bytes = contents(fd) else { return ([], 0) }
        var records: [Data] = []
        var offset = 0
        while let r = parse(bytes, at: offset, magic: changeMagic), r.sequence == snapshot + UInt64(records.count) + 1 {
            records.append(r.data)
            offset = r.end
        }
        return (records, offset)
    }
}
