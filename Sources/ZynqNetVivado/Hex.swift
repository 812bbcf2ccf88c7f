import Foundation
import ZynqNetHW
import ZynqNetModel

/// Board files (Codable) may write an address as a number or as a "0x..." string; it is
/// written back as "0x" and at least eight upper-case hex digits.
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
    static func decoding(_ error: Error, file: String) -> ZynqError {
        if let z = error as? ZynqError { return z.inFile(file) }
        if let d = error as? DecodingError {
            let key = d.zynqKeyPath
            return ZynqError(file: file, key: key.isEmpty ? nil : key, d.zynqMessage)
        }
        return ZynqError(file: file, "not valid JSON")
    }
}
