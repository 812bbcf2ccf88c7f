import Foundation
import Testing
import ZynqNetBase
import ZynqNetModel
import ZynqNetSim
import ZynqNetTestSupport

/// The simulator's kernels on ARM: the board binary picks the NEON kernel (vmlal_s16) by itself,
/// names it in `--json`, and ZYNQNET_ISA=portable|neon forces either; both equal the host
/// simulator bit for bit on random models of every signedness, rounding and width corner.
@Suite(.enabled(if: Board.built, "build/board/zynqnet-board not built: run scripts/build-board.sh (scripts/test.sh does)"), .serialized)
struct BoardKernelTests {
    /// The board binary under qemu-arm with ZYNQNET_ISA set to `isa` (unset when nil).
    static func run(_ args: [String], isa: String?) throws -> ToolOutput {
        var env = ProcessInfo.processInfo.environment
        env["ZYNQNET_ISA"] = isa
        return try runProcess(Board.qemu, [Board.binary] + args, environment: env, inheritEnvironment: false)
    }

    /// The `"kernel":"…"` of a `--json` line.
    static func kernel(_ json: String) -> String? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return obj["kernel"] as? String
    }

    @Test func neonIsChosenOnARMAndZYNQNET_ISAForcesAKernel() throws {
        let model = "\(Board.golden)/signs_sus.model.npz", images = "\(Board.golden)/signs_sus.images.npz"
        #expect(Self.kernel(try Self.run(["infer", images, "--model", model, "--json"], isa: nil).stdout) == "neon")
        #expect(Self.kernel(try Self.run(["infer", images, "--model", model, "--json"], isa: "").stdout) == "neon")
        #expect(Self.kernel(try Self.run(["infer", images, "--model", model, "--json"], isa: "portable").stdout) == "portable")
        #expect(Self.kernel(try Self.run(["infer", images, "--model", model, "--json"], isa: "neon").stdout) == "neon")
        let text = try Self.run(["infer", images, "--model", model], isa: nil)
        #expect(text.stdout.contains(" images/s on sim (neon kernel) ("), "\(text.stdout)")
        // An x86 or aarch64 kernel is not there: one line naming the variable and what is.
        for isa in ["avx2", "neondot"] {
            let r = try Self.run(["infer", images, "--model", model, "--json"], isa: isa)
            #expect(r.status == 1)
            #expect(r.stderr == "error: 'ZYNQNET_ISA': the \(isa) kernel is not available on this CPU (available here: portable, neon)\n")
            #expect(r.stdout.isEmpty)
        }
        let bad = try Self.run(["infer", images, "--model", model], isa: "sve")
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("error: 'ZYNQNET_ISA': unknown kernel 'sve' (valid: portable, sse2, avx2, avx512vnni, avxvnni, amx, neon, neondot; available here: portable, neon)"))
    }

    /// 24 random models (widths 1…70, so rows that are and are not multiples of the kernels' 8 and
    /// 16, odd output counts for the 2×2 tile's remainder, every signedness and rounding, extreme
    /// M and s), random images at batch 7: the NEON and portable kernels under qemu-arm equal the
    /// host simulator.
    @Test func neonAndPortableEqualTheHostOnRandomModels() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = SplitMix64(seed: 0xA9_0E0)
        for m in 0..<24 {
            let inWidth = [1, 7, 16, 17, 33, 64, 70][m % 7]
            let model = randomModel(&g, layers: 1 + m % 3, maxWidth: 40, inWidth: inWidth)
            let modelPath = "\(dir)/m\(m).npz", imagesPath = "\(dir)/i\(m).npy"
            try model.save(to: modelPath)
            let count = 23
            var pixels: [UInt8] = []
            for _ in 0..<(count * model.inputCount) { pixels.append(UInt8(truncatingIfNeeded: g.next())) }
            // A few images at the extremes.
            for i in 0..<model.inputCount { pixels[i] = 0; pixels[model.inputCount + i] = 255 }
            try Data(NPY.encode(NDArray(shape: [count, model.inputCount], storage: .uint8(pixels)))).write(to: URL(fileURLWithPath: imagesPath))
            let want = try Board.hostOutputs(model: modelPath, images: imagesPath)
            for isa in ["portable", "neon"] {
                let out = "\(dir)/o\(m)_\(isa).npy"
                let r = try Self.run(["infer", imagesPath, "--model", modelPath, "--batch", "7", "--output", out, "--json"], isa: isa)
                #expect(r.status == 0, "model \(m) on \(isa): \(r.stderr)")
                guard r.status == 0 else { continue }
                #expect(Self.kernel(r.stdout) == isa)
                #expect(try Board.npyOutputs(out).values == want, "model \(m) (in \(inWidth), \(model.layers.count) layers) on \(isa)")
            }
        }
    }
}
