import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel

/// The resource model against yosys 0.23 `synth_xilinx -family xc7` numbers (hierarchical, the
/// default flow of `zynqnet report DIR`) measured on this project's machine (recorded in
/// docs/performance.md; the automatic requantizer choice puts zn_requant_serial in the layers
/// with IN/SIMD >= its word cycles, e.g. both layers of 784-128-10 at 1x1). Tolerance: LUT and FF within 15 %, DSP48E1 exact, BRAM36 within
/// one RAMB18. Running yosys on these designs takes 30–100 s each, so the measurements are
/// recorded here; ReportCommandTests runs the real yosys on two small designs.
@Suite struct ResourceModelTests {
    struct Measured {
        var name: String
        var dims: [Int]
        var inputSigned: Bool
        var outSigned: [Bool]
        var folds: [LayerFold]
        var lut: Int, ff: Int, dsp: Int, bram36: Double
        /// LUTs of the shell instances (`report`'s lut_shell: register file, output stream).
        var shellLUT: Int
        var engine: Engine = .dataflow
    }

    static let fmnist = (dims: [784, 128, 10], inputSigned: true, outSigned: [true, true])   // bench/models/fmnist_784_128_10.npz
    static let small = (dims: [16, 8, 4], inputSigned: false, outSigned: [false, true])

    static let measured: [Measured] = [
        Measured(name: "16-8-4 1x1 1x1", dims: small.dims, inputSigned: small.inputSigned, outSigned: small.outSigned,
                 folds: [.init(pe: 1, simd: 1, lanes: 1), .init(pe: 1, simd: 1, lanes: 1)], lut: 2466, ff: 3310, dsp: 10, bram36: 0, shellLUT: 539),
        Measured(name: "16-8-4 2x4 2x1", dims: small.dims, inputSigned: small.inputSigned, outSigned: small.outSigned,
                 folds: [.init(pe: 2, simd: 4, lanes: 1), .init(pe: 2, simd: 1, lanes: 1)], lut: 2923, ff: 3918, dsp: 13, bram36: 0, shellLUT: 534),
        Measured(name: "16-8-4 8x8/4 2x8/2", dims: small.dims, inputSigned: small.inputSigned, outSigned: small.outSigned,
                 folds: [.init(pe: 8, simd: 8, lanes: 4), .init(pe: 2, simd: 8, lanes: 2)], lut: 9582, ff: 11650, dsp: 64, bram36: 0, shellLUT: 529),
        Measured(name: "784-128-10 1x1 1x1", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [.init(pe: 1, simd: 1, lanes: 1), .init(pe: 1, simd: 1, lanes: 1)], lut: 1624, ff: 2894, dsp: 2, bram36: 28, shellLUT: 565),
        Measured(name: "784-128-10 2x14 1x1", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [.init(pe: 2, simd: 14, lanes: 1), .init(pe: 1, simd: 1, lanes: 1)], lut: 3446, ff: 4074, dsp: 19, bram36: 31, shellLUT: 561),
        Measured(name: "784-128-10 4x28 1x2", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [.init(pe: 4, simd: 28, lanes: 1), .init(pe: 1, simd: 2, lanes: 1)], lut: 6520, ff: 6552, dsp: 66, bram36: 29, shellLUT: 564),
        Measured(name: "784-128-10 8x28 2x2 (goal)", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [.init(pe: 8, simd: 28, lanes: 1), .init(pe: 2, simd: 2, lanes: 1)], lut: 10020, ff: 9230, dsp: 122, bram36: 55.5, shellLUT: 564),
        Measured(name: "784-128-10 8x49 2x4 (fastest)", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [.init(pe: 8, simd: 49, lanes: 1), .init(pe: 2, simd: 4, lanes: 1)], lut: 16438, ff: 12789, dsp: 208, bram36: 92, shellLUT: 562),
        Measured(name: "16-8-4 sequential", dims: small.dims, inputSigned: small.inputSigned, outSigned: small.outSigned,
                 folds: [], lut: 783, ff: 1659, dsp: 1, bram36: 4, shellLUT: 430, engine: .sequential),
        Measured(name: "784-128-10 sequential", dims: fmnist.dims, inputSigned: fmnist.inputSigned, outSigned: fmnist.outSigned,
                 folds: [], lut: 871, ff: 1713, dsp: 1, bram36: 28.5, shellLUT: 436, engine: .sequential),
    ]

    @Test(arguments: measured.indices)
    func estimateWithinToleranceOfYosys(_ i: Int) throws {
        let m = Self.measured[i]
        var rng = SplitMix64(seed: 1)
        let model = randomModel(dims: m.dims, inputSigned: m.inputSigned, outSigned: m.outSigned,
                                rounding: m.outSigned.map { _ in .halfUp }, relu: m.outSigned.indices.map { $0 < m.outSigned.count - 1 },
                                rng: &rng)
        var o = CodegenOptions()
        o.fold = .file(m.engine == .sequential ? .sequential
                       : FoldFile(layers: m.folds.map { FoldFileLayer(pe: $0.pe, simd: $0.simd, lanes: $0.lanes) }), name: m.name)
        let design = try generateDesign(model: model, options: o)
        let e = design.estimate
        #expect(abs(Double(e.lut - m.lut)) <= 0.15 * Double(m.lut), "\(m.name): LUT estimate \(e.lut), yosys \(m.lut)")
        // The shell's share (the curve's datapath column is the estimate without it): within 25 %
        // (the tournament-tree argmax is estimated ~110 LUT above what yosys maps for 4-10 classes).
        let shell = design.shellEstimate.lut
        #expect(abs(Double(shell - m.shellLUT)) <= 0.25 * Double(m.shellLUT), "\(m.name): shell LUT estimate \(shell), yosys \(m.shellLUT)")
        #expect(abs(Double(e.ff - m.ff)) <= 0.15 * Double(m.ff), "\(m.name): FF estimate \(e.ff), yosys \(m.ff)")
        #expect(e.dsp == m.dsp, "\(m.name): DSP estimate \(e.dsp), yosys \(m.dsp)")
        #expect(abs(e.bram36 - m.bram36) <= 0.5, "\(m.name): BRAM36 estimate \(e.bram36), yosys \(m.bram36)")
    }

    /// Adder-tree registers by hand: 28 leaves of 17 bits, a register every 2 levels and at the
    /// root (level 5): 7 nodes × 19 bits + 2 × 21 + 1 × 22 = 197 bits. yosys counts 1,576 FFs in
    /// the goal design's layer-0 zn_addtree (8 trees × 197).
    /// Format 2's modes cost what yosys measured a lane of zn_requant (LUT, FF over floor/half_up):
    /// half_even 84 / 0, gemmlowp 98 / 7, float32 1,131 / 410; zn_requant_serial +10 LUT for
    /// half_even or gemmlowp, +46 LUT / +45 FF for float32 (one datapath for all lanes).
    @Test(arguments: [(4, 84, 0), (8, 98, 7), (16, 1_131, 410), (28, 1_313, 417)])
    func roundingModeCosts(_ bits: Int, _ lut: Int, _ ff: Int) {
        let base = LayerTopology(inCount: 784, outCount: 128, inSigned: true, outSigned: true, multBits: 32)
        var t = base
        t.roundings |= bits
        let f = LayerFold(pe: 8, simd: 28, lanes: 2)
        let a = ResourceModel.layer(base, f, style: .packed, requant: .pipelined)
        let b = ResourceModel.layer(t, f, style: .packed, requant: .pipelined)
        #expect(b.lut - a.lut == 2 * lut && b.ff - a.ff == 2 * ff && b.dsp == a.dsp)
        let sa = ResourceModel.layer(base, f, style: .packed, requant: .serial)
        let sb = ResourceModel.layer(t, f, style: .packed, requant: .serial)
        #expect(sb.lut - sa.lut == (bits & 12 != 0 ? 10 : 0) + (bits & 16 != 0 ? 46 : 0) && sb.ff - sa.ff == (bits & 16 != 0 ? 45 : 0))
    }

    @Test func treeRegistersByHand() {
        #expect(ResourceModel.treeRegisterBits(leaves: 28, inBits: 17, every: 2) == 7 * 19 + 2 * 21 + 22)
        #expect(ResourceModel.treeRegisterBits(leaves: 1, inBits: 17, every: 2) == 17)
        // 2 leaves: one level, the root register only.
        #expect(ResourceModel.treeRegisterBits(leaves: 2, inBits: 17, every: 2) == 18)
        // 49 leaves, 6 levels: registers after levels 2, 4, 6: 13 × 19 + 4 × 21 + 1 × 23.
        #expect(ResourceModel.treeRegisterBits(leaves: 49, inBits: 17, every: 2) == 13 * 19 + 4 * 21 + 23)
    }
}
