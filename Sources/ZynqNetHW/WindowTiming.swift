/// Timing of the sliding-window unit `zn_swu` and the max-pool units `zn_maxpool` and
/// `zn_maxpool_row` at full rate:
/// input words offered every cycle from the first handshake (cycle 0), output always ready.
///
/// The model runs the units' control cycle by cycle, as the RTL does: a ring of
/// R = min(KH, H) + SH input rows; `d` = rows written − the first row the current output row
/// needs. The writer takes a word when d < R; the reader issues one window word (PAR patch words)
/// a cycle when d ≥ the number of the output row's window rows inside the image; an issued word is handed
/// over 2 cycles later (block-RAM read register, skid buffer), a pooled word 3 cycles later
/// (zn_maxpool's skid buffer). In steady state an image then takes about
/// max(H·W·CB, HO·WO·KH·KW·CB/PAR) cycles (CB = C/SIMD), plus the wait for the first window rows.
/// `zn_maxpool_row` (windows that do not overlap: `rowPool`) takes an input word every cycle and
/// hands a result over the cycle after the word that completes its window: H·W·CB cycles an image.
public enum WindowTiming {
    /// One layer's window: image H × W × C, kernel KH × KW, stride, padding (top, left, bottom,
    /// right), SIMD codes an input word, PAR patch words an output word (zn_swu's parameters).
    public struct Window: Sendable, Hashable, CustomStringConvertible {
        public var h, w, c, kh, kw, sh, sw, pt, pl, pb, pr, simd, par: Int
        /// Ring rows beyond min(KH, H) + SH (zn_swu's XROWS).
        public var extraRows: Int
        public init(h: Int, w: Int, c: Int, kh: Int, kw: Int, sh: Int = 1, sw: Int = 1,
                    pt: Int = 0, pl: Int = 0, pb: Int = 0, pr: Int = 0, simd: Int = 1, par: Int = 1, extraRows: Int = 0) {
            (self.h, self.w, self.c, self.kh, self.kw, self.sh, self.sw) = (h, w, c, kh, kw, sh, sw)
            (self.pt, self.pl, self.pb, self.pr, self.simd, self.par, self.extraRows) = (pt, pl, pb, pr, simd, par, extraRows)
        }
        public var ho: Int { (h + pt + pb - kh) / sh + 1 }
        public var wo: Int { (w + pl + pr - kw) / sw + 1 }
        /// Words of SIMD codes a pixel.
        public var cb: Int { c / simd }
        /// Input words of one image.
        public var inputWords: Int { h * w * cb }
        /// Output words a position (issues of PAR patch words).
        public var positionWords: Int { kh * kw * cb / par }
        /// Window words of one image (zn_swu's output).
        public var windowWords: Int { ho * wo * positionWords }
        /// Line-buffer rows of zn_swu.
        public var bufferRows: Int { min(kh, h) + sh + extraRows }
        /// Whether the windows do not overlap and there is no padding (SH ≥ KH, SW ≥ KW): a
        /// max-pool is then built as `zn_maxpool_row` (one row of partial maxima, no line buffer).
        public var rowPool: Bool { sh >= kh && sw >= kw && pt == 0 && pl == 0 && pb == 0 && pr == 0 }
        public var description: String {
            "\(h)x\(w)x\(c) k\(kh)x\(kw) s\(sh),\(sw) pad \(pt),\(pl),\(pb),\(pr) SIMD \(simd)" + (par > 1 ? " PAR \(par)" : "") + (extraRows > 0 ? " XROWS \(extraRows)" : "")
        }
    }

    /// zn_swu: for each of `images` images, the cycle of its last output handshake (cycle 0 = the
    /// first input handshake). Valid when every output row has a window row inside the image (PT < KH).
    public static func swuLastOutputs(_ s: Window, images: Int) -> [Int] {
        let r = s.bufferRows, wb = s.w * s.cb, total = images * s.h * wb, kk = s.positionWords
        var d = 0, wx = 0, written = 0
        var img = 0, oy = 0, ox = 0, k = 0, yb = -s.pt, loY = 0
        var out: [Int] = []
        var t = 0
        while out.count < images {
            var rowWritten = 0
            if written < total && d < r {
                written += 1
                wx += 1
                if wx == wb { wx = 0; rowWritten = 1 }
            }
            var step = 0
            let need = min(s.h - 1, yb + s.kh - 1) - loY + 1
            if img < images && d >= need {
                k += 1
                if k == kk {
                    k = 0
                    ox += 1
                    if ox == s.wo {
                        ox = 0
                        oy += 1
                        if oy == s.ho {
                            step = s.h - loY
                            out.append(t + 2)
                            img += 1
                            oy = 0
                            yb = -s.pt
                            loY = 0
                        } else {
                            yb += s.sh
                            let lo = min(max(yb, 0), s.h)
                            step = lo - loY
                            loY = lo
                        }
                    }
                }
            }
            d += rowWritten - step
            t += 1
        }
        return out
    }

    /// zn_swu's steady-state cycles an image at full rate: the distance between the last outputs
    /// of images 2 and 3 (the first image has no previous one to overlap with).
    public static func swuInterval(_ s: Window) -> Int {
        let o = swuLastOutputs(s, images: 3)
        return o[2] - o[1]
    }

    /// zn_maxpool (a zn_swu without padding and the running maximum): per image, the cycle of its
    /// last output handshake, one cycle after zn_swu's.
    public static func maxpoolLastOutputs(_ s: Window, images: Int) -> [Int] {
        swuLastOutputs(s, images: images).map { $0 + 1 }
    }

    /// zn_maxpool_row (`rowPool` windows): per image, the cycle of its last output handshake. It
    /// takes an input word every cycle, so image i's word k is taken at i·H·W·CB + k; its last
    /// result is completed by word (((HO−1)·SH + KH−1)·W + (WO−1)·SW + KW−1)·CB + CB−1 (the later
    /// rows and columns are dropped) and handed over the next cycle.
    public static func maxpoolRowLastOutputs(_ s: Window, images: Int) -> [Int] {
        precondition(s.rowPool, "maxpoolRowLastOutputs: the windows of \(s) overlap")
        let k = (((s.ho - 1) * s.sh + s.kh - 1) * s.w + (s.wo - 1) * s.sw + s.kw - 1) * s.cb + s.cb - 1
        return (0..<images).map { $0 * s.inputWords + k + 1 }
    }

    /// A max-pool layer's steady-state cycles an image at full rate: zn_maxpool_row's H·W·CB input
    /// words for `rowPool` windows, else zn_maxpool's zn_swu (`swuInterval`).
    public static func maxpoolInterval(_ s: Window) -> Int {
        s.rowPool ? s.inputWords : swuInterval(s)
    }
}
