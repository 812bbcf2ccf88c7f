import Testing
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetBase
import ZynqNetModel
import ZynqNetVivado

/// What codegen hands the Vivado scripts, assembled from a generated design in the library.
@Suite struct DesignInfoTests {
    /// 20 inputs -> 6 -> 3, every weight 1, the layers rounding `roundings`.
    func design(_ roundings: (Rounding, Rounding) = (.floor, .floor)) throws -> GeneratedDesign {
        func layer(_ n: Int, _ m: Int, _ r: Rounding) -> DenseLayer {
            DenseLayer(outFeatures: m, inFeatures: n, weight: [Int8](repeating: 1, count: n * m), bias: [Int32](repeating: 0, count: m),
                       multiplier: [1 << 30], shift: [32], rounding: r, relu: true, outputZero: 0, outputType: ActivationType(signed: false))
        }
        let model = QuantizedModel(input: InputSpec(shape: [20], type: ActivationType(signed: false), zero: 0, scale: 1),
                                   layers: [layer(20, 6, roundings.0), layer(6, 3, roundings.1)])
        return try generateDesign(model: model, options: CodegenOptions(fold: .targetFPS(1000)))
    }

    @Test func infoAndEstimateOfAGeneratedDesign() throws {
        let d = try design()
        let info = VivadoDesignInfo(design: d)
        #expect(info.topModule == "zynqnet_accel")
        #expect(info.rtlFiles == d.rtlFiles.filter { $0.hasSuffix(".v") || $0.hasSuffix(".vh") })
        #expect(!info.rtlFiles.isEmpty)
        #expect(info.axilAddrWidth == d.layout.axilAddressWidth)
        #expect(info.topologyHash == d.topologyHash)
        // 20 pixels: three 8-byte input beats; 3 classes: one header beat and one beat of values.
        #expect(info.inputRecordBytes == 24)
        #expect(info.outputRecordBytes == 16)
        #expect(info.iiCycles == UInt64(d.iiCycles) && info.latencyCycles == UInt64(d.latencyCycles))
        #expect(info.engine == "dataflow")
        let e = EstimateReport(design: d, info: info, fclkMHz: 125)
        #expect(e.lut == UInt64(d.estimate.lut) && e.dsp == UInt64(d.estimate.dsp) && e.bram36 == d.estimate.bram36)
        #expect(e.fclkMHz == 125 && e.inputRecordBytes == 24 && e.outputRecordBytes == 16)
    }

    /// manifest.json's layer_roundings are the design's requantizers' ROUNDINGS (bit k = code k:
    /// floor 0, half_up 1, half_even 2, gemmlowp 3), read back as written.
    @Test func manifestRecordsEachLayersBuiltRoundings() throws {
        #expect(VivadoDesignInfo(design: try design()).layerRoundings == [0b11, 0b11])
        let d = try design((.gemmlowp, .halfEven))
        #expect(d.layout.topology.layers.map(\.roundings) == [0b1011, 0b111])
        let info = VivadoDesignInfo(design: d)
        #expect(info.layerRoundings == [0b1011, 0b111])
        let m = try VivadoProject.manifest(design: info, board: Board.resolve("pynq-z2"), fclkMHz: 100, dmaLengthWidth: 26)
        #expect(m.layerRoundings == [0b1011, 0b111])
        let text = String(decoding: m.fileBytes, as: UTF8.self)
        let compact = text.filter { $0 != " " && $0 != "\n" }
        #expect(compact.contains(#""engine":"dataflow","layer_roundings":[["floor","half_up","gemmlowp"],["floor","half_up","half_even"]],"block_design""#))
        #expect(try Manifest.parse(m.fileBytes, file: "m.json") == m)
    }

    /// Board mapping: codegen takes the board file's name and part.
    @Test func codegenBoardOfABoard() throws {
        #expect(try CodegenBoard(Board.resolve("zybo-z7-20")) == CodegenBoard(name: "zybo-z7-20", part: "xc7z020clg400-1"))
        #expect(try CodegenBoard(Board.resolve("PYNQ-Z2")) == CodegenBoard(name: "pynq-z2", part: "xc7z020clg400-1"))
    }
}
