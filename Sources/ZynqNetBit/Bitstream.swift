import ZynqNetBase

/// Operations on 7-series configuration payloads (shared/docs/zynq-facts.md §3.2, §4.4).
public enum Bitstream {
    /// The sync word as stored in a `.bit` payload (big-endian words).
    public static let syncWordBigEndian: [UInt8] = [0xAA, 0x99, 0x55, 0x66]
    /// The sync word in the byte-swapped `.bin` the Linux Zynq fpga_manager wants.
    public static let syncWordSwapped: [UInt8] = [0x66, 0x55, 0x99, 0xAA]

    /// The byte offset of the first 32-bit-aligned occurrence of `pattern` (4 bytes).
    public static func syncWordOffset(_ bytes: [UInt8], pattern: [UInt8]) -> Int? {
        guard pattern.count == 4 else { return nil }
        var i = 0
        while i + 4 <= bytes.count {
            if bytes[i] == pattern[0], bytes[i + 1] == pattern[1], bytes[i + 2] == pattern[2], bytes[i + 3] == pattern[3] {
                return i
            }
            i += 4
        }
        return nil
    }

    /// Every 32-bit word byte-swapped (`AA 99 55 66` → `66 55 99 AA`): the `.bin` for
    /// `/sys/class/fpga_manager/fpga0/firmware` (PYNQ `bit2bin`, U-Boot `__swab32`).
    /// Fails unless the length is a whole number of words and the result carries the sync
    /// word where the kernel's `zynq_fpga_has_sync()` looks for it.
    public static func fpgaManagerBin(_ payload: [UInt8], file: String) throws(ZynqError) -> [UInt8] {
        guard !payload.isEmpty, payload.count % 4 == 0 else {
            throw ZynqError(file: file, key: "payload", "length \(payload.count) is not a whole number of 32-bit words; cannot byte-swap")
        }
        var out = [UInt8](repeating: 0, count: payload.count)
        var i = 0
        while i < payload.count {
            out[i] = payload[i + 3]
            out[i + 1] = payload[i + 2]
            out[i + 2] = payload[i + 1]
            out[i + 3] = payload[i]
            i += 4
        }
        guard syncWordOffset(out, pattern: syncWordSwapped) != nil else {
            throw ZynqError(file: file, key: "payload", "no sync word 66 55 99 AA at a word boundary after the byte swap; the kernel would reject this .bin")
        }
        return out
    }

    /// The bit-reversal table: `reversed[b]` has bit i of b at bit 7−i.
    public static let reversedTable: [UInt8] = (0..<256).map { v in
        var r: UInt8 = 0
        for i in 0..<8 where (v >> i) & 1 == 1 { r |= 1 << (7 - i) }
        return r
    }

    /// Each byte bit-reversed: what is shifted LSB-first into CFG_IN over JTAG so that every
    /// original byte reaches the configuration logic MSB first (openFPGALoader `reverseByte`).
    public static func jtagPayload(_ payload: [UInt8]) -> [UInt8] {
        let t = reversedTable
        return payload.map { t[Int($0)] }
    }
}

extension BitFile {
    /// The byte-swapped `.bin` for the Linux fpga_manager (§3.2).
    public func fpgaManagerBin(file: String = "<bit>") throws(ZynqError) -> [UInt8] {
        try Bitstream.fpgaManagerBin(payload, file: file)
    }

    /// The payload with every byte bit-reversed, ready to shift into CFG_IN LSB first (§4.4).
    public var jtagPayload: [UInt8] { Bitstream.jtagPayload(payload) }
}
