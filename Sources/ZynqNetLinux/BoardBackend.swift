import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime

/// How the board backend reaches the hardware (`runtime.json` in the bundle, all optional).
/// Read strictly through `JSONField` (an unknown key or a wrong type is one line naming the
/// file and the key), so the board binary reads it too.
public struct BoardConfig: Sendable, Equatable {
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

    /// The keys `runtime.json` may have (docs/runtime.md).
    public static let keys = ["access", "uio_dma", "uio_accelerator", "buffer", "buffer_cached", "buffer_mode", "timeout_ms", "lock_dir",
                              "sysfs_root", "dev_root", "dev_mem", "proc_root", "check_ps"]

    public static func load(path: String, system: any SystemCalls = LiveSystem()) throws(ZynqError) -> BoardConfig {
        try parse(try system.readBytes(path, limit: 1 << 20), file: path)
    }

    /// Parses `runtime.json`'s bytes (`file` names it in errors): a JSON object of the keys
    /// above, each optional; null is absent.
    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> BoardConfig {
        let top = try JSONField.parse(bytes, file: file)
        try top.requireKnownKeys(keys, hint: "runtime.json may have \(keys.joined(separator: ", "))")
        var config = BoardConfig()
        func string(_ key: String) throws(ZynqError) -> String? { try top.optionalMember(key)?.string() }
        func bool(_ key: String) throws(ZynqError) -> Bool? { try top.optionalMember(key)?.bool() }
        config.access = try string("access") ?? config.access
        config.uio_dma = try string("uio_dma") ?? config.uio_dma
        config.uio_accelerator = try string("uio_accelerator") ?? config.uio_accelerator
        config.buffer = try string("buffer") ?? config.buffer
        config.buffer_cached = try bool("buffer_cached") ?? config.buffer_cached
        if let m = try string("buffer_mode") {
            guard let mode = DMABufferMode(rawValue: m) else {
                throw ZynqError(file: file, key: "buffer_mode", "must be \"writecombine\", \"uncached\" or \"cached\", got \"\(m)\"")
            }
            config.buffer_mode = mode
        } else if config.buffer_cached {
            config.buffer_mode = .cached
        }
        if let t = try top.optionalMember("timeout_ms") {
            guard case .int(let v) = t.value, v > 0, v <= 3_600_000 else {
                throw ZynqError(file: file, key: "timeout_ms", "must be 1...3600000")
            }
            config.timeout_ms = Int(v)
        }
        config.lock_dir = try string("lock_dir")
        config.sysfs_root = try string("sysfs_root") ?? config.sysfs_root
        config.dev_root = try string("dev_root") ?? config.dev_root
        config.dev_mem = try string("dev_mem") ?? config.dev_mem
        config.proc_root = try string("proc_root") ?? config.proc_root
        config.check_ps = try bool("check_ps") ?? config.check_ps
        guard config.access == "devmem" || config.access == "uio" else {
            throw ZynqError(file: file, key: "access", "must be \"devmem\" or \"uio\", got \"\(config.access)\"")
        }
        return config
    }

    /// A reserved region "devmem:BASE:SIZE" (hex or decimal), if `buffer` is one.
    func reservedRegion() throws(ZynqError) -> (base: UInt64, size: Int)? {
        guard buffer.hasPrefix("devmem:") else { return nil }
        let parts = buffer.split(separator: ":").map { String($0) }
        func num(_ s: String) -> UInt64? { s.hasPrefix("0x") || s.hasPrefix("0X") ? parseHex(s) : parseDecimal(s) }
        guard parts.count == 3, let b = num(parts[1]), let s = num(parts[2]), s > 0, s <= UInt64(Int32.max) else {
            throw ZynqError(key: "buffer", "expected devmem:BASE:SIZE, e.g. devmem:0x1F000000:0x01000000, got \"\(buffer)\"")
        }
        return (b, Int(s))
    }
}

/// Opens the real hardware: register access, lock, DMA buffer, DMA and accelerator drivers.
public func openBoard(manifest m: RuntimeManifest, manifestPath: String, config: BoardConfig,
                      interrupt: InterruptFlag = .sigint, system: any SystemCalls = LiveSystem()) throws(ZynqError) -> AcceleratorDriver {
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

