import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
@testable import ZynqNetRuntime
import ZynqNetModel

/// A loopback board with an AXI-Stream FIFO between MM2S and S2MM.
struct DMARig {
    let device: LoopbackDevice
    let fifo: StreamFIFOLoopback
    let dma: AxiDma
    let input: LoopbackBuffer
    let output: LoopbackBuffer

    init(lengthWidth: Int = 16, fifoBeats: Int = 1 << 20, bufferSize: Int = 1 << 16, interrupt: InterruptFlag = .never) throws {
        let config = AxiDmaConfig(base: 0x4040_0000, lengthWidth: lengthWidth)
        device = LoopbackDevice(dma: config)
        fifo = StreamFIFOLoopback(capacity: fifoBeats)
        device.connect(stream: fifo)
        dma = try AxiDma(bus: device, config: config, interrupt: interrupt)
        input = try device.memory.allocate(size: bufferSize)
        output = try device.memory.allocate(size: bufferSize)
    }

    func fill(_ n: Int) {
        for i in 0..<n { input.bytes.storeBytes(of: UInt8(truncatingIfNeeded: i &* 7 &+ 3), toByteOffset: i, as: UInt8.self) }
    }

    func deadline(_ ms: UInt64 = 200) -> UInt64 { LiveSystem().monotonicNanoseconds() + ms * 1_000_000 }
}

@Suite struct AxiDmaDriverTests {
    @Test func resetThenLoopbackTransferMovesEveryByte() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        #expect(rig.device.dma.resets == 1)
        rig.fill(1000)
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 4096)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 1000)
        try rig.dma.wait(.mm2s, deadline: rig.deadline())
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        // 1000 bytes = 125 beats; TLAST at the end of the MM2S transfer.
        try rig.dma.checkS2MMBytes(expected: 1000)
        for i in 0..<1000 {
            #expect(rig.output.bytes.load(fromByteOffset: i, as: UInt8.self) == UInt8(truncatingIfNeeded: i &* 7 &+ 3))
        }
        #expect(rig.device.dma.violations.isEmpty)
        // Second transfer without a reset: channels are running and Idle.
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 4096)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress + 8, length: 16)
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        try rig.dma.checkS2MMBytes(expected: 16)
        #expect(rig.device.dma.violations.isEmpty)
    }

    @Test func resetPollsUntilTheBitSelfClears() throws {
        let rig = try DMARig()
        rig.device.dma.resetDelayReads = 5
        let before = rig.device.readCount
        try rig.dma.reset()
        // 5 reads still show Reset, and the poll reads both channels per round: at least 3 rounds.
        #expect(rig.device.readCount - before >= 6)
    }

    @Test func resetThatNeverClearsTimesOut() throws {
        let rig = try DMARig()
        rig.device.dma.resetDelayReads = Int.max
        rig.dma.resetTimeoutNanoseconds = 20_000_000
        let t0 = LiveSystem().monotonicNanoseconds()
        let e = #expect(throws: ZynqError.self) { try rig.dma.reset() }
        #expect(e?.key == "MM2S_DMACR")
        #expect(e?.description.contains("did not self-clear") == true)
        #expect(LiveSystem().monotonicNanoseconds() - t0 < 2_000_000_000)
    }

    @Test func driverChecksLengthAlignmentAndAddressWidth() throws {
        let rig = try DMARig(lengthWidth: 10)
        try rig.dma.reset()
        #expect(rig.dma.config.maxTransferLength == 1023)
        let e0 = #expect(throws: ZynqError.self) { try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 0) }
        #expect(e0?.key == "MM2S_LENGTH")
        let e1 = #expect(throws: ZynqError.self) { try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 1024) }
        #expect(e1?.description.contains("exceeds the DMA's maximum 1023") == true)
        let e2 = #expect(throws: ZynqError.self) { try rig.dma.start(.s2mm, address: rig.output.physicalAddress + 4, length: 64) }
        #expect(e2?.key == "S2MM_DA")
        let e3 = #expect(throws: ZynqError.self) { try rig.dma.start(.mm2s, address: 0xFFFF_FF00, length: 512) }
        #expect(e3?.description.contains("32-bit addressing") == true)
        #expect(throws: ZynqError.self) { _ = try AxiDma(bus: rig.device, config: AxiDmaConfig(lengthWidth: 27)) }
        #expect(rig.device.dma.violations.isEmpty)
    }

    /// The error carries the channel and DMASR as values: the bits, ErrIrq (0x4000), Halted (0x1).
    @Test(arguments: [(DMASR.internalError, "DMAIntErr", UInt32(0x4011)), (DMASR.slaveError, "DMASlvErr", 0x4021),
                      (DMASR.decodeError, "DMADecErr", 0x4041)])
    func injectedErrorBitsAreDecodedAndResetRecovers(bits: UInt32, name: String, status: UInt32) throws {
        let rig = try DMARig()
        try rig.dma.reset()
        rig.fill(64)
        rig.device.dma.injectError(.mm2s, bits: bits)
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64)
        let e = #expect(throws: ZynqError.self) { try rig.dma.wait(.mm2s, deadline: rig.deadline()) }
        #expect(e?.key == "MM2S_DMASR")
        #expect(e?.description.contains(name) == true)
        #expect(e?.reason == .dma(channel: .mm2s, problem: .errorBits, status: status))
        // Without a reset the channel cannot be started again.
        #expect(throws: ZynqError.self) { try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64) }
        try rig.dma.reset()
        rig.fifo.clear()
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64)
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        try rig.dma.checkS2MMBytes(expected: 64)
    }

    @Test func hungChannelTimesOutAndResetRecovers() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        rig.device.dma.injectHang(.mm2s)
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64)
        let t0 = LiveSystem().monotonicNanoseconds()
        let e = #expect(throws: ZynqError.self) { try rig.dma.wait(.mm2s, deadline: rig.deadline(30)) }
        let elapsed = LiveSystem().monotonicNanoseconds() - t0
        #expect(e?.description.contains("did not finish in time") == true)
        // Running: neither Halted nor Idle.
        #expect(e?.reason == .dma(channel: .mm2s, problem: .timedOut, status: 0))
        #expect(elapsed >= 30_000_000 && elapsed < 2_000_000_000)
        try rig.dma.reset()
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64)
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
    }

    @Test func unmappedAddressIsADecodeError() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        // One page past the output buffer is a guard gap in the fake memory map.
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress + UInt64(rig.output.size), length: 64)
        let e = #expect(throws: ZynqError.self) { try rig.dma.wait(.s2mm, deadline: rig.deadline()) }
        #expect(e?.description.contains("DMADecErr") == true)
    }

    @Test func shortS2MMBufferIsAnError() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 32)
        try rig.dma.start(.mm2s, address: rig.input.physicalAddress, length: 64)
        let e = #expect(throws: ZynqError.self) { try rig.dma.wait(.s2mm, deadline: rig.deadline()) }
        #expect(e?.key == "S2MM_DMASR")
        #expect(e?.description.contains("DMAIntErr") == true)
        #expect(e?.reason == .dma(channel: .s2mm, problem: .errorBits, status: 0x4011))
        #expect(rig.device.dma.lastError?.contains("shorter than the packet") == true)
    }

    @Test func interruptFlagEndsTheWait() throws {
        nonisolated(unsafe) var flag = false
        let rig = try DMARig(interrupt: InterruptFlag { flag })
        try rig.dma.reset()
        rig.device.dma.injectHang(.s2mm)
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
        flag = true
        let e = #expect(throws: ZynqError.self) { try rig.dma.wait(.s2mm, deadline: rig.deadline(10_000)) }
        #expect(e?.key == "SIGINT")
        #expect(e?.reason == .interrupted)
    }
}

/// Drivers that get the PG021 sequence wrong must fail on the model.
@Suite struct AxiDmaModelStrictnessTests {
    let base: UInt64 = 0x4040_0000

    @Test func lengthBeforeAddressFails() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        let bus = rig.device
        // Bad order: RS, LENGTH, then the address.
        try bus.write32(base + 0x30, 1)
        try bus.write32(base + 0x58, 64)
        try bus.write32(base + 0x48, UInt32(rig.output.physicalAddress))
        // Address register still 0 when LENGTH started it: not memory → DMADecErr.
        #expect(try bus.read32(base + 0x34) & DMASR.decodeError != 0)

        // With a valid stale address, the late address write hits a running transfer.
        let rig2 = try DMARig()
        try rig2.dma.reset()
        try rig2.dma.start(.s2mm, address: rig2.output.physicalAddress, length: 64)
        try rig2.dma.start(.mm2s, address: rig2.input.physicalAddress, length: 64)
        try rig2.dma.wait(.s2mm, deadline: rig2.deadline())
        try rig2.device.write32(base + 0x58, 64)               // starts with the stale address
        try rig2.device.write32(base + 0x48, UInt32(rig2.output.physicalAddress + 64))
        #expect(try rig2.device.read32(base + 0x34) & DMASR.internalError != 0)
        #expect(rig2.device.dma.violations.contains { $0.contains("address written while a transfer is running") })
    }

    @Test func forgettingTheResetFailsOnADirtyDevice() throws {
        let rig = try DMARig()
        rig.device.dma.makeDirty()
        // A naive driver without reset: address, RS, LENGTH.
        try rig.device.write32(base + 0x48, UInt32(rig.output.physicalAddress))
        try rig.device.write32(base + 0x30, 1)
        try rig.device.write32(base + 0x58, 64)
        let sr = try rig.device.read32(base + 0x34)
        #expect(sr & DMASR.halted != 0)
        #expect(sr & DMASR.idle == 0)
        #expect(rig.device.dma.violations.contains { $0.contains("LENGTH written while halted") })
        // Our driver refuses to start it and names the stale error bits.
        let e = #expect(throws: ZynqError.self) { try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64) }
        #expect(e?.description.contains("reset needed") == true)
        try rig.dma.reset()
        try rig.dma.start(.s2mm, address: rig.output.physicalAddress, length: 64)
    }

    @Test func lengthZeroAndMisalignmentSetErrorBits() throws {
        let rig = try DMARig()
        try rig.dma.reset()
        try rig.device.write32(base + 0x18, UInt32(rig.input.physicalAddress))
        try rig.device.write32(base + 0x00, 1)
        try rig.device.write32(base + 0x28, 0)
        #expect(try rig.device.read32(base + 0x04) & DMASR.internalError != 0)
        try rig.dma.reset()
        try rig.device.write32(base + 0x18, UInt32(rig.input.physicalAddress + 4))
        try rig.device.write32(base + 0x00, 1)
        try rig.device.write32(base + 0x28, 64)
        #expect(try rig.device.read32(base + 0x04) & DMASR.internalError != 0)
        #expect(rig.device.dma.lastError?.contains("not aligned") == true)
    }

    @Test func writesDuringResetAreIgnoredAndLengthIsMaskedToItsWidth() throws {
        let rig = try DMARig(lengthWidth: 8)
        try rig.device.write32(base, DMACR.reset)
        try rig.device.write32(base + 0x18, 0x1234)
        #expect(rig.device.dma.violations.count == 1)
        try rig.dma.reset()
        #expect(try rig.device.read32(base + 0x18) == 0)
        #expect(try rig.device.read32(base + 0x00) == 0x0001_0002)
        #expect(try rig.device.read32(base + 0x04) == DMASR.halted)
    }
}
