import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

@Suite struct CodegenTests {
    func model(_ dims: [Int], seed: UInt64 = 1) -> QuantizedModel { uniformModel(dims, seed: seed) }

    @Test func impossibleFoldNamesLayerAndValue() throws {
        let m = model([12, 6, 4])
        var o = CodegenOptions()
        o.fold = .file(FoldFile(layers: [.init(pe: 4, simd: 3), .init(pe: 2, simd: 3)]), name: "f.json")
        #expect(throws: ZynqError(file: "f.json", key: "layers[0].pe", "PE 4 does not divide layer 0's 6 outputs")) {
            try generateDesign(model: m, options: o)
        }
        o.fold = .file(FoldFile(layers: [.init(pe: 3, simd: 5), .init(pe: 2, simd: 3)]), name: "f.json")
        #expect(throws: ZynqError(file: "f.json", key: "layers[0].simd", "SIMD 5 does not divide layer 0's 12 inputs")) {
            try generateDesign(model: m, options: o)
        }
        o.fold = .file(FoldFile(layers: [.init(pe: 3, simd: 4, lanes: 2), .init(pe: 2, simd: 3)]), name: "f.json")
        #expect(throws: ZynqError(file: "f.json", key: "layers[0].lanes", "2 lanes do not divide PE 3")) {
            try generateDesign(model: m, options: o)
        }
        o.fold = .file(FoldFile(layers: [.init(pe: 3, simd: 4)]), name: "f.json")
        #expect(throws: ZynqError(file: "f.json", key: "layers", "has 1 entries, the model has 2 layers")) {
            try generateDesign(model: m, options: o)
        }
    }

    /// Format 2's roundings: each layer's requantizer builds floor, half_up and the layer's mode
    /// (ROUNDINGS, L_WIDTHS.ROUNDINGS, design.json), L_CFG.ROUNDING carries its code; float32 takes
    /// the pipelined requantizer (16 cycles) and is refused by the sequential engine, naming the key;
    /// a model whose mode the design does not build is refused by the parameter image.
    @Test func format2RoundingsAreBuiltPerLayer() throws {
        var m = model([12, 6, 4])
        m.layers[0].rounding = .halfEven
        m.layers[1].rounding = .float32
        m.layers[1].multiplier = m.layers[1].multiplier.map { $0 >> 8 }
        let d = try generateDesign(model: m, options: CodegenOptions())
        let top = d.files["rtl/zynqnet_accel.v"] ?? ""
        #expect(top.contains(".ROUNDINGS(7), .LATENCY(10))") && top.contains(".ROUNDINGS(19), .LATENCY(16))"))
        #expect(top.contains(".rounding(l_round[2:0])") && top.contains(".rounding(l_round[5:3])"))
        #expect(d.requantStyles[1] == .pipelined)
        #expect(d.layout.topology.layers.map(\.roundings) == [7, 19])
        let json = d.files["design.json"] ?? ""
        #expect(json.contains("\"roundings\": [\"floor\", \"half_up\", \"half_even\"]") &&
                json.contains("\"roundings\": [\"floor\", \"half_up\", \"float32\"]"))
        let image = try ParameterImage(model: m, layout: d.layout)
        let cfg = image.registerWrites.filter { $0.offset >= RegisterMap.LAYER_BASE && ($0.offset - RegisterMap.LAYER_BASE) % RegisterMap.LAYER_STRIDE == RegisterMap.L_CFG }
        #expect(cfg.map(\.value) == [2, 4])
        // The other model: layer 0 gemmlowp, not built in this design.
        var other = m
        other.layers[0].rounding = .gemmlowp
        #expect(throws: ZynqError(key: "layer0.rounding", "'gemmlowp' is not built in the design's layer 0 requantizer (it builds floor, half_up, half_even)")) {
            try ParameterImage(model: other, layout: d.layout)
        }
        // The sequential engine builds the union of the modes (7 | 19 = 23), float32 with its
        // serial requantizer's three passes a word: 3·(T + 3) + 2 cycles, T = 96 here.
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "s.json")
        let sd = try generateDesign(model: m, options: o)
        #expect((sd.files["rtl/zynqnet_accel.v"] ?? "").contains(".ROUNDINGS(23)"))
        let w = try SequentialTiming.widths(sd.layout.topology)
        #expect(w.roundings == 23 && SequentialTiming.requantBits(biasBits: w.biasBits, sumBits: w.sumBits, multBits: w.multBits) == 96)
        #expect(SequentialTiming.requantWordCycles(w) == 3 * 99 + 2)
        // Without float32 in any layer: one pass.
        var m2 = m
        m2.layers[1].rounding = .halfEven
        let w2 = try SequentialTiming.widths(try Topology(model: m2, multBits: 32))
        #expect(w2.roundings == 7 && SequentialTiming.requantWordCycles(w2) == 99 + 2)
        // A serial float32 layer in the dataflow engine: three passes a word, LANES·3·(T + 3) + 2.
        let t1 = sd.layout.topology.layers[1]
        #expect(PipelineTiming.serialRequantWordCycles(t1, lanes: 2) == 2 * 3 * 99 + 2)
        #expect(PipelineTiming.serialRequantAcceptDelay(t1, lanes: 1) == 3 * 99 + 1)
        #expect(RequantStyle.serialBuilds(t1) == nil)
    }

    /// conv2d/maxpool2d models take the hardware path: a conv (zn_swu → zn_mvau), a max-pool
    /// (zn_maxpool) and a dense layer reading (h, w, c); a padding the sliding-window unit
    /// cannot build is refused naming the layer's padding.
    @Test func convModelsTakeTheHardwarePath() throws {
        let dense = model([8, 4])
        var conv = DenseLayer.conv2d(out: 2, geometry: Conv2DGeometry(kernelHeight: 2, kernelWidth: 2, inChannels: 1),
                                     weight: [Int8](repeating: 1, count: 8), multiplier: [1], shift: [0], rounding: .floor,
                                     relu: false, outputZero: 0, outputType: .uint8)
        conv.relu = true
        let pool = DenseLayer.maxpool2d(size: [1, 2], stride: [1, 1], inputType: .uint8, inputZero: 0)
        var last = dense.layers[0]
        last.inFeatures = 2
        last.weight = Array(last.weight.prefix(8))
        let m = QuantizedModel(input: InputSpec(shape: [2, 3, 1], type: .uint8, zero: 0, scale: 1), layers: [conv, pool, last])
        try m.validate()
        let d = try generateDesign(model: m, options: CodegenOptions())
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.contains("zn_swu #(.H(2), .W(3), .C(1), .KH(2), .KW(2)"))
        #expect(top.contains("zn_maxpool #(.H(1), .W(2), .C(2), .KH(1), .KW(2)"))
        #expect(d.layout.topology.layers.map(\.kind.code) == [1, 2, 0])
        // 2×3 input, 2×2 kernel: 1×2 positions; pool 1×2 → 1×1×2 into the dense layer.
        #expect(d.layout.topology.layers.map(\.imageOutCodes) == [4, 2, 4])
        var padded = m
        padded.layers[0].kind = .conv2d(Conv2DGeometry(kernelHeight: 2, kernelWidth: 2, inChannels: 1, padding: [2, 0, 0, 0]))
        #expect(throws: ZynqError(key: "layer0.padding", "the sliding-window unit needs each padding below the kernel size (2×2), got [2, 0, 0, 0]")) {
            try Topology(model: padded)
        }
    }

    /// The Int128 spec reference computes every format-2 rounding and the clamp, equal to the fast
    /// simulator (verify's reference; a second spec reference in codegen used to treat every
    /// rounding but half_up as floor and ignore the clamp).
    @available(macOS 15.0, *)
    @Test func specReferenceComputesEveryModeAndClamp() throws {
        var rng = SplitMix64(seed: 5)
        for mode in Rounding.allCases {
            var m = uniformModel([10, 8, 5], seed: 3, signed: true, rounding: mode)
            for i in m.layers.indices where mode == .float32 {
                m.layers[i].multiplier = m.layers[i].multiplier.map { $0 >> 8 }  // M < 2^24
                m.layers[i].shift = m.layers[i].shift.map { $0 >= 8 ? $0 - 8 : 0 }
            }
            m.layers[0].clamp = -20...35
            m.layers[1].clamp = 3...3
            try m.validate()
            let images = randomImages(30, pixels: 10, rng: &rng)
            let codes = try InputCodes(type: .int8, width: 10, bytes: images.flatMap { $0.map { $0 ^ 0x80 } })
            let sim = try Simulator(model: m).run(codes)
            let ref = try ReferenceSimulator(model: m).run(codes)
            for n in images.indices {
                #expect(Array(ref.output(n)) == Array(sim.output(n)) && ref.predictions[n] == sim.predictions[n], "\(mode) image \(n)")
            }
        }
    }

    /// The requantizer choice: serial exactly where its word time (LANES·(T + 3) + 2 cycles, T =
    /// max(PW + 2, 96)) times PE/LANES fits in SF = IN/SIMD; an explicit serial that does not fit
    /// is an error naming the key; explicit pipelined is kept; the top instantiates the chosen module.
    @Test func requantizerChoice() throws {
        let m = model([120, 101, 4])
        let topo = try Topology(model: m, multBits: 32)
        for t in topo.layers {
            // Hand calculation of PW: ACC_W = max(BIAS_W, SUM_W) + 1, PW = ACC_W + 32; T = max(PW + 2, 96).
            let pw = max(t.biasBits, t.widths.sumBits) + 1 + 32
            #expect(PipelineTiming.serialRequantWordCycles(t, lanes: 1) == max(pw + 2, 96) + 5)
            #expect(PipelineTiming.serialRequantWordCycles(t, lanes: 3) == 3 * (max(pw + 2, 96) + 3) + 2)
        }
        var o = CodegenOptions()
        o.fold = .file(FoldFile(layers: [.init(pe: 1, simd: 1), .init(pe: 1, simd: 1)]), name: "f.json")
        // Layer 0: SF 120 >= 101 -> serial; layer 1: SF 101 >= 101 -> serial.
        var d = try generateDesign(model: m, options: o)
        #expect(d.requantStyles == [.serial, .serial])
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.contains("zn_requant_serial #(.LANES(1), .OUT(101)") && top.contains("zn_requant_serial #(.LANES(1), .OUT(4)"))
        #expect(!top.contains("  zn_requant #("))
        #expect(d.files["design.json"]!.contains("\"requant\": \"serial\""))
        // SIMD 2 in layer 0: SF 60 < 101 -> pipelined; PE 2 in layer 0: 2 words of 101 > 120 -> pipelined.
        o.fold = .file(FoldFile(layers: [.init(pe: 1, simd: 2), .init(pe: 2, simd: 1)]), name: "f.json")
        d = try generateDesign(model: m, options: o)
        #expect(d.requantStyles == [.pipelined, .pipelined])
        #expect(d.files["rtl/zynqnet_accel.v"]!.contains("  zn_requant #(.LANES(1), .OUT(101)"))
        o.fold = .file(FoldFile(layers: [.init(pe: 1, simd: 1, requant: .pipelined), .init(pe: 1, simd: 1)]), name: "f.json")
        #expect(try generateDesign(model: m, options: o).requantStyles == [.pipelined, .serial])
        o.fold = .file(FoldFile(layers: [.init(pe: 1, simd: 1), .init(pe: 2, simd: 1, requant: .serial)]), name: "f.json")
        #expect(throws: ZynqError(file: "f.json", key: "layers[1].requant",
                                  "the serial requantizer needs 202 cycles per MAC output word, layer 1 delivers one every 101 (IN/SIMD); use \"pipelined\" or a smaller SIMD/PE")) {
            try generateDesign(model: m, options: o)
        }
    }

    @Test func foldFileParsing() throws {
        let good = #"{"layers": [{"pe": 2, "simd": 4, "mul_style": "lut", "requant": "serial"}, {"pe": 1, "simd": 1, "lanes": 1, "requant": "pipelined"}]}"#
        let f = try FoldFile.parse(Data(good.utf8), file: "f.json")
        #expect(f == FoldFile(layers: [.init(pe: 2, simd: 4, mul_style: .lut, requant: .serial), .init(pe: 1, simd: 1, lanes: 1, requant: .pipelined)]))
        let cases: [(String, String?)] = [
            (#"{"layers": [{"pe": 2}]}"#, "layers[0].simd"),
            (#"{"layers": [{"pe": 2, "simd": 1, "x": 3}]}"#, "layers[0].x"),
            (#"{"layers": [{"pe": "2", "simd": 1}]}"#, "layers[0].pe"),
            (#"{"layers": [{"pe": 0, "simd": 1}]}"#, "layers[0].pe"),
            (#"{"layers": [{"pe": 1, "simd": 1, "mul_style": "fpga"}]}"#, "layers[0].mul_style"),
            (#"{"layers": [{"pe": 1, "simd": 1, "requant": "fast"}]}"#, "layers[0].requant"),
            (#"{"folds": []}"#, "folds"),
            (#"[1, 2]"#, nil),
            ("not json", nil),
        ]
        for (text, key) in cases {
            do {
                _ = try FoldFile.parse(Data(text.utf8), file: "f.json")
                Issue.record("accepted \(text)")
            } catch let e as ZynqError {
                #expect(e.file == "f.json")
                #expect(e.key == key, "\(text): \(e)")
            }
        }
    }

    @Test func targetFPSPicksTheCheapestFoldThatReachesIt() throws {
        // 784-128-10 at 200,000 images/s and 100 MHz: II ≤ 500; layer 0 needs PE·SIMD ≥ 201 → 224.
        let m = model([784, 128, 10])
        var o = CodegenOptions()
        o.fold = .targetFPS(200_000)
        let d = try generateDesign(model: m, options: o)
        #expect(d.iiCycles <= 500)
        #expect(d.layout.folds[0].pe * d.layout.folds[0].simd == 224)
        #expect(d.estimate.dsp <= 220)
        // Too fast for the streams: 98 input beats an image at most 1.02 M images/s.
        o.fold = .targetFPS(2_000_000)
        #expect(throws: ZynqError.self) { try generateDesign(model: m, options: o) }
    }

    @Test func fastestFitsTheBudget() throws {
        let m = model([784, 128, 10])
        let d = try generateDesign(model: m, options: CodegenOptions())
        #expect(d.estimate.exceeds(ResourceBudget.xc7z020Auto) == nil)
        // A smaller budget gives a slower design.
        var o = CodegenOptions()
        o.budget = ResourceBudget(lut: 8000, ff: 50_000, dsp: 40, bram36: 60)
        let small = try generateDesign(model: m, options: o)
        #expect(small.iiCycles > d.iiCycles)
        #expect(small.estimate.dsp <= 40)
    }

    @Test func deterministicAndAtomic() throws {
        let m = model([20, 6, 3])
        let a = try generateDesign(model: m, options: CodegenOptions())
        let b = try generateDesign(model: m, options: CodegenOptions())
        #expect(a.files == b.files)
        #expect(a.files["design.json"]!.contains("\"ii_cycles\": \(a.iiCycles)"))
        #expect(a.files["rtl/zynqnet_accel.v"]!.contains("X_INTERFACE_INFO = \"xilinx.com:interface:axis:1.0 s_axis TDATA\""))
        let dir = try makeTemporaryDirectory("atomic").appendingPathComponent("out")
        try a.write(to: dir)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("rtl/zynqnet_accel.v").path))
        // A failing write leaves the previous contents and no temporary file behind.
        struct Boom: Error {}
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(throws: ZynqError.self) {
            let plan = OutputPlan(inputs: [])
            let folder = try plan.folder(dir.path, option: "-o", mode: .design)
            try folder.write("x") { tmp in
                try "half".write(toFile: tmp, atomically: false, encoding: .utf8)
                throw Boom()
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path)
        #expect(left == ["out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before)
        #expect(before.contains(".zynqnet-files") && before.contains("design.json"))
    }

    /// The parameter image of a tiny model, derived by hand.
    @Test func parameterImageByHand() throws {
        // 2 inputs (uint8, zx = 3) -> 2 outputs; PE 1, SIMD 2 → 2 depth words of 2 bytes in one bank.
        let l = DenseLayer(outFeatures: 2, inFeatures: 2, weight: [1, -2, 127, -128], bias: [10, -5],
                           multiplier: [5, 7], shift: [1, 63], rounding: .halfUp, relu: true, outputZero: 4, outputType: .uint8)
        let m = QuantizedModel(input: InputSpec(shape: [2], type: .uint8, zero: 3, scale: 1), layers: [l])
        let topo = try Topology(model: m, multBits: 4)
        let layout = try AcceleratorLayout(topology: topo, folds: [LayerFold(pe: 1, simd: 2, lanes: 1)])
        let img = try ParameterImage(model: m, layout: layout)
        let w = img.blocks[0]
        #expect(w.select == 0)
        #expect(w.chunks == [0x0000_FE01, 0x0000_807F])   // bytes {1, -2}, {127, -128}
        let q = img.blocks[1]
        #expect(q.select == 0x1_0000)
        // bias_eff = bias − zx·Σw: 10 − 3·(−1) = 13; −5 − 3·(−1) = −2. Word: bias (B bits), M (4), s (6).
        let b = topo.layers[0].biasBits
        func word(_ bias: Int64, _ mm: UInt64, _ s: UInt64) -> [UInt32] {
            var bits = Bits(width: ((b + 10 + 31) / 32) * 32)
            bits.set(0, b, bias)
            bits.set(b, 4, Int64(mm))
            bits.set(b + 4, 6, Int64(s))
            return (0..<(bits.bits.count / 32)).map { UInt32(bits.unsigned(32 * $0, 32)) }
        }
        #expect(q.chunks == word(13, 5, 1) + word(-2, 7, 63))
        #expect(img.registerWrites.prefix(3) == [
            RegisterWrite(0x114, 1), RegisterWrite(0x118, 4), RegisterWrite(0x11C, RegisterMap.clampWord(lo: 4, hi: 255)),
        ])
        // M = 16 does not fit --mult-bits 4.
        var big = m
        big.layers[0].multiplier = [16, 1]
        #expect(throws: ZynqError(key: "layer0.multiplier", "channel 0: M = 16 needs more than the design's 4 bits (--mult-bits)")) {
            try ParameterImage(model: big, layout: layout)
        }
    }
}

@Suite struct OverfullFoldTests {
    /// A fold file whose design exceeds the board is an error naming the file, the resource and
    /// its numbers, unless allowed.
    @Test func overfullFoldIsAnErrorUnlessAllowed() throws {
        let m = uniformModel([64, 32, 4], seed: 1)
        var o = CodegenOptions()
        o.mulStyle = .dsp
        o.fold = .file(FoldFile(layers: [.init(pe: 32, simd: 64), .init(pe: 4, simd: 32)]), name: "big.json")
        o.allowOverfull = true
        let d = try generateDesign(model: m, options: o)
        #expect(d.estimate.dsp > 220)
        o.allowOverfull = false
        #expect(throws: ZynqError(file: "big.json", key: "layers",
                                  "the design does not fit the pynq-z2's xc7z020clg400-1: DSP48E1 \(d.estimate.dsp) > 220 (estimate); use smaller PE/SIMD, or --allow-overfull")) {
            try generateDesign(model: m, options: o)
        }
        // The smallest fold fits.
        o.fold = .file(FoldFile(layers: [.init(pe: 1, simd: 1), .init(pe: 1, simd: 1)]), name: "small.json")
        #expect(try generateDesign(model: m, options: o).estimate.dsp <= 220)
    }
}
