import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// One prerequisite `zynqnet doctor` checked on the board.
public struct DoctorCheck: Sendable, Equatable {
    public enum Status: String, Sendable {
        case ok, warn, fail, fixed, skipped
    }
    public var name: String
    public var status: Status
    public var detail: String
    /// What to do about a warn/fail (empty otherwise).
    public var fix: String

    public init(_ name: String, _ status: Status, _ detail: String, fix: String = "") {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }
}

public struct DoctorReport: Sendable, Equatable {
    public var ok: Bool
    public var checks: [DoctorCheck]
    /// Every register write `--fix` made, in order.
    public var writes: [String]

    public var failed: [DoctorCheck] { checks.filter { $0.status == .fail } }

    /// `zynqnet doctor --json`: keys sorted (`ok`, `checks` with `detail`, `fix`, `name`,
    /// `status`, `writes`), the same on the host and in zynqnet-board.
    public var json: JSONText {
        .object([
            ("checks", .array(checks.map { c in
                .object([("detail", .string(c.detail)), ("fix", .string(c.fix)), ("name", .string(c.name)), ("status", .string(c.status.rawValue))])
            })),
            ("ok", .bool(ok)),
            ("writes", .array(writes.map { .string($0) })),
        ])
    }
}

public struct DoctorOptions: Sendable {
    /// `/` on the board; tests point it at a fake tree with `sys`, `dev` and `proc`.
    public var root = "/"
    /// A bundle (manifest.json, optional runtime.json): the design's FCLK, HP width, buffer size.
    public var bundle: String?
    /// Repair the PS state (logging each write).
    public var fix = false
    /// The DMA buffer must hold at least this many bytes (deploy passes the design's need).
    public var bufferBytes: UInt64?
    /// The buffer to check (a u-dma-buf name or "devmem:BASE:SIZE"), instead of runtime.json's.
    public var buffer: String?
    /// Opens the register bus for the PS windows (tests: a loopback device); default `<root>/dev/mem`.
    public var openBus: (@Sendable ([MemoryWindow]) throws(ZynqError) -> any RegisterBus)?
    public init() {}

    func path(_ p: String) -> String { root == "/" ? "/" + p : (root.hasSuffix("/") ? root + p : root + "/" + p) }
    var sys: String { path("sys") }
    var dev: String { path("dev") }
    var proc: String { path("proc") }
}

/// The board prerequisites, each with the fix for a failure (docs/board-setup.md): Zynq-7000,
/// root or CAP_SYS_RAWIO, /dev/mem or UIO, fpga_manager and its flags, u-dma-buf present and
/// large enough, CMA, the PL state, FCLK0 and the SLCR/AFI state. Register checks run only
/// after the device tree says Zynq-7000, so a PC or qemu never has /dev/mem opened.
public func runDoctor(_ o: DoctorOptions, system: any SystemCalls = LiveSystem()) -> DoctorReport {
    var checks: [DoctorCheck] = []
    var writes: [String] = []
    func add(_ c: DoctorCheck) { checks.append(c) }

    // The bundle, if any.
    var manifest: RuntimeManifest?
    var config = BoardConfig()
    if let b = o.bundle {
        do {
            manifest = try RuntimeManifest.load(path: "\(b)/manifest.json", system: system)
            if system.fileExists("\(b)/runtime.json") { config = try BoardConfig.load(path: "\(b)/runtime.json", system: system) }
            add(DoctorCheck("bundle", .ok, "\(b)/manifest.json: FCLK0 \(manifest!.fclkMHz) MHz, HP0 \(manifest!.dmaDataWidth)-bit"))
        } catch {
            add(DoctorCheck("bundle", .fail, "\(error)", fix: "give the bundle directory deploy wrote (manifest.json inside)"))
        }
    }

    if let b = o.buffer { config.buffer = b }

    // 1. Zynq-7000.
    var isZynq = false
    do {
        try ZynqPlatform.confirm(procRoot: o.proc, sysfsRoot: o.sys, system: system)
        isZynq = true
        let found = ZynqPlatform.read(procRoot: o.proc, sysfsRoot: o.sys, system: system)
        add(DoctorCheck("zynq", .ok, "\(found?.path ?? "device tree") names \(found?.strings.joined(separator: ", ") ?? "")"))
    } catch {
        add(DoctorCheck("zynq", .fail, "\(error)", fix: "run zynqnet doctor on the board (PYNQ-Z2 or Zybo Z7-20 Linux), not on a PC or under qemu"))
    }

    // 2. Root or CAP_SYS_RAWIO.
    var euid = system.effectiveUserID()
    var capEff: UInt64 = 0
    if let status = try? system.readText("\(o.proc)/self/status", limit: 1 << 16) {
        for line in status.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.first == "Uid:", f.count >= 3, let e = UInt32(f[2]) { euid = e }
            if f.first == "CapEff:", f.count >= 2, let c = UInt64(f[1], radix: 16) { capEff = c }
        }
    }
    let rawio = capEff & (1 << 17) != 0
    let privileged = euid == 0 || rawio
    if privileged {
        add(DoctorCheck("privileges", .ok, euid == 0 ? "running as root" : "CAP_SYS_RAWIO (uid \(euid))"))
    } else {
        add(DoctorCheck("privileges", .fail, "uid \(euid) without CAP_SYS_RAWIO: /dev/mem, fpga_manager and /lib/firmware need root",
                        fix: "run as root (sudo zynqnet ...), or add the narrow sudoers rule of docs/board-setup.md and deploy with --sudo"))
    }

    // 3. /dev/mem or UIO.
    let devMem = "\(o.dev)/mem"
    let uioNames = (try? system.listDirectory("\(o.sys)/class/uio")) ?? []
    let hasDevMem = system.fileExists(devMem)
    if config.access == "uio" {
        add(uioNames.isEmpty
            ? DoctorCheck("register_access", .fail, "runtime.json asks for UIO but \(o.sys)/class/uio is empty",
                          fix: "add generic-uio device-tree nodes for the DMA and the accelerator and boot with uio_pdrv_genirq.of_id=generic-uio")
            : DoctorCheck("register_access", .ok, "UIO: \(uioNames.joined(separator: ", "))"))
    } else if hasDevMem {
        add(DoctorCheck("register_access", .ok, "\(devMem) present"))
    } else {
        add(DoctorCheck("register_access", .fail, "no \(devMem)" + (uioNames.isEmpty ? " and no UIO devices" : " (UIO: \(uioNames.joined(separator: ", ")); set \"access\": \"uio\" in runtime.json)"),
                        fix: "use a kernel with CONFIG_DEVMEM (PYNQ and PetaLinux images have it), or UIO nodes (docs/board-setup.md)"))
    }

    // 4. fpga_manager and its flags.
    let mgr = "\(o.sys)/class/fpga_manager/fpga0"
    var plState: String?
    if !system.fileExists(mgr) {
        add(DoctorCheck("fpga_manager", .fail, "no \(mgr)",
                        fix: "use a Xilinx linux-xlnx kernel with CONFIG_FPGA_MGR_ZYNQ_FPGA (PYNQ image, PetaLinux)"))
    } else if !system.fileExists("\(mgr)/firmware") || !system.fileExists("\(mgr)/flags") {
        add(DoctorCheck("fpga_manager", .fail, "\(mgr) has no 'firmware'/'flags' attributes (a mainline kernel)",
                        fix: "use a Xilinx linux-xlnx kernel (PYNQ image, PetaLinux), or load through a device-tree overlay"))
    } else {
        let flagsText = (try? system.readAttribute("\(mgr)/flags")) ?? ""
        plState = try? system.readAttribute("\(mgr)/state")
        let flags = UInt64(flagsText.hasPrefix("0x") ? String(flagsText.dropFirst(2)) : flagsText, radix: 16)
        if let flags, flags & 1 != 0 {
            add(DoctorCheck("fpga_manager", .warn, "flags 0x\(String(flags, radix: 16)): partial reconfiguration is set",
                            fix: "none needed: zynqnet load writes 0 (full bitstream) before loading"))
        } else {
            add(DoctorCheck("fpga_manager", .ok, "\(mgr): flags \(flagsText.isEmpty ? "(empty)" : flagsText), state \(plState ?? "?")"))
        }
    }

    // 5. u-dma-buf (or a reserved region) large enough; 6. CMA.
    let need = o.bufferBytes ?? manifest?.requiredBufferBytes
    let oneImage = manifest.flatMap { m in m.inputRecordBytes.flatMap { i in m.outputRecordBytes.map { UInt64(i + $0) } } }
    let buildHint = "build and load u-dma-buf on the board (docs/board-setup.md): insmod u-dma-buf.ko udmabuf0=\(need.map { String($0) } ?? "SIZE")"
    var haveBuffer = false
    if config.buffer.hasPrefix("devmem:") {
        add(DoctorCheck("udmabuf", .ok, "runtime.json uses the reserved region \(config.buffer) (must be a no-map reserved-memory node)"))
        haveBuffer = true
    } else {
        let name = config.buffer
        let sizePath = ["\(o.sys)/class/u-dma-buf/\(name)/size", "\(o.sys)/class/udmabuf/\(name)/size"].first { system.fileExists($0) }
        if let sizePath, let size = (try? system.readAttribute(sizePath)).flatMap(parseDecimal) {
            haveBuffer = true
            if !system.fileExists("\(o.dev)/\(name)") {
                add(DoctorCheck("udmabuf", .fail, "\(sizePath) exists but \(o.dev)/\(name) does not",
                                fix: "check udev: SUBSYSTEM==\"u-dma-buf\" creates /dev/\(name) (docs/board-setup.md)"))
            } else if let oneImage, size < oneImage {
                add(DoctorCheck("udmabuf", .fail, "\(name) has \(size) bytes, less than one image's \(oneImage) bytes of records", fix: buildHint))
            } else if let need, size < need {
                add(DoctorCheck("udmabuf", .warn, "\(name) has \(size) bytes; a full DMA transfer of the design needs \(need) (batches are split, slower)", fix: buildHint))
            } else {
                add(DoctorCheck("udmabuf", .ok, "\(name): \(size) bytes" + (need.map { " (needs \($0))" } ?? "")))
            }
        } else {
            add(DoctorCheck("udmabuf", .fail, "no u-dma-buf device '\(name)' (\(o.sys)/class/u-dma-buf/\(name))", fix: buildHint))
        }
    }
    var cmaTotal: UInt64?, cmaFree: UInt64?
    if let meminfo = try? system.readText("\(o.proc)/meminfo", limit: 1 << 16) {
        for line in meminfo.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count >= 2, f[0] == "CmaTotal:" { cmaTotal = UInt64(f[1]).map { $0 * 1024 } }
            if f.count >= 2, f[0] == "CmaFree:" { cmaFree = UInt64(f[1]).map { $0 * 1024 } }
        }
    }
    if let cmaTotal, let cmaFree, cmaTotal > 0 {
        if !haveBuffer, let need, cmaFree < need {
            add(DoctorCheck("cma", .fail, "CmaFree \(cmaFree) bytes < the \(need) bytes u-dma-buf must allocate",
                            fix: "boot with a larger cma= (e.g. cma=128M; PYNQ kernels have 128 MB), or use a no-map reserved-memory region"))
        } else {
            add(DoctorCheck("cma", .ok, "CmaTotal \(cmaTotal) bytes, CmaFree \(cmaFree) bytes"))
        }
    } else {
        add(DoctorCheck("cma", haveBuffer ? .warn : .fail, "no CMA in \(o.proc)/meminfo (CONFIG_CMA off or cma=0)",
                        fix: "u-dma-buf allocates from CMA: boot with cma=128M, or give it a no-map reserved-memory region"))
    }

    // 7. PL state.
    if let plState {
        if plState == "operating" {
            add(DoctorCheck("pl_state", .ok, "fpga_manager state 'operating'"))
        } else {
            add(DoctorCheck("pl_state", manifest == nil ? .warn : .fail, "fpga_manager state '\(plState)': no design is running",
                            fix: "zynqnet load BUNDLE (as root)"))
        }
    }

    // 8. FCLK0 and the SLCR/AFI state, through the registers (Zynq-7000 and privileges only).
    let regNames = ["fclk0", "LVL_SHFTR_EN", "FPGA_RST_CTRL", "FPGA0_THR_CTRL", "AFI0_RDCHAN_CTRL", "AFI0_WRCHAN_CTRL"]
    let skip: String? = !isZynq ? "not a Zynq-7000: nothing mapped"
        : !privileged ? "needs root or CAP_SYS_RAWIO"
        : (o.openBus == nil && !hasDevMem) ? "no \(devMem)" : nil
    if let skip {
        for n in regNames { add(DoctorCheck(n, .skipped, skip)) }
    } else {
        do {
            let bus: any RegisterBus
            if let open = o.openBus {
                bus = try open(PSRegisters.windows)
            } else {
                bus = try DevMemBus(windows: PSRegisters.windows, devMemPath: devMem, system: system)
            }
            let log: (String) -> Void = { writes.append($0) }
            if let m = manifest {
                let ref = try m.referenceClockMHz()
                let now = try currentFCLK0(bus: bus, referenceMHz: ref)
                let pll = try bus.read32(SLCR.ioPLL)
                let want = chooseFCLKDivisors(sourceMHz: ref * Double((pll >> 12) & 0x7F), targetMHz: m.fclkMHz)?.frequencyMHz ?? m.fclkMHz
                if abs(now - want) <= want * 1e-6 {
                    add(DoctorCheck("fclk0", .ok, "\(mhz(now)) MHz (design \(mhz(m.fclkMHz)) MHz)"))
                } else if o.fix {
                    let s = try setFCLK0(bus: bus, referenceMHz: ref, targetMHz: m.fclkMHz, log: log)
                    add(DoctorCheck("fclk0", .fixed, "was \(mhz(now)) MHz, set to \(mhz(s.frequencyMHz)) MHz (DIVISOR0 \(s.divisor0), DIVISOR1 \(s.divisor1))"))
                } else {
                    add(DoctorCheck("fclk0", .fail, "FCLK0 runs at \(mhz(now)) MHz, the design was built for \(mhz(m.fclkMHz)) MHz (FPGA0_CLK_CTRL \(hex(try bus.read32(SLCR.fpga0ClockControl))))",
                                    fix: "zynqnet load BUNDLE sets it before loading, or zynqnet doctor --bundle BUNDLE --fix"))
                }
            } else {
                add(DoctorCheck("fclk0", .skipped, "give --bundle to compare FCLK0 with the design's clock"))
            }
            for c in try checkPSState(bus: bus, hpDataWidth: manifest?.dmaDataWidth ?? 64, fix: o.fix, log: log) {
                let detail = "\(c.value) at \(c.address): \(c.detail)"
                if c.fixed {
                    add(DoctorCheck(c.register, .fixed, detail))
                } else if c.ok {
                    add(DoctorCheck(c.register, .ok, "\(c.value) at \(c.address)"))
                } else {
                    // Without a loaded design zynqnet load repairs these itself.
                    add(DoctorCheck(c.register, manifest == nil ? .warn : .fail, detail, fix: c.fix))
                }
            }
        } catch {
            for n in regNames where !checks.contains(where: { $0.name == n }) {
                add(DoctorCheck(n, .fail, "\(error)", fix: "run as root on the board; /dev/mem must allow the SLCR (0xF8000000)"))
            }
        }
    }
    return DoctorReport(ok: !checks.contains { $0.status == .fail }, checks: checks, writes: writes)
}

extension DoctorReport {
    /// Human-readable lines: status, name, detail, and the fix under each warn/fail.
    public var text: String {
        var out = ""
        for c in checks {
            let tag = c.status == .fail ? "FAIL" : c.status.rawValue
            out += tag + String(repeating: " ", count: max(1, 8 - tag.count)) + c.name + ": " + c.detail + "\n"
            if !c.fix.isEmpty && (c.status == .fail || c.status == .warn) { out += "        fix: " + c.fix + "\n" }
        }
        for w in writes { out += "wrote   " + w + "\n" }
        return out
    }
}

/// MHz with at most 6 decimals, for messages.
func mhz(_ v: Double) -> String {
    let r = (v * 1e6).rounded() / 1e6
    return r == r.rounded() ? String(Int(r)) : String(r)
}
