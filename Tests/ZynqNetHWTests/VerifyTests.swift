import Foundation
import Testing
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel

@Suite(.serialized) struct VerifyTests {
    func verify(_ model: QuantizedModel, fold: FoldFile? = nil, style: MulStyle = .packed, images: Int, seed: UInt64,
                tlastError: Int? = nil) throws -> VerifyReport {
        var opts = CodegenOptions()
        opts.mulStyle = style
        if let fold { opts.fold = .file(fold, name: "test-fold") }
        let design = try generateDesign(model: model, options: opts)
        var rng = SplitMix64(seed: seed)
        let imgs = randomImages(images, pixels: model.inputCount, rng: &rng)
        var vo = VerifyOptions(buildRoot: scratch("verilator"))
        vo.seed = seed
        vo.tlastErrorImage = tlastError
        vo.optimize = false
        let r = try Verify.run(design: design, model: model, images: imgs, options: vo)
        for m in r.messages { print("verify: \(m)") }
        return r
    }

    @Test func smallTwoLayerModel() throws {
        var rng = SplitMix64(seed: 7)
        let m = randomModel(dims: [20, 6, 3], inputSigned: false, outSigned: [false, true], rounding: [.floor, .halfUp],
                            relu: [true, false], rng: &rng)
        let fold = FoldFile(layers: [FoldFileLayer(pe: 2, simd: 5), FoldFileLayer(pe: 3, simd: 2)])
        let r = try verify(m, fold: fold, images: 12, seed: 3)
        #expect(r.passed)
        #expect(r.mismatches == 0)
        print("ii \(r.iiCycles) latency \(r.latencyCycles) cps \(r.rtlCyclesPerSecond)")
    }
}
