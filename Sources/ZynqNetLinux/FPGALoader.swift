import ZynqNetBase
import ZynqNetBit
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime

/// Zynq-7000 PL clock FCLK0 through the SLCR (zynq-facts §3.4, §6).
public enum SLCR {
    public static let base: UInt64 = 0xF800_0000
    public static let unlock: UInt64 = 0xF800_0008
    public static let unlockKey: UInt32 = 0xDF0D
    public static let armPLL: UInt64 = 0xF800_0100
    public static let ddrPLL: UInt64 = 0xF800_0104
    public static let ioPLL: UInt64 = 0xF800_0108
    public static let fpga0ClockControl: UInt64 = 0xF800_0170
    public static var window: MemoryWindow { MemoryWindow(name: "slcr", base: base, size: 0x1000) }
}

public struct FCLKSetting: Sendable, Equatable {
    public var divisor0: UInt32
    public var divisor1: UInt32
    public var sourceMHz: Double
    public var frequencyMHz: Double
}

/// The divisors (1...63 each) giving the highest frequency not above `targetMHz`
/// (the bitstream's timing was closed at that clock; faster is never safe).
public func chooseFCLKDivisors(sourceMHz: Double, targetMHz: Double) -> FCLKSetting? {
    var best: FCLKSetting?
    // DIVISOR1 outermost: among equal frequencies the one with DIVISOR1 = 1 (as Vivado picks).
    for d1 in UInt32(1)...63 {
        for d0 in UInt32(1)...63 {
            let f = sourceMHz / Double(d0 * d1)
            if f > targetMHz * (1 + 1e-9) { continue }
            if best == nil || f > best!.frequencyMHz + 1e-12 {
                best = FCLKSetting(divisor0: d0, divisor1: d1, sourceMHz: sourceMHz, frequencyMHz: f)
            }
        }
    }
    return best
}

/// Sets FCLK0 to at most `targetMHz`: reads FPGA0_CLK_CTRL's source (SRCSEL, bits 5:4:
/// 0x IO PLL, 10 ARM PLL, 11 DDR PLL), that PLL's multiplier (FDIV, bits 18:12) and the PS
/// reference clock, writes DIVISOR0 (13:8) and DIVISOR1 (25:20) (through the SLCR unlock key
/// when SLCR_LOCKSTA says locked, or always with `unlockSLCR`), and reads it back. With
/// `ungate`, FCLK0's gate (FPGA0_THR_CTRL bit 0) is opened too. Every write is logged.
public func setFCLK0(bus: any RegisterBus, referenceMHz: Double, targetMHz: Double, unlockSLCR: Bool = false,
                     ungate: Bool = false, log: (String) -> Void = { _ in }) throws(ZynqError) -> FCLKSetting {
    if unlockSLCR {
        log("write \(hex(SLCR.unlock)) = \(hex(SLCR.unlockKey)) (SLCR_UNLOCK)")
        try bus.write32(SLCR.unlock, SLCR.unlockKey)
    }
    let ctrl = try bus.read32(SLCR.fpga0ClockControl)
    let srcsel = (ctrl >> 4) & 3
    let pllRegister = srcsel == 2 ? SLCR.armPLL : srcsel == 3 ? SLCR.ddrPLL : SLCR.ioPLL
    let pll = try bus.read32(pllRegister)
    let fdiv = (pll >> 12) & 0x7F
    guard fdiv > 0 else {
        throw ZynqError(key: "PLL_CTRL", "the PLL feeding FCLK0 reads FDIV 0 (\(hex(pllRegister)) = \(hex(pll))); cannot compute the clock")
    }
    let source = referenceMHz * Double(fdiv)
    guard let s = chooseFCLKDivisors(sourceMHz: source, targetMHz: targetMHz) else {
        throw ZynqError(key: "fclk_mhz", "\(targetMHz) MHz cannot be made from the \(source) MHz PLL with 6-bit dividers")
    }
    let value = (ctrl & ~(UInt32(0x3F) << 8 | UInt32(0x3F) << 20)) | s.divisor0 << 8 | s.divisor1 << 20
    if value != ctrl { try slcrWrite(bus: bus, SLCR.fpga0ClockControl, value, name: "FPGA0_CLK_CTRL", was: ctrl, log: log) }
    let back = try bus.read32(SLCR.fpga0ClockControl)
    guard back == value else {
        throw ZynqError(key: "FPGA0_CLK_CTRL", "read back \(hex(back)) after writing \(hex(value)) (is the SLCR locked? set slcr_unlock)")
    }
    if ungate {
        let thr = try bus.read32(PSRegisters.fpga0Throttle)
        if thr & 1 != 0 {
            try slcrWrite(bus: bus, PSRegisters.fpga0Throttle, thr & ~UInt32(1), name: "FPGA0_THR_CTRL", was: thr, log: log)
            let b = try bus.read32(PSRegisters.fpga0Throttle)
            guard b & 1 == 0 else { throw ZynqError(key: "FPGA0_THR_CTRL", "reads \(hex(b)) after clearing bit 0: FCLK0 is still gated") }
        }
    }
    return s
}

/// The FCLK0 frequency FPGA0_CLK_CTRL selects now (MHz), from its source PLL and divisors.
public func currentFCLK0(bus: any RegisterBus, referenceMHz: Double) throws(ZynqError) -> Double {
    let ctrl = try bus.read32(SLCR.fpga0ClockControl)
    let srcsel = (ctrl >> 4) & 3
    let pll = try bus.read32(srcsel == 2 ? SLCR.armPLL : srcsel == 3 ? SLCR.ddrPLL : SLCR.ioPLL)
    let d0 = (ctrl >> 8) & 0x3F, d1 = (ctrl >> 20) & 0x3F, fdiv = (pll >> 12) & 0x7F
    guard d0 > 0, d1 > 0 else { return 0 }
    return referenceMHz * Double(fdiv) / Double(d0 * d1)
}

/// What `zynqnet load` did.
public struct LoadResult: Sendable, Equatable {
    public var bitstream: String
    public var firmware: String
    public var part: String
    public var state: String
    public var fclk_mhz: Double?
    public var fclk_divisor0: UInt32?
    public var fclk_divisor1: UInt32?
    public var topology_hash: String?
    /// Every PS register write, in order (FCLK0 before the bitstream, then the PS-state fixes).
    public var ps_writes: [String]?

    /// `zynqnet load --json`: keys sorted, absent values left out (the same on the host and in zynqnet-board).
    public var json: JSONText {
        var fields: [(String, JSONText)] = [("bitstream", .string(bitstream))]
        if let d = fclk_divisor0 { fields.append(("fclk_divisor0", .uint(UInt64(d)))) }
        if let d = fclk_divisor1 { fields.append(("fclk_divisor1", .uint(UInt64(d)))) }
        if let f = fclk_mhz { fields.append(("fclk_mhz", .double(f))) }
        fields.append(("firmware", .string(firmware)))
        fields.append(("part", .string(part)))
        if let w = ps_writes { fields.append(("ps_writes", .array(w.map { .string($0) }))) }
        fields.append(("state", .string(state)))
        if let h = topology_hash { fields.append(("topology_hash", .string(h))) }
        return .object(fields)
    }
}

public struct LoadOptions: Sendable {
    public var sysfsRoot = "/sys"
    public var firmwareDirectory = "/lib/firmware"
    public var devMem = "/dev/mem"
    public var fpgaManager = "fpga0"
    public var setClock = true
    public var unlockSLCR = false
    public var probe = true
    /// The device-tree check reads `<procRoot>/device-tree/compatible`.
    public var procRoot = "/proc"
    /// Repair the PS state after loading (level shifters, PL reset, FCLK0 gate, HP0 width).
    public var fixPS = true
    /// Opens the register bus for the given windows (tests: a loopback device); default /dev/mem.
    public var openBus: (@Sendable ([MemoryWindow]) throws(ZynqError) -> any RegisterBus)?
    /// The PL was configured another way (JTAG while Linux runs): skip fpga_manager, set
    /// FCLK0, then pulse the PL reset so the design starts on the right clock.
    public var plConfigured = false
    public init() {}
}

/// `zynqnet load BUNDLE`: .bit → byte-swapped .bin under the firmware directory, fpga_manager
/// flags 0 and firmware name, state "operating", FCLK0 from the manifest, accelerator probe.
public func loadBundle(_ bundle: String, options: LoadOptions = LoadOptions(), system: any SystemCalls = LiveSystem()) throws(ZynqError) -> LoadResult {
    let manifestPath = "\(bundle)/manifest.json"
    // What the folder lacks comes first: a folder without a bitstream is not a bundle, whoever runs this.
    guard system.fileExists(manifestPath) else {
        let hasBit = system.fileExists("\(bundle)/zynqnet.bit")
        throw ZynqError(file: bundle, "no \(hasBit ? "" : "bitstream (zynqnet.bit) and no ")manifest.json: not a bundle (zynqnet deploy -o DIR makes one)")
    }
    let manifest = try RuntimeManifest.load(path: manifestPath, system: system)
    let bitName = manifest.bitstream ?? "zynqnet.bit"
    guard !bitName.hasPrefix("/"), !bitName.contains("..") else { throw ZynqError(file: manifestPath, key: "files.bitstream", "must be a plain relative path") }
    let bitPath = "\(bundle)/\(bitName)"
    guard system.fileExists(bitPath) else {
        throw ZynqError(file: bitPath, "no bitstream: the bundle's manifest.json names \(bitName), which is not in \(bundle)")
    }
    guard system.effectiveUserID() == 0 else {
        throw ZynqError(key: "load", "loading a bitstream needs root (it writes \(options.firmwareDirectory) and fpga_manager's sysfs files); run with sudo")
    }
    let mgr = "\(options.sysfsRoot)/class/fpga_manager/\(options.fpgaManager)"
    guard options.plConfigured || system.fileExists(mgr) else {
        throw ZynqError(file: mgr, "no fpga_manager device (a kernel with CONFIG_FPGA_MGR_ZYNQ_FPGA, e.g. the PYNQ or Xilinx image, is needed)")
    }
    guard options.plConfigured || (system.fileExists("\(mgr)/firmware") && system.fileExists("\(mgr)/flags")) else {
        throw ZynqError(file: mgr, key: "firmware", "this fpga_manager has no 'firmware'/'flags' attributes (mainline kernel); load through a device-tree overlay instead, or use a Xilinx linux-xlnx kernel")
    }
    // The .bit parser and .bin conversion of ZynqNetBit (zynq-facts §3.2, §3.3).
    let bit = try BitFile.parse(try system.readBytes(bitPath, limit: 64 << 20), file: bitPath)
    if let want = manifest.part {
        guard BitPart.matches(bit.part, want) else {
            throw ZynqError(file: bitPath, key: "part", "the bitstream is for \(bit.part.isEmpty ? "an unnamed part" : bit.part), the manifest's board needs \(want)")
        }
    }
    let bin = try bit.fpgaManagerBin(file: bitPath)
    // Nothing physical is mapped before the device tree says Zynq-7000.
    try ZynqPlatform.confirm(procRoot: options.procRoot, sysfsRoot: options.sysfsRoot, system: system)
    func open(_ windows: [MemoryWindow]) throws(ZynqError) -> any RegisterBus {
        if let f = options.openBus { return try f(windows) }
        return try DevMemBus(windows: windows, devMemPath: options.devMem, system: system)
    }
    var writes: [String] = []
    let log: (String) -> Void = { writes.append($0) }
    var stem = bitName.split(separator: "/").last.map { String($0) } ?? "zynqnet.bit"
    if stem.hasSuffix(".bit") { stem.removeLast(4) }
    let firmwareName = "\(stem).bin"
    let firmwarePath = "\(options.firmwareDirectory)/\(firmwareName)"
    // Clock before design: FCLK0 at the manifest's frequency and ungated before the PL is
    // configured (fpga_manager then pulses the PL reset after DONE), so the design never
    // starts on the boot clock.
    var slcr: (any RegisterBus)?
    var clock: FCLKSetting?
    if options.setClock {
        let bus = try open(PSRegisters.windows)
        slcr = bus
        let reference: Double
        do throws(ZynqError) {
            reference = try manifest.referenceClockMHz()
        } catch {
            throw error.inFile(manifestPath)
        }
        clock = try setFCLK0(bus: bus, referenceMHz: reference, targetMHz: manifest.fclkMHz,
                             unlockSLCR: options.unlockSLCR, ungate: true, log: log)
    }
    var state = "operating"
    if options.plConfigured {
        guard let slcr else {
            throw ZynqError(key: "--pl-configured", "needs the clock step (drop --no-clock): the PL reset is pulsed after FCLK0 is set")
        }
        // The design started on whatever clock ran when it was configured: restart it now.
        let v = try slcr.read32(PSRegisters.fpgaResetControl)
        try slcrWrite(bus: slcr, PSRegisters.fpgaResetControl, v | 1, name: "FPGA_RST_CTRL", was: v, log: log)
        try slcrWrite(bus: slcr, PSRegisters.fpgaResetControl, v & ~UInt32(1), name: "FPGA_RST_CTRL", was: v | 1, log: log)
    } else {
        try system.writeFileAtomically(firmwarePath, bin, mode: 0o644)
        try system.writeAttribute("\(mgr)/flags", "0")
        try system.writeAttribute("\(mgr)/firmware", firmwareName)
        state = try system.readAttribute("\(mgr)/state")
        guard state == "operating" else {
            let status = (try? system.readAttribute("\(mgr)/status")) ?? ""
            throw ZynqError(file: mgr, key: "state", "is '\(state)' after loading \(firmwareName), expected 'operating'\(status.isEmpty ? "" : " (status: \(status))")")
        }
    }
    var result = LoadResult(bitstream: bitPath, firmware: options.plConfigured ? "" : firmwarePath, part: bit.part,
                            state: options.plConfigured ? "configured over JTAG" : state)
    if let s = clock {
        result.fclk_mhz = s.frequencyMHz
        result.fclk_divisor0 = s.divisor0
        result.fclk_divisor1 = s.divisor1
    }
    if let slcr {
        // Level shifters, PL reset, FCLK0 gate and HP0 width before the first PL access.
        try requirePSState(bus: slcr, hpDataWidth: manifest.dmaDataWidth, fix: options.fixPS, log: log)
        result.ps_writes = writes
    }
    if options.probe {
        let bus = try open([manifest.acceleratorWindow])
        let info = try AcceleratorDriver.probe(bus: bus, base: manifest.acceleratorBase, designName: manifestPath)
        if let h = manifest.topologyHash, h != info.topologyHash {
            throw ZynqError(file: manifestPath, key: "topology_hash",
                            "the manifest says \(topologyHashText(h)) but the loaded accelerator reports \(topologyHashText(info.topologyHash))")
        }
        result.topology_hash = topologyHashText(info.topologyHash)
    }
    return result
}
