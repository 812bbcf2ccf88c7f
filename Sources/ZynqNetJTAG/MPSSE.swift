import ZynqNetBase
import ZynqNetBit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pin set-up of a board's FTDI JTAG interface: ADBUS (low byte) and ACBUS (high byte)
/// initial values and directions (1 = output), from board data (zynq-facts.md §4.1).
public struct FTDIPins: Sendable, Equatable {
    public var lowValue: UInt8
    public var lowDirection: UInt8
    public var highValue: UInt8
    public var highDirection: UInt8

    public init(lowValue: UInt8, lowDirection: UInt8, highValue: UInt8, highDirection: UInt8) {
        self.lowValue = lowValue
        self.lowDirection = lowDirection
        self.highValue = highValue
        self.highDirection = highDirection
    }

    /// ADBUS0 TCK, ADBUS1 TDI, ADBUS2 TDO, ADBUS3 TMS.
    public static let tck: UInt8 = 0x01, tdi: UInt8 = 0x02, tdo: UInt8 = 0x04, tms: UInt8 = 0x08
}

/// Deliberate driver bugs, for proving that the simulated board catches them. Never set
/// outside tests.
public struct DriverFaults: Sendable, Equatable {
    /// Keep the 2 modem-status bytes of each 512-byte packet in the data.
    public var keepStatusBytes = false
    /// Strip the status bytes of the first packet of each transfer only.
    public var stripFirstPacketOnly = false
    /// Shift the payload bytes as stored (no bit reversal).
    public var noBitReversal = false
    /// Forget the 4 BYPASS ones of the ARM DAP in every IR shift.
    public var noIRBypassBits = false
    /// Forget the DAP's 1-bit bypass register in every DR shift.
    public var noDRBypassBit = false
    /// Go on after JPROGRAM without waiting for INIT.
    public var noInitWait = false
    /// Skip the 2000 TCK startup clocks after JSTART.
    public var noStartupClocks = false

    public init() {}
}

/// FTDI MPSSE over a `USBTransport`: set-up (reset, purge, latency timer, MPSSE bit mode,
/// clock, pins), a command buffer, and reads with the modem-status bytes stripped
/// (zynq-facts.md §4.5, §4.6).
public final class MPSSE {
    public let transport: USBTransport
    public let interface: FTDI.Interface
    public let faults: DriverFaults
    public var timeoutMs: UInt32 = 5000
    /// The TCK frequency after the divisor was set.
    public private(set) var frequencyHz: UInt32 = 0
    private var pending: [UInt8] = []
    /// Bytes received beyond what the last read asked for (kept for the next read).
    private var received: [UInt8] = []
    /// Total bytes written to the chip (commands + data), for rate statistics.
    public private(set) var bytesWritten: UInt64 = 0

    /// Flush the command buffer when it reaches this size.
    public static let writeChunk = 64 * 1024 + 64

    public init(transport: USBTransport, interface: FTDI.Interface = .a, faults: DriverFaults = DriverFaults()) {
        self.transport = transport
        self.interface = interface
        self.faults = faults
    }

    /// The divisor for 0x86 and the TCK it gives: 60 MHz / (2·(1 + d)) with the ÷5 prescaler off.
    /// Picks the fastest TCK not above `hz` (at most 30 MHz, at least 60 MHz/131072).
    public static func divisor(forHz hz: UInt32) -> (divisor: UInt16, actualHz: UInt32) {
        let base: UInt64 = 30_000_000
        let want = UInt64(max(hz, 1))
        var d = (base + want - 1) / want  // ceil: 1 + d ≥ base/want
        d = max(1, min(d, 65536))
        return (UInt16(d - 1), UInt32(base / d))
    }

    /// The set-up sequence of openFPGALoader's FTDIpp_MPSSE::init + setClkFreq, then a
    /// bad-command echo check that the command stream is in sync.
    public func open(pins: FTDIPins, frequencyHz: UInt32, latencyMs: UInt8 = 2) throws {
        let i = interface.index
        try transport.controlOut(request: FTDI.requestReset, value: FTDI.resetSIO, index: i, timeoutMs: timeoutMs)
        try transport.controlOut(request: FTDI.requestSetBitmode, value: UInt16(FTDI.bitmodeReset) << 8, index: i, timeoutMs: timeoutMs)
        try transport.controlOut(request: FTDI.requestReset, value: FTDI.purgeRX, index: i, timeoutMs: timeoutMs)
        try transport.controlOut(request: FTDI.requestReset, value: FTDI.purgeTX, index: i, timeoutMs: timeoutMs)
        try transport.controlOut(request: FTDI.requestSetLatencyTimer, value: UInt16(max(1, latencyMs)), index: i, timeoutMs: timeoutMs)
        try transport.controlOut(request: FTDI.requestSetBitmode, value: UInt16(FTDI.bitmodeMPSSE) << 8 | UInt16(pins.lowDirection), index: i, timeoutMs: timeoutMs)
        // Drop stale bytes (a previous program may have left answers in the chip).
        _ = try transport.bulkRead(endpoint: interface.inEndpoint, max: transport.maxPacketSize, timeoutMs: 10)
        received.removeAll()

        try synchronize()
        let (div, actual) = MPSSE.divisor(forHz: frequencyHz)
        // ÷5 off, adaptive clocking off, 3-phase clocking off, loopback off, divisor, pins.
        append([0x8A, 0x97, 0x8D, 0x85, 0x86, UInt8(div & 0xFF), UInt8(div >> 8)])
        append([0x80, pins.lowValue, pins.lowDirection, 0x82, pins.highValue, pins.highDirection])
        try flush()
        self.frequencyHz = actual
    }

    /// Sends the bad opcodes 0xAA and 0xAB and expects the chip's `FA AA FA AB` answer
    /// (the AN135 synchronisation check).
    public func synchronize() throws {
        append([0xAA, 0xAB])
        let answer = try read(count: 4)
        guard answer == [0xFA, 0xAA, 0xFA, 0xAB] else {
            throw USBError.failed("FTDI MPSSE is out of sync: sent bad commands AA AB, expected FA AA FA AB, got " + answer.map { Hex.upper($0, digits: 2) }.joined(separator: " "))
        }
    }

    /// Queues command bytes; flushes when the buffer is large.
    public func append(_ bytes: [UInt8]) {
        pending += bytes
    }

    public var pendingCount: Int { pending.count }

    /// Sends the queued commands.
    public func flush() throws {
        if pending.isEmpty { return }
        if pending.count <= MPSSE.writeChunk {
            // The common case (JTAG.shift flushes every data command): send the buffer as it is.
            let n = try transport.bulkWrite(endpoint: interface.outEndpoint, data: pending, timeoutMs: timeoutMs)
            guard n == pending.count else { throw USBError.failed("short bulk write: \(n) of \(pending.count) bytes") }
            bytesWritten &+= UInt64(n)
            pending.removeAll(keepingCapacity: true)
            return
        }
        var start = 0
        while start < pending.count {
            let end = min(pending.count, start + MPSSE.writeChunk)
            let chunk = Array(pending[start..<end])
            let n = try transport.bulkWrite(endpoint: interface.outEndpoint, data: chunk, timeoutMs: timeoutMs)
            guard n == chunk.count else {
                throw USBError.failed("short bulk write: \(n) of \(chunk.count) bytes")
            }
            bytesWritten &+= UInt64(n)
            start = end
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Appends SEND_IMMEDIATE, sends everything queued and reads exactly `count` data bytes.
    public func read(count: Int) throws -> [UInt8] {
        append([0x87])
        try flush()
        let deadline = monotonicSeconds() + Double(timeoutMs) / 1000
        while received.count < count {
            let want = max(transport.maxPacketSize, min(64 * 1024, ((count - received.count) / 510 + 1) * transport.maxPacketSize))
            let raw = try transport.bulkRead(endpoint: interface.inEndpoint, max: want, timeoutMs: timeoutMs)
            received += stripStatus(raw)
            if received.count < count && monotonicSeconds() > deadline {
                throw USBError.timeout("expected \(count) bytes from the FTDI chip, got \(received.count)")
            }
        }
        let out = Array(received[0..<count])
        received.removeFirst(count)
        return out
    }

    /// Removes the 2 modem-status bytes that start every max-packet-size chunk of a transfer.
    func stripStatus(_ raw: [UInt8]) -> [UInt8] {
        if faults.keepStatusBytes { return raw }
        let packet = max(transport.maxPacketSize, 3)
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var p = 0
        while p < raw.count {
            let end = min(raw.count, p + packet)
            if end - p > 2 { out += raw[(p + 2)..<end] }
            if faults.stripFirstPacketOnly {
                if end < raw.count { out += raw[end...] }
                break
            }
            p = end
        }
        return out
    }
}


func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
