import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase

/// The datapath blocks on their own (zn_dot, zn_dot_pair, zn_dot_row, zn_addtree,
/// zn_addtree_lane) and the image input zn_axis_in, in iverilog against naive Swift models.
///
/// The pipelines are driven one stimulus line a cycle with random `ce` patterns and garbage
/// operands while `ce` is low; every cycle's output is compared with a model that only advances
/// when `ce` is high, so each case checks the exact sums, the documented latency and the freeze.
extension BlockTests {
    /// The documented latency of zn_addtree / zn_addtree_lane: max(1, ceil(clog2(N)/REG_EVERY)).
    static func treeLatency(_ n: Int, _ regEvery: Int) -> Int {
        var levels = 0
        while (1 << levels) < n { levels += 1 }
        return levels == 0 ? 1 : (levels + regEvery - 1) / regEvery
    }

    static func clog2(_ n: Int) -> Int {
        var l = 0
        while (1 << l) < n { l += 1 }
        return l
    }

    /// A `ce` pattern: the first `fill` cycles high, then phases of 8..30 cycles, each with its
    /// own probability of `ce` high (always, most, half, rarely, never).
    static func cePattern(cycles: Int, fill: Int, rng: inout SplitMix64) -> [Bool] {
        var ce: [Bool] = []
        while ce.count < cycles {
            if ce.count < fill { ce.append(true); continue }
            let p = [100, 80, 50, 10, 0][Int.random(in: 0..<5, using: &rng)]
            for _ in 0..<Int.random(in: 8...30, using: &rng) { ce.append(Int.random(in: 0..<100, using: &rng) < p) }
        }
        return Array(ce.prefix(cycles))
    }

    /// Compares per-cycle outputs with the model (nil: not yet defined, the pipeline is filling).
    /// Returns the number of compared cycles and of compared cycles after a `ce` = 0 edge.
    static func compareCycles(_ got: [String], _ expected: [[Bool]?], ce: [Bool], width: Int, _ what: String) -> (Int, Int) {
        #expect(got.count == expected.count, "\(what): \(got.count) output lines, expected \(expected.count)")
        var compared = 0, frozen = 0, failures = 0
        for (i, e) in expected.enumerated() {
            guard let e, i < got.count else { continue }
            let g = Bits(hex: got[i], width: width)?.bits
            if g != e {
                failures += 1
                if failures <= 3 {
                    var eb = Bits(width: width)
                    eb.bits = e
                    Issue.record("\(what): cycle \(i) (ce \(ce[i])): got \(got[i]), expected \(eb.hex)")
                }
            }
            compared += 1
            if !ce[i] { frozen += 1 }
        }
        #expect(failures == 0, "\(what): \(failures) cycles differ")
        return (compared, frozen)
    }

    // MARK: zn_dot, zn_dot_pair, zn_dot_row

    struct DotCase: CustomStringConvertible, Sendable {
        /// 0 zn_dot, 1 zn_dot_pair (PE 2), 2 zn_dot_row (PE 1).
        var kind: Int, pe: Int, simd: Int, signed: Int, style: Int, regEvery: Int
        var description: String {
            ["zn_dot", "zn_dot_pair", "zn_dot_row"][kind] + " PE \(pe) SIMD \(simd) signed \(signed) style \(style) REG_EVERY \(regEvery)"
        }
    }

    /// zn_dot: every MUL_STYLE x IN_SIGNED with each SIMD of 1, 2, 3, 5, 8, 28 once, PE 1..4 and
    /// REG_EVERY 1..3 rotating (so packed has odd and even PE); zn_dot_pair and zn_dot_row alone
    /// for every SIMD and signedness.
    static let dotCases: [DotCase] = {
        let simds = [1, 2, 3, 5, 8, 28]
        var cases: [DotCase] = []
        for style in 0...2 {
            for signed in 0...1 {
                for (i, simd) in simds.enumerated() {
                    let k = i + 2 * style + signed
                    cases.append(.init(kind: 0, pe: [1, 2, 3, 4][k % 4], simd: simd, signed: signed, style: style, regEvery: [1, 2, 3][k % 3]))
                }
            }
        }
        for signed in 0...1 {
            for (i, simd) in simds.enumerated() {
                cases.append(.init(kind: 1, pe: 2, simd: simd, signed: signed, style: 2, regEvery: [1, 2, 3][(i + signed) % 3]))
                cases.append(.init(kind: 2, pe: 1, simd: simd, signed: signed, style: (i + signed) % 2, regEvery: [2, 3, 1][(i + signed) % 3]))
            }
        }
        return cases
    }()

    @Test(.tags(.iverilog), arguments: dotCases)
    func dot(_ c: DotCase) throws { try Self.dotRun(c, verilator: false) }

    /// The same in Verilator (its own elaboration of the generate blocks and split_var trees):
    /// an odd packed PE (a pair and a plain row) and the LUT style (~10 s a build).
    @Test(.tags(.verilator), arguments: [DotCase(kind: 0, pe: 3, simd: 5, signed: 0, style: 2, regEvery: 2),
                      DotCase(kind: 0, pe: 2, simd: 28, signed: 1, style: 1, regEvery: 1)])
    func dotVerilator(_ c: DotCase) throws { try Self.dotRun(c, verilator: true) }

    static func dotRun(_ c: DotCase, verilator: Bool) throws {
        var rng = SplitMix64(seed: UInt64(c.kind * 100_000 + c.pe * 10_000 + c.simd * 100 + c.signed * 10 + c.style) &+ UInt64(c.regEvery) << 40)
        let tagW = 4
        let dotW = 17 + Self.clog2(c.simd)
        let lat = 2 + Self.treeLatency(c.simd, c.regEvery)
        let cycles = 260
        let ce = Self.cePattern(cycles: cycles, fill: lat + 4, rng: &rng)
        let xPool: [UInt8] = [0, 1, 127, 128, 255], wPool: [Int8] = [-128, -1, 0, 1, 127]
        var input = "", pushed: [(x: [UInt8], w: [[Int8]], tag: Int64)] = [], expected: [[Bool]?] = []
        var negW0 = 0, bigXNegW0 = 0
        for i in 0..<cycles {
            var x: [UInt8], w: [[Int8]]
            switch Int.random(in: 0..<8, using: &rng) {
            case 0:   // the same corner in every lane: extreme sums
                let xv = xPool.randomElement(using: &rng)!
                x = Array(repeating: xv, count: c.simd)
                w = (0..<c.pe).map { _ in Array(repeating: wPool.randomElement(using: &rng)!, count: c.simd) }
            case 1, 2, 3:
                x = (0..<c.simd).map { _ in xPool.randomElement(using: &rng)! }
                w = (0..<c.pe).map { _ in (0..<c.simd).map { _ in wPool.randomElement(using: &rng)! } }
            default:
                x = (0..<c.simd).map { _ in Bool.random(using: &rng) ? xPool.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
                w = (0..<c.pe).map { _ in
                    (0..<c.simd).map { _ in Bool.random(using: &rng) ? wPool.randomElement(using: &rng)! : Int8.random(in: .min ... .max, using: &rng) }
                }
            }
            let tag = Int64.random(in: 0..<16, using: &rng)
            var line = Bits(width: 1 + tagW + c.pe * c.simd * 8 + c.simd * 8)
            for s in 0..<c.simd { line.set(8 * s, 8, Int64(x[s])) }
            for p in 0..<c.pe { for s in 0..<c.simd { line.set(c.simd * 8 + (p * c.simd + s) * 8, 8, Int64(w[p][s])) } }
            line.set(c.simd * 8 * (c.pe + 1), tagW, tag)
            line.set(c.simd * 8 * (c.pe + 1) + tagW, 1, ce[i] ? 1 : 0)
            input += line.hex + "\n"
            if ce[i] {
                pushed.append((x, w, tag))
                // The packed pair's correction: products of an even row that are negative.
                for q in stride(from: 0, to: c.style == 2 ? c.pe - 1 : 0, by: 2) {
                    for s in 0..<c.simd where w[q][s] < 0 && x[s] >= 128 { bigXNegW0 += 1 }
                    for s in 0..<c.simd {
                        let xv = c.signed == 1 ? Int(Int8(bitPattern: x[s])) : Int(x[s])
                        if xv * Int(w[q][s]) < 0 { negW0 += 1 }
                    }
                }
            }
            // The model: the output after this edge is the LAT-th last pushed vector's sums.
            if pushed.count >= lat {
                let v = pushed[pushed.count - lat]
                var e = Bits(width: tagW + c.pe * dotW)
                for p in 0..<c.pe {
                    var acc: Int64 = 0
                    for s in 0..<c.simd {
                        let xv = c.signed == 1 ? Int64(Int8(bitPattern: v.x[s])) : Int64(v.x[s])
                        acc += Int64(v.w[p][s]) * xv
                    }
                    e.set(p * dotW, dotW, acc)
                }
                if c.kind == 0 { e.set(c.pe * dotW, tagW, v.tag) }
                expected.append(e.bits)
            } else {
                expected.append(nil)
            }
        }
        let params = ["KIND": c.kind, "PE": c.pe, "SIMD": c.simd, "IN_SIGNED": c.signed,
                      "MUL_STYLE": c.style, "REG_EVERY": c.regEvery, "TAG_W": tagW, "CYCLES": cycles]
        let r = verilator ? try runTestbenchVerilator("tb_zn_dot", params: params, inputs: ["in": input], outputs: ["out"])
                          : try runTestbench("tb_zn_dot", params: params, inputs: ["in": input], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        let (compared, frozen) = Self.compareCycles(r.outputs["out"] ?? [], expected, ce: ce, width: tagW + c.pe * dotW, "\(c)")
        #expect(compared >= cycles - lat - 20 && frozen >= 20, "\(compared) cycles compared, \(frozen) with ce low")
        if c.style == 2 && c.pe >= 2 {
            #expect(negW0 >= 30 && bigXNegW0 >= 10, "correction corners: \(negW0) negative x*w0, \(bigXNegW0) with w0 < 0 and x >= 128")
        }
    }

    // MARK: zn_addtree, zn_addtree_lane

    struct TreeCase: CustomStringConvertible, Sendable {
        /// 0 zn_addtree, 1 zn_addtree_lane (LANES 1).
        var kind: Int, lanes: Int, n: Int, inW: Int, regEvery: Int
        var description: String { ["zn_addtree", "zn_addtree_lane"][kind] + " LANES \(lanes) N \(n) IN_W \(inW) REG_EVERY \(regEvery)" }
    }

    /// Every N from 1 to 40, both modules, IN_W 2..40 and REG_EVERY 1..4 rotating, LANES 1..3.
    static let treeCases: [TreeCase] = (1...40).map { n in
        let kind = n % 2
        return .init(kind: kind, lanes: kind == 1 ? 1 : [1, 2, 3][(n / 2) % 3], n: n, inW: [2, 3, 5, 8, 17, 24, 32, 40][n % 8],
                     regEvery: [1, 2, 3, 4][(n / 3) % 4])
    } + [.init(kind: 0, lanes: 2, n: 64, inW: 17, regEvery: 2), .init(kind: 1, lanes: 1, n: 33, inW: 2, regEvery: 1)]

    @Test(.tags(.iverilog), arguments: treeCases)
    func addtree(_ c: TreeCase) throws { try Self.addtreeRun(c, verilator: false) }

    /// The same in Verilator: a non-power-of-two N with several lanes.
    @Test(.tags(.verilator)) func addtreeVerilator() throws { try Self.addtreeRun(TreeCase(kind: 0, lanes: 3, n: 37, inW: 17, regEvery: 2), verilator: true) }

    static func addtreeRun(_ c: TreeCase, verilator: Bool) throws {
        var rng = SplitMix64(seed: UInt64(c.kind * 100_000 + c.lanes * 10_000 + c.n * 100 + c.inW) &+ UInt64(c.regEvery) << 40)
        let tagW = 4
        let outW = c.inW + Self.clog2(c.n)
        let lat = Self.treeLatency(c.n, c.regEvery)
        let cycles = 220
        let ce = Self.cePattern(cycles: cycles, fill: lat + 4, rng: &rng)
        let lo = -(Int64(1) << Int64(c.inW - 1)), hi = (Int64(1) << Int64(c.inW - 1)) - 1
        let pool = [lo, hi, -1, 0, 1, lo + 1, hi - 1]
        var input = "", pushed: [(v: [[Int64]], tag: Int64)] = [], expected: [[Bool]?] = []
        for i in 0..<cycles {
            let v: [[Int64]] = (0..<c.lanes).map { _ in
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: return Array(repeating: lo, count: c.n)          // the most negative sum
                case 1: return Array(repeating: hi, count: c.n)          // the most positive sum
                case 2: return (0..<c.n).map { $0 % 2 == 0 ? lo : hi }
                case 3, 4: return (0..<c.n).map { _ in pool.randomElement(using: &rng)! }
                default: return (0..<c.n).map { _ in Int64.random(in: lo...hi, using: &rng) }
                }
            }
            let tag = Int64.random(in: 0..<16, using: &rng)
            var line = Bits(width: 1 + tagW + c.lanes * c.n * c.inW)
            for l in 0..<c.lanes { for k in 0..<c.n { line.set((l * c.n + k) * c.inW, c.inW, v[l][k]) } }
            line.set(c.lanes * c.n * c.inW, tagW, tag)
            line.set(c.lanes * c.n * c.inW + tagW, 1, ce[i] ? 1 : 0)
            input += line.hex + "\n"
            if ce[i] { pushed.append((v, tag)) }
            if pushed.count >= lat {
                let p = pushed[pushed.count - lat]
                var e = Bits(width: tagW + c.lanes * outW)
                for l in 0..<c.lanes { e.set(l * outW, outW, p.v[l].reduce(0, +)) }
                if c.kind == 0 { e.set(c.lanes * outW, tagW, p.tag) }
                expected.append(e.bits)
            } else {
                expected.append(nil)
            }
        }
        let params = ["KIND": c.kind, "LANES": c.lanes, "N": c.n, "IN_W": c.inW, "REG_EVERY": c.regEvery, "TAG_W": tagW, "CYCLES": cycles]
        let r = verilator ? try runTestbenchVerilator("tb_zn_addtree", params: params, inputs: ["in": input], outputs: ["out"])
                          : try runTestbench("tb_zn_addtree", params: params, inputs: ["in": input], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        let (compared, frozen) = Self.compareCycles(r.outputs["out"] ?? [], expected, ce: ce, width: tagW + c.lanes * outW, "\(c)")
        #expect(compared >= cycles - lat - 20 && frozen >= 20, "\(compared) cycles compared, \(frozen) with ce low")
    }

    // MARK: zn_axis_in

    struct AxisInCase: CustomStringConvertible, Sendable {
        var n: Int, outLanes: Int, images: Int = 6, gap: Int = 30, stall: Int = 30, startLow: Int = 20
        var description: String { "N \(n) OUT_LANES \(outLanes) gap \(gap) stall \(stall) start low \(startLow)" }
    }

    static let axisInCases: [AxisInCase] = [
        .init(n: 8, outLanes: 8), .init(n: 1, outLanes: 1, gap: 0, stall: 0, startLow: 0), .init(n: 5, outLanes: 5, stall: 60),
        .init(n: 10, outLanes: 5, gap: 0), .init(n: 10, outLanes: 2, startLow: 50), .init(n: 10, outLanes: 10, gap: 60, stall: 0),
        .init(n: 13, outLanes: 13), .init(n: 3, outLanes: 1, stall: 0), .init(n: 12, outLanes: 3, gap: 0, stall: 60),
        .init(n: 20, outLanes: 4), .init(n: 16, outLanes: 16, startLow: 0), .init(n: 16, outLanes: 2, gap: 70),
        .init(n: 24, outLanes: 12), .init(n: 17, outLanes: 17, gap: 0, stall: 0, startLow: 60), .init(n: 64, outLanes: 16),
        .init(n: 9, outLanes: 1, gap: 0, stall: 0, startLow: 0), .init(n: 784, outLanes: 28, images: 2),
        .init(n: 784, outLanes: 1, images: 1, gap: 10, stall: 10, startLow: 10), .init(n: 40, outLanes: 8, startLow: 40),
    ]

    /// Pixel k of an image in byte k mod 8 of beat k/8 (padding bytes random and ignored), out as
    /// N/OUT_LANES words of OUT_LANES codes; per beat ev_first on beat 0 of an image, ev_image on
    /// its last, err_tlast when TLAST marks another beat (TLAST may be absent on a last beat).
    @Test(.tags(.iverilog), arguments: axisInCases)
    func axisIn(_ c: AxisInCase) throws { try Self.axisInRun(c, verilator: false) }

    /// The same in Verilator.
    @Test(.tags(.verilator)) func axisInVerilator() throws { try Self.axisInRun(AxisInCase(n: 20, outLanes: 4, images: 5, startLow: 30), verilator: true) }

    static func axisInRun(_ c: AxisInCase, verilator: Bool) throws {
        var rng = SplitMix64(seed: UInt64(c.n * 1000 + c.outLanes * 10 + c.startLow))
        let beatsPerImage = (c.n + 7) / 8
        var input = "", words: [[Bool]] = [], events: [Int] = []
        var errs = 0, lastAbsent = 0
        for img in 0..<c.images {
            let px = (0..<c.n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Every third image carries TLAST on its first beat (and at random on others) where
            // that is not its last, every third image has none on its last beat.
            let misplaced = img % 3 == 1
            for b in 0..<beatsPerImage {
                var beat = Bits(width: 65)
                for l in 0..<8 {
                    let k = b * 8 + l
                    beat.set(8 * l, 8, Int64(k < c.n ? px[k] : UInt8.random(in: 0...255, using: &rng)))
                }
                let isLast = b == beatsPerImage - 1
                let tlast = isLast ? img % 3 != 2 : (misplaced && (b == 0 || Bool.random(using: &rng)))
                if isLast && !tlast { lastAbsent += 1 }
                beat.set(64, 1, tlast ? 1 : 0)
                input += beat.hex + "\n"
                let err = tlast && !isLast
                if err { errs += 1 }
                events.append((b == 0 ? 1 : 0) | (isLast ? 2 : 0) | (err ? 4 : 0))
            }
            for w in 0..<(c.n / c.outLanes) {
                var word = Bits(width: c.outLanes * 8)
                for l in 0..<c.outLanes { word.set(8 * l, 8, Int64(px[w * c.outLanes + l])) }
                words.append(word.bits)
            }
        }
        let params = ["N": c.n, "OUT_LANES": c.outLanes, "NBEATS": events.count, "WORDS": words.count,
                      "GAP": c.gap, "STALL": c.stall, "START_LOW": c.startLow, "SEED": c.n + c.outLanes]
        let r = verilator ? try runTestbenchVerilator("tb_zn_axis_in", helpers: ["tb_src", "tb_sink"], params: params, inputs: ["in": input], outputs: ["out", "ev"])
                          : try runTestbench("tb_zn_axis_in", params: params, inputs: ["in": input], outputs: ["out", "ev"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { Bits(hex: $0, width: c.outLanes * 8)?.bits } == words.map { Optional($0) })
        #expect((r.outputs["ev"] ?? []).map { Int($0, radix: 16) } == events.map { Optional($0) })
        if beatsPerImage > 1 && c.images >= 3 { #expect(errs >= 1 && lastAbsent >= 1, "\(errs) misplaced TLAST, \(lastAbsent) absent") }
    }
}
