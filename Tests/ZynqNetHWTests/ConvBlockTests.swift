import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW

/// The conv blocks zn_swu (sliding window), zn_maxpool and zn_maxpool_row in iverilog (some in Verilator)
/// against naive Swift models of format 2 (`[H, W, C]`, channels last): random images, random
/// TVALID gaps and TREADY stalls, every output word compared; at full rate (no gaps, no stalls)
/// the cycle of each image's last output handshake must equal `WindowTiming`.
@Suite struct ConvBlockTests {
    struct WinCase: CustomStringConvertible, Sendable {
        var win: WindowTiming.Window
        var zero = 0, signed = 0, images = 2, gap = 30, stall = 30, ramBlock = 1
        /// Max-pool: 1 tests zn_maxpool_row (windows that do not overlap) instead of zn_maxpool.
        var row = 0
        var fullRate: Bool { gap == 0 && stall == 0 }
        var description: String { "\(win) zero \(zero) signed \(signed) gap \(gap) stall \(stall) images \(images) block \(ramBlock)" + (row == 1 ? " row" : "") }
    }

    typealias Win = WindowTiming.Window

    /// Random images as words (SIMD codes each, code c of a pixel in byte c mod SIMD of word c/SIMD).
    static func images(_ w: Win, count: Int, rng: inout SplitMix64) -> (pixels: [[UInt8]], hex: String) {
        var all: [[UInt8]] = [], hex = ""
        for _ in 0..<count {
            // Mostly random codes, with runs of the extremes so maxima tie and cross the sign.
            let img = (0..<(w.h * w.w * w.c)).map { _ in
                Int.random(in: 0..<4, using: &rng) == 0 ? [0x00, 0x7F, 0x80, 0xFF].randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            all.append(img)
            for p in 0..<(w.h * w.w) { hex += word(Array(img[(p * w.c)..<((p + 1) * w.c)]), w) }
        }
        return (all, hex)
    }

    /// The words of one pixel's C codes, one hex line each.
    static func word(_ codes: [UInt8], _ w: Win) -> String {
        var s = ""
        for q in 0..<w.cb {
            var b = Bits(width: w.simd * 8)
            for j in 0..<w.simd { b.set(8 * j, 8, Int64(codes[q * w.simd + j])) }
            s += b.hex + "\n"
        }
        return s
    }

    /// Format 2's patch of output position (oy, ox), flattened (kh, kw, c); the padding counts as `zero`.
    static func patch(_ img: [UInt8], _ w: Win, _ oy: Int, _ ox: Int, zero: UInt8) -> [UInt8] {
        var p: [UInt8] = []
        for a in 0..<w.kh {
            for b in 0..<w.kw {
                let y = oy * w.sh + a - w.pt, x = ox * w.sw + b - w.pl
                for c in 0..<w.c { p.append(y >= 0 && y < w.h && x >= 0 && x < w.w ? img[(y * w.w + x) * w.c + c] : zero) }
            }
        }
        return p
    }

    static func compareWords(_ got: [String], _ expected: [String], _ what: String) {
        #expect(got.count == expected.count, "\(what): \(got.count) words, expected \(expected.count)")
        let norm = { (s: String) in String(s.drop { $0 == "0" }) }
        let bad = zip(got, expected).enumerated().filter { norm($0.element.0) != norm($0.element.1) }.map { ($0.offset, $0.element.0, $0.element.1) }
        for (i, g, e) in bad.prefix(3) { Issue.record("\(what): word \(i): got \(g), expected \(e)") }
        let differing = bad.count
        #expect(differing == 0, "\(what): words differ")
    }

    static func checkTiming(_ got: [String]?, _ expected: [Int], _ what: String) {
        #expect((got ?? []).map { Int($0) } == expected.map { Optional($0) }, "\(what): last-output cycles \(got ?? []), model \(expected)")
    }

    // MARK: zn_swu

    /// Fixed corners (asymmetric padding, stride 1/2/3, 1×1, 3×3, kernel = whole image, odd W,
    /// rows skipped by stride > kernel, rows entirely in the padding) and random parameter sets.
    static let swuCases: [WinCase] = {
        var cases: [WinCase] = [
            .init(win: Win(h: 28, w: 28, c: 1, kh: 3, kw: 3), images: 2, gap: 0, stall: 0),           // Fashion-MNIST conv 1
            .init(win: Win(h: 5, w: 7, c: 4, kh: 3, kw: 3, sh: 2, sw: 1, pt: 1, pl: 0, pb: 2, pr: 1, simd: 2), zero: 0x80),
            .init(win: Win(h: 7, w: 5, c: 3, kh: 1, kw: 1, sh: 3, sw: 3, simd: 3), zero: 7, images: 3),
            .init(win: Win(h: 6, w: 6, c: 2, kh: 6, kw: 6), images: 3, gap: 0, stall: 0),              // kernel = whole image
            .init(win: Win(h: 5, w: 5, c: 2, kh: 5, kw: 5, pt: 1, pl: 1, pb: 1, pr: 1, simd: 2), zero: 0xFF),
            .init(win: Win(h: 9, w: 11, c: 1, kh: 3, kw: 3, sh: 3, sw: 3, pt: 1, pl: 1, pb: 1, pr: 1), zero: 3, gap: 60, stall: 10),
            .init(win: Win(h: 10, w: 9, c: 2, kh: 2, kw: 2, sh: 3, sw: 3), images: 3, gap: 0, stall: 0),  // rows skipped
            .init(win: Win(h: 4, w: 3, c: 6, kh: 2, kw: 3, pt: 0, pl: 2, pb: 3, pr: 0, simd: 3), zero: 0x55, gap: 10, stall: 60),
            .init(win: Win(h: 1, w: 1, c: 1, kh: 1, kw: 1), zero: 1, images: 4),
            .init(win: Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, pt: 1, pl: 1, pb: 1, pr: 1, simd: 4), zero: 0x80, images: 2, gap: 0, stall: 0),
            .init(win: Win(h: 8, w: 7, c: 4, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1, pb: 0, pr: 0, simd: 1), images: 3, gap: 0, stall: 0),
        ]
        var rng = SplitMix64(seed: 1818)
        for i in 0..<8 {
            let kh = Int.random(in: 1...4, using: &rng), kw = Int.random(in: 1...4, using: &rng)
            let h = Int.random(in: 1...9, using: &rng), w = Int.random(in: 1...9, using: &rng)
            let pt = Int.random(in: 0..<kh, using: &rng), pl = Int.random(in: 0..<kw, using: &rng)
            let pb = max(Int.random(in: 0..<kh, using: &rng), kh - h - pt), pr = max(Int.random(in: 0..<kw, using: &rng), kw - w - pl)
            let simd = [1, 2, 3][i % 3], c = simd * Int.random(in: 1...3, using: &rng)
            let win = Win(h: h, w: w, c: c, kh: kh, kw: kw, sh: Int.random(in: 1...3, using: &rng), sw: Int.random(in: 1...3, using: &rng),
                          pt: pt, pl: pl, pb: pb, pr: pr, simd: simd)
            cases.append(.init(win: win, zero: Int.random(in: 0...255, using: &rng), images: 3,
                               gap: i % 2 == 0 ? 0 : 40, stall: i % 2 == 0 ? 0 : 40, ramBlock: i % 4 == 3 ? 0 : 1))
        }
        return cases
    }()

    @Test(.tags(.iverilog), arguments: swuCases)
    func swu(_ c: WinCase) throws { try Self.swuRun(c, verilator: false) }

    /// PAR patch words an output word: channel words of one pixel (PAR divides CB), whole pixels
    /// across kernel columns (PAR = m·CB, m dividing KW), whole kernel rows (PAR = n·KW·CB, n
    /// dividing KH) up to the whole patch; with padding, strides and stalls, and random sets.
    static let swuParCases: [WinCase] = {
        var cases: [WinCase] = [
            .init(win: Win(h: 28, w: 28, c: 1, kh: 3, kw: 3, par: 9), images: 3, gap: 0, stall: 0),        // Fashion CNN layer 0, whole patch
            .init(win: Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, simd: 8, par: 3), images: 3, gap: 0, stall: 0), // Fashion CNN layer 2, a kernel row
            .init(win: Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, pt: 1, pl: 1, pb: 1, pr: 1, simd: 8, par: 3), zero: 0x80, gap: 30, stall: 30),
            .init(win: Win(h: 6, w: 7, c: 6, kh: 2, kw: 3, sh: 1, sw: 2, pt: 1, pl: 2, pb: 0, pr: 1, simd: 1, par: 3), zero: 0x11),   // PAR | CB
            .init(win: Win(h: 5, w: 7, c: 4, kh: 3, kw: 3, sh: 2, sw: 1, pt: 1, pl: 0, pb: 2, pr: 1, simd: 2, par: 2), zero: 0x80),  // one pixel
            .init(win: Win(h: 5, w: 7, c: 4, kh: 3, kw: 3, sh: 2, sw: 1, pt: 1, pl: 0, pb: 2, pr: 1, simd: 2, par: 6), zero: 0x80, ramBlock: 0),  // a row
            .init(win: Win(h: 9, w: 8, c: 2, kh: 4, kw: 2, sh: 2, sw: 3, pt: 2, pl: 1, pb: 1, pr: 1, simd: 1, par: 8), zero: 0xFE,
                  images: 3, gap: 40, stall: 20),                                                              // two kernel rows
            .init(win: Win(h: 8, w: 7, c: 4, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1, pb: 0, pr: 0, simd: 4, par: 9), images: 3, gap: 0, stall: 0),
            .init(win: Win(h: 10, w: 9, c: 2, kh: 2, kw: 2, sh: 3, sw: 3, simd: 2, par: 2), images: 3, gap: 0, stall: 0),  // rows skipped
            .init(win: Win(h: 1, w: 1, c: 3, kh: 1, kw: 1, simd: 1, par: 3), zero: 9, images: 4),
            // Extra ring rows (XROWS): the Fashion CNN's layer 2 ring of 14 rows (WindowShape.extraRows), and more rows than the image.
            .init(win: Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, simd: 8, par: 3, extraRows: 10), images: 3, gap: 0, stall: 0),
            .init(win: Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, simd: 8, par: 3, extraRows: 10), gap: 20, stall: 50),
            .init(win: Win(h: 5, w: 6, c: 2, kh: 3, kw: 2, sh: 2, sw: 1, pt: 1, pl: 1, pb: 1, pr: 0, simd: 1, par: 2, extraRows: 7), zero: 0x42,
                  images: 3, gap: 0, stall: 0),
        ]
        var rng = SplitMix64(seed: 1819)
        for i in 0..<8 {
            let kh = Int.random(in: 1...4, using: &rng), kw = Int.random(in: 1...4, using: &rng)
            let h = Int.random(in: 1...9, using: &rng), w = Int.random(in: 1...9, using: &rng)
            let pt = Int.random(in: 0..<kh, using: &rng), pl = Int.random(in: 0..<kw, using: &rng)
            let pb = max(Int.random(in: 0..<kh, using: &rng), kh - h - pt), pr = max(Int.random(in: 0..<kw, using: &rng), kw - w - pl)
            let simd = [1, 2][i % 2], cb = Int.random(in: 1...3, using: &rng)
            // Every PAR the unit takes for this shape; one of them at random.
            let pars = Set(divisors(cb) + divisors(kw).map { $0 * cb } + divisors(kh).map { $0 * kw * cb }).sorted().filter { $0 > 1 }
            guard let par = pars.randomElement(using: &rng) else { continue }
            let win = Win(h: h, w: w, c: simd * cb, kh: kh, kw: kw, sh: Int.random(in: 1...3, using: &rng), sw: Int.random(in: 1...3, using: &rng),
                          pt: pt, pl: pl, pb: pb, pr: pr, simd: simd, par: par)
            cases.append(.init(win: win, zero: Int.random(in: 0...255, using: &rng), images: 3,
                               gap: i % 2 == 0 ? 0 : 40, stall: i % 2 == 0 ? 0 : 40, ramBlock: i % 4 == 3 ? 0 : 1))
        }
        return cases
    }()

    @Test(.tags(.iverilog), arguments: swuParCases)
    func swuPar(_ c: WinCase) throws { try Self.swuRun(c, verilator: false) }

    /// The same in Verilator: the Fashion CNN's first layer at full rate, and two kernel rows with stalls.
    @Test(.tags(.verilator), arguments: [swuParCases[0], swuParCases[6]])
    func swuParVerilator(_ c: WinCase) throws { try Self.swuRun(c, verilator: true) }

    /// The timing model with PAR: 4×4×1, 3×3, whole patch a word (PAR 9): the reader starts at
    /// cycle 12 (three rows written) with one word a position: 12, 13, then row 1 needs row 3
    /// (written by cycle 15): 16, 17; the last word leaves at 17 + 2 = 19. The Fashion CNN's
    /// first layer at PAR 9: 676 words an image, bound by its 784 input words.
    @Test func swuParTiming() {
        #expect(WindowTiming.swuLastOutputs(Win(h: 4, w: 4, c: 1, kh: 3, kw: 3, par: 9), images: 1) == [19])
        #expect(Win(h: 28, w: 28, c: 1, kh: 3, kw: 3, par: 9).windowWords == 676)
        #expect(WindowTiming.swuInterval(Win(h: 28, w: 28, c: 1, kh: 3, kw: 3, par: 9)) == 784)
        #expect(WindowTiming.swuInterval(Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, simd: 8, par: 3)) == 363 + 26)
        // A ring of 14 rows (XROWS 10) holds the next image's first rows: no wait at the boundary.
        #expect(WindowShape(h: 13, w: 13, c: 8, kh: 3, kw: 3).extraRows(simd: 8) == 10)
        #expect(WindowTiming.swuInterval(Win(h: 13, w: 13, c: 8, kh: 3, kw: 3, simd: 8, par: 3, extraRows: 10)) == 363)
        // A LUT-RAM line buffer (under 2 Kbit) gets none.
        #expect(WindowShape(h: 28, w: 28, c: 1, kh: 3, kw: 3).extraRows(simd: 1) == 0)
    }

    /// The same in Verilator: padding on every side, SIMD 2, stride 2 (with stalls), and the Fashion-MNIST shape at full rate.
    @Test(.tags(.verilator), arguments: [swuCases[1], swuCases[10]])
    func swuVerilator(_ c: WinCase) throws { try Self.swuRun(c, verilator: true) }

    static func swuRun(_ c: WinCase, verilator: Bool) throws {
        let w = c.win
        var rng = SplitMix64(seed: UInt64(w.h * 1000 + w.w * 100 + w.c * 10 + w.kh) &+ UInt64(w.sh) << 32)
        let (imgs, input) = images(w, count: c.images, rng: &rng)
        // Output word j of a position: patch codes j·PAR·SIMD … (j + 1)·PAR·SIMD − 1 (PAR patch words).
        var expected: [String] = []
        let codes = w.par * w.simd
        for img in imgs {
            for oy in 0..<w.ho {
                for ox in 0..<w.wo {
                    let p = patch(img, w, oy, ox, zero: UInt8(c.zero))
                    for j in 0..<(p.count / codes) {
                        var b = Bits(width: codes * 8)
                        for k in 0..<codes { b.set(8 * k, 8, Int64(p[j * codes + k])) }
                        expected.append(b.hex)
                    }
                }
            }
        }
        let params = ["H": w.h, "W": w.w, "C": w.c, "KH": w.kh, "KW": w.kw, "SH": w.sh, "SW": w.sw, "PT": w.pt, "PL": w.pl,
                      "PB": w.pb, "PR": w.pr, "SIMD": w.simd, "PAR": w.par, "XROWS": w.extraRows, "ZERO": c.zero, "RAM_BLOCK": c.ramBlock, "IMAGES": c.images,
                      "GAP": c.gap, "STALL": c.stall, "SEED": w.h + w.kh]
        let r = verilator ? try runTestbenchVerilator("tb_zn_swu", helpers: ["tb_src", "tb_sink", "tb_timing"], params: params,
                                                      inputs: ["in": input], outputs: ["out", "t"])
                          : try runTestbench("tb_zn_swu", params: params, inputs: ["in": input], outputs: ["out", "t"])
        #expect(r.passed, "\(r.result)")
        compareWords(r.outputs["out"] ?? [], expected, "\(c)")
        if c.fullRate && w.pt < w.kh {
            checkTiming(r.outputs["t"], WindowTiming.swuLastOutputs(w, images: c.images), "\(c)")
        }
    }

    // MARK: zn_maxpool

    static let poolCases: [WinCase] = {
        var cases: [WinCase] = [
            .init(win: Win(h: 13, w: 13, c: 8, kh: 2, kw: 2, sh: 2, sw: 2), images: 2, gap: 0, stall: 0),   // Fashion-MNIST pool 1 (odd W)
            .init(win: Win(h: 13, w: 13, c: 8, kh: 2, kw: 2, sh: 2, sw: 2, simd: 4), signed: 1),
            .init(win: Win(h: 7, w: 9, c: 3, kh: 3, kw: 3, sh: 2, sw: 2, simd: 3), signed: 1, images: 3, gap: 0, stall: 0),  // overlapping
            .init(win: Win(h: 6, w: 5, c: 2, kh: 3, kw: 2, sh: 1, sw: 1), images: 3),                       // overlapping, stride 1
            .init(win: Win(h: 5, w: 5, c: 1, kh: 1, kw: 1), signed: 1, gap: 0, stall: 0),
            .init(win: Win(h: 4, w: 6, c: 4, kh: 4, kw: 6, simd: 2), images: 3, gap: 50, stall: 50),        // kernel = whole image
            .init(win: Win(h: 10, w: 11, c: 2, kh: 2, kw: 2, sh: 3, sw: 3, simd: 2), signed: 1, images: 3, gap: 0, stall: 0),  // stride > size
            .init(win: Win(h: 9, w: 7, c: 6, kh: 3, kw: 2, sh: 3, sw: 2, simd: 6), gap: 10, stall: 70, ramBlock: 0),
        ]
        var rng = SplitMix64(seed: 2727)
        for i in 0..<6 {
            let kh = Int.random(in: 1...3, using: &rng), kw = Int.random(in: 1...3, using: &rng)
            let simd = [1, 2, 4][i % 3]
            cases.append(.init(win: Win(h: kh + Int.random(in: 0...6, using: &rng), w: kw + Int.random(in: 0...6, using: &rng),
                                        c: simd * Int.random(in: 1...2, using: &rng), kh: kh, kw: kw,
                                        sh: Int.random(in: 1...3, using: &rng), sw: Int.random(in: 1...3, using: &rng), simd: simd),
                               signed: i % 2, images: 3, gap: i % 3 == 0 ? 0 : 35, stall: i % 3 == 0 ? 0 : 35))
        }
        return cases
    }()

    @Test(.tags(.iverilog), arguments: poolCases)
    func maxpool(_ c: WinCase) throws { try Self.poolRun(c, verilator: false) }

    /// The same in Verilator: signed, overlapping 3×3 stride 2 at full rate.
    @Test(.tags(.verilator)) func maxpoolVerilator() throws { try Self.poolRun(Self.poolCases[2], verilator: true) }

    // MARK: zn_maxpool_row

    /// Windows that do not overlap: the Fashion CNN's two pools (odd sides: the last row and column
    /// dropped), stride > size (rows and columns skipped), 1×1, the kernel = the whole image, and
    /// random shapes; full rate (timing checked) and random gaps and stalls.
    static let poolRowCases: [WinCase] = {
        var cases: [WinCase] = [
            .init(win: Win(h: 13, w: 13, c: 8, kh: 2, kw: 2, sh: 2, sw: 2), images: 3, gap: 0, stall: 0, row: 1),      // Fashion CNN pool 1
            .init(win: Win(h: 11, w: 11, c: 16, kh: 2, kw: 2, sh: 2, sw: 2), signed: 1, images: 3, gap: 0, stall: 0, row: 1),  // pool 2
            .init(win: Win(h: 11, w: 11, c: 16, kh: 2, kw: 2, sh: 2, sw: 2, simd: 4), signed: 1, images: 3, row: 1),
            .init(win: Win(h: 13, w: 13, c: 8, kh: 2, kw: 2, sh: 2, sw: 2), images: 3, gap: 10, stall: 70, row: 1),
            .init(win: Win(h: 10, w: 11, c: 2, kh: 2, kw: 2, sh: 3, sw: 3, simd: 2), signed: 1, images: 3, gap: 0, stall: 0, row: 1),  // stride > size
            .init(win: Win(h: 9, w: 7, c: 6, kh: 3, kw: 2, sh: 3, sw: 2, simd: 6), gap: 10, stall: 70, row: 1),
            .init(win: Win(h: 5, w: 5, c: 1, kh: 1, kw: 1, sh: 1, sw: 1), signed: 1, gap: 0, stall: 0, row: 1),
            .init(win: Win(h: 4, w: 6, c: 4, kh: 4, kw: 6, sh: 4, sw: 6, simd: 2), images: 3, gap: 50, stall: 50, row: 1),   // kernel = whole image
            .init(win: Win(h: 4, w: 6, c: 4, kh: 4, kw: 6, sh: 4, sw: 6, simd: 1), images: 3, gap: 0, stall: 0, row: 1),
            .init(win: Win(h: 1, w: 1, c: 3, kh: 1, kw: 1, sh: 2, sw: 1), images: 4, row: 1),
        ]
        var rng = SplitMix64(seed: 3838)
        for i in 0..<8 {
            let kh = Int.random(in: 1...3, using: &rng), kw = Int.random(in: 1...3, using: &rng)
            let simd = [1, 2, 4][i % 3]
            cases.append(.init(win: Win(h: kh + Int.random(in: 0...7, using: &rng), w: kw + Int.random(in: 0...7, using: &rng),
                                        c: simd * Int.random(in: 1...3, using: &rng), kh: kh, kw: kw,
                                        sh: kh + Int.random(in: 0...1, using: &rng), sw: kw + Int.random(in: 0...1, using: &rng), simd: simd),
                               signed: i % 2, images: 3, gap: i % 3 == 0 ? 0 : 35, stall: i % 3 == 0 ? 0 : 35, row: 1))
        }
        return cases
    }()

    @Test(.tags(.iverilog), arguments: poolRowCases)
    func maxpoolRow(_ c: WinCase) throws {
        #expect(c.win.rowPool)
        try Self.poolRun(c, verilator: false)
    }

    /// The same in Verilator: the Fashion CNN's second pool, signed, at full rate.
    @Test(.tags(.verilator)) func maxpoolRowVerilator() throws { try Self.poolRun(Self.poolRowCases[1], verilator: true) }

    /// zn_maxpool_row's timing by hand: 5×5×1, 2×2 stride 2 (HO = WO = 2: row 4 and column 4 are
    /// dropped). A word a cycle; the last window ends at input word (3·5 + 3) = 18, handed over at
    /// 19; the next image's at 25 + 19. An image takes 25 cycles.
    @Test func maxpoolRowTimingByHand() {
        let w = Win(h: 5, w: 5, c: 1, kh: 2, kw: 2, sh: 2, sw: 2)
        #expect(WindowTiming.maxpoolRowLastOutputs(w, images: 2) == [19, 44])
        #expect(WindowTiming.maxpoolInterval(w) == 25)
        #expect(WindowTiming.maxpoolInterval(Win(h: 5, w: 5, c: 1, kh: 2, kw: 2, sh: 1, sw: 1)) == WindowTiming.swuInterval(Win(h: 5, w: 5, c: 1, kh: 2, kw: 2, sh: 1, sw: 1)))
        #expect(!Win(h: 5, w: 5, c: 1, kh: 2, kw: 2, sh: 1, sw: 2).rowPool)
    }

    static func poolRun(_ c: WinCase, verilator: Bool) throws {
        let w = c.win
        var rng = SplitMix64(seed: UInt64(w.h * 1000 + w.w * 100 + w.c * 10 + w.kh) &+ UInt64(w.sh + 5 * c.signed) << 32)
        let (imgs, input) = images(w, count: c.images, rng: &rng)
        let key = { (v: UInt8) in c.signed == 1 ? Int(Int8(bitPattern: v)) : Int(v) }
        var expected: [String] = []
        for img in imgs {
            for oy in 0..<w.ho {
                for ox in 0..<w.wo {
                    let p = patch(img, w, oy, ox, zero: 0)
                    let m = (0..<w.c).map { ch in (0..<(w.kh * w.kw)).map { p[$0 * w.c + ch] }.max { key($0) < key($1) }! }
                    expected += word(m, w).split(separator: "\n").map(String.init)
                }
            }
        }
        let params = ["H": w.h, "W": w.w, "C": w.c, "KH": w.kh, "KW": w.kw, "SH": w.sh, "SW": w.sw, "SIMD": w.simd,
                      "SIGNED": c.signed, "RAM_BLOCK": c.ramBlock, "ROW": c.row, "IMAGES": c.images, "GAP": c.gap, "STALL": c.stall,
                      "SEED": w.w + w.kw]
        let r = verilator ? try runTestbenchVerilator("tb_zn_maxpool", helpers: ["tb_src", "tb_sink", "tb_timing"], params: params,
                                                      inputs: ["in": input], outputs: ["out", "t"])
                          : try runTestbench("tb_zn_maxpool", params: params, inputs: ["in": input], outputs: ["out", "t"])
        #expect(r.passed, "\(r.result)")
        compareWords(r.outputs["out"] ?? [], expected, "\(c)")
        if c.fullRate {
            checkTiming(r.outputs["t"], c.row == 1 ? WindowTiming.maxpoolRowLastOutputs(w, images: c.images)
                                                   : WindowTiming.maxpoolLastOutputs(w, images: c.images), "\(c)")
        }
    }

    /// The timing model by hand for one shape: zn_swu on a 4×4×1 image, 3×3, no padding, stride 1.
    /// R = 4 rows; the reader starts output row 0 once 3 rows (12 words) are written: it issues at
    /// cycles 12…29 (2 × 9 words), row 1 needs row 3 (written by cycle 15), issues 30…47; the last
    /// word is handed over at 47 + 2 = 49.
    @Test func swuTimingByHand() {
        #expect(WindowTiming.swuLastOutputs(Win(h: 4, w: 4, c: 1, kh: 3, kw: 3), images: 1) == [49])
    }
}
