import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW

/// Every library block in iverilog against a naive Swift model, random data, random TVALID gaps
/// and TREADY stalls (the testbenches in fpga/sim also check that a stalled word stays put).
@Suite struct BlockTests {
    // MARK: zn_resize

    struct ResizeCase: CustomStringConvertible, Sendable {
        var laneW: Int, inL: Int, outL: Int, n: Int
        var description: String { "lane \(laneW) \(inL)->\(outL) N \(n)" }
    }

    static let resizeCases: [ResizeCase] = [
        .init(laneW: 8, inL: 8, outL: 28, n: 784), .init(laneW: 8, inL: 8, outL: 14, n: 56), .init(laneW: 8, inL: 8, outL: 16, n: 64),
        .init(laneW: 8, inL: 16, outL: 2, n: 32), .init(laneW: 8, inL: 3, outL: 8, n: 10), .init(laneW: 8, inL: 8, outL: 5, n: 5),
        .init(laneW: 8, inL: 8, outL: 1, n: 1), .init(laneW: 8, inL: 1, outL: 8, n: 10), .init(laneW: 20, inL: 12, outL: 1, n: 24),
        .init(laneW: 8, inL: 1, outL: 1, n: 1), .init(laneW: 8, inL: 2, outL: 8, n: 8), .init(laneW: 8, inL: 8, outL: 8, n: 20),
        .init(laneW: 5, inL: 4, outL: 6, n: 24), .init(laneW: 8, inL: 8, outL: 7, n: 21), .init(laneW: 8, inL: 5, outL: 8, n: 13),
        // COLLECT with a partial last output word, SPLIT with ratios 3 and 8.
        .init(laneW: 8, inL: 2, outL: 8, n: 10), .init(laneW: 8, inL: 4, outL: 8, n: 20), .init(laneW: 8, inL: 1, outL: 8, n: 1),
        .init(laneW: 8, inL: 2, outL: 8, n: 6), .init(laneW: 20, inL: 1, outL: 4, n: 7), .init(laneW: 3, inL: 3, outL: 9, n: 21),
        .init(laneW: 8, inL: 8, outL: 1, n: 784), .init(laneW: 26, inL: 6, outL: 2, n: 12),
    ]

    @Test(.tags(.iverilog), arguments: resizeCases)
    func resize(_ c: ResizeCase) throws {
        var rng = SplitMix64(seed: UInt64(c.inL * 1000 + c.outL * 10 + c.n))
        let images = 3
        let inWords = (c.n + c.inL - 1) / c.inL, outWords = (c.n + c.outL - 1) / c.outL
        let mask = (Int64(1) << Int64(c.laneW)) - 1
        var input = "", expected: [Bits] = []
        for _ in 0..<images {
            let img = (0..<c.n).map { _ in Int64.random(in: 0...mask, using: &rng) }
            for w in 0..<inWords {
                var b = Bits(width: c.inL * c.laneW)
                for l in 0..<c.inL {
                    let k = w * c.inL + l
                    b.set(l * c.laneW, c.laneW, k < c.n ? img[k] : Int64.random(in: 0...mask, using: &rng))  // padding: garbage
                }
                input += b.hex + "\n"
            }
            for w in 0..<outWords {
                var b = Bits(width: c.outL * c.laneW)
                for l in 0..<c.outL where w * c.outL + l < c.n { b.set(l * c.laneW, c.laneW, img[w * c.outL + l]) }
                expected.append(b)
            }
        }
        let r = try runTestbench("tb_zn_resize", params: ["LANE_W": c.laneW, "IN_LANES": c.inL, "OUT_LANES": c.outL, "N": c.n,
                                                          "IMAGES": images, "SEED": 5],
                                 inputs: ["in": input], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        let got = (r.outputs["out"] ?? []).map { Bits(hex: $0, width: c.outL * c.laneW)?.bits }
        #expect(got == expected.map(\.bits))
    }

    // MARK: zn_fifo, zn_skid

    @Test(.tags(.iverilog), arguments: [(0, 1), (0, 2), (0, 5), (1, 2)])
    func streamBuffers(_ mode: Int, _ depth: Int) throws {
        var rng = SplitMix64(seed: UInt64(mode * 10 + depth))
        let words = (0..<200).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
        let r = try runTestbench("tb_zn_stream", params: ["MODE": mode, "DEPTH": depth, "W": 16, "COUNT": words.count, "SEED": depth],
                                 inputs: ["in": words.map { String($0, radix: 16) }.joined(separator: "\n") + "\n"], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { UInt16($0, radix: 16) } == words.map { Optional($0) })
    }

    // MARK: zn_argmax

    /// (LANES, N, SIGNED, SERIAL): the tree and the serial scan (one lane a cycle, in place).
    @Test(.tags(.iverilog), arguments: [(8, 10, 0, 0), (8, 10, 1, 0), (1, 1, 0, 0), (8, 3, 1, 0), (3, 20, 0, 0), (4, 16, 1, 0), (5, 4, 1, 0),
                      (2, 7, 1, 0), (8, 64, 0, 0), (6, 13, 0, 0),
                      (8, 10, 0, 1), (8, 10, 1, 1), (1, 1, 0, 1), (8, 3, 1, 1), (3, 20, 0, 1), (4, 16, 1, 1), (5, 4, 1, 1),
                      (2, 7, 1, 1), (8, 64, 0, 1), (6, 13, 0, 1), (1, 9, 1, 1), (8, 8, 0, 1), (8, 1, 1, 1)])
    func argmax(_ lanes: Int, _ n: Int, _ signed: Int, _ serial: Int) throws {
        var rng = SplitMix64(seed: UInt64(lanes * 100 + n + signed + 7 * serial))
        let images = 40
        let words = (n + lanes - 1) / lanes
        var input = "", expected: [UInt32] = []
        let pool: [UInt8] = [0x00, 0x7F, 0x80, 0xFF, 0x01, 0xFE, 0x81]
        for _ in 0..<images {
            // Few distinct values, so ties are common.
            let vals = (0..<n).map { _ in pool[Int.random(in: 0..<(Int.random(in: 1...pool.count, using: &rng)), using: &rng)] }
            let key = vals.map { signed == 1 ? Int(Int8(bitPattern: $0)) : Int($0) }
            var best = 0
            for i in 0..<n where key[i] > key[best] { best = i }
            expected.append(UInt32(best))
            for w in 0..<words {
                var b = Bits(width: lanes * 8)
                for l in 0..<lanes {
                    let k = w * lanes + l
                    b.set(l * 8, 8, k < n ? Int64(vals[k]) : 0x7F)  // padding that would win if it counted
                }
                input += b.hex + "\n"
            }
        }
        let r = try runTestbench("tb_zn_argmax", params: ["LANES": lanes, "N": n, "SIGNED": signed, "SERIAL": serial,
                                                          "IMAGES": images, "SEED": 3],
                                 inputs: ["in": input], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { UInt32($0, radix: 16) } == expected.map { Optional($0) })
    }

    // MARK: zn_axis_out

    /// Every C from 1 to 20 and two large ones, both argmax implementations: beat 0 = {sequence
    /// number, argmax (lowest index on a tie)}, then the value words unchanged, TLAST on the last
    /// beat of every K-th image (K = 0 acts as 1), under random input gaps (none for some C, so
    /// the serial scan holds words back) and output stalls.
    static let axisOutCases: [(Int, Int)] = (Array(1...20) + [100, 300]).flatMap { [($0, 0), ($0, 1)] }

    @Test(.tags(.iverilog), arguments: axisOutCases)
    func axisOut(_ c: Int, _ serial: Int) throws {
        var rng = SplitMix64(seed: UInt64(c * 2 + serial + 1000))
        let images = c > 50 ? 6 : 20
        let signed = (c / 2) % 2
        let packet = [0, 1, 3, 7][c % 4]
        let gap = [0, 30, 70][c % 3]
        let vb = (c + 7) / 8
        let pool: [UInt8] = [0x00, 0x7F, 0x80, 0xFF, 0x01, 0xFE, 0x81]
        var input = "", expected: [Bits] = []
        let k = max(packet, 1)
        for i in 0..<images {
            // Few distinct values, so ties are common; sometimes any byte.
            let narrow = Int.random(in: 1...pool.count, using: &rng)
            let vals: [UInt8] = (0..<c).map { _ in
                i % 4 == 3 ? UInt8.random(in: 0...255, using: &rng) : pool[Int.random(in: 0..<narrow, using: &rng)]
            }
            let key = vals.map { signed == 1 ? Int(Int8(bitPattern: $0)) : Int($0) }
            var best = 0
            for j in 0..<c where key[j] > key[best] { best = j }
            var b0 = Bits(width: 65)
            b0.set(0, 32, Int64(best))
            b0.set(32, 32, Int64(i))
            expected.append(b0)
            for w in 0..<vb {
                var word = Bits(width: 64), b = Bits(width: 65)
                for l in 0..<8 where w * 8 + l < c {
                    word.set(l * 8, 8, Int64(vals[w * 8 + l]))
                    b.set(l * 8, 8, Int64(vals[w * 8 + l]))
                }
                input += word.hex + "\n"
                if w == vb - 1 && (i + 1) % k == 0 { b.set(64, 1, 1) }
                expected.append(b)
            }
        }
        let r = try runTestbench("tb_zn_axis_out", params: ["C": c, "SIGNED": signed, "ARGMAX_SERIAL": serial, "PACKET": packet,
                                                            "IMAGES": images, "GAP": gap, "SEED": c + 11],
                                 inputs: ["in": input], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        let got = (r.outputs["out"] ?? []).map { Bits(hex: $0, width: 65)?.bits }
        #expect(got == expected.map(\.bits))
    }

    // MARK: zn_axis_out8

    /// zn_axis_out8 (byte-wide codes in) against a naive model of zn_axis_out's stream: every C
    /// from 1 to 20 plus 100 and 2048, both signednesses, ties (few distinct values), random input
    /// gaps (none for some C) and output stalls, K = 0/1/3/7 with a change mid-stream, clear_seq
    /// after a beat 0 and inside a beat 0's sequence window (byte 5 and byte 7), and a reset after
    /// a partial image (the partial image is dropped; sequence number and packet count restart).
    static let axisOut8Cases: [(Int, Int)] = (Array(1...20) + [100, 2048]).flatMap { [($0, 0), ($0, 1)] }

    @Test(.tags(.iverilog), arguments: axisOut8Cases)
    func axisOut8(_ c: Int, _ signed: Int) throws {
        var rng = SplitMix64(seed: UInt64(c * 2 + signed + 5000))
        let images = c > 50 ? 7 : 16                  // whole images in the output
        let k0 = [0, 1, 3, 7][(c + signed) % 4], k1 = [3, 7, 1, 0][(c + 2 * signed) % 4]
        let kchg = images / 2 - 1                     // K changes after this image's last beat
        let gap = [0, 30, 70][(c + signed) % 3]
        let stall = [30, 0, 60][c % 3]
        let rstImg = images / 2 + 1                   // the reset comes after images 0 ..< rstImg
        let partial = c > 1 ? 1 + Int.random(in: 0..<(c - 1), using: &rng) : 0  // codes of the dropped image
        let clr0 = 2, clr1 = images - 3, clrw = 3 + signed, clrw7 = images - 2
        // The first images' sequence numbers carry across bytes / wrap at 2^32 (the testbench
        // deposits seq0 into the DUT after reset).
        let seq0 = [0xFFFF_FFFF, 0x0000_FFFF, 0x00FF_FFFE, 0x0000_00FF][(c + signed) % 4]
        let vb = (c + 7) / 8
        let pool: [UInt8] = [0x00, 0x7F, 0x80, 0xFF, 0x01, 0xFE, 0x81]
        var codes: [UInt8] = [], expected: [Bits] = []
        var seq = seq0, inPacket = 0
        for i in 0..<images {
            if i == rstImg {
                codes += (0..<partial).map { _ in UInt8.random(in: 0...255, using: &rng) }
                seq = 0
                inPacket = 0
            }
            // Few distinct values, so ties are common; sometimes any byte.
            let narrow = Int.random(in: 1...pool.count, using: &rng)
            let vals: [UInt8] = (0..<c).map { _ in
                i % 4 == 3 ? UInt8.random(in: 0...255, using: &rng) : pool[Int.random(in: 0..<narrow, using: &rng)]
            }
            codes += vals
            let key = vals.map { signed == 1 ? Int(Int8(bitPattern: $0)) : Int($0) }
            var best = 0
            for j in 0..<c where key[j] > key[best] { best = j }
            var b0 = Bits(width: 65)
            b0.set(0, 32, Int64(best))
            b0.set(32, 32, Int64(seq))
            expected.append(b0)
            seq = (seq + 1) & 0xFFFF_FFFF
            if [clr0, clr1, clrw, clrw7].contains(i) { seq = 0 }   // the next image counts from 0
            // zn_axis_out: the image ends a packet when the images in it (itself included) >= K.
            let k = i <= kchg ? k0 : k1
            let pktEnd = inPacket + 1 >= k
            inPacket = pktEnd ? 0 : inPacket + 1
            for w in 0..<vb {
                var b = Bits(width: 65)
                for l in 0..<8 where w * 8 + l < c { b.set(l * 8, 8, Int64(vals[w * 8 + l])) }
                if w == vb - 1 && pktEnd { b.set(64, 1, 1) }
                expected.append(b)
            }
        }
        let rstAt = rstImg * c + partial
        let r = try runTestbench("tb_zn_axis_out8", params: [
            "C": c, "SIGNED": signed, "NCODES": codes.count, "NBEATS": expected.count, "GAP": gap, "STALL": stall, "SEED": c + 17,
            "SEQ0": seq0, "K0": k0, "K1": k1, "KCHG": kchg, "CLR0": clr0, "CLR1": clr1, "CLRW": clrw, "CLRW7": clrw7, "RST_AT": rstAt,
        ], inputs: ["in": codes.map { String(format: "%02x", $0) }.joined(separator: "\n") + "\n"], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        let got = (r.outputs["out"] ?? []).map { Bits(hex: $0, width: 65)?.bits }
        #expect(got == expected.map(\.bits))
    }

    // MARK: zn_axil_regs

    /// Cycle-exact against the reference register file (fpga/sim/tb_ref_axil_regs.v) and, on every
    /// output at every cycle, against the previous lean version (fpga/sim/tb_lean_axil_regs.v) under
    /// random AXI4-Lite traffic, events, resets and parameter-bus answers, then directed reads of every
    /// register after resets and each kind of write; the testbench also requires coverage (reads,
    /// writes, requests, timeouts, invalid PARAM_SEL, latched HI halves). Layer counts around the
    /// word memory's sizes (2: 30 of 32 entries, 6: 62 of 64, 7: 70 of 128). Odd seeds build the
    /// sequential engine's register file (FLAGS.SEQUENTIAL = 1; the testbench checks FLAGS directly).
    @Test(.tags(.iverilog), arguments: [(2, 12, 1), (1, 12, 2), (3, 13, 3), (9, 14, 4), (2, 32, 5), (6, 13, 6), (7, 12, 7)])
    func axilRegs(_ layers: Int, _ aw: Int, _ seed: Int) throws {
        let r = try runTestbench("tb_zn_axil_regs", params: ["NUM_LAYERS": layers, "AW": aw, "CYCLES": 20000, "SEED": seed,
                                                             "SEQUENTIAL": seed % 2],
                                 inputs: [:], outputs: [])
        #expect(r.passed, "\(r.result)")
    }

    // MARK: zn_mvau (with zn_dot, zn_addtree, zn_param_ram)

    struct MvauCase: CustomStringConvertible, Sendable {
        var inN: Int, outN: Int, pe: Int, simd: Int, signed: Int, style: Int, regEvery: Int = 2
        var description: String { "\(inN)x\(outN) PE \(pe) SIMD \(simd) signed \(signed) style \(style)" }
    }

    static let mvauCases: [MvauCase] = [
        .init(inN: 8, outN: 4, pe: 2, simd: 2, signed: 1, style: 0),
        .init(inN: 12, outN: 6, pe: 3, simd: 4, signed: 0, style: 2),
        .init(inN: 12, outN: 6, pe: 6, simd: 3, signed: 1, style: 2, regEvery: 1),
        .init(inN: 9, outN: 4, pe: 4, simd: 9, signed: 0, style: 1),
        .init(inN: 1, outN: 1, pe: 1, simd: 1, signed: 1, style: 0),
        .init(inN: 5, outN: 3, pe: 1, simd: 1, signed: 0, style: 2),
        .init(inN: 40, outN: 8, pe: 8, simd: 40, signed: 0, style: 2, regEvery: 3),
        .init(inN: 30, outN: 10, pe: 5, simd: 6, signed: 1, style: 1),
        // The input buffer in block RAM (256 x 8: ~56 LUTs of RAM64M or one RAMB18, zn_mvau's IB_BLOCK).
        .init(inN: 128, outN: 4, pe: 2, simd: 1, signed: 1, style: 2),
    ]

    @Test(.tags(.iverilog), arguments: mvauCases)
    func mvau(_ c: MvauCase) throws {
        var rng = SplitMix64(seed: UInt64(c.inN * 31 + c.outN * 7 + c.pe + c.style))
        let images = 3
        let sf = c.inN / c.simd, nf = c.outN / c.pe
        let sumW = LayerTopology(inCount: c.inN, outCount: c.outN, inSigned: c.signed == 1, outSigned: true, multBits: 32).widths.sumBits
        func w8() -> Int8 { [Int8.min, Int8.max, -1, 0, Int8.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)! }
        func x8() -> UInt8 { [0, 255, 128, 127, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)! }
        let w = (0..<(c.outN * c.inN)).map { _ in w8() }
        // Config writes in auto-increment order: bank p, depth d = nf·SF + sf, chunk.
        let chunks = (c.simd * 8 + 31) / 32
        let cb = chunks > 1 ? Int(ceil(log2(Double(chunks)))) : 0
        let db = sf * nf > 1 ? Int(ceil(log2(Double(sf * nf)))) : 0
        var cfg = "", writes = 0
        for p in 0..<c.pe {
            for d in 0..<(sf * nf) {
                let (n, s) = (d / sf, d % sf)
                var b = Bits(width: chunks * 32)
                for j in 0..<c.simd { b.set(8 * j, 8, Int64(UInt8(bitPattern: w[(n * c.pe + p) * c.inN + s * c.simd + j]))) }
                for ch in 0..<chunks {
                    let addr = (UInt64(p) << UInt64(db + cb)) | (UInt64(d) << UInt64(cb)) | UInt64(ch)
                    cfg += String((addr << 32) | b.unsigned(32 * ch, 32), radix: 16) + "\n"
                    writes += 1
                }
            }
        }
        var input = "", expected: [[Bool]] = []
        for _ in 0..<images {
            let x = (0..<c.inN).map { _ in x8() }
            let xv = x.map { c.signed == 1 ? Int64(Int8(bitPattern: $0)) : Int64($0) }
            for s in 0..<sf {
                var b = Bits(width: c.simd * 8)
                for j in 0..<c.simd { b.set(8 * j, 8, Int64(x[s * c.simd + j])) }
                input += b.hex + "\n"
            }
            for n in 0..<nf {
                var b = Bits(width: c.pe * sumW)
                for p in 0..<c.pe {
                    var acc: Int64 = 0
                    for k in 0..<c.inN { acc += Int64(w[(n * c.pe + p) * c.inN + k]) * xv[k] }
                    b.set(p * sumW, sumW, acc)
                }
                expected.append(b.bits)
            }
        }
        let r = try runTestbench("tb_zn_mvau", params: ["IN": c.inN, "OUT": c.outN, "PE": c.pe, "SIMD": c.simd, "IN_SIGNED": c.signed,
                                                        "MUL_STYLE": c.style, "SUM_W": sumW, "REG_EVERY": c.regEvery,
                                                        "IMAGES": images, "NWRITES": writes, "SEED": 9],
                                 inputs: ["in": input, "cfg": cfg], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { Bits(hex: $0, width: c.pe * sumW)?.bits } == expected.map { Optional($0) })
    }

    // MARK: zn_requant (with zn_param_ram)

    struct RequantCase: CustomStringConvertible, Sendable {
        /// round: the rounding code (0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32).
        var lanes: Int, out: Int, sumW: Int, biasW: Int, multW: Int, round: Int, zy: Int, lo: Int, hi: Int
        var serial = false, gap = 30, stall = 30, images = 8
        var sets = 1, sel = 0   // zn_requant_serial's NUM_SETS and set_sel (the other sets are decoys)
        var modes = 0           // ROUNDINGS built; 0: floor, half_up and the case's mode
        var roundings: Int { modes != 0 ? modes : (3 | (1 << round)) }
        var description: String {
            "\(serial ? "serial" : "pipelined") lanes \(lanes) out \(out) sum \(sumW) bias \(biasW) M \(multW) round \(round) zy \(zy) [\(lo),\(hi)] gap \(gap) stall \(stall)" +
                (sets > 1 ? " set \(sel) of \(sets)" : "") + " modes \(roundings)"
        }
    }

    static let requantCases: [RequantCase] = [
        .init(lanes: 1, out: 8, sumW: 20, biasW: 32, multW: 32, round: 0, zy: 3, lo: -128, hi: 127),
        .init(lanes: 2, out: 12, sumW: 26, biasW: 33, multW: 32, round: 1, zy: 17, lo: 17, hi: 255),
        .init(lanes: 3, out: 6, sumW: 16, biasW: 41, multW: 1, round: 1, zy: -128, lo: -128, hi: 127),
        .init(lanes: 1, out: 5, sumW: 50, biasW: 64, multW: 17, round: 0, zy: 255, lo: 255, hi: 255),
        .init(lanes: 4, out: 8, sumW: 3, biasW: 8, multW: 18, round: 1, zy: 0, lo: 0, hi: 255),
    ]

    /// Format 2's modes: every one alone and all five built, on the codegen widths (bias 32, M 32
    /// or 24), small and large sums, relu + clamp (lo = max(type, zy, cl)), cl = ch, and the
    /// corners the channel data draw (ties of each sign, s = 0, 31, 32, 62, 63, M = 2^32 - 1,
    /// float32's M = 2^24 - 1 and 2^23, acc at its extremes).
    static let requantModeCases: [RequantCase] = [2, 3, 4].flatMap { m -> [RequantCase] in
        let mw = m == 4 ? 24 : 32
        return [
            .init(lanes: 1, out: 16, sumW: 20, biasW: 32, multW: mw, round: m, zy: 3, lo: -128, hi: 127, images: 12),
            .init(lanes: 2, out: 16, sumW: 26, biasW: 33, multW: mw, round: m, zy: -5, lo: -5, hi: 30, gap: 0, stall: 60, images: 12),
            .init(lanes: 3, out: 12, sumW: 40, biasW: 64, multW: mw, round: m, zy: 100, lo: 100, hi: 255, images: 12),
            .init(lanes: 1, out: 8, sumW: 18, biasW: 32, multW: mw, round: m, zy: 20, lo: 40, hi: 40, gap: 60, stall: 0),
            .init(lanes: 2, out: 16, sumW: 20, biasW: 32, multW: mw, round: m, zy: -1, lo: -128, hi: 127, images: 12, modes: 31),
        ]
    } + [
        // All modes built, the old ones selected (their path through the float32 stages).
        .init(lanes: 2, out: 16, sumW: 20, biasW: 32, multW: 24, round: 0, zy: 0, lo: -128, hi: 127, modes: 31),
        .init(lanes: 1, out: 16, sumW: 20, biasW: 32, multW: 32, round: 1, zy: 7, lo: 0, hi: 255, modes: 31),
        // Narrow widths: gemmlowp's 2^30 term beyond p's width, float32 with nothing to round.
        .init(lanes: 4, out: 8, sumW: 3, biasW: 8, multW: 18, round: 3, zy: 0, lo: -128, hi: 127),
        .init(lanes: 4, out: 8, sumW: 3, biasW: 8, multW: 18, round: 4, zy: 0, lo: -128, hi: 127),
        .init(lanes: 1, out: 6, sumW: 16, biasW: 41, multW: 1, round: 2, zy: 0, lo: -128, hi: 127),
    ]

    /// zn_requant_serial: the same cases, then every output signedness, both roundings, relu with
    /// non-zero zero points (lo = zy), odd and single-value clamp ranges, 32-bit zero points at the
    /// ends of their range, no gaps/stalls and heavy gaps/stalls.
    static let requantSerialCases: [RequantCase] = requantCases.map { var c = $0; c.serial = true; return c } + [
        .init(lanes: 1, out: 16, sumW: 20, biasW: 32, multW: 32, round: 0, zy: 0, lo: -128, hi: 127, serial: true, gap: 0, stall: 0),
        .init(lanes: 1, out: 16, sumW: 20, biasW: 32, multW: 32, round: 1, zy: -7, lo: -7, hi: 127, serial: true),
        .init(lanes: 1, out: 16, sumW: 18, biasW: 32, multW: 32, round: 1, zy: 0, lo: 0, hi: 255, serial: true, gap: 70, stall: 70),
        .init(lanes: 1, out: 16, sumW: 18, biasW: 32, multW: 32, round: 0, zy: 100, lo: 100, hi: 255, serial: true),
        .init(lanes: 2, out: 8, sumW: 22, biasW: 33, multW: 32, round: 1, zy: 127, lo: -3, hi: 5, serial: true, gap: 0, stall: 60),
        .init(lanes: 1, out: 6, sumW: 2, biasW: 2, multW: 1, round: 0, zy: -128, lo: -128, hi: -128, serial: true, gap: 60, stall: 0),
        .init(lanes: 1, out: 8, sumW: 20, biasW: 32, multW: 32, round: 1, zy: Int(Int32.max), lo: -128, hi: 127, serial: true),
        .init(lanes: 1, out: 8, sumW: 20, biasW: 32, multW: 32, round: 0, zy: Int(Int32.min), lo: 0, hi: 255, serial: true),
        .init(lanes: 2, out: 4, sumW: 63, biasW: 64, multW: 32, round: 1, zy: -1, lo: -128, hi: 127, serial: true),
        .init(lanes: 1, out: 10, sumW: 26, biasW: 32, multW: 31, round: 0, zy: 1, lo: -128, hi: 127, serial: true),
        // Several settings (zn_seq's layers): the chosen set among complemented decoys.
        .init(lanes: 1, out: 8, sumW: 25, biasW: 33, multW: 32, round: 1, zy: Int(Int32.min), lo: 0, hi: 255, serial: true, sets: 2, sel: 1),
        .init(lanes: 1, out: 8, sumW: 25, biasW: 33, multW: 32, round: 0, zy: -7, lo: -7, hi: 127, serial: true, sets: 2, sel: 0),
        .init(lanes: 2, out: 8, sumW: 20, biasW: 32, multW: 32, round: 1, zy: Int(Int32.max), lo: -128, hi: 127, serial: true, sets: 3, sel: 2),
        .init(lanes: 1, out: 6, sumW: 20, biasW: 32, multW: 32, round: 0, zy: 100, lo: -3, hi: 5, serial: true, sets: 5, sel: 3),
    ]

    /// The serial block in format 2's modes (gemmlowp where its widths allow it), float32 too:
    /// alone, with every mode built, the other modes through its three passes, several sets.
    static let requantSerialModeCases: [RequantCase] = requantModeCases
        .filter { !($0.round == 3 && max($0.biasW, $0.sumW) > 34) && !($0.roundings & 8 != 0 && max($0.biasW, $0.sumW) > 34) }
        .map { var c = $0; c.serial = true; c.images = min(c.images, 8); return c } + [
            .init(lanes: 1, out: 8, sumW: 25, biasW: 33, multW: 32, round: 2, zy: -7, lo: -7, hi: 127, serial: true, sets: 2, sel: 1, modes: 15),
            .init(lanes: 1, out: 8, sumW: 25, biasW: 33, multW: 32, round: 3, zy: 9, lo: -128, hi: 127, serial: true, sets: 3, sel: 0, modes: 15),
            .init(lanes: 1, out: 8, sumW: 25, biasW: 33, multW: 24, round: 4, zy: -7, lo: -7, hi: 127, serial: true, sets: 2, sel: 1, modes: 19),
            .init(lanes: 2, out: 8, sumW: 25, biasW: 33, multW: 24, round: 3, zy: 9, lo: -128, hi: 127, serial: true, sets: 3, sel: 2, modes: 31),
            .init(lanes: 1, out: 8, sumW: 63, biasW: 64, multW: 32, round: 4, zy: 1, lo: -128, hi: 127, serial: true, modes: 19),
        ]

    /// Format 2's q for one channel, straight from ../shared/spec/model-format.md on Int128
    /// (|acc| < 2^65, M < 2^32: every intermediate fits).
    static func specQ(acc: Int128, m: Int128, s: Int, rounding: Int) -> Int128 {
        let s128 = Int128(s)
        // x / 2^k to the nearest integer, ties to even (x >> k is the floor).
        func nearestEven(_ x: Int128, _ k: Int) -> Int128 {
            if k == 0 { return x }
            let f = x >> Int128(k), rem = x - (f << Int128(k)), half = Int128(1) << Int128(k - 1)
            return rem > half || (rem == half && f & 1 == 1) ? f + 1 : f
        }
        // x rounded to 24 significant bits, ties to even.
        func sig24(_ x: Int128) -> Int128 {
            let mag = x < 0 ? -x : x
            let bits = 128 - mag.leadingZeroBitCount
            let e = max(0, bits - 24)
            return nearestEven(x, e) << Int128(e)
        }
        let p = acc * m
        switch rounding {
        case 0: return p >> s128
        case 1: return s == 0 ? p : (p + (Int128(1) << (s128 - 1))) >> s128
        case 2: return nearestEven(p, s)
        case 3:
            let l = Int128(max(0, 31 - s)), e = Int128(max(0, s - 31))
            let t = (acc * (Int128(1) << l) * m + (Int128(1) << 30)) >> 31
            if e == 0 { return t }
            let h = Int128(1) << (e - 1)
            return t >= 0 ? (t + h) >> e : -((-t + h) >> e)
        default:
            // b = a·M / 2^s to 24 significant bits = sig24(a·M) / 2^s; q = that to nearest, ties even.
            return nearestEven(sig24(sig24(acc) * m), s)
        }
    }

    @Test(.tags(.iverilog), arguments: requantCases + requantSerialCases + requantModeCases + requantSerialModeCases)
    func requant(_ c: RequantCase) throws { try Self.requantRun(c, verilator: false) }

    /// Verilator (two-state, its own scheduling) on the serial float32 block and the pipelined one.
    @Test(.tags(.verilator), arguments: [requantSerialModeCases.first { $0.round == 4 && $0.lanes == 2 }!,
                                         requantSerialModeCases.first { $0.round == 4 && $0.roundings == 31 }!,
                                         requantModeCases.first { $0.round == 4 }!])
    func requantVerilator(_ c: RequantCase) throws { try Self.requantRun(c, verilator: true) }

    static func requantRun(_ c: RequantCase, verilator: Bool) throws {
        var rng = SplitMix64(seed: UInt64(c.sumW * 100 + c.biasW + c.multW + 1000 * max(0, c.round - 1)) &+ (c.serial ? 99991 &+ UInt64(bitPattern: Int64(c.zy &* 7 &+ c.lo &* 3 &+ c.gap)) : 0))
        let images = c.images
        let depth = c.out / c.lanes
        func sr(_ bits: Int) -> Int64 {
            let lo = bits >= 64 ? Int64.min : -(Int64(1) << Int64(bits - 1)), hi = bits >= 64 ? Int64.max : (Int64(1) << Int64(bits - 1)) - 1
            return [lo, hi, 0, -1, 1, Int64.random(in: lo...hi, using: &rng), Int64.random(in: lo...hi, using: &rng) >> Int64(bits / 2)]
                .randomElement(using: &rng)!
        }
        // float32 needs M < 2^24.
        let mMax = c.round == 4 ? min(UInt64(1) << 24 - 1, (UInt64(1) << UInt64(c.multW)) - 1)
            : c.multW >= 32 ? UInt64(UInt32.max) : (UInt64(1) << UInt64(c.multW)) - 1
        let accW = max(c.biasW, c.sumW) + 1
        // Half the biases lie in the sums' range, so a sum can cancel them.
        let bias = (0..<c.out).map { _ in Bool.random(using: &rng) ? sr(c.biasW) : sr(min(c.biasW, c.sumW)) }
        // M = 0 lies outside the spec (M >= 1) but the hardware must still compute p = 0; only the serial test uses it.
        let mPool: [UInt64] = (c.serial ? [0] : []) + [1, mMax, mMax / 2 + 1] + (c.round >= 2 ? [min(mMax, mMax / 2 + 2)] : [])
        // Format 2's modes: a third of the channels have a small M and s (1 ... 12), where ties land
        // inside the output range.
        let tieChannel = (0..<c.out).map { _ in c.round >= 2 && Int.random(in: 0..<3, using: &rng) == 0 }
        let mult = (0..<c.out).map { o in
            tieChannel[o] ? UInt64.random(in: 1...min(mMax, 255), using: &rng)
                : (mPool + [UInt64.random(in: 1...mMax, using: &rng)]).randomElement(using: &rng)! }
        // Per channel a typical |acc| size; shifts: the corners, random, and ones that bring p of
        // that size near the 8-bit range (unclamped results).
        let accSize = (0..<c.out).map { _ in Int.random(in: 1...(accW - 1), using: &rng) }
        let shift = (0..<c.out).map { o -> UInt64 in
            if tieChannel[o] { return UInt64.random(in: 1...12, using: &rng) }
            let mBits = 64 - mult[o].leadingZeroBitCount
            let fit = UInt64(max(0, min(63, accSize[o] - 1 + mBits - 7 + Int.random(in: -1...2, using: &rng))))
            return ([0, 1, 63, 62, 31, 32] + (c.round >= 2 ? [33] : []) + [UInt64.random(in: 0...63, using: &rng)] + [UInt64](repeating: fit, count: 7)).randomElement(using: &rng)!
        }
        let (cfg, writes) = Self.requantConfig(lanes: c.lanes, biasW: c.biasW, multW: c.multW, bias: bias, mult: mult, shift: shift)
        let sumLo = -(Int128(1) << Int128(c.sumW - 1)), sumHi = (Int128(1) << Int128(c.sumW - 1)) - 1
        // An acc whose p = acc·M lies exactly halfway between two multiples of 2^k (k >= 1), of
        // either sign: acc = odd · 2^(k-1-z), z = M's trailing zeros (nil if none fits the sum).
        func tie(_ o: Int, _ k: Int) -> Int128? {
            guard k >= 1, mult[o] != 0 else { return nil }
            let sh = k - 1 - mult[o].trailingZeroBitCount
            guard sh >= 0, sh < 100 else { return nil }
            // Near an acc of the channel's typical size, or smaller so q stays near the 8-bit range
            // (at least 2^sh, so there is one).
            let mBits = 64 - mult[o].leadingZeroBitCount
            let lim = Int128(1) << Int128(max(min(accSize[o] - 1, k + 7 - mBits), sh + 1))
            let target = Int128.random(in: -lim...lim, using: &rng)
            let acc = (2 * (target >> Int128(sh + 1)) + 1) << Int128(sh)
            let sum = acc - Int128(bias[o])
            return sum >= sumLo && sum <= sumHi ? sum : nil
        }
        var input = "", expected: [UInt64] = [], inside = 0, ties = 0
        for _ in 0..<images {
            let sums = (0..<c.out).map { o -> Int64 in
                let s = Int(shift[o])
                // Ties of the rounding (gemmlowp: of its second rounding at s, or its first at 31;
                // float32: at s, and a = acc of 25 bits ending in 1: a tie of the first rounding).
                let k = [s, c.round == 3 ? 31 : s, c.round == 4 ? 2 : s].randomElement(using: &rng)!
                if Int.random(in: 0..<(c.round >= 2 ? 2 : 3), using: &rng) == 0, let t = tie(o, k) { return Int64(t) }
                // Mostly a sum that makes acc of the channel's typical size.
                let lim = Int128(1) << Int128(accSize[o] - 1)
                let near = -Int128(bias[o]) + Int128.random(in: -lim...lim, using: &rng)
                let fits = near >= sumLo && near <= sumHi
                return Int.random(in: 0..<3, using: &rng) > 0 && fits ? Int64(near) : sr(c.sumW)
            }
            for d in 0..<depth {
                var b = Bits(width: c.lanes * c.sumW)
                var e = Bits(width: c.lanes * 8)
                for r in 0..<c.lanes {
                    let o = d * c.lanes + r
                    b.set(r * c.sumW, c.sumW, sums[o])
                    let acc = Int128(bias[o]) + Int128(sums[o])
                    let q = Self.specQ(acc: acc, m: Int128(mult[o]), s: Int(shift[o]), rounding: c.round)
                    let s = Int(shift[o])
                    if Self.isTie(acc: acc, m: Int128(mult[o]), s: s, rounding: c.round) { ties += 1 }
                    let y = min(max(Int128(c.zy) + q, Int128(c.lo)), Int128(c.hi))
                    if y > Int128(c.lo) && y < Int128(c.hi) { inside += 1 }
                    e.set(r * 8, 8, Int64(y) & 0xFF)
                }
                input += b.hex + "\n"
                expected.append(e.unsigned(0, c.lanes * 8))
            }
        }
        let params = ["LANES": c.lanes, "OUT": c.out, "SUM_W": c.sumW, "BIAS_W": c.biasW,
                      "MULT_W": c.multW, "ROUND": c.round, "MODES": c.roundings, "ZY": c.zy, "LO": c.lo, "HI": c.hi,
                      "IMAGES": images, "NWRITES": writes, "SEED": 4, "SERIAL": c.serial ? 1 : 0,
                      "GAP": c.gap, "STALL": c.stall, "SETS": c.sets, "SEL": c.sel]
        let r = verilator
            ? try runTestbenchVerilator("tb_zn_requant", helpers: ["tb_cfg", "tb_src", "tb_sink"], params: params, inputs: ["in": input, "cfg": cfg], outputs: ["out"])
            : try runTestbench("tb_zn_requant", params: params, inputs: ["in": input, "cfg": cfg], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { UInt64($0, radix: 16) } == expected.map { Optional($0) })
        // The data reach the inside of the clamp range, not only its ends (where the range and zy allow it).
        if c.sumW >= 8 && c.hi - c.lo >= 2 && c.lo <= c.zy && c.zy <= c.hi { #expect(inside >= max(2, c.out * images / (c.round >= 2 ? 60 : 20)), "\(inside) of \(c.out * images) inside") }
        // The rounding modes see exact ties.
        if c.round >= 1 && c.sumW >= 16 && c.biasW <= 33 && c.out * images >= 96 { #expect(ties >= 2, "\(ties) ties") }
    }

    /// The config-port writes that load a requantizer's parameters (bias, M, s per channel).
    static func requantConfig(lanes: Int, biasW: Int, multW: Int, bias: [Int64], mult: [UInt64], shift: [UInt64]) -> (String, Int) {
        let depth = bias.count / lanes
        let chunks = (biasW + multW + 6 + 31) / 32
        let cb = chunks > 1 ? Int(ceil(log2(Double(chunks)))) : 0
        let db = depth > 1 ? Int(ceil(log2(Double(depth)))) : 0
        var cfg = "", writes = 0
        for r in 0..<lanes {
            for d in 0..<depth {
                let o = d * lanes + r
                var b = Bits(width: chunks * 32)
                b.set(0, biasW, bias[o])
                b.set(biasW, multW, Int64(mult[o]))
                b.set(biasW + multW, 6, Int64(shift[o]))
                for ch in 0..<chunks {
                    let addr = (UInt64(r) << UInt64(db + cb)) | (UInt64(d) << UInt64(cb)) | UInt64(ch)
                    cfg += String((addr << 32) | b.unsigned(32 * ch, 32), radix: 16) + "\n"
                    writes += 1
                }
            }
        }
        return (cfg, writes)
    }

    /// float32's two inner roundings where they show in an 8-bit code: q near ±2^23 (zy = ∓2^23
    /// brings it into range). Channels 0-3: acc = ±((2^23 + i)·2^e + 2^(e-1)), a tie of a (e = 1 ... 4),
    /// M = 1, s = e (half of them off the tie); channels 4-7: acc = ±3·2^j, M odd with 3M = 2^25 - small (25 bits, odd: a tie of b),
    /// s = 2 + j. Pipelined zn_requant and zn_requant_serial.
    @Test(.tags(.iverilog), arguments: [1, -1], [false, true])
    func requantFloat32Ties(_ sign: Int, _ serial: Bool) throws {
        var rng = SplitMix64(seed: UInt64(sign + 5))
        let out = 8, images = 12, sumW = 20
        var bias: [Int64] = [], mult: [UInt64] = [], shift: [UInt64] = []
        for o in 0..<4 {
            let e = o + 1
            bias.append(Int64(sign) * ((Int64(1) << Int64(23 + e)) + Int64.random(in: 0...40, using: &rng) << Int64(e)))
            mult.append(1)
            shift.append(UInt64(e))
        }
        for o in 4..<8 {
            bias.append(0)
            mult.append(2 * UInt64.random(in: 5_592_363...5_592_404, using: &rng) + 1)   // 3M in (2^25 - 256, 2^25)
            shift.append(UInt64(2 + o - 4))
        }
        let (cfg, writes) = Self.requantConfig(lanes: 1, biasW: 32, multW: 24, bias: bias, mult: mult, shift: shift)
        var input = "", expected: [UInt64] = [], aTies = 0, bTies = 0
        let zy = -sign * (1 << 23)
        for _ in 0..<images {
            for o in 0..<out {
                let sum: Int64
                if o < 4 {
                    let e = Int64(o + 1)
                    // Half exact ties, half anywhere in the grid step (double rounding would show there).
                    let off = Bool.random(using: &rng) ? 0 : Int64.random(in: -(Int64(1) << (e - 1))...((Int64(1) << (e - 1)) - 1), using: &rng)
                    sum = Int64(sign) * ((Int64.random(in: 0...60, using: &rng) << e) + (Int64(1) << (e - 1)) + off)
                } else {
                    sum = Int64(sign) * (3 << Int64(o - 4))
                }
                let acc = Int128(bias[o]) + Int128(sum)
                if Self.isTie(acc: acc, m: 1, s: 0, rounding: 4) && o < 4 { aTies += 1 }
                if Self.isTie(acc: acc, m: Int128(mult[o]), s: Int(shift[o]), rounding: 4) && o >= 4 { bTies += 1 }
                let q = Self.specQ(acc: acc, m: Int128(mult[o]), s: Int(shift[o]), rounding: 4)
                let y = min(max(Int128(zy) + q, -128), 127)
                var b = Bits(width: sumW)
                b.set(0, sumW, sum)
                input += b.hex + "\n"
                expected.append(UInt64(Int64(y) & 0xFF))
            }
        }
        #expect(aTies >= 12 && bTies == 4 * images, "\(aTies) \(bTies)")
        // The codes are inside the range, not clamped.
        #expect(expected.filter { $0 != 0x80 && $0 != 0x7F }.count >= out * images * 3 / 4)
        let r = try runTestbench("tb_zn_requant", params: ["LANES": 1, "OUT": out, "SUM_W": sumW, "BIAS_W": 32, "MULT_W": 24, "ROUND": 4,
                                                           "MODES": 19, "ZY": zy, "LO": -128, "HI": 127, "IMAGES": images, "NWRITES": writes,
                                                           "SEED": 3, "SERIAL": serial ? 1 : 0, "GAP": 30, "STALL": 30, "SETS": 1, "SEL": 0],
                                 inputs: ["in": input, "cfg": cfg], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { UInt64($0, radix: 16) } == expected.map { Optional($0) })
    }

    /// float32's first rounding (acc to 24 significant bits) where it shows: acc of 24 + e bits
    /// (e = 1 ... 4: a has a grid of 2^e), M in [2^24 - 2^20, 2^24), s = 24 + e, so q is b's
    /// 24-bit significand near 2^23 + 64 (zy = -(2^23 + 64) brings it into range). Rounding acc·M
    /// once instead (no rounding of acc) gives another code on many of them.
    @Test(.tags(.iverilog), arguments: [false, true])
    func requantFloat32FirstRounding(_ serial: Bool) throws {
        var rng = SplitMix64(seed: serial ? 41 : 42)
        let out = 8, images = 10, sumW = 20, target = Int128((1 << 23) + 64)
        var bias: [Int64] = [], mult: [UInt64] = [], shift: [UInt64] = []
        for o in 0..<out {
            let e = 1 + o % 4
            let m = UInt64.random(in: ((1 << 24) - (1 << 20))...((1 << 24) - 1), using: &rng)
            mult.append(m)
            shift.append(UInt64(24 + e))
            bias.append(Int64((target << Int128(24 + e)) / Int128(m)))
        }
        let (cfg, writes) = Self.requantConfig(lanes: 1, biasW: 32, multW: 24, bias: bias, mult: mult, shift: shift)
        var input = "", expected: [UInt64] = [], differ = 0
        let zy = -Int(target)
        for _ in 0..<images {
            for o in 0..<out {
                let e = 1 + o % 4
                let sum = Int64.random(in: -(Int64(1) << Int64(e + 5))...(Int64(1) << Int64(e + 5)), using: &rng)
                let acc = Int128(bias[o]) + Int128(sum)
                let q = Self.specQ(acc: acc, m: Int128(mult[o]), s: Int(shift[o]), rounding: 4)
                // One rounding of acc·M to 24 bits (a = acc): what a missing first rounding computes.
                let once = Self.specQ(acc: Self.specQ(acc: acc * Int128(mult[o]), m: 1, s: 0, rounding: 4), m: 1, s: Int(shift[o]), rounding: 2)
                if once != q { differ += 1 }
                let y = min(max(Int128(zy) + q, -128), 127)
                var b = Bits(width: sumW)
                b.set(0, sumW, sum)
                input += b.hex + "\n"
                expected.append(UInt64(Int64(y) & 0xFF))
            }
        }
        #expect(differ >= out * images / 8, "\(differ) codes where the first rounding shows")
        #expect(expected.filter { $0 != 0x80 && $0 != 0x7F }.count == out * images)
        let r = try runTestbench("tb_zn_requant", params: ["LANES": 1, "OUT": out, "SUM_W": sumW, "BIAS_W": 32, "MULT_W": 24, "ROUND": 4,
                                                           "MODES": 31, "ZY": zy, "LO": -128, "HI": 127, "IMAGES": images, "NWRITES": writes,
                                                           "SEED": 5, "SERIAL": serial ? 1 : 0, "GAP": 20, "STALL": 20, "SETS": 1, "SEL": 0],
                                 inputs: ["in": input, "cfg": cfg], outputs: ["out"])
        #expect(r.passed, "\(r.result)")
        #expect((r.outputs["out"] ?? []).map { UInt64($0, radix: 16) } == expected.map { Optional($0) })
    }

    /// Whether the mode's last rounding sees an exact tie (gemmlowp, s > 31: t's; float32: b's, or a's).
    static func isTie(acc: Int128, m: Int128, s: Int, rounding: Int) -> Bool {
        func half(_ x: Int128, _ k: Int) -> Bool { k >= 1 && x & ((Int128(1) << Int128(k)) - 1) == Int128(1) << Int128(k - 1) }
        func bits(_ x: Int128) -> Int { 128 - (x < 0 ? -x : x).leadingZeroBitCount }
        switch rounding {
        case 3 where s > 31: return half((acc * m + (1 << 30)) >> 31, s - 31)
        case 4:
            let a = specQ(acc: acc, m: 1, s: 0, rounding: 4)       // acc to 24 significant bits
            let p = a * m
            let b = specQ(acc: p, m: 1, s: 0, rounding: 4)
            return half(b, s) || half(acc, bits(acc) - 24) || half(p, bits(p) - 24)
        default: return half(acc * m, s)
        }
    }

    /// specQ itself on hand-worked values of each mode (so the block tests' model is right).
    @Test func specQHandValues() {
        // half_even: 5/2 = 2.5 -> 2, 7/2 -> 4, -5/2 -> -2, -7/2 -> -4, 3/4 -> 1 (not a tie).
        #expect([5, 7, -5, -7].map { Self.specQ(acc: $0, m: 1, s: 1, rounding: 2) } == [2, 4, -2, -4])
        #expect(Self.specQ(acc: 3, m: 1, s: 2, rounding: 2) == 1)
        // half_up: -5/2 -> -2, floor: -5/2 -> -3.
        #expect(Self.specQ(acc: -5, m: 1, s: 1, rounding: 1) == -2)
        #expect(Self.specQ(acc: -5, m: 1, s: 1, rounding: 0) == -3)
        // gemmlowp, s = 33 (E = 2): acc·M = 5·2^31 -> t = 5, 5/4 -> 1; 6·2^31 -> t = 6, 1.5 -> 2;
        // -6·2^31 -> -2 (away from zero); -5·2^31 -> -1; s = 32: 2^31 - 1 + 2^30 -> t = 1 -> 0.5 -> 1.
        let two31 = Int128(1) << 31
        #expect([5, 6, -6, -5].map { Self.specQ(acc: Int128($0) * two31, m: 1, s: 33, rounding: 3) } == [1, 2, -2, -1])
        #expect(Self.specQ(acc: two31 - 1, m: 1, s: 32, rounding: 3) == 1)   // t = floor((2^31 - 1 + 2^30)/2^31) = 1
        #expect(Self.specQ(acc: (two31 >> 1) - 1, m: 1, s: 32, rounding: 3) == 0)
        // gemmlowp, s <= 31: one rounding, half up (s = 1: -5/2 -> -2).
        #expect(Self.specQ(acc: -5, m: 1, s: 1, rounding: 3) == -2)
        // float32: acc = 2^25 + 3 -> a = 2^25 + 4 (sig24: grid 4, 3 -> 4); M = 1, s = 2 -> 2^23 + 1.
        #expect(Self.specQ(acc: (1 << 25) + 3, m: 1, s: 2, rounding: 4) == (1 << 23) + 1)
        // float32: acc = 2^24 + 1 -> tie, a = 2^24 (even); M = 3: b = 3·2^24 exact; s = 24 -> 3.
        #expect(Self.specQ(acc: (1 << 24) + 1, m: 3, s: 24, rounding: 4) == 3)
        // float32 double rounding: acc = 1, M = 2^24 - 1, s = 24: b = (2^24 - 1)/2^24 exactly -> q = 1;
        // acc = 2^24 + 3 (a = 2^24 + 4: 2^23 + 1.5 ties to even), M = 2^23 + 1: a·M = 2^47 + 2^25 + 2^24 + 4
        // -> b = 2^47 + 2^25 + 2^24 (grid 2^24: 4 < half).
        #expect(Self.specQ(acc: 1, m: (1 << 24) - 1, s: 24, rounding: 4) == 1)
        #expect(Self.specQ(acc: (1 << 24) + 3, m: (1 << 23) + 1, s: 0, rounding: 4) == (Int128(1) << 47) + (1 << 25) + (1 << 24))
        // float32: acc = 2^25 + 1 (26 bits) -> a = 2^25 (grid 4: 1 < 2); s = 1 -> 2^24.
        #expect(Self.specQ(acc: (1 << 25) + 1, m: 1, s: 1, rounding: 4) == 1 << 24)
    }
}
