import Foundation
import Testing
import ZynqNetModel
import ZynqNetTestSupport

/// bench/cpuid_mask.c (the bench's `--cpuid-mask avx2`) makes this machine look like an
/// AVX2-only CPU to a process through Linux's CPUID faulting. These tests run the real
/// `zynqnet` under it: its kernel detection must follow CPUID (not /proc/cpuinfo or a
/// compile-time guess), choose avx2, refuse the hidden kernels, and compute the same bits.
@Suite("the bench's CPUID mask")
struct CPUIDMaskTests {
    /// x86-64 Linux with CPUID faulting (`cpuid_fault` in /proc/cpuinfo) and a C compiler.
    static let maskable: Bool = {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("cpuid_fault")
        #else
        return false
        #endif
    }()

    /// bench/cpuid_mask.c compiled into `dir`.
    static func buildMask(in dir: URL) throws -> String {
        let so = dir.appendingPathComponent("cpuid_mask.so").path
        let r = try runProcess("cc", ["-O2", "-shared", "-fPIC", "-o", so, repoPath("bench/cpuid_mask.c")], combined: true)
        #expect(r.status == 0, "\(r.output)")
        return so
    }

    @Test("under the avx2 mask zynqnet chooses avx2 by itself, refuses hidden kernels, and computes the same outputs",
          .enabled(if: maskable, "needs x86-64 Linux with CPUID faulting (cpuid_fault)"))
    func avx2MaskChoosesAVX2() throws {
        try withTemporaryDirectory("cpuidmask") { dir in
            let so = try Self.buildMask(in: dir)
            let out = dir.appendingPathComponent("out.npz").path
            let args = ["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"),
                        "--json", "--output", out]
            let masked = ["LD_PRELOAD": so, "ZN_CPUID_MASK": "avx2", "ZYNQNET_ISA": ""]
            let r = try CLI.run(args, environment: masked)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\"backend\":\"sim\",\"kernel\":\"avx2\","), "\(r.stdout)")
            let expected = try NPZ.read(path: CLI.fixture("real/mnist_expected.npz"))
            #expect(try NPZ.read(path: out)["outputs"] == expected["outputs"])

            // The hidden kernels are not available to the masked process.
            let forced = try CLI.run(args, environment: masked.merging(["ZYNQNET_ISA": "avx512vnni"]) { $1 })
            #expect(forced.status == 1)
            #expect(forced.stderr == "error: 'ZYNQNET_ISA': the avx512vnni kernel is not available on this CPU "
                    + "(available here: portable, sse2, avx2)\n")
        }
    }

    @Test("an unknown mask stops the process before main with one line naming the variable",
          .enabled(if: maskable, "needs x86-64 Linux with CPUID faulting (cpuid_fault)"))
    func unknownMask() throws {
        try withTemporaryDirectory("cpuidmask") { dir in
            let so = try Self.buildMask(in: dir)
            let r = try CLI.run(["--version"], environment: ["LD_PRELOAD": so, "ZN_CPUID_MASK": "avx9"])
            #expect(r.status == 2)
            #expect(r.stdout == "")
            #expect(r.stderr == "error: 'ZN_CPUID_MASK': unknown mask (valid: avx2)\n")
        }
    }
}
