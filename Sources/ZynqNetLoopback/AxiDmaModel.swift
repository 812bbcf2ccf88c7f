import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// The stream side of a loopback peripheral, as the AXI DMA model sees it (64-bit beats).
public protocol LoopbackStreamEndpoint: AnyObject {
    /// s_axis_tready: whether one more input beat is accepted now.
    func inputReady() -> Bool
    func acceptInputBeat(_ data: UInt64, last: Bool)
    /// m_axis_tvalid with tdata/tlast: the next output beat, if any.
    func peekOutputBeat() -> (data: UInt64, last: Bool)?
    func popOutputBeat()
}

/// Where a data mover's channels stand (see `DMADataMover`).
public struct DMAMoverProgress: Sendable, Equatable {
    /// Bytes MM2S has handed to the stream, and whether that was its last byte.
    public var mm2sBytes: UInt64 = 0
    public var mm2sDone = false
    /// Bytes S2MM has written; whether TLAST arrived; whether a beat arrived with no room left.
    public var s2mmBytes: UInt64 = 0
    public var s2mmLast = false
    public var s2mmOverflow = false
    /// The mover cannot go on (e.g. the simulated peripheral broke the stream protocol): every
    /// active channel ends with DMAIntErr.
    public var failure: String?

    public init(mm2sBytes: UInt64 = 0, mm2sDone: Bool = false, s2mmBytes: UInt64 = 0, s2mmLast: Bool = false, s2mmOverflow: Bool = false,
                failure: String? = nil) {
        self.mm2sBytes = mm2sBytes
        self.mm2sDone = mm2sDone
        self.s2mmBytes = s2mmBytes
        self.s2mmLast = s2mmLast
        self.s2mmOverflow = s2mmOverflow
        self.failure = failure
    }
}

/// Moves the data of started transfers itself, in simulated time (e.g. the streams of a
/// Verilated RTL model, cycle by cycle), while `AxiDmaModel` keeps the register semantics:
/// the model starts and stops channels and turns the reported progress into Idle, IOC, the
/// S2MM byte count and error bits. Set `AxiDmaModel.mover` to use one instead of `stream`.
public protocol DMADataMover: AnyObject {
    /// A transfer started (LENGTH written): MM2S sends `length` bytes from `memory` with TLAST
    /// on the last beat; S2MM writes beats into `memory` (room for `length` bytes) until TLAST.
    func start(_ ch: DMAChannel, memory: UnsafeMutableRawPointer, length: UInt64)
    /// The channel stops at once (reset, error, RS cleared, hang injected).
    func stop(_ ch: DMAChannel)
    /// Moves data until a started channel finishes or the mover decides to return (nothing can
    /// move, its time budget); then reports both channels.
    func advance() -> DMAMoverProgress
}

/// A strict model of AXI DMA v7.1 in direct-register mode (PG021 as summarised in
/// zynq-facts §1): reset self-clears after a few reads, Halted/Idle, LENGTH written last
/// starts a transfer, LENGTH written while halted is ignored, error bits for length 0,
/// unmapped addresses (DMADecErr) and misalignment, S2MM byte count written back, an S2MM
/// buffer shorter than the packet is an error, and error bits hold the channel halted
/// until a reset. Every driver mistake it notices is also recorded in `violations`.
public final class AxiDmaModel {
    struct Channel {
        var dmacr: UInt32 = 0x0001_0002
        var dmasr: UInt32 = DMASR.halted
        var address: UInt32 = 0
        var addressMSB: UInt32 = 0
        var length: UInt32 = 0
        var active = false
        var progress: UInt64 = 0
        var total: UInt64 = 0
        var pointer: UnsafeMutableRawPointer? = nil
        var hang = false
        var injectedError: UInt32 = 0
    }

    public let config: AxiDmaConfig
    let memory: LoopbackMemory
    #if hasFeature(Embedded)
    var stream: (any LoopbackStreamEndpoint)?  // Embedded Swift has no weak: a cycle the process's end frees
    #else
    weak var stream: (any LoopbackStreamEndpoint)?
    #endif
    /// When set, moves the data instead of `stream` (see `DMADataMover`).
    public var mover: (any DMADataMover)?
    var mm2s = Channel()
    var s2mm = Channel()
    var resetReadsLeft = 0
    /// How many DMACR reads still show the Reset bit after a reset is requested.
    public var resetDelayReads = 3
    /// Driver mistakes the model noticed (empty for a correct driver).
    public private(set) var violations: [String] = []
    /// Why the last error bit was set.
    public private(set) var lastError: String?
    public private(set) var resets = 0
    public private(set) var completedTransfers = (mm2s: 0, s2mm: 0)

    public init(config: AxiDmaConfig, memory: LoopbackMemory) {
        self.config = config
        self.memory = memory
    }

    /// The state a crashed earlier run leaves behind: both channels halted with error bits,
    /// which only a soft reset clears.
    public func makeDirty() {
        for ch in [DMAChannel.mm2s, .s2mm] {
            modify(ch) { c in
                c.dmasr = DMASR.halted | DMASR.internalError | DMASR.errIrq
                c.dmacr = 0x0001_0002
                c.active = false
            }
        }
    }

    // MARK: Fault injection

    /// The next transfer started on `ch` ends at once with these DMASR error bits.
    public func injectError(_ ch: DMAChannel, bits: UInt32) { modify(ch) { $0.injectedError = bits & DMASR.errorMask } }
    /// The channel stops moving data and never goes Idle, until the next reset.
    public func injectHang(_ ch: DMAChannel) {
        modify(ch) { $0.hang = true }
        mover?.stop(ch)
    }

    // MARK: Registers

    func modify(_ ch: DMAChannel, _ body: (inout Channel) -> Void) {
        if ch == .mm2s { body(&mm2s) } else { body(&s2mm) }
    }

    func channel(_ ch: DMAChannel) -> Channel { ch == .mm2s ? mm2s : s2mm }

    public func read(offset: UInt64) -> UInt32 {
        let ch: DMAChannel = offset >= AxiDmaRegister.s2mmOffset ? .s2mm : .mm2s
        let reg = offset - ch.blockOffset
        let c = channel(ch)
        switch reg {
        case AxiDmaRegister.dmacr:
            if resetReadsLeft > 0 {
                resetReadsLeft -= 1
                return c.dmacr | DMACR.reset
            }
            return c.dmacr
        case AxiDmaRegister.dmasr: return c.dmasr
        case AxiDmaRegister.address: return c.address
        case AxiDmaRegister.addressMSB: return config.addressWidth > 32 ? c.addressMSB : 0
        case AxiDmaRegister.length: return c.length
        default: return 0
        }
    }

    public func write(offset: UInt64, value: UInt32) {
        let ch: DMAChannel = offset >= AxiDmaRegister.s2mmOffset ? .s2mm : .mm2s
        let reg = offset - ch.blockOffset
        if resetReadsLeft > 0 {
            violations.append("\(ch) register \(hex(offset)) written while the soft reset is still in progress (ignored)")
            return
        }
        switch reg {
        case AxiDmaRegister.dmacr: writeControl(ch, value)
        case AxiDmaRegister.dmasr:
            modify(ch) { $0.dmasr &= ~(value & (DMASR.iocIrq | 0x2000 | DMASR.errIrq)) }
        case AxiDmaRegister.address:
            if channel(ch).active {
                violations.append("\(ch) address written while a transfer is running")
                fail(ch, DMASR.internalError, "\(ch) address register written during a transfer")
                return
            }
            modify(ch) { $0.address = value }
        case AxiDmaRegister.addressMSB:
            if config.addressWidth > 32 { modify(ch) { $0.addressMSB = value } }
        case AxiDmaRegister.length: writeLength(ch, value)
        default:
            violations.append("write to reserved DMA register \(hex(offset))")
        }
    }

    func writeControl(_ ch: DMAChannel, _ value: UInt32) {
        if value & DMACR.reset != 0 {
            reset()
            return
        }
        let writable: UInt32 = DMACR.runStop | 0x8 | 0x10 | 0x1000 | 0x2000 | 0x4000 | 0xFFFF_0000
        var c = channel(ch)
        let wasRunning = c.dmacr & DMACR.runStop != 0
        c.dmacr = (value & writable) | 0x2
        if value & DMACR.runStop != 0 {
            if c.dmasr & DMASR.errorMask != 0 {
                // PG021: after an error the channel stays halted; only a reset recovers it.
                c.dmacr &= ~DMACR.runStop
                violations.append("\(ch) RS set while error bits are pending (a soft reset is needed)")
            } else {
                c.dmasr &= ~DMASR.halted
            }
        } else if wasRunning {
            c.dmasr |= DMASR.halted
            if c.active { mover?.stop(ch) }
            c.active = false
        }
        if ch == .mm2s { mm2s = c } else { s2mm = c }
    }

    public func reset() {
        mover?.stop(.mm2s)
        mover?.stop(.s2mm)
        mm2s = Channel()
        s2mm = Channel()
        resetReadsLeft = resetDelayReads
        resets += 1
    }

    func writeLength(_ ch: DMAChannel, _ raw: UInt32) {
        let value = raw & config.maxTransferLength
        var c = channel(ch)
        if c.dmasr & DMASR.halted != 0 {
            violations.append("\(ch) LENGTH written while halted (ignored, PG021)")
            return
        }
        if c.active {
            violations.append("\(ch) LENGTH written while a transfer is running")
            fail(ch, DMASR.internalError, "\(ch) LENGTH written during a transfer")
            return
        }
        c.length = value
        if ch == .mm2s { mm2s = c } else { s2mm = c }
        if value == 0 {
            fail(ch, DMASR.internalError, "\(ch) transfer length 0")
            return
        }
        let addr = (config.addressWidth > 32 ? UInt64(c.addressMSB) << 32 : 0) | UInt64(c.address)
        if !config.hasDRE && addr & UInt64(config.dataWidthBytes - 1) != 0 {
            fail(ch, DMASR.internalError, "\(ch) address \(hex(addr)) not aligned to \(config.dataWidthBytes) bytes without DRE")
            return
        }
        guard let p = memory.resolve(addr, length: UInt64(value)) else {
            fail(ch, DMASR.decodeError, "\(ch) range \(hex(addr))+\(value) is not memory")
            return
        }
        if c.injectedError != 0 {
            let bits = c.injectedError
            modify(ch) { $0.injectedError = 0 }
            fail(ch, bits, "injected \(ch) error")
            return
        }
        modify(ch) {
            $0.active = true
            $0.progress = 0
            $0.total = UInt64(value)
            $0.pointer = p
            $0.dmasr &= ~DMASR.idle
        }
        if let mover, !c.hang { mover.start(ch, memory: p, length: UInt64(value)) }
        pump()
    }

    func fail(_ ch: DMAChannel, _ bits: UInt32, _ reason: String) {
        if channel(ch).active { mover?.stop(ch) }
        modify(ch) {
            $0.dmasr |= bits | DMASR.errIrq | DMASR.halted
            $0.dmasr &= ~DMASR.idle
            $0.dmacr &= ~DMACR.runStop
            $0.active = false
        }
        lastError = reason
    }

    /// Moves as many beats as the stream allows: S2MM drains the peripheral's output, MM2S
    /// feeds its input, until neither can move.
    public func pump() {
        if let mover {
            pump(mover)
            return
        }
        guard let stream else { return }
        var moved = true
        while moved {
            moved = false
            if s2mm.active && !s2mm.hang, let p = s2mm.pointer {
                while let beat = stream.peekOutputBeat() {
                    if s2mm.progress + 8 > s2mm.total {
                        fail(.s2mm, DMASR.internalError, "S2MM buffer of \(s2mm.total) bytes is shorter than the packet")
                        break
                    }
                    p.storeBytes(of: beat.data.littleEndian, toByteOffset: Int(s2mm.progress), as: UInt64.self)
                    s2mm.progress += 8
                    stream.popOutputBeat()
                    moved = true
                    if beat.last {
                        s2mm.length = UInt32(truncatingIfNeeded: s2mm.progress)
                        s2mm.active = false
                        s2mm.dmasr |= DMASR.idle | DMASR.iocIrq
                        completedTransfers.s2mm += 1
                        break
                    }
                }
            }
            if mm2s.active && !mm2s.hang, let p = mm2s.pointer {
                while mm2s.progress < mm2s.total && stream.inputReady() {
                    let remaining = mm2s.total - mm2s.progress
                    var data: UInt64 = 0
                    if remaining >= 8 {
                        data = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: Int(mm2s.progress), as: UInt64.self))
                    } else {
                        for i in 0..<Int(remaining) {
                            data |= UInt64(p.load(fromByteOffset: Int(mm2s.progress) + i, as: UInt8.self)) << (8 * UInt64(i))
                        }
                    }
                    let step = min(remaining, 8)
                    mm2s.progress += step
                    stream.acceptInputBeat(data, last: mm2s.progress == mm2s.total)
                    moved = true
                }
                if mm2s.progress == mm2s.total && mm2s.active {
                    mm2s.active = false
                    mm2s.dmasr |= DMASR.idle | DMASR.iocIrq
                    completedTransfers.mm2s += 1
                }
            }
        }
    }
}

extension AxiDmaModel {
    /// `pump` with a data mover: lets it run while a channel is active, then applies its progress.
    func pump(_ mover: any DMADataMover) {
        let mm2sLive = mm2s.active && !mm2s.hang, s2mmLive = s2mm.active && !s2mm.hang
        guard mm2sLive || s2mmLive else { return }
        let p = mover.advance()
        if let f = p.failure {
            if mm2sLive { fail(.mm2s, DMASR.internalError, "data mover: \(f)") }
            if s2mmLive { fail(.s2mm, DMASR.internalError, "data mover: \(f)") }
            return
        }
        if s2mmLive {
            s2mm.progress = p.s2mmBytes
            if p.s2mmOverflow {
                fail(.s2mm, DMASR.internalError, "S2MM buffer of \(s2mm.total) bytes is shorter than the packet")
            } else if p.s2mmLast {
                s2mm.length = UInt32(truncatingIfNeeded: p.s2mmBytes)
                s2mm.active = false
                s2mm.dmasr |= DMASR.idle | DMASR.iocIrq
                completedTransfers.s2mm += 1
            }
        }
        if mm2sLive {
            mm2s.progress = p.mm2sBytes
            if p.mm2sDone {
                mm2s.active = false
                mm2s.dmasr |= DMASR.idle | DMASR.iocIrq
                completedTransfers.mm2s += 1
            }
        }
    }
}

/// An AXI-Stream FIFO looped from the DMA's MM2S back to its S2MM (the classic DMA
/// loopback design), for testing the DMA driver without an accelerator.
public final class StreamFIFOLoopback: LoopbackStreamEndpoint {
    var beats: [(data: UInt64, last: Bool)] = []
    var head = 0
    public let capacity: Int

    public init(capacity: Int = 1 << 20) { self.capacity = capacity }

    public func inputReady() -> Bool { beats.count - head < capacity }
    public func acceptInputBeat(_ data: UInt64, last: Bool) { beats.append((data, last)) }
    public func peekOutputBeat() -> (data: UInt64, last: Bool)? { head < beats.count ? beats[head] : nil }
    public func popOutputBeat() {
        head += 1
        if head == beats.count { beats.removeAll(keepingCapacity: true); head = 0 }
    }
    public func clear() { beats.removeAll(); head = 0 }
}
