import ZynqNetHW
import ZynqNetModel

/// The sequential engine (`Engine.sequential`, RTL `zn_seq`): the layer-folded smallest design.
/// One multiply-accumulate and one `zn_requant_serial` compute every layer in turn; the
/// weights of all layers share one memory, the quantization parameters another. The parameter
/// window and the registers are those of the dataflow design with PE = SIMD = lanes = 1, so the
/// runtime drives both the same way; only II_CYCLES differs (the engine's exact II).
public enum SequentialEngine {
    /// The widths zn_seq is built with: the largest sum width, and the stored bias and M widths,
    /// which must be the same in every layer (one requantizer, one quant word layout).
    public struct Widths: Sendable, Equatable {
        public var sumBits: Int
        public var biasBits: Int
        public var multBits: Int
    }

    /// Checks the topology fits one shared requantizer; the error names `key`.
    public static func widths(_ topo: Topology, key: String = "engine") throws -> Widths {
        guard let first = topo.layers.first else { throw ZynqError(key: key, "the model has no layers") }
        for (i, l) in topo.layers.enumerated() where l.biasBits != first.biasBits || l.multBits != first.multBits {
            throw ZynqError(key: key, "the sequential engine needs one bias and M width for all layers; layer \(i) has bias \(l.biasBits) b and M \(l.multBits) b, layer 0 \(first.biasBits) b and \(first.multBits) b")
        }
        return Widths(sumBits: topo.layers.map { $0.widths.sumBits }.max()!, biasBits: first.biasBits, multBits: first.multBits)
    }

    /// zn_requant_serial's T for the shared requantizer: max(PW + 2, 96), PW = max(BIAS_W, SUM_W) + 1 + MULT_W.
    public static func requantBits(_ w: Widths) -> Int {
        max(max(w.biasBits, w.sumBits) + 1 + w.multBits + 2, 96)
    }

    /// zn_requant_serial (one lane): fewest cycles between two accepted words, T + 5.
    public static func requantWordCycles(_ w: Widths) -> Int { requantBits(w) + 5 }

    /// The engine's exact II in cycles (input offered whenever it is taken, output never stalled).
    public static func iiCycles(_ topo: Topology) throws -> Int {
        let w = try widths(topo)
        let seq = SequentialTiming.iiCycles(inCounts: topo.layers.map(\.inCount), outCounts: topo.layers.map(\.outCount),
                                            requantWordCycles: requantWordCycles(w))
        return max(seq, OutputRecord.inputBeats(pixels: topo.inputCount), OutputRecord.beats(classes: topo.outputCount))
    }

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

    /// Words of the pooled memories.
    public static func weightDepth(_ topo: Topology) -> Int { topo.layers.reduce(0) { $0 + $1.inCount * $1.outCount } }
    public static func quantDepth(_ topo: Topology) -> Int { topo.layers.reduce(0) { $0 + $1.outCount } }

    /// The resource estimate (see docs/hardware.md, "Resource model").
    public static func estimate(_ topo: Topology) throws -> ResourceEstimate {
        let w = try widths(topo)
        var e = ResourceModel.fixed(layers: topo.layers.count, classes: topo.outputCount, firstSIMD: 1)
        // Core: counters, the MAC and its accumulator, the activation buffers' addressing, the
        // parameter-window adapter (per-layer constants).
        e.lut += 150 + w.sumBits + 25 * topo.layers.count
        e.ff += 150 + 3 * w.sumBits
        e.dsp += 1
        // Shared serial requantizer.
        e.lut += 200 + w.multBits + 10
        e.ff += 90 + w.multBits
        // Pooled weights: deep memories need a read mux over their depth tiles on both ports.
        let wd = weightDepth(topo)
        e.bram36 += ResourceModel.bram36(banks: 1, depth: wd, width: 8)
        e.lut += ResourceModel.lutRAM(banks: 1, depth: wd, width: 8)
        let tiles = ResourceModel.bramDepthTiles(depth: wd, width: 8)
        if tiles > 1 {
            e.lut += 2 * 8 * tiles / 4
            e.ff += 8 * tiles / 2
        }
        let qd = quantDepth(topo), qw = w.biasBits + w.multBits + 6
        e.bram36 += ResourceModel.bram36(banks: 1, depth: qd, width: qw)
        e.lut += ResourceModel.lutRAM(banks: 1, depth: qd, width: qw)
        // Activation buffers (ping-pong).
        let widest = max(topo.inputCount, topo.layers.dropLast().map(\.outCount).max() ?? 1)
        e.bram36 += ResourceModel.bram36(banks: 1, depth: 2 * widest, width: 8, trueDualPort: false)
        e.lut += ResourceModel.lutRAM(banks: 1, depth: 2 * widest, width: 8)
        // The 1 → 8 join of the output codes.
        e.lut += 40
        e.ff += 70
        return e
    }
}
