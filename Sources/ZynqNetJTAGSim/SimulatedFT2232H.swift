import ZynqNetJTAG

/// A simulated FT2232H behind `USBTransport`: interface A interprets the MPSSE command bytes
/// (AN108 opcodes, zynq-facts.md §4.5) and clocks a `SimZynqChain` through the JTAG pins;
/// bulk IN transfers are framed like the chip's, with 2 modem-status bytes at the start of
/// every max-size packet. Bad opcodes are answered with `FA <opcode>`.
public final class SimulatedFT2232H: USBTransport {
    public let chain: SimZynqChain
    public let maxPacketSize: Int
    /// The board's pin set-up: bits the board needs driven (enables, buffers) beyond the JTAG
    /// pins. The chain only sees TCK when the driver drives them as the board data says.
    public var requiredPins: FTDIPins?
    /// Fail every transfer after this many bytes were written (a cable pulled mid-transfer).
    public var disconnectAfterBytes: UInt64?

    public private(set) var mode: UInt8 = 0
    public private(set) var latencyMs: UInt16 = 16
    public private(set) var lowValue: UInt8 = 0, lowDirection: UInt8 = 0
    public private(set) var highValue: UInt8 = 0, highDirection: UInt8 = 0
    public private(set) var divisor: UInt16 = 0
    public private(set) var divideBy5 = true
    public private(set) var loopback = false
    public private(set) var closed = false
    /// Opcodes answered with FA (in order).
    public private(set) var badOpcodes: [UInt8] = []
    public private(set) var bytesWritten: UInt64 = 0
    /// Control requests seen, as (request, value, index).
    public private(set) var controlLog: [(UInt8, UInt16, UInt16)] = []

    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var tms = true
    private var tdi = false

    public static let modemStatus: [UInt8] = [0x32, 0x60]

    public init(chain: SimZynqChain = SimZynqChain(), maxPacketSize: Int = 512, requiredPins: FTDIPins? = nil) {
        self.chain = chain
        self.maxPacketSize = maxPacketSize
        self.requiredPins = requiredPins
    }

    /// TCK in Hz from the divisor (60 MHz base, or 12 MHz with ÷5 on).
    public var tckHz: UInt32 { (divideBy5 ? 6_000_000 : 30_000_000) / (UInt32(divisor) + 1) }

    /// Whether TCK/TDI/TMS are outputs, TDO an input and the board's other pins as required.
    public var jtagConnected: Bool {
        guard lowDirection & 0x0B == 0x0B, lowDirection & 0x04 == 0 else { return false }
        if let p = requiredPins {
            let lowMask = p.lowDirection & ~0x0F
            guard lowDirection & lowMask == lowMask, lowValue & lowMask == p.lowValue & lowMask else { return false }
            guard highDirection & p.highDirection == p.highDirection,
                  highValue & p.highDirection == p.highValue & p.highDirection else { return false }
        }
        return true
    }

    // MARK: USBTransport

    public func controlOut(request: UInt8, value: UInt16, index: UInt16, timeoutMs: UInt32) throws {
        guard !closed else { throw USBError.disconnected("simulated FT2232H is closed") }
        controlLog.append((request, value, index))
        guard index == 1 || index == 2 else { throw USBError.failed("USB control request 0x\(String(request, radix: 16)) stalled: wIndex \(index) is no FT2232H interface") }
        guard index == 1 else { return }  // interface B (the UART) is not modelled
        switch request {
        case FTDI.requestReset:
            switch value {
            case 0:
                input.removeAll(); inputStart = 0; output.removeAll()
            case 1: output.removeAll()
            case 2: input.removeAll(); inputStart = 0
            default: throw USBError.failed("USB control request SIO_RESET stalled (value \(value))")
            }
        case FTDI.requestSetLatencyTimer:
            guard (1...255).contains(value) else { throw USBError.failed("USB control request SET_LATENCY_TIMER stalled (value \(value))") }
            latencyMs = value
        case FTDI.requestSetBitmode:
            mode = UInt8(value >> 8)
            if mode != FTDI.bitmodeMPSSE { input.removeAll(); inputStart = 0 }
        default:
            break
        }
    }

    public func bulkWrite(endpoint: UInt8, data: [UInt8], timeoutMs: UInt32) throws -> Int {
        guard !closed else { throw USBError.disconnected("simulated FT2232H is closed") }
        if let limit = disconnectAfterBytes, bytesWritten + UInt64(data.count) > limit {
            throw USBError.disconnected("/dev/bus/usb/001/002 during bulk write")
        }
        bytesWritten += UInt64(data.count)
        guard endpoint == 0x02 else {
            if endpoint == 0x04 { return data.count }
            throw USBError.failed("USB bulk write failed: endpoint 0x\(String(endpoint, radix: 16)) does not exist")
        }
        guard mode == FTDI.bitmodeMPSSE else { return data.count }  // UART mode: bytes go out of the TX pin
        input += data
        interpret()
        return data.count
    }

    public func bulkRead(endpoint: UInt8, max: Int, timeoutMs: UInt32) throws -> [UInt8] {
        guard !closed else { throw USBError.disconnected("simulated FT2232H is closed") }
        guard endpoint == 0x81 || endpoint == 0x83 else {
            throw USBError.failed("USB bulk read failed: endpoint 0x\(String(endpoint, radix: 16)) does not exist")
        }
        guard max >= 2 else { return [] }
        if endpoint == 0x83 { return SimulatedFT2232H.modemStatus }
        var out: [UInt8] = []
        var budget = max
        var taken = 0
        repeat {
            guard budget >= 2 else { break }
            out += SimulatedFT2232H.modemStatus
            budget -= 2
            let n = min(maxPacketSize - 2, budget, output.count - taken)
            out += output[taken..<(taken + n)]
            taken += n
            budget -= n
            if n < maxPacketSize - 2 { break }  // a short packet ends the transfer
        } while taken < output.count
        output.removeFirst(taken)
        return out
    }

    public func close() { closed = true }

    // MARK: MPSSE interpreter

    private func interpret() {
        while inputStart < input.count {
            let op = input[inputStart]
            guard let length = commandLength(op) else {
                // Unknown opcode: the chip answers FA <op> and goes on with the next byte.
                output += [0xFA, op]
                badOpcodes.append(op)
                inputStart += 1
                continue
            }
            guard let n = length(inputStart), inputStart + n <= input.count else { break }  // wait for the rest
            execute(Array(input[inputStart..<(inputStart + n)]))
            inputStart += n
        }
        if inputStart > 0 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// For a known opcode: a function from the command's start to its total length, or nil
    /// while the length bytes have not arrived.
    private func commandLength(_ op: UInt8) -> ((Int) -> Int?)? {
        let have = { (at: Int, k: Int) -> Bool in at + k < self.input.count }
        switch op {
        case 0x80, 0x82, 0x86: return { _ in 3 }
        case 0x81, 0x83, 0x84, 0x85, 0x87, 0x8A, 0x8B, 0x8C, 0x8D, 0x96, 0x97: return { _ in 1 }
        case 0x8E: return { _ in 2 }
        case 0x8F: return { _ in 3 }
        case 0x4A, 0x4B, 0x6A, 0x6B, 0x6E, 0x6F: return { _ in 3 }
        default:
            guard op & 0xC0 == 0, op & 0x30 != 0 else { return nil }
            let write = op & 0x10 != 0
            if op & 0x02 != 0 { return { _ in write ? 3 : 2 } }
            return { at in
                guard have(at, 2) else { return nil }
                let len = Int(self.input[at + 1]) | Int(self.input[at + 2]) << 8
                return 3 + (write ? len + 1 : 0)
            }
        }
    }

    private func pinsChanged() {
        tms = lowValue & FTDIPins.tms != 0
        tdi = lowValue & FTDIPins.tdi != 0
    }

    /// One TCK on the JTAG pins; returns TDO.
    private func tick() -> Bool {
        guard jtagConnected else { return loopback ? tdi : true }
        let tdo = chain.clock(tms: tms, tdi: tdi)
        return loopback ? tdi : tdo
    }

    private func execute(_ c: [UInt8]) {
        let op = c[0]
        switch op {
        case 0x80: lowValue = c[1]; lowDirection = c[2]; pinsChanged()
        case 0x82: highValue = c[1]; highDirection = c[2]
        case 0x81: output.append((lowValue & lowDirection) | ~lowDirection)  // inputs read high (pull-ups)
        case 0x83: output.append((highValue & highDirection) | ~highDirection)
        case 0x84: loopback = true
        case 0x85: loopback = false
        case 0x86: divisor = UInt16(c[1]) | UInt16(c[2]) << 8
        case 0x8A: divideBy5 = false
        case 0x8B: divideBy5 = true
        case 0x87, 0x8C, 0x8D, 0x96, 0x97: break
        case 0x8E: idleClocks(UInt64(c[1] & 0x07) + 1)
        case 0x8F: idleClocks((UInt64(c[1]) | UInt64(c[2]) << 8) * 8 + 8)
        case 0x4A, 0x4B, 0x6A, 0x6B, 0x6E, 0x6F:
            let n = Int(c[1] & 0x07) + 1
            tdi = c[2] & 0x80 != 0
            var r: UInt8 = 0
            for j in 0..<n {
                tms = (c[2] >> UInt8(j)) & 1 == 1
                let out = tick()
                r = r >> 1 | (out ? 0x80 : 0)
            }
            if op & 0x20 != 0 { output.append(r) }
        default:
            shiftData(c)
        }
    }

    private func idleClocks(_ n: UInt64) {
        guard jtagConnected else { return }
        chain.clocks(n, tms: tms, tdi: tdi)
    }

    private func shiftData(_ c: [UInt8]) {
        let op = c[0]
        let write = op & 0x10 != 0
        let read = op & 0x20 != 0
        let lsb = op & 0x08 != 0
        if op & 0x02 != 0 {
            let n = Int(c[1] & 0x07) + 1
            let data = write ? c[2] : 0
            var r: UInt8 = 0
            for j in 0..<n {
                if write { tdi = (lsb ? (data >> UInt8(j)) : (data >> UInt8(7 - j))) & 1 == 1 }
                let out = tick()
                r = lsb ? (r >> 1 | (out ? 0x80 : 0)) : (r << 1 | (out ? 1 : 0))
            }
            if read { output.append(r) }
            return
        }
        let len = Int(c[1]) | Int(c[2]) << 8
        let count = len + 1
        for k in 0..<count {
            let data = write ? c[3 + k] : 0
            var r: UInt8 = 0
            for j in 0..<8 {
                if write { tdi = (lsb ? (data >> UInt8(j)) : (data >> UInt8(7 - j))) & 1 == 1 }
                let out = tick()
                if out { r |= lsb ? UInt8(1) << UInt8(j) : UInt8(0x80) >> UInt8(j) }
            }
            if read { output.append(r) }
        }
    }
}
