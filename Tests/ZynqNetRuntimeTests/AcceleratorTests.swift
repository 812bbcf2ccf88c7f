import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

@Suite struct LoopbackBitExactTests {
    @Test(arguments: [1, 7, 256])
    func loopbackEqualsReferenceOnRandomModels(batch: Int) throws {
        for seed in UInt64(1)...4 {
            var g = SplitMix64(seed: seed &* 7919 &+ UInt64(batch))
            let model = randomFormat1Model(&g, layers: Int.random(in: 1...3, using: &g), inWidth: Int.random(in: 1...40, using: &g), maxWidth: 24)
            let rig = try Rig(model: model, images: batch, g: &g)
            let codes = try randomCodes(&g, model: model, count: batch)
            let r = try rig.run(codes)
            let e = try reference(model, codes)
            #expect(r.outputs == e.outputs, "seed \(seed)")
            #expect(r.predictions == e.predictions, "seed \(seed)")
            #expect(rig.driver.stats.transfers == 1)
            #expect(rig.board.device.dma.violations.isEmpty)
            #expect(rig.board.accelerator.violations.isEmpty)
            // A second batch continues the sequence numbers.
            #expect(try rig.expectMatches(try randomCodes(&g, model: model, count: batch)))
        }
    }

    /// Format 2's clamp reaches the device as L_CLAMP's [LO, HI] and the loopback computes it
    /// (it used to refuse any HI below the type's maximum): relu + clamp, cl = ch, a RELU6-like range.
    @Test func clampedLayersEqualReference() throws {
        for seed in UInt64(1)...4 {
            var g = SplitMix64(seed: seed &* 104_729)
            var model = randomFormat1Model(&g, layers: 3, inWidth: 16, maxWidth: 12)
            for i in model.layers.indices {
                let l = model.layers[i]
                let low = Int64(l.outputLow), high = Int64(l.outputHigh)
                model.layers[i].clamp = switch (Int(seed) + i) % 3 {
                case 0: (low + high) / 2 ... (low + high) / 2        // cl = ch
                case 1: low - 50 ... min(high, low + 40)              // only the top end narrows
                default: low + (high - low) / 4 ... high - (high - low) / 4
                }
            }
            try model.validate()
            let rig = try Rig(model: model, images: 40, g: &g)
            let codes = try randomCodes(&g, model: model, count: 40)
            let r = try rig.run(codes)
            let e = try reference(model, codes)
            #expect(r.outputs == e.outputs, "seed \(seed)")
            #expect(r.predictions == e.predictions, "seed \(seed)")
            #expect(rig.board.accelerator.violations.isEmpty)
        }
    }

    @Test func onePastTheDMALimitSplitsIntoTwoTransfers() throws {
        var g = SplitMix64(seed: 42)
        let model = randomFormat1Model(&g, layers: 2, inWidth: 20, maxWidth: 12)
        // dma_length_width 8: at most 255 bytes per transfer = 10 images of 24 input bytes.
        let manifest = RuntimeManifest(dmaLengthWidth: 8)
        let rig = try Rig(model: model, manifest: manifest, images: 64, g: &g)
        let limit = rig.driver.maxImagesPerTransfer
        #expect(limit == min(255 / 24, 255 / (8 * OutputRecord.beats(classes: model.outputCount))))
        let codes = try randomCodes(&g, model: model, count: limit + 1)
        let r = try rig.run(codes)
        let e = try reference(model, codes)
        #expect(r.outputs == e.outputs)
        #expect(r.predictions == e.predictions)
        #expect(rig.driver.stats.transfers == 2)
        #expect(rig.board.device.dma.completedTransfers.s2mm == 2)
    }

    @Test func cachedBuffersAreSyncedAroundEveryTransfer() throws {
        var g = SplitMix64(seed: 5)
        let model = randomFormat1Model(&g, layers: 2, inWidth: 33, maxWidth: 17)
        let rig = try Rig(model: model, images: 16, cached: true, g: &g)
        #expect(try rig.expectMatches(try randomCodes(&g, model: model, count: 16)))
        let buffer = try #require(rig.driver.buffer as? LoopbackBuffer)
        #expect(buffer.syncsForDevice >= 2 && buffer.syncsForCPU >= 1)
    }

    @Test func tinyDatapathFIFOStillCompletes() throws {
        var g = SplitMix64(seed: 6)
        let model = randomFormat1Model(&g, layers: 1, inWidth: 9, maxWidth: 9)
        let rig = try Rig(model: model, images: 50, g: &g)
        rig.board.accelerator.capacityImages = 1
        #expect(try rig.expectMatches(try randomCodes(&g, model: model, count: 50)))
    }

    @Test func backendThroughMakeBackendEqualsSimulator() throws {
        var g = SplitMix64(seed: 77)
        let model = randomFormat1Model(&g, layers: 2, inWidth: 16, maxWidth: 10)
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        try writeFile("\(dir)/manifest.json", sampleManifestText(fclkMHz: 125, topologyHash: try Topology(model: model).hash, lengthWidth: 9))
        let backend = try makeBackend(name: "loopback", model: model, bundle: dir, manifest: nil, batchSize: 100,
                                      interrupt: .never, installSIGINTHandler: false)
        let codes = try randomCodes(&g, model: model, count: 257)
        let r = try backend.run(codes: codes, count: 257)
        let e = try Simulator(model: model).run(codes)
        #expect(r.outputs == e.outputs)
        #expect(r.predictions == e.predictions)
        let report = try backend.throughputReport()
        #expect(report.batch_size == 100)
        #expect(report.fclk_mhz == 125)
        #expect(report.busy_cycles > 0)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for key in ["runtime_ms", "images_per_second", "dram_in_mb_per_s", "dram_out_mb_per_s", "fclk_mhz", "batch_size",
                    "pack_ms", "copy_ms", "unpack_ms", "busy_cycles", "stall_cycles"] {
            #expect(json.contains("\"\(key)\""))
        }
        let acc = try #require(backend as? AcceleratorBackend)
        // 257 images, batches of 100, 16 input bytes → 511/16 = 31 images per transfer limit.
        #expect(acc.driver.stats.images == 257)
        #expect(acc.driver.stats.bytesIn == 257 * 16)
    }
}

/// copy_ms is the host's copies into and out of the DMA buffer (plus cache maintenance), not ≈ 0:
/// with a clock that steps 1 µs per read each copy stage counts exactly one step.
@Suite struct CopyTimeTests {
    @Test(arguments: [(16, 0 as UInt64), (12, 1000 as UInt64)])
    func copyTimeIsMeasured(inWidth: Int, pack: UInt64) throws {
        var g = SplitMix64(seed: 79)
        let model = randomFormat1Model(&g, layers: 1, inWidth: inWidth, maxWidth: 6)
        let topology = try Topology(model: model)
        let board = try LoopbackBoard(layout: try AcceleratorLayout(topology: topology, folds: defaultLoopbackFolds(topology)))
        let sys = TracingSystem()
        let buffer = try board.device.memory.allocate(size: 1 << 16, cached: false)
        let dma = try AxiDma(bus: board.device, config: board.manifest.dmaConfig, system: sys, interrupt: .never)
        let driver = try AcceleratorDriver(bus: board.device, dma: dma, buffer: buffer, acceleratorBase: board.manifest.acceleratorBase,
                                           designName: "loopback", lock: nil, interrupt: .never, system: sys)
        try driver.load(model: model, modelName: "m")
        let backend = AcceleratorBackend(name: "loopback", driver: driver, model: model, batchSize: 20, fclkMHz: 100, loopback: board.device)
        sys.clockStep = 1000
        let codes = try randomCodes(&g, model: model, count: 20)
        let r = try backend.run(codes: codes, count: 20)
        #expect(r.outputs == (try Simulator(model: model).run(codes)).outputs)
        #expect(driver.stats.transfers == 1)
        // One step for the input copy, one for the output copy; packing only with padded images.
        #expect(driver.stats.copyNanoseconds == 2000)
        #expect(driver.stats.packNanoseconds == pack)
        #expect(try backend.throughputReport().copy_ms == Double(driver.stats.syncNanoseconds + 2000) / 1e6)
    }
}

@Suite struct ProbeTests {
    final class Dead: LoopbackPeripheral {
        func read(offset: UInt64) -> UInt32 { 0xFFFF_FFFF }
        func write(offset: UInt64, value: UInt32) {}
    }

    @Test func noAcceleratorIsNamed() throws {
        let m = RuntimeManifest()
        let dev = LoopbackDevice(dma: m.dmaConfig)
        try dev.attach(Dead(), window: m.acceleratorWindow, stream: nil)
        let e = #expect(throws: ZynqError.self) { _ = try AcceleratorDriver.probe(bus: dev, base: m.acceleratorBase, designName: "bundle/manifest.json") }
        #expect(e?.key == "MAGIC")
        #expect(e?.file == "bundle/manifest.json")
        #expect(e?.description.contains("0xFFFFFFFF") == true)
    }

    /// An accelerator (the loopback model of a real layout) whose VERSION reads `version`.
    final class Versioned: LoopbackPeripheral {
        let inner: AcceleratorModel
        let version: UInt32
        init(_ inner: AcceleratorModel, version: UInt32) { self.inner = inner; self.version = version }
        func read(offset: UInt64) -> UInt32 { offset == UInt64(RegisterMap.VERSION) ? version : inner.read(offset: offset) }
        func write(offset: UInt64, value: UInt32) { inner.write(offset: offset, value: value) }
    }

    /// The version rule of docs/register-map.md: every minor of the driver's major is driven (1.0,
    /// before format 2's fields, reads L_WIDTHS.ROUNDINGS 0: floor and half_up; a later minor's
    /// additions are ignored), another major is refused naming VERSION.
    @Test func versionMinorsAreAcceptedMajorsRefused() throws {
        let m = RuntimeManifest()
        var g = SplitMix64(seed: 33)
        let model = randomFormat1Model(&g, layers: 2, inWidth: 8, maxWidth: 4)
        let t = try Topology(model: model)
        let layout = try AcceleratorLayout(topology: t, folds: defaultLoopbackFolds(t))
        for (version, ok) in [(UInt32(0x0001_0000), true), (0x0001_0001, true), (0x0001_0007, true), (RegisterMap.version, true),
                              (0x0002_0001, false), (0x0000_0001, false), (0xFFFF_0001, false)] {
            let dev = LoopbackDevice(dma: m.dmaConfig)
            try dev.attach(Versioned(AcceleratorModel(layout: layout), version: version), window: m.acceleratorWindow, stream: nil)
            if ok {
                let info = try AcceleratorDriver.probe(bus: dev, base: m.acceleratorBase, designName: "d")
                #expect(info.layout.topology.layers.map(\.roundings) == [3, 3], "\(String(version, radix: 16))")
            } else {
                let e = #expect(throws: ZynqError.self) { _ = try AcceleratorDriver.probe(bus: dev, base: m.acceleratorBase, designName: "d") }
                #expect(e?.key == "VERSION", "\(String(version, radix: 16))")
                #expect(e?.description.contains("this zynqnet drives 1.x") == true)
            }
        }
        #expect(RegisterMap.VERSION_MAJOR.extract(RegisterMap.version) == 1 && RegisterMap.VERSION_MINOR.extract(RegisterMap.version) == 2)
    }

    final class Garbage: LoopbackPeripheral {
        var layers: UInt32
        init(layers: UInt32) { self.layers = layers }
        func read(offset: UInt64) -> UInt32 {
            switch UInt32(offset) {
            case RegisterMap.MAGIC: return RegisterMap.magic
            case RegisterMap.VERSION: return RegisterMap.version
            case RegisterMap.NUM_LAYERS: return layers
            default: return 0xFFFF_FFFF
            }
        }
        func write(offset: UInt64, value: UInt32) {}
    }

    @Test func garbageLayoutRegistersAreErrorsNotTraps() throws {
        let m = RuntimeManifest()
        for (layers, key) in [(UInt32(0xFFFF_FFFF), "NUM_LAYERS"), (1000, "NUM_LAYERS"), (1, "INPUT_COUNT")] {
            let dev = LoopbackDevice(dma: m.dmaConfig)
            try dev.attach(Garbage(layers: layers), window: m.acceleratorWindow, stream: nil)
            let e = #expect(throws: ZynqError.self) { _ = try AcceleratorDriver.probe(bus: dev, base: m.acceleratorBase, designName: "d") }
            #expect(e?.key == key)
        }
    }

    @Test func invalidParameterAccessSetsErrParam() throws {
        var g = SplitMix64(seed: 21)
        let model = randomFormat1Model(&g, layers: 1, inWidth: 8, maxWidth: 4)
        let t = try Topology(model: model)
        let acc = AcceleratorModel(layout: try AcceleratorLayout(topology: t, folds: defaultLoopbackFolds(t)))
        acc.write(offset: UInt64(RegisterMap.PARAM_ADDR), value: 0xFFFF_FFFF)
        #expect(acc.read(offset: UInt64(RegisterMap.PARAM_DATA)) == 0)
        #expect(acc.read(offset: UInt64(RegisterMap.STATUS)) & RegisterMap.STATUS_ERR_PARAM.mask != 0)
        acc.write(offset: UInt64(RegisterMap.STATUS), value: RegisterMap.STATUS_ERR_PARAM.mask)
        acc.write(offset: UInt64(RegisterMap.PARAM_SEL), value: 7)   // no layer 7
        acc.write(offset: UInt64(RegisterMap.PARAM_DATA), value: 1)
        #expect(acc.read(offset: UInt64(RegisterMap.STATUS)) & RegisterMap.STATUS_ERR_PARAM.mask != 0)
    }

    @Test func topologyMismatchNamesBothSides() throws {
        var g = SplitMix64(seed: 9)
        let a = randomFormat1Model(&g, layers: 2, inWidth: 12, maxWidth: 8)
        var b = a
        b.layers[1].outputType = a.layers[1].outputType == .int8 ? .uint8 : .int8
        b.layers[1].outputZero = 0
        let rig = try Rig(model: a, images: 4, g: &g)
        let e = #expect(throws: ZynqError.self) { try rig.driver.load(model: b, modelName: "other.npz") }
        #expect(e?.key == "topology_hash")
        #expect(e?.description.contains("other.npz") == true)
        #expect(e?.description.contains(AcceleratorDriver.describe(try Topology(model: a))) == true)
        // The design itself still works with its own model.
        try rig.driver.load(model: a, modelName: "a.npz")
        #expect(try rig.expectMatches(try randomCodes(&g, model: a, count: 3)))
    }

    @Test func probeReadsTheLayoutBack() throws {
        var g = SplitMix64(seed: 10)
        let model = randomFormat1Model(&g, layers: 3, inWidth: 30, maxWidth: 20)
        let t = try Topology(model: model)
        let folds = randomFolds(t, &g)
        let board = try LoopbackBoard(layout: try AcceleratorLayout(topology: t, folds: folds))
        let info = try AcceleratorDriver.probe(bus: board.device, base: board.manifest.acceleratorBase, designName: "x")
        #expect(info.layout.folds == folds)
        #expect(info.topologyHash == t.hash)
        #expect(info.layout.topology == t)
    }
}

/// Every fault ends in a clear error within its time limit, leaves the device usable, and
/// never yields results.
@Suite struct FaultTests {
    func rig(_ seed: UInt64, images: Int = 32) throws -> (Rig, SplitMix64) {
        var g = SplitMix64(seed: seed)
        let model = randomFormat1Model(&g, layers: 2, inWidth: 19, maxWidth: 13)
        let rig = try Rig(model: model, images: images, g: &g)
        rig.driver.timeoutNanoseconds = 50_000_000
        rig.driver.timeoutPerImageNanoseconds = 0
        return (rig, g)
    }

    func expectRecovered(_ rig: Rig, _ g: inout SplitMix64) throws {
        #expect(try rig.expectMatches(try randomCodes(&g, model: rig.model, count: 9)))
    }

    @Test(arguments: [(DMAChannel.mm2s, DMASR.slaveError, "DMASlvErr"), (DMAChannel.s2mm, DMASR.decodeError, "DMADecErr"),
                      (DMAChannel.s2mm, DMASR.internalError, "DMAIntErr")])
    func dmaErrorBits(channel: DMAChannel, bits: UInt32, name: String) throws {
        var (rig, g) = try rig(11)
        rig.board.device.dma.injectError(channel, bits: bits)
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 5)) }
        #expect(e?.description.contains(name) == true)
        #expect(e?.description.contains("were reset") == true)
        try expectRecovered(rig, &g)
    }

    @Test func dmaThatNeverGoesIdle() throws {
        var (rig, g) = try rig(12)
        rig.board.device.dma.injectHang(.s2mm)
        let t0 = LiveSystem().monotonicNanoseconds()
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 5)) }
        #expect(LiveSystem().monotonicNanoseconds() - t0 < 2_000_000_000)
        #expect(e?.key == "S2MM_DMASR")
        #expect(e?.description.contains("did not finish in time") == true)
        #expect(e?.reason == .dma(channel: .s2mm, problem: .timedOut, status: 0))
        try expectRecovered(rig, &g)
    }

    /// MM2S never moves a byte: the accelerator is empty and idle, so the error names MM2S, not
    /// the accelerator (it used to say "the accelerator stopped taking data after 0 images").
    @Test func mm2sThatNeverDelivers() throws {
        var (rig, g) = try rig(16)
        _ = try rig.run(try randomCodes(&g, model: rig.model, count: 4))   // IMAGES_IN is 4 before the hang
        rig.board.device.dma.injectHang(.mm2s)
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 5)) }
        #expect(e?.key == "MM2S_DMASR")
        #expect(e?.description.contains("the accelerator received no image of this transfer (IMAGES_IN 4 unchanged, IN_FLIGHT 0") == true)
        #expect(e?.description.contains("stopped taking data") == false)
        guard case .dma(channel: .mm2s, problem: .timedOut, _)? = e?.reason else {
            Issue.record("reason \(String(describing: e?.reason)), expected an MM2S timeout"); return
        }
        try expectRecovered(rig, &g)
    }

    @Test func acceleratorStopsTakingData() throws {
        var (rig, g) = try rig(13)
        rig.board.accelerator.stopAcceptingAfterImages = 3
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 8)) }
        #expect(e?.key == "MM2S_DMASR")
        #expect(e?.description.contains("stopped taking data after 3 images of this transfer's 8 (IMAGES_IN 3, IN_FLIGHT 0)") == true)
        #expect(e?.description.contains("; S2MM: no error bits [status") == true)
        // The three images it took have all left it: nothing in flight.
        #expect(e?.reason == .accelerator(.stalled(imagesIn: 3, inFlight: 0)))
        try expectRecovered(rig, &g)
    }

    /// An S2MM error stops the output stream; the accelerator fills up and MM2S stalls. The
    /// timeout names S2MM's error, not the accelerator.
    @Test func s2mmErrorBehindAStalledMM2SIsBlamedOnS2MM() throws {
        var (rig, g) = try rig(15)
        rig.board.accelerator.capacityImages = 2
        rig.board.device.dma.injectError(.s2mm, bits: DMASR.decodeError)
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 8)) }
        #expect(e?.key == "S2MM_DMASR")
        #expect(e?.description.contains("S2MM transfer failed: DMADecErr") == true)
        #expect(e?.description.contains("MM2S stalled behind it (MM2S transfer did not finish in time") == true)
        #expect(e?.description.contains("stopped taking data") == false)
        #expect(e?.reason == .dma(channel: .s2mm, problem: .errorBits, status: 0x4041))
        try expectRecovered(rig, &g)
    }

    @Test func shortS2MMTransfer() throws {
        var (rig, g) = try rig(14)
        rig.board.accelerator.earlyTLASTAfterImages = 2
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 7)) }
        #expect(e?.key == "S2MM_LENGTH")
        let per = 8 * OutputRecord.beats(classes: rig.model.outputCount)
        #expect(e?.description.contains("S2MM wrote \(2 * per) bytes, expected \(7 * per)") == true)
        #expect(e?.reason == .accelerator(.outputLength(written: UInt32(2 * per), expected: UInt32(7 * per))))
        try expectRecovered(rig, &g)
    }

    @Test func registerThatReadsBackWrong() throws {
        var (rig, g) = try rig(15)
        let dataAddress = rig.board.manifest.acceleratorBase + UInt64(RegisterMap.PARAM_DATA)
        rig.board.device.readCorruptions[dataAddress] = (mask: 0x10, count: 1)
        let e = #expect(throws: ZynqError.self) { try rig.driver.load(model: rig.model, modelName: "m.npz") }
        #expect(e?.key == "PARAM_DATA")
        #expect(e?.description.contains("layer 0 weights chunk 0") == true)
        // The values read and written are in the reason: they differ in exactly the corrupted bit.
        guard case .accelerator(.readBack(register: "PARAM_DATA", let wrote, let read))? = e?.reason else {
            Issue.record("reason \(String(describing: e?.reason))")
            return
        }
        #expect(wrote ^ read == 0x10)
        // Not loaded: a batch is refused rather than run on half-checked parameters.
        let e2 = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 2)) }
        #expect(e2?.description.contains("no model is loaded") == true)
        // A layer register that reads back wrong is named too.
        let zeroAddress = rig.board.manifest.acceleratorBase + UInt64(RegisterMap.layerRegister(1, RegisterMap.L_ZERO))
        rig.board.device.readCorruptions[zeroAddress] = (mask: 0x100, count: 1)
        let e3 = #expect(throws: ZynqError.self) { try rig.driver.load(model: rig.model, modelName: "m.npz") }
        #expect(e3?.key == "layer1.L_ZERO")
        try rig.driver.load(model: rig.model, modelName: "m.npz")
        try expectRecovered(rig, &g)
    }

    @Test func corruptedRecordIsNotReturned() throws {
        var (rig, g) = try rig(16)
        rig.board.accelerator.corruptNextClassIndex = true
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 4)) }
        #expect(e?.description.contains("corrupted output") == true)
        if case .accelerator(.classIndex(record: 0, let read, let argmax))? = e?.reason { #expect(read != argmax) } else {
            Issue.record("reason \(String(describing: e?.reason))")
        }
        try expectRecovered(rig, &g)
    }

    @Test func secondDriverOnTheSameDeviceIsRefused() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        var g = SplitMix64(seed: 17)
        let model = randomFormat1Model(&g, layers: 1, inWidth: 8, maxWidth: 8)
        let rig = try Rig(model: model, images: 8, lockDir: dir, g: &g)
        let e = #expect(throws: ZynqError.self) { _ = try rig.board.driver(images: 8, lockDirectory: dir, interrupt: .never) }
        #expect(e?.description.contains("in use by another zynqnet process") == true)
        // The first driver is unaffected.
        #expect(try rig.expectMatches(try randomCodes(&g, model: model, count: 3)))
    }

    @Test func ctrlCDuringATransfer() throws {
        var (rig, g) = try rig(18)
        rig.driver.timeoutNanoseconds = 10_000_000_000
        rig.board.device.dma.injectHang(.mm2s)
        let mm2sLength = rig.board.manifest.dmaBase + 0x28
        let flag = rig.flag
        rig.board.device.afterWrite = { address, _ in if address == mm2sLength { flag.set = true } }
        let t0 = LiveSystem().monotonicNanoseconds()
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: rig.model, count: 6)) }
        #expect(e?.key == "SIGINT")
        #expect(LiveSystem().monotonicNanoseconds() - t0 < 2_000_000_000)
        rig.board.device.afterWrite = nil
        flag.set = false
        try expectRecovered(rig, &g)
    }

    @Test func ctrlCBetweenTransfersReturnsNothing() throws {
        var g = SplitMix64(seed: 19)
        let model = randomFormat1Model(&g, layers: 1, inWidth: 16, maxWidth: 8)
        let rig = try Rig(model: model, manifest: RuntimeManifest(dmaLengthWidth: 8), images: 64, g: &g)
        let s2mmLength = rig.board.manifest.dmaBase + 0x58
        let flag = rig.flag
        rig.board.device.afterWrite = { address, _ in if address == s2mmLength { flag.set = true } }
        let e = #expect(throws: ZynqError.self) { _ = try rig.run(try randomCodes(&g, model: model, count: 40)) }
        #expect(e?.description.contains("interrupted after \(rig.driver.maxImagesPerTransfer) of 40 images") == true)
        rig.board.device.afterWrite = nil
        flag.set = false
        #expect(try rig.expectMatches(try randomCodes(&g, model: model, count: 40)))
    }

    @Test func realSIGINTSetsTheProcessFlag() throws {
        InterruptFlag.installSIGINTHandler()
        InterruptFlag.clearSIGINT()
        #expect(!InterruptFlag.sigint.isSet)
        // kill(getpid()) lets the kernel pick a thread that does not block SIGINT.
        kill(getpid(), SIGINT)
        var waited = 0
        while !InterruptFlag.sigint.isSet && waited < 200 { usleep(5_000); waited += 1 }
        #expect(InterruptFlag.sigint.isSet)
        InterruptFlag.clearSIGINT()
        InterruptFlag.installSIGINTHandler()
    }
}
