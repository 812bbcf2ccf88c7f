import CZlibIO

/// Raw deflate decompression and CRC-32 through zlib, bounds-checked for untrusted input.
enum Inflate {
    /// Why a stream could not be inflated (the caller adds file and member names).
    struct Failure: Error {
        var message: String
    }

    /// Deflate cannot compress better than about 1032:1; anything declaring more is corrupt.
    static func maxInflatedSize(compressed: Int) -> Int {
        let (m, o1) = compressed.multipliedReportingOverflow(by: 1032)
        let (s, o2) = m.addingReportingOverflow(1024)
        return (o1 || o2) ? Int.max : s
    }

    /// Inflates the raw deflate stream at the start of `input`.
    ///
    /// - Parameters:
    ///   - sizeHint: expected output size (capacity reserved up front).
    ///   - limit: the output must not exceed this many bytes.
    /// - Returns: the output and how many input bytes the stream used.
    static func raw(_ input: UnsafeRawBufferPointer, sizeHint: Int, limit: Int) throws(Failure) -> (bytes: [UInt8], consumed: Int) {
        var stream = z_stream()
        let initResult = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initResult == Z_OK else { throw Failure(message: "zlib inflateInit failed (\(initResult))") }
        defer { inflateEnd(&stream) }

        let hardLimit = min(limit, maxInflatedSize(compressed: input.count))
        // The hint comes from the file: trust it only up to a modest multiple of the input, then grow.
        let (trusted, o) = input.count.multipliedReportingOverflow(by: 16)
        var capacity = max(0, min(sizeHint, hardLimit, max(1 << 26, o ? Int.max : trusted)))
        var out = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var consumed = 0
        let chunkMax = Int(UInt32.max >> 1)  // avail_in/avail_out are 32-bit

        while true {
            if produced == capacity {
                // Output full: grow if the limit allows, else probe whether more would come.
                if capacity < hardLimit {
                    let grown = capacity > hardLimit / 2 ? hardLimit : max(capacity * 2, 1 << 16)
                    capacity = min(grown, hardLimit)
                    out.append(contentsOf: repeatElement(0, count: capacity - out.count))
                } else {
                    // At the limit: inflate into a scratch byte to see if the stream really ends here.
                    var scratch: UInt8 = 0
                    let r = inputStep(&stream, input, &consumed, chunkMax) { s in
                        withUnsafeMutablePointer(to: &scratch) { p in
                            s.next_out = p
                            s.avail_out = 1
                            return inflate(&s, Z_NO_FLUSH)
                        }
                    }
                    if r.produced > 0 {
                        throw Failure(message: "inflates to more than \(hardLimit) bytes")
                    }
                    if r.code == Z_STREAM_END { break }
                    try check(r.code, inputLeft: input.count - consumed)
                    if r.consumed == 0 { throw Failure(message: "deflate stream is truncated") }
                    continue
                }
            }
            let r = inflateStep(&stream, into: &out, at: produced, room: min(capacity - produced, chunkMax), input, &consumed, chunkMax)
            produced += r.produced
            if r.code == Z_STREAM_END { break }
            try check(r.code, inputLeft: input.count - consumed)
            if r.produced == 0 && r.consumed == 0 && produced < capacity {
                throw Failure(message: "deflate stream is truncated")
            }
        }
        if out.count > produced { out.removeLast(out.count - produced) }
        return (out, consumed)
    }

    /// The first `count` bytes the raw deflate stream at the start of `input` inflates to (fewer
    /// if it ends first), without inflating the rest.
    static func prefix(_ input: UnsafeRawBufferPointer, count: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initResult = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initResult == Z_OK else { throw Failure(message: "zlib inflateInit failed (\(initResult))") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: max(count, 1))
        var produced = 0, consumed = 0
        while produced < count {
            let r = inflateStep(&stream, into: &out, at: produced, room: count - produced, input, &consumed, Int(UInt32.max >> 1))
            produced += r.produced
            if r.code == Z_STREAM_END { break }
            try check(r.code, inputLeft: input.count - consumed)
            if r.produced == 0 && r.consumed == 0 { break }
        }
        return Array(out.prefix(produced))
    }

    /// One inflate call writing at most `room` bytes into `out` from offset `produced`.
    private static func inflateStep(_ stream: inout z_stream, into out: inout [UInt8], at produced: Int, room: Int,
                                    _ input: UnsafeRawBufferPointer, _ consumed: inout Int, _ chunkMax: Int) -> Step {
        out.withUnsafeMutableBytes { ob in
            inputStep(&stream, input, &consumed, chunkMax) { s in
                s.next_out = ob.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                s.avail_out = uInt(room)
                return inflate(&s, Z_NO_FLUSH)
            }
        }
    }

    private struct Step {
        var code: Int32
        var produced: Int
        var consumed: Int
    }

    /// Feeds the next input chunk and runs one inflate call.
    private static func inputStep(_ s: inout z_stream, _ input: UnsafeRawBufferPointer, _ consumed: inout Int,
                                  _ chunkMax: Int, _ body: (inout z_stream) -> Int32) -> Step {
        let inCount = min(input.count - consumed, chunkMax)
        var step = Step(code: Z_OK, produced: 0, consumed: 0)
        if inCount == 0 || input.baseAddress == nil {
            var dummy: UInt8 = 0
            withUnsafeMutablePointer(to: &dummy) { p in
                s.next_in = p
                s.avail_in = 0
                let outBefore = s.total_out
                step.code = body(&s)
                step.produced = Int(truncatingIfNeeded: s.total_out &- outBefore)
            }
        } else {
            s.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed)
            s.avail_in = uInt(inCount)
            let outBefore = s.total_out
            step.code = body(&s)
            step.produced = Int(truncatingIfNeeded: s.total_out &- outBefore)
            step.consumed = inCount - Int(s.avail_in)
        }
        s.next_in = nil
        s.avail_in = 0
        consumed += step.consumed
        return step
    }

    private static func check(_ code: Int32, inputLeft: Int) throws(Failure) {
        switch code {
        case Z_OK: return
        case Z_BUF_ERROR:
            if inputLeft == 0 { throw Failure(message: "deflate stream is truncated") }
            return
        case Z_DATA_ERROR: throw Failure(message: "corrupt deflate data")
        case Z_MEM_ERROR: throw Failure(message: "out of memory while inflating")
        case Z_NEED_DICT: throw Failure(message: "deflate stream needs a preset dictionary")
        default: throw Failure(message: "zlib inflate error \(code)")
        }
    }

    /// CRC-32 (the zip/gzip polynomial) of `bytes`.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CZlibIO.crc32(0, nil, 0)
        guard let base = bytes.baseAddress else { return UInt32(truncatingIfNeeded: crc) }
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = CZlibIO.crc32(crc, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
