import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetRTLSim

/// zn_seq (the sequential engine) in iverilog (fpga/sim/tb_zn_seq.v) against a naive Swift model of
/// the spec's integer arithmetic, the parameter window against separate zn_param_ram memories per
/// layer and kind (the testbench's oracle), and the measured timing against SequentialTiming.
@Suite struct SeqEngineTests {
    struct Case: CustomStringConvertible, Sendable {
        var dims: [Int]
        var seed: UInt64
        var images = 3
        var gaps = false, stalls = false, reset = false
        var sumExtra = 0
        var biasW = 33, multW = 32
        var traffic = 40
        /// The requantizer's ROUNDINGS; each layer picks one of them at random.
        var modes = 3
        var description: String {
            "\(dims.map(String.init).joined(separator: "-")) seed \(seed)" + (gaps ? " gaps" : "") + (stalls ? " stalls" : "") +
                (reset ? " reset" : "") + (biasW != 33 || multW != 32 ? " B\(biasW) M\(multW)" : "") + (modes != 3 ? " modes \(modes)" : "")
        }
    }

    static let cases: [Case] = [
        Case(dims: [1, 1], seed: 1, images: 4),
        Case(dims: [1, 1], seed: 2, images: 4, gaps: true, stalls: true, biasW: 2, multW: 1),
        Case(dims: [3, 2], seed: 3, images: 5, gaps: true, stalls: true),
        Case(dims: [16, 8, 4], seed: 4, images: 4, gaps: true, stalls: true, reset: true, traffic: 150),
        Case(dims: [5, 7, 2, 3], seed: 5, images: 4, stalls: true, sumExtra: 9, biasW: 64, multW: 32),
        Case(dims: [2, 9, 1, 6, 4], seed: 6, images: 3, gaps: true, stalls: true, reset: true),
        Case(dims: [300, 37, 5], seed: 7, images: 2, gaps: true, stalls: true),
        Case(dims: [12, 140, 3], seed: 8, images: 3, stalls: true, reset: true, biasW: 40, multW: 20),
        Case(dims: [7, 1, 9], seed: 9, images: 4, gaps: true, stalls: true, multW: 17),
        // Format 2's modes (a layer's is its l_round), float32's three passes included.
        Case(dims: [9, 6, 5, 4], seed: 10, images: 3, gaps: true, stalls: true, modes: 31),
        Case(dims: [20, 7, 3], seed: 11, images: 3, stalls: true, reset: true, multW: 24, modes: 19),
        Case(dims: [6, 4, 8, 3], seed: 12, images: 3, gaps: true, stalls: true, modes: 15),
    ]

    // ---------------- the naive model ----------------
    struct Layer {
        var inN: Int, outN: Int, inSigned: Bool, outSigned: Bool
        var w: [[Int]]                    // [o][i] int8
        var bias: [Int64], m: [UInt64], s: [Int]
        var round: Int, zero: Int32, lo: Int16, hi: Int16
    }

    static func provenSumBits(_ inN: Int, signed: Bool) -> Int {
        let lo = (signed ? -16256 : -32640) * inN, hi = (signed ? 16384 : 32385) * inN
        var w = 1
        while !(lo >= -(1 << (w - 1)) && hi <= (1 << (w - 1)) - 1) { w += 1 }
        return w
    }

    static func requant(_ sum: Int, _ l: Layer, _ o: Int) -> UInt8 {
        let q = BlockTests.specQ(acc: Int128(l.bias[o]) + Int128(sum), m: Int128(l.m[o]), s: l.s[o], rounding: l.round)
        let y = min(max(Int128(l.zero) + q, Int128(l.lo)), Int128(l.hi))
        return UInt8(truncatingIfNeeded: y)
    }

    static func infer(_ layers: [Layer], _ x0: [UInt8]) -> [UInt8] {
        var x = x0
        for l in layers {
            let xv = x.map { l.inSigned ? Int(Int8(bitPattern: $0)) : Int($0) }
            x = (0..<l.outN).map { o in requant(zip(l.w[o], xv).reduce(0) { $0 + $1.0 * $1.1 }, l, o) }
        }
        return x
    }

    static func randomLayers(_ c: Case, _ rng: inout SplitMix64) -> [Layer] {
        var layers: [Layer] = []
        var inSigned = Bool.random(using: &rng)
        for li in 0..<(c.dims.count - 1) {
            let inN = c.dims[li], outN = c.dims[li + 1]
            let outSigned = Bool.random(using: &rng)
            let w = (0..<outN).map { _ in (0..<inN).map { _ in Int.random(in: -128...127, using: &rng) } }
            let bmax = c.biasW >= 64 ? Int64.max : (Int64(1) << Int64(c.biasW - 1)) - 1, bmin = -bmax - 1
            // The layer's rounding: any built mode, float32 on layer 0 when built (it needs M < 2^24).
            let built = (0..<5).filter { c.modes & (1 << $0) != 0 }
            let round = li == 0 && c.modes & 16 != 0 ? 4 : built.randomElement(using: &rng)!
            let mmax = min(c.multW >= 64 ? UInt64.max : (UInt64(1) << UInt64(c.multW)) - 1, round == 4 ? (1 << 24) - 1 : UInt64.max)
            var bias: [Int64] = [], m: [UInt64] = [], s: [Int] = []
            for o in 0..<outN {
                let corner = Int.random(in: 0..<10, using: &rng)
                if corner < 3 {
                    bias.append([bmin, bmax, 0, Int64.random(in: bmin...bmax, using: &rng)].randomElement(using: &rng)!)
                    m.append([0, 1, mmax, UInt64.random(in: 0...mmax, using: &rng)].randomElement(using: &rng)!)
                    s.append([0, 1, 63, Int.random(in: 0...63, using: &rng)].randomElement(using: &rng)!)
                } else {
                    // A moderate requantization: q lands near the output range.
                    let small = min(Int64(1) << Int64(min(c.biasW - 1, 16)), bmax)
                    bias.append(Int64.random(in: -small...small, using: &rng))
                    let mv = UInt64.random(in: 1...min(mmax, 1 << 16), using: &rng)
                    m.append(mv)
                    let amax = Double(abs(bias[o])) + Double(w[o].reduce(0) { $0 + abs($1) }) * 255
                    let bits = Int(log2(amax * Double(mv) + 1).rounded(.up))
                    s.append(max(0, min(63, bits - 8 + Int.random(in: -2...1, using: &rng))))
                }
            }
            let tmin = outSigned ? -128 : 0, tmax = outSigned ? 127 : 255
            let zero = Int32(Int.random(in: tmin...tmax, using: &rng))
            var lo = Int16(tmin), hi = Int16(tmax)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: lo = Int16(max(tmin, Int(zero)))                 // relu at a non-zero zero point
            case 1: let a = Int.random(in: tmin...tmax, using: &rng), b = Int.random(in: tmin...tmax, using: &rng)
                lo = Int16(min(a, b)); hi = Int16(max(a, b))
            default: break
            }
            layers.append(Layer(inN: inN, outN: outN, inSigned: inSigned, outSigned: outSigned, w: w, bias: bias, m: m, s: s,
                                round: round, zero: zero, lo: lo, hi: hi))
            inSigned = outSigned
        }
        return layers
    }

    // ---------------- the parameter-window script ----------------
    struct CfgScript {
        var lines: [String] = []
        var requests = 0
        let qw: Int, chunks: Int, cb: Int
        var dims: [Int]
        // Staging registers: the pooled one (zn_seq) and each layer's own (the oracle); a last-chunk
        // quant write is made only when they agree (zn_seq's one documented difference).
        var pooled: [UInt32?], own: [[UInt32?]]

        init(dims: [Int], biasW: Int, multW: Int) {
            self.dims = dims
            qw = biasW + multW + 6
            chunks = (qw + 31) / 32
            var b = 0
            while (1 << b) < chunks { b += 1 }
            cb = b
            pooled = [UInt32?](repeating: nil, count: chunks)
            own = [[UInt32?]](repeating: [UInt32?](repeating: nil, count: chunks), count: dims.count - 1)
        }

        static func clog2(_ n: Int) -> Int { var b = 0; while (1 << b) < n { b += 1 }; return b }

        mutating func request(we: Bool, kind: Int, layer: Int, addr: UInt32, data: UInt32, hold: Int) {
            var we = we
            // Quant geometry of the layer: a valid chunk write stages (or commits) a chunk.
            if we && kind == 1 {
                let outN = dims[layer + 1]
                let ch = Int(addr) & ((1 << cb) - 1), depth = UInt64(addr) >> UInt64(cb)
                if depth < UInt64(outN) && ch < chunks {
                    if ch < chunks - 1 { pooled[ch] = data; own[layer][ch] = data } else if Array(pooled[0..<(chunks - 1)]) != Array(own[layer][0..<(chunks - 1)]) {
                        we = false
                    }
                }
            }
            var b = Bits(width: 83)
            b.set(0, 32, Int64(data)); b.set(32, 32, Int64(addr)); b.set(64, 16, Int64(layer)); b.set(80, 1, Int64(kind))
            b.set(81, 1, we ? 1 : 0)
            var first = b
            first.set(82, 1, 1)
            lines.append(first.hex)
            for _ in 0..<(4 + hold) { lines.append(b.hex) }
            requests += 1
        }

        mutating func quantWord(layer: Int, o: Int, word: Bits, junk: inout SplitMix64) {
            for ch in 0..<chunks {
                var v: UInt32 = 0
                for bit in 0..<32 where 32 * ch + bit < qw && word.bits[32 * ch + bit] { v |= 1 << UInt32(bit) }
                if 32 * ch + 32 > qw { v |= UInt32.random(in: 0...UInt32.max, using: &junk) & ~((UInt32(1) << UInt32(qw - 32 * ch)) &- 1) }
                request(we: true, kind: 1, layer: layer, addr: UInt32(o << cb | ch), data: v, hold: 0)
            }
        }

        /// Random traffic: valid and invalid addresses of every layer and kind, reads and writes.
        mutating func traffic(_ n: Int, writes: Bool, rng: inout SplitMix64) {
            for _ in 0..<n {
                let layer = Int.random(in: 0..<(dims.count - 1), using: &rng)
                let kind = Int.random(in: 0...1, using: &rng)
                let inN = dims[layer], outN = dims[layer + 1]
                let depth = kind == 0 ? inN * outN : outN
                let span = kind == 0 ? 1 << Self.clog2(depth) : (1 << Self.clog2(depth)) << cb
                let addr: UInt32
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: addr = [0xFFFF_FFFF, 0x8000_0000, UInt32(span), UInt32(span) - 1, UInt32.random(in: 0...UInt32.max, using: &rng)]
                    .randomElement(using: &rng)!
                case 1: addr = kind == 0 ? UInt32(depth) : UInt32(outN << cb)            // just past the memory
                case 2: addr = kind == 0 ? UInt32(depth - 1) : UInt32((outN - 1) << cb | (chunks - 1))   // the last chunk
                case 3: addr = kind == 1 ? UInt32(Int.random(in: 0..<outN, using: &rng) << cb | ((1 << cb) - 1)) : 0
                default:
                    addr = kind == 0 ? UInt32(Int.random(in: 0..<depth, using: &rng))
                        : UInt32(Int.random(in: 0..<outN, using: &rng) << cb | Int.random(in: 0..<chunks, using: &rng))
                }
                request(we: writes && Bool.random(using: &rng), kind: kind, layer: layer, addr: addr,
                        data: UInt32.random(in: 0...UInt32.max, using: &rng), hold: Int.random(in: 0...2, using: &rng))
            }
        }
    }

    static func clampWord(_ l: Layer) -> UInt32 { UInt32(UInt16(bitPattern: l.hi)) << 16 | UInt32(UInt16(bitPattern: l.lo)) }

    struct Run { var result: String; var passed: Bool; var outs: [(Int, UInt8?)]; var offers: [Int]; var accepts: [Int]; var acks: Int }

    static func simulate(dims: [Int], signs: Int, sumW: Int, biasW: Int, multW: Int, modes: Int = 3, cfg: CfgScript, cfg2: CfgScript? = nil,
                         codes: [(abs: Int, gap: Int, code: UInt8)], rdy: [Bool], lcfg: [(Int, Int32, UInt32)],
                         nout: Int, rstAt: Int = 0, rstSkip: Int = 0, maxCyc: Int) throws -> Run {
        var p: [String: Int] = ["NUM_LAYERS": dims.count - 1, "SIGNS": signs, "SUM_W": sumW, "BIAS_W": biasW, "MULT_W": multW, "ROUNDINGS": modes,
                                "NCFG": max(cfg.lines.count, 1), "NCFG2": max(cfg2?.lines.count ?? 0, 1), "NCODE": codes.count, "NRDY": rdy.count, "NOUT": nout,
                                "RST_AT": rstAt, "RST_SKIP": rstSkip, "MAXCYC": maxCyc]
        for l in 0..<(dims.count - 1) { p["IN\(l)"] = dims[l]; p["OUT\(l)"] = dims[l + 1] }
        let codeText = codes.map { c -> String in
            var b = Bits(width: 56)
            b.set(0, 8, Int64(c.code)); b.set(8, 16, Int64(c.gap)); b.set(24, 32, Int64(c.abs))
            return b.hex
        }.joined(separator: "\n") + "\n"
        let lcfgText = lcfg.map { r, z, c -> String in
            var b = Bits(width: 67)
            b.set(0, 32, Int64(c)); b.set(32, 32, Int64(UInt32(bitPattern: z))); b.set(64, 3, Int64(r))
            return b.hex
        }.joined(separator: "\n") + "\n"
        let cfgText = (cfg.lines.isEmpty ? ["0"] : cfg.lines).joined(separator: "\n") + "\n"
        let cfg2Lines = cfg2?.lines ?? []
        let cfg2Text = (cfg2Lines.isEmpty ? ["0"] : cfg2Lines).joined(separator: "\n") + "\n"
        let r = try runTestbench("tb_zn_seq", params: p,
                                 inputs: ["cfg": cfgText, "cfg2": cfg2Text, "codes": codeText, "rdy": rdy.map { $0 ? "1" : "0" }.joined(separator: "\n") + "\n",
                                          "lcfg": lcfgText],
                                 outputs: ["outs", "offers", "accepts"])
        let outs = (r.outputs["outs"] ?? []).map { line -> (Int, UInt8?) in
            (Int(line.prefix(8), radix: 16) ?? -1, UInt8(line.suffix(2), radix: 16))
        }
        let words = r.result.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let acks = words.firstIndex(of: "acks").flatMap { $0 + 1 < words.count ? Int(words[$0 + 1]) : nil } ?? -1
        return Run(result: r.result, passed: r.passed, outs: outs,
                   offers: (r.outputs["offers"] ?? []).map { Int($0, radix: 16) ?? -1 },
                   accepts: (r.outputs["accepts"] ?? []).map { Int($0, radix: 16) ?? -1 }, acks: acks)
    }

    static func requantWordCycles(sumW: Int, biasW: Int, multW: Int, modes: Int = 3) -> Int {
        // zn_requant_serial: T = max(ACC_W + MULT_W + 2, 96) bits, ACC_W = max(BIAS_W, SUM_W) + 1; a word takes T + 5 cycles,
        // with float32 built three passes of T + 3 cycles, 3·(T + 3) + 2.
        (modes & 16 != 0 ? 3 : 1) * (max(max(biasW, sumW) + 1 + multW + 2, 96) + 3) + 2
    }

    // ---------------- 1 + 2: bit-exact outputs and the parameter window ----------------
    @Test(.tags(.iverilog), arguments: cases)
    func exactOutputsAndWindow(_ c: Case) throws {
        var rng = SplitMix64(seed: c.seed &* 7919)
        let layers = Self.randomLayers(c, &rng)
        let nl = layers.count
        let sumW = layers.map { Self.provenSumBits($0.inN, signed: $0.inSigned) }.max()! + c.sumExtra
        var cfg = CfgScript(dims: c.dims, biasW: c.biasW, multW: c.multW)
        cfg.traffic(c.traffic, writes: true, rng: &rng)
        for (li, l) in layers.enumerated() {
            for o in 0..<l.outN { for i in 0..<l.inN {
                let junk = UInt32.random(in: 0...UInt32.max, using: &rng) & 0xFFFF_FF00
                cfg.request(we: true, kind: 0, layer: li, addr: UInt32(o * l.inN + i), data: junk | UInt32(UInt8(bitPattern: Int8(l.w[o][i]))), hold: 0)
            } }
            for o in 0..<l.outN {
                var word = Bits(width: c.biasW + c.multW + 6)
                word.set(0, c.biasW, l.bias[o]); word.set(c.biasW, c.multW, Int64(bitPattern: l.m[o])); word.set(c.biasW + c.multW, 6, Int64(l.s[o]))
                cfg.quantWord(layer: li, o: o, word: word, junk: &rng)
            }
        }
        cfg.traffic(c.traffic / 2, writes: false, rng: &rng)
        // Read every word back (answers checked against the oracle every cycle).
        for (li, l) in layers.enumerated() {
            for a in 0..<min(l.inN * l.outN, 64) { cfg.request(we: false, kind: 0, layer: li, addr: UInt32(a), data: 0, hold: 0) }
            for o in 0..<l.outN { for ch in 0..<cfg.chunks {
                cfg.request(we: false, kind: 1, layer: li, addr: UInt32(o << cfg.cb | ch), data: 0, hold: 0)
            } }
        }

        // Reads (valid and out of range) through the window while the engine computes.
        var cfg2 = CfgScript(dims: c.dims, biasW: c.biasW, multW: c.multW)
        cfg2.traffic(30, writes: false, rng: &rng)

        let n0 = c.dims[0]
        let images = (0..<c.images).map { _ in (0..<n0).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let expected = images.map { Self.infer(layers, $0) }
        let codes = images.flatMap { $0 }.map { (abs: 0, gap: c.gaps && Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 1...9, using: &rng) : 0, code: $0) }
        let rdy: [Bool] = c.stalls ? (0..<97).map { _ in Int.random(in: 0..<5, using: &rng) < 3 } : [true]
        let wc = Self.requantWordCycles(sumW: sumW, biasW: c.biasW, multW: c.multW, modes: c.modes)
        let perImage = (0..<nl).reduce(n0) { $0 + c.dims[$1 + 1] * (c.dims[$1] + wc + 12) + wc }
        var rstAt = 0, rstSkip = 0
        if c.reset {
            rstAt = Int.random(in: 5...(perImage * 2), using: &rng)
            rstSkip = 2 * n0
        }
        let outsPer = c.dims.last!
        let nout = (c.reset ? c.images - 2 : c.images) * outsPer
        let signs = layers.enumerated().reduce(0) { $0 | ($1.element.inSigned ? 1 << $1.offset : 0) }
        let lcfg = layers.map { ($0.round, $0.zero, Self.clampWord($0)) }
        let r = try Self.simulate(dims: c.dims, signs: signs, sumW: sumW, biasW: c.biasW, multW: c.multW, modes: c.modes, cfg: cfg, cfg2: cfg2, codes: codes,
                                  rdy: rdy, lcfg: lcfg, nout: nout, rstAt: rstAt, rstSkip: rstSkip,
                                  maxCyc: perImage * (c.images + 2) * (c.stalls ? 3 : 1) + 1000)
        #expect(r.passed, "\(r.result)")
        // A soft reset drops the answer of a request in flight (of the DUT and of the oracle alike).
        let lost = c.reset && rstAt < cfg2.lines.count + 5 ? 1 : 0
        #expect(r.acks >= cfg.requests + cfg2.requests - lost && r.acks <= cfg.requests + cfg2.requests, "\(r.result)")
        let flat = expected.flatMap { $0 }
        if c.reset {
            let before = r.outs.filter { $0.0 < rstAt }.map { $0.1 }
            let after = r.outs.filter { $0.0 > rstAt }.map { $0.1 }
            #expect(before == Array(flat.prefix(before.count)).map { Optional($0) }, "outputs before the reset")
            #expect(after == Array(flat.dropFirst(2 * outsPer)).map { Optional($0) }, "outputs after the reset")
        } else {
            #expect(r.outs.map { $0.1 } == flat.map { Optional($0) })
        }
        // Every output word's handshake follows its offer; nothing was duplicated.
        #expect(r.outs.count >= nout)
    }

    // ---------------- 3: timing ----------------
    struct TimingCase: CustomStringConvertible, Sendable {
        var dims: [Int]
        var images: Int
        var modes = 3
        var description: String { dims.map(String.init).joined(separator: "-") + (modes != 3 ? " modes \(modes)" : "") }
    }

    static let timingCases: [TimingCase] = [
        .init(dims: [1, 1], images: 5), .init(dims: [3, 2], images: 5), .init(dims: [16, 8, 4], images: 5),
        .init(dims: [40, 3, 2], images: 5),          // IN < the requantizer's word period
        .init(dims: [150, 3, 130, 2], images: 5),    // IN > the period, 3 layers
        .init(dims: [5, 7, 2, 3], images: 5),
        .init(dims: [784, 128, 10], images: 4),
        .init(dims: [40, 3, 2], images: 5, modes: 31),   // float32 built: three passes a word
        .init(dims: [400, 3, 2], images: 5, modes: 19),  // IN > the three-pass period
    ]

    @Test(.tags(.iverilog), arguments: timingCases)
    func timingMatchesModel(_ t: TimingCase) throws {
        var rng = SplitMix64(seed: UInt64(t.dims.reduce(0, +)))
        let ins = Array(t.dims.dropLast()), outs = Array(t.dims.dropFirst())
        let sumW = ins.map { Self.provenSumBits($0, signed: false) }.max()!
        let wc = Self.requantWordCycles(sumW: sumW, biasW: 33, multW: 32, modes: t.modes)
        let lcfg = ins.map { _ in (0, Int32(0), UInt32(0x007F_FF80)) }
        let cfg = CfgScript(dims: t.dims, biasW: 33, multW: 32)
        let perImage = (0..<ins.count).reduce(ins[0]) { $0 + outs[$1] * (ins[$1] + wc + 12) + wc }

        // One image, the input codes offered at random non-decreasing cycles.
        var offers: [Int] = []
        var at = Int.random(in: 0...3, using: &rng)
        for _ in 0..<ins[0] { at += Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 1...5, using: &rng) : 0; offers.append(at) }
        let one = try Self.simulate(dims: t.dims, signs: (1 << ins.count) - 1, sumW: sumW, biasW: 33, multW: 32, modes: t.modes, cfg: cfg,
                                    codes: offers.map { (abs: $0, gap: 0, code: 0) }, rdy: [true], lcfg: lcfg,
                                    nout: outs.last!, maxCyc: perImage * 2 + offers.last! + 100)
        #expect(one.passed, "\(one.result)")
        let model = SequentialTiming.outputOffers(inCounts: ins, outCounts: outs, requantWordCycles: wc, inputOffers: offers)
        #expect(one.offers == model)
        #expect(one.offers == one.outs.map { $0.0 }, "out_ready is 1: each word is taken when offered")

        // Back to back images, input offered whenever in_ready allows.
        let many = try Self.simulate(dims: t.dims, signs: 0, sumW: sumW, biasW: 33, multW: 32, modes: t.modes, cfg: cfg,
                                     codes: (0..<(t.images * ins[0])).map { _ in (abs: 0, gap: 0, code: 0) }, rdy: [true], lcfg: lcfg,
                                     nout: t.images * outs.last!, maxCyc: perImage * (t.images + 1) + 100)
        #expect(many.passed, "\(many.result)")
        let firsts = stride(from: 0, to: t.images * ins[0], by: ins[0]).map { many.accepts.count > $0 ? many.accepts[$0] : -1 }
        let ii = SequentialTiming.iiCycles(inCounts: ins, outCounts: outs, requantWordCycles: wc)
        #expect(firsts[t.images - 1] - firsts[t.images - 2] == ii, "first accepts \(firsts)")
        if t.images >= 5 { #expect(firsts[t.images - 2] - firsts[t.images - 3] == ii, "steady: first accepts \(firsts)") }
    }

    // ---------------- 4: lint ----------------
    static let lintSets: [[String: String]] = [
        [:],
        ["NUM_LAYERS": "1", "L_IN": "32'd1", "L_OUT": "32'd1", "L_IN_SIGNED": "1'b0", "SUM_W": "16", "BIAS_W": "2", "MULT_W": "1"],
        ["NUM_LAYERS": "2", "L_IN": "64'h80_00000310", "L_OUT": "64'ha_00000080", "L_IN_SIGNED": "2'b01", "SUM_W": "25"],
        ["NUM_LAYERS": "3", "L_IN": "96'h4_00000008_00000010", "L_OUT": "96'h3_00000004_00000008", "L_IN_SIGNED": "3'b010",
         "SUM_W": "22", "BIAS_W": "64"],
        ["NUM_LAYERS": "4", "L_IN": "128'h7_00000005_00000001_00000003", "L_OUT": "128'h2_00000007_00000005_00000001",
         "SUM_W": "40", "MULT_W": "20"],
    ]

    @Test(.tags(.verilator, .yosys), arguments: lintSets)
    func lintClean(_ p: [String: String]) throws {
        let lines = try verilatorLint(top: "zn_seq", extra: p.sorted { $0.key < $1.key }.map { "-G\($0.key)=\($0.value)" })
        #expect(lines.isEmpty, "\(lines.prefix(5).joined(separator: "\n"))")
        let chp = p.isEmpty ? "" : "chparam " + p.sorted { $0.key < $1.key }.map { "-set \($0.key) \($0.value)" }.joined(separator: " ") + " zn_seq; "
        let ys = try runTool("yosys", ["-q", "-p", "read_verilog -I\(rtlDir.path) " + rtlSources().joined(separator: " ") + "; " + chp +
                                       "hierarchy -check -top zn_seq; proc"])
        #expect(ys.status == 0, "\(ys.output.prefix(400))")
    }

    static let badSets: [[String: String]] = [
        ["L_IN": "64'h5_00000003"],                                   // L_IN[1] != L_OUT[0]
        ["L_IN": "64'h2_00000003", "L_OUT": "64'h2_00000002", "SUM_W": "16"],   // SUM_W below layer 0's proof (17)
        ["L_IN": "64'h2_00000000", "L_OUT": "64'h2_00000002"],          // a count of 0
        ["MULT_W": "33"],
        ["L_IN": "64'h1000000_01000000", "L_OUT": "64'h2_01000000", "SUM_W": "40"],   // 2^48 weights
    ]

    @Test(.tags(.verilator, .yosys), arguments: badSets)
    func badParametersRefused(_ p: [String: String]) throws {
        let lines = try verilatorLint(top: "zn_seq", extra: p.sorted { $0.key < $1.key }.map { "-G\($0.key)=\($0.value)" })
        #expect(lines.contains { $0.contains("USERFATAL") || $0.contains("Error") }, "verilator accepted \(p)")
        let chp = "chparam " + p.sorted { $0.key < $1.key }.map { "-set \($0.key) \($0.value)" }.joined(separator: " ") + " zn_seq; "
        let ys = try runTool("yosys", ["-q", "-p", "read_verilog -I\(rtlDir.path) " + rtlSources().joined(separator: " ") + "; " + chp +
                                       "hierarchy -check -top zn_seq; proc"])
        #expect(ys.status != 0, "yosys accepted \(p)")
    }

    /// iverilog elaborates the testbench (and so zn_seq) for 1 to 4 layers; bad chains are refused.
    @Test(.tags(.iverilog)) func iverilogElaborates() throws {
        for (p, ok) in [(["NUM_LAYERS": 1, "IN0": 1, "OUT0": 1, "SUM_W": 16, "BIAS_W": 2, "MULT_W": 1], true),
                        (["NUM_LAYERS": 4, "IN0": 3, "OUT0": 5, "IN1": 5, "OUT1": 2, "IN2": 2, "OUT2": 9, "IN3": 9, "OUT3": 1], true),
                        (["NUM_LAYERS": 2, "IN0": 3, "OUT0": 5, "IN1": 4, "OUT1": 2], false)] {
            let (r, out) = try iverilogElaborate(top: "tb_zn_seq", params: p, sources: tbSources() + rtlSources())
            #expect(r == ok, "\(p): \(out.prefix(300))")
        }
    }
}
