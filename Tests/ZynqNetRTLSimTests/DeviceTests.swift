import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim

/// The small design most tests share (one Verilator build): 20 uint8 inputs, 6 int8, 3 uint8
/// outputs, folded to PE 2 × SIMD 5 and PE 3 × SIMD 2 (II 12 cycles).
enum ShapeA {
    static let dims = [20, 6, 3]
    static let signed = [false, true, false]
    static let fold = FoldFile(layers: [FoldFileLayer(pe: 2, simd: 5), FoldFileLayer(pe: 3, simd: 2)])
    static let ii = 12

    static func model(seed: UInt64) -> QuantizedModel {
        var g = SplitMix64(seed: seed)
        return randomModel(dims: dims, signed: signed, rng: &g)
    }

    static func codegen() -> CodegenOptions {
        var o = CodegenOptions()
        o.fold = .file(fold, name: "ShapeA")
        return o
    }
}

/// Either device behind the same bus protocol: the loopback (AXI DMA model + accelerator model)
/// or rtlsim (AXI DMA model + the Verilated RTL), for the same design layout.
enum DeviceKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case loopback, rtlsim
    var testDescription: String { rawValue }
}

final class Rig {
    let kind: DeviceKind
    let design: GeneratedDesign
    let device: LoopbackDevice
    let manifest: RuntimeManifest
    let rtl: RTLAccelerator?
    let dma: AxiDma
    // Keeps the loopback board (and its accelerator model) alive.
    let loopbackBoard: LoopbackBoard?
    let rtlBoard: RTLSimBoard?

    init(_ kind: DeviceKind, model: QuantizedModel, codegen: CodegenOptions = ShapeA.codegen(),
         policy: RTLStreamPolicy = .stressed, seed: UInt64 = 1) throws {
        self.kind = kind
        design = try generateDesign(model: model, options: codegen)
        let m = RuntimeManifest(axilAddressWidth: design.layout.axilAddressWidth)
        switch kind {
        case .loopback:
            let b = try LoopbackBoard(layout: design.layout, manifest: m)
            loopbackBoard = b
            rtlBoard = nil
            device = b.device
            manifest = b.manifest
            rtl = nil
        case .rtlsim:
            let b = try RTLSimBoard(design: design, manifest: m, options: RTLSimOptions(build: quickBuild(), policy: policy, seed: seed))
            rtlBoard = b
            loopbackBoard = nil
            device = b.device
            manifest = b.manifest
            rtl = b.accelerator
        }
        dma = try AxiDma(bus: device, config: manifest.dmaConfig, interrupt: .never)
    }

    var classes: Int { design.layout.topology.outputCount }
    var inStride: Int { OutputRecord.inputBeats(pixels: design.layout.topology.inputCount) * 8 }
    var outStride: Int { OutputRecord.beats(classes: classes) * 8 }

    func r(_ off: UInt32) throws -> UInt32 { try device.read32(manifest.acceleratorBase + UInt64(off)) }
    func w(_ off: UInt32, _ v: UInt32) throws { try device.write32(manifest.acceleratorBase + UInt64(off), v) }
    func dmaR(_ off: UInt64) throws -> UInt32 { try device.read32(manifest.dmaBase + off) }
    func dmaW(_ off: UInt64, _ v: UInt32) throws { try device.write32(manifest.dmaBase + off, v) }

    /// Loads `model` with plain register writes (the parameter image), then START.
    func load(_ model: QuantizedModel) throws {
        let image = try ParameterImage(model: model, layout: design.layout)
        for wr in image.registerWrites { try w(wr.offset, wr.value) }
        try w(RegisterMap.CONTROL, RegisterMap.CONTROL_START.mask)
    }

    func deadline() -> UInt64 { LiveSystem().monotonicNanoseconds() + 20_000_000_000 }

    func checkHealthy() throws { try rtl?.checkHealthy() }
}

/// Decodes `n` output records at `p` into values (as codes of the output type) and classes.
func records(_ p: UnsafeRawPointer, count n: Int, classes: Int, signed: Bool) -> (values: [Int32], classes: [UInt32], seqs: [UInt32]) {
    let stride = OutputRecord.beats(classes: classes) * 8
    var values: [Int32] = [], cls: [UInt32] = [], seqs: [UInt32] = []
    for i in 0..<n {
        let rec = p + i * stride
        let beat0 = rec.loadUnaligned(as: UInt64.self)
        cls.append(UInt32(truncatingIfNeeded: beat0))
        seqs.append(UInt32(truncatingIfNeeded: beat0 >> 32))
        for c in 0..<classes {
            let b = rec.load(fromByteOffset: 8 + c, as: UInt8.self)
            values.append(signed ? Int32(Int8(bitPattern: b)) : Int32(b))
        }
    }
    return (values, cls, seqs)
}

/// AXI DMA register semantics (zynq-facts §1) with an accelerator behind the streams: the
/// same checks on the loopback device and on rtlsim, whose data movers are cycle-based.
@Suite struct DMARegisterSemanticsTests {
    let model = ShapeA.model(seed: 11)

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func softResetSelfClearsAndLeavesBothChannelsHaltedAndClean(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        rig.device.dma.makeDirty()
        #expect(try rig.dmaR(0x04) & DMASR.errorMask != 0)
        try rig.dmaW(0x00, DMACR.reset)
        // The Reset bit reads 1 while the reset runs, then clears by itself.
        #expect(try rig.dmaR(0x00) & DMACR.reset != 0)
        var polls = 0
        while try rig.dmaR(0x00) & DMACR.reset != 0 || rig.dmaR(0x30) & DMACR.reset != 0 {
            polls += 1
            try #require(polls < 100)
        }
        for sr: UInt64 in [0x04, 0x34] { #expect(try rig.dmaR(sr) == DMASR.halted, "DMASR \(sr): only Halted") }
        for cr: UInt64 in [0x00, 0x30] {
            let v = try rig.dmaR(cr)
            #expect(v & (DMACR.runStop | DMACR.reset) == 0 && v & 0x2 != 0, "DMACR \(cr) = \(hex(v))")
        }
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func lengthWrittenWhileHaltedStartsNothing(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.load(model)
        let buf = try rig.device.memory.allocate(size: 4096)
        // LENGTH last but RS never set: PG021 ignores it; no data moves.
        try rig.dmaW(0x48, UInt32(buf.physicalAddress + 2048))
        try rig.dmaW(0x58, UInt32(rig.outStride))
        try rig.dmaW(0x18, UInt32(buf.physicalAddress))
        try rig.dmaW(0x28, UInt32(rig.inStride))
        for sr: UInt64 in [0x04, 0x34] { #expect(try rig.dmaR(sr) == DMASR.halted) }
        #expect(try rig.r(RegisterMap.IMAGES_IN) == 0)
        #expect(rig.device.dma.violations.filter { $0.contains("LENGTH written while halted") }.count == 2)
        if let rtl = rig.rtl { #expect(rtl.statistics.inputBeats == 0 && rtl.statistics.outputBeats == 0) }
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func lengthStartsTheTransferWithTheAddressWrittenBefore(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.load(model)
        try rig.w(RegisterMap.OUT_PACKET_IMAGES, 1)
        var g = SplitMix64(seed: 9)
        let codes = try randomCodes(model, count: 2, rng: &g)
        let buf = try rig.device.memory.allocate(size: 8192)
        let a = 0, b = 1024, out = 4096
        codes.bytes.withUnsafeBytes { raw in
            (buf.bytes + a).copyMemory(from: raw.baseAddress!, byteCount: codes.width)
            (buf.bytes + b).copyMemory(from: raw.baseAddress! + codes.width, byteCount: codes.width)
        }
        let sim = try Simulator(model: model).run(codes)
        func result() -> [Int32] { records(UnsafeRawPointer(buf.bytes + out), count: 1, classes: rig.classes, signed: false).values }
        // Image 0 from address a, the driver's way.
        try rig.dma.start(.s2mm, address: buf.physicalAddress + UInt64(out), length: UInt32(rig.outStride))
        try rig.dma.start(.mm2s, address: buf.physicalAddress + UInt64(a), length: UInt32(rig.inStride))
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        #expect(result() == Array(sim.output(0)))
        // LENGTH first, then the address of image 1: the LENGTH write started the transfer from
        // address a (PG021: LENGTH must be written last), so image 0 is computed again.
        try rig.dma.start(.s2mm, address: buf.physicalAddress + UInt64(out), length: UInt32(rig.outStride))
        try rig.dmaW(0x28, UInt32(rig.inStride))
        try rig.dmaW(0x18, UInt32(buf.physicalAddress + UInt64(b)))
        try rig.dma.wait(.mm2s, deadline: rig.deadline())
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        #expect(result() == Array(sim.output(0)))
        #expect(Array(sim.output(0)) != Array(sim.output(1)), "the two images must give different outputs for this test")
        // Address, then LENGTH: image 1.
        try rig.dma.start(.s2mm, address: buf.physicalAddress + UInt64(out), length: UInt32(rig.outStride))
        try rig.dma.start(.mm2s, address: buf.physicalAddress + UInt64(b), length: UInt32(rig.inStride))
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        #expect(result() == Array(sim.output(1)))
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func transferEndsIdleWithIOCAndTheS2MMByteCount(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.load(model)
        let n = 3
        try rig.w(RegisterMap.OUT_PACKET_IMAGES, UInt32(n))
        var g = SplitMix64(seed: 5)
        let codes = try randomCodes(model, count: n, rng: &g)
        let buf = try rig.device.memory.allocate(size: 8192)
        for i in 0..<n {
            (buf.bytes + i * rig.inStride).copyMemory(from: codes.bytes.withUnsafeBytes { $0.baseAddress! + i * codes.width }, byteCount: codes.width)
        }
        let out = 4096
        // S2MM has room for 5 images; TLAST after 3 ends it early with the true byte count.
        try rig.dma.start(.s2mm, address: buf.physicalAddress + UInt64(out), length: UInt32(5 * rig.outStride))
        try rig.dma.start(.mm2s, address: buf.physicalAddress, length: UInt32(n * rig.inStride))
        try rig.dma.wait(.mm2s, deadline: rig.deadline())
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        for sr: UInt64 in [0x04, 0x34] { #expect(try rig.dmaR(sr) == DMASR.idle | DMASR.iocIrq, "DMASR \(sr)") }
        #expect(try rig.dmaR(0x58) == UInt32(n * rig.outStride))
        // IOC is write-1-to-clear; Idle stays.
        try rig.dmaW(0x34, DMASR.iocIrq)
        #expect(try rig.dmaR(0x34) == DMASR.idle)
        let sim = try Simulator(model: model).run(codes)
        let rec = records(UnsafeRawPointer(buf.bytes + out), count: n, classes: rig.classes, signed: model.layers.last!.outputType == .int8)
        #expect(rec.values == sim.outputs)
        #expect(rec.classes == sim.predictions.map { UInt32($0) })
        #expect(rec.seqs == [0, 1, 2])
        #expect(try rig.r(RegisterMap.IMAGES_IN) == 3)
        #expect(try rig.r(RegisterMap.IMAGES_OUT) == 3)
        #expect(try rig.r(RegisterMap.IN_FLIGHT) == 0)
        #expect(try rig.r(RegisterMap.STATUS) == 0)
        #expect(rig.device.dma.violations.isEmpty)
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func s2mmBufferShorterThanThePacketIsAnInternalErrorAndTheDriverRecovers(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.load(model)
        var g = SplitMix64(seed: 6)
        let codes = try randomCodes(model, count: 1, rng: &g)
        let buf = try rig.device.memory.allocate(size: 8192)
        buf.bytes.copyMemory(from: codes.bytes.withUnsafeBytes { $0.baseAddress! }, byteCount: codes.width)
        try rig.dma.start(.s2mm, address: buf.physicalAddress + 4096, length: UInt32(rig.outStride - 8))
        try rig.dma.start(.mm2s, address: buf.physicalAddress, length: UInt32(rig.inStride))
        #expect(throws: ZynqError.self) { try rig.dma.wait(.s2mm, deadline: rig.deadline()) }
        let sr = try rig.dmaR(0x34)
        #expect(sr & DMASR.internalError != 0 && sr & DMASR.halted != 0 && sr & DMASR.errIrq != 0, "S2MM_DMASR \(hex(sr))")
        #expect(try rig.dmaR(0x30) & DMACR.runStop == 0, "hardware clears RS on an error")
        // Only a reset recovers: afterwards both channels are clean and a batch runs right.
        try rig.dma.reset()
        try rig.w(RegisterMap.CONTROL, RegisterMap.CONTROL_SOFT_RESET.mask | RegisterMap.CONTROL_CLEAR_COUNTERS.mask)
        try rig.w(RegisterMap.CONTROL, RegisterMap.CONTROL_START.mask)
        #expect(try rig.r(RegisterMap.IN_FLIGHT) == 0)
        try rig.w(RegisterMap.OUT_PACKET_IMAGES, 1)
        try rig.dma.start(.s2mm, address: buf.physicalAddress + 4096, length: UInt32(rig.outStride))
        try rig.dma.start(.mm2s, address: buf.physicalAddress, length: UInt32(rig.inStride))
        try rig.dma.wait(.mm2s, deadline: rig.deadline())
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        let sim = try Simulator(model: model).run(codes)
        let rec = records(UnsafeRawPointer(buf.bytes + 4096), count: 1, classes: rig.classes, signed: false)
        #expect(rec.values == sim.outputs)
        #expect(rec.seqs == [0])
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func lengthZeroIsAnInternalErrorAndAnUnmappedAddressADecodeError(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.dmaW(0x00, DMACR.runStop)
        try rig.dmaW(0x18, 0x1000)
        try rig.dmaW(0x28, 0)
        #expect(try rig.dmaR(0x04) & (DMASR.internalError | DMASR.halted) == DMASR.internalError | DMASR.halted)
        try rig.dma.reset()
        try rig.dmaW(0x00, DMACR.runStop)
        try rig.dmaW(0x18, 0x1000)  // no memory there
        try rig.dmaW(0x28, 64)
        let sr = try rig.dmaR(0x04)
        #expect(sr & DMASR.errorMask == DMASR.decodeError, "MM2S_DMASR \(hex(sr))")
        #expect(try rig.r(RegisterMap.IMAGES_IN) == 0)
        try rig.checkHealthy()
    }

    @Test(.tags(.verilator), arguments: DeviceKind.allCases)
    func tlastInsideAnImageSetsErrInput(_ kind: DeviceKind) throws {
        let rig = try Rig(kind, model: model)
        try rig.dma.reset()
        try rig.load(model)
        try rig.w(RegisterMap.OUT_PACKET_IMAGES, 1)
        let buf = try rig.device.memory.allocate(size: 8192)
        // One and a half images: MM2S puts TLAST on the last beat, inside the second image.
        let beats = OutputRecord.inputBeats(pixels: 20)
        #expect(beats == 3)
        try rig.dma.start(.s2mm, address: buf.physicalAddress + 4096, length: UInt32(4 * rig.outStride))
        try rig.dma.start(.mm2s, address: buf.physicalAddress, length: UInt32((beats + 1) * 8))
        try rig.dma.wait(.mm2s, deadline: rig.deadline())
        try rig.dma.wait(.s2mm, deadline: rig.deadline())
        #expect(try rig.dmaR(0x58) == UInt32(rig.outStride))
        #expect(try rig.r(RegisterMap.STATUS) & RegisterMap.STATUS_ERR_INPUT.mask != 0)
        #expect(try rig.r(RegisterMap.IMAGES_IN) == 1)
        #expect(try rig.r(RegisterMap.IN_FLIGHT) == 1, "the second image is still coming")
        // RW1C, then a soft reset drops the partial image.
        try rig.w(RegisterMap.STATUS, RegisterMap.STATUS_ERR_INPUT.mask)
        #expect(try rig.r(RegisterMap.STATUS) & RegisterMap.STATUS_ERR_INPUT.mask == 0)
        try rig.w(RegisterMap.CONTROL, RegisterMap.CONTROL_SOFT_RESET.mask | RegisterMap.CONTROL_START.mask)
        #expect(try rig.r(RegisterMap.IN_FLIGHT) == 0)
        try rig.checkHealthy()
    }
}

/// The RTL and the runtime's accelerator model answer every register alike (they are two
/// independent implementations of RegisterMap), before and after a batch.
@Suite struct RegisterAgreementTests {
    static let skipped: Set<UInt32> = [RegisterMap.BUSY_CYCLES_LO, RegisterMap.BUSY_CYCLES_HI, RegisterMap.STALL_CYCLES_LO,
                                       RegisterMap.STALL_CYCLES_HI, RegisterMap.STARVE_CYCLES_LO, RegisterMap.STARVE_CYCLES_HI]

    func snapshot(_ rig: Rig) throws -> [String: UInt32] {
        var s: [String: UInt32] = [:]
        for reg in RegisterMap.globalRegisters where !Self.skipped.contains(reg.offset) && reg.offset != RegisterMap.PARAM_DATA {
            s[reg.name] = try rig.r(reg.offset)
        }
        for i in 0..<rig.design.layout.topology.layers.count {
            for reg in RegisterMap.layerRegisters { s["layer\(i).\(reg.name)"] = try rig.r(RegisterMap.layerRegister(i, reg.offset)) }
        }
        return s
    }

    @Test(.tags(.verilator)) func everyRegisterReadsTheSameOnTheRTLAndTheModel() throws {
        let model = ShapeA.model(seed: 12)
        let loop = try Rig(.loopback, model: model), rtl = try Rig(.rtlsim, model: model)
        #expect(try snapshot(loop) == snapshot(rtl), "after reset")
        #expect(try rtl.r(RegisterMap.MAGIC) == RegisterMap.magic)
        #expect(try UInt64(rtl.r(RegisterMap.TOPOLOGY_HASH_HI)) << 32 | UInt64(rtl.r(RegisterMap.TOPOLOGY_HASH_LO)) == rtl.design.topologyHash)
        #expect(try rtl.r(RegisterMap.II_CYCLES) == UInt32(ShapeA.ii))
        for rig in [loop, rtl] { try rig.load(model) }
        #expect(try snapshot(loop) == snapshot(rtl), "after the load")
        // Every parameter chunk reads back alike (and as written).
        let image = try ParameterImage(model: model, layout: rtl.design.layout)
        for b in image.blocks {
            for rig in [loop, rtl] {
                try rig.w(RegisterMap.PARAM_SEL, b.select)
                var got: [UInt32] = []
                for _ in b.chunks { got.append(try rig.r(RegisterMap.PARAM_DATA)) }
                #expect(got == b.chunks, "\(rig.kind): layer \(b.layer) \(b.kind)")
            }
        }
        // A batch through the runtime's driver on each; then the counters agree too.
        var g = SplitMix64(seed: 3)
        let codes = try randomCodes(model, count: 9, rng: &g)
        for rig in [loop, rtl] {
            let d = try (rig.kind == .loopback ? rig.loopbackBoard!.driver(images: 4) : rig.rtlBoard!.driver(images: 4))
            try d.load(model: model, modelName: "m")
            var outputs = [Int32](repeating: 0, count: 9 * 3), preds = [Int](repeating: 0, count: 9)
            try codes.bytes.withUnsafeBytes { raw in
                try outputs.withUnsafeMutableBufferPointer { o in
                    try preds.withUnsafeMutableBufferPointer { p in try d.run(codes: raw, count: 9, outputs: o, predictions: p) }
                }
            }
            #expect(outputs == (try Simulator(model: model).run(codes)).outputs)
            let c = try d.counters()
            #expect(c.imagesIn == 9 && c.imagesOut == 9, "\(rig.kind)")
        }
        #expect(try snapshot(loop) == snapshot(rtl), "after a batch")
        try rtl.checkHealthy()
    }

    @Test(.tags(.verilator)) func cycleCountersCountRealCycles() throws {
        let model = ShapeA.model(seed: 13)
        let rig = try Rig(.rtlsim, model: model, policy: .ideal)
        let d = try rig.rtlBoard!.driver(images: 16)
        try d.load(model: model, modelName: "m")
        try d.clearCounters()
        var g = SplitMix64(seed: 4)
        let codes = try randomCodes(model, count: 16, rng: &g)
        var outputs = [Int32](repeating: 0, count: 16 * 3), preds = [Int](repeating: 0, count: 16)
        func run() throws {
            try codes.bytes.withUnsafeBytes { raw in
                try outputs.withUnsafeMutableBufferPointer { o in
                    try preds.withUnsafeMutableBufferPointer { p in try d.run(codes: raw, count: 16, outputs: o, predictions: p) }
                }
            }
        }
        try run()
        var c = try d.counters()
        // S2MM is armed before any output: no output stall; 16 images at II 12 keep it busy ≥ 15·12 cycles.
        #expect(c.stallCycles == 0)
        #expect(c.busyCycles >= 15 * 12 && c.busyCycles < 16 * 12 + 400, "busy \(c.busyCycles)")
        let t = rig.rtl!.statistics
        #expect(t.iiMedian == 12 && t.iiSamples == 15, "II \(t.iiMedian) over \(t.iiSamples)")
        // Under 50 % TREADY stalls the hardware counts stall cycles.
        try rig.rtl!.setPolicy(RTLStreamPolicy(gapPercent: 0, stallPercent: 50))
        try d.clearCounters()
        try run()
        c = try d.counters()
        #expect(c.stallCycles > 0)
        #expect(outputs == (try Simulator(model: model).run(codes)).outputs)
        try rig.checkHealthy()
    }
}
