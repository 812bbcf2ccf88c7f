#if !hasFeature(Embedded)
import Foundation
#endif

/// A 64-bit address or size that JSON files may write as a number or as a "0x..." string.
/// It is written back as "0x" and at least eight upper-case hex digits. The type itself is in
/// the board build too (Manifest uses it); its Codable conformance is host-only.
public struct HexU64: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var description: String { HexU64.format(value) }

    /// "0x" + upper-case hex, at least 8 digits.
    public static func format(_ v: UInt64) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Parses "0x1F", "0X1f" or "31" (spaces around allowed); nil on anything else (including overflow).
    public static func parse(_ s: String) -> UInt64? {
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        if t.hasPrefix("0x") || t.hasPrefix("0X") {
            let body = t.dropFirst(2)
            guard !body.isEmpty, body.count <= 16 else { return nil }
            return UInt64(body, radix: 16)
        }
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(t, radix: 10)
    }
}

#if !hasFeature(Embedded)
extension HexU64: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt64.self) {
            self.init(n)
            return
        }
        let s: String
        do {
            s = try c.decode(String.self)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "expected a non-negative integer or a \"0x...\" hex string")
        }
        guard let v = HexU64.parse(s) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "'\(s)' is not a non-negative integer or a \"0x...\" hex string that fits 64 bits")
        }
        self.init(v)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension DecodingError {
    /// The dotted key path of a decoding error ("dma.base"), for one-line messages.
    var zynqKeyPath: String {
        let ctx: Context
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): ctx = c
        case .keyNotFound(let k, let c):
            return (c.codingPath + [k]).map(\.stringValue).joined(separator: ".")
        @unknown default: return ""
        }
        return ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    var zynqMessage: String {
        switch self {
        case .typeMismatch(let t, let c): return "wrong type (expected \(t)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "missing value: \(c.debugDescription)"
        case .keyNotFound: return "missing key"
        case .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "cannot decode"
        }
    }
}

extension ZynqError {
    /// One-line error for a JSON file that did not decode.
    public static func decoding(_ error: Error, file: String) -> ZynqError {
        if let z = error as? ZynqError { return z.inFile(file) }
        if let d = error as? DecodingError {
            let key = d.zynqKeyPath
            return ZynqError(file: file, key: key.isEmpty ? nil : key, d.zynqMessage)
        }
        return ZynqError(file: file, "not valid JSON")
    }
}
#endif
