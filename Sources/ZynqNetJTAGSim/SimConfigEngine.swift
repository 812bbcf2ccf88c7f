import ZynqNetBit

/// The 7-series configuration logic as the simulated PL sees it: fed one bit at a time in
/// the order the bits arrive on CFG_IN, it hunts for the sync word AA995566 at any bit
/// position (a driver that sends bytes LSB-first instead of bit-reversed never syncs), then
/// decodes type-1/type-2 packets into register writes and decides whether the stream was a
/// complete, well-formed bitstream for this device (UG470 packet format).
public struct SimConfigEngine: Sendable {
    public enum Phase: Sendable, Equatable { case hunting, synced, failed }

    /// What the engine expects of a bitstream.
    public var deviceIDCode: UInt32
    public var expectedFrameWords: UInt64

    public private(set) var phase: Phase = .hunting
    public private(set) var bitsSeen: UInt64 = 0
    public private(set) var syncCount = 0
    public private(set) var frameWords: UInt64 = 0
    public private(set) var idcodeWritten: UInt32?
    public private(set) var commands: [UInt32] = []
    public private(set) var crcChecks = 0
    public private(set) var crcErrors = 0
    /// Why the stream is not acceptable (first problem), if any.
    public private(set) var problem: String?
    public private(set) var desynced = false
    /// FDRI words written after the last CRC check (must be 0 at the end).
    private var framesSinceCRC: UInt64 = 0

    private var hunt: UInt32 = 0
    private var word: UInt32 = 0
    private var wordBits = 0
    private var dataLeft: UInt64 = 0
    private var register: UInt32 = 0
    private var lastType1Register: UInt32?
    private var crc: UInt32 = 0
    private var wcfg = false

    public init(deviceIDCode: UInt32, expectedFrameWords: UInt64) {
        self.deviceIDCode = deviceIDCode
        self.expectedFrameWords = expectedFrameWords
    }

    /// Clears everything (JPROGRAM).
    public mutating func reset() {
        self = SimConfigEngine(deviceIDCode: deviceIDCode, expectedFrameWords: expectedFrameWords)
    }

    public mutating func feed(_ bit: Bool) {
        bitsSeen &+= 1
        switch phase {
        case .failed:
            return
        case .hunting:
            hunt = hunt << 1 | (bit ? 1 : 0)
            if hunt == 0xAA99_5566 {
                phase = .synced
                syncCount += 1
                desynced = false
                word = 0
                wordBits = 0
                hunt = 0
            }
        case .synced:
            word = word << 1 | (bit ? 1 : 0)
            wordBits += 1
            if wordBits == 32 {
                let w = word
                word = 0
                wordBits = 0
                process(w)
            }
        }
    }

    private mutating func fail(_ why: String) {
        if problem == nil { problem = why }
        phase = .failed
    }

    private mutating func process(_ w: UInt32) {
        if dataLeft > 0 {
            dataLeft -= 1
            write(register, w)
            return
        }
        let type = w >> 29
        let opcode = (w >> 27) & 3
        switch type {
        case 1:
            register = (w >> 13) & 0x3FFF
            lastType1Register = register
            dataLeft = UInt64(w & 0x7FF)
        case 2:
            guard let r = lastType1Register else { return fail("type-2 packet without a type-1 packet before it") }
            register = r
            dataLeft = UInt64(w & 0x07FF_FFFF)
        default:
            return fail("word 0x\(String(w, radix: 16)) is not a packet header")
        }
        switch opcode {
        case 0:
            if dataLeft != 0 { fail("NOOP with a word count") }
        case 2:
            break
        default:
            fail("opcode \(opcode) in a configuration load")
        }
    }

    private mutating func write(_ r: UInt32, _ v: UInt32) {
        typealias R = ConfigPackets.Register
        typealias C = ConfigPackets.Command
        if r == R.crc.rawValue {
            crcChecks += 1
            if v != crc {
                crcErrors += 1
                fail("CRC check failed (expected 0x\(String(crc, radix: 16)), bitstream says 0x\(String(v, radix: 16)))")
            }
            crc = 0
            framesSinceCRC = 0
            return
        }
        crc = ConfigPackets.crcUpdate(crc, register: r, data: v)
        switch r {
        case R.idcode.rawValue:
            idcodeWritten = v
            if v & 0x0FFF_FFFF != deviceIDCode & 0x0FFF_FFFF {
                fail("IDCODE 0x\(String(v, radix: 16)) in the bitstream does not match the device 0x\(String(deviceIDCode, radix: 16))")
            }
        case R.fdri.rawValue:
            guard wcfg else { return fail("FDRI data before a WCFG command") }
            guard idcodeWritten != nil else { return fail("FDRI data before the IDCODE check") }
            frameWords += 1
            framesSinceCRC += 1
        case R.cmd.rawValue:
            commands.append(v)
            switch v {
            case C.rcrc.rawValue: crc = 0
            case C.wcfg.rawValue: wcfg = true
            case C.desync.rawValue:
                desynced = true
                phase = .hunting
                hunt = 0
            default: break
            }
        default:
            break
        }
    }

    /// Whether startup may raise DONE: one complete load of exactly the expected frame data,
    /// CRC-checked after the last frame word, with START and then DESYNC.
    public var acceptsStartup: Bool { rejection == nil }

    /// Why startup would not raise DONE, or nil.
    public var rejection: String? {
        if let problem { return problem }
        if syncCount == 0 { return "no sync word AA995566 seen (\(bitsSeen) bits received)" }
        if idcodeWritten == nil { return "the bitstream never wrote IDCODE" }
        if frameWords != expectedFrameWords { return "\(frameWords) frame words received, the device needs \(expectedFrameWords)" }
        if crcChecks == 0 { return "no CRC check" }
        if framesSinceCRC != 0 { return "frame data after the last CRC check" }
        guard let start = commands.lastIndex(of: ConfigPackets.Command.start.rawValue) else { return "no START command" }
        guard desynced, let d = commands.lastIndex(of: ConfigPackets.Command.desync.rawValue), d > start else {
            return "no DESYNC after START (the stream ended early)"
        }
        return nil
    }
}
