/// Timing of zn_seq, the sequential ("layer-folded") engine: one multiply-accumulate and one
/// zn_requant_serial shared by every layer (fpga/rtl/zn_seq.v documents the same schedule).
///
/// `requantWordCycles` is zn_requant_serial's word period with one lane,
/// `PipelineTiming.serialRequantWordCycles(t, lanes: 1)` = T + 5; the schedule uses its accept
/// delay D = requantWordCycles − 1 (`serialRequantAcceptDelay`, T + 4).
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
