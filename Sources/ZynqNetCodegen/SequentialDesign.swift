import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The sequential engine (`Engine.sequential`, RTL `zn_seq`): the layer-folded smallest design.
/// One multiply-accumulate and one `zn_requant_serial` compute every layer in turn; the
/// weights of all layers share one memory, the quantization parameters another. The parameter
/// window and the registers are those of the dataflow design with PE = SIMD = lanes = 1, so the
/// runtime drives both the same way; only II_CYCLES differs (the engine's exact II).
public enum SequentialEngine {
    /// The widths zn_seq is built with (`SequentialTiming.Widths`).
    public typealias Widths = SequentialTiming.Widths

    /// Checks the topology fits one shared requantizer; the error names `key`.
    public static func widths(_ topo: Topology, key: String = "engine") throws -> Widths {
        try SequentialTiming.widths(topo, key: key)
    }

    /// The shared zn_requant_serial (one lane): fewest cycles between two accepted words, T + 5.
    public static func requantWordCycles(_ w: Widths) -> Int { SequentialTiming.requantWordCycles(w) }

    /// The engine's exact II in cycles (`SequentialTiming.iiCycles`, shared with the runtime's loopback model).
    public static func iiCycles(_ topo: Topology) throws -> Int { try SequentialTiming.iiCycles(topo) }

    /// Cycles from an image's first input beat to its last output beat, idle engine (what
    /// `zynqnet verify` measures): zn_axis_in → zn_seq → zn_axis_out8 (`outputStage8`).
    /// The output stage never lowers the II: zn_seq offers its codes at least T + 10 >= 106
    /// cycles apart (one requantizer word period plus the MAC pipeline, across layers and images),
    /// while zn_axis_out8 is busy 9·(ceil(C/8) + 1) + 1 cycles after an image's last code and takes
    /// the next image's codes meanwhile (two halves): so every code is taken when offered.
    public static func latencyCycles(_ topo: Topology) throws -> Int {
        let w = try widths(topo)
        let beats = OutputRecord.inputBeats(pixels: topo.inputCount)
        let codes = PipelineTiming.resize(offers: [Int](repeating: 0, count: beats), inLanes: 8, outLanes: 1, n: topo.inputCount)
        let out = SequentialTiming.outputOffers(inCounts: topo.layers.map(\.inCount), outCounts: topo.layers.map(\.outCount),
                                                requantWordCycles: requantWordCycles(w), inputOffers: codes)
        return PipelineTiming.outputStage8(codes: out, classes: topo.outputCount)
    }

    /// zn_requant_serial's float32 (ROUNDINGS bit 4) over floor/half_up, yosys synth_xilinx of the
    /// block alone (LANES 1, OUT 128, SUM_W 25, BIAS_W 33, M 32; bench/requant_cost.sh): 195 -> 241
    /// LUT, 462 -> 507 FF, no DSP.
    public static let serialFloat32LUT = 46
    public static let serialFloat32FF = 45

    /// Words of the pooled memories.
    public static func weightDepth(_ topo: Topology) -> Int { topo.layers.reduce(0) { $0 + $1.inCount * $1.outCount } }
    public static func quantDepth(_ topo: Topology) -> Int { topo.layers.reduce(0) { $0 + $1.outCount } }

    /// The resource estimate (see docs/hardware.md, "Resource model").
    public static func estimate(_ topo: Topology) throws -> ResourceEstimate {
        let w = try widths(topo)
        let layers = topo.layers.count
        var e = ResourceModel.fixed(layers: layers, classes: topo.outputCount, firstSIMD: 1, output: .bytes)
        // Core: counters, the MAC (its accumulator in the DSP48E1), the activation memories'
        // addressing, the parameter-window adapter, the per-layer round/zero/clamp select.
        e.lut += 50 + w.sumBits + (layers > 1 ? 33 * layers : 0)
        e.ff += 60 + 3 * w.sumBits
        e.dsp += 1
        // The shared serial requantizer (float32 built: its passes' trackers and roundings).
        e.lut += 125 + w.multBits
        e.ff += 45 + w.multBits
        if w.roundings & LayerTopology.float32Bit != 0 { e.lut += serialFloat32LUT; e.ff += serialFloat32FF }
        // Both pools in block RAM (config ports ~25 and ~60 LUT); a pool of 32,768 words or
        // more keeps them bit-sliced, its word-wide rest tiled in depth.
        let wd = weightDepth(topo)
        e.bram36 += max(ResourceModel.bram36(banks: 1, depth: wd, width: 8), 0.5)
        let rest = wd >= 32768 ? wd % 32768 : wd
        let tiles = ResourceModel.bramDepthTiles(depth: rest, width: 8)
        e.lut += 25 + (wd >= 32768 ? 40 : 0) + (tiles > 1 ? 2 * 8 * tiles / 4 : 0)
        e.ff += 175
        let qd = quantDepth(topo), qw = w.biasBits + w.multBits + 6
        e.bram36 += max(ResourceModel.bram36(banks: 1, depth: qd, width: qw), 2)
        e.lut += 60
        e.ff += 350
        // Activation memories (the input's two halves, the ping-pong between layers).
        let in0 = 1 << clog2(topo.inputCount)
        e.bram36 += max(ResourceModel.bram36(banks: 1, depth: 2 * in0, width: 8, trueDualPort: false), 0.5)
        if layers > 1 {
            let widest = topo.layers.dropLast().map(\.outCount).max() ?? 1
            e.bram36 += max(ResourceModel.bram36(banks: 1, depth: 2 * (1 << clog2(widest)), width: 8, trueDualPort: false), 0.5)
        }
        return e
    }
}
