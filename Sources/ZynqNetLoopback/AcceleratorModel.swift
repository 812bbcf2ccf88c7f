import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// The accelerator as the loopback device sees it: the AXI-Lite register map of
/// `ZynqNetHW.RegisterMap` (identity, control, status, counters, per-layer registers, the
/// indirect parameter window with auto-increment and read-back) and the two streams of the
/// hardware contract. Images are computed by the bit-exact `Simulator` on a model rebuilt
/// from what was written into the parameter memories and layer registers, so a loading bug
/// shows up as wrong outputs, exactly as on the board.
public final class AcceleratorModel: LoopbackPeripheral, LoopbackStreamEndpoint {
    public let layout: AcceleratorLayout
    /// The engine the registers report (FLAGS.SEQUENTIAL) and time (II_CYCLES, busy cycles).
    public let engine: Engine
    /// II_CYCLES: the dataflow design's nominal II (`layout.iiCycles`) or the sequential
    /// engine's exact II (`SequentialTiming.iiCycles`, the function codegen uses).
    public let iiCycles: Int
    let topology: Topology
    let inputBeats: Int
    let outputBeats: Int
    let classes: Int

    // Registers.
    var start = false
    var errInput = false
    var errParam = false
    var outPacketImages: UInt32 = 1
    var imagesIn: UInt32 = 0
    var imagesOut: UInt32 = 0
    var busyCycles: UInt64 = 0
    var stallCycles: UInt64 = 0
    var starveCycles: UInt64 = 0
    var busyHigh: UInt32 = 0
    var stallHigh: UInt32 = 0
    var starveHigh: UInt32 = 0
    var layerCfg: [UInt32]
    var layerZero: [UInt32]
    var layerClamp: [UInt32]
    var paramSelect: UInt32 = 0
    var paramAddress: UInt32 = 0

    // Parameter memories: index 2·layer + kind, chunks in bank/depth/chunk order.
    var memories: [[UInt32]]
    var staging: [UInt32] = []
    var simulator: Simulator?
    var parametersDirty = true

    // Streams.
    var currentImage: [UInt8]
    var currentBeats = 0
    var pending: [UInt8] = []
    var pendingCount = 0
    var outData: [UInt64] = []
    var outLast: [Bool] = []
    var outHead = 0
    var outImagesQueued = 0
    var packetCount: UInt32 = 0

    /// Images the datapath holds at most (input accepted, output not yet sent): back-pressure.
    public var capacityImages = 64

    // Faults.
    /// After this many more accepted images the accelerator stops taking data (s_axis_tready
    /// low) until a soft reset.
    public var stopAcceptingAfterImages: Int?
    /// TLAST is put on the last beat of the next image whatever OUT_PACKET_IMAGES says (once).
    public var earlyTLASTAfterImages: Int?
    /// The next output image's class index is off by one (once): results that lie.
    public var corruptNextClassIndex = false
    /// Configurations the model could not turn into a model (should stay empty).
    public private(set) var violations: [String] = []

    /// The dataflow design of `layout`.
    public convenience init(layout: AcceleratorLayout) {
        self.init(layout: layout, engine: .dataflow, iiCycles: layout.iiCycles)
    }

    /// The design of `layout` built as `engine`; the sequential engine needs PE = SIMD = lanes = 1
    /// in every layer and one bias and M width (errors name `engine`).
    public convenience init(layout: AcceleratorLayout, engine: Engine) throws(ZynqError) {
        switch engine {
        case .dataflow:
            self.init(layout: layout)
        case .sequential:
            if let i = layout.folds.firstIndex(where: { $0.pe != 1 || $0.simd != 1 || $0.lanes != 1 }) {
                let f = layout.folds[i]
                throw ZynqError(key: "engine", "the sequential engine has PE = SIMD = lanes = 1, layer \(i) has PE \(f.pe), SIMD \(f.simd), lanes \(f.lanes)")
            }
            self.init(layout: layout, engine: .sequential, iiCycles: try SequentialTiming.iiCycles(layout.topology))
        }
    }

    init(layout: AcceleratorLayout, engine: Engine, iiCycles: Int) {
        self.layout = layout
        self.engine = engine
        self.iiCycles = iiCycles
        self.topology = layout.topology
        self.inputBeats = OutputRecord.inputBeats(pixels: layout.topology.inputCount)
        self.classes = layout.topology.outputCount
        self.outputBeats = OutputRecord.beats(classes: layout.topology.outputCount)
        let n = layout.topology.layers.count
        layerCfg = [UInt32](repeating: 0, count: n)
        layerZero = [UInt32](repeating: 0, count: n)
        layerClamp = layout.topology.layers.map { l in
            l.outSigned ? RegisterMap.clampWord(lo: -128, hi: 127) : RegisterMap.clampWord(lo: 0, hi: 255)
        }
        var mems: [[UInt32]] = []
        for i in 0..<n {
            for kind in [ParameterKind.weights, .quant] {
                let g = layout.memory(layer: i, kind: kind)
                mems.append([UInt32](repeating: 0, count: g.banks * g.depth * g.chunks))
            }
        }
        memories = mems
        currentImage = [UInt8](repeating: 0, count: inputBeats * OutputRecord.beatBytes)
    }

    var inFlight: Int { pendingCount + outImagesQueued + (currentBeats > 0 ? 1 : 0) }

    // MARK: Registers

    public func read(offset: UInt64) -> UInt32 {
        guard offset <= UInt64(UInt32.max) else { return 0 }
        let off = UInt32(offset)
        if off >= RegisterMap.LAYER_BASE {
            let i = Int((off - RegisterMap.LAYER_BASE) / RegisterMap.LAYER_STRIDE), n = topology.layers.count
            // Window blocks (map 1.2) follow the layer blocks in a design with windows.
            if i >= n, i < 2 * n, !topology.isDenseOnly {
                let k = (off - RegisterMap.LAYER_BASE) % RegisterMap.LAYER_STRIDE
                guard let r = RegisterMap.windowRegisters.firstIndex(where: { $0.offset == k }) else { return 0 }
                return RegisterMap.windowWords(topology, layer: i - n)[r]
            }
            guard i < n else { return 0 }
            let l = topology.layers[i], f = layout.folds[i]
            switch (off - RegisterMap.LAYER_BASE) % RegisterMap.LAYER_STRIDE {
            case RegisterMap.L_IN: return UInt32(l.inCount)
            case RegisterMap.L_OUT: return UInt32(l.outCount)
            case RegisterMap.L_FOLD: return RegisterMap.foldWord(f)
            case RegisterMap.L_LANES: return RegisterMap.lanesWord(l, f)
            case RegisterMap.L_WIDTHS: return RegisterMap.widthsWord(l)
            case RegisterMap.L_CFG: return layerCfg[i]
            case RegisterMap.L_ZERO: return layerZero[i]
            case RegisterMap.L_CLAMP: return layerClamp[i]
            default: return 0
            }
        }
        switch off {
        case RegisterMap.MAGIC: return RegisterMap.magic
        case RegisterMap.VERSION: return RegisterMap.version
        case RegisterMap.TOPOLOGY_HASH_LO: return RegisterPair.lo(topology.hash)
        case RegisterMap.TOPOLOGY_HASH_HI: return RegisterPair.hi(topology.hash)
        case RegisterMap.CONTROL: return RegisterMap.CONTROL_START.pack(start)
        case RegisterMap.STATUS:
            return RegisterMap.STATUS_BUSY.pack(inFlight > 0) | RegisterMap.STATUS_ERR_INPUT.pack(errInput)
                | RegisterMap.STATUS_ERR_PARAM.pack(errParam)
        case RegisterMap.OUT_PACKET_IMAGES: return outPacketImages
        case RegisterMap.IN_FLIGHT: return UInt32(inFlight)
        case RegisterMap.IMAGES_IN: return imagesIn
        case RegisterMap.IMAGES_OUT: return imagesOut
        case RegisterMap.BUSY_CYCLES_LO: busyHigh = RegisterPair.hi(busyCycles); return RegisterPair.lo(busyCycles)
        case RegisterMap.BUSY_CYCLES_HI: return busyHigh
        case RegisterMap.STALL_CYCLES_LO: stallHigh = RegisterPair.hi(stallCycles); return RegisterPair.lo(stallCycles)
        case RegisterMap.STALL_CYCLES_HI: return stallHigh
        case RegisterMap.STARVE_CYCLES_LO: starveHigh = RegisterPair.hi(starveCycles); return RegisterPair.lo(starveCycles)
        case RegisterMap.STARVE_CYCLES_HI: return starveHigh
        case RegisterMap.NUM_LAYERS: return UInt32(topology.layers.count)
        case RegisterMap.INPUT_COUNT: return UInt32(topology.inputCount)
        case RegisterMap.OUTPUT_COUNT: return UInt32(topology.outputCount)
        case RegisterMap.FLAGS:
            return RegisterMap.flagsWord(topology, engine: engine)
        case RegisterMap.II_CYCLES: return UInt32(truncatingIfNeeded: iiCycles)
        case RegisterMap.PARAM_SEL: return paramSelect
        case RegisterMap.PARAM_ADDR: return paramAddress
        case RegisterMap.PARAM_DATA: return readParameter()
        default: return 0
        }
    }

    public func write(offset: UInt64, value: UInt32) {
        guard offset <= UInt64(UInt32.max) else { return }
        let off = UInt32(offset)
        if off >= RegisterMap.LAYER_BASE {
            let i = Int((off - RegisterMap.LAYER_BASE) / RegisterMap.LAYER_STRIDE)
            guard i < topology.layers.count else { return }
            switch (off - RegisterMap.LAYER_BASE) % RegisterMap.LAYER_STRIDE {
            case RegisterMap.L_CFG: layerCfg[i] = value & RegisterMap.L_CFG_ROUNDING.mask; parametersDirty = true
            case RegisterMap.L_ZERO: layerZero[i] = value; parametersDirty = true
            case RegisterMap.L_CLAMP: layerClamp[i] = value; parametersDirty = true
            default: break
            }
            return
        }
        switch off {
        case RegisterMap.CONTROL:
            if RegisterMap.CONTROL_SOFT_RESET.isSet(value) { softReset() }
            if RegisterMap.CONTROL_CLEAR_COUNTERS.isSet(value) { clearCounters() }
            start = RegisterMap.CONTROL_START.isSet(value)
        case RegisterMap.STATUS:
            if RegisterMap.STATUS_ERR_INPUT.isSet(value) { errInput = false }
            if RegisterMap.STATUS_ERR_PARAM.isSet(value) { errParam = false }
        case RegisterMap.OUT_PACKET_IMAGES:
            outPacketImages = value
            packetCount = 0
        case RegisterMap.PARAM_SEL:
            paramSelect = value & RegisterMap.paramSelectMask
            paramAddress = 0
        case RegisterMap.PARAM_ADDR: paramAddress = value
        case RegisterMap.PARAM_DATA: writeParameter(value)
        default: break
        }
    }

    func clearCounters() {
        imagesIn = 0
        imagesOut = 0
        busyCycles = 0
        stallCycles = 0
        starveCycles = 0
        packetCount = 0
    }

    /// SOFT_RESET: streams, FIFOs, in-flight images, STATUS errors and counters; parameters
    /// and RW registers are kept. Clears the injected stream faults too.
    func softReset() {
        currentBeats = 0
        pending.removeAll(keepingCapacity: true)
        pendingCount = 0
        outData.removeAll(keepingCapacity: true)
        outLast.removeAll(keepingCapacity: true)
        outHead = 0
        outImagesQueued = 0
        errInput = false
        errParam = false
        clearCounters()
        stopAcceptingAfterImages = nil
        earlyTLASTAfterImages = nil
    }

    // MARK: Parameter window

    /// The selected memory and geometry, or nil for an invalid PARAM_SEL.
    func selected() -> (index: Int, geometry: MemoryGeometry)? {
        let layer = RegisterMap.PARAM_SEL_LAYER.int(paramSelect)
        guard layer < topology.layers.count, let kind = ParameterKind(rawValue: RegisterMap.PARAM_SEL_KIND.extract(paramSelect)) else { return nil }
        return (2 * layer + Int(kind.rawValue), layout.memory(layer: layer, kind: kind))
    }

    /// Splits PARAM_ADDR into (bank, depth, chunk) if valid.
    func decode(_ a: UInt32, _ g: MemoryGeometry) -> (bank: Int, depth: Int, chunk: Int)? { g.decode(address: a) }

    /// Moves PARAM_ADDR to the next valid chunk (chunk, then depth, then bank); past the last
    /// one it points at bank `banks`, which is invalid.
    func advance(_ p: (bank: Int, depth: Int, chunk: Int), _ g: MemoryGeometry) {
        var (b, d, c) = p
        c += 1
        if c == g.chunks { c = 0; d += 1 }
        if d == g.depth { d = 0; b += 1 }
        paramAddress = g.address(bank: b, depth: d, chunk: c)
    }

    func readParameter() -> UInt32 {
        guard let (idx, g) = selected(), let p = decode(paramAddress, g) else {
            errParam = true
            return 0
        }
        let v = memories[idx][(p.bank * g.depth + p.depth) * g.chunks + p.chunk]
        advance(p, g)
        return v
    }

    func writeParameter(_ value: UInt32) {
        guard let (idx, g) = selected(), let p = decode(paramAddress, g) else {
            errParam = true
            return
        }
        if staging.count != g.chunks { staging = [UInt32](repeating: 0, count: g.chunks) }
        staging[p.chunk] = value
        if p.chunk == g.chunks - 1 {
            let base = (p.bank * g.depth + p.depth) * g.chunks
            for c in 0..<g.chunks { memories[idx][base + c] = staging[c] }
            let used = g.wordBits - 32 * (g.chunks - 1)
            if used < 32 { memories[idx][base + g.chunks - 1] &= (UInt32(1) << UInt32(used)) - 1 }
            parametersDirty = true
        }
        advance(p, g)
    }

    /// Bits [lsb, lsb+width) of a word stored as chunks, sign-extended if `signed`.
    func field(_ chunks: ArraySlice<UInt32>, lsb: Int, width: Int, signed: Bool) -> Int64 {
        var v: UInt64 = 0
        let base = chunks.startIndex
        for b in 0..<width {
            let bit = lsb + b
            if (chunks[base + bit / 32] >> UInt32(bit % 32)) & 1 != 0 { v |= UInt64(1) << UInt64(b) }
        }
        if signed && width < 64 && (v >> UInt64(width - 1)) & 1 != 0 { v |= ~((UInt64(1) << UInt64(width)) - 1) }
        return Int64(bitPattern: v)
    }

    /// Rebuilds the model (relu or clamp per layer) the memories and layer registers describe.
    func rebuildModel() throws(ZynqError) -> QuantizedModel {
        var layers: [DenseLayer] = []
        var biasEff: [[Int64]] = []
        var weightSums: [[Int64]] = []
        var zeros: [Int32] = []
        // Per layer: its input zero point is the zero point of the closest layer before it with
        // parameters (a max-pool keeps it); nil: the model's input.
        var inZero: [Int?] = []
        var lastParam: Int?
        var inType = ActivationType(signed: topology.inputSigned)
        for (i, t) in topology.layers.enumerated() {
            inZero.append(lastParam)
            if case .maxpool(let w) = t.kind {
                // No parameters; its output zero point is its input's (fixed up below with the biases).
                layers.append(DenseLayer.maxpool2d(size: [w.kh, w.kw], stride: [w.sh, w.sw], inputType: inType, inputZero: 0))
                biasEff.append([])
                weightSums.append([])
                zeros.append(0)
                continue
            }
            lastParam = i
            inType = ActivationType(signed: t.outSigned)
            let f = layout.folds[i]
            let wg = layout.weightMemory(layer: i), qg = layout.quantMemory(layer: i)
            let wmem = memories[2 * i], qmem = memories[2 * i + 1]
            var weight = [Int8](repeating: 0, count: t.inCount * t.outCount)
            let sf = t.inCount / f.simd, nf = t.outCount / f.pe
            for p in 0..<f.pe {
                for n in 0..<nf {
                    for s in 0..<sf {
                        let base = (p * wg.depth + n * sf + s) * wg.chunks
                        let row = (n * f.pe + p) * t.inCount + s * f.simd
                        for j in 0..<f.simd {
                            weight[row + j] = Int8(truncatingIfNeeded: wmem[base + j / 4] >> UInt32(8 * (j % 4)))
                        }
                    }
                }
            }
            var bias = [Int64](repeating: 0, count: t.outCount)
            var mult = [UInt32](repeating: 0, count: t.outCount)
            var shift = [UInt8](repeating: 0, count: t.outCount)
            for r in 0..<f.lanes {
                for d in 0..<qg.depth {
                    let o = d * f.lanes + r
                    let base = (r * qg.depth + d) * qg.chunks
                    let word = qmem[base..<(base + qg.chunks)]
                    bias[o] = field(word, lsb: 0, width: t.biasBits, signed: true)
                    let m = field(word, lsb: t.biasBits, width: t.multBits, signed: false)
                    guard m >= 1, m <= Int64(UInt32.max) else { throw ZynqError(key: "layer\(i).multiplier", "channel \(o): stored M = \(m)") }
                    mult[o] = UInt32(m)
                    shift[o] = UInt8(field(word, lsb: t.biasBits + t.multBits, width: 6, signed: false))
                }
            }
            var sums = [Int64](repeating: 0, count: t.outCount)
            for o in 0..<t.outCount {
                var s: Int64 = 0
                for k in 0..<t.inCount { s += Int64(weight[o * t.inCount + k]) }
                sums[o] = s
            }
            let outType = ActivationType(signed: t.outSigned)
            let zy = Int32(bitPattern: layerZero[i])
            let lo = RegisterMap.L_CLAMP_LO.signed(layerClamp[i])
            let hi = RegisterMap.L_CLAMP_HI.signed(layerClamp[i])
            // [LO, HI] is the type's range, narrowed by relu (LO = max(min, zy)) and by a
            // format-2 clamp: any LO ≤ HI inside the type's range is a valid layer.
            guard outType.min <= lo, lo <= hi, hi <= outType.max else {
                throw ZynqError(key: "layer\(i).L_CLAMP", "[LO, HI] = [\(lo), \(hi)] is not a non-empty part of the \(outType) range [\(outType.min), \(outType.max)]")
            }
            let relu = lo == max(outType.min, zy) && hi == outType.max && lo != outType.min
            let plain = lo == outType.min && hi == outType.max
            var layer = DenseLayer(outFeatures: t.outCount, inFeatures: t.inCount, weight: weight, bias: nil,
                                   multiplier: mult, shift: shift,
                                   rounding: Self.rounding(code: layerCfg[i], layer: t),
                                   relu: relu, clamp: relu || plain ? nil : Int64(lo)...Int64(hi),
                                   outputZero: zy, outputType: outType)
            if case .conv(let w) = t.kind {
                layer.kind = .conv2d(Conv2DGeometry(kernelHeight: w.kh, kernelWidth: w.kw, inChannels: w.c, stride: [w.sh, w.sw],
                                                    padding: [w.pt, w.pl, w.pb, w.pr]))
            }
            layers.append(layer)
            biasEff.append(bias)
            weightSums.append(sums)
            zeros.append(zy)
        }
        // bias = bias_eff + zx·Σw with zx the layer's input zero point; layer 0's zx is not
        // stored in hardware: take the first one of the input type that makes every bias int32.
        func biases(_ i: Int, zx: Int64) -> [Int32]? {
            var out = [Int32](repeating: 0, count: biasEff[i].count)
            for o in out.indices {
                let b = biasEff[i][o] + zx * weightSums[i][o]
                guard b >= Int64(Int32.min), b <= Int64(Int32.max) else { return nil }
                out[o] = Int32(b)
            }
            return out
        }
        let inputType = ActivationType(signed: topology.inputSigned)
        // The first layer with parameters: a padding design's input zero point is built in.
        let first = topology.layers.firstIndex { $0.hasParameters } ?? 0
        var zx0: Int32? = topology.inputPadZero
        if zx0 == nil {
            for z in [Int32(0)] + Array(inputType.min...inputType.max) where biases(first, zx: Int64(z)) != nil { zx0 = z; break }
        }
        guard let zx0 else { throw ZynqError(key: "layer\(first).bias", "no input zero point makes the stored biases int32") }
        for i in layers.indices {
            let zx = inZero[i].map { zeros[$0] } ?? zx0
            guard topology.layers[i].hasParameters else {
                layers[i].outputZero = zx
                continue
            }
            guard let b = biases(i, zx: Int64(zx)) else { throw ZynqError(key: "layer\(i).bias", "stored bias does not fit int32") }
            layers[i].bias = b
        }
        let shape = topology.layers.first?.window.map { [$0.h, $0.w, $0.c] } ?? [topology.inputCount]
        let model = QuantizedModel(input: InputSpec(shape: shape, type: inputType, zero: zx0, scale: 1), layers: layers)
        try model.validate()
        return model
    }

    // MARK: Streams

    public func inputReady() -> Bool {
        guard start else { return false }
        if let n = stopAcceptingAfterImages, n <= 0 { return false }
        if currentBeats == 0 && inFlight >= capacityImages {
            stallCycles &+= 1
            return false
        }
        return true
    }

    public func acceptInputBeat(_ data: UInt64, last: Bool) {
        currentImage.withUnsafeMutableBytes { $0.storeBytes(of: data.littleEndian, toByteOffset: currentBeats * OutputRecord.beatBytes, as: UInt64.self) }
        currentBeats += 1
        let imageDone = currentBeats == inputBeats
        if last && !imageDone { errInput = true }
        if imageDone {
            pending.append(contentsOf: currentImage[0..<topology.inputCount])
            pendingCount += 1
            currentBeats = 0
            imagesIn &+= 1
            if let n = stopAcceptingAfterImages { stopAcceptingAfterImages = n - 1 }
        }
    }

    public func peekOutputBeat() -> (data: UInt64, last: Bool)? {
        if outHead == outData.count && pendingCount > 0 { computePending() }
        guard outHead < outData.count else { return nil }
        return (outData[outHead], outLast[outHead])
    }

    public func popOutputBeat() {
        if outLast.isEmpty { return }
        outHead += 1
        if outHead % outputBeats == 0 {
            outImagesQueued -= 1
            imagesOut &+= 1
        }
        if outHead == outData.count {
            outData.removeAll(keepingCapacity: true)
            outLast.removeAll(keepingCapacity: true)
            outHead = 0
        }
    }

    /// Runs every pending image through the simulator and queues its output records.
    func computePending() {
        let n = pendingCount
        var outputs = [Int32](repeating: 0, count: n * classes)
        var predictions = [Int](repeating: 0, count: n)
        do {
            if parametersDirty || simulator == nil {
                simulator = try Simulator(model: rebuildModel())
                parametersDirty = false
            }
            let codes = try InputCodes(type: ActivationType(signed: topology.inputSigned), width: topology.inputCount, bytes: pending)
            let r = try simulator!.run(codes)
            outputs = r.outputs
            predictions = r.predictions
        } catch {
            violations.append("cannot compute with the loaded parameters: \(error)")
        }
        // Sequence numbers count images whose beat 0 has been formed.
        var seq = imagesOut &+ UInt32(truncatingIfNeeded: outImagesQueued)
        let k = outPacketImages == 0 ? 1 : outPacketImages
        for i in 0..<n {
            var cls = UInt32(truncatingIfNeeded: predictions[i])
            if corruptNextClassIndex { cls = (cls + 1) % UInt32(classes); corruptNextClassIndex = false }
            let values = (0..<classes).map { UInt8(truncatingIfNeeded: outputs[i * classes + $0]) }
            for beat in OutputRecord.encode(classIndex: cls, sequence: seq, values: values) {
                outData.append(beat)
                outLast.append(false)
            }
            packetCount += 1
            var last = packetCount >= k
            if let e = earlyTLASTAfterImages {
                if e <= 1 { last = true; earlyTLASTAfterImages = nil } else { earlyTLASTAfterImages = e - 1 }
            }
            if last { packetCount = 0; outLast[outLast.count - 1] = true }
            busyCycles &+= UInt64(iiCycles)
            seq &+= 1
        }
        outImagesQueued += n
        pending.removeAll(keepingCapacity: true)
        pendingCount = 0
    }
}

extension AcceleratorModel {
    /// The rounding the hardware computes for L_CFG.ROUNDING = `code` in a layer whose
    /// requantizer builds `t.roundings`: a code it does not build (or 5 … 7) computes floor.
    static func rounding(code: UInt32, layer t: LayerTopology) -> Rounding {
        guard let r = RegisterMap.rounding(code: code), t.builds(r) else { return .floor }
        return r
    }
}
