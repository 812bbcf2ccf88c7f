import ZynqNetBase
import ZynqNetBit

/// The PL TAP of a Zynq-7000 on a scan chain, and SRAM configuration over JTAG exactly as
/// openFPGALoader's `Xilinx::program_mem` does it (zynq-facts.md §4.3, §4.4).
public final class ZynqPL {
    /// 6-bit 7-series configuration instructions.
    public enum Instruction: UInt64, Sendable {
        case cfgOut = 0x04, cfgIn = 0x05, idcode = 0x09, jprogram = 0x0B, jstart = 0x0C, jshutdown = 0x0D, bypass = 0x3F
    }

    /// The IR capture value: bits 1:0 = 01, then ISC_DONE, ISC_ENABLED, INIT, DONE.
    public struct Status: Sendable, Equatable, CustomStringConvertible {
        public var raw: UInt8
        public var valid: Bool { raw & 0x03 == 0x01 }
        public var iscDone: Bool { raw & 0x04 != 0 }
        public var iscEnabled: Bool { raw & 0x08 != 0 }
        public var initComplete: Bool { raw & 0x10 != 0 }
        public var done: Bool { raw & 0x20 != 0 }
        public var description: String {
            let bits = (0..<6).reversed().map { (raw >> UInt8($0)) & 1 == 1 ? "1" : "0" }.joined()
            return "IR capture 0b\(bits) (INIT \(initComplete ? 1 : 0), DONE \(done ? 1 : 0))"
        }
    }

    /// What a programming run measured.
    public struct Report: Sendable, Equatable {
        public var payloadBytes: UInt64
        public var seconds: Double
        public var tckHz: UInt32
        public var initPolls: Int
        public var status: Status
        /// Payload bits per second over the CFG_IN shift.
        public var bitsPerSecond: Double { seconds > 0 ? Double(payloadBytes) * 8 / seconds : 0 }
    }

    /// Timing knobs (defaults from openFPGALoader).
    public struct Timing: Sendable {
        /// Run-Test/Idle clocks after INIT rose (10000 × 12).
        public var clearClocks: UInt64 = 120_000
        /// Startup clocks after JSTART.
        public var startupClocks: UInt64 = 2000
        /// Run-Test/Idle clocks between two INIT polls.
        public var clocksPerInitPoll: UInt64 = 1000
        /// Give up waiting for INIT after this many polls and at least `initTimeoutSeconds`.
        public var maxInitPolls = 2000
        public var initTimeoutSeconds = 2.0
        public init() {}
    }

    /// Upper bound for a payload shifted over JTAG (64 MiB).
    public static let maxPayloadBytes = 64 << 20

    public let jtag: JTAG
    public let chain: JTAGChain
    public let index: Int
    public var faults: DriverFaults
    public var timing = Timing()

    /// Finds the PL TAP on a scanned chain.
    public init(jtag: JTAG, chain: JTAGChain, faults: DriverFaults = DriverFaults()) throws {
        guard let k = chain.devices.firstIndex(where: { BitPart.zynqDevice(idcode: $0.idcode) != nil }) else {
            throw JTAGError.chain("no Zynq-7000 PL TAP on the chain (found: \(chain.devices.map(\.description).joined(separator: ", ")))")
        }
        self.jtag = jtag
        self.chain = chain
        self.index = k
        self.faults = faults
    }

    /// The expected Zynq-7000 chain: the ARM DAP nearest TDI, then the PL TAP of `device`
    /// (e.g. "7z020") nearest TDO. Throws a message that names what was found instead.
    public static func checkChain(_ chain: JTAGChain, device: String) throws {
        let ids = chain.devices.map(\.idcode)
        let found = chain.devices.map(\.description).joined(separator: ", ")
        guard ids.count == 2, ids[0] & 0x0FFF_FFFF == 0x0BA0_0477 else {
            throw JTAGError.chain("expected the ARM DAP (0x4BA00477) then the xc\(device) PL, found \(ids.count) device(s): \(found)")
        }
        guard let plDevice = BitPart.zynqDevice(idcode: ids[1]) else {
            throw JTAGError.chain("second TAP is not a Zynq-7000 PL: \(found)")
        }
        guard plDevice == device else {
            throw JTAGError.chain("the board's PL is xc\(plDevice) (IDCODE 0x\(Hex.upper(ids[1], digits: 8))), not xc\(device)")
        }
    }

    public var device: ChainDevice { chain.devices[index] }

    /// Shifts a PL instruction (other TAPs in BYPASS), ends in `end`; returns the PL's IR capture.
    @discardableResult
    public func shiftIR(_ i: Instruction, end: TAPState = .runTestIdle) throws -> Status {
        jtag.go(to: .shiftIR)
        let bits = chain.irBits(i.rawValue, device: index, faults: faults)
        guard let tdo = try jtag.shift(bits, read: true, end: end) else { return Status(raw: 0) }
        let off = chain.irCaptureOffset(device: index)
        guard off + 6 <= tdo.count else { return Status(raw: 0) }
        return Status(raw: UInt8(truncatingIfNeeded: tdo.slice(off..<(off + 6)).value))
    }

    /// IDCODE through the IDCODE instruction (a check that IR/DR selection works).
    public func readIDCode() throws -> UInt32 {
        jtag.reset()
        try shiftIR(.idcode)
        jtag.go(to: .shiftDR)
        guard let tdo = try jtag.shift(chain.drBits(BitString(repeating: false, count: 32), device: index, faults: faults), read: true, end: .runTestIdle)
        else { return 0 }
        let off = chain.drCaptureOffset(device: index)
        guard off + 32 <= tdo.count else { return 0 }
        return UInt32(truncatingIfNeeded: tdo.slice(off..<(off + 32)).value)
    }

    /// The current status (IR capture while shifting BYPASS).
    public func status() throws -> Status {
        try shiftIR(.bypass)
    }

    /// Configures the PL with `bit`'s payload. Before anything is shifted, the bitstream's
    /// IDCODE (if it writes one) must match this PL. `progress(sent, total)` is called in
    /// payload bytes during the CFG_IN shift.
    public func program(_ bit: BitFile, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> Report {
        // The largest 7-series bitstreams are tens of MiB; this bound also keeps bit counts
        // (bytes × 8) far inside a 32-bit Int.
        guard bit.payload.count <= ZynqPL.maxPayloadBytes else {
            throw JTAGError.program("the payload of \(bit.payload.count) bytes is larger than any Zynq-7000 bitstream (\(ZynqPL.maxPayloadBytes) bytes)")
        }
        let summary = ConfigPackets.summarize(bit.payload)
        if let id = summary.idcode, id & 0x0FFF_FFFF != device.idcode & 0x0FFF_FFFF {
            let bitDevice = BitPart.zynqDevice(idcode: id).map { "xc" + $0 } ?? "an unknown device"
            throw JTAGError.program("the bitstream is for \(bitDevice) (IDCODE 0x\(Hex.upper(id, digits: 8))) but the PL is \(device.name) (0x\(Hex.upper(device.idcode, digits: 8))); nothing was programmed")
        }
        // 1–2: Test-Logic-Reset, JPROGRAM.
        jtag.reset()
        try shiftIR(.jprogram)
        // 3: wait for INIT (configuration memory cleared).
        var polls = 0
        if !faults.noInitWait {
            let start = monotonicSeconds()
            while true {
                jtag.idle(timing.clocksPerInitPoll)
                let s = try shiftIR(.bypass)
                polls += 1
                if s.valid && s.initComplete { break }
                if polls >= timing.maxInitPolls && monotonicSeconds() - start >= timing.initTimeoutSeconds {
                    throw JTAGError.program("INIT did not rise after JPROGRAM (\(polls) polls, last \(s)); is the board in JTAG boot mode and powered?")
                }
            }
        }
        // 4: Run-Test/Idle clocks.
        jtag.go(to: .runTestIdle)
        jtag.idle(timing.clearClocks)
        // 5–6: CFG_IN, then the payload (bit-reversed bytes, MSB of each byte first on the wire).
        try shiftIR(.cfgIn)
        let data = faults.noBitReversal ? bit.payload : bit.jtagPayload
        let bits = chain.drBits(BitString(bytes: data, count: data.count * 8), device: index, faults: faults)
        let total = UInt64(data.count)
        jtag.go(to: .shiftDR)
        try jtag.flush()
        let start = monotonicSeconds()
        // Byte k of `bits` carries payload byte k − (bypass bits before the data)/8; report in payload bytes.
        try jtag.shift(bits, read: false, end: .runTestIdle) { sentBytes in
            progress?(min(total, UInt64(sentBytes)), total)
        }
        try jtag.flush()
        let seconds = monotonicSeconds() - start
        progress?(total, total)
        // 8–9: JSTART and the startup clocks.
        try shiftIR(.jstart)
        jtag.go(to: .runTestIdle)
        if !faults.noStartupClocks { jtag.idle(timing.startupClocks) }
        // 10–11: Test-Logic-Reset, then DONE from the IR capture.
        jtag.reset()
        let s = try shiftIR(.bypass)
        jtag.reset()
        try jtag.flush()
        let report = Report(payloadBytes: total, seconds: seconds, tckHz: jtag.mpsse.frequencyHz, initPolls: polls, status: s)
        guard s.valid else {
            throw JTAGError.program("the PL's IR capture reads \(s), not xxxx01: the scan chain is not answering as expected")
        }
        guard s.done else {
            throw JTAGError.program("DONE stayed low after JSTART (\(s)): the PL did not accept the bitstream")
        }
        return report
    }
}
