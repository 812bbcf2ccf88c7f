import Foundation
import Testing
import ZynqNetTestSupport

/// The NEON kernels cannot run on this x86 machine, so they are cross-compiled with the
/// toolchain's clang (freestanding, linked by lld) and run under qemu-user for aarch64
/// (Apple silicon, 64-bit ARM Linux; with and without the sdot instruction) and armv7 (the
/// Zynq's Cortex-A9): the harness `Tests/Fixtures/c/neon_check.c` compares the NEON kernels
/// (int16 vmlal and, where HWCAP_ASIMDDP says so, 8-bit sdot) with the portable ones on 200
/// random cases and the longest block, and exits 0 only if all agree.
@Suite struct CrossArch {
    @Test(.tags(.qemu), arguments: [
        // aarch64 with FEAT_DotProd (qemu's max CPU): the sdot kernel must be found and agree.
        ("aarch64", ["--target=aarch64-linux-gnu"], ["qemu-aarch64", "-cpu", "max"], "neondot: 200 cases equal"),
        // aarch64 without it (Cortex-A53): HWCAP_ASIMDDP is clear, so sdot must not be offered.
        ("aarch64-a53", ["--target=aarch64-linux-gnu"], ["qemu-aarch64", "-cpu", "cortex-a53"], "neondot: unavailable"),
        ("armv7", ["--target=armv7a-linux-gnueabihf", "-mfpu=neon", "-mfloat-abi=hard"], ["qemu-arm"], "neondot: unavailable"),
    ])
    func neonKernelsAgreeWithPortable(arch: String, flags: [String], qemu: [String], dot: String) throws {
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-neon-\(arch)-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: binary) }
        let (built, log) = try runProcess("clang", flags + [
            "-O2", "-ffreestanding", "-fno-builtin", "-nostdlib", "-static", "-fuse-ld=lld",
            "-I", repoPath("Sources/CZynqNetDotKernels/include"),
            repoPath("Sources/CZynqNetDotKernels/kernels.c"),
            fixturePath("c/neon_check.c"),
            "-o", binary,
        ], combined: true).statusAndOutput
        try #require(built == 0, "cross-compiling for \(arch) failed: \(log)")
        let (status, output) = try runProcess(qemu[0], Array(qemu.dropFirst()) + [binary], combined: true).statusAndOutput
        #expect(status == 0, "\(arch): exit \(status) (k = case k−1 differed, 250/251 = sdot differed, 254 = long block, 255 = no NEON; 127 = \(qemu[0]) missing: scripts/install-deps.sh installs qemu-user) \(output)")
        #expect(output == "neon: 200 cases equal\n\(dot)\n", "\(arch)")
    }
}
