import ZynqNetBase
import ZynqNetBit

/// JTAG over FTDI MPSSE: TAP moves with 0x4B, data shifts with 0x19/0x39 (bytes), 0x1B/0x3B
/// (bits) and the last bit with 0x4B/0x6B and TMS = 1, idle clocks with 0x8E/0x8F
/// (openFPGALoader's strategy, zynq-facts.md §4.5).
public final class JTAG {
    public let mpsse: MPSSE
    /// nil until the first reset: the TAP state of every device on the chain.
    public private(set) var state: TAPState?
    /// Sample TDO on the falling TCK edge (Digilent cables at high TCK).
    public var readOnNegativeEdge = false
    /// TCK cycles issued so far.
    public private(set) var clocks: UInt64 = 0

    public init(mpsse: MPSSE) {
        self.mpsse = mpsse
    }

    /// Six TCKs with TMS = 1: Test-Logic-Reset from any state.
    public func reset() {
        clockTMS([true, true, true, true, true, true])
        state = .testLogicReset
    }

    /// Moves to `target` on the shortest TMS path (resets first if the state is unknown).
    public func go(to target: TAPState) {
        if state == nil { reset() }
        guard let s = state else { return }
        clockTMS(s.path(to: target))
        state = target
    }

    /// TMS bits with TDI held at `tdi`, up to 6 per 0x4B command.
    func clockTMS(_ bits: [Bool], tdi: Bool = true) {
        var i = 0
        while i < bits.count {
            let n = min(6, bits.count - i)
            var data: UInt8 = tdi ? 0x80 : 0
            for j in 0..<n where bits[i + j] { data |= 1 << UInt8(j) }
            mpsse.append([0x4B, UInt8(n - 1), data])
            i += n
        }
        clocks &+= UInt64(bits.count)
    }

    /// `count` TCKs without leaving the current stable state (Run-Test/Idle, Pause, TLR hold
    /// with the TMS level they were entered with).
    public func idle(_ count: UInt64) {
        var left = count
        while left >= 8 {
            let groups = min(left / 8, 65536)
            let v = UInt16(groups - 1)
            mpsse.append([0x8F, UInt8(v & 0xFF), UInt8(v >> 8)])
            left -= groups * 8
        }
        if left > 0 { mpsse.append([0x8E, UInt8(left - 1)]) }
        clocks &+= count
    }

    /// Shifts `bits` from the current Shift-DR/Shift-IR state, the last bit with TMS = 1, then
    /// moves to `end`. Returns the TDO bits when `read` (one per TDI bit, in order).
    /// `progress` gets the number of whole bytes sent so far during long shifts.
    @discardableResult
    public func shift(_ bits: BitString, read: Bool, end: TAPState, progress: ((Int) -> Void)? = nil) throws -> BitString? {
        guard let s = state, s == .shiftDR || s == .shiftIR else {
            throw USBError.failed("JTAG shift requested outside Shift-DR/Shift-IR (state \(state.map { "\($0)" } ?? "unknown"))")
        }
        guard bits.count > 0 else {
            go(to: end)
            return read ? BitString() : nil
        }
        let body = bits.count - 1
        let wholeBytes = body / 8
        let restBits = body % 8
        let neg: UInt8 = readOnNegativeEdge ? 0x04 : 0
        var expected = 0
        var offset = 0
        while offset < wholeBytes {
            let n = min(65536, wholeBytes - offset)
            let v = UInt16(n - 1)
            mpsse.append([read ? 0x39 | neg : 0x19, UInt8(v & 0xFF), UInt8(v >> 8)])
            mpsse.append(Array(bits.bytes[offset..<(offset + n)]))
            offset += n
            if read { expected += n }
            if !read && mpsse.pendingCount >= 64 * 1024 {
                try mpsse.flush()
                progress?(offset)
            }
        }
        if restBits > 0 {
            var b: UInt8 = 0
            for j in 0..<restBits where bits[wholeBytes * 8 + j] { b |= 1 << UInt8(j) }
            mpsse.append([read ? 0x3B | neg : 0x1B, UInt8(restBits - 1), b])
            if read { expected += 1 }
        }
        let last = bits[body]
        mpsse.append([read ? 0x6B | neg : 0x4B, 0x00, (last ? 0x80 : 0x00) | 0x01])
        if read { expected += 1 }
        clocks &+= UInt64(bits.count)
        state = s == .shiftDR ? .exit1DR : .exit1IR
        go(to: end)

        guard read else {
            progress?(wholeBytes)
            return nil
        }
        let raw = try mpsse.read(count: expected)
        var out = BitString()
        for i in 0..<wholeBytes {
            let byte = raw[i]
            for j in 0..<8 { out.append((byte >> UInt8(j)) & 1 == 1) }
        }
        var at = wholeBytes
        if restBits > 0 {
            let byte = raw[at] >> UInt8(8 - restBits)
            for j in 0..<restBits { out.append((byte >> UInt8(j)) & 1 == 1) }
            at += 1
        }
        out.append((raw[at] >> 7) & 1 == 1)
        return out
    }

    /// Sends the queued commands.
    public func flush() throws { try mpsse.flush() }
}

/// A TAP on the scan chain.
public struct ChainDevice: Sendable, Equatable, CustomStringConvertible {
    public var idcode: UInt32
    public var irLength: Int
    public var name: String

    public init(idcode: UInt32, irLength: Int, name: String) {
        self.idcode = idcode
        self.irLength = irLength
        self.name = name
    }

    public var description: String { "\(name) (IDCODE 0x\(Hex.upper(idcode, digits: 8)), IR \(irLength) bits)" }

    /// Known TAPs: the Cortex-A9 DAP and the Zynq-7000 PL TAPs (zynq-facts.md §4.2).
    public static func identify(_ idcode: UInt32) -> ChainDevice? {
        if idcode & 0x0FFF_FFFF == 0x0BA0_0477 { return ChainDevice(idcode: idcode, irLength: 4, name: "ARM Cortex-A9 DAP") }
        if let dev = BitPart.zynqDevice(idcode: idcode) { return ChainDevice(idcode: idcode, irLength: 6, name: "xc" + dev + " PL") }
        return nil
    }
}

/// The devices of a scan chain, index 0 nearest TDI (openFPGALoader's order).
public struct JTAGChain: Sendable, Equatable {
    public var devices: [ChainDevice]

    public init(devices: [ChainDevice]) { self.devices = devices }

    /// Bits to shift into the IR of device `k` with every other device in BYPASS (all ones):
    /// the devices nearest TDO are filled first (their bits travel furthest).
    public func irBits(_ instruction: UInt64, device k: Int, faults: DriverFaults = DriverFaults()) -> BitString {
        var bits = BitString()
        if !faults.noIRBypassBits {
            let after = devices[(k + 1)...].reduce(0) { $0 + $1.irLength }
            bits.append(BitString(repeating: true, count: after))
        }
        bits.append(BitString(value: instruction, width: devices[k].irLength))
        if !faults.noIRBypassBits {
            let before = devices[..<k].reduce(0) { $0 + $1.irLength }
            bits.append(BitString(repeating: true, count: before))
        }
        return bits
    }

    /// `data` for device `k` with one bypass bit per other device.
    public func drBits(_ data: BitString, device k: Int, faults: DriverFaults = DriverFaults()) -> BitString {
        if faults.noDRBypassBit { return data }
        var bits = BitString(repeating: false, count: devices.count - 1 - k)
        bits.append(data)
        bits.append(BitString(repeating: false, count: k))
        return bits
    }

    /// Where device `k`'s captured IR bits start in what TDO returns.
    public func irCaptureOffset(device k: Int) -> Int { devices[(k + 1)...].reduce(0) { $0 + $1.irLength } }
    /// Where device `k`'s DR bits start in what TDO returns.
    public func drCaptureOffset(device k: Int) -> Int { devices.count - 1 - k }
}

extension JTAG {
    /// Reads every IDCODE on the chain: after Test-Logic-Reset each TAP's DR is its IDCODE
    /// (bit 0 = 1) or a 1-bit BYPASS (0). Shifting ones in, a 32-bit all-ones word marks the end.
    /// Returns the chain with index 0 nearest TDI.
    public func scanChain(maxDevices: Int = 8) throws -> JTAGChain {
        reset()
        go(to: .shiftDR)
        let total = 32 * (maxDevices + 1)
        guard let tdo = try shift(BitString(repeating: true, count: total), read: true, end: .testLogicReset) else { return JTAGChain(devices: []) }
        try flush()
        if (0..<total).allSatisfy({ !tdo[$0] }) {
            throw JTAGError.chain("TDO is stuck at 0: no JTAG chain answers (board powered? cable on the PROG/JTAG port?)")
        }
        var found: [ChainDevice] = []
        var pos = 0
        while pos < total {
            if !tdo[pos] {
                throw JTAGError.chain("a device without IDCODE at position \(found.count) from TDO; the Zynq chain has none")
            }
            guard pos + 32 <= total else { break }
            let id = UInt32(truncatingIfNeeded: tdo.slice(pos..<(pos + 32)).value)
            if id == 0xFFFF_FFFF { break }
            guard let dev = ChainDevice.identify(id) else {
                throw JTAGError.chain("unknown JTAG device with IDCODE 0x\(Hex.upper(id, digits: 8)) at position \(found.count) from TDO")
            }
            found.append(dev)
            pos += 32
        }
        if found.isEmpty {
            throw JTAGError.chain("TDO is stuck at 1: no JTAG device answered (board powered? cable on the PROG/JTAG port?)")
        }
        return JTAGChain(devices: found.reversed())
    }
}

/// JTAG-level failures.
public enum JTAGError: Error, CustomStringConvertible, Equatable, Sendable {
    case chain(String)
    case program(String)

    public var description: String {
        switch self {
        case .chain(let s): return "JTAG chain: \(s)"
        case .program(let s): return "PL programming: \(s)"
        }
    }
}

