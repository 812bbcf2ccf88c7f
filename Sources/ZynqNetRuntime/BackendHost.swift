#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ZynqNetHW
import ZynqNetModel
import ZynqNetSim

// The backends' host-only side: runtime.json through JSONDecoder, the board opened from a
// bundle's manifest.json. The board build has the backends themselves (Backend.swift).

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
        return try makeLoopbackBackend(model: model, modelName: modelName, manifest: m, manifestPath: manifestPath,
                                       batchSize: batchSize, interrupt: interrupt)
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

