import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime

/// Folds for a loopback design when none is given: PE and SIMD the largest divisors up to 8,
/// two requantization lanes where PE allows; a window's SIMD divides its channels, a max-pool's
/// PE and lanes are its SIMD.
public func defaultLoopbackFolds(_ t: Topology) -> [LayerFold] {
    func divisor(_ n: Int, upTo m: Int) -> Int { (1...min(m, n)).reversed().first { n % $0 == 0 } ?? 1 }
    return t.layers.map { l in
        let simd = divisor(l.window?.c ?? l.inCount, upTo: 8)
        guard l.hasParameters else { return LayerFold(pe: simd, simd: simd, lanes: simd) }
        let pe = divisor(l.outCount, upTo: 8)
        return LayerFold(pe: pe, simd: simd, lanes: divisor(pe, upTo: 2))
    }
}

/// The loopback design's folds for `engine`: all 1 for the sequential engine, else `defaultLoopbackFolds`.
public func loopbackFolds(_ t: Topology, engine: Engine?) -> [LayerFold] {
    engine == .sequential ? t.layers.map { _ in LayerFold(pe: 1, simd: 1, lanes: 1) } : defaultLoopbackFolds(t)
}

/// An in-process board: AXI DMA model, accelerator model for `layout` and the manifest's engine, fake DDR.
public struct LoopbackBoard {
    public let device: LoopbackDevice
    public let accelerator: AcceleratorModel
    public let manifest: RuntimeManifest

    public init(layout: AcceleratorLayout, manifest: RuntimeManifest = RuntimeManifest(), id: String? = nil) throws(ZynqError) {
        var m = manifest
        m.axilAddressWidth = max(m.axilAddressWidth, layout.axilAddressWidth)
        self.manifest = m
        accelerator = try AcceleratorModel(layout: layout, engine: m.engine ?? .dataflow)
        let unique = UInt(bitPattern: ObjectIdentifier(accelerator).hashValue)
        device = LoopbackDevice(id: id ?? "loopback-\(LiveSystem().processID())-\(String(unique, radix: 16))", dma: m.dmaConfig)
        try device.attach(accelerator, window: m.acceleratorWindow, stream: accelerator)
    }

    /// A driver for this board with a buffer for `images` images per transfer (at most the DMA limit).
    public func driver(images: Int = 256, cached: Bool = false, lockDirectory: String? = nil,
                       interrupt: InterruptFlag = .sigint) throws(ZynqError) -> AcceleratorDriver {
        let t = accelerator.layout.topology
        let inStride = OutputRecord.inputBeats(pixels: t.inputCount) * 8, outStride = OutputRecord.beats(classes: t.outputCount) * 8
        // No bigger than one DMA transfer needs: the driver splits larger batches anyway.
        let maxLen = Int(exactly: manifest.dmaConfig.maxTransferLength) ?? Int.max
        let perTransfer = max(1, min(maxLen / inStride, maxLen / outStride))
        let count = min(max(1, images), perTransfer)
        let size = Int(roundUp(UInt64(count) * UInt64(inStride + outStride) + 64, 4096))
        let buffer = try device.memory.allocate(size: size, cached: cached)
        let lock = try DeviceLock(device: device.id, directory: lockDirectory, removeOnRelease: true)
        let dma = try AxiDma(bus: device, config: manifest.dmaConfig, interrupt: interrupt)
        return try AcceleratorDriver(bus: device, dma: dma, buffer: buffer, acceleratorBase: manifest.acceleratorBase,
                                     designName: "loopback", lock: lock, interrupt: interrupt)
    }
}

/// The `loopback` backend: an in-process device (AXI DMA model + accelerator model computing
/// with the simulator) for the model's topology, with the DMA length width, addresses, clock
/// and engine of manifest `m` (read from `manifestPath`, if any).
public func makeLoopbackBackend(model: QuantizedModel, modelName: String, manifest m: RuntimeManifest, manifestPath: String?,
                                batchSize: Int, interrupt: InterruptFlag = .sigint) throws(ZynqError) -> AcceleratorBackend {
    let topology = try Topology(model: model)
    // The manifest's engine: the sequential design has PE = SIMD = lanes = 1 everywhere.
    let layout = try AcceleratorLayout(topology: topology, folds: loopbackFolds(topology, engine: m.engine))
    let board: LoopbackBoard
    do throws(ZynqError) {
        board = try LoopbackBoard(layout: layout, manifest: m)
    } catch {
        if let manifestPath, error.file == nil { throw error.inFile(manifestPath) }
        throw error
    }
    let driver = try board.driver(images: batchSize, interrupt: interrupt)
    try m.check(hardware: driver.info, file: manifestPath ?? "loopback")
    try driver.load(model: model, modelName: modelName)
    return AcceleratorBackend(name: "loopback", driver: driver, model: model, batchSize: batchSize, fclkMHz: m.fclkMHz, loopback: board.device)
}
