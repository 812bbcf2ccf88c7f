import ZynqNetBase

/// gzip (RFC 1952) decompression: header parsing, raw inflate, CRC-32 and size trailer check.
/// Concatenated members are decompressed one after another, as `gunzip` does.
enum Gzip {
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func hasMagic(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 2 && b[0] == 0x1F && b[1] == 0x8B
    }

    static func decompress(_ b: UnsafeRawBufferPointer, limit: Int = IOLimits.maxDecompressedBytes) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var p = 0
        var memberIndex = 0
        repeat {
            let member = try decompressMember(b, at: p, limit: limit - out.count, index: memberIndex)
            if out.isEmpty { out = member.bytes } else { out += member.bytes }
            p = member.end
            memberIndex += 1
        } while p < b.count
        return out
    }

    private static func decompressMember(_ b: UnsafeRawBufferPointer, at start: Int, limit: Int,
                                         index: Int) throws(Failure) -> (bytes: [UInt8], end: Int) {
        let what = index == 0 ? "gzip" : "gzip member \(index + 1)"
        guard b.count - start >= 2, b[start] == 0x1F, b[start + 1] == 0x8B else {
            throw Failure(index == 0 ? "not a gzip file (bad magic)" : "trailing garbage after gzip data")
        }
        guard b.count - start >= 10 else { throw Failure("truncated \(what) header") }
        guard b[start + 2] == 8 else { throw Failure("\(what): unsupported compression method \(b[start + 2])") }
        let flags = b[start + 3]
        guard flags & 0xE0 == 0 else { throw Failure("\(what): reserved header flags set (0x\(String(flags, radix: 16)))") }
        var p = start + 10
        if flags & 0x04 != 0 {  // FEXTRA
            guard b.count - p >= 2 else { throw Failure("truncated \(what) header") }
            let xlen = Int(b[p]) | Int(b[p + 1]) << 8
            guard b.count - p - 2 >= xlen else { throw Failure("truncated \(what) header") }
            p += 2 + xlen
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while true {
                guard p < b.count else { throw Failure("truncated \(what) header") }
                p += 1
                if b[p - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 {  // FHCRC: low 16 bits of the CRC-32 of the header so far
            guard b.count - p >= 2 else { throw Failure("truncated \(what) header") }
            let want = UInt16(b[p]) | UInt16(b[p + 1]) << 8
            let got = UInt16(truncatingIfNeeded: Inflate.crc32(UnsafeRawBufferPointer(rebasing: b[start ..< p])))
            guard got == want else { throw Failure("\(what) header CRC mismatch") }
            p += 2
        }
        let body = UnsafeRawBufferPointer(rebasing: b[p...])
        // ISIZE (size mod 2^32) is a good capacity hint when the trailer is at the end of the file.
        var hint = 0
        if b.count >= 4 && b.count - 4 >= p {
            let t = b.count - 4
            hint = Int(truncatingIfNeeded: UInt32(b[t]) | UInt32(b[t + 1]) << 8 | UInt32(b[t + 2]) << 16 | UInt32(b[t + 3]) << 24)
            if hint < 0 { hint = 0 }
        }
        let inflated: (bytes: [UInt8], consumed: Int)
        do throws(Inflate.Failure) {
            inflated = try Inflate.raw(body, sizeHint: min(hint, limit), limit: limit)
        } catch {
            throw Failure("\(what): \(error.message)")
        }
        let trailer = p + inflated.consumed
        guard b.count - trailer >= 8 else { throw Failure("truncated \(what) trailer (CRC-32 and size missing)") }
        let wantCRC = UInt32(b[trailer]) | UInt32(b[trailer + 1]) << 8 | UInt32(b[trailer + 2]) << 16 | UInt32(b[trailer + 3]) << 24
        let wantSize = UInt32(b[trailer + 4]) | UInt32(b[trailer + 5]) << 8 | UInt32(b[trailer + 6]) << 16 | UInt32(b[trailer + 7]) << 24
        let gotCRC = inflated.bytes.withUnsafeBytes { Inflate.crc32($0) }
        guard gotCRC == wantCRC else {
            throw Failure("\(what) CRC-32 mismatch (data 0x\(String(gotCRC, radix: 16)), trailer says 0x\(String(wantCRC, radix: 16))): corrupt file")
        }
        guard UInt32(truncatingIfNeeded: inflated.bytes.count) == wantSize else {
            throw Failure("\(what) size mismatch (data \(inflated.bytes.count) bytes, trailer says \(wantSize))")
        }
        return (inflated.bytes, trailer + 8)
    }
}
