import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

/// The engine in the registers (FLAGS.SEQUENTIAL), the manifest's `engine` key, their check
/// against each other, and the loopback model of both engines.
@Suite struct EngineTests {
    /// 20 uint8 inputs → 6 int8 → 3 uint8, the rtlsim suites' ShapeA.
    static func model(seed: UInt64) -> QuantizedModel {
        var g = SplitMix64(seed: seed)
        var inF = 20
        var layers: [DenseLayer] = []
        for (out, type) in [(6, ActivationType.int8), (3, .uint8)] {
            layers.append(DenseLayer(outFeatures: out, inFeatures: inF,
                                     weight: (0..<(out * inF)).map { _ in Int8.random(in: .min ... .max, using: &g) },
                                     bias: (0..<out).map { _ in Int32.random(in: -5000...5000, using: &g) },
                                     multiplier: [UInt32.random(in: (1 << 30)...UInt32.max, using: &g)], shift: [40],
                                     rounding: .halfUp, relu: false, outputZero: type == .int8 ? 3 : 100, outputType: type))
            inF = out
        }
        return QuantizedModel(input: InputSpec(shape: [20], type: .uint8, zero: 7, scale: 0.5), layers: layers)
    }

    /// The sequential engine's II for 20-6-3, by hand from the schedule in SequentialTiming's header:
    /// T = max(PW + 2, 96) = 96 (PW = 34 + 32), so the requantizer accepts a word D = T + 4 = 100
    /// cycles after it sees it; a word issued at e is accepted at e + 5 + D, and the next word issues
    /// the cycle after (every IN ≤ 105), 106 cycles a word; the first word of layer 1 starts 2 cycles
    /// after the last accept and issues IN₁ − 1 = 5 cycles later: 6 more. 9 words: 9·106 + 6.
    static let sequentialII = 9 * 106 + 6
    /// The dataflow design with PE = SIMD = 1: the nominal II, max(20·6, 6·3).
    static let dataflowII = 120

    static func layout(_ model: QuantizedModel) throws -> AcceleratorLayout {
        let t = try Topology(model: model)
        return try AcceleratorLayout(topology: t, folds: t.layers.map { _ in LayerFold(pe: 1, simd: 1, lanes: 1) })
    }

    @Test func flagsBitIsTheRegisterMapsAndNamesTheEngine() throws {
        #expect(RegisterMap.FLAGS_SEQUENTIAL.mask == 4)
        let field = try #require(RegisterMap.globalRegisters.first { $0.name == "FLAGS" }?.field("SEQUENTIAL"))
        #expect(field.lsb == 2 && field.width == 1 && field.mask == 4)
        #expect(Engine(flags: 0b011) == .dataflow)
        #expect(Engine(flags: 0b100) == .sequential)
        #expect(Engine.sequential.flags == 4 && Engine.dataflow.flags == 0)
    }

    @Test func loopbackModelReportsEachEnginesFlagsAndII() throws {
        let layout = try Self.layout(Self.model(seed: 1))
        let seq = try AcceleratorModel(layout: layout, engine: .sequential)
        let flow = try AcceleratorModel(layout: layout, engine: .dataflow)
        let plain = AcceleratorModel(layout: layout)
        // Output uint8, input uint8: only the engine bit.
        #expect(seq.read(offset: UInt64(RegisterMap.FLAGS)) == 0b100)
        #expect(flow.read(offset: UInt64(RegisterMap.FLAGS)) == 0)
        #expect(plain.read(offset: UInt64(RegisterMap.FLAGS)) == 0)
        #expect(seq.read(offset: UInt64(RegisterMap.II_CYCLES)) == UInt32(Self.sequentialII))
        #expect(flow.read(offset: UInt64(RegisterMap.II_CYCLES)) == UInt32(Self.dataflowII))
        #expect(plain.read(offset: UInt64(RegisterMap.II_CYCLES)) == UInt32(Self.dataflowII))
    }

    @Test func sequentialLoopbackNeedsFoldsOfOne() throws {
        let t = try Topology(model: Self.model(seed: 2))
        let layout = try AcceleratorLayout(topology: t, folds: [LayerFold(pe: 2, simd: 1, lanes: 1), LayerFold(pe: 1, simd: 1, lanes: 1)])
        let e = #expect(throws: ZynqError.self) { _ = try AcceleratorModel(layout: layout, engine: .sequential) }
        #expect(e?.key == "engine")
        #expect(e?.message.contains("layer 0 has PE 2") == true, "\(String(describing: e))")
    }

    /// The driver reads the engine back from FLAGS; BUSY_CYCLES grows by each engine's II an image.
    @Test(arguments: [Engine.dataflow, .sequential])
    func loopbackRunsEitherEngineBitExactWithItsBusyCycles(engine: Engine) throws {
        let model = Self.model(seed: 3)
        var g = SplitMix64(seed: 4)
        let rig = try Rig(model: model, folds: try Self.layout(model).folds, manifest: RuntimeManifest(engine: engine), images: 8, g: &g)
        #expect(rig.driver.info.engine == engine)
        #expect(rig.driver.info.flags == (engine == .sequential ? 4 : 0))
        #expect(rig.driver.info.iiCycles == UInt32(engine == .sequential ? Self.sequentialII : Self.dataflowII))
        let codes = try randomCodes(&g, model: model, count: 5)
        let r = try rig.run(codes)
        let e = try reference(model, codes)
        #expect(r.outputs == e.outputs && r.predictions == e.predictions)
        #expect(try rig.driver.counters().busyCycles == UInt64(5 * (engine == .sequential ? Self.sequentialII : Self.dataflowII)))
    }

    /// float32 in layer 1 (M < 2^24): the sequential engine's requantizer runs three passes a word,
    /// D = 3·(T + 3) + 1 = 298 instead of 100, so every word of the schedule above takes 298 + 6
    /// cycles: 9·304 + 6. The loopback runs the model bit-exact with that II.
    @Test func sequentialLoopbackWithFloat32() throws {
        var model = Self.model(seed: 3)
        model.layers[1].rounding = .float32
        model.layers[1].multiplier = model.layers[1].multiplier.map { $0 >> 8 }
        model.layers[1].shift = model.layers[1].shift.map { $0 - 8 }
        try model.validate()
        var g = SplitMix64(seed: 6)
        let rig = try Rig(model: model, folds: try Self.layout(model).folds, manifest: RuntimeManifest(engine: .sequential), images: 8, g: &g)
        #expect(rig.driver.info.iiCycles == UInt32(9 * 304 + 6))
        let codes = try randomCodes(&g, model: model, count: 5)
        let r = try rig.run(codes)
        let e = try reference(model, codes)
        #expect(r.outputs == e.outputs && r.predictions == e.predictions)
        #expect(try rig.driver.counters().busyCycles == UInt64(5 * (9 * 304 + 6)))
    }

    @Test func manifestEngineKey() throws {
        #expect(try RuntimeManifest.parse(Array(sampleManifestText(engine: .sequential).utf8), file: "m.json").engine == .sequential)
        #expect(try RuntimeManifest.parse(Array(sampleManifestText(engine: .dataflow).utf8), file: "m.json").engine == .dataflow)
        let good = sampleManifestText()
        for (to, message) in [("\"engine\": \"systolic\",", #"bad.json: 'engine': must be "dataflow" or "sequential", got "systolic""#),
                              ("\"engine\": 1,", "bad.json: 'engine': must be a string, got 1"),
                              ("", "bad.json: 'engine': is missing")] {
            let e = #expect(throws: ZynqError.self) {
                _ = try RuntimeManifest.parse(Array(good.replacingOccurrences(of: "\"engine\": \"dataflow\",", with: to).utf8), file: "bad.json")
            }
            #expect(e?.description == message)
        }
    }

    /// A manifest of one engine against hardware of the other: one error naming the manifest,
    /// its `engine` key and the FLAGS register with what it read.
    @Test func manifestAndHardwareEngineMismatchIsAClearError() throws {
        let layout = try Self.layout(Self.model(seed: 5))
        for (hardware, manifest) in [(Engine.dataflow, Engine.sequential), (.sequential, .dataflow)] {
            let board = try LoopbackBoard(layout: layout, manifest: RuntimeManifest(engine: hardware))
            let info = try AcceleratorDriver.probe(bus: board.device, base: board.manifest.acceleratorBase, designName: "hw")
            #expect(info.engine == hardware)
            try RuntimeManifest(engine: hardware).check(hardware: info, file: "ok.json")
            try RuntimeManifest(engine: nil).check(hardware: info, file: "old.json")
            let e = #expect(throws: ZynqError.self) {
                try RuntimeManifest(engine: manifest).check(hardware: info, file: "bundle/manifest.json")
            }
            let flags: UInt32 = hardware == .sequential ? 4 : 0
            #expect(e?.file == "bundle/manifest.json" && e?.key == "engine")
            #expect(e?.message == "the manifest says \(manifest.rawValue), but the accelerator's FLAGS register (0x0000004C) reads \(hex(flags)), SEQUENTIAL (bit 2) \(hardware == .sequential ? "set" : "clear"): the loaded bitstream is the \(hardware.rawValue) engine; load this bundle's bitstream (zynqnet load) or use its own manifest")
        }
    }

    /// `makeBackend(loopback)` with a bundle whose manifest says sequential builds the sequential device.
    @Test func makeBackendLoopbackFollowsTheManifestsEngine() throws {
        let model = Self.model(seed: 6)
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        try writeFile("\(dir)/manifest.json", sampleManifestText(topologyHash: try Topology(model: model).hash, engine: .sequential))
        let backend = try makeBackend(name: "loopback", model: model, bundle: dir, manifest: nil, batchSize: 4,
                                      interrupt: .never, installSIGINTHandler: false)
        let acc = try #require(backend as? AcceleratorBackend)
        #expect(acc.driver.info.engine == .sequential)
        #expect(acc.driver.info.layout.folds.allSatisfy { $0 == LayerFold(pe: 1, simd: 1, lanes: 1) })
        #expect(acc.driver.info.iiCycles == UInt32(Self.sequentialII))
        var g = SplitMix64(seed: 7)
        let codes = try randomCodes(&g, model: model, count: 3)
        let r = try backend.run(codes: codes, count: 3)
        let e = try reference(model, codes)
        #expect(r.outputs == e.outputs && r.predictions == e.predictions)
    }
}
