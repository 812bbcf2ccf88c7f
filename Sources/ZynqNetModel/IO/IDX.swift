import ZynqNetBase

/// IDX files (the MNIST format): magic `00 00 type ndim`, `ndim` big-endian UInt32 dimensions,
/// then big-endian elements in C order. Plain or gzip-compressed.
public enum IDX {
    /// Reads an IDX file, gunzipping it first if it starts with the gzip magic `1f 8b`.
    public static func read(path: String) throws(ZynqError) -> NDArray {
        let bytes = try FileBytes.read(path: path)
        return try decode(bytes, name: path)
    }

    /// Decodes IDX bytes, plain or gzip-compressed (detected by the magic `1f 8b`); `name` is used in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws(ZynqError) -> NDArray {
        try bytes.withBytes { (b) throws(ZynqError) in
            if Gzip.hasMagic(b) {
                let plain: [UInt8]
                do throws(Gzip.Failure) {
                    plain = try Gzip.decompress(b)
                } catch {
                    throw ZynqError(file: name, error.message)
                }
                return try plain.withBytes { (p) throws(ZynqError) in try decode(p, file: name) }
            }
            return try decode(b, file: name)
        }
    }

    static func hasMagic(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 4 && b[0] == 0 && b[1] == 0 && [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(b[2])
    }

    static func decode(_ b: UnsafeRawBufferPointer, file: String) throws(ZynqError) -> NDArray {
        func fail(_ message: String) -> ZynqError { ZynqError(file: file, message) }
        guard b.count >= 4 else { throw fail("not an IDX file (\(b.count) bytes, too short)") }
        guard b[0] == 0 && b[1] == 0 else {
            throw fail("not an IDX file (magic must start with 00 00, found \(hex(b[0])) \(hex(b[1])))")
        }
        let descr: NPY.Descr
        switch b[2] {
        case 0x08: descr = NPY.Descr(dtype: .uint8, order: .big, itemSize: 1)
        case 0x09: descr = NPY.Descr(dtype: .int8, order: .big, itemSize: 1)
        case 0x0B: descr = NPY.Descr(dtype: .int16, order: .big, itemSize: 2)
        case 0x0C: descr = NPY.Descr(dtype: .int32, order: .big, itemSize: 4)
        case 0x0D: descr = NPY.Descr(dtype: .float32, order: .big, itemSize: 4)
        case 0x0E: descr = NPY.Descr(dtype: .float64, order: .big, itemSize: 8)
        default: throw fail("IDX: unknown element type \(hex(b[2]))")
        }
        let ndim = Int(b[3])
        // The .npy limit (NumPy's 64): every array this reader returns must also be writable as .npy.
        guard ndim <= 64 else { throw fail("IDX header has \(ndim) dimensions; at most 64 are supported") }
        guard b.count - 4 >= 4 * ndim else {
            throw fail("truncated IDX header (\(ndim) dimensions need \(4 + 4 * ndim) bytes, file has \(b.count))")
        }
        var shape: [Int] = []
        shape.reserveCapacity(ndim)
        for d in 0 ..< ndim {
            let at = 4 + 4 * d
            let v = UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
            guard let dim = Int(exactly: v) else { throw fail("IDX dimension \(d) = \(v) is too large for this platform") }
            shape.append(dim)
        }
        guard let count = NPY.elementCount(shape) else {
            throw fail("IDX shape \(NPY.shapeString(shape)) has too many elements")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: descr.itemSize)
        guard !overflow else { throw fail("IDX shape \(NPY.shapeString(shape)) is too large") }
        let data = UnsafeRawBufferPointer(rebasing: b[(4 + 4 * ndim)...])
        guard data.count == needed else {
            let what = data.count < needed ? "truncated" : "has trailing bytes"
            throw fail("IDX data \(what): shape \(NPY.shapeString(shape)) of \(descr.dtype) needs \(needed) bytes, found \(data.count)")
        }
        let storage = try RawDecode.storage(data, descr: descr, count: count, fail: fail)
        return NDArray(shape: shape, storage: storage)
    }

    static func hex(_ v: UInt8) -> String {
        let s = String(v, radix: 16)
        return "0x" + (s.count < 2 ? "0" + s : s)
    }
}
