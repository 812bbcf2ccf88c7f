import ZynqNetBase
import ZynqNetModel

/// A strict, bounds-checked reader of FlatBuffers binaries (the encoding of `.tflite` files),
/// written from the FlatBuffers format description: a root `uoffset` at byte 0, tables found
/// through a signed offset to their vtable, vtables of `u16` field offsets, vectors and strings
/// prefixed by a `u32` length, unions as a `u8` type field next to a table offset.
///
/// Nothing here trusts the file: every offset, length and alignment is checked before a byte is
/// read, and every problem is a one-line `ZynqError` naming the file and the table/field that is
/// wrong. No input makes this code trap (fuzzed by `Fuzz/FuzzTFLite.swift`).
struct FlatBuffer {
    let bytes: [UInt8]
    let file: String

    init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        // uoffset_t is 32-bit: a buffer of 2 GiB or more cannot be addressed by it.
        guard bytes.count < Int(Int32.max) else { throw ZynqError(file: file, "file is larger than a FlatBuffer can address (2 GiB)") }
    }

    func error(_ where_: String, _ message: String) -> ZynqError {
        ZynqError(file: file, key: where_, message)
    }

    /// Throws unless `[pos, pos + size)` lies inside the buffer and `pos` is a multiple of `align`.
    func check(_ pos: Int, _ size: Int, align: Int, _ where_: String) throws {
        guard pos >= 0, size >= 0, pos <= bytes.count, size <= bytes.count - pos else {
            throw error(where_, "offset \(pos) (+\(size) bytes) is outside the file (\(bytes.count) bytes)")
        }
        guard align <= 1 || pos % align == 0 else {
            throw error(where_, "offset \(pos) is not aligned to \(align) bytes")
        }
    }

    // Little-endian reads; callers have checked the range.
    func u8(_ p: Int) -> UInt8 { bytes[p] }
    func u16(_ p: Int) -> UInt16 { UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8 }
    func u32(_ p: Int) -> UInt32 {
        UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
    }
    func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }

    /// The table the `uoffset` at `pos` points to (`pos` already checked to hold 4 bytes).
    func table(at pos: Int, _ name: String) throws -> FBTable {
        let target = pos + Int(u32(pos))
        return try FBTable(self, target, name)
    }

    /// The root table: `uoffset` at byte 0; `identifier` (4 ASCII bytes at byte 4) must match.
    func root(_ name: String, identifier: String) throws -> FBTable {
        try check(0, 8, align: 1, name)
        let id = Array(bytes[4..<8])
        guard id == Array(identifier.utf8) else {
            let shown = id.allSatisfy { $0 >= 0x20 && $0 < 0x7f } ? "'\(String(decoding: id, as: UTF8.self))'" : "\(id)"
            throw error(name, "file identifier is \(shown), not '\(identifier)' (not a FlatBuffer of this kind)")
        }
        return try table(at: 0, name)
    }
}

/// One table of a `FlatBuffer`; `name` (e.g. `subgraphs[0].operators[3]`) is used in errors.
struct FBTable {
    let fb: FlatBuffer
    let pos: Int
    let name: String
    private let vtable: Int
    private let vtableSize: Int
    private let tableSize: Int

    init(_ fb: FlatBuffer, _ pos: Int, _ name: String) throws {
        self.fb = fb
        self.pos = pos
        self.name = name
        try fb.check(pos, 4, align: 4, name)
        // soffset_t: the vtable is at pos − soffset.
        let soffset = Int(Int32(bitPattern: fb.u32(pos)))
        let vt = pos - soffset
        try fb.check(vt, 4, align: 2, name + " (vtable)")
        let vs = Int(fb.u16(vt)), ts = Int(fb.u16(vt + 2))
        guard vs >= 4, vs % 2 == 0 else { throw fb.error(name + " (vtable)", "vtable size \(vs) is not an even number >= 4") }
        try fb.check(vt, vs, align: 2, name + " (vtable)")
        guard ts >= 4 else { throw fb.error(name + " (vtable)", "table size \(ts) is below 4") }
        try fb.check(pos, ts, align: 4, name)
        vtable = vt
        vtableSize = vs
        tableSize = ts
    }

    /// The absolute position of field `id` of `size` bytes, or nil when the field is absent.
    func field(_ id: Int, _ size: Int, _ fieldName: String) throws -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let off = Int(fb.u16(vtable + slot))
        if off == 0 { return nil }
        guard off >= 4, off + size <= tableSize else {
            throw fb.error("\(name).\(fieldName)", "field offset \(off) (+\(size) bytes) is outside its table (\(tableSize) bytes)")
        }
        try fb.check(pos + off, size, align: size, "\(name).\(fieldName)")
        return pos + off
    }

    func uint8(_ id: Int, _ n: String, default d: UInt8 = 0) throws -> UInt8 {
        guard let p = try field(id, 1, n) else { return d }
        return fb.u8(p)
    }
    func int8(_ id: Int, _ n: String, default d: Int8 = 0) throws -> Int8 { Int8(bitPattern: try uint8(id, n, default: UInt8(bitPattern: d))) }
    func bool(_ id: Int, _ n: String) throws -> Bool {
        let v = try uint8(id, n)
        guard v <= 1 else { throw fb.error("\(name).\(n)", "a bool must be 0 or 1, got \(v)") }
        return v == 1
    }
    func int32(_ id: Int, _ n: String, default d: Int32 = 0) throws -> Int32 {
        guard let p = try field(id, 4, n) else { return d }
        return Int32(bitPattern: fb.u32(p))
    }
    func uint32(_ id: Int, _ n: String, default d: UInt32 = 0) throws -> UInt32 {
        guard let p = try field(id, 4, n) else { return d }
        return fb.u32(p)
    }
    func uint64(_ id: Int, _ n: String, default d: UInt64 = 0) throws -> UInt64 {
        guard let p = try field(id, 8, n) else { return d }
        return fb.u64(p)
    }

    /// The position that the `uoffset` field `id` points to, or nil when absent.
    private func target(_ id: Int, _ n: String) throws -> Int? {
        guard let p = try field(id, 4, n) else { return nil }
        let t = p + Int(fb.u32(p))
        try fb.check(t, 4, align: 4, "\(name).\(n)")
        return t
    }

    /// Sub-table field `id`, or nil when absent.
    func table(_ id: Int, _ n: String) throws -> FBTable? {
        guard let t = try target(id, n) else { return nil }
        return try FBTable(fb, t, "\(name).\(n)")
    }

    /// Vector field `id` of `elementSize`-byte elements: (first element's position, count).
    func vector(_ id: Int, _ n: String, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let t = try target(id, n) else { return nil }
        let count = Int(fb.u32(t))
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw fb.error("\(name).\(n)", "vector length \(count) is too large") }
        do { try fb.check(t + 4, bytes, align: 1, "\(name).\(n)") } catch {
            throw fb.error("\(name).\(n)", "vector of \(count) elements runs past the end of the file")
        }
        return (t + 4, count)
    }

    func int32s(_ id: Int, _ n: String) throws -> [Int32]? {
        guard let (s, c) = try vector(id, n, elementSize: 4) else { return nil }
        return (0..<c).map { Int32(bitPattern: fb.u32(s + 4 * $0)) }
    }
    func int64s(_ id: Int, _ n: String) throws -> [Int64]? {
        guard let (s, c) = try vector(id, n, elementSize: 8) else { return nil }
        return (0..<c).map { Int64(bitPattern: fb.u64(s + 8 * $0)) }
    }
    func float32s(_ id: Int, _ n: String) throws -> [Float]? {
        guard let (s, c) = try vector(id, n, elementSize: 4) else { return nil }
        return (0..<c).map { Float(bitPattern: fb.u32(s + 4 * $0)) }
    }
    func byteRange(_ id: Int, _ n: String) throws -> Range<Int>? {
        guard let (s, c) = try vector(id, n, elementSize: 1) else { return nil }
        return s..<(s + c)
    }

    /// String field `id` (UTF-8, NUL-terminated as FlatBuffers requires), or nil when absent.
    func string(_ id: Int, _ n: String) throws -> String? {
        guard let (s, c) = try vector(id, n, elementSize: 1) else { return nil }
        guard s + c < fb.bytes.count, fb.bytes[s + c] == 0 else {
            throw fb.error("\(name).\(n)", "string is not NUL-terminated")
        }
        let raw = fb.bytes[s..<(s + c)]
        let text = String(decoding: raw, as: UTF8.self)
        guard text.utf8.elementsEqual(raw) else { throw fb.error("\(name).\(n)", "string is not valid UTF-8") }
        return text
    }

    /// Vector of tables field `id`; element i is named `n[i]`.
    func tables(_ id: Int, _ n: String) throws -> [FBTable]? {
        guard let (s, c) = try vector(id, n, elementSize: 4) else { return nil }
        return try (0..<c).map { i in try fb.table(at: s + 4 * i, "\(name).\(n)[\(i)]") }
    }

    /// Union field: its type (`u8` at `typeId`) and, for a non-zero type, its table (at `valueId`).
    /// A type without a value, or a value without a type, is an error.
    func union(typeId: Int, valueId: Int, _ n: String) throws -> (type: UInt8, table: FBTable?) {
        let type = try uint8(typeId, n + "_type")
        let value = try table(valueId, n)
        if type == 0, value != nil { throw fb.error("\(name).\(n)", "union has a value but its type is NONE") }
        return (type, value)
    }
}
