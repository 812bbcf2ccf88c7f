import ZynqNetBase

extension NPZ {
    /// The zip comment that marks an `.npz` as written by zynqnet (NumPy ignores it): an
    /// output may replace such a file, never another (`OutputPlan`).
    static let marker = Array("written by zynqnet".utf8)

    /// An `.npz` of `arrays` (members "key.npy", in the given order) as a stored, uncompressed
    /// ZIP with zynqnet's marker comment: what the board binary writes (no deflate, no
    /// ZIPFoundation). Fixed timestamp 1980-01-01 (the zip epoch, as NumPy uses). `file` names
    /// the file in errors: an empty, NUL-containing or repeated key, or more than 4 GiB.
    public static func encodeStored(_ arrays: [(String, NDArray)], file: String) throws(ZynqError) -> [UInt8] {
        var seen: [String] = []
        for (key, _) in arrays {
            guard !key.isEmpty, !key.utf8.contains(0) else { throw ZynqError(file: file, key: key, "invalid npz key") }
            guard !seen.contains(key) else { throw ZynqError(file: file, key: key, "duplicate npz key") }
            seen.append(key)
        }
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ b: inout [UInt8]) { b.append(UInt8(truncatingIfNeeded: v)); b.append(UInt8(truncatingIfNeeded: v >> 8)) }
        func u32(_ v: UInt32, _ b: inout [UInt8]) { for s in [0, 8, 16, 24] { b.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        let limit = Int64(UInt32.max)
        let dosDate = 1 << 5 | 1  // 1980-01-01
        for (key, array) in arrays {
            let name = Array((key + ".npy").utf8)
            let data = NPY.encode(array)
            guard Int64(out.count) + Int64(data.count) + 30 + Int64(name.count) < limit, name.count <= 0xFFFF else {
                throw ZynqError(file: file, key: key, "the archive would exceed 4 GiB (no ZIP64 in the stored writer)")
            }
            let crc = data.withUnsafeBytes { Inflate.crc32($0) }
            let offset = UInt32(out.count)
            // Local file header: version 2.0, no flags, method 0 (stored), time 0, date 1980-01-01.
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(dosDate, &out)
            u32(crc, &out); u32(UInt32(data.count), &out); u32(UInt32(data.count), &out); u16(name.count, &out); u16(0, &out)
            out += name
            out += data
            // Central directory entry: made by Unix 2.0, regular file 0644.
            u32(0x0201_4B50, &central); u16(3 << 8 | 20, &central); u16(20, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u16(dosDate, &central); u32(crc, &central); u32(UInt32(data.count), &central); u32(UInt32(data.count), &central)
            u16(name.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(UInt32(0o100644) << 16, &central); u32(offset, &central)
            central += name
        }
        guard Int64(out.count) + Int64(central.count) + 22 + Int64(marker.count) < limit, arrays.count <= 0xFFFF else {
            throw ZynqError(file: file, "the archive would exceed 4 GiB or 65535 members (no ZIP64 in the stored writer)")
        }
        let centralOffset = UInt32(out.count)
        out += central
        // End of central directory, with the marker as its comment.
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(arrays.count, &out); u16(arrays.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(marker.count, &out)
        out += marker
        return out
    }
}
