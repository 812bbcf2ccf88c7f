import ZynqNetBase

/// NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Reading accepts every dtype `NDArray` holds, in little-, big- or not-applicable byte
/// order and C or Fortran order; the result is always C order and native byte order.
/// Writing produces version 1.0 (2.0 only if the header would not fit), little-endian, C order.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Decodes a whole `.npy` file; `name` is used in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws(ZynqError) -> NDArray {
        try bytes.withBytes { (b) throws(ZynqError) in try decode(b, file: name, key: nil) }
    }

    /// Reads a `.npy` file from disk.
    public static func read(path: String) throws(ZynqError) -> NDArray {
        let bytes = try FileBytes.read(path: path)
        return try decode(bytes, name: path)
    }

    /// True if `bytes` starts with the `.npy` magic string.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= magic.count && zip(bytes.prefix(magic.count), magic).allSatisfy { $0 == $1 }
    }

    // MARK: - Decoding

    static func decode(_ buf: UnsafeRawBufferPointer, file: String?, key: String?) throws(ZynqError) -> NDArray {
        func fail(_ message: String) -> ZynqError { ZynqError(file: file, key: key, message) }
        let (header, dataStart) = try parseHeader(buf, file: file, key: key)
        let data = UnsafeRawBufferPointer(rebasing: buf[dataStart...])
        return try decodeData(data, header: header, fail: fail)
    }

    /// The header of a `.npy` file and where its data starts; `buf` needs only the header's bytes.
    static func parseHeader(_ buf: UnsafeRawBufferPointer, file: String?, key: String?) throws(ZynqError) -> (Header, dataStart: Int) {
        func fail(_ message: String) -> ZynqError { ZynqError(file: file, key: key, message) }

        guard buf.count >= 10 else {
            throw fail(buf.count >= 6 && hasMagic(buf) ? "truncated .npy header (\(buf.count) bytes)"
                                                       : "not a .npy file (\(buf.count) bytes, too short)")
        }
        guard hasMagic(buf) else { throw fail("not a .npy file (bad magic)") }
        let major = buf[6], minor = buf[7]
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(buf[8]) | Int(buf[9]) << 8
        case (2, 0), (3, 0):
            guard buf.count >= 12 else { throw fail("truncated .npy header (\(buf.count) bytes)") }
            headerStart = 12
            let n = UInt32(buf[8]) | UInt32(buf[9]) << 8 | UInt32(buf[10]) << 16 | UInt32(buf[11]) << 24
            guard let len = Int(exactly: n) else { throw fail("npy header length \(n) is too large") }
            headerLength = len
        default:
            throw fail("unsupported .npy format version \(major).\(minor)")
        }
        guard headerLength <= buf.count - headerStart else {
            throw fail("truncated .npy header (needs \(headerLength) bytes, file has \(buf.count - headerStart))")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: buf[headerStart ..< headerStart + headerLength])
        let header: Header
        do {
            header = try HeaderParser.parse(headerBytes, utf8: major == 3)
        } catch let e {
            throw fail("npy header: \(e.message)")
        }
        return (header, headerStart + headerLength)
    }

    /// Bytes of data `header` declares; nil for an unknown descr or a count that overflows.
    static func declaredBytes(_ header: Header) -> Int? {
        guard case .success(let d) = parseDescr(header.descr), let count = elementCount(header.shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: d.itemSize)
        return overflow ? nil : bytes
    }

    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
    }

    enum ByteOrder { case little, big }

    /// The element type of a descr string, with byte order and item size.
    struct Descr {
        var dtype: NDArray.DType
        var order: ByteOrder
        var itemSize: Int
    }

    static let hostIsLittleEndian = 1.littleEndian == 1

    static func parseDescr(_ s: String) -> Result<Descr, HeaderParser.Failure> {
        var chars = Substring(s)
        var order: ByteOrder = .little
        let hasOrderChar: Bool
        switch chars.first {
        case "<": order = .little; hasOrderChar = true
        case ">": order = .big; hasOrderChar = true
        case "|": order = .little; hasOrderChar = true
        case "=": order = hostIsLittleEndian ? .little : .big; hasOrderChar = true
        default: hasOrderChar = false
        }
        if hasOrderChar { chars = chars.dropFirst() }
        guard let kind = chars.first else {
            return .failure(.init("'descr' is empty"))
        }
        let digits = chars.dropFirst()
        let unsupported = HeaderParser.Failure("'descr' \(quoted(s)): unsupported dtype")
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 9,
              let size = Int(digits) else {
            if kind == "O" { return .failure(.init("'descr' \(quoted(s)): object arrays are not supported")) }
            return .failure(unsupported)
        }
        let dtype: NDArray.DType
        var itemSize = size
        switch (kind, size) {
        case ("b", 1): dtype = .bool
        case ("i", 1): dtype = .int8
        case ("i", 2): dtype = .int16
        case ("i", 4): dtype = .int32
        case ("i", 8): dtype = .int64
        case ("u", 1): dtype = .uint8
        case ("u", 2): dtype = .uint16
        case ("u", 4): dtype = .uint32
        case ("u", 8): dtype = .uint64
        case ("f", 4): dtype = .float32
        case ("f", 8): dtype = .float64
        case ("U", let n):
            guard n >= 1 else { return .failure(.init("'descr' \(quoted(s)): zero-width strings are not supported")) }
            let (bytes, overflow) = n.multipliedReportingOverflow(by: 4)
            guard !overflow else { return .failure(.init("'descr' \(quoted(s)): string width too large")) }
            dtype = .unicode(n)
            itemSize = bytes
        case ("O", _):
            return .failure(.init("'descr' \(quoted(s)): object arrays are not supported"))
        default:
            return .failure(unsupported)
        }
        return .success(Descr(dtype: dtype, order: order, itemSize: itemSize))
    }

    static func quoted(_ s: String) -> String {
        let clipped = s.count > 40 ? String(s.prefix(40)) + "…" : s
        return "'" + clipped + "'"
    }

    /// Product of `shape`, nil on overflow (a zero dimension still must not hide an overflowing product).
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            if d == 0 { continue }
            let (p, o) = count.multipliedReportingOverflow(by: d)
            if o { return nil }
            count = p
        }
        return shape.contains(0) ? 0 : count
    }

    static func shapeString(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private static func decodeData(_ data: UnsafeRawBufferPointer, header: Header,
                                   fail: (String) -> ZynqError) throws(ZynqError) -> NDArray {
        let descr: Descr
        switch parseDescr(header.descr) {
        case .success(let d): descr = d
        case .failure(let e): throw fail("npy header: \(e.message)")
        }
        guard let count = elementCount(header.shape) else {
            throw fail("npy header: 'shape' \(shapeString(header.shape)) has too many elements")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: descr.itemSize)
        guard !overflow else {
            throw fail("npy header: 'shape' \(shapeString(header.shape)) of \(header.descr) is too large")
        }
        guard data.count == byteCount else {
            let what = data.count < byteCount ? "truncated" : "has trailing bytes"
            throw fail("npy data \(what): shape \(shapeString(header.shape)) of \(header.descr) needs \(byteCount) bytes, found \(data.count)")
        }
        var storage = try RawDecode.storage(data, descr: descr, count: count, fail: fail)
        if header.fortranOrder && header.shape.count > 1 && count > 1 {
            storage = Reorder.fortranToC(storage, shape: header.shape)
        }
        return NDArray(shape: header.shape, storage: storage)
    }

    // MARK: - Encoding

    /// Encodes `array` as a version 1.0 `.npy` file (2.0 if the header needs more than 65535 bytes),
    /// little-endian, C order. Unicode elements longer than the array's width are cut to the width.
    public static func encode(_ array: NDArray) -> [UInt8] {
        let descr: String
        let itemSize: Int
        switch array.dtype {
        case .bool: descr = "|b1"; itemSize = 1
        case .int8: descr = "|i1"; itemSize = 1
        case .uint8: descr = "|u1"; itemSize = 1
        case .int16: descr = "<i2"; itemSize = 2
        case .uint16: descr = "<u2"; itemSize = 2
        case .int32: descr = "<i4"; itemSize = 4
        case .uint32: descr = "<u4"; itemSize = 4
        case .float32: descr = "<f4"; itemSize = 4
        case .int64: descr = "<i8"; itemSize = 8
        case .uint64: descr = "<u8"; itemSize = 8
        case .float64: descr = "<f8"; itemSize = 8
        case .unicode(let n): descr = "<U\(max(n, 1))"; itemSize = 4 * max(n, 1)
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeString(array.shape)), }"
        // Pad so that the data starts on a 64-byte boundary, as NumPy does; the header ends in '\n'.
        var prefixLength = 10
        var total = prefixLength + dict.utf8.count + 1
        if total % 64 != 0 { total += 64 - total % 64 }
        if total - prefixLength > 65535 {
            prefixLength = 12
            total = prefixLength + dict.utf8.count + 1
            if total % 64 != 0 { total += 64 - total % 64 }
        }
        let padding = total - prefixLength - dict.utf8.count - 1
        dict += String(repeating: " ", count: padding) + "\n"
        let headerLength = dict.utf8.count

        var out = [UInt8]()
        out.reserveCapacity(total + array.count * itemSize)
        out += magic
        if prefixLength == 10 {
            out += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            let n = UInt32(headerLength)
            out += [2, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        }
        out += Array(dict.utf8)
        RawEncode.append(array.storage, to: &out)
        return out
    }
}

// MARK: - Header parser

/// A strict parser for the Python dict literal of an `.npy` header:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` and whitespace.
enum HeaderParser {
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int])
        case list
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, utf8: Bool) throws(Failure) -> NPY.Header {
        var p = Cursor(bytes: bytes)
        p.skipSpace()
        guard p.take(UInt8(ascii: "{")) else { throw Failure("not a dict literal (expected '{')") }
        var entries: [String: Value] = [:]
        var order: [String] = []
        while true {
            p.skipSpace()
            if p.take(UInt8(ascii: "}")) { break }
            guard let key = try p.stringLiteral() else { throw Failure("expected a quoted key at byte \(p.pos)") }
            p.skipSpace()
            guard p.take(UInt8(ascii: ":")) else { throw Failure("expected ':' after key '\(key)'") }
            p.skipSpace()
            let value = try p.value(key: key)
            guard entries[key] == nil else { throw Failure("duplicate key '\(key)'") }
            entries[key] = value
            order.append(key)
            p.skipSpace()
            if p.take(UInt8(ascii: ",")) { continue }
            p.skipSpace()
            guard p.take(UInt8(ascii: "}")) else { throw Failure("expected ',' or '}' after '\(key)'") }
            break
        }
        p.skipSpace()
        guard p.atEnd else { throw Failure("unexpected text after the dict at byte \(p.pos)") }

        for key in order where !["descr", "fortran_order", "shape"].contains(key) {
            throw Failure("unexpected key '\(String(key.prefix(40)))'")
        }
        guard let descrValue = entries["descr"] else { throw Failure("missing key 'descr'") }
        guard let orderValue = entries["fortran_order"] else { throw Failure("missing key 'fortran_order'") }
        guard let shapeValue = entries["shape"] else { throw Failure("missing key 'shape'") }
        let descr: String
        switch descrValue {
        case .string(let s): descr = s
        case .list: throw Failure("'descr': structured dtypes are not supported")
        default: throw Failure("'descr' is not a string")
        }
        guard case .bool(let fortran) = orderValue else { throw Failure("'fortran_order' is not True or False") }
        guard case .tuple(let shape) = shapeValue else { throw Failure("'shape' is not a tuple of integers") }
        _ = utf8
        return NPY.Header(descr: descr, fortranOrder: fortran, shape: shape)
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var pos = 0

        var atEnd: Bool { pos >= bytes.count }
        var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            if peek == c { pos += 1; return true }
            return false
        }

        mutating func take(word: String) -> Bool {
            let w = Array(word.utf8)
            guard bytes.count - pos >= w.count else { return false }
            for i in 0 ..< w.count where bytes[pos + i] != w[i] { return false }
            // The word must not run on into an identifier (e.g. "Trueish").
            let after = pos + w.count
            if after < bytes.count, isIdentifierByte(bytes[after]) { return false }
            pos += w.count
            return true
        }

        func isIdentifierByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }

        /// A quoted Python string of printable ASCII without escapes; nil if no quote is here.
        mutating func stringLiteral() throws(Failure) -> String? {
            guard let q = peek, q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else { return nil }
            pos += 1
            var s = [UInt8]()
            while true {
                guard let c = peek else { throw Failure("unterminated string") }
                pos += 1
                if c == q { break }
                guard c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\\") else {
                    throw Failure("unsupported character 0x\(String(c, radix: 16)) in a string")
                }
                guard s.count < 256 else { throw Failure("string literal too long") }
                s.append(c)
            }
            return String(decoding: s, as: UTF8.self)
        }

        mutating func value(key: String) throws(Failure) -> Value {
            if let s = try stringLiteral() { return .string(s) }
            if take(word: "True") { return .bool(true) }
            if take(word: "False") { return .bool(false) }
            if take(UInt8(ascii: "(")) { return .tuple(try tupleBody(key: key)) }
            if peek == UInt8(ascii: "[") {
                try skipBracketed(key: key)
                return .list
            }
            throw Failure("'\(key)': unsupported value at byte \(pos)")
        }

        /// Skips a balanced `[...]` (brackets and parentheses nest; quoted strings are skipped whole).
        mutating func skipBracketed(key: String) throws(Failure) {
            var depth = 0
            repeat {
                guard let c = peek else { throw Failure("'\(key)': unterminated list") }
                if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                    _ = try stringLiteral()
                    continue
                }
                pos += 1
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") { depth += 1 }
                if c == UInt8(ascii: "]") || c == UInt8(ascii: ")") { depth -= 1 }
            } while depth > 0
        }

        /// The rest of a tuple of non-negative ints after '('. Python requires a comma
        /// in a one-element tuple: "(3)" is the int 3, not a shape.
        mutating func tupleBody(key: String) throws(Failure) -> [Int] {
            var items: [Int] = []
            var sawComma = false
            while true {
                skipSpace()
                if take(UInt8(ascii: ")")) { break }
                guard let v = try integer(key: key) else {
                    throw Failure("'\(key)' is not a tuple of non-negative integers")
                }
                guard items.count < 64 else { throw Failure("'\(key)' has more than 64 dimensions") }
                items.append(v)
                skipSpace()
                if take(UInt8(ascii: ",")) { sawComma = true; continue }
                skipSpace()
                guard take(UInt8(ascii: ")")) else { throw Failure("'\(key)': expected ',' or ')' in tuple") }
                break
            }
            if items.count == 1 && !sawComma { throw Failure("'\(key)' is not a tuple: (\(items[0])) needs a comma") }
            return items
        }

        /// A decimal integer literal (optional Python 2 'L' suffix); nil if no digit is here.
        mutating func integer(key: String) throws(Failure) -> Int? {
            guard let c = peek, c >= 0x30 && c <= 0x39 else { return nil }
            var v = 0
            var digits = 0
            while let d = peek, d >= 0x30 && d <= 0x39 {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(d - 0x30))
                guard !o1 && !o2 else { throw Failure("'\(key)': dimension too large") }
                v = a
                digits += 1
                pos += 1
            }
            // Python 3 rejects leading zeros ("03"); so do we.
            if digits > 1 && bytes[pos - digits] == 0x30 { throw Failure("'\(key)': integer with a leading zero") }
            if peek == UInt8(ascii: "L") { pos += 1 }
            if let n = peek, isIdentifierByte(n) { throw Failure("'\(key)': malformed integer") }
            return v
        }
    }
}
