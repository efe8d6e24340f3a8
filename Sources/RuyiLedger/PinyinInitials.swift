import Foundation
import Glibc
import Synchronization

/// Pinyin initials of Chinese text, so the owner can type `ksf` for 康师傅. Kept in the catalog beside each name
/// (`product.initials`), written whenever a product is.
///
/// GB2312's level-1 hanzi (3,755 common characters) are ordered by pinyin, so a character's initial follows from where
/// its GB code falls (the letter boundaries below). Level-2 hanzi (ordered by radical) and other scripts have no
/// initial from this table: they are kept as they are (letters and digits lower-cased), so `可乐330` → `kl330`.
/// Polyphonic characters get the reading GB2312 files them under.
public enum PinyinInitials {
    // The first GB2312 code of each initial; the table ends at 0xD7F9, the last level-1 character.
    static let boundaries: [(UInt16, Character)] = [
        (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"), (0xB7A2, "f"), (0xB8C1, "g"), (0xB9FE, "h"),
        (0xBBF7, "j"), (0xBFA6, "k"), (0xC0AC, "l"), (0xC2E8, "m"), (0xC4C3, "n"), (0xC5B6, "o"), (0xC5BE, "p"), (0xC6DA, "q"),
        (0xC8BB, "r"), (0xC8F6, "s"), (0xCBFA, "t"), (0xCDDA, "w"), (0xCEF4, "x"), (0xD1B9, "y"), (0xD4D1, "z"),
    ]

    /// One iconv converter for the process (iconv_t is not safe to share unlocked) and each character's initial once
    /// found: a catalog uses a few thousand distinct characters over and over.
    private struct State: ~Copyable {
        let converter: iconv_t?
        var initials: [Unicode.Scalar: Character?] = [:]
    }

    private static let state: Mutex<State> = {
        let cd = iconv_open("GB18030", "UTF-8")
        return Mutex(State(converter: cd == iconv_t(bitPattern: -1) ? nil : cd))
    }()

    /// The initials of `text`. (Were iconv without GB18030 — glibc always has it — hanzi would get none, and only
    /// letters and digits would be kept.)
    public static func of(_ text: String) -> String {
        var out = ""
        state.withLock { state in
            for scalar in text.unicodeScalars {
                if scalar.isASCII {
                    let c = Character(scalar)
                    if c.isLetter || c.isNumber { out.append(Character(c.lowercased())) }
                    continue
                }
                if let known = state.initials[scalar] {
                    if let known { out.append(known) }
                    continue
                }
                var letter: Character?
                if scalar.properties.isIdeographic, let cd = state.converter, let code = gb(scalar, cd), code >= 0xB0A1, code <= 0xD7F9 {
                    letter = "a"
                    for (start, l) in boundaries where code >= start { letter = l }
                }
                state.initials[scalar] = .some(letter)
                if let letter { out.append(letter) }
            }
        }
        return out
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
