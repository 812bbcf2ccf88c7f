import Foundation
import Testing
import ZynqNetModel
import ZynqNetTestSupport

/// A deploy bundle made by the host `zynqnet` (codegen for the PYNQ-Z2, the synthetic bitstream
/// fixture, `deploy -o` with an 8-image self-test), and fake board trees (sysfs, proc, a sparse
/// /dev/mem) for the commands that read the machine: everything the board binary reads outside
/// its arguments is faked at the file-system level, as the host tests do.
struct BundleWorkspace {
    let dir: String
    let model = fixturePath("golden/bottleneck_1.model.npz")
    var bundle: String { dir + "/bundle" }

    init() throws {
        dir = try Board.tempDir()
        let codegen = try CLI.run(["codegen", model, "--board", "pynq-z2", "-o", dir + "/build"])
        guard codegen.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["codegen": codegen.stderr]) }
        try FileManager.default.copyItem(atPath: fixturePath("bit/synthetic-7z020.bit"), toPath: dir + "/build/zynqnet.bit")
        let deploy = try CLI.run(["deploy", "--board", "pynq-z2", "--model", model, "--bitstream", dir + "/build/zynqnet.bit",
                                  "-o", bundle, "--selftest-count", "8"])
        guard deploy.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["deploy": deploy.stderr]) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// A fake Zynq whose PS state is good (level shifters on) with a u-dma-buf, and a copy of the
    /// bundle whose runtime.json points the board backend at it: (tree root, bundle).
    func fakeZynqBundle(_ name: String) throws -> (String, String) {
        let zynq = try boardTree("zynq-" + name)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: zynq + "/dev/mem"))
        try h.seek(toOffset: 0xF800_0900)
        try h.write(contentsOf: Data([0xF, 0, 0, 0]))
        try h.close()
        let udmabuf = zynq + "/sys/class/u-dma-buf/udmabuf0"
        for (f, v) in [("phys_addr", "0x1e900000\n"), ("sync_mode", ""), ("sync_for_cpu", ""), ("sync_for_device", "")] {
            try Data(v.utf8).write(to: URL(fileURLWithPath: udmabuf + "/" + f))
        }
        FileManager.default.createFile(atPath: zynq + "/dev/udmabuf0", contents: Data(count: 16_777_216))
        let zb = try copy("rt-" + name)
        try Data(#"{"sysfs_root": "\#(zynq)/sys", "proc_root": "\#(zynq)/proc", "dev_root": "\#(zynq)/dev", "dev_mem": "\#(zynq)/dev/mem", "lock_dir": "\#(zynq)"}"#.utf8)
            .write(to: URL(fileURLWithPath: zb + "/runtime.json"))
        return (zynq, zb)
    }

    /// A copy of the bundle at `name` (to damage).
    func copy(_ name: String) throws -> String {
        let to = dir + "/" + name
        try FileManager.default.copyItem(atPath: bundle, toPath: to)
        return to
    }

    /// Every file under `path` with its size: what a command must leave unchanged.
    static func listing(_ path: String) -> [String] {
        let fm = FileManager.default
        return (fm.subpaths(atPath: path) ?? []).sorted().map { p in
            let size = (try? fm.attributesOfItem(atPath: path + "/" + p)[.size] as? Int) ?? -1
            return "\(p) \(size)"
        }
    }

    /// A board's root: PYNQ-Z2 device tree (unless `zynq` is false), root, CMA, a u-dma-buf,
    /// fpga_manager, and a sparse /dev/mem with the SLCR's IO PLL (FDIV 20) and FPGA0_CLK_CTRL
    /// (200 MHz) words; the rest of the SLCR reads 0 (level shifters off).
    func boardTree(_ name: String, zynq: Bool = true) throws -> String {
        let root = dir + "/" + name
        let fm = FileManager.default
        for d in ["proc/self", "dev", "lib/firmware", "sys/class/u-dma-buf/udmabuf0", "sys/class/fpga_manager/fpga0", "sys/firmware/devicetree/base"] {
            try fm.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true)
        }
        func write(_ p: String, _ s: String) throws { try Data(s.utf8).write(to: URL(fileURLWithPath: root + "/" + p)) }
        if zynq { try write("sys/firmware/devicetree/base/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0") }
        try write("proc/self/status", "Name:\tzynqnet\nUid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n")
        try write("proc/meminfo", "MemTotal: 510000 kB\nCmaTotal: 131072 kB\nCmaFree: 120000 kB\n")
        try write("sys/class/u-dma-buf/udmabuf0/size", "16777216\n")
        try write("dev/udmabuf0", "")
        for (f, v) in [("name", "Xilinx Zynq FPGA Manager\n"), ("state", "operating\n"), ("status", "\n"), ("flags", ""), ("firmware", "")] {
            try write("sys/class/fpga_manager/fpga0/" + f, v)
        }
        let mem = root + "/dev/mem"
        fm.createFile(atPath: mem, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: mem))
        for (address, value) in [(UInt64(0xF800_0108), UInt32(20 << 12 | 0x8)), (0xF800_0170, 0x0010_0501)] {
            try h.seek(toOffset: address)
            try h.write(contentsOf: withUnsafeBytes(of: value.littleEndian) { Data($0) })
        }
        try h.truncate(atOffset: 0xF800_9000)
        try h.close()
        return root
    }
}

@Suite(.enabled(if: Board.built, "build/board/zynqnet-board not built: run scripts/build-board.sh (scripts/test.sh does)"), .serialized)
struct BoardBundleTests {
    /// The host's `zynqnet` and the board binary under qemu-arm on the same arguments: exit
    /// code, stdout and stderr are equal.
    func expectSameAsHost(_ args: [String], status: Int32, _ comment: String = "") throws {
        let host = try CLI.run(args)
        let board = try Board.run(args)
        #expect(host.status == status, "host \(args): \(host.stderr)")
        #expect(board.status == status, "board \(args): \(board.stderr)")
        #expect(board.stdout == host.stdout, "\(args) \(comment)")
        #expect(board.stderr == host.stderr, "\(args) \(comment)")
    }

    @Test func doctorOffZynqGivesTheHostDoctorsReportAndExit() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        // This machine (qemu-arm runs on a PC: no xlnx,zynq-7000 device tree).
        try expectSameAsHost(["doctor"], status: 1)
        try expectSameAsHost(["doctor", "--json"], status: 1)
        // A fake non-Zynq root, with and without the bundle.
        let pc = try w.boardTree("pc", zynq: false)
        try expectSameAsHost(["doctor", "--root", pc], status: 1)
        try expectSameAsHost(["doctor", "--root", pc, "--bundle", w.bundle, "--json"], status: 1)
        let r = try Board.run(["doctor", "--root", pc, "--json"])
        #expect(r.stdout.hasPrefix("{\"checks\":[{\"detail\":\"'compatible': no device tree (\(pc)/proc/device-tree/compatible nor "))
        #expect(r.stdout.contains("{\"detail\":\"not a Zynq-7000: nothing mapped\",\"fix\":\"\",\"name\":\"fclk0\",\"status\":\"skipped\"}"))
        #expect(r.stderr == "error: 'doctor': 1 check(s) failed: zynq\n")
    }

    @Test func doctorOnAFakeZynqReadsTheRegistersAsTheHostDoes() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        let board = try w.boardTree("zynq")
        // The SLCR reads 0 (level shifters off): a warning without a bundle, a failure with one;
        // FCLK0 runs at 200 MHz, the design's is 100 MHz.
        try expectSameAsHost(["doctor", "--root", board], status: 0)
        try expectSameAsHost(["doctor", "--root", board, "--bundle", w.bundle, "--json"], status: 1)
        let r = try Board.run(["doctor", "--root", board, "--bundle", w.bundle])
        #expect(r.stdout.contains("FAIL    fclk0: FCLK0 runs at 200 MHz, the design was built for 100 MHz"), "\(r.stdout)")
        #expect(r.stderr == "error: 'doctor': 2 check(s) failed: fclk0, LVL_SHFTR_EN\n")
        // --fix repairs the fake /dev/mem as the host's doctor does (compared word by word).
        let hostBoard = try w.boardTree("zynq-host")
        let host = try CLI.run(["doctor", "--root", hostBoard, "--bundle", w.bundle, "--fix", "--json"])
        let fixed = try Board.run(["doctor", "--root", board, "--bundle", w.bundle, "--fix", "--json"])
        #expect(host.status == 0 && fixed.status == 0, "\(host.stderr) \(fixed.stderr)")
        #expect(fixed.stdout == host.stdout.replacingOccurrences(of: hostBoard, with: board))
        #expect(fixed.stdout.contains("\"writes\":[\"write 0xF8000170 = 0x00100A01 (FPGA0_CLK_CTRL, was 0x00100501)\""), "\(fixed.stdout)")
        for address in [0xF800_0170, 0xF800_0900] as [UInt64] {
            #expect(try word(board + "/dev/mem", address) == word(hostBoard + "/dev/mem", address))
        }
    }

    func word(_ path: String, _ address: UInt64) throws -> UInt32 {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seek(toOffset: address)
        let d = try h.read(upToCount: 4) ?? Data()
        return d.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    /// `load` on a fake board: the host's result, files and register writes, byte for byte.
    @Test func loadOnAFakeBoardDoesWhatTheHostLoadDoes() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        var outputs: [String: String] = [:]
        for who in ["host", "board"] {
            let root = try w.boardTree(who)
            let args = ["load", w.bundle, "--json", "--no-probe", "--sysfs-root", root + "/sys", "--proc-root", root + "/proc",
                        "--dev-mem", root + "/dev/mem", "--firmware-dir", root + "/lib/firmware"]
            let (status, stdout, stderr) = who == "host" ? try CLI.run(args).triple : try Board.run(args).triple
            #expect(status == 0, "\(who): \(stderr)")
            #expect(stderr.isEmpty)
            outputs[who] = stdout.replacingOccurrences(of: root, with: "ROOT")
        }
        #expect(outputs["board"] == outputs["host"])
        #expect(outputs["board"]?.hasPrefix("{\"bitstream\":\"\(w.bundle)/zynqnet.bit\",\"fclk_divisor0\":10,\"fclk_divisor1\":1,\"fclk_mhz\":100,\"firmware\":\"ROOT/lib/firmware/zynqnet.bin\",\"part\":\"7z020clg400\",\"ps_writes\":[") == true, "\(outputs["board"] ?? "")")
        let fm = FileManager.default
        let bin = w.dir + "/board/lib/firmware/zynqnet.bin"
        #expect(fm.contents(atPath: bin) == fm.contents(atPath: w.dir + "/host/lib/firmware/zynqnet.bin"))
        #expect(fm.contents(atPath: bin) == fm.contents(atPath: fixturePath("bit/synthetic-7z020.bin")))
        #expect(fm.contents(atPath: w.dir + "/board/sys/class/fpga_manager/fpga0/firmware") == Data("zynqnet.bin".utf8))
        #expect(fm.contents(atPath: w.dir + "/board/sys/class/fpga_manager/fpga0/flags") == Data("0".utf8))
        for address in [0xF800_0170, 0xF800_0178, 0xF800_0240, 0xF800_0900, 0xF800_8000, 0xF800_8014] as [UInt64] {
            #expect(try word(w.dir + "/board/dev/mem", address) == word(w.dir + "/host/dev/mem", address))
        }
        // Text output too.
        let text = try Board.run(["load", w.bundle, "--no-probe", "--sysfs-root", w.dir + "/board/sys", "--proc-root", w.dir + "/board/proc",
                                  "--dev-mem", w.dir + "/board/dev/mem", "--firmware-dir", w.dir + "/board/lib/firmware"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("FCLK0 100.000 MHz (DIVISOR0 10, DIVISOR1 1)\n"), "\(text.stdout)")
    }

    /// A bundle with a missing or corrupt file: one line naming the file, exit 1, nothing
    /// written (the bundle and the fake board are unchanged), for `load` and `selftest`.
    @Test func aDamagedBundleIsOneLineNamingTheFileAndWritesNothing() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        let root = try w.boardTree("fake")
        let loadArgs = ["--sysfs-root", root + "/sys", "--proc-root", root + "/proc", "--dev-mem", root + "/dev/mem",
                        "--firmware-dir", root + "/lib/firmware"]
        func damage(_ name: String, _ file: String, _ how: (String) throws -> Void) throws -> (String, String) {
            let b = try w.copy(name)
            try how(b + "/" + file)
            return (b, b + "/" + file)
        }
        let remove: (String) throws -> Void = { try FileManager.default.removeItem(atPath: $0) }
        let garbage: (String) throws -> Void = { try Data("not what it should be\n".utf8).write(to: URL(fileURLWithPath: $0)) }
        let truncate: (String) throws -> Void = { p in
            let d = try Data(contentsOf: URL(fileURLWithPath: p))
            try d.prefix(d.count / 2).write(to: URL(fileURLWithPath: p))
        }
        let cases: [(command: String, bundle: (String, String))] = [
            ("load", try damage("b1", "zynqnet.bit", remove)),
            ("load", try damage("b2", "zynqnet.bit", truncate)),
            ("load", try damage("b3", "manifest.json", garbage)),
            ("load", try damage("b4", "manifest.json", remove)),
            ("selftest", try damage("b5", "model.npz", remove)),
            ("selftest", try damage("b6", "model.npz", truncate)),
            ("selftest", try damage("b7", "selftest/images.npz", garbage)),
            ("selftest", try damage("b8", "selftest/expected.npz", truncate)),
            ("selftest", try damage("b9", "selftest/expected.npz", remove)),
            ("selftest", try damage("b10", "deploy.json", garbage)),
            ("selftest", try damage("b11", "manifest.json", garbage)),
        ]
        for c in cases {
            let (b, file) = c.bundle
            let before = (BundleWorkspace.listing(w.dir), try Data(contentsOf: URL(fileURLWithPath: root + "/sys/class/fpga_manager/fpga0/flags")))
            let args = c.command == "load" ? ["load", b] + loadArgs : ["selftest", b, "--backend", "loopback"]
            let r = try Board.run(args)
            #expect(r.status == 1, "\(c.command) \(file): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: \(file)") || r.stderr.hasPrefix("error: \(b): no "), "\(c.command) \(file): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(BundleWorkspace.listing(w.dir) == before.0, "\(c.command) \(file) wrote a file")
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/sys/class/fpga_manager/fpga0/flags")) == before.1)
        }
        // The two host-checked ones say what the host's load says.
        let missingBit = try CLI.run(["load", cases[0].bundle.0] + loadArgs)
        #expect(try Board.run(["load", cases[0].bundle.0] + loadArgs).stderr == missingBit.stderr)
    }

    /// The self-test on the loopback device configured from the bundle's manifest: the bundle
    /// deploy made passes; one altered expected output fails, naming the image and the values.
    @Test func selftestPassesOnARealBundleAndFailsOnAnAlteredExpectedOutput() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        let before = BundleWorkspace.listing(w.dir)
        let t0 = Date()
        let ok = try Board.run(["selftest", w.bundle, "--backend", "loopback", "--json"])
        let seconds = Date().timeIntervalSince(t0)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "{\"backend\":\"loopback\",\"images\":8,\"passed\":true,\"mismatches\":[]}\n")
        #expect(ok.stderr.isEmpty)
        print("selftest of 8 images on the loopback device under qemu-arm: \(seconds) s")
        let text = try Board.run(["selftest", w.bundle, "--backend", "loopback"])
        #expect(text.stdout == "self-test: 8 images, outputs equal the simulator's bit for bit (loopback)\n")
        #expect(BundleWorkspace.listing(w.dir) == before)

        let altered = try w.copy("altered")
        let path = altered + "/selftest/expected.npz"
        var arrays = try NPZ.readOrdered(path: path)
        let i = try #require(arrays.firstIndex { $0.0 == "outputs" })
        guard case .int64(var v) = arrays[i].1.storage else { Issue.record("outputs not int64"); return }
        let classes = arrays[i].1.shape[1]
        let was = v[3 * classes + 1]
        v[3 * classes + 1] = was + 1
        arrays[i].1 = NDArray(shape: arrays[i].1.shape, storage: .int64(v))
        try FileManager.default.removeItem(atPath: path)
        try NPZ.write(arrays, to: path)
        let bad = try Board.run(["selftest", altered, "--backend", "loopback"])
        #expect(bad.status == 1)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr == "error: 'selftest': the board's outputs differ from the simulator's on 1 of 8 images: image 3: output 1 is \(was) on the board, \(was + 1) in the simulator\n")
        // Without a Zynq the board backend refuses before anything is mapped, as the host's infer does.
        let board = try Board.run(["selftest", w.bundle])
        #expect(board.status == 1)
        #expect(board.stderr.hasPrefix("error: 'compatible': no device tree (/proc/device-tree/compatible nor /sys/firmware/devicetree/base/compatible)"), "\(board.stderr)")
    }

    /// `infer --backend board --bundle` runs the host's board backend: off a Zynq the same
    /// one-line refusal as the host's infer, nothing written; `--backend loopback --bundle`
    /// configures the loopback device from the bundle's manifest and equals the host.
    @Test func inferWithABundleBehavesAsTheHostInfer() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        let images = w.bundle + "/selftest/images.npz", model = w.bundle + "/model.npz"
        try expectSameAsHost(["infer", images, "--model", model, "--backend", "board", "--bundle", w.bundle, "--output", w.dir + "/o.npz"], status: 1)
        #expect(!FileManager.default.fileExists(atPath: w.dir + "/o.npz"))
        // runtime.json's roots (the fake tree's): the refusal names them.
        let pc = try w.boardTree("pc", zynq: false)
        let b = try w.copy("rt")
        try Data(#"{"sysfs_root": "\#(pc)/sys", "proc_root": "\#(pc)/proc", "dev_mem": "\#(pc)/dev/mem"}"#.utf8)
            .write(to: URL(fileURLWithPath: b + "/runtime.json"))
        try expectSameAsHost(["infer", images, "--model", model, "--backend", "board", "--bundle", b], status: 1)
        let r = try Board.run(["infer", images, "--model", model, "--backend", "board", "--bundle", b])
        #expect(r.stderr.hasPrefix("error: 'compatible': no device tree (\(pc)/proc/device-tree/compatible nor"), "\(r.stderr)")
        // A runtime.json with an unknown key or a wrong type: one line naming the file and key.
        try Data(#"{"timeout": 5}"#.utf8).write(to: URL(fileURLWithPath: b + "/runtime.json"))
        try expectSameAsHost(["infer", images, "--model", model, "--backend", "board", "--bundle", b], status: 1)
        #expect(try Board.run(["infer", images, "--model", model, "--backend", "board", "--bundle", b]).stderr
                == "error: \(b)/runtime.json: 'timeout': unknown key; runtime.json may have access, uio_dma, uio_accelerator, buffer, buffer_cached, buffer_mode, timeout_ms, lock_dir, sysfs_root, dev_root, dev_mem, proc_root, check_ps\n")
        try Data(#"{"check_ps": "yes"}"#.utf8).write(to: URL(fileURLWithPath: b + "/runtime.json"))
        try expectSameAsHost(["infer", images, "--model", model, "--backend", "board", "--bundle", b], status: 1)
        // A fake Zynq (PS state good, a u-dma-buf): the board backend sets the buffer's sync_mode,
        // maps the DMA and the accelerator, and refuses the accelerator's MAGIC (the fake reads
        // 0) with the host's line.
        var errors: [String] = []
        for who in ["host", "board"] {
            let (zynq, zb) = try w.fakeZynqBundle(who)
            let udmabuf = zynq + "/sys/class/u-dma-buf/udmabuf0"
            let args = ["infer", images, "--model", model, "--backend", "board", "--bundle", zb]
            let (status, stdout, stderr) = who == "host" ? try CLI.run(args).triple : try Board.run(args).triple
            #expect(status == 1, "\(who): \(stderr)")
            #expect(stdout.isEmpty)
            #expect(stderr.split(separator: "\n").count == 1, "\(who): \(stderr)")
            errors.append(stderr.replacingOccurrences(of: zynq, with: "ROOT").replacingOccurrences(of: zb, with: "BUNDLE"))
            #expect(FileManager.default.contents(atPath: udmabuf + "/sync_mode") == Data("2".utf8), "\(who)")
        }
        #expect(errors[1] == errors[0])
        #expect(errors[1].contains("MAGIC"), "\(errors[1])")
        // Loopback with the bundle's manifest: the host's outputs.
        let hostOut = w.dir + "/host.npz", boardOut = w.dir + "/board.npz"
        let host = try CLI.run(["infer", images, "--model", model, "--backend", "loopback", "--bundle", w.bundle, "--output", hostOut, "--json"])
        let board = try Board.run(["infer", images, "--model", model, "--backend", "loopback", "--bundle", w.bundle, "--output", boardOut, "--json"])
        #expect(host.status == 0 && board.status == 0, "\(host.stderr) \(board.stderr)")
        #expect(try NPZ.read(path: boardOut) == NPZ.read(path: hostOut))
    }

    /// `info --backend board --bundle`: the loaded design through the bundle's manifest.json and
    /// runtime.json (refused off a Zynq, the MAGIC refused on a fake one, as infer's); `info
    /// --backend loopback --bundle` builds the loopback device from the bundle's manifest.
    @Test func infoProbesTheBundlesDesign() throws {
        let w = try BundleWorkspace()
        defer { w.remove() }
        let off = try Board.run(["info", "--backend", "board", "--bundle", w.bundle])
        #expect(off.status == 1 && off.stdout.isEmpty)
        #expect(off.stderr.hasPrefix("error: 'compatible': no device tree (/proc/device-tree/compatible nor"), "\(off.stderr)")
        let (_, zb) = try w.fakeZynqBundle("info")
        let info = try Board.run(["info", "--backend", "board", "--bundle", zb, "--json"])
        let infer = try Board.run(["infer", zb + "/selftest/images.npz", "--model", zb + "/model.npz", "--backend", "board", "--bundle", zb])
        #expect(info.status == 1 && info.stdout.isEmpty)
        #expect(info.stderr == infer.stderr && info.stderr.contains("MAGIC"), "\(info.stderr)")
        let usage = try Board.run(["info", "--backend", "board"])
        #expect(usage.status == 2 && usage.stderr == "Error: info --backend board needs --bundle DIR or --manifest FILE\n")
        // Loopback: the device for the bundle's design (its topology hash), or the manifest's refusal of another model.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w.bundle + "/manifest.json"))) as? [String: Any]
        let hash = try #require(manifest?["topology_hash"] as? String).lowercased()
        let loop = try Board.run(["info", "--model", w.model, "--bundle", w.bundle, "--json"])
        #expect(loop.status == 0, "\(loop.stderr)")
        #expect(loop.stdout.contains("\"topology_hash\":\"\(hash)\""), "\(loop.stdout) \(hash)")
        let other = try Board.run(["info", "--model", "\(Board.golden)/width_1.model.npz", "--bundle", w.bundle])
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error: \(w.bundle)/manifest.json: 'topology_hash': "), "\(other.stderr)")
    }

    /// `--output x.npz` from the board binary: a stored ZIP with the host's arrays and names
    /// (predictions, outputs, labels), read by the host's npz reader and by NumPy, marked as
    /// zynqnet's (the host may replace it).
    @Test func npzOutputHasTheHostsArraysAndNumPyReadsIt() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["fmnist_784_48_10_int8", "width_1"] {
            let model = "\(Board.golden)/\(name).model.npz", images = "\(Board.golden)/\(name).images.npz"
            let hostOut = "\(dir)/\(name).host.npz", boardOut = "\(dir)/\(name).board.npz"
            let host = try CLI.run(["infer", images, "--model", model, "--output", hostOut])
            let board = try Board.run(["infer", images, "--model", model, "--output", boardOut])
            #expect(host.status == 0 && board.status == 0, "\(host.stderr) \(board.stderr)")
            let h = try NPZ.readOrdered(path: hostOut), b = try NPZ.readOrdered(path: boardOut)
            #expect(b.map { $0.0 } == h.map { $0.0 })
            #expect(b.map { $0.1 } == h.map { $0.1 })
            #expect(b.map { $0.0 }.first == "predictions")
            #expect(NPZ.writtenByZynqnet(boardOut))
            // Stored: every member's compression method is 0 and its data is the .npy as is.
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: boardOut)))
            #expect(bytes[8] == 0 && bytes[9] == 0)
            let py = try runProcess("/usr/bin/python3", ["-c", """
                import numpy, sys, zipfile
                z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
                assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
                a, b = numpy.load(sys.argv[1]), numpy.load(sys.argv[2])
                assert list(a.keys()) == list(b.keys()), (list(a.keys()), list(b.keys()))
                for k in a.keys():
                    assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and (a[k] == b[k]).all(), k
                print(",".join(f"{k}{a[k].shape}" for k in a.keys()))
                """, boardOut, hostOut])
            #expect(py.status == 0, "\(py.stderr)")
            #expect(py.stdout.hasPrefix("predictions("), "\(py.stdout)")
        }
        // The host may replace the board's .npz (it is marked as zynqnet's), never another file.
        let again = try CLI.run(["infer", "\(Board.golden)/width_1.images.npz", "--model", "\(Board.golden)/width_1.model.npz",
                                 "--output", "\(dir)/width_1.board.npz"])
        #expect(again.status == 0, "\(again.stderr)")
    }
}

extension ToolOutput {
    var triple: (Int32, String, String) { (status, stdout, stderr) }
}

extension Board.Run {
    var triple: (Int32, String, String) { (status, stdout, stderr) }
}
