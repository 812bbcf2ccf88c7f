import ZynqNetBase
import ZynqNetModel

/// Timing of zn_seq, the sequential ("layer-folded") engine: one multiply-accumulate and one
/// zn_requant_serial shared by every layer (fpga/rtl/zn_seq.v documents the same schedule).
///
/// It lives with the topology (ZynqNetHW) so codegen (II_CYCLES, design.json) and the runtime's
/// loopback model of a sequential design use the same function.
///
/// `requantWordCycles` is zn_requant_serial's word period with one lane,
/// `requantWordCycles(bits: T, lanes: 1, passes: P)` = P·(T + 3) + 2 (P = 3 passes a lane when
/// float32 is built, else 1); the schedule uses its accept delay D = requantWordCycles − 1
/// (`serialRequantAcceptDelay`, P·(T + 3) + 1).
///
/// The schedule (deterministic, independent of the data), for output word w of an image (all
/// layers' outputs in order) with IN inputs:
///  - its elements 0 … IN−2 issue back to back from s_w; its last element issues at
///    e_w = max(s_w + IN − 1, a_{w−1} + 1), a_{w−1} the cycle the requantizer accepted the previous
///    word (the holding register is free again);
///  - the sum is in the holding register from e_w + 5; the requantizer accepts it at
///    a_w = e_w + 5 + D and offers the code at a_w + 1;
///  - the next word of the layer starts at e_w + 1; the first word of layer l + 1 at a_w + 2 of
///    layer l's last word (its codes are stored); layer 0 of an image at max(e + 1, F), e the last
///    issue of the previous image, F the cycle after the image's last input code was accepted.
///  - input code k of image n is accepted at max(offer_k, accept_{k−1} + 1, free_n), free_n = 0 for
///    the first two images and otherwise the cycle after image n − 2's last layer-0 issue (the input
///    memory has two halves; a half is free again once layer 0 has read it).
public enum SequentialTiming {
    /// The widths zn_seq is built with: the largest sum width, and the stored bias and M widths,
    /// which must be the same in every layer (one requantizer, one quant word layout).
    public struct Widths: Sendable, Equatable {
        public var sumBits: Int
        public var biasBits: Int
        public var multBits: Int
        /// The rounding modes the shared requantizer builds: every layer's (its ROUNDINGS).
        public var roundings: Int = LayerTopology.baseRoundings
    }

    /// Checks the topology fits one shared requantizer; the error names `key`.
    public static func widths(_ topo: Topology, key: String = "engine") throws(ZynqError) -> Widths {
        guard let first = topo.layers.first else { throw ZynqError(key: key, "the model has no layers") }
        if let i = topo.layers.firstIndex(where: { $0.kind != .dense }) {
            throw ZynqError(key: key, "the sequential engine computes dense layers only; layer \(i) is \(topo.layers[i].kind.name): use a dataflow fold (--fold with layers, or --target-fps)")
        }
        for (i, l) in topo.layers.enumerated() where l.biasBits != first.biasBits || l.multBits != first.multBits {
            throw ZynqError(key: key, "the sequential engine needs one bias and M width for all layers; layer \(i) has bias \(l.biasBits) b and M \(l.multBits) b, layer 0 \(first.biasBits) b and \(first.multBits) b")
        }
        let w = Widths(sumBits: topo.layers.map { $0.widths.sumBits }.max()!, biasBits: first.biasBits, multBits: first.multBits,
                       roundings: topo.layers.reduce(0) { $0 | $1.roundings })
        // Its zn_requant_serial builds every mode (gemmlowp with max(BIAS_W, SUM_W) <= 34).
        for (i, l) in topo.layers.enumerated() {
            if l.roundings & LayerTopology.gemmlowpBit != 0 && max(w.biasBits, w.sumBits) > 34 {
                throw ZynqError(key: key, "layer \(i)'s rounding gemmlowp needs bias and sum widths <= 34 bits in the sequential engine (\(w.biasBits), \(w.sumBits))")
            }
        }
        return w
    }

    /// zn_requant_serial's T from its BIAS_W, SUM_W and MULT_W parameters: bits of p it runs a
    /// lane, max(PW + 2, 96), PW = ACC_W + MULT_W, ACC_W = max(BIAS_W, SUM_W) + 1.
    public static func requantBits(biasBits: Int, sumBits: Int, multBits: Int) -> Int {
        max(max(biasBits, sumBits) + 1 + multBits + 2, 96)
    }

    /// zn_requant_serial's passes a lane: 3 when it builds float32 (`roundings` its ROUNDINGS:
    /// bit lengths of acc and of p first), else 1. Every word takes them, whatever its mode.
    public static func requantPasses(roundings: Int) -> Int { roundings & LayerTopology.float32Bit != 0 ? 3 : 1 }

    /// zn_requant_serial of T = `bits`: fewest cycles between two accepted words, LANES·P·(T + 3) + 2.
    public static func requantWordCycles(bits: Int, lanes: Int, passes: Int = 1) -> Int { lanes * passes * (bits + 3) + 2 }

    /// The shared zn_requant_serial (one lane) of zn_seq: P·(T + 3) + 2 (T + 5 without float32).
    public static func requantWordCycles(_ w: Widths) -> Int {
        requantWordCycles(bits: requantBits(biasBits: w.biasBits, sumBits: w.sumBits, multBits: w.multBits), lanes: 1,
                          passes: requantPasses(roundings: w.roundings))
    }

    /// The engine's exact II in cycles (input offered whenever it is taken, output never stalled):
    /// the schedule's, or the input or output stream's beats if more. II_CYCLES of a sequential design.
    public static func iiCycles(_ topo: Topology) throws(ZynqError) -> Int {
        let w = try widths(topo)
        let seq = iiCycles(inCounts: topo.layers.map { $0.inCount }, outCounts: topo.layers.map { $0.outCount },
                           requantWordCycles: requantWordCycles(w))
        return max(seq, OutputRecord.inputBeats(pixels: topo.inputCount), OutputRecord.beats(classes: topo.outputCount))
    }

    struct ImageSchedule {
        var inputAccepts: [Int]
        var outputOffers: [Int]
        var lastIssue: Int
        var lastLayer0Issue: Int
        var lastAccept: Int
    }

    /// Runs `offers.count` codes (whole images) through the schedule.
    static func run(inCounts: [Int], outCounts: [Int], requantWordCycles: Int, offers: [Int]) -> [ImageSchedule] {
        precondition(!inCounts.isEmpty && inCounts.count == outCounts.count, "one in and out count a layer")
        precondition(zip(inCounts.dropFirst(), outCounts).allSatisfy { $0 == $1 }, "layers must chain")
        let d = requantWordCycles - 1
        let n0 = inCounts[0]
        let images = offers.count / n0
        var result: [ImageSchedule] = []
        var prevCodeAccept = Int.min / 4
        var prevLastIssue = Int.min / 4      // e of the previous image's last word
        var prevWordAccept = Int.min / 4     // a of the previous word (any image)
        for n in 0..<images {
            let free = n >= 2 ? result[n - 2].lastLayer0Issue + 1 : 0
            var accepts: [Int] = []
            accepts.reserveCapacity(n0)
            for k in 0..<n0 {
                let a = max(offers[n * n0 + k], prevCodeAccept + 1, free)
                accepts.append(a)
                prevCodeAccept = a
            }
            var s = max(prevLastIssue + 1, accepts[n0 - 1] + 1)
            var outs: [Int] = []
            var e = s
            var lastL0 = s
            for l in 0..<inCounts.count {
                for _ in 0..<outCounts[l] {
                    e = max(s + inCounts[l] - 1, prevWordAccept + 1)
                    let a = e + 5 + d
                    prevWordAccept = a
                    if l == inCounts.count - 1 { outs.append(a + 1) }
                    s = e + 1
                }
                if l == 0 { lastL0 = e }
                s = prevWordAccept + 2
            }
            prevLastIssue = e
            result.append(ImageSchedule(inputAccepts: accepts, outputOffers: outs, lastIssue: e,
                                        lastLayer0Issue: lastL0, lastAccept: prevWordAccept))
        }
        return result
    }

    /// Cycles at which each of the last layer's output codes of ONE image is first offered (out_valid rises),
    /// for an idle engine after reset, when input code k is offered from cycle inputOffers[k] (non-decreasing) until accepted,
    /// and out_ready is always 1. Cycle 0 = the cycle inputOffers[0] refers to.
    public static func outputOffers(inCounts: [Int], outCounts: [Int], requantWordCycles: Int, inputOffers: [Int]) -> [Int] {
        precondition(inputOffers.count == inCounts.first ?? 0, "one offer per input code of one image")
        return run(inCounts: inCounts, outCounts: outCounts, requantWordCycles: requantWordCycles, offers: inputOffers)[0].outputOffers
    }

    /// Steady state: cycles between the first accepted input codes of consecutive images, input offered every cycle
    /// in_ready allows, out_ready always 1.
    public static func iiCycles(inCounts: [Int], outCounts: [Int], requantWordCycles: Int) -> Int {
        let images = 6
        let r = run(inCounts: inCounts, outCounts: outCounts, requantWordCycles: requantWordCycles,
                    offers: [Int](repeating: 0, count: images * inCounts[0]))
        return r[images - 1].inputAccepts[0] - r[images - 2].inputAccepts[0]
    }
}
