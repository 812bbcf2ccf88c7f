import CZynqNetDotKernels
#if os(Linux)
import Glibc
#endif
import Testing
import ZynqNetBase
@testable import ZynqNetSim

/// The model's test helpers: tile instructions, LDTILECFG bytes, a run, the tiny problem.
private enum M {
    static func op(_ kind: Int32, _ t0: Int32 = 0, _ t1: Int32 = 0, _ t2: Int32 = 0, offset: Int64 = 0, stride: Int64 = 0) -> czk_amx_op {
        czk_amx_op(op: kind, t0: t0, t1: t1, t2: t2, offset: offset, stride: stride)
    }
    static let ldtilecfg = Int32(CZK_AMX_LDTILECFG), loadd = Int32(CZK_AMX_TILELOADD), stored = Int32(CZK_AMX_TILESTORED)
    static let zero = Int32(CZK_AMX_TILEZERO), dpbusd = Int32(CZK_AMX_TDPBUSD), release = Int32(CZK_AMX_TILERELEASE)

    /// LDTILECFG's 64 bytes: palette, then (rows, colsb) of tmm0, tmm1, …; `patch` sets bytes.
    static func config(_ tiles: [(rows: UInt8, colsb: UInt16)], palette: UInt8 = 1, patch: [(Int, UInt8)] = []) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 64)
        b[0] = palette
        for (t, tile) in tiles.enumerated() {
            b[16 + 2 * t] = UInt8(tile.colsb & 0xFF)
            b[17 + 2 * t] = UInt8(tile.colsb >> 8)
            b[48 + t] = tile.rows
        }
        for (i, v) in patch { b[i] = v }
        return b
    }

    /// Runs `ops` on a fresh model: the index of the refused instruction (0: none), its message,
    /// and `out` (initially 0xEE bytes).
    static func run(_ ops: [czk_amx_op], input: [UInt8], outCount: Int = 24) -> (index: Int32, message: String, out: [UInt8]) {
        var out = [UInt8](repeating: 0xEE, count: outCount)
        var message = [CChar](repeating: 0, count: 256)
        let index = czk_amx_model_run(ops, ops.count, input, input.count, &out, out.count, &message, message.count)
        return (index, M.text(message), out)
    }

    /// A C string in a buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func bytes(_ v: [Int32]) -> [UInt8] {
        v.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: x) >> (8 * $0)) } }
    }

    /// The tiny problem: C (2 × 2 int32, at 64) += A (2 rows × 8 u8, at 80) · B (2 rows × 8 s8, at 96).
    static let tinyInput: [UInt8] = config([(2, 8), (2, 8), (2, 8)])
        + bytes([0, Int32.max, -5, Int32.min])
        + [255, 255, 255, 255, 1, 2, 3, 4, 0, 128, 255, 7, 255, 0, 0, 0]
        + [-128, -128, -128, -128, 127, -1, 0, 2, 1, 1, 1, 1, -128, 0, 0, 0].map { UInt8(bitPattern: $0) }
    static let tinyOps: [czk_amx_op] = [
        op(ldtilecfg), op(loadd, 0, offset: 64, stride: 8), op(loadd, 1, offset: 80, stride: 8),
        op(loadd, 2, offset: 96, stride: 8), op(dpbusd, 0, 1, 2), op(stored, 0, offset: 0, stride: 12), op(release),
    ]
}

/// The software model of the AMX tile unit (`CZK_AMX_MODEL`), which runs the AMX kernel's code
/// on machines without AMX, and the one-time self-check that lets `czk_best_isa` choose AMX.
/// The model must compute what the SDM says and refuse what the hardware faults on.
@Suite(.serialized, .enabled(if: czk_isa_available(Int32(CZK_AMX_MODEL)) != 0, "the model runs on x86-64 with AVX-512 VNNI"))
struct KernelsAMXModel {
    /// TDPBUSD on 2 × 2 dwords by hand: u8 (src1) × s8 (src2), 4 products per dword added to the
    /// int32 lane with wraparound, no saturation:
    ///   c00 = 0 + 4·255·(−128) + (1+2+3+4)·1 = −130 550
    ///   c01 = (2^31 − 1) + 255·(127 − 1 + 0 + 2) + 1·(−128) = 2^31 + 32 511 → wraps to −2 147 451 137
    ///   c10 = −5 − 128·(0 + 128 + 255 + 7) + 255 = −49 670
    ///   c11 = −2^31 + (−128 + 14) + 255·(−128) = −2^31 − 32 754 → wraps to 2 147 450 894
    /// TILESTORED writes 2 rows of colsb = 8 bytes, 12 apart: bytes 8–11 and 20–23 stay 0xEE.
    @Test func tdpbusdIsExactOnATinyTile() {
        let r = M.run(M.tinyOps, input: M.tinyInput)
        #expect(r.index == 0, "\(r.message)")
        let pad: [UInt8] = [0xEE, 0xEE, 0xEE, 0xEE]
        #expect(r.out == M.bytes([-130_550, -2_147_451_137]) + pad + M.bytes([-49_670, 2_147_450_894]) + pad)
    }

    /// What the hardware faults on (#GP at LDTILECFG, #UD at the tile instructions), and what
    /// reads or writes outside the memory given, is refused at that instruction with one line.
    @Test(arguments: [
        ("no config", [M.op(M.loadd, 1, offset: 80, stride: 8)], M.tinyInput,
         1, "TILELOADD without a tile configuration (before LDTILECFG or after TILERELEASE)"),
        ("after release", [M.op(M.ldtilecfg), M.op(M.release), M.op(M.zero, 0)], M.tinyInput,
         3, "TILEZERO without a tile configuration (before LDTILECFG or after TILERELEASE)"),
        ("palette 2", [M.op(M.ldtilecfg)], M.config([(2, 8)], palette: 2), 1, "LDTILECFG: palette 2 (only 1 exists) (#GP)"),
        ("start_row", [M.op(M.ldtilecfg)], M.config([(2, 8)], patch: [(1, 1)]), 1, "LDTILECFG: start_row 1 (a kernel starts at row 0)"),
        ("rows 17", [M.op(M.ldtilecfg)], M.config([(2, 8), (2, 8), (2, 8), (17, 8)]), 1, "LDTILECFG: tmm3 rows 17 > 16 (#GP)"),
        ("colsb 68", [M.op(M.ldtilecfg)], M.config([(2, 8), (2, 68)]), 1, "LDTILECFG: tmm1 colsb 68 > 64 (#GP)"),
        ("reserved", [M.op(M.ldtilecfg)], M.config([(2, 8)], patch: [(5, 1)]), 1, "LDTILECFG: reserved byte 5 is 1, not 0 (#GP)"),
        ("tmm12", [M.op(M.ldtilecfg)], M.config([(2, 8)], patch: [(40, 16)]), 1, "LDTILECFG: reserved byte 40 is 16, not 0 (#GP)"),
        ("rows only", [M.op(M.ldtilecfg)], M.config([(2, 8), (2, 8), (2, 8), (2, 8), (2, 0)]), 1, "LDTILECFG: tmm4 has rows 2 but colsb 0 (#GP)"),
        ("K", [M.op(M.ldtilecfg), M.op(M.dpbusd, 0, 1, 2)], M.config([(2, 8), (2, 8), (3, 8)]), 2,
         "TDPBUSD: src1 tmm1 colsb/4 2 != src2 tmm2 rows 3 (#UD)"),
        ("N", [M.op(M.ldtilecfg), M.op(M.dpbusd, 0, 1, 2)], M.config([(2, 12), (2, 8), (2, 8)]), 2,
         "TDPBUSD: dst tmm0 colsb 12 != src2 tmm2 colsb 8 (#UD)"),
        ("M", [M.op(M.ldtilecfg), M.op(M.dpbusd, 0, 1, 2)], M.config([(1, 8), (2, 8), (2, 8)]), 2,
         "TDPBUSD: dst tmm0 rows 1 != src1 tmm1 rows 2 (#UD)"),
        ("same tile", [M.op(M.ldtilecfg), M.op(M.dpbusd, 0, 1, 1)], M.tinyInput, 2, "TDPBUSD tmm0, tmm1, tmm1: the three tiles must differ (#UD)"),
        ("unconfigured", [M.op(M.ldtilecfg), M.op(M.zero, 6)], M.tinyInput, 2, "TILEZERO: tmm6 is not configured (#UD)"),
        ("colsb 6", [M.op(M.ldtilecfg), M.op(M.loadd, 1, offset: 80, stride: 8)], M.config([(2, 8), (2, 6)]) + [UInt8](repeating: 0, count: 48), 2,
         "TILELOADD: tmm1 colsb 6 is not a multiple of 4 (#UD)"),
        ("the tiny problem", M.tinyOps, M.tinyInput, 0, ""),
    ] as [(String, [czk_amx_op], [UInt8], Int32, String)])
    func refusesWhatTheHardwareFaultsOn(_ name: String, _ ops: [czk_amx_op], _ input: [UInt8], _ index: Int32, _ message: String) {
        let r = M.run(ops, input: input)
        #expect(r.index == index, "\(name): \(r.message)")
        #expect(r.message == message, "\(name)")
    }

    /// Loads read exactly rows × colsb bytes at the stride, stores write them, and each byte
    /// must lie in the memory given: one stride too far (row 1's last 4 bytes) is refused.
    @Test func loadsAndStoresStayInTheirMemory() {
        let n = Int64(M.tinyInput.count)
        let read = M.run([M.op(M.ldtilecfg), M.op(M.loadd, 1, offset: n - 12, stride: 8)], input: M.tinyInput)
        #expect(read.index == 2)
        #expect(read.message.hasPrefix("TILELOADD tmm1 row 1 byte 4: 0x") && read.message.hasSuffix(" is outside what the kernel may read"),
                "\(read.message)")
        let fits = M.run([M.op(M.ldtilecfg), M.op(M.loadd, 1, offset: n - 16, stride: 8)], input: M.tinyInput)
        #expect(fits.index == 0, "\(fits.message)")
        let write = M.run(Array(M.tinyOps[0..<5]) + [M.op(M.stored, 0, offset: 8, stride: 12)], input: M.tinyInput)
        #expect(write.index == 6)
        #expect(write.message.hasPrefix("TILESTORED tmm0 row 1 byte 4: 0x") && write.message.hasSuffix(" is outside what the kernel may write"),
                "\(write.message)")
        #expect(write.out[0..<8] == [0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE])  // nothing before the offset
    }

    /// The AMX kernel runs 16-image blocks on the tiles (per block: ⌈k/64⌉ chunks × ⌈outs/16⌉
    /// groups TDPBUSDs, counted on this thread) and the rest on AVX-512 VNNI, and equals the
    /// portable kernel either way.
    @Test(arguments: [15, 16, 17, 31, 32, 33])
    func amxPathRunsOnBlocksOf16Images(_ n: Int) {
        var g = SplitMix64(seed: UInt64(n))
        let k = 100, outs = 70, xStride = 103
        let u = (0..<(n * xStride)).map { _ in [0, 255, UInt8.random(in: 0...255, using: &g)].randomElement(using: &g)! }
        let w = (0..<(outs * k)).map { _ in [-128, 127, Int8.random(in: -128...127, using: &g)].randomElement(using: &g)! }
        var packed = [Int8](repeating: 0, count: czk_pack8_size(outs, k))
        var corr = [Int32](repeating: 0, count: czk_pack8_corr_count(outs))
        czk_pack8(w, k, outs, k, &packed, &corr)
        var want = [Int32](repeating: 0, count: n * outs), got = [Int32](repeating: -1, count: n * outs)
        czk_dot8(Int32(CZK_PORTABLE), u, xStride, n, packed, corr, outs, k, &want, outs)
        let before = czk_amx_model_dpbusd_count(0)
        czk_dot8(Int32(CZK_AMX_MODEL), u, xStride, n, packed, corr, outs, k, &got, outs)
        #expect(czk_amx_model_dpbusd_count(0) - before == UInt64(n / 16 * 2 * 5))
        #expect(got == want)
    }

    /// The self-check's problem passes on every 8-bit kernel here (the AMX model included) and
    /// refuses a kernel that is not an available 8-bit one.
    @Test func selfCheckPassesOnCorrectKernels() {
        var reason = [CChar](repeating: 0, count: 240)
        for isa in [Int32(CZK_AVX512VNNI), Int32(CZK_AMX_MODEL), Int32(CZK_AVXVNNI_EVEX)] where czk_isa_available(isa) != 0 {
            #expect(czk_self_check(isa, &reason, reason.count) == 1, "isa \(isa): \(M.text(reason))")
            #expect(M.text(reason) == "")
        }
        #expect(czk_self_check(Int32(CZK_AVX2), &reason, reason.count) == 0)
        #expect(M.text(reason) == "kernel 2 is not an 8-bit kernel available here")
    }

    /// The choice `czk_best_isa` makes, with the model in AMX's place: a correct unit is chosen;
    /// a unit that reads weights as unsigned, loads one row short, skips the last dword of K, or
    /// faults (SIGILL, as a #UD) fails the self-check, and AVX-512 VNNI is chosen with the reason.
    @Test(arguments: [
        (CZK_AMX_FAULT_NONE, CZK_AMX_MODEL, CZK_AMX_CHECK_PASSED, ""),
        (CZK_AMX_FAULT_UNSIGNED_W, CZK_AVX512VNNI, CZK_AMX_CHECK_FAILED,
         "image 0 output 0 of 19 x 100 inputs x 70 outputs: 3331840, the portable kernel -55040"),
        (CZK_AMX_FAULT_LOAD_ROWS, CZK_AVX512VNNI, CZK_AMX_CHECK_FAILED,
         "image 0 output 0 of 19 x 100 inputs x 70 outputs: -6912, the portable kernel -55040"),
        (CZK_AMX_FAULT_SHORT_K, CZK_AVX512VNNI, CZK_AMX_CHECK_FAILED,
         "image 0 output 0 of 19 x 100 inputs x 70 outputs: -6912, the portable kernel -55040"),
        (CZK_AMX_FAULT_TRAP, CZK_AVX512VNNI, CZK_AMX_CHECK_FAILED, "signal 4 (SIGILL: #UD) in the kernel"),
    ] as [(Int, Int, Int, String)])
    func selfCheckDecidesTheDefault(_ fault: Int, _ isa: Int, _ status: Int, _ reason: String) {
        var got: Int32 = -1
        var text = [CChar](repeating: 0, count: 240)
        #expect(czk_amx_model_choose(Int32(fault), &got, &text, text.count) == Int32(isa))
        #expect(got == Int32(status))
        #expect(M.text(text) == reason)
        // The injected fault stays in that call: the model is correct again afterwards.
        #expect(czk_self_check(Int32(CZK_AMX_MODEL), &text, text.count) == 1, "\(M.text(text))")
    }

    #if os(Linux)
    /// The self-check catches SIGILL, SIGSEGV and SIGBUS only while it runs: afterwards (here after
    /// a kernel that raised SIGILL) the process's actions for them are the ones it had before. They
    /// are set to SIG_DFL for the test, a state nothing else leaves (the suite runs serialized, and
    /// `czk_best_isa`'s own check is over before), and put back afterwards.
    @Test func selfCheckRestoresTheSignalActions() {
        _ = czk_best_isa()
        let signals = [SIGILL, SIGSEGV, SIGBUS]
        func actions() -> [UInt] {
            signals.flatMap { s -> [UInt] in
                var a = sigaction()
                sigaction(s, nil, &a)
                return [unsafeBitCast(a.__sigaction_handler, to: UInt.self), UInt(bitPattern: Int(a.sa_flags & SA_SIGINFO))]  // glibc adds SA_RESTORER
            }
        }
        var saved: [sigaction] = signals.map { _ in sigaction() }
        var dfl = sigaction()
        sigemptyset(&dfl.sa_mask)
        for (i, s) in signals.enumerated() { sigaction(s, &dfl, &saved[i]) }
        defer { for (i, s) in signals.enumerated() { sigaction(s, &saved[i], nil) } }
        #expect(actions() == [0, 0, 0, 0, 0, 0])
        var status: Int32 = 0
        var text = [CChar](repeating: 0, count: 240)
        #expect(czk_amx_model_choose(Int32(CZK_AMX_FAULT_TRAP), &status, &text, text.count) == Int32(CZK_AVX512VNNI))
        #expect(actions() == [0, 0, 0, 0, 0, 0])
    }
    #endif
}
