import ZynqNetBase

/// A strict, bounds-checked reader for the zip container of `.npz` files.
///
/// It reads the central directory (with ZIP64 records and extra fields), checks each
/// member's local header against it and hands out the member's bytes (stored) or inflates
/// them (deflate), verifying size and CRC-32. Every offset and length from the file is
/// checked before use; nothing in a corrupt archive can make it trap.
struct ZipReader {
    struct Member {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    struct Failure: Error {
        var message: String
        var member: String?
        init(_ message: String, member: String? = nil) {
            self.message = message
            self.member = member
        }
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var members: [Member] = []

    // MARK: little-endian fields

    private static func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(b[at]) | UInt16(b[at + 1]) << 8
    }

    private static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    private static func u64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32
    }

    /// `true` if `count` bytes at `at` lie inside `b`.
    private static func has(_ b: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Bool {
        at >= 0 && count >= 0 && at <= b.count && count <= b.count - at
    }

    private static func int(_ v: UInt64, _ what: String, member: String? = nil) throws(Failure) -> Int {
        guard let i = Int(exactly: v) else { throw Failure("\(what) \(v) is too large for this platform", member: member) }
        return i
    }

    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50

    /// True if the bytes start like a zip archive (a local header, or the end record of an empty one).
    static func hasMagic(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 4 && (u32(b, 0) == localSignature || u32(b, 0) == endSignature)
    }

    init(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        self.bytes = bytes
        let b = bytes
        guard b.count >= 22 else { throw Failure("not a zip archive (\(b.count) bytes, too short)") }

        // End of central directory: the last one whose comment reaches exactly to the end of the
        // file, else the last signature that fits (some writers pad archives).
        var eocd = -1
        var candidate = b.count - 22
        let lowest = max(0, b.count - 22 - 65535)
        var fallback = -1
        while candidate >= lowest {
            if Self.u32(b, candidate) == Self.endSignature {
                let commentLength = Int(Self.u16(b, candidate + 20))
                if candidate + 22 + commentLength == b.count { eocd = candidate; break }
                if fallback < 0 && candidate + 22 + commentLength <= b.count { fallback = candidate }
            }
            candidate -= 1
        }
        if eocd < 0 { eocd = fallback }
        guard eocd >= 0 else {
            throw Failure(Self.u32(b, 0) == Self.localSignature
                ? "truncated zip archive (no end of central directory record)"
                : "not a zip archive (no end of central directory record)")
        }
        let diskNumber = Self.u16(b, eocd + 4)
        let cdDisk = Self.u16(b, eocd + 6)
        var entriesOnDisk = UInt64(Self.u16(b, eocd + 8))
        var entryCount = UInt64(Self.u16(b, eocd + 10))
        var cdSize = UInt64(Self.u32(b, eocd + 12))
        var cdOffset = UInt64(Self.u32(b, eocd + 16))
        var cdLimit = eocd  // the central directory must end before this

        if entryCount == 0xFFFF || entriesOnDisk == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
            || (eocd >= 20 && Self.u32(b, eocd - 20) == Self.zip64LocatorSignature) {
            // ZIP64 end of central directory locator, just before the end record.
            guard eocd >= 20, Self.u32(b, eocd - 20) == Self.zip64LocatorSignature else {
                throw Failure("zip64 end of central directory locator missing")
            }
            let locator = eocd - 20
            guard Self.u32(b, locator + 4) == 0, Self.u32(b, locator + 16) <= 1 else {
                throw Failure("multi-disk zip archives are not supported")
            }
            let recordOffset = try Self.int(Self.u64(b, locator + 8), "zip64 end record offset")
            guard Self.has(b, recordOffset, 56), recordOffset <= locator - 56,
                  Self.u32(b, recordOffset) == Self.zip64EndSignature else {
                throw Failure("zip64 end of central directory record missing or corrupt")
            }
            guard Self.u32(b, recordOffset + 16) == 0, Self.u32(b, recordOffset + 20) == 0 else {
                throw Failure("multi-disk zip archives are not supported")
            }
            entriesOnDisk = Self.u64(b, recordOffset + 24)
            entryCount = Self.u64(b, recordOffset + 32)
            cdSize = Self.u64(b, recordOffset + 40)
            cdOffset = Self.u64(b, recordOffset + 48)
            cdLimit = recordOffset
        } else {
            guard diskNumber == 0, cdDisk == 0 else { throw Failure("multi-disk zip archives are not supported") }
        }
        guard entriesOnDisk == entryCount else { throw Failure("multi-disk zip archives are not supported") }
        let start = try Self.int(cdOffset, "central directory offset")
        let size = try Self.int(cdSize, "central directory size")
        guard Self.has(b, start, size), start + size <= cdLimit else {
            throw Failure("central directory (offset \(cdOffset), \(cdSize) bytes) lies outside the file: truncated or corrupt zip")
        }
        // Each central header takes at least 46 bytes: this bounds the count before anything is allocated.
        guard entryCount <= UInt64(size / 46) else {
            throw Failure("central directory claims \(entryCount) members in \(size) bytes: corrupt zip")
        }
        var p = start
        let end = start + size
        var list: [Member] = []
        list.reserveCapacity(Int(entryCount))
        for _ in 0 ..< Int(entryCount) {
            guard Self.has(b, p, 46), p + 46 <= end, Self.u32(b, p) == Self.centralSignature else {
                throw Failure("corrupt central directory at offset \(p)")
            }
            let flags = Self.u16(b, p + 8)
            let method = Self.u16(b, p + 10)
            let crc = Self.u32(b, p + 16)
            var compressed = UInt64(Self.u32(b, p + 20))
            var uncompressed = UInt64(Self.u32(b, p + 24))
            let nameLength = Int(Self.u16(b, p + 28))
            let extraLength = Int(Self.u16(b, p + 30))
            let commentLength = Int(Self.u16(b, p + 32))
            let diskStart = UInt32(Self.u16(b, p + 34))
            var localOffset = UInt64(Self.u32(b, p + 42))
            let recordLength = 46 + nameLength + extraLength + commentLength
            guard recordLength <= end - p else { throw Failure("corrupt central directory at offset \(p)") }
            let name = Self.decodeName(UnsafeRawBufferPointer(rebasing: b[p + 46 ..< p + 46 + nameLength]),
                                       utf8: flags & 0x0800 != 0)
            // ZIP64 extra field: the values whose 32-bit fields are all ones, in this order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            var diskStart64 = UInt64(diskStart)
            while e + 4 <= extraEnd {
                let id = Self.u16(b, e)
                let len = Int(Self.u16(b, e + 2))
                guard len <= extraEnd - e - 4 else { throw Failure("corrupt extra field", member: name) }
                if id == 0x0001 {
                    var q = e + 4
                    let qEnd = q + len
                    func next() throws(Failure) -> UInt64 {
                        guard q + 8 <= qEnd else { throw Failure("corrupt zip64 extra field", member: name) }
                        defer { q += 8 }
                        return Self.u64(b, q)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                    if diskStart == 0xFFFF {
                        guard q + 4 <= qEnd else { throw Failure("corrupt zip64 extra field", member: name) }
                        diskStart64 = UInt64(Self.u32(b, q))
                    }
                }
                e += 4 + len
            }
            guard diskStart64 == 0 else { throw Failure("multi-disk zip archives are not supported", member: name) }
            list.append(Member(name: name, method: method, flags: flags, crc32: crc,
                               compressedSize: try Self.int(compressed, "compressed size", member: name),
                               uncompressedSize: try Self.int(uncompressed, "uncompressed size", member: name),
                               localHeaderOffset: try Self.int(localOffset, "local header offset", member: name)))
            p += recordLength
        }
        members = list
        try checkLayout(cdStart: start)
    }

    /// Member data must not overlap (overlapping members are the classic zip bomb) nor run into
    /// the central directory, and all members together must stay under the decompression limit.
    private func checkLayout(cdStart: Int) throws(Failure) {
        var spans: [(start: Int, end: Int, name: String)] = []
        spans.reserveCapacity(members.count)
        var total = 0
        for m in members {
            let (dataStart, _) = try localHeader(of: m)
            spans.append((m.localHeaderOffset, dataStart + m.compressedSize, m.name))
            let (t, o) = total.addingReportingOverflow(m.uncompressedSize)
            guard !o, t <= IOLimits.maxDecompressedBytes else {
                throw Failure("members declare more than \(IOLimits.maxDecompressedBytes) bytes in total", member: m.name)
            }
            total = t
        }
        spans.sort { $0.start < $1.start }
        for i in spans.indices {
            guard spans[i].end <= cdStart else {
                throw Failure("member data runs into the central directory: corrupt zip", member: spans[i].name)
            }
            if i > 0 && spans[i].start < spans[i - 1].end {
                throw Failure("member overlaps '\(spans[i - 1].name)': corrupt zip", member: spans[i].name)
            }
        }
    }

    /// Checks a member's local header against the central directory; returns where its data
    /// starts and the local flags.
    private func localHeader(of m: Member) throws(Failure) -> (dataStart: Int, flags: UInt16) {
        let b = bytes
        func fail(_ message: String) -> Failure { Failure(message, member: m.name) }
        guard Self.has(b, m.localHeaderOffset, 30), Self.u32(b, m.localHeaderOffset) == Self.localSignature else {
            throw fail("local header at offset \(m.localHeaderOffset) is missing: truncated or corrupt zip")
        }
        let h = m.localHeaderOffset
        let localMethod = Self.u16(b, h + 8)
        let nameLength = Int(Self.u16(b, h + 26))
        let extraLength = Int(Self.u16(b, h + 28))
        guard localMethod == m.method else { throw fail("local header and central directory disagree on the compression method") }
        guard Self.has(b, h + 30, nameLength + extraLength) else { throw fail("truncated local header") }
        let localName = Self.decodeName(UnsafeRawBufferPointer(rebasing: b[h + 30 ..< h + 30 + nameLength]),
                                        utf8: Self.u16(b, h + 6) & 0x0800 != 0)
        guard localName == m.name else { throw fail("local header names a different member '\(localName)'") }
        let dataStart = h + 30 + nameLength + extraLength
        guard Self.has(b, dataStart, m.compressedSize) else {
            throw fail("member data (\(m.compressedSize) bytes at offset \(dataStart)) runs past the end of the file: truncated zip")
        }
        return (dataStart, Self.u16(b, h + 6))
    }

    /// Member names as UTF-8 (invalid bytes become U+FFFD; npz keys are ASCII in practice).
    private static func decodeName(_ raw: UnsafeRawBufferPointer, utf8: Bool) -> String {
        String(decoding: raw, as: UTF8.self)
    }

    /// The first `count` uncompressed bytes of `m` (fewer if it is shorter), touching only the
    /// bytes they come from; no size or CRC-32 check (the full read does those).
    func prefix(of m: Member, count: Int) throws(Failure) -> [UInt8] {
        guard m.flags & 0x0001 == 0 else { throw Failure("encrypted members are not supported", member: m.name) }
        let dataStart = try localHeader(of: m).dataStart
        switch m.method {
        case 0:
            return Array(bytes[dataStart ..< dataStart + min(count, m.compressedSize)])
        case 8:
            let raw = UnsafeRawBufferPointer(rebasing: bytes[dataStart ..< dataStart + m.compressedSize])
            do throws(Inflate.Failure) { return try Inflate.prefix(raw, count: count) } catch { throw Failure(error.message, member: m.name) }
        default:
            throw Failure("compression method \(m.method) is not supported (only stored and deflate)", member: m.name)
        }
    }

    /// Calls `body` with the member's uncompressed bytes, after checking size and CRC-32.
    /// A problem of the archive itself is a `ZynqError` naming no file (the caller adds file and key).
    func withContents<R>(of m: Member, limit: Int = IOLimits.maxDecompressedBytes,
                         _ body: (UnsafeRawBufferPointer) throws(ZynqError) -> R) throws(ZynqError) -> R {
        let b = bytes
        func fail(_ message: String) -> ZynqError { ZynqError(message) }
        guard m.flags & 0x0001 == 0 else { throw fail("encrypted members are not supported") }
        let dataStart: Int
        do { dataStart = try localHeader(of: m).dataStart } catch { throw fail(error.message) }
        let raw = UnsafeRawBufferPointer(rebasing: b[dataStart ..< dataStart + m.compressedSize])
        guard m.uncompressedSize <= limit else {
            throw fail("declared size of \(m.uncompressedSize) bytes exceeds the limit of \(limit) bytes")
        }
        switch m.method {
        case 0:
            guard m.compressedSize == m.uncompressedSize else {
                throw fail("stored member has compressed size \(m.compressedSize) but uncompressed size \(m.uncompressedSize)")
            }
            let crc = Inflate.crc32(raw)
            guard crc == m.crc32 else { throw fail(Self.crcMessage(crc, m.crc32)) }
            return try body(raw)
        case 8:
            guard m.uncompressedSize <= Inflate.maxInflatedSize(compressed: m.compressedSize) else {
                throw fail("declared size of \(m.uncompressedSize) bytes is impossible for \(m.compressedSize) compressed bytes: corrupt zip")
            }
            let out: [UInt8]
            do throws(Inflate.Failure) {
                out = try Inflate.raw(raw, sizeHint: m.uncompressedSize, limit: m.uncompressedSize).bytes
            } catch {
                throw fail(error.message)
            }
            guard out.count == m.uncompressedSize else {
                throw fail("inflates to \(out.count) bytes, but the zip declares \(m.uncompressedSize)")
            }
            return try out.withBytes { (o) throws(ZynqError) in
                let crc = Inflate.crc32(o)
                guard crc == m.crc32 else { throw fail(Self.crcMessage(crc, m.crc32)) }
                return try body(o)
            }
        default:
            throw fail("compression method \(m.method) is not supported (only stored and deflate)")
        }
    }

    private static func crcMessage(_ got: UInt32, _ want: UInt32) -> String {
        "CRC-32 mismatch (data 0x\(String(got, radix: 16)), zip says 0x\(String(want, radix: 16))): corrupt zip"
    }
}
