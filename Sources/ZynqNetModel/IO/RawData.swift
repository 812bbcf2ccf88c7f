import ZynqNetBase

/// Turning raw element bytes into typed storage and back, without per-element closures.
enum RawDecode {
    /// Decodes `count` elements of `descr` from `data` (which holds exactly `count * itemSize` bytes).
    static func storage(_ data: UnsafeRawBufferPointer, descr: NPY.Descr, count: Int,
                        fail: (String) -> ZynqError) throws(ZynqError) -> NDArray.Storage {
        let big = descr.order == .big
        switch descr.dtype {
        case .bool:
            let raw: [UInt8] = integers(data, count: count, bigEndian: false)
            var out = [Bool](repeating: false, count: count)
            out.withUnsafeMutableBufferPointer { o in
                raw.withUnsafeBufferPointer { r in
                    for i in 0 ..< count { o[i] = r[i] != 0 }
                }
            }
            return .bool(out)
        case .int8: return .int8(integers(data, count: count, bigEndian: false))
        case .uint8: return .uint8(integers(data, count: count, bigEndian: false))
        case .int16: return .int16(integers(data, count: count, bigEndian: big))
        case .uint16: return .uint16(integers(data, count: count, bigEndian: big))
        case .int32: return .int32(integers(data, count: count, bigEndian: big))
        case .uint32: return .uint32(integers(data, count: count, bigEndian: big))
        case .int64: return .int64(integers(data, count: count, bigEndian: big))
        case .uint64: return .uint64(integers(data, count: count, bigEndian: big))
        case .float32:
            let bits: [UInt32] = integers(data, count: count, bigEndian: big)
            return .float32(floats(bits))
        case .float64:
            let bits: [UInt64] = integers(data, count: count, bigEndian: big)
            return .float64(floats(bits))
        case .unicode(let width):
            return try unicode(data, count: count, width: width, bigEndian: big, fail: fail)
        }
    }

    /// Copies `count` fixed-width integers out of `data`, swapping bytes when the file's order
    /// differs from the host's.
    static func integers<T: FixedWidthInteger>(_ data: UnsafeRawBufferPointer, count: Int, bigEndian: Bool) -> [T] {
        let size = MemoryLayout<T>.size
        precondition(data.count >= count * size)
        return [T](unsafeUninitializedCapacity: count) { buf, initialized in
            if count > 0, let src = data.baseAddress, let dst = buf.baseAddress {
                UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * size)
                if size > 1 && bigEndian == NPY.hostIsLittleEndian {
                    for i in 0 ..< count { buf[i] = buf[i].byteSwapped }
                }
            }
            initialized = count
        }
    }

    static func floats(_ bits: [UInt32]) -> [Float] {
        [Float](unsafeUninitializedCapacity: bits.count) { buf, n in
            bits.withUnsafeBufferPointer { b in
                for i in 0 ..< b.count { buf[i] = Float(bitPattern: b[i]) }
            }
            n = bits.count
        }
    }

    static func floats(_ bits: [UInt64]) -> [Double] {
        [Double](unsafeUninitializedCapacity: bits.count) { buf, n in
            bits.withUnsafeBufferPointer { b in
                for i in 0 ..< b.count { buf[i] = Double(bitPattern: b[i]) }
            }
            n = bits.count
        }
    }

    /// NumPy `U` strings: `width` UTF-32 code units each, trailing NULs dropped (as NumPy does).
    static func unicode(_ data: UnsafeRawBufferPointer, count: Int, width: Int, bigEndian: Bool,
                        fail: (String) -> ZynqError) throws(ZynqError) -> NDArray.Storage {
        let units: [UInt32] = integers(data, count: count * width, bigEndian: bigEndian)
        var strings = [String]()
        strings.reserveCapacity(count)
        try units.withUnsafeBufferPointer { (u) throws(ZynqError) in
            for i in 0 ..< count {
                var end = (i + 1) * width
                let start = i * width
                while end > start && u[end - 1] == 0 { end -= 1 }
                var view = String.UnicodeScalarView()
                for j in start ..< end {
                    guard let scalar = Unicode.Scalar(u[j]) else {
                        throw fail("npy data: element \(i) has invalid code point 0x\(String(u[j], radix: 16))")
                    }
                    view.append(scalar)
                }
                strings.append(String(view))
            }
        }
        return .unicode(strings, width: width)
    }
}

/// Fortran (column-major) to C (row-major) element order.
enum Reorder {
    static func fortranToC(_ storage: NDArray.Storage, shape: [Int]) -> NDArray.Storage {
        switch storage {
        case .bool(let a): return .bool(permute(a, shape: shape))
        case .int8(let a): return .int8(permute(a, shape: shape))
        case .int16(let a): return .int16(permute(a, shape: shape))
        case .int32(let a): return .int32(permute(a, shape: shape))
        case .int64(let a): return .int64(permute(a, shape: shape))
        case .uint8(let a): return .uint8(permute(a, shape: shape))
        case .uint16(let a): return .uint16(permute(a, shape: shape))
        case .uint32(let a): return .uint32(permute(a, shape: shape))
        case .uint64(let a): return .uint64(permute(a, shape: shape))
        case .float32(let a): return .float32(permute(a, shape: shape))
        case .float64(let a): return .float64(permute(a, shape: shape))
        case .unicode(let a, let w): return .unicode(permute(a, shape: shape), width: w)
        }
    }

    /// `a` lists elements with the first index fastest; returns them with the last index fastest.
    static func permute<T>(_ a: [T], shape: [Int]) -> [T] {
        let nd = shape.count
        guard nd > 1, a.count > 1 else { return a }
        var cStrides = [Int](repeating: 1, count: nd)
        for d in stride(from: nd - 2, through: 0, by: -1) { cStrides[d] = cStrides[d + 1] * shape[d + 1] }
        var out = a
        var index = [Int](repeating: 0, count: nd)
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { src in
                var dst = 0
                for s in 0 ..< src.count {
                    o[dst] = src[s]
                    var d = 0
                    while d < nd {
                        index[d] += 1
                        dst += cStrides[d]
                        if index[d] < shape[d] { break }
                        dst -= cStrides[d] * shape[d]
                        index[d] = 0
                        d += 1
                    }
                }
            }
        }
        return out
    }
}

/// Appending storage to a byte buffer, little-endian.
enum RawEncode {
    static func append(_ storage: NDArray.Storage, to out: inout [UInt8]) {
        switch storage {
        case .bool(let a): out += a.map { $0 ? 1 : 0 }
        case .int8(let a): appendLE(a, to: &out)
        case .uint8(let a): out += a
        case .int16(let a): appendLE(a, to: &out)
        case .uint16(let a): appendLE(a, to: &out)
        case .int32(let a): appendLE(a, to: &out)
        case .uint32(let a): appendLE(a, to: &out)
        case .int64(let a): appendLE(a, to: &out)
        case .uint64(let a): appendLE(a, to: &out)
        case .float32(let a): appendLE(a.map { $0.bitPattern }, to: &out)
        case .float64(let a): appendLE(a.map { $0.bitPattern }, to: &out)
        case .unicode(let strings, let w):
            let width = max(w, 1)
            var units = [UInt32](repeating: 0, count: strings.count * width)
            for (i, s) in strings.enumerated() {
                var j = 0
                for scalar in s.unicodeScalars {
                    if j == width { break }
                    units[i * width + j] = scalar.value
                    j += 1
                }
            }
            appendLE(units, to: &out)
        }
    }

    static func appendLE<T: FixedWidthInteger>(_ a: [T], to out: inout [UInt8]) {
        let size = MemoryLayout<T>.size
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: a.count * size))
        out.withUnsafeMutableBytes { o in
            a.withUnsafeBufferPointer { src in
                guard let base = o.baseAddress else { return }
                let dst = (base + start).assumingMemoryBound(to: UInt8.self)
                if NPY.hostIsLittleEndian {
                    if let s = src.baseAddress { UnsafeMutableRawPointer(dst).copyMemory(from: s, byteCount: a.count * size) }
                } else {
                    for i in 0 ..< src.count {
                        var v = src[i].littleEndian
                        withUnsafeBytes(of: &v) { b in
                            for k in 0 ..< size { dst[i * size + k] = b[k] }
                        }
                    }
                }
            }
        }
    }
}
