#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ZynqNetHW
import ZynqNetModel
import ZynqNetSim

/// `zynqnet infer --throughput-test` numbers (`--json` prints exactly these keys).
public struct ThroughputReport: Codable, Sendable, Equatable {
    /// Wall time of the batches, host work and transfers included (ms).
    public var runtime_ms: Double
    public var images_per_second: Double
    /// Bytes read from DRAM by MM2S per second of runtime (MB = 10^6 bytes).
    public var dram_in_mb_per_s: Double
    /// Bytes written to DRAM by S2MM per second of runtime.
    public var dram_out_mb_per_s: Double
    public var fclk_mhz: Double
    public var batch_size: Int
    /// Host time packing images into the DMA buffer (ms).
    public var pack_ms: Double
    /// Host time moving records between host memory and the DMA buffer (input in, output out)
    /// plus cache maintenance (ms): the cost of the buffer's mapping (write-combine, uncached, cached).
    public var copy_ms: Double
    /// Host time unpacking and checking output records (ms).
    public var unpack_ms: Double
    /// The accelerator's BUSY_CYCLES counter over the runs.
    public var busy_cycles: UInt64
    /// The accelerator's STALL_CYCLES counter (output back-pressure) over the runs.
    public var stall_cycles: UInt64
    /// Simulated backends only (rtlsim; absent from the JSON otherwise): clock cycles of the
    /// batches, the measured initiation interval and latency, and fclk / II.
    public var cycles: UInt64? = nil
    public var ii_cycles: UInt64? = nil
    public var latency_cycles: UInt64? = nil
    public var images_per_second_at_fclk: Double? = nil
    /// Where busy_cycles and stall_cycles come from: "hardware" (the board's counters) or
    /// "simulated" (the loopback model or the Verilator simulation of the design).
    public var counters: String? = nil
    /// fclk_mhz is "nominal" (the manifest's value; nothing runs at it: loopback, rtlsim) or
    /// "configured" (the board's PS clock the bitstream was built for).
    public var fclk: String? = nil

    /// The report of a simulated device: counters simulated, fclk nominal.
    public var isSimulated: Bool { counters == "simulated" }

    public init(runtime_ms: Double, images_per_second: Double, dram_in_mb_per_s: Double, dram_out_mb_per_s: Double,
                fclk_mhz: Double, batch_size: Int, pack_ms: Double, copy_ms: Double, unpack_ms: Double,
                busy_cycles: UInt64, stall_cycles: UInt64, counters: String? = nil, fclk: String? = nil) {
        self.counters = counters
        self.fclk = fclk
        self.runtime_ms = runtime_ms
        self.images_per_second = images_per_second
        self.dram_in_mb_per_s = dram_in_mb_per_s
        self.dram_out_mb_per_s = dram_out_mb_per_s
        self.fclk_mhz = fclk_mhz
        self.batch_size = batch_size
        self.pack_ms = pack_ms
        self.copy_ms = copy_ms
        self.unpack_ms = unpack_ms
        self.busy_cycles = busy_cycles
        self.stall_cycles = stall_cycles
    }
}

/// Something `zynqnet infer` can run images on: `loopback` (in-process device) or `board`.
public protocol InferenceBackend: AnyObject {
    var name: String { get }
    /// Images per `AcceleratorDriver.run` call (each may still be split at the DMA limit).
    var batchSize: Int { get set }
    /// Runs `count` images of `codes` (the model's input codes); returns `count × classes`
    /// outputs and `count` predictions, exactly as the simulator's `SimResult`.
    func run(codes: InputCodes, count: Int) throws -> (outputs: [Int32], predictions: [Int])
    /// Numbers for `--throughput-test` over every `run` since the backend was made.
    func throughputReport() throws -> ThroughputReport
}

/// A backend driving an accelerator through `AcceleratorDriver` (loopback or board).
public final class AcceleratorBackend: InferenceBackend {
    public let name: String
    public var batchSize: Int
    public let driver: AcceleratorDriver
    public let fclkMHz: Double
    /// The in-process device, for the loopback backend.
    public let loopback: LoopbackDevice?
    let model: QuantizedModel

    public init(name: String, driver: AcceleratorDriver, model: QuantizedModel, batchSize: Int, fclkMHz: Double, loopback: LoopbackDevice?) {
        self.name = name
        self.driver = driver
        self.model = model
        self.batchSize = batchSize
        self.fclkMHz = fclkMHz
        self.loopback = loopback
    }

    public func run(codes: InputCodes, count: Int) throws -> (outputs: [Int32], predictions: [Int]) {
        guard count == codes.count else { throw ZynqError(key: "images", "count \(count) but \(codes.count) images given") }
        guard codes.type == model.input.type, codes.width == model.inputCount else {
            throw ZynqError(key: "images", "codes are \(codes.count)×\(codes.width) \(codes.type), the model takes \(model.inputCount) \(model.input.type) codes")
        }
        let classes = model.outputCount
        var outputs = [Int32](repeating: 0, count: count * classes)
        var predictions = [Int](repeating: 0, count: count)
        let step = max(1, batchSize)
        try codes.bytes.withUnsafeBytes { raw in
            try outputs.withUnsafeMutableBufferPointer { out in
                try predictions.withUnsafeMutableBufferPointer { pred in
                    var done = 0
                    while done < count {
                        let n = min(step, count - done)
                        try driver.run(codes: UnsafeRawBufferPointer(rebasing: raw[(done * codes.width)...]), count: n,
                                       outputs: UnsafeMutableBufferPointer(rebasing: out[(done * classes)...]),
                                       predictions: UnsafeMutableBufferPointer(rebasing: pred[done...]))
                        done += n
                    }
                }
            }
        }
        return (outputs, predictions)
    }

    public func throughputReport() throws -> ThroughputReport {
        let s = driver.stats
        let c = try driver.counters()
        let seconds = Double(s.totalNanoseconds) / 1e9
        func rate(_ v: UInt64) -> Double { seconds > 0 ? Double(v) / seconds : 0 }
        return ThroughputReport(runtime_ms: Double(s.totalNanoseconds) / 1e6, images_per_second: rate(s.images),
                                dram_in_mb_per_s: rate(s.bytesIn) / 1e6, dram_out_mb_per_s: rate(s.bytesOut) / 1e6,
                                fclk_mhz: fclkMHz, batch_size: batchSize,
                                pack_ms: Double(s.packNanoseconds) / 1e6, copy_ms: Double(s.syncNanoseconds &+ s.copyNanoseconds) / 1e6,
                                unpack_ms: Double(s.unpackNanoseconds) / 1e6,
                                busy_cycles: c.busyCycles, stall_cycles: c.stallCycles,
                                counters: loopback == nil ? "hardware" : "simulated", fclk: loopback == nil ? "configured" : "nominal")
    }
}

/// How the board backend reaches the hardware (`runtime.json` in the bundle, all optional).
public struct BoardConfig: Codable, Sendable, Equatable {
    /// "devmem" (default) or "uio".
    public var access: String = "devmem"
    /// UIO device names (sysfs `name`) of the DMA and the accelerator, for access "uio".
    public var uio_dma: String = "axi_dma"
    public var uio_accelerator: String = "zynqnet_accel"
    /// "udmabuf0" (default: a u-dma-buf device) or "devmem:0x1F000000:0x01000000" (a reserved region).
    public var buffer: String = "udmabuf0"
    /// Use a cached u-dma-buf mapping with sync_for_cpu / sync_for_device (same as buffer_mode "cached").
    public var buffer_cached: Bool = false
    /// "writecombine" (default: fastest input copies on the Cortex-A9), "uncached" or "cached".
    public var buffer_mode: DMABufferMode = .writeCombine
    public var timeout_ms: Int = 2000
    public var lock_dir: String?
    public var sysfs_root: String = "/sys"
    public var dev_root: String = "/dev"
    public var dev_mem: String = "/dev/mem"
    /// `<proc_root>/device-tree/compatible` must name xlnx,zynq-7000 (else `<sysfs_root>/firmware/devicetree/base/compatible`).
    public var proc_root: String = "/proc"
    /// Check the PS state (level shifters, PL reset, FCLK0 gate, HP0 width) through /dev/mem
    /// before the first PL access; "devmem" access only (UIO users may have no /dev/mem).
    public var check_ps: Bool = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case access, uio_dma, uio_accelerator, buffer, buffer_cached, buffer_mode, timeout_ms, lock_dir, sysfs_root, dev_root, dev_mem, proc_root, check_ps
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        access = try c.decodeIfPresent(String.self, forKey: .access) ?? access
        uio_dma = try c.decodeIfPresent(String.self, forKey: .uio_dma) ?? uio_dma
        uio_accelerator = try c.decodeIfPresent(String.self, forKey: .uio_accelerator) ?? uio_accelerator
        buffer = try c.decodeIfPresent(String.self, forKey: .buffer) ?? buffer
        buffer_cached = try c.decodeIfPresent(Bool.self, forKey: .buffer_cached) ?? buffer_cached
        if let m = try c.decodeIfPresent(String.self, forKey: .buffer_mode) {
            guard let mode = DMABufferMode(rawValue: m) else {
                throw ZynqError(key: "buffer_mode", "must be \"writecombine\", \"uncached\" or \"cached\", got \"\(m)\"")
            }
            buffer_mode = mode
        } else if buffer_cached {
            buffer_mode = .cached
        }
        timeout_ms = try c.decodeIfPresent(Int.self, forKey: .timeout_ms) ?? timeout_ms
        lock_dir = try c.decodeIfPresent(String.self, forKey: .lock_dir)
        sysfs_root = try c.decodeIfPresent(String.self, forKey: .sysfs_root) ?? sysfs_root
        dev_root = try c.decodeIfPresent(String.self, forKey: .dev_root) ?? dev_root
        dev_mem = try c.decodeIfPresent(String.self, forKey: .dev_mem) ?? dev_mem
        proc_root = try c.decodeIfPresent(String.self, forKey: .proc_root) ?? proc_root
        check_ps = try c.decodeIfPresent(Bool.self, forKey: .check_ps) ?? check_ps
    }

    public static func load(path: String, system: any SystemCalls = LiveSystem()) throws -> BoardConfig {
        let bytes = try system.readBytes(path, limit: 1 << 20)
        let config: BoardConfig
        do {
            config = try JSONDecoder().decode(BoardConfig.self, from: Data(bytes))
        } catch {
            throw ZynqError(file: path, "not a valid runtime config: \(error)")
        }
        guard config.access == "devmem" || config.access == "uio" else {
            throw ZynqError(file: path, key: "access", "must be \"devmem\" or \"uio\", got \"\(config.access)\"")
        }
        guard config.timeout_ms > 0, config.timeout_ms <= 3_600_000 else {
            throw ZynqError(file: path, key: "timeout_ms", "must be 1...3600000")
        }
        return config
    }

    /// A reserved region "devmem:BASE:SIZE" (hex or decimal), if `buffer` is one.
    func reservedRegion() throws -> (base: UInt64, size: Int)? {
        guard buffer.hasPrefix("devmem:") else { return nil }
        let parts = buffer.split(separator: ":").map(String.init)
        func num(_ s: String) -> UInt64? { s.hasPrefix("0x") || s.hasPrefix("0X") ? parseHex(s) : parseDecimal(s) }
        guard parts.count == 3, let b = num(parts[1]), let s = num(parts[2]), s > 0, s <= UInt64(Int32.max) else {
            throw ZynqError(key: "buffer", "expected devmem:BASE:SIZE, e.g. devmem:0x1F000000:0x01000000, got \"\(buffer)\"")
        }
        return (b, Int(s))
    }
}

/// Folds for a loopback design when none is given: PE and SIMD the largest divisors up to 8,
/// two requantization lanes where PE allows.
public func defaultLoopbackFolds(_ t: Topology) -> [LayerFold] {
    func divisor(_ n: Int, upTo m: Int) -> Int { (1...min(m, n)).reversed().first { n % $0 == 0 } ?? 1 }
    return t.layers.map { l in
        let pe = divisor(l.outCount, upTo: 8)
        return LayerFold(pe: pe, simd: divisor(l.inCount, upTo: 8), lanes: divisor(pe, upTo: 2))
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

    public init(layout: AcceleratorLayout, manifest: RuntimeManifest = RuntimeManifest(), id: String? = nil) throws {
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
                       interrupt: InterruptFlag = .sigint) throws -> AcceleratorDriver {
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

/// Makes the backend `zynqnet infer --backend NAME` runs on.
///
/// - `loopback`: an in-process device (AXI DMA model + accelerator model computing with the
///   simulator) for the model's topology; `--manifest`/`--bundle` give the DMA length width,
///   addresses and clock it pretends to have.
/// - `board`: the real hardware through /dev/mem or UIO and a u-dma-buf (or reserved region)
///   buffer, as `manifest.json` (and the optional `runtime.json`) of the bundle describe.
public func makeBackend(name: String, model: QuantizedModel, modelName: String = "model", bundle: String?, manifest: String?,
                        batchSize: Int = 256, interrupt: InterruptFlag = .sigint, installSIGINTHandler: Bool = true,
                        system: any SystemCalls = LiveSystem()) throws -> InferenceBackend {
    guard batchSize >= 1 else { throw ZynqError(key: "--batch", "must be at least 1, got \(batchSize)") }
    let manifestPath = manifest ?? bundle.map { "\($0)/manifest.json" }
    if installSIGINTHandler { InterruptFlag.installSIGINTHandler() }
    switch name {
    case "loopback":
        let m = try manifestPath.map { try RuntimeManifest.load(path: $0, system: system) } ?? RuntimeManifest()
        let topology = try Topology(model: model)
        // The manifest's engine: the sequential design has PE = SIMD = lanes = 1 everywhere.
        let layout = try AcceleratorLayout(topology: topology, folds: loopbackFolds(topology, engine: m.engine))
        let board: LoopbackBoard
        do {
            board = try LoopbackBoard(layout: layout, manifest: m)
        } catch let e as ZynqError where e.file == nil && manifestPath != nil {
            throw e.inFile(manifestPath!)
        }
        let driver = try board.driver(images: batchSize, interrupt: interrupt)
        try m.check(hardware: driver.info, file: manifestPath ?? "loopback")
        try driver.load(model: model, modelName: modelName)
        return AcceleratorBackend(name: "loopback", driver: driver, model: model, batchSize: batchSize, fclkMHz: m.fclkMHz, loopback: board.device)
    case "board":
        guard let manifestPath else {
            throw ZynqError(key: "--backend board", "needs --bundle DIR or --manifest FILE (addresses and widths of the loaded design)")
        }
        let m = try RuntimeManifest.load(path: manifestPath, system: system)
        var config = BoardConfig()
        if let bundle, system.fileExists("\(bundle)/runtime.json") {
            config = try BoardConfig.load(path: "\(bundle)/runtime.json", system: system)
        }
        let driver = try openBoard(manifest: m, manifestPath: manifestPath, config: config, interrupt: interrupt, system: system)
        try m.check(hardware: driver.info, file: manifestPath)
        try driver.load(model: model, modelName: modelName)
        return AcceleratorBackend(name: "board", driver: driver, model: model, batchSize: batchSize, fclkMHz: m.fclkMHz, loopback: nil)
    default:
        throw ZynqError(key: "--backend", "unknown backend '\(name)' (loopback or board)")
    }
}

/// Opens the real hardware: register access, lock, DMA buffer, DMA and accelerator drivers.
public func openBoard(manifest m: RuntimeManifest, manifestPath: String, config: BoardConfig,
                      interrupt: InterruptFlag = .sigint, system: any SystemCalls = LiveSystem()) throws -> AcceleratorDriver {
    let windows = [m.dmaWindow, m.acceleratorWindow]
    // Nothing physical is mapped before the device tree says Zynq-7000.
    try ZynqPlatform.confirm(procRoot: config.proc_root, sysfsRoot: config.sysfs_root, system: system)
    if config.access == "devmem" && config.check_ps {
        // A gated FCLK0 or closed level shifters would hang the first accelerator read: refuse instead.
        let ps = try DevMemBus(windows: PSRegisters.windows, devMemPath: config.dev_mem, system: system)
        try requirePSState(bus: ps, hpDataWidth: m.dmaDataWidth)
    }
    let lock = try DeviceLock(device: "board-\(String(m.dmaBase, radix: 16))-\(String(m.acceleratorBase, radix: 16))",
                              directory: config.lock_dir, system: system)
    let bus: any RegisterBus
    if config.access == "uio" {
        bus = try UIOBus(specs: [UIOWindowSpec(window: windows[0], uioName: config.uio_dma),
                                 UIOWindowSpec(window: windows[1], uioName: config.uio_accelerator)],
                         sysfsRoot: config.sysfs_root, devRoot: config.dev_root, system: system)
    } else {
        bus = try DevMemBus(windows: windows, devMemPath: config.dev_mem, system: system)
    }
    let buffer: any DMABuffer
    if let region = try config.reservedRegion() {
        buffer = try DevMemDMABuffer(physicalAddress: region.base, size: region.size, devMemPath: config.dev_mem, system: system)
    } else {
        buffer = try UDmaBuffer(name: config.buffer, mode: config.buffer_cached ? .cached : config.buffer_mode, sysfsRoot: config.sysfs_root,
                                devRoot: config.dev_root, system: system)
    }
    let dma = try AxiDma(bus: bus, config: m.dmaConfig, system: system, interrupt: interrupt)
    let driver = try AcceleratorDriver(bus: bus, dma: dma, buffer: buffer, acceleratorBase: m.acceleratorBase,
                                       designName: manifestPath, lock: lock, interrupt: interrupt, system: system)
    driver.timeoutNanoseconds = UInt64(config.timeout_ms) * 1_000_000
    return driver
}

extension InferenceBackend {
    /// The same as `run(codes:count:)`, shaped like `Simulator.run` for callers that hold `SimResult`s.
    public func run(_ codes: InputCodes) throws -> SimResult {
        let r = try run(codes: codes, count: codes.count)
        return SimResult(outputs: r.outputs, count: codes.count, classes: codes.count == 0 ? 0 : r.outputs.count / codes.count)
    }
}
