import Crypto
import Foundation
import Glibc

/// The open cart's journal: two files written in turn (`.a`, `.b`), each a header (magic, sequence, length, SHA-256)
/// and the snapshot. A write goes to the older file with one `pwrite` — no temp file, no rename, no fsync — so a change
/// costs a few µs; a write cut short (SIGKILL between pages) fails its checksum and the other file, one change older,
/// is read instead. The cart is not money yet: a power cut may lose its last scans, never a committed sale.
final class CartJournalFile {
    private let fds: [Int32]
    private var sequence: UInt64
    private static let magic: [UInt8] = Array("RUYICART".utf8)

    init(path: String) throws {
        var fds: [Int32] = []
        for suffix in [".a", ".b"] {
            let fd = open(path + suffix, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw DaemonError("cannot open the cart journal \(path + suffix): \(String(cString: strerror(errno)))") }
            fds.append(fd)
        }
        self.fds = fds
        sequence = fds.compactMap { Self.read($0)?.sequence }.max() ?? 0
    }

    deinit { fds.forEach { close($0) } }

    /// The newest snapshot that is whole.
    func latest() -> Data? {
        fds.compactMap { Self.read($0) }.max { $0.sequence < $1.sequence }?.data
    }

    func write(_ snapshot: Data) throws {
        sequence += 1
        var record = Self.magic
        withUnsafeBytes(of: sequence.littleEndian) { record += $0 }
        withUnsafeBytes(of: UInt64(snapshot.count).littleEndian) { record += $0 }
        record += SHA256.hash(data: snapshot)
        record += snapshot
        let fd = fds[Int(sequence % 2)]
        let n = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard n == record.count else { throw DaemonError("cart journal write: \(String(cString: strerror(errno)))") }
        _ = ftruncate(fd, off_t(record.count))
    }

    private static func read(_ fd: Int32) -> (sequence: UInt64, data: Data)? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 56, st.st_size < 64 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        guard pread(fd, &bytes, bytes.count, 0) == bytes.count, Array(bytes[0..<8]) == magic else { return nil }
        let seq = bytes[8..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        let len = Int(bytes[16..<24].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian)
        guard len == bytes.count - 56 else { return nil }
        let data = Data(bytes[56...])
        guard Array(SHA256.hash(data: data)) == Array(bytes[24..<56]) else { return nil }
        return (seq, data)
    }
}
