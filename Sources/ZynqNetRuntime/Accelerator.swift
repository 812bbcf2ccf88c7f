import CZynqNetSys
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// What the accelerator says about itself (identity and layout registers).
public struct AcceleratorInfo: Sendable, Equatable {
    public var version: UInt32
    public var topologyHash: UInt64
    public var layout: AcceleratorLayout
    public var iiCycles: UInt32
    /// The FLAGS register as read.
    public var flags: UInt32 = 0
    /// The engine FLAGS names (bit SEQUENTIAL).
    public var engine: Engine { Engine(flags: flags) }
    /// Each layer's L_LANES.KIND (0 dense, 1 conv2d, 2 maxpool2d).
    public var layerKinds: [UInt32] = []
    /// Each layer's window registers (map 1.2, `RegisterMap.windowRegisters` order; zeros for a
    /// dense layer), nil on a 1.1 design with windows and on a design with dense layers only.
    public var windowWords: [[UInt32]]?
    /// OUTPUT_COUNT, while the layout's windows are not known yet (a design with conv2d or
    /// maxpool2d layers: `layout` has dense stand-ins for them until a model with the design's
    /// topology hash is checked, `AcceleratorDriver.check(model:modelName:)`).
    public var pendingOutputCount: Int?
    /// Codes an output image holds.
    public var outputCount: Int { pendingOutputCount ?? layout.topology.outputCount }
}

/// The hardware's own counters (`IMAGES_IN`, `IMAGES_OUT`, busy/stall/starve cycles).
public struct HardwareCounters: Sendable, Equatable {
    public var imagesIn: UInt32 = 0
    public var imagesOut: UInt32 = 0
    public var busyCycles: UInt64 = 0
    public var stallCycles: UInt64 = 0
    public var starveCycles: UInt64 = 0
}

/// Host-side time and volume of the batches run so far.
public struct RunStatistics: Sendable, Equatable {
    public var images: UInt64 = 0
    public var transfers: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Packing images into the input buffer.
    public var packNanoseconds: UInt64 = 0
    /// Cache maintenance (sync_for_device / sync_for_cpu) and barriers.
    public var syncNanoseconds: UInt64 = 0
    /// Copies between host memory and the DMA buffer: the input records into it, the output
    /// records out of it (the cost of an uncached or write-combined buffer on the Cortex-A9).
    public var copyNanoseconds: UInt64 = 0
    /// Unpacking and checking the output records.
    public var unpackNanoseconds: UInt64 = 0
    /// Starting the DMA and waiting for it (includes the accelerator's compute).
    public var transferNanoseconds: UInt64 = 0
    /// Wall time of `run` calls.
    public var totalNanoseconds: UInt64 = 0
}

/// Drives the generated accelerator through the AXI DMA: probe, load, run, counters, recover.
///
/// Every failure inside a batch (DMA error bits, a timeout, Ctrl-C, a short transfer, a
/// record that does not check out) resets the DMA and the accelerator's datapath before the
/// error is thrown, so the next batch starts clean; no partial results are returned.
public final class AcceleratorDriver {
    public let bus: any RegisterBus
    public let dma: AxiDma
    public let buffer: any DMABuffer
    public let base: UInt64
    public private(set) var info: AcceleratorInfo
    let system: any SystemCalls
    let lock: DeviceLock?
    public let interrupt: InterruptFlag
    /// Names the hardware in messages (bitstream or manifest path, or "loopback").
    public let designName: String
    /// Per transfer: the base time limit plus `timeoutPerImageNanoseconds` per image.
    public var timeoutNanoseconds: UInt64 = 2_000_000_000
    public var timeoutPerImageNanoseconds: UInt64 = 1_000_000

    public private(set) var loadedModelName: String?
    public private(set) var stats = RunStatistics()

    // Geometry of one image in the streams.
    let pixels: Int
    let classes: Int
    let outputSigned: Bool
    let inStride: Int
    let outStride: Int
    /// Images per DMA transfer: the DMA length limit and the buffer both bound it.
    public let maxImagesPerTransfer: Int
    let outRegionOffset: Int
    /// Cached host copies of one transfer's records: input records are packed here (when an
    /// image needs padding) and copied into the DMA buffer in one pass; output records are
    /// copied out in one pass and checked here, never read piecemeal from the buffer.
    let inStaging: UnsafeMutableRawPointer?
    let outStaging: UnsafeMutableRawPointer
    var nextSequence: UInt32 = 0
    var packetImages: UInt32 = 1

    /// Opens the accelerator at `acceleratorBase`: checks identity and layout, resets the
    /// DMA and the datapath, clears the counters. `lock` is held for the driver's lifetime.
    public init(bus: any RegisterBus, dma: AxiDma, buffer: any DMABuffer, acceleratorBase: UInt64,
                designName: String, lock: DeviceLock?, interrupt: InterruptFlag = .sigint,
                system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.bus = bus
        self.dma = dma
        self.buffer = buffer
        self.base = acceleratorBase
        self.system = system
        self.lock = lock
        self.interrupt = interrupt
        self.designName = designName
        let info = try AcceleratorDriver.probe(bus: bus, base: acceleratorBase, designName: designName)
        self.info = info
        let topo = info.layout.topology
        pixels = topo.inputCount
        classes = info.outputCount
        outputSigned = topo.outputSigned
        inStride = OutputRecord.inputBeats(pixels: pixels) * OutputRecord.beatBytes
        outStride = OutputRecord.beats(classes: classes) * OutputRecord.beatBytes
        let maxLen = Int(exactly: dma.config.maxTransferLength) ?? Int.max
        let byDMA = min(maxLen / inStride, maxLen / outStride)
        let byBuffer = (buffer.size - 64) / (inStride + outStride)
        maxImagesPerTransfer = min(byDMA, byBuffer, Int(Int32.max))
        guard maxImagesPerTransfer >= 1 else {
            if byDMA < 1 {
                throw ZynqError(file: designName, key: "dma_length_width",
                                "one image needs \(inStride) input and \(outStride) output bytes, more than the DMA's maximum transfer of \(maxLen) bytes")
            }
            throw ZynqError(key: buffer.name, "the DMA buffer of \(buffer.size) bytes cannot hold one image (\(inStride + outStride) bytes)")
        }
        outRegionOffset = (maxImagesPerTransfer * inStride + 63) / 64 * 64
        if inStride == pixels {
            inStaging = nil
        } else {
            let p = UnsafeMutableRawPointer.allocate(byteCount: maxImagesPerTransfer * inStride, alignment: 64)
            p.initializeMemory(as: UInt8.self, repeating: 0, count: maxImagesPerTransfer * inStride)
            inStaging = p
        }
        outStaging = UnsafeMutableRawPointer.allocate(byteCount: maxImagesPerTransfer * outStride, alignment: 64)
        // Zero the input region once: the padding bytes of every image stay zero.
        buffer.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: outRegionOffset)
        try buffer.syncForDevice(offset: 0, length: outRegionOffset, direction: .toDevice)
        try reset(keepStart: false)
    }

    deinit {
        inStaging?.deallocate()
        outStaging.deallocate()
    }

    @inline(__always) func reg(_ offset: UInt32) -> UInt64 { base + UInt64(offset) }

    // MARK: Probe

    /// Reads the identity and layout registers; every inconsistency is a clear error.
    public static func probe(bus: any RegisterBus, base: UInt64, designName: String) throws(ZynqError) -> AcceleratorInfo {
        func r(_ off: UInt32) throws(ZynqError) -> UInt32 { try bus.read32(base + UInt64(off)) }
        let magic = try r(RegisterMap.MAGIC)
        guard magic == RegisterMap.magic else {
            throw ZynqError(file: designName, key: "MAGIC",
                            "no zynqnet accelerator at \(hex(base)): MAGIC reads \(hex(magic)), expected \(hex(RegisterMap.magic)) (\"ZNET\"); is the bitstream loaded (zynqnet load) and accelerator_base right?")
        }
        let version = try r(RegisterMap.VERSION)
        guard RegisterMap.VERSION_MAJOR.extract(version) == RegisterMap.versionMajor else {
            throw ZynqError(file: designName, key: "VERSION",
                            "register map version \(RegisterMap.VERSION_MAJOR.extract(version)).\(RegisterMap.VERSION_MINOR.extract(version)), this zynqnet drives \(RegisterMap.versionMajor).x; rebuild the bitstream with this zynqnet")
        }
        let hash = RegisterPair.join(lo: try r(RegisterMap.TOPOLOGY_HASH_LO), hi: try r(RegisterMap.TOPOLOGY_HASH_HI))
        // Register values are compared as UInt32 before becoming Int (32 bits on ARM).
        let rawLayers = try r(RegisterMap.NUM_LAYERS)
        let n = rawLayers <= UInt32(RegisterMap.maxLayers) ? Int(rawLayers) : -1
        let window = bus.windows.first { $0.contains(base) }
        let needed = UInt64(RegisterMap.LAYER_BASE) + UInt64(max(n, 1)) * UInt64(RegisterMap.LAYER_STRIDE)
        guard n >= 1, n <= RegisterMap.maxLayers, let window, window.contains(base, length: needed) else {
            throw ZynqError(file: designName, key: "NUM_LAYERS", "reads \(rawLayers): not a layer count that fits the accelerator's register window")
        }
        let rawInput = try r(RegisterMap.INPUT_COUNT)
        guard rawInput >= 1, rawInput <= UInt32(Topology.maxCount) else {
            throw ZynqError(file: designName, key: "INPUT_COUNT", "reads \(rawInput): not an input size")
        }
        let inputCount = Int(rawInput)
        let flags = try r(RegisterMap.FLAGS)
        var layers: [LayerTopology] = []
        var folds: [LayerFold] = []
        var kinds: [UInt32] = []
        for i in 0..<n {
            func lr(_ off: UInt32) throws(ZynqError) -> UInt32 { try r(RegisterMap.layerRegister(i, off)) }
            let rawIn = try lr(RegisterMap.L_IN), rawOut = try lr(RegisterMap.L_OUT)
            let limit = UInt32(Topology.maxCount)
            let inCount = rawIn <= limit ? Int(rawIn) : 0, outCount = rawOut <= limit ? Int(rawOut) : 0
            let fold = try lr(RegisterMap.L_FOLD), lanesWord = try lr(RegisterMap.L_LANES)
            let lanes = RegisterMap.L_LANES_LANES.int(lanesWord), kind = RegisterMap.L_LANES_KIND.extract(lanesWord)
            let widths = try lr(RegisterMap.L_WIDTHS)
            let biasBits = RegisterMap.L_WIDTHS_BIAS_BITS.int(widths), multBits = RegisterMap.L_WIDTHS_MULT_BITS.int(widths)
            guard (1...Topology.maxCount).contains(inCount), (1...Topology.maxCount).contains(outCount),
                  (1...64).contains(biasBits), (1...32).contains(multBits), kind <= 2 else {
                throw ZynqError(file: designName, key: "layer\(i)", "layer registers are not a valid layer (L_IN \(inCount), L_OUT \(outCount), L_WIDTHS \(hex(widths)))")
            }
            layers.append(LayerTopology(inCount: inCount, outCount: outCount, inSigned: RegisterMap.L_WIDTHS_IN_SIGNED.isSet(widths),
                                        outSigned: RegisterMap.L_WIDTHS_OUT_SIGNED.isSet(widths), biasBits: biasBits, multBits: multBits,
                                        roundings: RegisterMap.L_WIDTHS_ROUNDINGS.int(widths)))
            folds.append(LayerFold(pe: RegisterMap.L_FOLD_PE.int(fold), simd: RegisterMap.L_FOLD_SIMD.int(fold), lanes: lanes))
            kinds.append(kind)
        }
        // Map 1.2: a window block per layer after the layer blocks describes each conv2d and maxpool2d layer.
        var windowWords: [[UInt32]]?
        var padZero: Int32?
        if kinds.contains(where: { $0 != 0 }), RegisterMap.VERSION_MINOR.extract(version) >= 2 {
            let end = UInt64(RegisterMap.LAYER_BASE) + UInt64(2 * n) * UInt64(RegisterMap.LAYER_STRIDE)
            guard window.contains(base, length: end) else {
                throw ZynqError(file: designName, key: "NUM_LAYERS", "reads \(n): the window blocks of \(n) layers do not fit the accelerator's register window")
            }
            var all: [[UInt32]] = []
            for i in 0..<n {
                var words: [UInt32] = []
                for reg in RegisterMap.windowRegisters { words.append(try r(RegisterMap.windowRegister(i, layers: n, reg.offset))) }
                all.append(words)
                guard kinds[i] != 0 else { continue }
                guard let w = RegisterMap.window(words: words) else {
                    throw ZynqError(file: designName, key: "layer\(i).L_WIN_IMAGE", "reads 0, but L_LANES.KIND is \(kinds[i]) (a window); the registers are inconsistent")
                }
                do throws(ZynqError) {
                    try Topology.check(w, layer: i)
                } catch { let e = error
                    throw ZynqError(file: designName, key: "layer\(i).L_WIN_IMAGE", "the window registers describe an impossible window: \(e.message)")
                }
                layers[i].kind = kinds[i] == 1 ? .conv(w) : .maxpool(w)
                if RegisterMap.L_WIN_CH_PAD_FIXED.isSet(words[4]) {
                    let code = UInt8(RegisterMap.L_WIN_CH_PAD_ZERO.extract(words[4]))
                    padZero = RegisterMap.FLAGS_INPUT_SIGNED.isSet(flags) ? Int32(Int8(bitPattern: code)) : Int32(code)
                }
            }
            windowWords = all
        }
        let topology = Topology(inputCount: inputCount, inputSigned: RegisterMap.FLAGS_INPUT_SIGNED.isSet(flags), layers: layers,
                                inputPadZero: padZero)
        let layout: AcceleratorLayout
        do throws(ZynqError) {
            layout = try AcceleratorLayout(topology: topology, folds: folds)
        } catch { let e = error
            throw ZynqError(file: designName, key: e.key, "the accelerator's registers describe an impossible fold: \(e.message)")
        }
        // A 1.1 design with windows: their geometry is in the hash only; `check(model:)` completes the layout.
        let windowed = kinds.contains { $0 != 0 } && windowWords == nil
        guard windowed || topology.hash == hash else {
            throw ZynqError(file: designName, key: "TOPOLOGY_HASH_LO",
                            "the accelerator reports hash \(topologyHashText(hash)) but its layer\(windowWords == nil ? "" : " and window") registers give \(topologyHashText(topology.hash)) (\(describe(topology))); the registers are inconsistent")
        }
        if Engine(flags: flags) == .sequential, let i = folds.firstIndex(where: { $0.pe != 1 || $0.simd != 1 || $0.lanes != 1 }) {
            throw ZynqError(file: designName, key: "FLAGS",
                            "reads \(hex(flags)): SEQUENTIAL is set, but layer \(i) reports PE \(folds[i].pe), SIMD \(folds[i].simd), lanes \(folds[i].lanes) (the sequential engine has 1, 1, 1); the registers are inconsistent")
        }
        var info = AcceleratorInfo(version: version, topologyHash: hash, layout: layout, iiCycles: try r(RegisterMap.II_CYCLES), flags: flags)
        info.layerKinds = kinds
        info.windowWords = windowWords
        if windowed {
            let rawOut = try r(RegisterMap.OUTPUT_COUNT)
            guard rawOut >= 1, rawOut <= UInt32(Topology.maxCount) else {
                throw ZynqError(file: designName, key: "OUTPUT_COUNT", "reads \(rawOut): not an output size")
            }
            info.pendingOutputCount = Int(rawOut)
        }
        return info
    }

    /// `784u-128u-10u`: input count, then every layer's outputs, u/s for the signedness.
    public static func describe(_ t: Topology) -> String {
        var s = "\(t.inputCount)\(t.inputSigned ? "s" : "u")"
        for l in t.layers { s += "-\(l.outCount)\(l.outSigned ? "s" : "u")" }
        return s
    }

    /// Checks `model` fits the hardware: same topology hash (with the design's multiplier width).
    /// A design with conv2d/maxpool2d layers takes its windows from the model (they are in the
    /// hash), once the registers' counts, folds and kinds agree with it too.
    public func check(model: QuantizedModel, modelName: String) throws(ZynqError) {
        let mine = try Topology(model: model, multBits: info.layout.topology.layers.first?.multBits ?? 32)
        if let hw = info.windowWords, hw.count == mine.layers.count {
            try AcceleratorDriver.compareWindows(hardware: hw, kinds: info.layerKinds, model: mine, modelName: modelName, designName: designName)
        }
        guard mine.hash == info.topologyHash else {
            throw ZynqError(file: designName, key: "topology_hash",
                            "the hardware was built for \(AcceleratorDriver.describe(info.layout.topology)) (topology hash \(topologyHashText(info.topologyHash))), but the model \(modelName) is \(AcceleratorDriver.describe(mine)) (hash \(topologyHashText(mine.hash))); generate and load a bitstream for this model")
        }
        guard info.pendingOutputCount != nil else { return }
        let regs = info.layout.topology
        for (i, (a, b)) in zip(mine.layers, regs.layers).enumerated()
        where a.inCount != b.inCount || a.outCount != b.outCount || a.kind.code != info.layerKinds[i] {
            throw ZynqError(file: designName, key: "layer\(i)",
                            "the layer registers (L_IN \(b.inCount), L_OUT \(b.outCount), kind \(info.layerKinds[i])) disagree with the model \(modelName) of the same topology hash; the registers are inconsistent")
        }
        guard mine.layers.count == regs.layers.count, mine.outputCount == info.outputCount else {
            throw ZynqError(file: designName, key: "OUTPUT_COUNT", "reads \(info.outputCount), the model \(modelName) of the same topology hash has \(mine.outputCount) outputs; the registers are inconsistent")
        }
        do throws(ZynqError) {
            info.layout = try AcceleratorLayout(topology: mine, folds: info.layout.folds)
        } catch { let e = error
            throw ZynqError(file: designName, key: e.key, "the accelerator's folds do not fit the model's windows: \(e.message)")
        }
        info.pendingOutputCount = nil
    }

    /// The first field of a layer's kind or window registers (map 1.2) that differs between the
    /// hardware and the model's topology, as one error naming the layer, register and both values.
    static func compareWindows(hardware hw: [[UInt32]], kinds: [UInt32], model mine: Topology, modelName: String,
                               designName: String) throws(ZynqError) {
        let fix = "; generate and load a bitstream for this model"
        for (i, l) in mine.layers.enumerated() {
            if l.kind.code != kinds[i] {
                throw ZynqError(file: designName, key: "layer\(i).L_LANES.KIND",
                                "the hardware has \(kinds[i]) (\(kindName(kinds[i]))), the model \(modelName) has \(l.kind.code) (\(l.kind.name))" + fix)
            }
            let want = RegisterMap.windowWords(mine, layer: i)
            for (k, reg) in RegisterMap.windowRegisters.enumerated() {
                for f in reg.fields where f.extract(hw[i][k]) != f.extract(want[k]) {
                    throw ZynqError(file: designName, key: "layer\(i).\(reg.name).\(f.name)",
                                    "the hardware has \(f.extract(hw[i][k])), the model \(modelName) has \(f.extract(want[k]))" + fix)
                }
            }
        }
    }

    static func kindName(_ code: UInt32) -> String {
        code < UInt32(LayerShape.names.count) ? LayerShape.names[Int(code)] : "unknown"
    }

    // MARK: Reset and load

    /// DMA soft reset, accelerator SOFT_RESET + CLEAR_COUNTERS, then START again if a model
    /// is loaded and OUT_PACKET_IMAGES restored.
    func reset(keepStart: Bool) throws(ZynqError) {
        try dma.reset()
        try bus.write32(reg(RegisterMap.CONTROL), RegisterMap.CONTROL_SOFT_RESET.mask | RegisterMap.CONTROL_CLEAR_COUNTERS.mask)
        try bus.write32(reg(RegisterMap.STATUS), RegisterMap.STATUS_ERR_INPUT.mask | RegisterMap.STATUS_ERR_PARAM.mask)
        try bus.write32(reg(RegisterMap.OUT_PACKET_IMAGES), packetImages)
        if keepStart { try bus.write32(reg(RegisterMap.CONTROL), RegisterMap.CONTROL_START.mask) }
        nextSequence = 0
    }

    /// Resets after a failure; a reset failure is added to the original message.
    func recover(after original: ZynqError) -> ZynqError {
        do throws(ZynqError) {
            try reset(keepStart: loadedModelName != nil)
            var e = original
            e.message += " (the DMA and the accelerator were reset)"
            return e
        } catch {
            loadedModelName = nil
            return ZynqError(key: "reset", "\(original); then the reset failed too: \(error)")
        }
    }

    /// Loads weights and quantization parameters (`ParameterImage`), reads every one back,
    /// checks STATUS.ERR_PARAM, then sets CONTROL.START.
    public func load(model: QuantizedModel, modelName: String) throws(ZynqError) {
        try check(model: model, modelName: modelName)
        let image: ParameterImage
        do throws(ZynqError) {
            image = try ParameterImage(model: model, layout: info.layout)
        } catch { let e = error
            throw e.inFile(modelName)
        }
        loadedModelName = nil
        try bus.write32(reg(RegisterMap.CONTROL), 0)
        try bus.write32(reg(RegisterMap.STATUS), RegisterMap.STATUS_ERR_PARAM.mask)
        for w in image.registerWrites { try bus.write32(reg(w.offset), w.value) }
        // Read back the layer registers…
        for w in image.registerWrites where w.offset >= RegisterMap.LAYER_BASE {
            let got = try bus.read32(reg(w.offset))
            if got != w.value {
                throw ZynqError(key: registerName(w.offset),
                                "read back \(hex(got)) after writing \(hex(w.value)) (\(modelName) not loaded)",
                                reason: .accelerator(.readBack(register: registerName(w.offset), wrote: w.value, read: got)))
            }
        }
        // …and every parameter chunk.
        for b in image.blocks {
            try bus.write32(reg(RegisterMap.PARAM_SEL), b.select)
            for (j, expected) in b.chunks.enumerated() {
                let got = try bus.read32(reg(RegisterMap.PARAM_DATA))
                if got != expected {
                    throw ZynqError(key: "PARAM_DATA",
                                    "layer \(b.layer) \(b.kind == .weights ? "weights" : "quantization") chunk \(j): read back \(hex(got)), wrote \(hex(expected)) (\(modelName) not loaded)",
                                    reason: .accelerator(.readBack(register: "PARAM_DATA", wrote: expected, read: got)))
                }
            }
        }
        let status = try bus.read32(reg(RegisterMap.STATUS))
        if RegisterMap.STATUS_ERR_PARAM.isSet(status) {
            throw ZynqError(key: "STATUS", "ERR_PARAM set while loading \(modelName): an invalid parameter access",
                            reason: .accelerator(.parameterError(status: status)))
        }
        try bus.write32(reg(RegisterMap.CONTROL), RegisterMap.CONTROL_START.mask)
        loadedModelName = modelName
    }

    func registerName(_ offset: UInt32) -> String {
        if offset >= RegisterMap.LAYER_BASE {
            let i = (offset - RegisterMap.LAYER_BASE) / RegisterMap.LAYER_STRIDE
            let r = (offset - RegisterMap.LAYER_BASE) % RegisterMap.LAYER_STRIDE
            let name = RegisterMap.layerRegisters.first { $0.offset == r }?.name ?? hex(r)
            return "layer\(i).\(name)"
        }
        return RegisterMap.globalRegisters.first { $0.offset == offset }?.name ?? hex(offset)
    }

    // MARK: Run

    /// Runs `count` images of input codes (`count × pixels` bytes, the codes' bit patterns)
    /// and writes `count × classes` outputs and `count` predictions. Splits at the DMA limit.
    /// Allocation-free.
    public func run(codes: UnsafeRawBufferPointer, count: Int,
                    outputs: UnsafeMutableBufferPointer<Int32>, predictions: UnsafeMutableBufferPointer<Int>) throws(ZynqError) {
        guard loadedModelName != nil else {
            throw ZynqError(key: "model", "no model is loaded into the accelerator (load failed or was never done)")
        }
        let (inNeed, o1) = count.multipliedReportingOverflow(by: pixels)
        let (outNeed, o2) = count.multipliedReportingOverflow(by: classes)
        guard count >= 0, !o1, !o2, codes.count >= inNeed, outputs.count >= outNeed, predictions.count >= count else {
            throw ZynqError(key: "images", "buffers too small for \(count) images")
        }
        let t0 = system.monotonicNanoseconds()
        var done = 0
        do throws(ZynqError) {
            while done < count {
                if interrupt.isSet { throw ZynqError(key: "SIGINT", "interrupted after \(done) of \(count) images; no results returned", reason: .interrupted) }
                let n = min(count - done, maxImagesPerTransfer)
                try runTransfer(codes: codes.baseAddress! + done * pixels, first: done, count: n,
                                outputs: outputs.baseAddress! + done * classes, predictions: predictions.baseAddress! + done)
                done += n
            }
        } catch {
            stats.totalNanoseconds &+= system.monotonicNanoseconds() &- t0
            throw recover(after: error)
        }
        stats.totalNanoseconds &+= system.monotonicNanoseconds() &- t0
    }

    func runTransfer(codes: UnsafeRawPointer, first: Int, count n: Int,
                     outputs: UnsafeMutablePointer<Int32>, predictions: UnsafeMutablePointer<Int>) throws(ZynqError) {
        let inBytes = n * inStride, outBytes = n * outStride
        let inp = buffer.bytes, outp = UnsafeRawPointer(outStaging)

        // Pack: pixel k of an image in byte k of its ceil(N/8) beats; padding stays zero. Images
        // that fill whole beats go straight into the buffer; others are packed in cached memory
        // and copied in one sequential pass (write-combine friendly).
        var t = system.monotonicNanoseconds()
        var t2 = t
        if let staging = inStaging {
            for i in 0..<n { (staging + i * inStride).copyMemory(from: codes + i * pixels, byteCount: pixels) }
            t2 = system.monotonicNanoseconds()
            stats.packNanoseconds &+= t2 &- t
            t = t2
            inp.copyMemory(from: staging, byteCount: inBytes)
        } else {
            inp.copyMemory(from: codes, byteCount: inBytes)
        }
        t2 = system.monotonicNanoseconds()
        stats.copyNanoseconds &+= t2 &- t
        t = t2
        try buffer.syncForDevice(offset: 0, length: inBytes, direction: .toDevice)
        try buffer.syncForDevice(offset: outRegionOffset, length: outBytes, direction: .fromDevice)
        t2 = system.monotonicNanoseconds()
        stats.syncNanoseconds &+= t2 &- t
        t = t2

        // S2MM first (it must be armed before the accelerator's output arrives), then MM2S.
        let k = UInt32(n)
        if k != packetImages {
            try bus.write32(reg(RegisterMap.OUT_PACKET_IMAGES), k)
            packetImages = k
        }
        try dma.start(.s2mm, address: buffer.physicalAddress + UInt64(outRegionOffset), length: UInt32(outBytes))
        try dma.start(.mm2s, address: buffer.physicalAddress, length: UInt32(inBytes))
        let deadline = t &+ timeoutNanoseconds &+ UInt64(n) &* timeoutPerImageNanoseconds
        do throws(ZynqError) {
            try dma.wait(.mm2s, deadline: deadline)
        } catch {
            let e = error
            guard case .dma(channel: .mm2s, problem: .timedOut, _) = e.reason else { throw e }
            // A stalled MM2S is often S2MM's fault: an S2MM error stops the output stream, the
            // accelerator fills up and stops taking input. Decode both channels before blaming it.
            let s2mm = try? dma.status(.s2mm)
            if let s2mm, s2mm & DMASR.errorMask != 0 {
                throw ZynqError(key: "S2MM_DMASR", "S2MM transfer failed: \(describeDMAStatus(s2mm)); MM2S stalled behind it (\(e.message))",
                                reason: .dma(channel: .s2mm, problem: .errorBits, status: s2mm))
            }
            let inFlight = (try? bus.read32(reg(RegisterMap.IN_FLIGHT))) ?? 0
            let imagesIn = (try? bus.read32(reg(RegisterMap.IMAGES_IN))) ?? 0
            // IMAGES_IN counts from the last counter clear, as the sequence numbers do, so
            // `nextSequence` is its value before this transfer.
            let taken = imagesIn &- nextSequence
            let s2mmText = s2mm.map(describeDMAStatus) ?? "unreadable"
            if taken == 0 && inFlight == 0 {
                // Empty and idle, the accelerator takes data: none arrived. The MM2S side is stuck.
                throw ZynqError(key: "MM2S_DMASR", "\(e.message); S2MM: \(s2mmText); the accelerator received no image of this "
                                + "transfer (IMAGES_IN \(imagesIn) unchanged, IN_FLIGHT 0: idle, waiting for data), so MM2S read "
                                + "nothing or its stream does not reach s_axis (the HP port, the DMA's clock, the buffer's address)",
                                reason: e.reason)
            }
            throw ZynqError(key: "MM2S_DMASR", "\(e.message); S2MM: \(s2mmText); "
                            + "the accelerator stopped taking data after \(taken) images of this transfer's \(n) "
                            + "(IMAGES_IN \(imagesIn), IN_FLIGHT \(inFlight))",
                            reason: .accelerator(.stalled(imagesIn: imagesIn, inFlight: inFlight)))
        }
        try dma.wait(.s2mm, deadline: deadline)
        try dma.checkS2MMBytes(expected: UInt32(outBytes))
        t2 = system.monotonicNanoseconds()
        stats.transferNanoseconds &+= t2 &- t
        t = t2
        try buffer.syncForCPU(offset: outRegionOffset, length: outBytes, direction: .fromDevice)
        t2 = system.monotonicNanoseconds()
        stats.syncNanoseconds &+= t2 &- t
        t = t2
        outStaging.copyMemory(from: buffer.bytes + outRegionOffset, byteCount: outBytes)
        t2 = system.monotonicNanoseconds()
        stats.copyNanoseconds &+= t2 &- t
        t = t2

        // Unpack and check every record: sequence number, class index = argmax of the values.
        for i in 0..<n {
            let rec = UnsafeRawPointer(outp + i * outStride)
            let beat0 = UInt64(littleEndian: rec.loadUnaligned(as: UInt64.self))
            let cls = OutputRecord.classIndex(header: beat0)
            let seq = OutputRecord.sequence(header: beat0)
            let expected = nextSequence &+ UInt32(truncatingIfNeeded: i)
            if seq != expected {
                throw ZynqError(key: "m_axis", "output record \(first + i): sequence number \(seq), expected \(expected) (an image was lost or repeated)",
                                reason: .accelerator(.sequence(record: first + i, read: seq, expected: expected)))
            }
            let vals = rec + OutputRecord.beatBytes
            let out = outputs + i * classes
            var best = Int32.min, bestIndex = 0
            if outputSigned {
                for c in 0..<classes {
                    let v = Int32(Int8(bitPattern: vals.load(fromByteOffset: c, as: UInt8.self)))
                    out[c] = v
                    if v > best { best = v; bestIndex = c }
                }
            } else {
                for c in 0..<classes {
                    let v = Int32(vals.load(fromByteOffset: c, as: UInt8.self))
                    out[c] = v
                    if v > best { best = v; bestIndex = c }
                }
            }
            if cls != UInt32(bestIndex) {
                throw ZynqError(key: "m_axis", "output record \(first + i): class index \(cls), but the largest value is at \(bestIndex) (corrupted output)",
                                reason: .accelerator(.classIndex(record: first + i, read: cls, argmax: UInt32(bestIndex))))
            }
            predictions[i] = bestIndex
        }
        nextSequence &+= k
        let status = try bus.read32(reg(RegisterMap.STATUS))
        if RegisterMap.STATUS_ERR_INPUT.isSet(status) {
            throw ZynqError(key: "STATUS", "ERR_INPUT: the accelerator saw a malformed input stream (TLAST inside an image)",
                            reason: .accelerator(.inputError(status: status)))
        }
        t2 = system.monotonicNanoseconds()
        stats.unpackNanoseconds &+= t2 &- t
        stats.images &+= UInt64(n)
        stats.transfers &+= 1
        stats.bytesIn &+= UInt64(inBytes)
        stats.bytesOut &+= UInt64(outBytes)
    }

    /// Reads the hardware counters (the 64-bit ones LO first, which latches HI).
    public func counters() throws(ZynqError) -> HardwareCounters {
        func r(_ off: UInt32) throws(ZynqError) -> UInt32 { try bus.read32(reg(off)) }
        func r64(_ lo: UInt32, _ hi: UInt32) throws(ZynqError) -> UInt64 {
            let l = try r(lo)
            return RegisterPair.join(lo: l, hi: try r(hi))
        }
        return HardwareCounters(imagesIn: try r(RegisterMap.IMAGES_IN), imagesOut: try r(RegisterMap.IMAGES_OUT),
                                busyCycles: try r64(RegisterMap.BUSY_CYCLES_LO, RegisterMap.BUSY_CYCLES_HI),
                                stallCycles: try r64(RegisterMap.STALL_CYCLES_LO, RegisterMap.STALL_CYCLES_HI),
                                starveCycles: try r64(RegisterMap.STARVE_CYCLES_LO, RegisterMap.STARVE_CYCLES_HI))
    }

    /// Zeroes the hardware counters and the host statistics.
    public func clearCounters() throws(ZynqError) {
        try bus.write32(reg(RegisterMap.CONTROL), RegisterMap.CONTROL_CLEAR_COUNTERS.mask | RegisterMap.CONTROL_START.pack(loadedModelName != nil))
        nextSequence = 0
        stats = RunStatistics()
    }
}
