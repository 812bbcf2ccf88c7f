import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// Is this machine a Zynq-7000? Every board command asks before it maps a physical address,
/// so a run on a PC or under qemu never touches `/dev/mem`.
///
/// The device tree's root `compatible` property (NUL-separated strings) is read from
/// `/proc/device-tree/compatible`, else `/sys/firmware/devicetree/base/compatible`; a
/// Zynq-7000 kernel lists `xlnx,zynq-7000` there (Linux `arch/arm/mach-zynq`'s DT match).
public enum ZynqPlatform {
    public static let compatible = "xlnx,zynq-7000"

    public static func compatiblePaths(procRoot: String, sysfsRoot: String) -> [String] {
        ["\(procRoot)/device-tree/compatible", "\(sysfsRoot)/firmware/devicetree/base/compatible"]
    }

    /// The first readable `compatible` file and its strings, or nil when there is no device tree.
    public static func read(procRoot: String = "/proc", sysfsRoot: String = "/sys",
                            system: any SystemCalls) -> (path: String, strings: [String])? {
        for path in compatiblePaths(procRoot: procRoot, sysfsRoot: sysfsRoot) where system.fileExists(path) {
            guard let bytes = try? system.readBytes(path, limit: 4096) else { continue }
            let strings = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
            return (path, strings)
        }
        return nil
    }

    /// Throws, naming what was found, unless the device tree says `xlnx,zynq-7000`.
    public static func confirm(procRoot: String = "/proc", sysfsRoot: String = "/sys", system: any SystemCalls) throws(ZynqError) {
        guard let found = read(procRoot: procRoot, sysfsRoot: sysfsRoot, system: system) else {
            let paths = compatiblePaths(procRoot: procRoot, sysfsRoot: sysfsRoot).joined(separator: " nor ")
            throw ZynqError(key: "compatible", "no device tree (\(paths)): this is not a Zynq-7000 board (a PC or qemu?); "
                            + "nothing was mapped. Run board commands on the board")
        }
        guard found.strings.contains(compatible) else {
            let what = found.strings.isEmpty ? "nothing" : found.strings.map { "'\($0)'" }.joined(separator: ", ")
            throw ZynqError(file: found.path, key: "compatible", "names \(what), not '\(compatible)': this is not a Zynq-7000 board; "
                            + "nothing was mapped. Run board commands on the board")
        }
    }
}

/// PS registers the bitstream does not carry (UG585 SLCR; addresses from zynq-facts §3.2, §6,
/// Linux `drivers/clk/zynq/clkc.c` for the FCLK gate and `zynq-afi-fpga` for the HP port width).
public enum PSRegisters {
    public static let slcrLock: UInt64 = 0xF800_0004
    public static let slcrLockKey: UInt32 = 0x767B
    public static let slcrLockStatus: UInt64 = 0xF800_000C
    /// FPGA0_THR_CTRL = FPGA0_CLK_CTRL + 8; bit 0 set = FCLK0 gated (Linux registers it as a
    /// CLK_GATE_SET_TO_DISABLE gate and disables it at boot unless `clk_ignore_unused` or
    /// `fclk-enable` keeps it running).
    public static let fpga0Throttle: UInt64 = 0xF800_0178
    public static let fpgaResetControl: UInt64 = 0xF800_0240
    public static let levelShifters: UInt64 = 0xF800_0900
    /// AFI0 (S_AXI_HP0) channel control; bit 0 = 1: 32-bit, 0: 64-bit.
    public static let afi0ReadControl: UInt64 = 0xF800_8000
    public static let afi0WriteControl: UInt64 = 0xF800_8014
    public static var afi0Window: MemoryWindow { MemoryWindow(name: "afi0", base: 0xF800_8000, size: 0x1000) }
    /// The windows a PS-state check maps.
    public static var windows: [MemoryWindow] { [SLCR.window, afi0Window] }
}

/// One PS register check: what was read, whether it is right, and the fix.
public struct PSCheck: Sendable, Equatable {
    public var register: String
    public var address: String
    public var value: String
    public var ok: Bool
    /// `--fix` wrote the register and the read-back is right.
    public var fixed: Bool
    public var detail: String
    public var fix: String

    /// The error a board command throws for a check that failed.
    public var error: ZynqError {
        ZynqError(key: register, "reads \(value) at \(address): \(detail); fix: \(fix)")
    }
}

/// Writes an SLCR register with the unlock/lock key sequence (UG585: writes are ignored while
/// the SLCR is locked); a locked SLCR is locked again afterwards. Each write is logged.
func slcrWrite(bus: any RegisterBus, _ address: UInt64, _ value: UInt32, name: String, was: UInt32,
               log: (String) -> Void) throws(ZynqError) {
    var locked = false
    if address < 0xF800_1000 { locked = try bus.read32(PSRegisters.slcrLockStatus) & 1 == 1 }
    if locked {
        log("write \(hex(SLCR.unlock)) = \(hex(SLCR.unlockKey)) (SLCR_UNLOCK)")
        try bus.write32(SLCR.unlock, SLCR.unlockKey)
    }
    log("write \(hex(address)) = \(hex(value)) (\(name), was \(hex(was)))")
    try bus.write32(address, value)
    if locked {
        log("write \(hex(PSRegisters.slcrLock)) = \(hex(PSRegisters.slcrLockKey)) (SLCR_LOCK)")
        try bus.write32(PSRegisters.slcrLock, PSRegisters.slcrLockKey)
    }
}

/// Checks (and with `fix` repairs, logging every write) the PS state a design needs:
/// level shifters on, PL reset 0 released, FCLK0 not gated, HP0 at the design's width.
/// Never waits on the PL: only SLCR/AFI registers are read, so a dead PL cannot hang it.
public func checkPSState(bus: any RegisterBus, hpDataWidth: Int = 64, fix: Bool = false,
                         log: (String) -> Void = { _ in }) throws(ZynqError) -> [PSCheck] {
    var out: [PSCheck] = []
    func check(_ name: String, _ address: UInt64, detail: String, fixText: String,
               good: (UInt32) -> Bool, repaired: (UInt32) -> UInt32) throws(ZynqError) {
        let v = try bus.read32(address)
        var c = PSCheck(register: name, address: hex(address), value: hex(v), ok: good(v), fixed: false, detail: detail, fix: fixText)
        if !c.ok && fix {
            try slcrWrite(bus: bus, address, repaired(v), name: name, was: v, log: log)
            let back = try bus.read32(address)
            c.ok = good(back)
            c.fixed = c.ok
            c.value = hex(back)
            if !c.ok { c.detail += " (still \(hex(back)) after the write: is the SLCR locked by another agent?)" }
        }
        out.append(c)
    }
    try check("LVL_SHFTR_EN", PSRegisters.levelShifters,
              detail: "the PS-PL level shifters must all be on (0xF) or no AXI access reaches the PL",
              fixText: "write 0xF to LVL_SHFTR_EN (zynqnet doctor --fix)",
              good: { $0 & 0xF == 0xF }, repaired: { $0 | 0xF })
    try check("FPGA_RST_CTRL", PSRegisters.fpgaResetControl,
              detail: "bit 0 (FCLK_RESET0_N) must be 0, else the PL is held in reset",
              fixText: "clear bit 0 of FPGA_RST_CTRL (zynqnet doctor --fix)",
              good: { $0 & 1 == 0 }, repaired: { $0 & ~UInt32(1) })
    try check("FPGA0_THR_CTRL", PSRegisters.fpga0Throttle,
              detail: "bit 0 set gates FCLK0 (Linux does at boot without clk_ignore_unused or fclk-enable); the first accelerator access would hang the bus",
              fixText: "clear bit 0 of FPGA0_THR_CTRL (zynqnet doctor --fix), or boot with clk_ignore_unused",
              good: { $0 & 1 == 0 }, repaired: { $0 & ~UInt32(1) })
    let want32 = hpDataWidth == 32
    for (name, address) in [("AFI0_RDCHAN_CTRL", PSRegisters.afi0ReadControl), ("AFI0_WRCHAN_CTRL", PSRegisters.afi0WriteControl)] {
        try check(name, address,
                  detail: "bit 0 must be \(want32 ? 1 : 0) for the design's \(hpDataWidth)-bit HP0 port (1 = 32-bit, 0 = 64-bit)",
                  fixText: "\(want32 ? "set" : "clear") bit 0 of \(name) (zynqnet doctor --fix)",
                  good: { ($0 & 1 == 1) == want32 }, repaired: { want32 ? $0 | 1 : $0 & ~UInt32(1) })
    }
    return out
}

/// Throws the first failed check's error (register, value, fix).
public func requirePSState(bus: any RegisterBus, hpDataWidth: Int = 64, fix: Bool = false,
                           log: (String) -> Void = { _ in }) throws(ZynqError) {
    if let bad = try checkPSState(bus: bus, hpDataWidth: hpDataWidth, fix: fix, log: log).first(where: { !$0.ok }) {
        throw bad.error
    }
}
