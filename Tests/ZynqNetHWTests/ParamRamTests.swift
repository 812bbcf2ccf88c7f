import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase

/// zn_param_ram on its own in iverilog, cycle by cycle against a naive model: back-to-back and
/// gapped requests, valid addresses (every corner of chunk/depth/bank) and addresses outside the
/// memory (a field past its count, bits above the used width, the top of the 32-bit space); every
/// cycle's cfg_ack, cfg_err, cfg_next and cfg_rdata (the answer exactly four cycles after the
/// request, everything zero otherwise), partial-word staging and the compute port with `ce`.
extension BlockTests {
    struct ParamRamCase: CustomStringConvertible, Sendable {
        var banks: Int, depth: Int, wordW: Int
        /// zn_param_ram's SLICE_DEPTH (words in bit-sliced tiles) and RAM_STYLE; nil: the module's default.
        var sliceDepth: Int? = nil, ramStyle: Int? = nil
        var description: String {
            "BANKS \(banks) DEPTH \(depth) WORD_W \(wordW)" + (sliceDepth.map { " SLICE_DEPTH \($0)" } ?? "")
                + (ramStyle.map { " RAM_STYLE \($0)" } ?? "")
        }
    }

    static let paramRamCases: [ParamRamCase] = [
        .init(banks: 1, depth: 1, wordW: 8), .init(banks: 1, depth: 10, wordW: 71), .init(banks: 3, depth: 5, wordW: 71),
        .init(banks: 2, depth: 4, wordW: 64), .init(banks: 4, depth: 8, wordW: 32), .init(banks: 2, depth: 3, wordW: 224),
        .init(banks: 5, depth: 1, wordW: 40), .init(banks: 1, depth: 16, wordW: 8), .init(banks: 8, depth: 6, wordW: 96),
        .init(banks: 7, depth: 9, wordW: 1),
        // Bit-sliced deep storage (small SLICE_DEPTH so every word is written): tiles plus a word-wide
        // rest, tiles only, a rest of one word, no tile (DEPTH < SLICE_DEPTH), with RAM_STYLE block/distributed.
        .init(banks: 1, depth: 10, wordW: 8, sliceDepth: 4), .init(banks: 3, depth: 9, wordW: 71, sliceDepth: 4),
        .init(banks: 2, depth: 8, wordW: 40, sliceDepth: 4), .init(banks: 1, depth: 3, wordW: 8, sliceDepth: 4),
        .init(banks: 2, depth: 7, wordW: 33, sliceDepth: 2, ramStyle: 1), .init(banks: 5, depth: 13, wordW: 1, sliceDepth: 8),
        .init(banks: 1, depth: 16, wordW: 8, ramStyle: 2), .init(banks: 2, depth: 10, wordW: 71, ramStyle: 1),
        // The default SLICE_DEPTH (32768): one full tile and a word-wide rest of three words.
        .init(banks: 1, depth: 32771, wordW: 3),
    ]

    @Test(.tags(.iverilog), arguments: paramRamCases)
    func paramRam(_ c: ParamRamCase) throws {
        var rng = SplitMix64(seed: UInt64(c.banks * 1_000_003 + c.depth * 1009 + c.wordW))
        func clog2(_ n: Int) -> Int { var b = 0; while (1 << b) < n { b += 1 }; return b }
        let chunks = (c.wordW + 31) / 32, lastW = c.wordW - 32 * (chunks - 1)
        let cb = clog2(chunks), db = clog2(c.depth), bb = clog2(c.banks)
        let aw = bb + db + cb
        func addr(_ b: Int, _ d: Int, _ ch: Int) -> UInt32 { UInt32(b << (db + cb) | d << cb | ch) }

        // The request script: every word written in auto-increment order (with gaps), then random traffic.
        struct Req { var req: Bool, we: Bool, addr: UInt32, data: UInt32 }
        var script: [Req] = []
        func idle() -> Req { Req(req: false, we: Bool.random(using: &rng), addr: UInt32.random(in: 0...UInt32.max, using: &rng),
                                 data: UInt32.random(in: 0...UInt32.max, using: &rng)) }
        for b in 0..<c.banks { for d in 0..<c.depth { for ch in 0..<chunks {
            if Int.random(in: 0..<4, using: &rng) == 0 { script.append(idle()) }
            script.append(Req(req: true, we: true, addr: addr(b, d, ch), data: UInt32.random(in: 0...UInt32.max, using: &rng)))
        } } }
        var bad: [UInt32] = [0xFFFF_FFFF, 0x8000_0000, UInt32(1) << UInt32(aw), (UInt32(1) << UInt32(aw)) | 1, 0xFFFF_FFF0]
        if aw < 31 { bad.append(UInt32(1) << UInt32(aw + 1)) }
        if c.banks < (1 << bb) { bad.append(addr(c.banks, 0, 0)); bad.append(addr((1 << bb) - 1, c.depth - 1, chunks - 1)) }
        if c.depth < (1 << db) { bad.append(addr(0, c.depth, 0)); bad.append(addr(c.banks - 1, (1 << db) - 1, chunks - 1)) }
        if chunks < (1 << cb) { bad.append(addr(0, 0, chunks)); bad.append(addr(c.banks - 1, c.depth - 1, (1 << cb) - 1)) }
        for _ in 0..<600 {
            let k = Int.random(in: 0..<10, using: &rng)
            if k == 0 { script.append(idle()); continue }
            let b = [0, c.banks - 1, Int.random(in: 0..<c.banks, using: &rng)].randomElement(using: &rng)!
            let d = [0, c.depth - 1, Int.random(in: 0..<c.depth, using: &rng)].randomElement(using: &rng)!
            let ch = [0, chunks - 1, Int.random(in: 0..<chunks, using: &rng)].randomElement(using: &rng)!
            let a = k == 1 ? bad.randomElement(using: &rng)! : k == 2 ? UInt32.random(in: 0...UInt32.max, using: &rng) : addr(b, d, ch)
            script.append(Req(req: true, we: Bool.random(using: &rng), addr: a, data: UInt32.random(in: 0...UInt32.max, using: &rng)))
        }

        // The naive model: requests in order, each answered four lines later.
        let lastMask = lastW == 32 ? UInt32.max : (UInt32(1) << UInt32(lastW)) - 1
        var mem = [[[UInt32]]](repeating: [[UInt32]](repeating: [UInt32](repeating: 0, count: chunks), count: c.depth), count: c.banks)
        var stage = [UInt32](repeating: 0, count: chunks)
        var expected = [String](repeating: "", count: script.count + 6)
        func line(_ ack: Bool, _ err: Bool, _ next: UInt32, _ rdata: UInt32) -> String {
            var b = Bits(width: 66)
            b.set(0, 32, Int64(rdata)); b.set(32, 32, Int64(next)); b.set(64, 1, err ? 1 : 0); b.set(65, 1, ack ? 1 : 0)
            return b.hex
        }
        for i in expected.indices { expected[i] = line(false, false, 0, 0) }
        var okCount = 0, errCount = 0
        for (n, r) in script.enumerated() where r.req {
            let a = Int(r.addr)
            let ch = a & ((1 << cb) - 1), d = (a >> cb) & ((1 << db) - 1), b = (a >> (db + cb)) & ((1 << bb) - 1)
            let ok = r.addr >> UInt32(aw) == 0 && b < c.banks && d < c.depth && ch < chunks
            var next = r.addr &+ 1
            if ok && ch == chunks - 1 { next = d < c.depth - 1 ? addr(b, d + 1, 0) : UInt32((b + 1) << (db + cb)) }
            var rdata: UInt32 = 0
            if ok && r.we {
                if ch < chunks - 1 { stage[ch] = r.data } else {
                    mem[b][d] = Array(stage[0..<(chunks - 1)]) + [r.data & lastMask]
                }
            } else if ok {
                rdata = mem[b][d][ch]
            }
            if ok { okCount += 1 } else { errCount += 1 }
            expected[n + 4] = line(true, !ok, next, rdata)
        }
        #expect(okCount > 300 && errCount > 30)

        // Compute port: ce and rd_en random, every depth read at least once.
        var rd: [(ce: Bool, en: Bool, a: Int)] = (0..<c.depth).map { (true, true, $0) }
        for _ in 0..<60 { rd.append((Bool.random(using: &rng), Bool.random(using: &rng), Int.random(in: 0..<c.depth, using: &rng))) }
        var qa: [[UInt32]]? = nil, rdd: [[UInt32]]? = nil
        var rdExpected: [[Bool]?] = []
        for n in 0..<(rd.count + 3) {
            if let v = rdd {
                var bits = Bits(width: c.banks * c.wordW)
                for b in 0..<c.banks { for ch in 0..<chunks {
                    let w = ch == chunks - 1 ? lastW : 32
                    bits.set(b * c.wordW + 32 * ch, w, Int64(v[b][ch]))
                } }
                rdExpected.append(bits.bits)
            } else { rdExpected.append(nil) }
            let (ce, en, a) = n < rd.count ? rd[n] : (false, false, 0)
            if ce { rdd = qa; if en { qa = (0..<c.banks).map { mem[$0][a] } } }
        }

        let reqText = script.map { r -> String in
            var b = Bits(width: 66)
            b.set(0, 32, Int64(r.data)); b.set(32, 32, Int64(r.addr)); b.set(64, 1, r.we ? 1 : 0); b.set(65, 1, r.req ? 1 : 0)
            return b.hex
        }.joined(separator: "\n") + "\n"
        let rdText = rd.map { r -> String in
            var b = Bits(width: 34)
            b.set(0, 32, Int64(r.a)); b.set(32, 1, r.en ? 1 : 0); b.set(33, 1, r.ce ? 1 : 0)
            return b.hex
        }.joined(separator: "\n") + "\n"
        var params = ["BANKS": c.banks, "DEPTH": c.depth, "WORD_W": c.wordW, "NCFG": script.count, "NRD": rd.count]
        if let v = c.sliceDepth { params["SLICE_DEPTH"] = v }
        if let v = c.ramStyle { params["RAM_STYLE"] = v }
        let r = try runTestbench("tb_zn_param_ram", params: params,
                                 inputs: ["req": reqText, "rd": rdText], outputs: ["cfg", "rdout"])
        #expect(r.passed, "\(r.result)")
        let got = (r.outputs["cfg"] ?? []).map { Bits(hex: $0, width: 66)?.hex }
        #expect(got.count == expected.count)
        let firstBad = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstBad == nil, "cycle \(firstBad?.offset ?? -1): got \(firstBad?.element.0 ?? "nil"), expected \(firstBad?.element.1 ?? "")")
        let gotRd = (r.outputs["rdout"] ?? []).map { Bits(hex: $0, width: c.banks * c.wordW)?.bits }
        #expect(gotRd == rdExpected)
    }
}
