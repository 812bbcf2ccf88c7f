import Foundation
import Testing
import ZynqNetTestSupport
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetSim

/// Format 2's `gemmlowp` and `float32` against the runtimes they come from: a C program
/// (`Tests/Fixtures/c/runtime_rounding.c`, built here with the system `cc`) computes
/// TFLite's SaturatingRoundingDoublingHighMul + RoundingDivideByPOT on int32, and
/// onnxruntime/XNNPACK's `nearbyintf((float)acc * scale)` in IEEE single precision; the
/// Int128 reference (and the fast requantizer) must give the same q on every random case
/// inside the range where TFLite's int32 arithmetic does not overflow.
@Suite struct RuntimeRounding {
    static let source = fixturesRoot.appendingPathComponent("c/runtime_rounding.c")

    /// Builds the C program and runs it on `input` (one case per line); returns its output lines.
    static func runtime(_ input: String) throws -> [Int64] {
        let dir = try makeTemporaryDirectory("runtime-rounding")
        defer { removeTemporaryDirectory(dir) }
        let binary = dir.appendingPathComponent("runtime_rounding").path
        let (built, log) = try runProcess("cc", ["-O2", "-std=c11", "-ffp-contract=off", source.path, "-o", binary, "-lm"], combined: true).statusAndOutput
        try #require(built == 0, "cc failed: \(log)")
        let inputFile = dir.appendingPathComponent("cases.txt")
        try input.write(to: inputFile, atomically: true, encoding: .utf8)
        let r = try runProcess(binary, [], stdin: inputFile)
        try #require(r.status == 0, "runtime_rounding exited with \(r.status)")
        return r.stdout.split(separator: "\n").map { Int64($0)! }
    }

    /// TFLite: MULT in [2^30, 2^31), SHIFT in [−31, 30] (s = 31 − SHIFT, so s = 1…62, E up to
    /// 31), acc·2^left inside int32. A quarter of the multipliers are round (2^30, 3·2^29, …)
    /// so that ties occur.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func gemmlowpEqualsTFLite() throws {
        var g = SplitMix64(seed: 17)
        var cases: [(acc: Int64, m: UInt32, shift: Int)] = []
        for _ in 0..<100_000 {
            let shift = Int.random(in: -31...30, using: &g)
            let left = max(shift, 0)
            let limit = Int64(1) << (31 - left)
            let acc: Int64 = switch Int.random(in: 0..<4, using: &g) {
            case 0: [-limit, limit - 1, 0, 1, -1].randomElement(using: &g)!
            case 1: Int64.random(in: -min(limit, 4096)...(min(limit, 4096) - 1), using: &g)
            default: Int64.random(in: -limit...(limit - 1), using: &g)
            }
            let m: UInt32 = Int.random(in: 0..<4, using: &g) == 0
                ? [1 << 30, 3 << 29, 5 << 28, 7 << 28, (1 << 31) - 1].randomElement(using: &g)!
                : UInt32.random(in: (1 << 30)...((1 << 31) - 1), using: &g)
            cases.append((acc, m, shift))
        }
        let got = try Self.runtime(cases.map { "g \($0.acc) \($0.m) \($0.shift)\n" }.joined())
        try #require(got.count == cases.count)
        var ties = 0
        for (c, tflite) in zip(cases, got) {
            let s = 31 - c.shift
            let q = ReferenceSimulator.gemmlowp(Int128(c.acc), c.m, s)
            #expect(q == Int128(tflite), "acc \(c.acc) M \(c.m) shift \(c.shift)")
            // A tie of the last step: t / 2^E with remainder exactly 2^(E−1).
            let e = max(0, s - 31)
            if e > 0 {
                let t = (Int128(c.acc) * Int128(c.m) + (1 << 30)) >> 31
                if t & ((Int128(1) << e) - 1) == Int128(1) << (e - 1) { ties += 1 }
            }
        }
        #expect(ties > 1000, "only \(ties) ties of RoundingDivideByPOT were exercised")
    }

    /// onnxruntime/XNNPACK: int32 accumulators, scale = M·2^−s with M in [2^23, 2^24) (a
    /// normal float32 significand), s = 0…63. The reference's three roundings and the fast
    /// requantizer's host-float path both equal `nearbyintf((float)acc * scale)`.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func float32EqualsNearbyintf() throws {
        var g = SplitMix64(seed: 23)
        var cases: [(acc: Int64, m: UInt32, s: Int)] = []
        for _ in 0..<100_000 {
            let s = Int.random(in: 0...63, using: &g)
            let acc: Int64 = switch Int.random(in: 0..<4, using: &g) {
            case 0: [Int64(Int32.min), Int64(Int32.max), 0, 1, -1, (1 << 24) + 1, -(1 << 24) - 1].randomElement(using: &g)!
            case 1: Int64.random(in: -100_000...100_000, using: &g)
            default: Int64(Int32.random(in: .min ... .max, using: &g))
            }
            let m: UInt32 = Int.random(in: 0..<4, using: &g) == 0
                ? [1 << 23, 3 << 22, (1 << 24) - 1, (1 << 23) + 1].randomElement(using: &g)!
                : UInt32.random(in: (1 << 23)...((1 << 24) - 1), using: &g)
            cases.append((acc, m, s))
        }
        let got = try Self.runtime(cases.map { "f \($0.acc) \($0.m) \($0.s)\n" }.joined())
        try #require(got.count == cases.count)
        for (c, runtime) in zip(cases, got) {
            #expect(ReferenceSimulator.float32(Int128(c.acc), c.m, c.s) == Int128(runtime), "acc \(c.acc) M \(c.m) s \(c.s)")
            // The fast simulator's requantizer, on an output range wide enough to show q.
            if abs(runtime) <= 100 {
                let l = DenseLayer(outFeatures: 1, inFeatures: 1, weight: [1], multiplier: [c.m], shift: [UInt8(c.s)],
                                   rounding: .float32, relu: false, outputZero: 0, outputType: .int8)
                #expect(Requantizer(l, bounds: [abs(c.acc)]).requantize(c.acc, 0) == Int32(runtime))
            }
        }
    }
}
