/// A JSON value that keeps object keys in the order they were given, for `--json` output
/// and the manifests the host tools write (stable, diff-friendly files).
public indirect enum JSONText: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    public static func == (a: JSONText, b: JSONText) -> Bool { a.render() == b.render() }

    /// Compact (one line) or pretty (two-space indent) text.
    public func render(pretty: Bool = false) -> String {
        var out = ""
        write(&out, pretty: pretty, indent: 0)
        return out
    }

    private func write(_ out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .double(let v):
            if v.isNaN || v.isInfinite { out += "null" }
            else if v == v.rounded(), abs(v) < 1e15 { out += String(Int64(v)) }
            else { out += "\(v)" }
        case .string(let s): out += JSONText.quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                item.write(&out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                out += JSONText.quote(k) + (pretty ? ": " : ":")
                v.write(&out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// `.string` or `.null`.
    public static func optional(_ s: String?) -> JSONText { s.map { .string($0) } ?? .null }
}

// MARK: - Strict reader (RFC 8259)

extension JSONText {
    /// The deepest nesting of arrays and objects `parse` accepts.
    public static let maxDepth = 64

    /// Parses one JSON text strictly (RFC 8259): no comments, trailing commas, leading zeros,
    /// byte-order mark, lone surrogates, invalid UTF-8, duplicate keys, nesting deeper than
    /// `maxDepth`, or anything after the value. Numbers keep their exactness: an integer literal
    /// is `.int` (or `.uint` above Int64.max; outside 64 bits it is an error), one with a fraction
    /// or exponent is `.double` (an error when it overflows). Object keys keep their order.
    /// `file` names the file in the one-line error.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(ZynqError) -> JSONText {
        var p = JSONParser(bytes: bytes, file: file)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < bytes.count { throw p.fail("unexpected \(p.describe(p.i)) after the JSON value") }
        return v
    }

    /// The value of `key` when this is an object that has it.
    public subscript(key: String) -> JSONText? {
        guard case .object(let fields) = self else { return nil }
        for (k, v) in fields where k == key { return v }
        return nil
    }
}

/// The byte-level parser behind `JSONText.parse`.
struct JSONParser {
    enum PathPart { case key(String), index(Int) }

    let bytes: [UInt8]
    let file: String?
    var i = 0
    /// Where the parser is, for errors that name a key (duplicates, depth).
    var path: [PathPart] = []

    init(bytes: [UInt8], file: String?) {
        self.bytes = bytes
        self.file = file
    }

    /// "line L, column C" (1-based, columns in bytes) of offset `at`.
    func location(_ at: Int) -> String {
        var line = 1, column = 1, k = 0
        while k < at && k < bytes.count {
            if bytes[k] == 0x0A { line += 1; column = 1 } else { column += 1 }
            k += 1
        }
        return "line \(line), column \(column)"
    }

    func describe(_ at: Int) -> String {
        guard at < bytes.count else { return "end of input" }
        let c = bytes[at]
        if c >= 0x21 && c < 0x7F { return "'" + String(decoding: [c], as: UTF8.self) + "'" }
        return "byte " + hexByte(c)
    }

    func hexByte(_ c: UInt8) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        return "0x" + String(decoding: [digits[Int(c >> 4)], digits[Int(c & 15)]], as: UTF8.self)
    }

    var pathText: String? {
        if path.isEmpty { return nil }
        var s = ""
        for part in path {
            switch part {
            case .key(let k): s += s.isEmpty ? k : "." + k
            case .index(let n): s += "[\(n)]"
            }
        }
        return s
    }

    func fail(_ message: String, at: Int? = nil, key: String? = nil) -> ZynqError {
        ZynqError(file: file, key: key, "not valid JSON at \(location(at ?? i)): \(message)")
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func literal(_ word: String, _ v: JSONText) throws(ZynqError) -> JSONText {
        let start = i
        for c in word.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(word)'", at: start) }
            i += 1
        }
        return v
    }

    mutating func value(depth: Int) throws(ZynqError) -> JSONText {
        guard i < bytes.count else { throw fail("expected a value, found end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF:
            throw fail("a byte-order mark is not allowed")
        case UInt8(ascii: "/"): throw fail("comments are not allowed")
        default: throw fail("expected a value, found \(describe(i))")
        }
    }

    mutating func enter(_ depth: Int) throws(ZynqError) {
        if depth > JSONText.maxDepth {
            throw fail("nesting deeper than \(JSONText.maxDepth) levels", key: pathText)
        }
    }

    mutating func object(depth: Int) throws(ZynqError) -> JSONText {
        try enter(depth)
        i += 1
        var fields: [(String, JSONText)] = []
        var seen = Set<String>()
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                if i < bytes.count && bytes[i] == UInt8(ascii: "}") { throw fail("trailing comma before '}'") }
                throw fail("expected a string key, found \(describe(i))")
            }
            let keyStart = i
            let key = try string()
            path.append(.key(key))
            guard seen.insert(key).inserted else { throw fail("duplicate key", at: keyStart, key: pathText) }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(describe(i))") }
            i += 1
            skipSpace()
            let v = try value(depth: depth)
            path.removeLast()
            fields.append((key, v))
            skipSpace()
            guard i < bytes.count else { throw fail("expected ',' or '}', found end of input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            throw fail("expected ',' or '}', found \(describe(i))")
        }
    }

    mutating func array(depth: Int) throws(ZynqError) -> JSONText {
        try enter(depth)
        i += 1
        var items: [JSONText] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
            path.append(.index(items.count))
            items.append(try value(depth: depth))
            path.removeLast()
            skipSpace()
            guard i < bytes.count else { throw fail("expected ',' or ']', found end of input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']', found \(describe(i))")
        }
    }

    func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Four hex digits after "\u" at `i`.
    mutating func unicodeEscape() throws(ZynqError) -> UInt32 {
        let start = i - 2
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count, let d = hexDigit(bytes[i]) else { throw fail("\\u must be followed by four hex digits", at: start) }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80: out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | s >> 6)); out.append(UInt8(0x80 | s & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | s >> 12)); out.append(UInt8(0x80 | s >> 6 & 0x3F)); out.append(UInt8(0x80 | s & 0x3F))
        default:
            out.append(UInt8(0xF0 | s >> 18)); out.append(UInt8(0x80 | s >> 12 & 0x3F))
            out.append(UInt8(0x80 | s >> 6 & 0x3F)); out.append(UInt8(0x80 | s & 0x3F))
        }
    }

    /// A string starting at the quote at `i`; its bytes are checked to be well-formed UTF-8.
    mutating func string() throws(ZynqError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let start = i
                i += 1
                guard i < bytes.count else { throw fail("unterminated string") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var s = try unicodeEscape()
                    if s >= 0xDC00 && s <= 0xDFFF { throw fail("lone low surrogate \\u\(hex4(s))", at: start) }
                    if s >= 0xD800 && s <= 0xDBFF {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw fail("lone high surrogate \\u\(hex4(s))", at: start)
                        }
                        i += 2
                        let low = try unicodeEscape()
                        guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("lone high surrogate \\u\(hex4(s))", at: start) }
                        s = 0x10000 + ((s - 0xD800) << 10) + (low - 0xDC00)
                    }
                    JSONParser.appendUTF8(s, to: &out)
                default:
                    throw fail("invalid escape \\\(describe(i - 1))", at: start)
                }
            case 0..<0x20:
                throw fail("control character \(hexByte(c)) in a string must be escaped")
            case 0x20..<0x80:
                out.append(c)
                i += 1
            default:
                let n = try utf8Sequence()
                out.append(contentsOf: bytes[i..<(i + n)])
                i += n
            }
        }
    }

    func hex4(_ v: UInt32) -> String {
        String(hexByte(UInt8(v >> 8)).dropFirst(2) + hexByte(UInt8(v & 0xFF)).dropFirst(2))
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `i` (Unicode Table 3-7).
    func utf8Sequence() throws(ZynqError) -> Int {
        let c = bytes[i]
        let n: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: n = 2
        case 0xE0: n = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: n = 3
        case 0xED: n = 3; hi = 0x9F
        case 0xF0: n = 4; lo = 0x90
        case 0xF1...0xF3: n = 4
        case 0xF4: n = 4; hi = 0x8F
        default: throw fail("invalid UTF-8 byte \(hexByte(c)) in a string")
        }
        for k in 1..<n {
            guard i + k < bytes.count else { throw fail("truncated UTF-8 sequence in a string") }
            let b = bytes[i + k]
            let (l, h) = k == 1 ? (lo, hi) : (UInt8(0x80), UInt8(0xBF))
            guard b >= l && b <= h else { throw fail("invalid UTF-8 sequence in a string", at: i + k) }
        }
        return n
    }

    func isDigit(_ at: Int) -> Bool {
        at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9")
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func number() throws(ZynqError) -> JSONText {
        let start = i
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard isDigit(i) else { throw fail("expected a digit after '-'") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw fail("leading zeros are not allowed", at: start) }
        } else {
            while isDigit(i) { i += 1 }
        }
        let integerEnd = i
        var isInteger = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard isDigit(i) else { throw fail("expected a digit after '.'") }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw fail("expected a digit in the exponent") }
            while isDigit(i) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger {
            var magnitude: UInt64 = 0
            for k in (negative ? start + 1 : start)..<integerEnd {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(bytes[k] - UInt8(ascii: "0")))
                if o1 || o2 { throw fail("integer \(text) does not fit 64 bits", at: start) }
                magnitude = m2
            }
            if negative {
                if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
                if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
                throw fail("integer \(text) does not fit 64 bits", at: start)
            }
            return magnitude <= UInt64(Int64.max) ? .int(Int64(magnitude)) : .uint(magnitude)
        }
        guard let d = Double(text), d.isFinite else { throw fail("number \(text) is out of range", at: start) }
        return .double(d)
    }
}

// MARK: - Typed reads with errors naming the file and the key path

/// A JSON value read from a file, with its key path ("layers[2].fold"), so that every typed read
/// fails with one line naming both: `manifest.json: 'layers[2].fold': must be an integer, got "3"`.
public struct JSONField: Sendable {
    public let value: JSONText
    public let file: String
    /// Dotted key path from the top ("" for the top level).
    public let path: String

    public init(_ value: JSONText, file: String, path: String = "") {
        self.value = value
        self.file = file
        self.path = path
    }

    /// Parses `bytes` strictly (`JSONText.parse`) and returns the top-level value.
    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> JSONField {
        JSONField(try JSONText.parse(bytes, file: file), file: file)
    }

    /// An error about this value.
    public func error(_ message: String) -> ZynqError {
        ZynqError(file: file, key: path.isEmpty ? nil : path, message)
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// What the value is, for "got …" in errors (scalars as written, short).
    public var kind: String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s):
            let q = JSONText.quote(s)
            return q.utf8.count <= 40 ? q : String(decoding: Array(q.utf8.prefix(37)), as: UTF8.self) + "...\""
        default: return value.render()
        }
    }

    public var isNull: Bool { if case .null = value { return true } else { return false } }

    func mismatch(_ expected: String) -> ZynqError { error("must be \(expected), got \(kind)") }

    /// The fields of an object, in file order.
    public func members() throws(ZynqError) -> [(key: String, value: JSONField)] {
        guard case .object(let fields) = value else { throw mismatch("an object") }
        var out: [(key: String, value: JSONField)] = []
        for (k, v) in fields { out.append((key: k, value: JSONField(v, file: file, path: childPath(k)))) }
        return out
    }

    /// The member `key` of an object; an error naming the key path when it is missing.
    public func member(_ key: String) throws(ZynqError) -> JSONField {
        guard let f = try optionalMember(key, nullIsAbsent: false) else {
            throw ZynqError(file: file, key: childPath(key), "is missing")
        }
        return f
    }

    /// The member `key`, or nil when it is absent (or null, unless `nullIsAbsent` is false).
    public func optionalMember(_ key: String, nullIsAbsent: Bool = true) throws(ZynqError) -> JSONField? {
        guard case .object(let fields) = value else { throw mismatch("an object") }
        for (k, v) in fields where k == key {
            if nullIsAbsent, case .null = v { return nil }
            return JSONField(v, file: file, path: childPath(k))
        }
        return nil
    }

    /// Fails on the first member whose key is not in `known`, naming it; `hint` (e.g. the command
    /// that writes the file anew) is appended to the message.
    public func requireKnownKeys(_ known: [String], hint: String? = nil) throws(ZynqError) {
        for (k, _) in try members() where !known.contains(k) {
            throw ZynqError(file: file, key: childPath(k), "unknown key" + (hint.map { "; \($0)" } ?? ""))
        }
    }

    /// The elements of an array.
    public func elements() throws(ZynqError) -> [JSONField] {
        guard case .array(let items) = value else { throw mismatch("an array") }
        var out: [JSONField] = []
        out.reserveCapacity(items.count)
        for (n, v) in items.enumerated() { out.append(JSONField(v, file: file, path: path + "[\(n)]")) }
        return out
    }

    public func string() throws(ZynqError) -> String {
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s
    }

    /// A string that is not empty.
    public func nonEmptyString() throws(ZynqError) -> String {
        let s = try string()
        guard !s.isEmpty else { throw error("must be a non-empty string") }
        return s
    }

    public func bool() throws(ZynqError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch("true or false") }
        return b
    }

    /// An integer literal (no fraction or exponent) in `lower...upper`.
    public func int64(_ lower: Int64 = .min, _ upper: Int64 = .max) throws(ZynqError) -> Int64 {
        let v: Int64
        switch value {
        case .int(let n): v = n
        case .uint(let n) where n <= UInt64(Int64.max): v = Int64(n)
        case .uint: throw error("must be an integer up to \(upper), got \(kind)")
        default: throw mismatch("an integer")
        }
        guard v >= lower && v <= upper else { throw error("must be an integer in \(lower)...\(upper), got \(v)") }
        return v
    }

    /// An integer literal in `lower...upper`, as Int.
    public func int(_ lower: Int = .min, _ upper: Int = .max) throws(ZynqError) -> Int {
        Int(truncatingIfNeeded: try int64(Int64(lower), Int64(upper)))
    }

    /// A non-negative integer literal up to `upper`.
    public func uint64(max upper: UInt64 = .max) throws(ZynqError) -> UInt64 {
        let v: UInt64
        switch value {
        case .int(let n) where n >= 0: v = UInt64(n)
        case .uint(let n): v = n
        case .int: throw error("must be a non-negative integer, got \(kind)")
        default: throw mismatch("a non-negative integer")
        }
        guard v <= upper else { throw error("must be an integer in 0...\(upper), got \(v)") }
        return v
    }

    /// Any JSON number, as Double.
    public func double() throws(ZynqError) -> Double {
        switch value {
        case .int(let n): return Double(n)
        case .uint(let n): return Double(n)
        case .double(let d): return d
        default: throw mismatch("a number")
        }
    }

    /// A "0x…" hex string (1 to 16 hex digits, either case) up to `upper`.
    public func hex(max upper: UInt64 = .max) throws(ZynqError) -> UInt64 {
        guard case .string(let s) = value, let v = JSONField.parseHex(s), v <= upper else {
            throw error("must be a hex string \"0x…\" up to \(JSONField.hexText(upper)), got \(kind)")
        }
        return v
    }

    /// "0x1F" or "0X1f" (1 to 16 digits); nil on anything else.
    public static func parseHex(_ s: String) -> UInt64? {
        let u = Array(s.utf8)
        guard u.count >= 3, u.count <= 18, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X") else { return nil }
        var v: UInt64 = 0
        for c in u[2...] {
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    /// "0x" + upper-case hex, at least eight digits (how zynqnet writes addresses).
    public static func hexText(_ v: UInt64) -> String { HexU64.format(v) }
}
