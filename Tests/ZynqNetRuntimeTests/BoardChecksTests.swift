import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
@testable import ZynqNetRuntime

/// A loopback device with only the PS registers (and the DMA window every device has).
func psDevice(_ ps: LoopbackSLCR) throws -> LoopbackDevice {
    let d = LoopbackDevice(id: "ps", dma: RuntimeManifest().dmaConfig)
    try d.attach(ps: ps)
    return d
}

@Suite struct ZynqPlatformTests {
    @Test func onlyXlnxZynq7000Passes() throws {
        let root = try makeTemporaryDirectory("dt").path
        defer { removeTemporaryDirectory(root) }
        let sys = LiveSystem()
        // No device tree at all (a PC).
        var e = #expect(throws: ZynqError.self) { try ZynqPlatform.confirm(procRoot: "\(root)/proc", sysfsRoot: "\(root)/sys", system: sys) }
        #expect(e?.key == "compatible")
        #expect(e?.description.hasPrefix("'compatible': no device tree (\(root)/proc/device-tree/compatible nor \(root)/sys/firmware/devicetree/base/compatible)") == true)
        // qemu's virt machine: the strings found are named.
        try writeFile("\(root)/sys/firmware/devicetree/base/compatible", "linux,dummy-virt\0")
        e = #expect(throws: ZynqError.self) { try ZynqPlatform.confirm(procRoot: "\(root)/proc", sysfsRoot: "\(root)/sys", system: sys) }
        #expect(e?.file == "\(root)/sys/firmware/devicetree/base/compatible")
        #expect(e?.message.hasPrefix("names 'linux,dummy-virt', not 'xlnx,zynq-7000'") == true)
        // ZynqMP is not a Zynq-7000.
        try writeFile("\(root)/proc/device-tree/compatible", "xlnx,zynqmp-zcu104\0xlnx,zynqmp\0")
        e = #expect(throws: ZynqError.self) { try ZynqPlatform.confirm(procRoot: "\(root)/proc", sysfsRoot: "\(root)/sys", system: sys) }
        #expect(e?.message.hasPrefix("names 'xlnx,zynqmp-zcu104', 'xlnx,zynqmp', not") == true)
        // A PYNQ-Z2: /proc/device-tree is read first.
        try writeFile("\(root)/proc/device-tree/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0")
        try ZynqPlatform.confirm(procRoot: "\(root)/proc", sysfsRoot: "\(root)/sys", system: sys)
        #expect(ZynqPlatform.read(procRoot: "\(root)/proc", sysfsRoot: "\(root)/sys", system: sys)?.strings == ["tul,pynq-z2", "xlnx,zynq-7000"])
    }

    @Test func loadAndBoardNeverOpenDevMemOffZynq() throws {
        let (t, _) = try LoadBundleTests().makeTree()
        defer { removeTemporaryDirectory(t.root) }
        try FileManager.default.removeItem(atPath: "\(t.sysfs)/firmware")
        let sys = TracingSystem(euid: 0)
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: sys) }
        #expect(e?.key == "compatible")
        #expect(!sys.calls.contains { $0.hasPrefix("open \(t.mem)") })
        #expect(!sys.calls.contains { $0.contains("firmware") })
        // The board backend: the same refusal before the PS check, the lock or any mapping.
        var config = BoardConfig()
        config.sysfs_root = t.sysfs
        config.proc_root = "\(t.root)/proc"
        config.dev_mem = t.mem
        config.lock_dir = t.root
        let sys2 = TracingSystem()
        let e2 = #expect(throws: ZynqError.self) {
            _ = try openBoard(manifest: RuntimeManifest(board: "pynq-z2"), manifestPath: "m.json", config: config, interrupt: .never, system: sys2)
        }
        #expect(e2?.key == "compatible")
        #expect(!sys2.calls.contains { $0.hasPrefix("open \(t.mem)") })
        #expect(!sys2.calls.contains { $0.hasPrefix("mmap") })
    }

    @Test func boardBackendRefusesAGatedClockInsteadOfHanging() throws {
        let (t, _) = try LoadBundleTests().makeTree()
        defer { removeTemporaryDirectory(t.root) }
        try writeWord(t.mem, at: 0xF800_0900, 0xF)
        try writeWord(t.mem, at: 0xF800_0178, 0x1)     // Linux gated FCLK0 at boot
        var config = BoardConfig()
        config.sysfs_root = t.sysfs
        config.dev_mem = t.mem
        config.lock_dir = t.root
        let e = #expect(throws: ZynqError.self) {
            _ = try openBoard(manifest: RuntimeManifest(board: "pynq-z2"), manifestPath: "m.json", config: config, interrupt: .never, system: TracingSystem())
        }
        #expect(e?.description == "'FPGA0_THR_CTRL': reads 0x00000001 at 0xF8000178: bit 0 set gates FCLK0 (Linux does at boot without clk_ignore_unused or fclk-enable); the first accelerator access would hang the bus; fix: clear bit 0 of FPGA0_THR_CTRL (zynqnet doctor --fix), or boot with clk_ignore_unused")
    }
}

@Suite struct PSStateTests {
    @Test func goodStatePasses() throws {
        let ps = LoopbackSLCR()
        let checks = try checkPSState(bus: try psDevice(ps))
        #expect(checks.map(\.register) == ["LVL_SHFTR_EN", "FPGA_RST_CTRL", "FPGA0_THR_CTRL", "AFI0_RDCHAN_CTRL", "AFI0_WRCHAN_CTRL"])
        #expect(checks.allSatisfy { $0.ok })
        #expect(ps.writes.isEmpty)
    }

    @Test func eachBadStateNamesRegisterValueAndFix() throws {
        let cases: [(UInt64, UInt32, String)] = [
            (PSRegisters.levelShifters, 0xA, "'LVL_SHFTR_EN': reads 0x0000000A at 0xF8000900: the PS-PL level shifters must all be on (0xF) or no AXI access reaches the PL; fix: write 0xF to LVL_SHFTR_EN (zynqnet doctor --fix)"),
            (PSRegisters.fpgaResetControl, 0xF, "'FPGA_RST_CTRL': reads 0x0000000F at 0xF8000240: bit 0 (FCLK_RESET0_N) must be 0, else the PL is held in reset; fix: clear bit 0 of FPGA_RST_CTRL (zynqnet doctor --fix)"),
            (PSRegisters.fpga0Throttle, 0x1, "'FPGA0_THR_CTRL': reads 0x00000001 at 0xF8000178"),
            (PSRegisters.afi0ReadControl, 0x1, "'AFI0_RDCHAN_CTRL': reads 0x00000001 at 0xF8008000: bit 0 must be 0 for the design's 64-bit HP0 port (1 = 32-bit, 0 = 64-bit); fix: clear bit 0 of AFI0_RDCHAN_CTRL (zynqnet doctor --fix)"),
            (PSRegisters.afi0WriteControl, 0xF01, "'AFI0_WRCHAN_CTRL': reads 0x00000F01 at 0xF8008014"),
        ]
        for (address, value, message) in cases {
            let ps = LoopbackSLCR()
            ps.registers[address] = value
            let dev = try psDevice(ps)
            let e = #expect(throws: ZynqError.self) { try requirePSState(bus: dev) }
            #expect(e?.description.hasPrefix(message) == true, "\(e?.description ?? "")")
            #expect(ps.writes.isEmpty)
            // --fix repairs exactly that register, logged, and the state then passes.
            var log: [String] = []
            try requirePSState(bus: dev, fix: true) { log.append($0) }
            #expect(ps.writes.count == 1 && ps.writes[0].0 == address)
            #expect(log.count == 1 && log[0].hasPrefix("write \(hex(address)) = "))
            try requirePSState(bus: dev)
        }
        // A 32-bit design wants bit 0 set.
        let ps = LoopbackSLCR()
        let e = #expect(throws: ZynqError.self) { try requirePSState(bus: try psDevice(ps), hpDataWidth: 32) }
        #expect(e?.key == "AFI0_RDCHAN_CTRL")
    }

    @Test func lockedSLCRIsUnlockedForTheWriteAndLockedAgain() throws {
        let ps = LoopbackSLCR(locked: true)
        ps.registers[PSRegisters.levelShifters] = 0
        let dev = try psDevice(ps)
        var log: [String] = []
        try requirePSState(bus: dev, fix: true) { log.append($0) }
        #expect(log == ["write 0xF8000008 = 0x0000DF0D (SLCR_UNLOCK)",
                        "write 0xF8000900 = 0x0000000F (LVL_SHFTR_EN, was 0x00000000)",
                        "write 0xF8000004 = 0x0000767B (SLCR_LOCK)"])
        #expect(ps.locked && ps.registers[PSRegisters.levelShifters] == 0xF)
        // Without the key sequence a write to a locked SLCR changes nothing.
        try dev.write32(PSRegisters.levelShifters, 0)
        #expect(ps.registers[PSRegisters.levelShifters] == 0xF)
    }

    @Test func clockIsSetBeforeTheBitstreamIsLoaded() throws {
        let (t, _) = try LoadBundleTests().makeTree()
        defer { removeTemporaryDirectory(t.root) }
        let sys = TracingSystem(euid: 0)
        let ps = LoopbackSLCR()
        ps.registers[SLCR.fpga0ClockControl] = 0x0010_0500      // boot clock 200 MHz
        ps.registers[PSRegisters.fpga0Throttle] = 1               // gated by Linux
        ps.registers[PSRegisters.levelShifters] = 0xA             // as zynq-fpga.c leaves it during a load
        nonisolated(unsafe) let dev = try psDevice(ps)
        dev.afterWrite = { a, v in sys.note("reg \(hex(a)) = \(hex(v))") }
        var o = t.options
        o.probe = false
        o.openBus = { _ in dev }
        let r = try loadBundle(t.bundle, options: o, system: sys)
        let calls = sys.calls
        let clock = try #require(calls.firstIndex(of: "reg 0xF8000170 = 0x00100A00"))
        let ungate = try #require(calls.firstIndex(of: "reg 0xF8000178 = 0x00000000"))
        let firmware = try #require(calls.firstIndex { $0.hasPrefix("write \(t.mgr)/firmware") || $0.hasPrefix("open \(t.mgr)/firmware") })
        let shifters = try #require(calls.firstIndex(of: "reg 0xF8000900 = 0x0000000F"))
        #expect(clock < ungate && ungate < firmware && firmware < shifters)
        #expect(r.ps_writes == ["write 0xF8000170 = 0x00100A00 (FPGA0_CLK_CTRL, was 0x00100500)",
                                "write 0xF8000178 = 0x00000000 (FPGA0_THR_CTRL, was 0x00000001)",
                                "write 0xF8000900 = 0x0000000F (LVL_SHFTR_EN, was 0x0000000A)"])
    }
}

extension PSStateTests {
    /// JTAG-configured PL (Linux running): no fpga_manager, FCLK0 set and ungated, THEN the PL
    /// reset pulsed, the PS state fixed, the accelerator probed.
    @Test func plConfiguredOverJTAGIsFinishedClockFirstThenReset() throws {
        let (t, topo) = try LoadBundleTests().makeTree()
        defer { removeTemporaryDirectory(t.root) }
        try FileManager.default.removeItem(atPath: "\(t.sysfs)/class/fpga_manager")
        let sys = TracingSystem(euid: 0)
        var o = t.options
        o.plConfigured = true
        let r = try loadBundle(t.bundle, options: o, system: sys)
        #expect(r.ps_writes == ["write 0xF8000170 = 0x00100A01 (FPGA0_CLK_CTRL, was 0x00100501)",
                                "write 0xF8000240 = 0x00000001 (FPGA_RST_CTRL, was 0x00000000)",
                                "write 0xF8000240 = 0x00000000 (FPGA_RST_CTRL, was 0x00000001)",
                                "write 0xF8000900 = 0x0000000F (LVL_SHFTR_EN, was 0x00000000)"])
        #expect(r.topology_hash == "0x" + hex64(topo.hash) && r.state == "configured over JTAG")
        #expect(!sys.calls.contains { $0.contains("fpga_manager") || $0.contains(t.firmware) })
        var noClock = o
        noClock.setClock = false
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: noClock, system: sys) }
        #expect(e?.key == "--pl-configured")
    }
}

/// A fake board root (sys, dev, proc) with every prerequisite met, and a bundle.
struct FakeBoardRoot {
    let root: String
    var bundle: String { "\(root)/bundle" }
    var mgr: String { "\(root)/sys/class/fpga_manager/fpga0" }

    init() throws {
        root = try makeTemporaryDirectory("doctor").path
        try writeFile("\(root)/proc/device-tree/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0")
        try writeFile("\(root)/proc/self/status", "Name:\tzynqnet\nUid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n")
        try writeFile("\(root)/proc/meminfo", "MemTotal:  509344 kB\nCmaTotal:  131072 kB\nCmaFree:   114688 kB\n")
        try writeFile("\(root)/dev/mem", "")
        try writeFile("\(root)/dev/udmabuf0", "")
        try writeFile("\(root)/sys/class/u-dma-buf/udmabuf0/size", "16777216\n")
        try writeFile("\(root)/sys/class/u-dma-buf/udmabuf0/phys_addr", "0x1f000000\n")
        try writeFile("\(mgr)/flags", "0\n")
        try writeFile("\(mgr)/firmware", "")
        try writeFile("\(mgr)/state", "operating\n")
        // 64 images × (16 + 16) bytes = 2048 bytes per full transfer.
        try writeFile("\(bundle)/manifest.json", sampleManifestText(inputBytes: 16, outputBytes: 16, maxBatchImages: 64))
    }

    func options(bundle: Bool = true, ps: LoopbackSLCR? = LoopbackSLCR(), fix: Bool = false) throws -> DoctorOptions {
        var o = DoctorOptions()
        o.root = root
        o.bundle = bundle ? self.bundle : nil
        o.fix = fix
        if let ps {
            nonisolated(unsafe) let dev = try psDevice(ps)
            o.openBus = { _ in dev }
        }
        return o
    }

    func status(_ r: DoctorReport, _ name: String) -> DoctorCheck.Status? { r.checks.first { $0.name == name }?.status }
    func check(_ r: DoctorReport, _ name: String) -> DoctorCheck? { r.checks.first { $0.name == name } }
    func remove() { removeTemporaryDirectory(root) }
}

@Suite struct DoctorTests {
    @Test func aPreparedBoardPasses() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        let r = runDoctor(try b.options())
        #expect(r.ok, "\(r.text)")
        #expect(r.checks.map(\.name) == ["bundle", "zynq", "privileges", "register_access", "fpga_manager", "udmabuf", "cma", "pl_state",
                                         "fclk0", "LVL_SHFTR_EN", "FPGA_RST_CTRL", "FPGA0_THR_CTRL", "AFI0_RDCHAN_CTRL", "AFI0_WRCHAN_CTRL"])
        #expect(r.checks.allSatisfy { $0.status == .ok })
        #expect(b.check(r, "udmabuf")?.detail == "udmabuf0: 16777216 bytes (needs 2048)")
        #expect(b.check(r, "fclk0")?.detail == "100 MHz (design 100 MHz)")
        #expect(b.check(r, "zynq")?.detail == "\(b.root)/proc/device-tree/compatible names tul,pynq-z2, xlnx,zynq-7000")
    }

    @Test func notZynqSkipsEveryRegisterCheckAndNeverOpensDevMem() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try writeFile("\(b.root)/proc/device-tree/compatible", "linux,dummy-virt\0")
        let sys = TracingSystem(euid: 0)
        var o = try b.options(ps: nil)
        o.bundle = b.bundle
        let r = runDoctor(o, system: sys)
        #expect(!r.ok)
        #expect(b.status(r, "zynq") == .fail)
        #expect(b.check(r, "zynq")?.fix == "run zynqnet doctor on the board (PYNQ-Z2 or Zybo Z7-20 Linux), not on a PC or under qemu")
        for n in ["fclk0", "LVL_SHFTR_EN", "FPGA_RST_CTRL", "FPGA0_THR_CTRL", "AFI0_RDCHAN_CTRL", "AFI0_WRCHAN_CTRL"] {
            #expect(b.check(r, n) == DoctorCheck(n, .skipped, "not a Zynq-7000: nothing mapped"))
        }
        #expect(!sys.calls.contains { $0.hasPrefix("open \(b.root)/dev/mem") })
    }

    @Test func privileges() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try writeFile("\(b.root)/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n")
        var r = runDoctor(try b.options())
        #expect(b.status(r, "privileges") == .fail)
        #expect(b.check(r, "privileges")?.fix.contains("sudoers") == true)
        #expect(b.status(r, "LVL_SHFTR_EN") == .skipped)
        // CAP_SYS_RAWIO (bit 17) is enough.
        try writeFile("\(b.root)/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000020000\n")
        r = runDoctor(try b.options())
        #expect(b.check(r, "privileges")?.detail == "CAP_SYS_RAWIO (uid 1000)")
        #expect(r.ok)
    }

    @Test func registerAccess() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try FileManager.default.removeItem(atPath: "\(b.root)/dev/mem")
        var r = runDoctor(try b.options())
        #expect(b.check(r, "register_access")?.status == .fail)
        #expect(b.check(r, "register_access")?.detail == "no \(b.root)/dev/mem and no UIO devices")
        try writeFile("\(b.root)/sys/class/uio/uio0/name", "axi_dma\n")
        try writeFile("\(b.bundle)/runtime.json", #"{"access": "uio"}"#)
        r = runDoctor(try b.options())
        #expect(b.check(r, "register_access")?.detail == "UIO: uio0")
        #expect(b.status(r, "register_access") == .ok)
    }

    @Test func fpgaManagerAndItsFlags() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try writeFile("\(b.mgr)/flags", "1\n")
        var r = runDoctor(try b.options())
        #expect(b.status(r, "fpga_manager") == .warn && r.ok)
        try FileManager.default.removeItem(atPath: "\(b.mgr)/flags")
        r = runDoctor(try b.options())
        #expect(b.status(r, "fpga_manager") == .fail)
        #expect(b.check(r, "fpga_manager")?.detail.contains("no 'firmware'/'flags' attributes (a mainline kernel)") == true)
        try FileManager.default.removeItem(atPath: b.mgr)
        r = runDoctor(try b.options())
        #expect(b.check(r, "fpga_manager")?.detail == "no \(b.mgr)")
    }

    @Test func udmabufPresentAndLargeEnough() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        let size = "\(b.root)/sys/class/u-dma-buf/udmabuf0/size"
        try writeFile(size, "1024\n")          // holds 32 of the 64 images
        var r = runDoctor(try b.options())
        #expect(b.status(r, "udmabuf") == .warn)
        #expect(b.check(r, "udmabuf")?.fix == "build and load u-dma-buf on the board (docs/board-setup.md): insmod u-dma-buf.ko udmabuf0=2048")
        try writeFile(size, "16\n")            // not even one image
        r = runDoctor(try b.options())
        #expect(b.status(r, "udmabuf") == .fail)
        // deploy's --buffer-bytes overrides the bundle.
        var o = try b.options(bundle: false)
        o.bufferBytes = 8
        #expect(b.status(runDoctor(o), "udmabuf") == .ok)
        try FileManager.default.removeItem(atPath: "\(b.root)/sys/class/u-dma-buf")
        r = runDoctor(try b.options())
        #expect(b.check(r, "udmabuf")?.detail == "no u-dma-buf device 'udmabuf0' (\(b.root)/sys/class/u-dma-buf/udmabuf0)")
        #expect(b.status(r, "udmabuf") == .fail)
        // A reserved region instead (deploy passes the bundle's runtime.json buffer).
        var reserved = try b.options()
        reserved.buffer = "devmem:0x1F000000:0x01000000"
        #expect(b.check(runDoctor(reserved), "udmabuf")?.status == .ok)
    }

    @Test func cma() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try FileManager.default.removeItem(atPath: "\(b.root)/sys/class/u-dma-buf")
        try writeFile("\(b.root)/proc/meminfo", "MemTotal: 509344 kB\nCmaTotal: 4 kB\nCmaFree: 1 kB\n")
        var r = runDoctor(try b.options())
        #expect(b.check(r, "cma")?.detail == "CmaFree 1024 bytes < the 2048 bytes u-dma-buf must allocate")
        try writeFile("\(b.root)/proc/meminfo", "MemTotal: 509344 kB\n")
        r = runDoctor(try b.options())
        #expect(b.status(r, "cma") == .fail)
        #expect(b.check(r, "cma")?.fix.contains("cma=128M") == true)
    }

    @Test func plState() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try writeFile("\(b.mgr)/state", "power up\n")
        #expect(b.status(runDoctor(try b.options()), "pl_state") == .fail)
        #expect(b.status(runDoctor(try b.options(bundle: false)), "pl_state") == .warn)
    }

    @Test func fclk0AgainstTheDesignAndFix() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        let ps = LoopbackSLCR()
        ps.registers[SLCR.fpga0ClockControl] = 0x0010_0500     // 200 MHz
        var r = runDoctor(try b.options(ps: ps))
        #expect(b.check(r, "fclk0")?.detail == "FCLK0 runs at 200 MHz, the design was built for 100 MHz (FPGA0_CLK_CTRL 0x00100500)")
        #expect(b.status(r, "fclk0") == .fail)
        r = runDoctor(try b.options(ps: ps, fix: true))
        #expect(b.check(r, "fclk0") == DoctorCheck("fclk0", .fixed, "was 200 MHz, set to 100 MHz (DIVISOR0 10, DIVISOR1 1)"))
        #expect(r.writes == ["write 0xF8000170 = 0x00100A00 (FPGA0_CLK_CTRL, was 0x00100500)"])
        #expect(b.status(runDoctor(try b.options(bundle: false, ps: ps)), "fclk0") == .skipped)
    }

    @Test func slcrStateFailsWithABundleWarnsWithoutAndFixes() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        for (address, name) in [(PSRegisters.levelShifters, "LVL_SHFTR_EN"), (PSRegisters.fpgaResetControl, "FPGA_RST_CTRL"),
                                (PSRegisters.fpga0Throttle, "FPGA0_THR_CTRL"), (PSRegisters.afi0ReadControl, "AFI0_RDCHAN_CTRL"),
                                (PSRegisters.afi0WriteControl, "AFI0_WRCHAN_CTRL")] {
            let ps = LoopbackSLCR()
            ps.registers[address] = address == PSRegisters.levelShifters ? 0 : 1
            var r = runDoctor(try b.options(ps: ps))
            #expect(b.status(r, name) == .fail && !r.ok, "\(name)")
            #expect(b.check(r, name)?.fix.contains("zynqnet doctor --fix") == true)
            #expect(r.text.contains("FAIL    \(name): "))
            r = runDoctor(try b.options(bundle: false, ps: ps))
            #expect(b.status(r, name) == .warn && r.ok, "\(name)")
            r = runDoctor(try b.options(ps: ps, fix: true))
            #expect(b.status(r, name) == .fixed && r.ok, "\(name)")
            #expect(r.writes.count == 1 && r.writes[0].contains("(\(name), was "))
            #expect(b.status(runDoctor(try b.options(ps: ps)), name) == .ok)
        }
    }
}

/// `zynqnet doctor` as a user runs it, on fake roots (the real /dev/mem path: a sparse file).
@Suite struct DoctorCommandTests {
    @Test func doctorOnAFakeBoardAndOnAPC() throws {
        let b = try FakeBoardRoot()
        defer { b.remove() }
        try makeSparseFile("\(b.root)/dev/mem", size: 0xF800_9000)
        try writeWord("\(b.root)/dev/mem", at: 0xF800_0108, 20 << 12)        // IO PLL ×20
        try writeWord("\(b.root)/dev/mem", at: 0xF800_0170, 0x0010_0A00)     // FCLK0 100 MHz
        try writeWord("\(b.root)/dev/mem", at: 0xF800_0900, 0xA)             // level shifters half on
        let cli = LoadCommandTests()
        var r = try cli.run(["doctor", "--root", b.root, "--bundle", b.bundle])
        #expect(r.status == 1)
        #expect(r.out.contains("FAIL    LVL_SHFTR_EN: 0x0000000A at 0xF8000900: the PS-PL level shifters must all be on (0xF)"))
        #expect(r.out.contains("        fix: write 0xF to LVL_SHFTR_EN (zynqnet doctor --fix)"))
        #expect(r.err == "error: 'doctor': 1 check(s) failed: LVL_SHFTR_EN\n")
        r = try cli.run(["doctor", "--root", b.root, "--bundle", b.bundle, "--fix", "--json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains(#""writes":["write 0xF8000900 = 0x0000000F (LVL_SHFTR_EN, was 0x0000000A)"]"#))
        #expect(try readWord("\(b.root)/dev/mem", at: 0xF800_0900) == 0xF)
        // The same command on a PC: refused by the device tree, /dev/mem untouched.
        try FileManager.default.removeItem(atPath: "\(b.root)/proc/device-tree")
        try writeWord("\(b.root)/dev/mem", at: 0xF800_0900, 0)
        r = try cli.run(["doctor", "--root", b.root, "--bundle", b.bundle, "--fix"])
        #expect(r.status == 1)
        #expect(r.out.contains("skipped LVL_SHFTR_EN: not a Zynq-7000: nothing mapped"))
        #expect(try readWord("\(b.root)/dev/mem", at: 0xF800_0900) == 0)
    }
}
