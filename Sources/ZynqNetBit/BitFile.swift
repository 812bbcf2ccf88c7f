import ZynqNetBase

/// A Xilinx `.bit` file: the header fields and the configuration payload
/// (layout of `shared/docs/zynq-facts.md` §3.3).
///
///     00 09 0F F0 0F F0 0F F0 0F F0 00 00 01      13-byte magic
///     'a' u16 len  "design;UserID=0XFFFFFFFF;Version=2022.2\0"
///     'b' u16 len  "7z020clg400\0"                 part, no "xc" and no speed grade
///     'c' u16 len  "2024/05/01\0"                  date
///     'd' u16 len  "12:34:56\0"                    time
///     'e' u32 len  payload (big-endian 32-bit words, sync word AA995566)
///
/// The parser is strict: every field must be present, in this order, NUL-terminated,
/// and the payload must end exactly at the end of the file. It never traps on any input.
public struct BitFile: Sendable, Equatable {
    /// The whole 'a' string, e.g. `top;UserID=0XFFFFFFFF;Version=2022.2`.
    public var designField: String
    /// The 'b' string as stored, e.g. `7z020clg400`.
    public var part: String
    /// The 'c' string, `YYYY/MM/DD`.
    public var date: String
    /// The 'd' string, `HH:MM:SS`.
    public var time: String
    /// The configuration data after the 'e' length (big-endian words as Vivado writes them).
    public var payload: [UInt8]

    public init(designField: String, part: String, date: String, time: String, payload: [UInt8]) {
        self.designField = designField
        self.part = part
        self.date = date
        self.time = time
        self.payload = payload
    }

    /// The 13 bytes every `.bit` file starts with (before the 'a' key).
    public static let magic: [UInt8] = [0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01]

    /// The design name: the 'a' string up to the first `;`.
    public var design: String {
        designField.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// `key=value` items after the design name, in file order (e.g. `UserID`, `Version`,
    /// `SW_CRC`, `COMPRESS`). Items without `=` are kept with an empty value.
    public var attributes: [(key: String, value: String)] {
        let items = designField.split(separator: ";", omittingEmptySubsequences: false).dropFirst()
        return items.map { item in
            if let eq = item.firstIndex(of: "=") {
                return (String(item[..<eq]), String(item[item.index(after: eq)...]))
            }
            return (String(item), "")
        }
    }

    /// The `UserID` attribute as written (e.g. `0XFFFFFFFF`), if present.
    public var userID: String? { attributes.first { $0.key.lowercased() == "userid" }?.value }
    /// The `Version` attribute (the Vivado version), if present.
    public var toolVersion: String? { attributes.first { $0.key.lowercased() == "version" }?.value }

    /// The payload length in bytes (the 'e' field).
    public var length: UInt32 { UInt32(truncatingIfNeeded: payload.count) }

    /// The part in Vivado's spelling, e.g. `xc7z020clg400` (speed grade unknown to the file).
    public var vivadoPart: String { BitPart.vivadoSpelling(part) }

    /// Byte offset of the sync word `AA 99 55 66` in the payload (word aligned).
    /// The parser guarantees it exists.
    public var syncOffset: UInt32 {
        UInt32(truncatingIfNeeded: Bitstream.syncWordOffset(payload, pattern: Bitstream.syncWordBigEndian) ?? 0)
    }

    /// Header + payload, exactly as a `.bit` file stores them.
    public func serialized() -> [UInt8] {
        var out = BitFile.magic
        func field(_ key: UInt8, _ s: String) {
            let bytes = Array(s.utf8) + [0]
            out.append(key)
            out.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
            out.append(UInt8(truncatingIfNeeded: bytes.count))
            out += bytes
        }
        field(0x61, designField)
        field(0x62, part)
        field(0x63, date)
        field(0x64, time)
        out.append(0x65)
        let n = UInt32(truncatingIfNeeded: payload.count)
        out += [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16),
                UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        out += payload
        return out
    }

    // MARK: - Reading

    /// Reads and parses a `.bit` file; errors name the file and the field.
    public static func load(path: String) throws(ZynqError) -> BitFile {
        let bytes = try FileBytes.read(path: path)
        return try parse(bytes, file: path)
    }

    /// Parses the bytes of a `.bit` file. `file` is only used in error messages.
    public static func parse(_ bytes: [UInt8], file: String = "<bit>") throws(ZynqError) -> BitFile {
        try bytes.withBuffer { (b) throws(ZynqError) in try parse(buffer: b, file: file) }
    }

    /// Parses from raw memory (the fuzz entry point uses this without copying).
    public static func parse(buffer: UnsafeBufferPointer<UInt8>, file: String = "<bit>") throws(ZynqError) -> BitFile {
        var r = Reader(bytes: buffer, file: file)
        guard buffer.count >= magic.count + 1 else {
            throw ZynqError(file: file, key: "header", "not a Xilinx .bit file: \(buffer.count) bytes, shorter than the 14-byte header magic")
        }
        for i in 0..<magic.count where buffer[i] != magic[i] {
            let all = Array(buffer)
            var hint = ""
            if Bitstream.syncWordOffset(all, pattern: Bitstream.syncWordSwapped) != nil {
                hint = "; it looks like a byte-swapped fpga_manager .bin, not a .bit"
            } else if Bitstream.syncWordOffset(all, pattern: Bitstream.syncWordBigEndian) != nil {
                hint = "; it looks like a raw bitstream without the .bit header"
            }
            throw ZynqError(file: file, key: "header",
                            "not a Xilinx .bit file: byte \(i) is 0x\(Hex.upper(buffer[i], digits: 2)), expected 0x\(Hex.upper(magic[i], digits: 2)) (magic 00 09 0F F0 0F F0 0F F0 0F F0 00 00 01)\(hint)")
        }
        r.offset = magic.count
        let designField = try r.stringField(key: 0x61, name: "design")
        let part = try r.stringField(key: 0x62, name: "part")
        let date = try r.stringField(key: 0x63, name: "date")
        let time = try r.stringField(key: 0x64, name: "time")

        guard BitPart.isWellFormed(part) else {
            throw ZynqError(file: file, key: "part", "'\(printable(part))' is not a part name (expected letters and digits like 7z020clg400)")
        }
        guard isDate(date) else {
            throw ZynqError(file: file, key: "date", "'\(printable(date))' is not a date YYYY/MM/DD")
        }
        guard isTime(time) else {
            throw ZynqError(file: file, key: "time", "'\(printable(time))' is not a time HH:MM:SS")
        }
        guard !designField.isEmpty, !(designField.first == ";") else {
            throw ZynqError(file: file, key: "design", "the design name (before the first ';') is empty")
        }

        try r.expectKey(0x65, name: "payload")
        let declared = try r.u32(name: "payload", what: "length")
        let start = r.offset
        let available = buffer.count - start
        guard let length = Int(exactly: declared), length <= available else {
            throw ZynqError(file: file, key: "payload",
                            "length field says \(declared) bytes but only \(available) follow at offset \(start) (file truncated)")
        }
        guard length == available else {
            throw ZynqError(file: file, key: "payload",
                            "\(available - length) unexpected bytes after the \(declared)-byte payload (payload ends at offset \(start + length), file is \(buffer.count) bytes)")
        }
        guard length > 0 else {
            throw ZynqError(file: file, key: "payload", "payload is empty")
        }
        guard length % 4 == 0 else {
            throw ZynqError(file: file, key: "payload", "length \(declared) is not a whole number of 32-bit words")
        }
        let payload = Array(UnsafeBufferPointer(rebasing: buffer[start ..< start + length]))
        guard Bitstream.syncWordOffset(payload, pattern: Bitstream.syncWordBigEndian) != nil else {
            throw ZynqError(file: file, key: "payload", "no sync word AA 99 55 66 at a 32-bit word boundary: not a 7-series configuration bitstream")
        }
        return BitFile(designField: designField, part: part, date: date, time: time, payload: payload)
    }

    // MARK: - Field checks

    static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "/"), b[7] == UInt8(ascii: "/") else { return false }
        guard let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2) else { return false }
        return y >= 1980 && (1...12).contains(m) && (1...31).contains(d)
    }

    static func isTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 8, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":") else { return false }
        guard let h = digits(b, 0, 2), let m = digits(b, 3, 2), let sec = digits(b, 6, 2) else { return false }
        return h <= 23 && m <= 59 && sec <= 60
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for i in start ..< start + count {
            guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            v = v * 10 + Int(b[i] - 0x30)
        }
        return v
    }
}

/// Bounds-checked big-endian reading over the file's bytes.
private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func expectKey(_ key: UInt8, name: String) throws(ZynqError) {
        guard offset < bytes.count else {
            throw ZynqError(file: file, key: name, "file ends at offset \(offset) where field '\(ascii(key))' was expected (truncated header)")
        }
        let found = bytes[offset]
        guard found == key else {
            throw ZynqError(file: file, key: name,
                            "expected field key '\(ascii(key))' (0x\(Hex.upper(key, digits: 2))) at offset \(offset), found 0x\(Hex.upper(found, digits: 2))")
        }
        offset += 1
    }

    mutating func u16(name: String) throws(ZynqError) -> Int {
        guard bytes.count - offset >= 2 else {
            throw ZynqError(file: file, key: name, "file ends inside the 2-byte length at offset \(offset) (truncated header)")
        }
        let v = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        offset += 2
        return v
    }

    mutating func u32(name: String, what: String) throws(ZynqError) -> UInt32 {
        guard bytes.count - offset >= 4 else {
            throw ZynqError(file: file, key: name, "file ends inside the 4-byte \(what) at offset \(offset) (truncated header)")
        }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    /// key, u16 BE length, then `length` bytes ending in one NUL.
    mutating func stringField(key: UInt8, name: String) throws(ZynqError) -> String {
        try expectKey(key, name: name)
        let at = offset
        let length = try u16(name: name)
        guard length >= 1 else {
            throw ZynqError(file: file, key: name, "field '\(ascii(key))' at offset \(at - 1) has length 0 (needs at least the NUL terminator)")
        }
        guard bytes.count - offset >= length else {
            throw ZynqError(file: file, key: name,
                            "field '\(ascii(key))' declares \(length) bytes at offset \(offset) but only \(bytes.count - offset) remain (truncated header)")
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[offset ..< offset + length])
        offset += length
        guard raw[length - 1] == 0 else {
            throw ZynqError(file: file, key: name, "field '\(ascii(key))' is not NUL-terminated")
        }
        let text = raw[0 ..< length - 1]
        if let nul = text.firstIndex(of: 0) {
            throw ZynqError(file: file, key: name, "field '\(ascii(key))' has a NUL byte inside the string (at byte \(nul) of \(length))")
        }
        for c in text where c < 0x20 || c > 0x7E {
            throw ZynqError(file: file, key: name, "field '\(ascii(key))' has a non-printable or non-ASCII byte 0x\(Hex.upper(c, digits: 2))")
        }
        return String(decoding: text, as: UTF8.self)
    }
}



private func ascii(_ key: UInt8) -> String { String(UnicodeScalar(key)) }

/// At most 40 printable characters of `s`, for messages.
func printable(_ s: String) -> String {
    let cut = s.count > 40 ? String(s.prefix(40)) + "…" : s
    return String(cut.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
}
