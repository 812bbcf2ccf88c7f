import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim
import ZynqNetVivado

/// `--bundle DIR`: rtlsim simulates the bundle's own design (design.json's folds, the same
/// RTL file by file) with the manifest's DMA limits and clock.
@Suite struct BundleTests {
    func bundle(_ model: QuantizedModel, lengthWidth: Int, options: CodegenOptions = ShapeA.codegen(),
                engine: String? = nil) throws -> (URL, GeneratedDesign) {
        let design = try generateDesign(model: model, options: options)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-rtlsim-bundle-\(UUID().uuidString)")
        try design.write(to: dir)
        try writeManifest(design, lengthWidth: lengthWidth, engine: engine ?? design.engine.rawValue, to: dir)
        return (dir, design)
    }

    /// The design's manifest.json as codegen writes it (VivadoProject.manifest for the PYNQ-Z2).
    func writeManifest(_ design: GeneratedDesign, lengthWidth: Int, engine: String, topologyHash: UInt64? = nil, to dir: URL) throws {
        let topo = design.layout.topology
        let info = VivadoDesignInfo(
            rtlFiles: ["rtl/zynqnet_accel.v"], axilAddrWidth: design.layout.axilAddressWidth, topologyHash: topologyHash ?? topo.hash,
            inputRecordBytes: UInt64(OutputRecord.inputBeats(pixels: topo.inputCount) * OutputRecord.beatBytes),
            outputRecordBytes: UInt64(OutputRecord.beats(classes: topo.outputCount) * OutputRecord.beatBytes), engine: engine)
        let m = try VivadoProject.manifest(design: info, board: try Board.resolve("pynq-z2"), fclkMHz: 100, dmaLengthWidth: lengthWidth)
        try Data(m.fileBytes).write(to: dir.appendingPathComponent("manifest.json"))
    }

    @Test(.tags(.verilator)) func simulatesTheBundlesFoldAndSplitsAtItsDMALimit() throws {
        let model = ShapeA.model(seed: 21)
        // 12-bit lengths: 4095 bytes a transfer, 170 input images of 24 bytes.
        let (dir, design) = try bundle(model, lengthWidth: 12)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rt = try makeRTLSimBackend(model: model, bundle: dir.path, batchSize: 400,
                                       options: RTLSimOptions(build: quickBuild(), policy: .stressed),
                                       interrupt: .never, installSIGINTHandler: false)
        // The default fold would differ: design.json's is used.
        #expect(rt.board.design.layout.folds == design.layout.folds)
        #expect(rt.board.design.rtlHash == design.rtlHash)
        #expect(rt.driver.maxImagesPerTransfer == 170)
        var g = SplitMix64(seed: 8)
        let codes = try randomCodes(model, count: 400, rng: &g)
        let r = try rt.run(codes: codes, count: 400)
        let sim = try Simulator(model: model).run(codes)
        #expect(r.outputs == sim.outputs && r.predictions == sim.predictions)
        #expect(rt.driver.stats.transfers == 3)
        let t = rt.timing()
        #expect(t.images == 400 && t.design_ii_cycles == ShapeA.ii)
    }

    /// design.json's "engine": a sequential bundle is simulated as the sequential engine (without
    /// it rtlsim would regenerate the 1×1 dataflow design, and the RTL check would refuse it).
    /// The manifest says "engine": "sequential" (as codegen writes it); the real RTL reports
    /// FLAGS.SEQUENTIAL and the engine's exact II, the loopback model of the same manifest the same.
    @Test(.tags(.verilator)) func simulatesASequentialBundle() throws {
        let model = ShapeA.model(seed: 24)
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "seq")
        let (dir, design) = try bundle(model, lengthWidth: 23, options: o, engine: "sequential")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rt = try makeRTLSimBackend(model: model, bundle: dir.path, batchSize: 8,
                                       options: RTLSimOptions(build: quickBuild()), interrupt: .never, installSIGINTHandler: false)
        #expect(rt.board.design.engine == .sequential)
        #expect(rt.board.design.rtlHash == design.rtlHash)
        // FLAGS through zn_axil_regs: SEQUENTIAL set, input and output uint8 (ShapeA).
        let d = rt.driver
        let flags = try d.bus.read32(d.base + UInt64(RegisterMap.FLAGS))
        #expect(flags == 0b100)
        #expect(d.info.engine == .sequential && d.info.flags == 0b100)
        // II_CYCLES: 20-6-3 on the sequential engine is 9·106 + 6 cycles (hand count, as in the
        // runtime's EngineTests); the loopback model of a sequential manifest reads the same registers.
        let ii = try d.bus.read32(d.base + UInt64(RegisterMap.II_CYCLES))
        #expect(ii == 9 * 106 + 6)
        let loopback = try AcceleratorModel(layout: design.layout, engine: .sequential)
        #expect(loopback.read(offset: UInt64(RegisterMap.FLAGS)) == flags)
        #expect(loopback.read(offset: UInt64(RegisterMap.II_CYCLES)) == ii)
        var g = SplitMix64(seed: 9)
        let codes = try randomCodes(model, count: 8, rng: &g)
        let r = try rt.run(codes: codes, count: 8)
        let sim = try Simulator(model: model).run(codes)
        #expect(r.outputs == sim.outputs && r.predictions == sim.predictions)
        let t = rt.timing()
        #expect(t.design_ii_cycles == design.iiCycles)
        // The II the RTL keeps up (images back to back in one transfer) is the register's.
        #expect(t.ii_measured && t.ii_cycles == UInt64(ii), "\(t)")
    }

    /// A manifest whose engine is not the RTL's: refused naming the manifest, its key and FLAGS.
    @Test(.tags(.verilator)) func aManifestOfTheOtherEngineIsRefused() throws {
        let model = ShapeA.model(seed: 26)
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "seq")
        let (dir, _) = try bundle(model, lengthWidth: 23, options: o, engine: "dataflow")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try makeRTLSimBackend(model: model, bundle: dir.path, options: RTLSimOptions(build: quickBuild()),
                                      interrupt: .never, installSIGINTHandler: false)
            Issue.record("no error")
        } catch let e as ZynqError {
            #expect(e.key == "engine" && e.file == dir.appendingPathComponent("manifest.json").path, "\(e)")
            #expect(e.message.hasPrefix("the manifest says dataflow, but the accelerator's FLAGS register (0x0000004C) reads 0x00000004, SEQUENTIAL (bit 2) set"), "\(e)")
        }
    }

    @Test(.tags(.verilator)) func aBadEngineInDesignJSONIsRefusedByName() throws {
        let model = ShapeA.model(seed: 25)
        let (dir, _) = try bundle(model, lengthWidth: 23)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("design.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        try text.replacingOccurrences(of: #""engine": "dataflow""#, with: #""engine": "systolic""#)
            .write(to: path, atomically: true, encoding: .utf8)
        do {
            _ = try makeRTLSimBackend(model: model, bundle: dir.path, options: RTLSimOptions(build: quickBuild()),
                                      interrupt: .never, installSIGINTHandler: false)
            Issue.record("no error")
        } catch let e as ZynqError {
            #expect(e.key == "engine" && e.file == path.path, "\(e)")
        }
    }

    @Test(.tags(.verilator)) func aBundleWhoseRTLDiffersIsRefusedNamingTheFile() throws {
        let model = ShapeA.model(seed: 22)
        let (dir, _) = try bundle(model, lengthWidth: 23)
        defer { try? FileManager.default.removeItem(at: dir) }
        let top = dir.appendingPathComponent("rtl/zynqnet_accel.v")
        try (String(contentsOf: top, encoding: .utf8) + "// edited\n").write(to: top, atomically: true, encoding: .utf8)
        #expect(throws: ZynqError.self) {
            _ = try makeRTLSimBackend(model: model, bundle: dir.path, options: RTLSimOptions(build: quickBuild()),
                                      interrupt: .never, installSIGINTHandler: false)
        }
        do {
            _ = try makeRTLSimBackend(model: model, bundle: dir.path, options: RTLSimOptions(build: quickBuild()),
                                      interrupt: .never, installSIGINTHandler: false)
        } catch let e as ZynqError {
            #expect(e.file == top.path)
        }
    }

    @Test(.tags(.verilator)) func aManifestOfAnotherTopologyIsRefused() throws {
        let model = ShapeA.model(seed: 23)
        let (dir, design) = try bundle(model, lengthWidth: 23)
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeManifest(design, lengthWidth: 23, engine: design.engine.rawValue, topologyHash: 0x0123_4567_89AB_CDEF, to: dir)
        do {
            _ = try makeRTLSimBackend(model: model, bundle: dir.path, options: RTLSimOptions(build: quickBuild()),
                                      interrupt: .never, installSIGINTHandler: false)
            Issue.record("no error")
        } catch let e as ZynqError {
            #expect(e.key == "topology_hash" && e.file == dir.appendingPathComponent("manifest.json").path, "\(e)")
        }
    }
}

@Suite struct TraceEstimateTests {
    @Test func estimateIsCyclesTimesFlipFlopsTimesTheMeasuredRate() throws {
        let model = try QuantizedModel.load(path: repoPath("examples/fashion-mnist/model.npz"))
        let design = try generateDesign(model: model, options: CodegenOptions())
        // (50 × II + latency) cycles × FF × 0.41 bytes: the calibration run (74.0 MB) within 5 %.
        let b = TraceEstimate.bytes(design: design, images: 50)
        #expect(b == Double(50 * design.iiCycles + design.latencyCycles) * Double(design.estimate.ff) * 0.41)
        #expect(abs(b - 73_964_065) / 73_964_065 < 0.05)
        #expect(TraceEstimate.warning(design: design, images: 50, path: "t.fst", threshold: 100e6) == nil)
        #expect(TraceEstimate.warning(design: design, images: 10_000, path: "t.fst", threshold: 100e6)
                == "warning: --trace t.fst: about \(Int((TraceEstimate.bytes(design: design, images: 10_000) / 1e6).rounded())) MB of waveform (10000 images × II \(design.iiCycles) cycles × \(design.estimate.ff) flip-flops); --limit traces fewer images")
    }
}
