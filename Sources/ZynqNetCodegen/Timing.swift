import ZynqNetHW

/// The latency of a generated design, from the pipeline depths of the RTL library, measured the
/// way `zynqnet verify` measures it: an empty pipeline, input beats offered back to back, the
/// output always ready; from the cycle of the image's first input handshake to the cycle of its
/// last output handshake, both counted (last − first + 1).
///
/// The model follows each stream word of one image through the stages of `zynqnet_accel.v`
/// (max-plus arithmetic on handshake cycles, relative to the first input beat):
///
/// - `zn_resize` (zn_axis_in 8 → SIMD0, requant joins, the PE → lanes splits): SPLIT takes a word
///   when its previous one has been shifted out completely and shifts one part out a cycle from
///   the next cycle; COLLECT hands a word over the cycle after its last part arrived (also a
///   partial last word); GENERAL is
///   run as the lane counter it is (in_ready = count ≤ CAP − IN, out_valid = count ≥ take).
/// - `zn_mvau`: issue starts the cycle after the image's last input word is written; output word
///   j leaves its skid buffer 4 + DOT_LAT cycles after its last fold step is issued
///   (2 memory-read registers, DOT_LAT = 2 + tree levels of zn_dot, accumulator, skid).
/// - `zn_requant`: 10 cycles from accepting a word to offering it (9 stages and the skid); 16 when
///   it builds float32 (its six stages F1-F6), `pipelinedRequantLatency`.
/// - `zn_requant_serial`: seeing word w offered while idle at cycle a, it accepts it at
///   h = a + D, D = LANES·(T + 3) + 1, and offers the result at h + 1, idle again; so
///   h_w = max(offer_w, h_{w-1} + 1) + D (`serialRequantTiming`).
/// - `zn_axis_out`: the tree argmax takes a word a cycle, the serial one a word of n codes n − 1
///   cycles after it is offered (or after the previous word was taken); beat 0 two cycles after
///   the argmax took the last value word, the value beats on the following cycles (`outputStage`).
///
/// Every consumer of a stream takes at most one word a cycle. Back-pressure inside the first
/// image (a split slower than its MAC array) is modelled as a rate limit on the consumer, which
/// is exact while the skid buffers cover the gap (they hold two words).
public enum PipelineTiming {
    /// Latency (cycles) of one image through an empty pipeline.
    /// `requant`: each layer's requantizer; nil means the automatic choice (`RequantStyle.automatic`).
    /// `argmax`: zn_axis_out's argmax; nil means the automatic choice (`ArgmaxStyle.automatic`).
    public static func latencyCycles(layout: AcceleratorLayout, regEvery: Int, requant: [RequantStyle]? = nil,
                                     argmax: ArgmaxStyle? = nil) -> Int {
        let topo = layout.topology
        let folds = layout.folds
        if !topo.isDenseOnly { return windowLatencyBound(layout: layout, regEvery: regEvery) }
        // Input beats: offered every cycle from cycle 0 (the first handshake is cycle 0).
        let beats = OutputRecord.inputBeats(pixels: topo.inputCount)
        var words = resize(offers: [Int](repeating: 0, count: beats), inLanes: 8,
                           outLanes: layout.inputLanes(layer: 0), n: topo.inputCount)
        for (i, (t, f)) in zip(topo.layers, folds).enumerated() {
            // zn_mvau: the input double buffer takes a word a cycle.
            let written = consume(words)
            let issueStart = (written.last ?? 0) + 1
            let sf = t.inCount / f.simd, nf = t.outCount / f.pe
            let sums = (0..<nf).map { j in issueStart + (j + 1) * sf - 1 + mvauLatency(simd: f.simd, regEvery: regEvery) }
            // zn_resize PE -> lanes, zn_requant (10 cycles) or zn_requant_serial, zn_resize lanes -> next SIMD (or 8).
            let split = resize(offers: sums, inLanes: f.pe, outLanes: f.lanes, n: t.outCount)
            let style = requant?[i] ?? RequantStyle.automatic(t, f)
            let requantOut = style == .serial
                ? serialRequantTiming(offers: split, wordLatency: serialRequantAcceptDelay(t, lanes: f.lanes)).map { $0 + 1 }
                : consume(split).map { $0 + pipelinedRequantLatency(t) }
            let nextLanes = i == topo.layers.count - 1 ? 8 : layout.inputLanes(layer: i + 1)
            words = resize(offers: requantOut, inLanes: f.lanes, outLanes: nextLanes, n: t.outCount)
        }
        return outputStage(words: words, classes: topo.outputCount, argmax: argmax ?? ArgmaxStyle.automatic(layout))
    }

    /// Designs with conv2d or maxpool2d layers: a bound, not the exact model of dense designs
    /// (`zynqnet verify` measures the latency). The layers overlap in time, so an image takes at
    /// most the sum of every stage's full-rate cycles an image (`LayerCycles`, the requantizer's
    /// words, a serial requantizer's rate: `AcceleratorLayout.serialRequant`) plus each stage's
    /// pipeline depth (MAC array, requantizer (a serial one's word period), converters: 40 cycles),
    /// plus the input beats and the output stage.
    static func windowLatencyBound(layout: AcceleratorLayout, regEvery: Int) -> Int {
        let topo = layout.topology
        var total = OutputRecord.inputBeats(pixels: topo.inputCount)
        for (i, (t, f)) in zip(topo.layers, layout.folds).enumerated() {
            total += layout.cycles(layer: i) + 40
            if t.hasParameters {
                let requant = layout.serialRequant[i] ? serialRequantWordCycles(t, lanes: f.lanes) : pipelinedRequantLatency(t)
                total += mvauLatency(simd: f.simd, regEvery: regEvery) + requant + t.outCount / f.lanes
            }
        }
        return total + OutputRecord.beats(classes: topo.outputCount) + (topo.outputCount + 7) / 8 + 4
    }

    /// zn_axis_out for one image, output always ready: `words` are the cycles at which its
    /// ceil(classes/8) 8-lane words are offered (the upstream holds each until taken); returns the
    /// cycle after the image's last output beat (the latency when cycles count from the first input
    /// handshake at 0). The tree argmax and the value FIFO take a word a cycle; the serial argmax
    /// takes a word of n codes n − 1 cycles after it starts scanning it, which is when it is offered
    /// or the cycle after the previous word was taken (n = 8, or classes − 8·(words − 1) for the
    /// last word). Beat 0 two cycles after the last word was taken, then the value beats, one a cycle.
    public static func outputStage(words: [Int], classes: Int, argmax: ArgmaxStyle) -> Int {
        let valueBeats = (classes + 7) / 8
        precondition(words.count == valueBeats, "outputStage: \(words.count) words for \(classes) classes")
        var taken = Int.min / 2
        for (w, offer) in words.enumerated() {
            let codes = w == valueBeats - 1 ? classes - 8 * (valueBeats - 1) : 8
            taken = max(offer, taken + 1) + (argmax == .serial ? codes - 1 : 0)
        }
        let lastOut = taken + 2 + valueBeats
        return lastOut + 1
    }

    /// zn_axis_out8 (the sequential engine's output stage) for one image, idle stage, output
    /// always ready: `codes` are the cycles at which the image's `classes` codes are offered (the
    /// upstream holds each until taken, non-decreasing); returns the cycle after the image's last
    /// output beat. The stage takes a code a cycle (code k at max(offer_k, taken_{k−1} + 1)); from
    /// the last code taken at a, each beat is assembled a byte a cycle in 8 cycles and handed over
    /// 9 cycles after the previous one: beat 0 at a + 10, value beat v at a + 10 + 9·(v + 1).
    public static func outputStage8(codes: [Int], classes: Int) -> Int {
        precondition(classes >= 1 && codes.count == classes, "outputStage8: \(codes.count) codes for \(classes) classes")
        var taken = Int.min / 2
        for offer in codes { taken = max(offer, taken + 1) }
        let valueBeats = (classes + 7) / 8
        let lastOut = taken + 10 + 9 * valueBeats
        return lastOut + 1
    }

    /// zn_axis_out8: cycles its reader is busy with one image from the cycle after its last code,
    /// 9·(ceil(classes/8) + 1) + 1. Codes offered at least this far apart never wait.
    public static func outputStage8Busy(classes: Int) -> Int { 9 * ((classes + 7) / 8 + 1) + 1 }

    /// zn_requant's cycles from accepting a word to offering it: 10, or 16 with float32 built.
    public static func pipelinedRequantLatency(_ t: LayerTopology) -> Int {
        t.roundings & LayerTopology.float32Bit != 0 ? 16 : 10
    }

    /// zn_requant_serial's T: bits of p it runs a lane, max(PW + 2, 96), PW = ACC_W + MULT_W,
    /// ACC_W = max(BIAS_W, SUM_W) + 1 (the RTL's widths).
    public static func serialRequantBits(_ t: LayerTopology) -> Int {
        serialRequantBits(biasBits: t.biasBits, sumBits: t.widths.sumBits, multBits: t.multBits)
    }

    /// zn_requant_serial's T from its BIAS_W, SUM_W and MULT_W parameters.
    public static func serialRequantBits(biasBits: Int, sumBits: Int, multBits: Int) -> Int {
        SequentialTiming.requantBits(biasBits: biasBits, sumBits: sumBits, multBits: multBits)
    }

    /// zn_requant_serial's D: cycles from the idle cycle that sees a word to accepting it,
    /// LANES·P·(T + 3) + 1 (P = 3 passes with float32 built, else 1).
    public static func serialRequantAcceptDelay(_ t: LayerTopology, lanes: Int) -> Int {
        serialRequantWordCycles(t, lanes: lanes) - 1
    }

    /// zn_requant_serial: fewest cycles between two accepted words, LANES·P·(T + 3) + 2.
    public static func serialRequantWordCycles(_ t: LayerTopology, lanes: Int) -> Int {
        serialRequantWordCycles(bits: serialRequantBits(t), lanes: lanes, passes: SequentialTiming.requantPasses(roundings: t.roundings))
    }

    /// The same for a requantizer of T = `bits` running `passes` passes a lane.
    public static func serialRequantWordCycles(bits: Int, lanes: Int, passes: Int = 1) -> Int {
        SequentialTiming.requantWordCycles(bits: bits, lanes: lanes, passes: passes)
    }

    /// Whether zn_requant_serial keeps up with the layer's MAC array: the PE/LANES requantizer
    /// words of one MAC output word take no longer than the SF = IN/SIMD cycles between MAC words.
    /// Then no word waits for it, the MAC array never stalls and the II does not change.
    public static func serialRequantKeepsUp(_ t: LayerTopology, _ f: LayerFold) -> Bool {
        (f.pe / f.lanes) * serialRequantWordCycles(t, lanes: f.lanes) <= t.inCount / f.simd
    }

    /// Accept cycles of zn_requant_serial for words offered at `offers`.
    static func serialRequantTiming(offers: [Int], wordLatency d: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(offers.count)
        var prev = Int.min / 2
        for o in offers {
            prev = max(o, prev + 1) + d
            out.append(prev)
        }
        return out
    }

    /// zn_mvau's cycles from an output word's last fold step issued to its offer: 4 + DOT_LAT,
    /// DOT_LAT = 2 + the adder tree's registered levels (its LATENCY parameter).
    public static func mvauLatency(simd: Int, regEvery: Int) -> Int { 4 + 2 + treeLatency(simd, every: regEvery) }

    /// zn_tree_lat: registered levels of zn_addtree.
    static func treeLatency(_ n: Int, every: Int) -> Int {
        let levels = n > 1 ? clog2(n) : 0
        return levels == 0 ? 1 : (levels + every - 1) / every
    }

    /// Handshake cycles of words offered at `offers` to a consumer that takes one a cycle.
    static func consume(_ offers: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(offers.count)
        var prev = Int.min / 2
        for o in offers {
            prev = max(o, prev + 1)
            out.append(prev)
        }
        return out
    }

    /// zn_resize for one image (lanes of any width): input words offered at `offers` (upstream holds each word until
    /// taken), output always ready; returns the handshake cycle of each output word.
    public static func resize(offers: [Int], inLanes: Int, outLanes: Int, n: Int) -> [Int] {
        let inWords = (n + inLanes - 1) / inLanes
        let outWords = (n + outLanes - 1) / outLanes
        precondition(offers.count == inWords)
        let split = inLanes % outLanes == 0 && n % inLanes == 0
        let collect = !split && outLanes % inLanes == 0 && n % inLanes == 0
        var out: [Int] = []
        out.reserveCapacity(outWords)
        if split {
            let r = inLanes / outLanes
            var push = Int.min / 2
            for (k, o) in offers.enumerated() {
                push = k == 0 ? o : max(o, push + r)
                for p in 0..<r { out.append(push + 1 + p) }
            }
        } else if collect {
            let r = outLanes / inLanes
            let pushes = consume(offers)
            // A last, partial output word is handed over after its last input word.
            for j in 0..<outWords { out.append(pushes[min(j * r + r, inWords) - 1] + 1) }
        } else {
            // GENERAL: a lane buffer of CAP lanes and a fill counter.
            let cap = outLanes + 2 * inLanes - 1
            let inLast = n - (inWords - 1) * inLanes
            let outLast = n - (outWords - 1) * outLanes
            var cnt = 0, inIdx = 0, outIdx = 0
            var t = offers.first ?? 0
            while outIdx < outWords {
                let take = outIdx == outWords - 1 ? outLast : outLanes
                let pop = cnt >= take
                let push = inIdx < inWords && offers[inIdx] <= t && cnt <= cap - inLanes
                if !pop && !push {
                    // Nothing moves until the next input word is offered.
                    guard inIdx < inWords else { break }   // unreachable for consistent parameters
                    t = max(t + 1, offers[inIdx])
                    continue
                }
                if pop {
                    out.append(t)
                    cnt -= take
                    outIdx += 1
                }
                if push {
                    cnt += inIdx == inWords - 1 ? inLast : inLanes
                    inIdx += 1
                }
                t += 1
            }
        }
        return out
    }
}
