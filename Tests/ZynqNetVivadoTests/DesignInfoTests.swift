import Testing
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetBase
import ZynqNetModel
import ZynqNetVivado

/// What codegen hands the Vivado scripts, assembled from a generated design in the library.
@Suite struct DesignInfoTests {
    /// 20 inputs -> 6 -> 3, every weight 1.
    func design() throws -> GeneratedDesign {
        func layer(_ n: Int, _ m: Int) -> DenseLayer {
            DenseLayer(outFeatures: m, inFeatures: n, weight: [Int8](repeating: 1, count: n * m), bias: [Int32](repeating: 0, count: m),
                       multiplier: [1 << 30], shift: [32], rounding: .floor, relu: true, outputZero: 0, outputType: ActivationType(signed: false))
        }
        let model = QuantizedModel(input: InputSpec(shape: [20], type: ActivationType(signed: false), zero: 0, scale: 1),
                                   layers: [layer(20, 6), layer(6, 3)])
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

    /// Board mapping: codegen takes the board file's name and part.
    @Test func codegenBoardOfABoard() throws {
        #expect(try CodegenBoard(Board.resolve("zybo-z7-20")) == CodegenBoard(name: "zybo-z7-20", part: "xc7z020clg400-1"))
        #expect(try CodegenBoard(Board.resolve("PYNQ-Z2")) == CodegenBoard(name: "pynq-z2", part: "xc7z020clg400-1"))
    }
}
