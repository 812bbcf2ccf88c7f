import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel

/// The latency model (PipelineTiming) by hand, and the trade-off curve's invariants.
/// (VerifyTests checks the latency model against the Verilator co-simulation on every design.)
@Suite struct TimingAndCurveTests {
    func model(_ dims: [Int], seed: UInt64 = 1) -> QuantizedModel { uniformModel(dims, seed: seed) }

    func latency(_ dims: [Int], _ folds: [LayerFold], argmax: ArgmaxStyle? = nil) throws -> Int {
        let topo = try Topology(model: model(dims), multBits: 32)
        return PipelineTiming.latencyCycles(layout: try AcceleratorLayout(topology: topo, folds: folds), regEvery: 2, argmax: argmax)
    }

    /// 16-8-4, PE = SIMD = 1 everywhere, cycles counted from the first input beat (cycle 0):
    /// - zn_axis_in splits each 8-pixel beat into 8 one-pixel words, a beat every 8 cycles: the
    ///   16th word enters layer 0's buffer at cycle 16;
    /// - layer 0 issues from cycle 17, 16·8 steps; the last output word's last step is issued at
    ///   17 + 128 − 1 = 144 and leaves the MAC unit (2 reads, product, 1 tree level, final
    ///   register, accumulator, skid) at 144 + 7 = 151; the 1→1 split passes it at 152;
    ///   requantization takes 10 cycles (162); the 1→1 join passes it to layer 1 at 163;
    /// - layer 1 issues from 164, 8·4 steps: last word at 164 + 32 − 1 + 7 = 202, split 203,
    ///   requant 213; the general 1→8 join holds the 4 codes and hands them over at 214;
    /// - zn_axis_out: the tree argmax takes the word at 214, beat 0 at 214 + 2 = 216, the one value
    ///   beat at 217: latency 217 + 1 = 218. Layer 1 yields a code every SF = 8 cycles (PE 1), so
    ///   codegen picks the serial argmax: it scans the word's 4 codes at 214…217 and takes it at 217,
    ///   beat 0 at 219, the value beat at 220: latency 221.
    /// (The Verilator co-simulation measures 218 with the tree, 221 with the serial argmax.)
    @Test func latencyByHandSmallestDesign() throws {
        let ones = [LayerFold(pe: 1, simd: 1, lanes: 1), LayerFold(pe: 1, simd: 1, lanes: 1)]
        #expect(try latency([16, 8, 4], ones) == 221)
        #expect(try latency([16, 8, 4], ones, argmax: .tree) == 218)
    }

    /// 784-128-10 at the goal fold (layer 0 PE 8 SIMD 28, layer 1 PE 2 SIMD 2, one lane each):
    /// - the general 8→28 gearbox takes a beat a cycle (its count never exceeds 35 = CAP − 8),
    ///   so beat 97 enters at 97 and the 28th word leaves at 98;
    /// - layer 0 issues from 99, 28·16 steps; zn_dot has 3 tree registers for 28 lanes
    ///   (5 levels, one every 2), so a word leaves 4 + 5 cycles after its last step:
    ///   99 + 448 − 1 + 9 = 555 for the last; the 8→1 split shifts it out at 556…563;
    ///   requant: 573; the 1→2 collect hands the last pair to layer 1 at 574;
    /// - layer 1 issues from 575, 64·5 steps, 1 tree register: 575 + 320 − 1 + 7 = 901; the 2→1
    ///   split: 902, 903; requant: 913; the general 1→8 join (10 codes): 914;
    /// - zn_axis_out, tree argmax: beat 0 at 916, value beats at 917 and 918: latency 918 + 1 = 919.
    ///   Layer 1 yields 2 codes every 64 cycles, so codegen picks the serial argmax: the first word
    ///   (codes 0…7, complete 4 MAC words = 256 cycles earlier) is long scanned; the last word's 2
    ///   codes are scanned at 914 and 915, beat 0 at 917, value beats at 918 and 919: latency 920.
    /// docs/hardware.md records 919 measured in co-simulation (tree argmax) before this model existed.
    @Test func latencyByHandMNISTGoalFold() throws {
        let folds = [LayerFold(pe: 8, simd: 28, lanes: 1), LayerFold(pe: 2, simd: 2, lanes: 1)]
        #expect(try latency([784, 128, 10], folds) == 920)
        #expect(try latency([784, 128, 10], folds, argmax: .tree) == 919)
    }

    /// zn_axis_out alone: words offered at given cycles, C classes.
    @Test func outputStageByHand() {
        // Tree: a word a cycle; beat 0 two cycles after the last word, then the value beats.
        #expect(PipelineTiming.outputStage(words: [5], classes: 3, argmax: .tree) == 5 + 2 + 1 + 1)
        #expect(PipelineTiming.outputStage(words: [0, 0], classes: 10, argmax: .tree) == 1 + 2 + 2 + 1)
        // Serial: a full word takes 8 cycles (taken at offer + 7), the last word of 2 codes 2 (+1).
        #expect(PipelineTiming.outputStage(words: [0, 100], classes: 10, argmax: .serial) == 101 + 2 + 2 + 1)
        // Words offered back to back: the second is scanned from 8 (after the first was taken at 7).
        #expect(PipelineTiming.outputStage(words: [0, 1], classes: 10, argmax: .serial) == 9 + 2 + 2 + 1)
        #expect(PipelineTiming.outputStage(words: [0, 1, 2], classes: 17, argmax: .serial) == 16 + 2 + 3 + 1)
        // One code: no scan delay.
        #expect(PipelineTiming.outputStage(words: [4], classes: 1, argmax: .serial) == 4 + 2 + 1 + 1)
    }

    /// zn_axis_out8 alone (by hand from its schedule): the last code taken at a; stage A reads
    /// beat 0's bytes at a+1 … a+8, stage B shifts the last at a+9, TVALID at a+10 (handed over);
    /// each further beat 9 cycles later.
    @Test func outputStage8ByHand() {
        #expect(PipelineTiming.outputStage8(codes: [7], classes: 1) == 7 + 10 + 9 + 1)
        // Codes offered together are taken one a cycle: the 10th at 9.
        #expect(PipelineTiming.outputStage8(codes: [Int](repeating: 0, count: 10), classes: 10) == 9 + 10 + 18 + 1)
        #expect(PipelineTiming.outputStage8(codes: [0, 200, 400], classes: 3) == 400 + 10 + 9 + 1)
        // The sequential engine offers codes at least T + 10 >= 106 cycles apart; the stage is busy
        // 9·(ceil(C/8) + 1) + 1 cycles from an image's last code: far less than C such gaps, so
        // it never holds a code back (the II is zn_seq's).
        #expect((1...2048).allSatisfy { PipelineTiming.outputStage8Busy(classes: $0) <= 106 * $0 })
    }

    /// The automatic argmax: serial only where the last layer yields at most a code every 8 cycles
    /// and its 8-code words end on MAC-word boundaries.
    @Test func argmaxChoice() {
        let t = LayerTopology(inCount: 128, outCount: 10, inSigned: false, outSigned: true, multBits: 32)
        #expect(ArgmaxStyle.automatic(t, LayerFold(pe: 1, simd: 1, lanes: 1)) == .serial)
        #expect(ArgmaxStyle.automatic(t, LayerFold(pe: 2, simd: 2, lanes: 1)) == .serial)   // SF 64 >= 16
        #expect(ArgmaxStyle.automatic(t, LayerFold(pe: 2, simd: 16, lanes: 2)) == .tree)   // SF 8 < 16
        #expect(ArgmaxStyle.automatic(t, LayerFold(pe: 5, simd: 1, lanes: 5)) == .tree)    // 5 does not divide 8, C > 8
        #expect(ArgmaxStyle.automatic(t, LayerFold(pe: 10, simd: 128, lanes: 10)) == .tree)
        let t6 = LayerTopology(inCount: 64, outCount: 6, inSigned: false, outSigned: true, multBits: 32)
        #expect(ArgmaxStyle.automatic(t6, LayerFold(pe: 3, simd: 2, lanes: 3)) == .serial) // one word an image, SF 32 >= 24
    }

    /// Resize timing by hand, in isolation.
    @Test func resizeModes() {
        // SPLIT 4 → 1: a word every 4 cycles at the most; parts from the next cycle.
        #expect(PipelineTiming.resize(offers: [0, 0], inLanes: 4, outLanes: 1, n: 8) == [1, 2, 3, 4, 5, 6, 7, 8])
        // A late second word: taken when offered.
        #expect(PipelineTiming.resize(offers: [0, 10], inLanes: 4, outLanes: 1, n: 8) == [1, 2, 3, 4, 11, 12, 13, 14])
        // COLLECT 1 → 3: the word leaves the cycle after its third part.
        #expect(PipelineTiming.resize(offers: [0, 1, 5, 6, 7, 8], inLanes: 1, outLanes: 3, n: 6) == [6, 9])
        // GENERAL 3 → 2 (N = 6): buffer of 2 + 6 − 1 = 7 lanes; input while count ≤ 4.
        // cycle 0: push (count 3); 1: pop, push (3 − 2 + 3 = 4); 2: pop (2); 3: pop the last 2.
        #expect(PipelineTiming.resize(offers: [0, 0], inLanes: 3, outLanes: 2, n: 6) == [1, 2, 3])
    }

    @Test func curveStartsSmallEndsInBudgetAndIsPareto() throws {
        let topo = try Topology(model: model([16, 8, 4]), multBits: 32)
        let curve = try TradeoffCurve.curve(topo)
        let all = try TradeoffCurve.candidates(topo, style: .packed, budget: .xc7z020Auto)
        // First point: the sequential engine (every layer on one MAC), II above Σ in·out; then
        // PE = SIMD = 1 everywhere, II = the biggest layer's in·out.
        let first = try #require(curve.first)
        #expect(first.engine == .sequential)
        #expect(first.folds == [LayerFold(pe: 1, simd: 1, lanes: 1), LayerFold(pe: 1, simd: 1, lanes: 1)])
        #expect(first.iiCycles > 16 * 8 + 8 * 4)
        let second = try #require(curve.dropFirst().first)
        #expect(second.engine == .dataflow)
        #expect(second.folds == [LayerFold(pe: 1, simd: 1, lanes: 1), LayerFold(pe: 1, simd: 1, lanes: 1)])
        #expect(second.iiCycles == 16 * 8)
        // Last point: fits the budget, and is what `codegen` picks by default (the fastest that fits).
        let last = try #require(curve.last)
        #expect(last.estimate.exceeds(.xc7z020Auto) == nil)
        let fastest = try generateDesign(model: model([16, 8, 4]), options: CodegenOptions())
        #expect(last.iiCycles == fastest.iiCycles)
        // 16-8-4 fully parallel is II 2 (the 16 pixels are 2 input beats).
        #expect(last.iiCycles == 2)
        // Monotone: slowest first; a faster point always uses more LUTs or more DSPs than a slower
        // one, and no candidate is better in every respect than a curve point.
        for (i, p) in curve.enumerated() {
            #expect(p.estimate.exceeds(.xc7z020Auto) == nil)
            for q in curve[(i + 1)...] {
                #expect(q.iiCycles <= p.iiCycles)
                if q.iiCycles < p.iiCycles {
                    #expect(q.estimate.lut > p.estimate.lut || q.estimate.dsp > p.estimate.dsp)
                }
                // More of both resources never means a slower design.
                if q.estimate.lut >= p.estimate.lut && q.estimate.dsp >= p.estimate.dsp { #expect(q.iiCycles <= p.iiCycles) }
            }
            #expect(!all.contains { $0.dominates(p) })
        }
        // Every II of the curve is a design codegen builds with that fold.
        for p in curve {
            var o = CodegenOptions()
            o.fold = .file(p.foldFile, name: "curve")
            let d = try generateDesign(model: model([16, 8, 4]), options: o)
            #expect(d.iiCycles == p.iiCycles && d.estimate == p.estimate && d.latencyCycles == p.latencyCycles)
        }
    }

    @Test func aSmallerBudgetCutsTheCurve() throws {
        let topo = try Topology(model: model([784, 128, 10]), multBits: 32)
        let full = try TradeoffCurve.curve(topo)
        let small = ResourceBudget(lut: 8000, ff: 50_000, dsp: 40, bram36: 60)
        let cut = try TradeoffCurve.curve(topo, budget: small)
        #expect(cut.first?.folds == full.first?.folds)
        #expect(cut.count < full.count)
        #expect(try #require(cut.last).iiCycles > (try #require(full.last)).iiCycles)
        for p in cut { #expect(p.estimate.exceeds(small) == nil) }
        // 1,000 LUTs: only the sequential engine fits.
        let tiny = try TradeoffCurve.curve(topo, budget: ResourceBudget(lut: 1000, ff: 50_000, dsp: 40, bram36: 60))
        #expect(tiny.count == 1 && tiny.first?.engine == .sequential)
        // Nothing fits: a clear error naming the smallest design and the resource.
        #expect(throws: ZynqError.self) {
            try TradeoffCurve.curve(topo, budget: ResourceBudget(lut: 500, ff: 50_000, dsp: 40, bram36: 60))
        }
        do {
            _ = try TradeoffCurve.curve(topo, budget: ResourceBudget(lut: 500, ff: 50_000, dsp: 40, bram36: 60))
        } catch let e as ZynqError {
            #expect(e.key == "budget" && e.message.contains("the sequential engine") && e.message.contains("LUT"), "\(e)")
        }
    }

    @Test func spreadPicksEvenlyWithBothEnds() {
        #expect(TradeoffCurve.spread(7, count: 3) == [0, 3, 6])
        #expect(TradeoffCurve.spread(21, count: 4) == [0, 7, 13, 20])
        #expect(TradeoffCurve.spread(5, count: 1) == [4])
        #expect(TradeoffCurve.spread(3, count: 8) == [0, 1, 2])
        #expect(TradeoffCurve.spread(0, count: 3) == [])
        #expect(TradeoffCurve.spread(4, count: 0) == [])
    }
}
