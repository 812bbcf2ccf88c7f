/// Part names as they appear in `.bit` files (`7z020clg400`) and in Vivado/board data
/// (`xc7z020clg400-1`), and the JTAG IDCODEs of the Zynq-7000 devices.
public enum BitPart {
    /// The part without the `xc` prefix and without a speed grade, lower case:
    /// `xc7z020clg400-1`, `XC7Z020CLG400`, `7z020clg400` all give `7z020clg400`.
    public static func normalize(_ part: String) -> String {
        var s = part.lowercased()
        if let dash = s.firstIndex(of: "-") { s = String(s[..<dash]) }
        if s.hasPrefix("xc"), let third = s.dropFirst(2).first, third.isNumber { s = String(s.dropFirst(2)) }
        return s
    }

    /// `xc` + the normalized part, e.g. `xc7z020clg400` (the `.bit` file has no speed grade).
    public static func vivadoSpelling(_ part: String) -> String { "xc" + normalize(part) }

    /// Whether a `.bit` part (`7z020clg400`) and a board part (`xc7z020clg400-1`) name the
    /// same device and package. The speed grade is not in the `.bit` file, so it is not compared.
    public static func matches(_ a: String, _ b: String) -> Bool {
        let na = normalize(a), nb = normalize(b)
        return !na.isEmpty && na == nb
    }

    /// Letters, digits and `-`, starting with a letter or digit, at most 64 characters.
    public static func isWellFormed(_ part: String) -> Bool {
        let u = Array(part.utf8)
        guard !u.isEmpty, u.count <= 64 else { return false }
        func alnum(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }
        guard alnum(u[0]) else { return false }
        return u.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// The device of a part, e.g. `7z020` for `xc7z020clg400-1`: a known Zynq device
    /// prefix, else the leading digits, family letters and size digits.
    public static func device(_ part: String) -> String {
        let n = normalize(part)
        if let known = zynqIDCodes.keys.sorted(by: { $0.count > $1.count }).first(where: { n.hasPrefix($0) }) {
            return known
        }
        let c = Array(n)
        var i = 0
        while i < c.count, c[i].isNumber { i += 1 }
        while i < c.count, c[i].isLetter { i += 1 }
        while i < c.count, c[i].isNumber { i += 1 }
        return String(c[0..<i])
    }

    /// JTAG IDCODEs (bits [27:0]; the top 4 bits are the silicon version and vary) of the
    /// Zynq-7000 PL TAPs, from openFPGALoader `part.hpp` (shared/docs/zynq-facts.md §4.2).
    public static let zynqIDCodes: [String: UInt32] = [
        "7z007s": 0x0372_3093,
        "7z010": 0x0372_2093,
        "7z020": 0x0372_7093,
        "7z030": 0x0372_C093,
    ]

    /// The device whose IDCODE matches `idcode` (version nibble ignored), if it is a known Zynq.
    public static func zynqDevice(idcode: UInt32) -> String? {
        zynqIDCodes.first { $0.value == idcode & 0x0FFF_FFFF }?.key
    }
}
