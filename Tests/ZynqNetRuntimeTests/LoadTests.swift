import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetBit
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
@testable import ZynqNetRuntime

/// A .bit file built by hand from zynq-facts §3.3.
func makeBit(part: String = "7z020clg400", payload: [UInt8]) -> [UInt8] {
    var b: [UInt8] = [0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01]
    func field(_ key: UInt8, _ s: String) {
        let bytes = Array(s.utf8) + [0]
        b += [key, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }
    field(0x61, "zynqnet_bd_wrapper;UserID=0XFFFFFFFF;Version=2022.2")
    field(0x62, part)
    field(0x63, "2026/11/21")
    field(0x64, "06:00:00")
    let n = payload.count
    b += [0x65, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    return b
}

let bitPayload: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xBB, 0x11, 0x22, 0x00, 0x44,
                           0xAA, 0x99, 0x55, 0x66, 0x20, 0x00, 0x00, 0x00, 0x30, 0x00, 0x80, 0x01]
/// The same words, each byte-reversed (by hand).
let binExpected: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xBB, 0x00, 0x00, 0x00, 0x44, 0x00, 0x22, 0x11,
                            0x66, 0x55, 0x99, 0xAA, 0x00, 0x00, 0x00, 0x20, 0x01, 0x80, 0x00, 0x30]

/// The ZynqNetBit conversion the loader uses, on a hand-made file with hand-swapped words.
@Suite struct BitConversionTests {
    @Test func headerAndSwappedWords() throws {
        let bit = try BitFile.parse(makeBit(payload: bitPayload), file: "x.bit")
        #expect(bit.part == "7z020clg400")
        #expect(try bit.fpgaManagerBin(file: "x.bit") == binExpected)
        #expect(BitPart.matches(bit.part, "xc7z020clg400-1"))
        #expect(throws: ZynqError.self) { _ = try BitFile.parse(makeBit(payload: [0xFF, 0xFF, 0xFF, 0xFF]), file: "n.bit") }
    }
}

@Suite struct FCLKTests {
    @Test func dividersNeverExceedTheTarget() throws {
        // 50 MHz × FDIV 20 = 1000 MHz IO PLL.
        let a = try #require(chooseFCLKDivisors(sourceMHz: 1000, targetMHz: 100))
        #expect(a.divisor0 == 10 && a.divisor1 == 1 && a.frequencyMHz == 100)
        let b = try #require(chooseFCLKDivisors(sourceMHz: 1000, targetMHz: 150))
        #expect(b.divisor0 == 7 && b.divisor1 == 1)          // 142.857 ≤ 150 < 166.7
        let c = try #require(chooseFCLKDivisors(sourceMHz: 1000, targetMHz: 10))
        #expect(c.divisor0 * c.divisor1 == 100)
        let d = try #require(chooseFCLKDivisors(sourceMHz: 1000, targetMHz: 1000.0 / 7.0))
        #expect(d.divisor0 == 7)
        #expect(chooseFCLKDivisors(sourceMHz: 1000, targetMHz: 0.1) == nil)   // needs /10000 > 63·63
    }
}

@Suite struct LoadBundleTests {
    struct Tree {
        let root: String
        var bundle: String { "\(root)/bundle" }
        var sysfs: String { "\(root)/sys" }
        var firmware: String { "\(root)/lib/firmware" }
        var mem: String { "\(root)/mem" }
        var mgr: String { "\(root)/sys/class/fpga_manager/fpga0" }
        var options: LoadOptions {
            var o = LoadOptions()
            o.sysfsRoot = sysfs
            o.firmwareDirectory = firmware
            o.devMem = mem
            return o
        }
    }

    /// Bundle + fake sysfs + a sparse "/dev/mem" with the SLCR and the accelerator's registers.
    func makeTree(part: String = "7z020clg400", state: String = "operating", hash: UInt64? = nil) throws -> (Tree, Topology) {
        let t = Tree(root: try makeTemporaryDirectory("load").path)
        let topo = Topology(inputCount: 16, inputSigned: false,
                            layers: [LayerTopology(inCount: 16, outCount: 4, inSigned: false, outSigned: true, multBits: 32)])
        let layout = try AcceleratorLayout(topology: topo, folds: [LayerFold(pe: 2, simd: 4, lanes: 1)])
        try writeFile("\(t.bundle)/manifest.json", sampleManifestText(topologyHash: hash ?? topo.hash))
        try Data(makeBit(part: part, payload: bitPayload)).write(to: URL(fileURLWithPath: "\(t.bundle)/zynqnet.bit"))
        try writeFile("\(t.mgr)/name", "Xilinx Zynq FPGA Manager\n")
        try writeFile("\(t.mgr)/state", state + "\n")
        try writeFile("\(t.mgr)/status", "\n")
        try writeFile("\(t.mgr)/flags", "")
        try writeFile("\(t.mgr)/firmware", "")
        try FileManager.default.createDirectory(atPath: t.firmware, withIntermediateDirectories: true)
        try writeFile("\(t.sysfs)/firmware/devicetree/base/compatible", "tul,pynq-z2\0xlnx,zynq-7000\0")
        try makeSparseFile(t.mem, size: 0xF800_9000)
        try writeWord(t.mem, at: 0xF800_0108, 20 << 12 | 0x8)          // IO PLL FDIV 20
        try writeWord(t.mem, at: 0xF800_0170, 0x0010_0500 | 0x1)        // d0 5, d1 1, SRCSEL 00
        let model = AcceleratorModel(layout: layout)
        for off in stride(from: UInt64(0), to: 0x200, by: 4) where off != UInt64(RegisterMap.PARAM_DATA) {
            try writeWord(t.mem, at: 0x43C0_0000 + off, model.read(offset: off))
        }
        return (t, topo)
    }

    @Test func loadsConvertsSetsTheClockAndProbes() throws {
        let (t, topo) = try makeTree()
        defer { removeTemporaryDirectory(t.root) }
        let r = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 0))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(t.firmware)/zynqnet.bin"))) == binExpected)
        #expect(try readFile("\(t.mgr)/flags") == "0")
        #expect(try readFile("\(t.mgr)/firmware") == "zynqnet.bin")
        #expect(r.state == "operating")
        #expect(r.fclk_mhz == 100 && r.fclk_divisor0 == 10 && r.fclk_divisor1 == 1)
        // DIVISOR0 = 10 in 13:8, DIVISOR1 = 1 in 25:20, the rest kept.
        #expect(try readWord(t.mem, at: 0xF800_0170) == 0x0010_0A01)
        // The level shifters (0 in the fake /dev/mem) were switched on after the load, and logged.
        #expect(try readWord(t.mem, at: 0xF800_0900) == 0xF)
        #expect(r.ps_writes == ["write 0xF8000170 = 0x00100A01 (FPGA0_CLK_CTRL, was 0x00100501)",
                                "write 0xF8000900 = 0x0000000F (LVL_SHFTR_EN, was 0x00000000)"])
        #expect(r.topology_hash == "0x" + hex64(topo.hash))
        #expect(!FileManager.default.fileExists(atPath: "\(t.firmware)/zynqnet.bin.tmp-\(getpid())"))
    }

    @Test func notRootIsRefusedBeforeAnythingIsWritten() throws {
        let (t, _) = try makeTree()
        defer { removeTemporaryDirectory(t.root) }
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 1000)) }
        #expect(e?.description.contains("needs root") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(t.firmware)/zynqnet.bin"))
        #expect(try readFile("\(t.mgr)/flags") == "")
    }

    @Test func missingFPGAManagerIsExplained() throws {
        let (t, _) = try makeTree()
        defer { removeTemporaryDirectory(t.root) }
        try FileManager.default.removeItem(atPath: "\(t.sysfs)/class/fpga_manager")
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 0)) }
        #expect(e?.description.contains("no fpga_manager") == true)
    }

    @Test func wrongPartIsRefused() throws {
        let (t, _) = try makeTree(part: "7z010clg400")
        defer { removeTemporaryDirectory(t.root) }
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 0)) }
        #expect(e?.key == "part")
        #expect(e?.description.contains("7z010clg400") == true)
        #expect(e?.description.contains("xc7z020clg400-1") == true)
        #expect(try readFile("\(t.mgr)/firmware") == "")
    }

    @Test func failedConfigurationStateIsReported() throws {
        let (t, _) = try makeTree(state: "write error")
        defer { removeTemporaryDirectory(t.root) }
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 0)) }
        #expect(e?.key == "state")
        #expect(e?.description.contains("'write error'") == true)
    }

    @Test func otherBitstreamLoadedIsCaughtByTheProbe() throws {
        let (t, _) = try makeTree(hash: 0x1234_5678_9ABC_DEF0)
        defer { removeTemporaryDirectory(t.root) }
        let e = #expect(throws: ZynqError.self) { _ = try loadBundle(t.bundle, options: t.options, system: TracingSystem(euid: 0)) }
        #expect(e?.key == "topology_hash")
    }
}

@Suite struct ManifestTests {
    @Test func readsTheRuntimeValuesOfAManifest() throws {
        let m = try RuntimeManifest.parse(sampleManifest(board: "zybo-z7-20", fclkMHz: 142.857143, topologyHash: 0xFEDC_BA98_7654_3210,
                                                         lengthWidth: 14, axilAddrWidth: 13).fileBytes, file: "m.json")
        #expect(m.board == "zybo-z7-20" && m.part == "xc7z020clg400-1" && m.bitstream == "zynqnet.bit")
        #expect(m.acceleratorBase == 0x43C0_0000 && m.axilAddressWidth == 13)
        #expect(m.dmaBase == 0x4040_0000 && m.dmaRange == 0x1_0000 && m.dmaLengthWidth == 14 && m.dmaDataWidth == 64)
        #expect(m.dmaConfig.maxTransferLength == 16383)
        #expect(m.fclkMHz == 142.857143)
        #expect(m.topologyHash == 0xFEDC_BA98_7654_3210)
        #expect(try m.referenceClockMHz() == 33.333333)
        #expect(m.engine == .dataflow)
        #expect(m.maxBatchImages == 1023 && m.inputRecordBytes == 16 && m.outputRecordBytes == 16)
        #expect(m.requiredBufferBytes == 1023 * 32)
    }

    /// The DMA's length width the runtime assumes when nothing says otherwise is the width zynqnet
    /// builds (26 bits), the one value AxiDmaFacts keeps (the runtime assumed 23 before).
    @Test func dmaLengthWidthDefaultsToTheBuiltWidth() throws {
        #expect(AxiDmaFacts.defaultLengthWidth == 26 && AxiDmaFacts.lengthWidthRange == 8...26)
        #expect(RuntimeManifest().dmaLengthWidth == 26)
        #expect(AxiDmaConfig().lengthWidth == 26)
    }

    /// One spelling per key: the spellings the old tolerant reader guessed among are refused
    /// with one line naming file, key and the command that writes the manifest anew.
    @Test func oldSpellingsAndBadValuesNameFileAndKey() throws {
        let good = sampleManifestText()
        let cases: [(String, String, String)] = [
            ("\"board\": \"pynq-z2\",", "\"board_name\": \"pynq-z2\",", "bad.json: 'board_name': unknown key; regenerate the design with zynqnet codegen MODEL -o DIR"),
            ("\"board\": \"pynq-z2\",", "\"board\": \"pynq-z2\", \"dma_base\": 1077936128,", "bad.json: 'dma_base': unknown key; regenerate the design with zynqnet codegen MODEL -o DIR"),
            ("\"length_width\": 23", "\"length_width\": 30", "bad.json: 'dma.length_width': must be an integer in 8...26, got 30"),
            ("\"fclk_mhz\": 100,", "\"fclk_mhz\": \"fast\",", "bad.json: 'fclk_mhz': must be a number, got \"fast\""),
            ("\"base_address\": \"0x43C00000\"", "\"base_address\": 1136656384", "bad.json: 'accelerator.base_address': must be a hex string \"0x…\" up to 0xFFFFFFFFFFFFFFFF, got 1136656384"),
            ("\"schema_version\": 2", "\"schema_version\": 1", "bad.json: 'schema_version': manifest schema 1 is not read by this zynqnet (it reads 2); regenerate the design with zynqnet codegen MODEL -o DIR"),
            ("\"ps_ref_clock_mhz\": 50,", "", "bad.json: 'ps_ref_clock_mhz': is missing"),
        ]
        for (from, to, message) in cases {
            #expect(good.contains(from), "\(from)")
            let e = #expect(throws: ZynqError.self) { _ = try RuntimeManifest.parse(Array(good.replacingOccurrences(of: from, with: to).utf8), file: "bad.json") }
            #expect(e?.description == message)
        }
        #expect(throws: ZynqError(file: "a.json", "must be an object, got an array")) { _ = try RuntimeManifest.parse(Array("[1,2]".utf8), file: "a.json") }
        #expect(throws: ZynqError(file: "b.json", "not valid JSON at line 1, column 2: expected a string key, found end of input")) {
            _ = try RuntimeManifest.parse(Array("{".utf8), file: "b.json")
        }
    }
}

/// `zynqnet load` as a user runs it (the executable next to the test bundle).
@Suite struct LoadCommandTests {
    static var exe: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zynqnet").path
    }

    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try runProcess(Self.exe, args)
        return (r.status, r.stdout, r.stderr)
    }

    @Test func loadOnAFakeBoard() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.exe), "build the zynqnet executable first (swift build --build-tests)")
        let (t, topo) = try LoadBundleTests().makeTree()
        defer { removeTemporaryDirectory(t.root) }
        let r = try run(["load", t.bundle, "--sysfs-root", t.sysfs, "--firmware-dir", t.firmware, "--dev-mem", t.mem, "--json"])
        if geteuid() == 0 {
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("\"topology_hash\":\"0x\(hex64(topo.hash))\""))
            #expect(r.out.contains("\"fclk_divisor0\":10"))
            #expect(try readFile("\(t.mgr)/firmware") == "zynqnet.bin")
        } else {
            #expect(r.status == 1)
            #expect(r.err.contains("needs root"))
        }
        let missing = try run(["load", "\(t.root)/nope"])
        #expect(missing.status == 2)
        try FileManager.default.removeItem(atPath: "\(t.bundle)/manifest.json")
        let bad = try run(["load", t.bundle, "--sysfs-root", t.sysfs])
        #expect(bad.status == 1)
        #expect(bad.err.contains("manifest.json"))
    }
}
