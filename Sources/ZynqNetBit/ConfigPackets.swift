import ZynqNetBase

/// 7-series configuration packets (Xilinx UG470 "Configuration Packets"): the words that
/// follow the sync word in a payload.
///
///     type 1: [31:29]=001 [28:27]=opcode [26:13]=register [10:0]=word count
///     type 2: [31:29]=010 [28:27]=opcode [26:0]=word count (register of the last type 1)
///     opcode: 0 NOOP, 1 read, 2 write
public enum ConfigPackets {
    public enum Register: UInt32, Sendable, CaseIterable {
        case crc = 0x00, far = 0x01, fdri = 0x02, fdro = 0x03, cmd = 0x04, ctl0 = 0x05, mask = 0x06
        case stat = 0x07, lout = 0x08, cor0 = 0x09, mfwr = 0x0A, cbc = 0x0B, idcode = 0x0C, axss = 0x0D
        case cor1 = 0x0E, wbstar = 0x10, timer = 0x11, rbcrcSW = 0x13, bootsts = 0x16, ctl1 = 0x18, bspi = 0x1F
    }

    public enum Command: UInt32, Sendable, CaseIterable {
        case null = 0x00, wcfg = 0x01, mfw = 0x02, dghigh = 0x03, rcfg = 0x04, start = 0x05, rcap = 0x06
        case rcrc = 0x07, aghigh = 0x08, `switch` = 0x09, grestore = 0x0A, shutdown = 0x0B, gcapture = 0x0C
        case desync = 0x0D, iprog = 0x0F, crcc = 0x10, ltimer = 0x11
    }

    public static let noop: UInt32 = 0x2000_0000
    public static let syncWord: UInt32 = 0xAA99_5566

    /// A type-1 write header of `count` words to `register`.
    public static func type1Write(_ register: Register, count: UInt32) -> UInt32 {
        0x3000_0000 | (register.rawValue << 13) | (count & 0x7FF)
    }

    /// A type-2 write header of `count` words (27-bit count).
    public static func type2Write(count: UInt32) -> UInt32 { 0x5000_0000 | (count & 0x07FF_FFFF) }

    /// The configuration CRC: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) over the
    /// 37-bit value (5-bit register address << 32 | data), least significant bit first,
    /// as project X-Ray describes the 7-series ICAP CRC.
    public static func crcUpdate(_ crc: UInt32, register: UInt32, data: UInt32) -> UInt32 {
        var value = (UInt64(register & 0x1F) << 32) | UInt64(data)
        var c = UInt64(crc)
        let poly = UInt64(0x82F6_3B78) << 1
        for _ in 0..<37 {
            if (value & 1) != (c & 1) { c ^= poly }
            value >>= 1
            c >>= 1
        }
        return UInt32(truncatingIfNeeded: c)
    }

    /// What a walk over the packets of a payload found.
    public struct Summary: Sendable, Equatable {
        /// Byte offset of the sync word in the payload.
        public var syncOffset: UInt32?
        /// The value written to the IDCODE register (the device the bitstream is for).
        public var idcode: UInt32?
        /// Words written to FDRI (frame data).
        public var frameWords: UInt64 = 0
        /// CMD register writes in order (unknown codes kept as raw values).
        public var commands: [UInt32] = []
        /// CRC register writes and how many matched the running CRC.
        public var crcChecks: Int = 0
        public var crcMatches: Int = 0
        /// The first malformed packet, if the walk stopped early.
        public var problem: String?

        public var hasDesync: Bool { commands.contains(Command.desync.rawValue) }
        public var hasStart: Bool { commands.contains(Command.start.rawValue) }
    }

    /// Walks the packets after the first word-aligned sync word. Never traps; stops at the
    /// first malformed packet (recorded in `problem`) or after DESYNC.
    public static func summarize(_ payload: [UInt8]) -> Summary {
        var s = Summary()
        guard let sync = Bitstream.syncWordOffset(payload, pattern: Bitstream.syncWordBigEndian) else {
            s.problem = "no sync word"
            return s
        }
        s.syncOffset = UInt32(truncatingIfNeeded: sync)
        var i = sync + 4
        func word(_ at: Int) -> UInt32 {
            UInt32(payload[at]) << 24 | UInt32(payload[at + 1]) << 16 | UInt32(payload[at + 2]) << 8 | UInt32(payload[at + 3])
        }
        var lastRegister: UInt32?
        var crc: UInt32 = 0
        while i + 4 <= payload.count {
            let header = word(i)
            i += 4
            let type = header >> 29
            let opcode = (header >> 27) & 3
            let register: UInt32
            let count: Int
            switch type {
            case 1:
                register = (header >> 13) & 0x3FFF
                count = Int(header & 0x7FF)
                lastRegister = register
            case 2:
                guard let r = lastRegister else {
                    s.problem = "type-2 packet at byte \(i - 4) without a preceding type-1 packet"
                    return s
                }
                register = r
                count = Int(header & 0x07FF_FFFF)
            default:
                s.problem = "word 0x\(Hex.upper(header, digits: 8)) at byte \(i - 4) is not a type-1 or type-2 packet header"
                return s
            }
            if opcode == 0 {
                if count != 0 {
                    s.problem = "NOOP header 0x\(Hex.upper(header, digits: 8)) at byte \(i - 4) carries a word count"
                    return s
                }
                continue
            }
            guard (payload.count - i) / 4 >= count else {
                s.problem = "packet at byte \(i - 4) announces \(count) words but only \((payload.count - i) / 4) remain"
                return s
            }
            if opcode != 2 {  // read packets carry no data in a load stream
                i += 4 * count
                continue
            }
            for _ in 0..<count {
                let data = word(i)
                i += 4
                if register == Register.crc.rawValue {
                    s.crcChecks += 1
                    if data == crc { s.crcMatches += 1 }
                    crc = 0
                    continue
                }
                crc = crcUpdate(crc, register: register, data: data)
                switch register {
                case Register.fdri.rawValue: s.frameWords += 1
                case Register.idcode.rawValue: s.idcode = data
                case Register.cmd.rawValue:
                    s.commands.append(data)
                    if data == Command.rcrc.rawValue { crc = 0 }
                    if data == Command.desync.rawValue { return s }
                default: break
                }
            }
        }
        return s
    }
}

/// A small but realistically shaped 7-series configuration payload, for tests and the
/// simulated board: dummy words, bus-width pattern, sync word, the usual register set-up,
/// WCFG, `frameWords` words of FDRI data (from `seed`), CRC, GRESTORE/DGHIGH/START, a final
/// CRC, DESYNC and `trailingNoops` NOOPs, the order Vivado writes them in (UG470).
public struct SyntheticBitstream: Sendable {
    public var idcode: UInt32
    public var frameWords: UInt32
    public var trailingNoops: Int
    public var seed: UInt64
    /// Write correct CRC values (false: write a wrong final CRC, for negative tests).
    public var correctCRC: Bool

    public init(idcode: UInt32 = 0x0372_7093, frameWords: UInt32 = 1_010, trailingNoops: Int = 16, seed: UInt64 = 1, correctCRC: Bool = true) {
        self.idcode = idcode
        self.frameWords = frameWords
        self.trailingNoops = trailingNoops
        self.seed = seed
        self.correctCRC = correctCRC
    }

    public func words() -> [UInt32] {
        typealias R = ConfigPackets.Register
        typealias C = ConfigPackets.Command
        var w: [UInt32] = []
        var crc: UInt32 = 0
        func write(_ r: R, _ values: [UInt32]) {
            w.append(ConfigPackets.type1Write(r, count: UInt32(values.count)))
            for v in values {
                if r == .crc { crc = 0; w.append(v); continue }
                w.append(v)
                crc = ConfigPackets.crcUpdate(crc, register: r.rawValue, data: v)
                if r == .cmd, v == C.rcrc.rawValue { crc = 0 }
            }
        }
        func noops(_ n: Int) { w += [UInt32](repeating: ConfigPackets.noop, count: n) }
        func cmd(_ c: C) { write(.cmd, [c.rawValue]) }

        w += [UInt32](repeating: 0xFFFF_FFFF, count: 8)
        w += [0x0000_00BB, 0x1122_0044, 0xFFFF_FFFF, 0xFFFF_FFFF, ConfigPackets.syncWord]
        noops(1)
        write(.timer, [0])
        write(.wbstar, [0])
        cmd(.null)
        noops(1)
        cmd(.rcrc)
        noops(2)
        write(.rbcrcSW, [0])
        write(.cor0, [0x0200_3FE5])
        write(.cor1, [0])
        write(.idcode, [idcode])
        cmd(.switch)
        noops(1)
        write(.mask, [0x0000_0401])
        write(.ctl0, [0x0000_0501])
        write(.mask, [0])
        write(.ctl1, [0])
        noops(8)
        write(.far, [0])
        cmd(.wcfg)
        noops(1)
        // FDRI: a type-1 header with no words, then a type-2 header with the count.
        w.append(ConfigPackets.type1Write(.fdri, count: 0))
        w.append(ConfigPackets.type2Write(count: frameWords))
        var g = seed
        for _ in 0..<frameWords {
            g &+= 0x9E37_79B9_7F4A_7C15
            var z = g
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            let v = UInt32(truncatingIfNeeded: z ^ (z >> 31))
            w.append(v)
            crc = ConfigPackets.crcUpdate(crc, register: R.fdri.rawValue, data: v)
        }
        write(.crc, [crc])
        cmd(.grestore)
        noops(1)
        cmd(.dghigh)
        noops(20)
        cmd(.start)
        noops(1)
        write(.far, [0x03BE_0000])
        write(.mask, [0x0000_0501])
        write(.ctl0, [0x0000_0501])
        write(.crc, [correctCRC ? crc : crc ^ 0x0000_0100])
        noops(2)
        cmd(.desync)
        noops(trailingNoops)
        return w
    }

    /// The payload bytes (big-endian words, as in a `.bit` file).
    public func payload() -> [UInt8] {
        var out: [UInt8] = []
        let ws = words()
        out.reserveCapacity(ws.count * 4)
        for v in ws {
            out += [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
                    UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        }
        return out
    }

    /// A complete `.bit` file around the payload.
    public func bitFile(design: String = "synthetic;UserID=0XFFFFFFFF;Version=2022.2", part: String = "7z020clg400",
                        date: String = "2024/05/01", time: String = "12:34:56") -> BitFile {
        BitFile(designField: design, part: part, date: date, time: time, payload: payload())
    }
}
