import CZynqNetSys
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// AXI DMA v7.1 (PG021) direct-register mode: offsets and bits (zynq-facts §1).
public enum AxiDmaRegister {
    public static let dmacr: UInt64 = 0x00
    public static let dmasr: UInt64 = 0x04
    public static let address: UInt64 = 0x18
    public static let addressMSB: UInt64 = 0x1C
    public static let length: UInt64 = 0x28
    /// The S2MM block is the MM2S block plus 0x30.
    public static let s2mmOffset: UInt64 = 0x30
    public static let windowSize: UInt64 = 0x10000
}

public enum DMACR {
    public static let runStop: UInt32 = 0x1
    public static let reset: UInt32 = 0x4
    public static let iocIrqEnable: UInt32 = 0x1000
    public static let errIrqEnable: UInt32 = 0x4000
}

public enum DMASR {
    public static let halted: UInt32 = 0x1
    public static let idle: UInt32 = 0x2
    public static let internalError: UInt32 = 0x10
    public static let slaveError: UInt32 = 0x20
    public static let decodeError: UInt32 = 0x40
    public static let errorMask: UInt32 = 0x70
    public static let iocIrq: UInt32 = 0x1000
    public static let errIrq: UInt32 = 0x4000
}

extension DMAChannel {
    public var blockOffset: UInt64 { self == .mm2s ? 0 : AxiDmaRegister.s2mmOffset }
    var registerNames: (cr: String, sr: String, addr: String, len: String) {
        self == .mm2s ? ("MM2S_DMACR", "MM2S_DMASR", "MM2S_SA", "MM2S_LENGTH")
                      : ("S2MM_DMACR", "S2MM_DMASR", "S2MM_DA", "S2MM_LENGTH")
    }
}

/// What the driver must know about the DMA core as built (from the manifest / .hwh).
public struct AxiDmaConfig: Sendable, Equatable {
    public var base: UInt64
    /// `c_sg_length_width`, 8...26: the longest transfer is 2^width − 1 bytes.
    public var lengthWidth: Int
    /// Memory-map data width in bytes (8 for the 64-bit HP port).
    public var dataWidthBytes: UInt32
    /// `c_addr_width`: 32, or up to 64 (then the MSB registers are written).
    public var addressWidth: Int
    /// Whether the Data Realignment Engine is built in (then any byte address is fine).
    public var hasDRE: Bool

    public init(base: UInt64 = 0x4040_0000, lengthWidth: Int = AxiDmaFacts.defaultLengthWidth, dataWidthBytes: UInt32 = 8, addressWidth: Int = 32, hasDRE: Bool = false) {
        self.base = base
        self.lengthWidth = lengthWidth
        self.dataWidthBytes = dataWidthBytes
        self.addressWidth = addressWidth
        self.hasDRE = hasDRE
    }

    /// 2^lengthWidth − 1.
    public var maxTransferLength: UInt32 {
        lengthWidth >= 32 ? UInt32.max : (UInt32(1) << UInt32(lengthWidth)) - 1
    }

    public var window: MemoryWindow { MemoryWindow(name: "axi_dma", base: base, size: AxiDmaRegister.windowSize) }

    public func validate() throws(ZynqError) {
        guard AxiDmaFacts.lengthWidthRange.contains(lengthWidth) else {
            throw ZynqError(key: "dma_length_width", "must be \(AxiDmaFacts.lengthWidthRange) (PG021), got \(lengthWidth)")
        }
        guard dataWidthBytes.nonzeroBitCount == 1, dataWidthBytes >= 4, dataWidthBytes <= 128 else {
            throw ZynqError(key: "dma_data_width", "must be a power of two of at least 32 bits, got \(dataWidthBytes * 8) bits")
        }
        guard (32...64).contains(addressWidth) else { throw ZynqError(key: "dma_addr_width", "must be 32...64, got \(addressWidth)") }
    }
}

/// Something a poll loop asks "should I stop now?" — the SIGINT flag, or a test's own flag.
public final class InterruptFlag: @unchecked Sendable {
    private let check: @Sendable () -> Bool
    public init(_ check: @escaping @Sendable () -> Bool) { self.check = check }
    public var isSet: Bool { check() }

    /// The process-wide SIGINT flag (set by the handler `installSIGINTHandler()` installs).
    public static let sigint = InterruptFlag { zn_interrupted() != 0 }
    public static let never = InterruptFlag { false }

    public static func installSIGINTHandler() { zn_install_sigint_handler() }
    /// Clears the process-wide flag (after the interrupted batch was cleaned up).
    public static func clearSIGINT() { zn_set_interrupted(0) }
    public static func raiseSIGINTFlag() { zn_set_interrupted(1) }
}

/// Decodes DMASR error bits into one message.
public func describeDMAStatus(_ status: UInt32) -> String {
    var parts: [String] = []
    if status & DMASR.internalError != 0 { parts.append("DMAIntErr (DataMover internal error: transfer length 0, or an S2MM buffer shorter than the packet?)") }
    if status & DMASR.slaveError != 0 { parts.append("DMASlvErr (DataMover slave error: the memory side refused the access)") }
    if status & DMASR.decodeError != 0 { parts.append("DMADecErr (DataMover decode error: invalid address)") }
    if parts.isEmpty { parts.append("no error bits") }
    var flags: [String] = []
    if status & DMASR.halted != 0 { flags.append("Halted") }
    if status & DMASR.idle != 0 { flags.append("Idle") }
    return parts.joined(separator: "; ") + " [status \(hex(status))\(flags.isEmpty ? "" : " " + flags.joined(separator: ","))]"
}

/// The AXI DMA driver in direct-register mode, exactly per zynq-facts §1.4/§1.5.
public final class AxiDma {
    public let bus: any RegisterBus
    public let config: AxiDmaConfig
    let system: any SystemCalls
    public let interrupt: InterruptFlag
    /// Polls of the reset bit allowed besides the time limit (the Xilinx driver: 500).
    public var resetTimeoutNanoseconds: UInt64 = 100_000_000

    public init(bus: any RegisterBus, config: AxiDmaConfig, system: any SystemCalls = LiveSystem(), interrupt: InterruptFlag = .sigint) throws(ZynqError) {
        try config.validate()
        self.bus = bus
        self.config = config
        self.system = system
        self.interrupt = interrupt
    }

    @inline(__always) func address(_ ch: DMAChannel, _ reg: UInt64) -> UInt64 { config.base + ch.blockOffset + reg }

    public func status(_ ch: DMAChannel) throws(ZynqError) -> UInt32 { try bus.read32(address(ch, AxiDmaRegister.dmasr)) }
    public func control(_ ch: DMAChannel) throws(ZynqError) -> UInt32 { try bus.read32(address(ch, AxiDmaRegister.dmacr)) }

    /// Soft reset of the whole core: write 0x4 to MM2S_DMACR, poll until the Reset bit
    /// self-clears on both channels (bounded by `resetTimeoutNanoseconds`), then check
    /// both channels are halted with no error bits.
    public func reset() throws(ZynqError) {
        try bus.write32(address(.mm2s, AxiDmaRegister.dmacr), DMACR.reset)
        let deadline = system.monotonicNanoseconds() &+ resetTimeoutNanoseconds
        var polls = 0
        while true {
            let a = try control(.mm2s), b = try control(.s2mm)
            if a & DMACR.reset == 0 && b & DMACR.reset == 0 { break }
            polls += 1
            if system.monotonicNanoseconds() > deadline && polls >= 2 {
                throw ZynqError(key: "MM2S_DMACR", "AXI DMA at \(hex(config.base)): soft reset did not self-clear within \(resetTimeoutNanoseconds / 1_000_000) ms (DMACR \(hex(a)) / \(hex(b)))",
                                reason: .dma(channel: a & DMACR.reset != 0 ? .mm2s : .s2mm, problem: .resetStuck, status: a & DMACR.reset != 0 ? a : b))
            }
        }
        for ch in [DMAChannel.mm2s, .s2mm] {
            let s = try status(ch)
            if s & DMASR.errorMask != 0 || s & DMASR.halted == 0 {
                throw ZynqError(key: ch.registerNames.sr, "AXI DMA at \(hex(config.base)): not halted and clean after reset: \(describeDMAStatus(s))",
                                reason: .dma(channel: ch, problem: .notCleanAfterReset, status: s))
            }
        }
    }

    /// Checks a transfer before it is started: length in 1...max, alignment (no DRE), and the
    /// range fits the DMA's address width.
    public func checkTransfer(_ ch: DMAChannel, address: UInt64, length: UInt32) throws(ZynqError) {
        let names = ch.registerNames
        guard length >= 1 else { throw ZynqError(key: names.len, "\(ch) transfer length 0 is not allowed") }
        guard length <= config.maxTransferLength else {
            throw ZynqError(key: names.len, "\(ch) transfer of \(length) bytes exceeds the DMA's maximum \(config.maxTransferLength) (2^\(config.lengthWidth) − 1, dma_length_width)")
        }
        if !config.hasDRE && address & UInt64(config.dataWidthBytes - 1) != 0 {
            throw ZynqError(key: names.addr, "\(ch) address \(hex(address)) is not aligned to the \(config.dataWidthBytes)-byte memory data width (the DMA has no DRE)")
        }
        let limit: UInt64 = config.addressWidth >= 64 ? UInt64.max : (UInt64(1) << UInt64(config.addressWidth))
        guard address < limit, UInt64(length) <= limit - address else {
            throw ZynqError(key: names.addr, "\(ch) range \(hex(address))+\(length) exceeds the DMA's \(config.addressWidth)-bit addressing")
        }
    }

    /// Starts one transfer: address (+MSB only above 32-bit addressing), RS by
    /// read-modify-write (waiting until the channel leaves Halted), LENGTH last.
    public func start(_ ch: DMAChannel, address: UInt64, length: UInt32, timeoutNanoseconds: UInt64 = 100_000_000) throws(ZynqError) {
        try checkTransfer(ch, address: address, length: length)
        let names = ch.registerNames
        let s = try status(ch)
        if s & DMASR.errorMask != 0 {
            throw ZynqError(key: names.sr, "\(ch) has error bits from an earlier transfer (reset needed): \(describeDMAStatus(s))",
                            reason: .dma(channel: ch, problem: .dirty, status: s))
        }
        if s & DMASR.halted == 0 && s & DMASR.idle == 0 {
            throw ZynqError(key: names.sr, "\(ch) is busy with another transfer: \(describeDMAStatus(s))",
                            reason: .dma(channel: ch, problem: .busy, status: s))
        }
        try bus.write32(self.address(ch, AxiDmaRegister.address), UInt32(truncatingIfNeeded: address))
        if config.addressWidth > 32 {
            try bus.write32(self.address(ch, AxiDmaRegister.addressMSB), UInt32(truncatingIfNeeded: address >> 32))
        }
        let cr = try control(ch)
        if cr & DMACR.runStop == 0 {
            try bus.write32(self.address(ch, AxiDmaRegister.dmacr), cr | DMACR.runStop)
        }
        let deadline = system.monotonicNanoseconds() &+ timeoutNanoseconds
        var polls = 0
        while true {
            let st = try status(ch)
            if st & DMASR.halted == 0 { break }
            if st & DMASR.errorMask != 0 { throw ZynqError(key: names.sr, "\(ch) did not start: \(describeDMAStatus(st))",
                                                                       reason: .dma(channel: ch, problem: .didNotStart, status: st)) }
            polls += 1
            if polls >= 2 && system.monotonicNanoseconds() > deadline {
                throw ZynqError(key: names.sr, "\(ch) stayed Halted after RS=1: \(describeDMAStatus(st))",
                                reason: .dma(channel: ch, problem: .didNotStart, status: st))
            }
        }
        zn_barrier()
        try bus.write32(self.address(ch, AxiDmaRegister.length), length)
    }

    /// Polls DMASR until Idle, an error bit, the deadline (absolute monotonic ns) or an interrupt.
    public func wait(_ ch: DMAChannel, deadline: UInt64) throws(ZynqError) {
        let names = ch.registerNames
        var polls = 0
        while true {
            let st = try status(ch)
            if st & DMASR.errorMask != 0 {
                throw ZynqError(key: names.sr, "\(ch) transfer failed: \(describeDMAStatus(st))",
                                reason: .dma(channel: ch, problem: .errorBits, status: st))
            }
            if st & DMASR.idle != 0 { zn_barrier(); return }
            polls += 1
            if interrupt.isSet {
                throw ZynqError(key: "SIGINT", "interrupted while waiting for the \(ch) transfer", reason: .interrupted)
            }
            if polls >= 2 && system.monotonicNanoseconds() > deadline {
                throw ZynqError(key: names.sr, "\(ch) transfer did not finish in time: \(describeDMAStatus(st))",
                                reason: .dma(channel: ch, problem: .timedOut, status: st))
            }
        }
    }

    /// Whether a channel reports Idle now (no error check).
    public func isIdle(_ ch: DMAChannel) throws(ZynqError) -> Bool { try status(ch) & DMASR.idle != 0 }

    /// S2MM_LENGTH after completion: the bytes actually written.
    public func s2mmBytesTransferred() throws(ZynqError) -> UInt32 {
        try bus.read32(address(.s2mm, AxiDmaRegister.length))
    }

    /// Checks the S2MM byte count against the expected one.
    public func checkS2MMBytes(expected: UInt32) throws(ZynqError) {
        let got = try s2mmBytesTransferred()
        if got != expected {
            throw ZynqError(key: "S2MM_LENGTH", "S2MM wrote \(got) bytes, expected \(expected) (the accelerator sent TLAST early or late)",
                            reason: .accelerator(.outputLength(written: got, expected: expected)))
        }
    }
}
