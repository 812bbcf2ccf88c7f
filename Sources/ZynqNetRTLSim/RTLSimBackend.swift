import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Everything that shapes an rtlsim device.
public struct RTLSimOptions: Sendable {
    /// Folding (codegen's fastest fold by default, or a fold file), multiplier style, fclk.
    public var codegen: CodegenOptions
    public var build: RTLSimBuildOptions
    /// TVALID gaps, TREADY stalls, AXI-Lite timing.
    public var policy: RTLStreamPolicy
    /// Seed of the stream randomness and of the RTL's random initial state.
    public var seed: UInt64
    /// Write an FST waveform of the whole simulation, from reset, here (`makeRTLSimBackend`'s
    /// `tracePath` starts after the parameter load instead).
    public var tracePath: String?
    /// The most cycles one DMA poll lets the simulation run before it returns to the driver.
    public var budgetCycles: UInt64

    public init(codegen: CodegenOptions = CodegenOptions(), build: RTLSimBuildOptions = RTLSimBuildOptions(),
                policy: RTLStreamPolicy = .ideal, seed: UInt64 = 1, tracePath: String? = nil, budgetCycles: UInt64 = 1 << 20) {
        self.codegen = codegen
        self.build = build
        self.policy = policy
        self.seed = seed
        self.tracePath = tracePath
        self.budgetCycles = budgetCycles
    }
}

/// A simulated board: the loopback device's AXI DMA model and fake DDR, with the Verilated
/// `zynqnet_accel` of a generated design behind the accelerator window and the DMA's streams.
/// The runtime's own `AxiDma` and `AcceleratorDriver` drive it, exactly as on the board.
public final class RTLSimBoard {
    public let design: GeneratedDesign
    public let device: LoopbackDevice
    public let accelerator: RTLAccelerator
    public let manifest: RuntimeManifest
    public let build: RTLSimBuild.Product

    /// Generates the design for `model` (as `zynqnet codegen` would), builds or reuses its
    /// simulation, and wires it up.
    public convenience init(model: QuantizedModel, manifest: RuntimeManifest = RuntimeManifest(), options: RTLSimOptions,
                            log: ((String) -> Void)? = nil) throws {
        let design = try generateDesign(model: model, options: options.codegen)
        try self.init(design: design, manifest: manifest, options: options, log: log)
    }

    public init(design: GeneratedDesign, manifest: RuntimeManifest = RuntimeManifest(), options: RTLSimOptions,
                log: ((String) -> Void)? = nil) throws {
        self.design = design
        var buildOptions = options.build
        if options.tracePath != nil { buildOptions.trace = true }
        let product = try RTLSimBuild.build(design, options: buildOptions, log: log)
        self.build = product
        let library = try RTLSimLibrary.load(product.library.path)
        // Poll budget: enough cycles for a few images even on a slow fold.
        let budget = max(options.budgetCycles, UInt64(design.iiCycles) * 16)
        accelerator = try RTLAccelerator(library: library, layout: design.layout, policy: options.policy, seed: options.seed,
                                         budgetCycles: budget, fclkMHz: manifest.fclkMHz, tracePath: options.tracePath)
        var m = manifest
        m.axilAddressWidth = max(m.axilAddressWidth, design.layout.axilAddressWidth)
        self.manifest = m
        let unique = UInt(bitPattern: ObjectIdentifier(accelerator).hashValue)
        device = LoopbackDevice(id: "rtlsim-\(ProcessInfo.processInfo.processIdentifier)-\(String(unique, radix: 16))", dma: m.dmaConfig)
        try device.attach(accelerator, window: m.acceleratorWindow, stream: nil)
        device.dma.mover = accelerator
    }

    /// A driver for this board with a DMA buffer for `images` images per transfer (at most the
    /// DMA limit). Time limits are generous: simulated hardware is slower than real hardware.
    public func driver(images: Int = 256, lockDirectory: String? = nil, interrupt: InterruptFlag = .sigint) throws(ZynqError) -> AcceleratorDriver {
        let t = design.layout.topology
        let inStride = OutputRecord.inputBeats(pixels: t.inputCount) * 8, outStride = OutputRecord.beats(classes: t.outputCount) * 8
        let maxLen = Int(exactly: manifest.dmaConfig.maxTransferLength) ?? Int.max
        let perTransfer = max(1, min(maxLen / inStride, maxLen / outStride))
        let count = min(max(1, images), perTransfer)
        let size = (count * (inStride + outStride) + 64 + 4095) / 4096 * 4096
        let buffer = try device.memory.allocate(size: size)
        let lock = try DeviceLock(device: device.id, directory: lockDirectory, removeOnRelease: true)
        let dma = try AxiDma(bus: device, config: manifest.dmaConfig, interrupt: interrupt)
        let driver = try AcceleratorDriver(bus: device, dma: dma, buffer: buffer, acceleratorBase: manifest.acceleratorBase,
                                           designName: "rtlsim", lock: lock, interrupt: interrupt)
        // A hung design is caught by these, as on the board; simulated time is slow (tracing:
        // a few thousand cycles a second), so the limits scale with the II.
        let perCycle: UInt64 = accelerator.library.supportsTracing ? 1_000_000 : 20_000
        driver.timeoutNanoseconds = 120_000_000_000
        driver.timeoutPerImageNanoseconds = 100_000_000 + UInt64(design.iiCycles) * perCycle
        return driver
    }
}

/// What the simulated hardware did over the batches run so far.
public struct RTLSimTiming: Codable, Sendable, Equatable {
    /// Images through the accelerator.
    public var images: UInt64
    /// Clock cycles with a DMA transfer in progress (the batches' hardware time).
    public var cycles: UInt64
    /// Steady-state initiation interval: the median cycles between consecutive output images
    /// (the design's nominal II when no image followed another inside one transfer).
    public var ii_cycles: UInt64
    public var ii_measured: Bool
    public var design_ii_cycles: Int
    /// First input beat to last output beat of an image in an empty pipeline.
    public var latency_cycles: UInt64
    public var fclk_mhz: Double
    /// fclk / II: what the hardware sustains with a DMA that keeps up.
    public var images_per_second_at_fclk: Double
    /// Simulated cycles per second of wall time.
    public var rtl_cycles_per_second: Double
}

/// `zynqnet infer --backend rtlsim`: the runtime's driver on the simulated board.
public final class RTLSimBackend: InferenceBackend {
    public let name = "rtlsim"
    public let board: RTLSimBoard
    public let inner: AcceleratorBackend
    public var driver: AcceleratorDriver { inner.driver }

    public var batchSize: Int {
        get { inner.batchSize }
        set { inner.batchSize = newValue }
    }

    init(board: RTLSimBoard, inner: AcceleratorBackend) {
        self.board = board
        self.inner = inner
    }

    public func run(codes: InputCodes, count: Int) throws(ZynqError) -> (outputs: [Int32], predictions: [Int]) {
        try board.accelerator.checkHealthy()
        let r = try board.accelerator.explainingFailures { () throws(ZynqError) in try inner.run(codes: codes, count: count) }
        try board.accelerator.checkHealthy()
        return r
    }

    public func timing() -> RTLSimTiming {
        let s = board.accelerator.statistics
        let nominal = board.design.iiCycles
        let ii = s.iiSamples > 0 ? s.iiMedian : UInt64(nominal)
        let fclk = board.manifest.fclkMHz
        return RTLSimTiming(images: s.imagesOut, cycles: s.streamCycles, ii_cycles: ii, ii_measured: s.iiSamples > 0,
                            design_ii_cycles: nominal, latency_cycles: s.latencyMin, fclk_mhz: fclk,
                            images_per_second_at_fclk: ii > 0 ? fclk * 1e6 / Double(ii) : 0,
                            rtl_cycles_per_second: s.cyclesPerSecond)
    }

    public func throughputReport() throws(ZynqError) -> ThroughputReport {
        var r = try inner.throughputReport()
        let t = timing()
        r.cycles = t.cycles
        r.ii_cycles = t.ii_cycles
        r.latency_cycles = t.latency_cycles
        r.images_per_second_at_fclk = t.images_per_second_at_fclk
        r.counters = "simulated"
        r.fclk = "nominal"
        return r
    }

    /// Flushes and closes the waveform, if one is being written, and moves it into place.
    @discardableResult
    public func finishTrace() -> Bool { board.accelerator.closeTrace() }
}

/// Makes the rtlsim backend: the design for `model` (folds: codegen's default or `foldFile`),
/// its Verilator build (cached), the simulated board, the runtime's driver with the model
/// loaded over AXI-Lite (and read back). `tracePath` gets an FST waveform of everything after
/// the load (times are absolute: cycle × the fclk period). `--manifest`/`--bundle` give the DMA length width,
/// the addresses and the fclk the timing is reported at; their topology hash must match.
public func makeRTLSimBackend(model: QuantizedModel, modelName: String = "model", bundle: String? = nil, manifest: String? = nil,
                              batchSize: Int = 256, foldFile: String? = nil, tracePath: String? = nil, traceImages: Int? = nil,
                              options: RTLSimOptions = RTLSimOptions(), interrupt: InterruptFlag = .sigint,
                              installSIGINTHandler: Bool = true, log: ((String) -> Void)? = nil) throws -> RTLSimBackend {
    guard batchSize >= 1 else { throw ZynqError(key: "--batch", "must be at least 1, got \(batchSize)") }
    var o = options
    let manifestPath = manifest ?? bundle.map { "\($0)/manifest.json" }
    let m = try manifestPath.map { try RuntimeManifest.load(path: $0) } ?? RuntimeManifest(fclkMHz: o.codegen.fclkMHz)
    o.codegen.fclkMHz = m.fclkMHz
    if let foldFile {
        let data = Data(try FileBytes.read(path: foldFile))
        o.codegen.fold = .file(try FoldFile.parse(data, file: foldFile), name: foldFile)
    } else if let bundle {
        // Simulate the bundle's own design: its folds, multiplier styles and widths.
        try BundleDesign.apply(bundle: bundle, to: &o.codegen)
    }
    if tracePath != nil { o.build.trace = true }
    if installSIGINTHandler { InterruptFlag.installSIGINTHandler() }
    let design: GeneratedDesign
    do {
        design = try generateDesign(model: model, options: o.codegen)
    } catch let e as ZynqError where e.file == nil {
        throw e.inFile(modelName)
    }
    if let bundle { try BundleDesign.checkRTL(bundle: bundle, design: design) }
    if let tracePath, let traceImages, let w = TraceEstimate.warning(design: design, images: traceImages, path: tracePath) { log?(w) }
    if let manifestPath, let h = m.topologyHash, h != design.topologyHash {
        throw ZynqError(file: manifestPath, key: "topology_hash",
                        "the manifest's design has hash \(topologyHashText(h)), the model \(modelName) gives \(topologyHashText(design.topologyHash)); use the model's own bundle")
    }
    let board = try RTLSimBoard(design: design, manifest: m, options: o, log: log)
    let driver = try board.accelerator.explainingFailures { () throws(ZynqError) in
        let d = try board.driver(images: batchSize, interrupt: interrupt)
        // The engine the RTL reports (FLAGS.SEQUENTIAL) against the manifest's.
        if let manifestPath { try m.check(hardware: d.info, file: manifestPath) }
        try d.load(model: model, modelName: modelName)
        return d
    }
    try board.accelerator.checkHealthy()
    try driver.clearCounters()
    board.accelerator.clearStatistics()
    // The waveform starts here: the parameter load (about 16 cycles a 32-bit word, written and
    // read back) would dwarf the inference and takes long to trace.
    if let tracePath { try board.accelerator.openTrace(tracePath) }
    let inner = AcceleratorBackend(name: "rtlsim", driver: driver, model: model, batchSize: batchSize,
                                   fclkMHz: m.fclkMHz, loopback: board.device)
    return RTLSimBackend(board: board, inner: inner)
}

/// A codegen bundle's `design.json` and `rtl/`: rtlsim regenerates the bundle's design (same
/// folds, styles, widths) and checks the RTL is the bundle's, file by file.
enum BundleDesign {
    static func apply(bundle: String, to o: inout CodegenOptions) throws {
        let path = bundle + "/design.json"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ZynqError(file: path, "not a JSON object")
        }
        guard let layers = root["layers"] as? [[String: Any]], !layers.isEmpty else {
            throw ZynqError(file: path, key: "layers", "missing or not an array of objects")
        }
        var fold: [FoldFileLayer] = []
        var multBits: Int?
        for (i, l) in layers.enumerated() {
            guard let pe = l["pe"] as? Int, let simd = l["simd"] as? Int, let lanes = l["lanes"] as? Int,
                  pe >= 1, simd >= 1, lanes >= 1 else {
                throw ZynqError(file: path, key: "layers[\(i)]", "needs positive integers pe, simd and lanes")
            }
            var style: MulStyle?
            if let s = l["mul_style"] {
                guard let name = s as? String, let st = MulStyle(rawValue: name) else {
                    throw ZynqError(file: path, key: "layers[\(i)].mul_style", "must be packed, dsp or lut")
                }
                style = st
            }
            var requant: RequantStyle?
            if let s = l["requant"] {
                guard let name = s as? String, let st = RequantStyle(rawValue: name) else {
                    throw ZynqError(file: path, key: "layers[\(i)].requant", "must be serial or pipelined")
                }
                requant = st
            }
            if let mb = l["mult_bits"] {
                guard let b = mb as? Int, (1...32).contains(b), multBits == nil || multBits == b else {
                    throw ZynqError(file: path, key: "layers[\(i)].mult_bits", "must be 1…32 and the same in every layer")
                }
                multBits = b
            }
            fold.append(FoldFileLayer(pe: pe, simd: simd, lanes: lanes, mul_style: style, requant: requant))
        }
        var engine: Engine?
        if let e = root["engine"] {
            guard let name = e as? String, let en = Engine(rawValue: name) else {
                throw ZynqError(file: path, key: "engine", "must be dataflow or sequential")
            }
            engine = en
        }
        o.fold = .file(FoldFile(layers: fold, engine: engine), name: path)
        if let multBits { o.multBits = multBits }
        if let r = root["reg_every"] {
            guard let v = r as? Int, (1...8).contains(v) else { throw ZynqError(file: path, key: "reg_every", "must be 1…8") }
            o.regEvery = v
        }
        if let f = root["fclk_mhz"] as? Double, f > 0 { o.fclkMHz = f }
    }

    static func checkRTL(bundle: String, design: GeneratedDesign) throws {
        for p in design.rtlFiles {
            let path = bundle + "/" + p
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if String(decoding: data, as: UTF8.self) != design.files[p] {
                throw ZynqError(file: path, "differs from the design this zynqnet generates for the model (another zynqnet version, or another model?); regenerate the bundle with zynqnet codegen")
            }
        }
    }
}
