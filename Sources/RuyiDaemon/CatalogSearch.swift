import CGlibcExtras
import Foundation
import Glibc
import RuyiCore
import RuyiLedger

/// Pinyin initials of Chinese text, so the owner can type `ksf` for 康师傅.
///
/// GB2312's level-1 hanzi (3,755 common characters) are ordered by pinyin, so a character's initial follows from where
/// its GB code falls (the letter boundaries below). Level-2 hanzi (ordered by radical) and other scripts have no
/// initial from this table: they are kept as they are (letters and digits lower-cased), so `可乐330` → `kl330`.
/// Polyphonic characters get the reading GB2312 files them under.
enum PinyinInitials {
    // The first GB2312 code of each initial; the table ends at 0xD7F9, the last level-1 character.
    static let boundaries: [(UInt16, Character)] = [
        (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"), (0xB7A2, "f"), (0xB8C1, "g"), (0xB9FE, "h"),
        (0xBBF7, "j"), (0xBFA6, "k"), (0xC0AC, "l"), (0xC2E8, "m"), (0xC4C3, "n"), (0xC5B6, "o"), (0xC5BE, "p"), (0xC6DA, "q"),
        (0xC8BB, "r"), (0xC8F6, "s"), (0xCBFA, "t"), (0xCDDA, "w"), (0xCEF4, "x"), (0xD1B9, "y"), (0xD4D1, "z"),
    ]

    /// The initials of `text`, through iconv to GB18030 (a superset of GB2312). `cache` keeps each character's initial
    /// (a catalog uses a few thousand distinct characters over and over: 100,000 names cost a few thousand conversions).
    static func of(_ text: String, converter: iconv_t, cache: inout [Unicode.Scalar: Character?]) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let c = Character(scalar)
                if c.isLetter || c.isNumber { out.append(Character(c.lowercased())) }
                continue
            }
            if let known = cache[scalar] {
                if let known { out.append(known) }
                continue
            }
            var letter: Character?
            if scalar.properties.isIdeographic, let code = gb(scalar, converter), code >= 0xB0A1, code <= 0xD7F9 {
                letter = "a"
                for (start, l) in boundaries where code >= start { letter = l }
            }
            cache[scalar] = .some(letter)
            if let letter { out.append(letter) }
        }
        return out
    }

    static func of(_ text: String, converter: iconv_t) -> String {
        var cache: [Unicode.Scalar: Character?] = [:]
        return of(text, converter: converter, cache: &cache)
    }

    private static func gb(_ scalar: Unicode.Scalar, _ cd: iconv_t) -> UInt16? {
        var input = Array(String(scalar).utf8)
        var output = [UInt8](repeating: 0, count: 8)
        var inLeft = input.count, outLeft = output.count
        let ok = input.withUnsafeMutableBufferPointer { ib in
            output.withUnsafeMutableBufferPointer { ob -> Bool in
                var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ib.baseAddress!).assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress!).assumingMemoryBound(to: CChar.self)
                let r = iconv(cd, &ip, &inLeft, &op, &outLeft)
                _ = iconv(cd, nil, nil, nil, nil)
                return r != -1
            }
        }
        guard ok, output.count - outLeft == 2 else { return nil }
        return UInt16(output[0]) << 8 | UInt16(output[1])
    }
}

/// The catalog search the owner and cashier use: by name, by pinyin initials (`ksf` → 康师傅), by barcode. An in-memory
/// index of every product, rebuilt after an import (100,000 products: a few hundred ms, a few MB).
///
/// `@unchecked Sendable`: the index is replaced whole under `lock`; searches read a snapshot.
final class CatalogSearch: @unchecked Sendable {
    struct Entry: Sendable {
        let product: CatalogEntry
        /// The name lower-cased, only when that differs from it (most Chinese names do not): one string less each.
        let lowered: String?
        let initials: String
        var lowerName: String { lowered ?? product.name }
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    func rebuild(from ledger: Ledger) throws {
        guard let cd = iconv_open("GB18030", "UTF-8"), cd != iconv_t(bitPattern: -1) else {
            throw DaemonError("iconv cannot convert to GB18030 on this system")
        }
        defer { iconv_close(cd) }
        var cache: [Unicode.Scalar: Character?] = [:]
        var built: [Entry] = []
        built.reserveCapacity((try? ledger.productCount()) ?? 0)
        try ledger.forEachCatalogEntry { p in
            let lower = p.name.lowercased()
            built.append(Entry(product: p, lowered: lower == p.name ? nil : lower, initials: PinyinInitials.of(p.name, converter: cd, cache: &cache)))
        }
        lock.lock()
        entries = built
        built_ = true
        lock.unlock()
        // The old index and the read's transient buffers are free now: give the pages back, so the till's resident
        // memory is what it uses.
        _ = malloc_trim(0)
    }

    private var built_ = false
    /// False until the first build is done (it runs after READY, so a cold start never waits for it).
    var isReady: Bool { lock.lock(); defer { lock.unlock() }; return built_ }

    var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }

    /// Up to `limit` products: initials or name starting with the query first, then containing it; digits also match
    /// barcodes. Inactive products last.
    func search(_ query: String, limit: Int = 20) -> [Entry] {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        lock.lock()
        let snapshot = entries
        lock.unlock()
        let digits = q.allSatisfy(\.isNumber)
        var ranked: [(Int, Entry)] = []
        for e in snapshot {
            var rank: Int?
            if e.initials.hasPrefix(q) || e.lowerName.hasPrefix(q) { rank = 0 }
            else if digits, let b = e.product.barcode, b.hasPrefix(q) || b.hasSuffix(q) { rank = 1 }
            else if e.initials.contains(q) || e.lowerName.contains(q) { rank = 2 }
            if let r = rank { ranked.append((r + (e.product.active ? 0 : 10), e)) }
        }
        return ranked.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.product.name < $1.1.product.name }.prefix(limit).map(\.1)
    }
}
