import Foundation
import Testing
import ZynqNetModel
import ZynqNetSim

/// The board binary (`build/board/zynqnet-board`, armv7 hard-float, built by
/// scripts/build-board.sh, which scripts/test.sh runs first) under qemu-arm: its `infer` on the
/// simulator and on the loopback device equals the host simulator bit for bit, and bad input
/// is one clean line.
enum Board {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent("build/board/zynqnet-board").path
    static let golden = root.appendingPathComponent("Tests/Fixtures/golden").path
    static let real = root.appendingPathComponent("Tests/Fixtures/real").path
    static let qemu = "/usr/bin/qemu-arm"
    static var built: Bool { FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.isExecutableFile(atPath: qemu) }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the board binary under qemu-arm.
    static func run(_ args: [String], in dir: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qemu)
        p.arguments = [binary] + args
        if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-board-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// The host simulator's outputs for `images` through `model` (the reference).
    static func hostOutputs(model: String, images: String) throws -> [Int64] {
        let m = try QuantizedModel.load(path: model)
        let set = try ImageSet.load(path: images)
        let codes = try InputQuantizer(model: m).quantize(ImageLayout.nhwc.arranged(set.images, for: m.input))
        return try Simulator(model: m).run(codes).outputs.map(Int64.init)
    }

    /// The int64 outputs the board binary wrote to an .npy.
    static func npyOutputs(_ path: String) throws -> (shape: [Int], values: [Int64]) {
        let a = try NPY.read(path: path)
        guard case .int64(let v) = a.storage else { Issue.record("not int64: \(a.dtype)"); return (a.shape, []) }
        return (a.shape, v)
    }
}

@Suite(.enabled(if: Board.built, "build/board/zynqnet-board not built: run scripts/build-board.sh (scripts/test.sh does)"), .serialized)
struct BoardBinaryTests {
    @Test func isAStaticStrippedHardFloatARMExecutableOfAtMost2MB() throws {
        let size = try FileManager.default.attributesOfItem(atPath: Board.binary)[.size] as! Int
        #expect(size <= 2 * 1024 * 1024, "zynqnet-board is \(size) bytes")
        let file = Process()
        file.executableURL = URL(fileURLWithPath: "/usr/bin/file")
        file.arguments = ["-b", Board.binary]
        let pipe = Pipe()
        file.standardOutput = pipe
        try file.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        file.waitUntilExit()
        #expect(text.hasPrefix("ELF 32-bit LSB executable, ARM, EABI5"))
        #expect(text.contains("statically linked"))
        #expect(text.contains(", stripped"))
        // Hard-float: the ELF header's flags say EABI5 with the VFP (hard-float) ABI.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Board.binary))
        let flags = bytes[36..<40].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        #expect(flags & 0xFF00_0000 == 0x0500_0000, "EABI version 5")
        #expect(flags & 0x400 == 0x400, "EF_ARM_ABI_FLOAT_HARD")
    }

    /// Dense models of the spec's corners (signedness, every rounding, extreme M/s, clamps), a CNN
    /// and the real imports, on the simulator and the loopback device, at batch 1, 7 and 256.
    static let cases: [(model: String, images: String)] = [
        "fmnist_784_48_10_int8", "fmnist_784_48_10_uint8_flat_images", "signs_sss", "signs_ssu", "signs_sus", "signs_suu",
        "signs_uss", "signs_usu", "signs_uus", "signs_uuu", "extreme_m_s63", "extreme_gemmlowp", "extreme_half_even",
        "extreme_float32", "halves_floor_int8", "halves_half_up_uint8", "halves_half_even_int8", "halves_gemmlowp_uint8",
        "halves_float32_int8", "s0_m1_floor", "s0_mixed", "saturate_both_ends", "clamp_ranges", "relu_zero_points",
        "random_gemmlowp_per_channel", "random_float32_per_tensor", "deep_6", "width_1", "width_300", "argmax_ties_uint8",
        // A CNN: the driver takes its windows from the loopback device's window registers (map 1.2).
        "cnn_floor",
    ].map { ("\(Board.golden)/\($0).model.npz", "\(Board.golden)/\($0).images.npz") } + [
        ("\(Board.real)/mnist_model.npz", "\(Board.real)/mnist_images.npz"),
        ("\(Board.real)/pyrtlnet_quantized.npz", "\(Board.real)/pyrtlnet_test_data.npz"),
    ]

    @Test(arguments: ["sim", "loopback"])
    func inferEqualsTheHostSimulatorBitForBit(backend: String) throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, c) in Self.cases.enumerated() {
            let want = try Board.hostOutputs(model: c.model, images: c.images)
            for batch in [1, 7, 256] {
                let out = "\(dir)/o\(i)_\(batch).npy"
                let r = try Board.run(["infer", c.images, "--model", c.model, "--backend", backend, "--batch", "\(batch)",
                                       "--output", out, "--json"])
                #expect(r.status == 0, "\(c.model) batch \(batch): \(r.stderr)")
                guard r.status == 0 else { continue }
                #expect(r.stdout.contains("\"backend\":\"\(backend)\""))
                let got = try Board.npyOutputs(out)
                #expect(got.values == want, "\(c.model) on \(backend) at batch \(batch)")
                #expect(got.shape.count == 2 && got.shape[0] * got.shape[1] == want.count)
            }
        }
    }

    /// One image past the DMA limit (length width 23: 10 699 records of 784 bytes per transfer):
    /// the driver splits the batch, and the outputs still equal the simulator's.
    @Test func aBatchOnePastTheDMALimitEqualsTheSimulator() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = "\(Board.golden)/fmnist_784_48_10_int8.model.npz"
        let base = try ImageSet.load(path: "\(Board.golden)/fmnist_784_48_10_int8.images.npz")
        let perTransfer = ((1 << 23) - 1) / 784
        let n = perTransfer + 1
        // n images: the fixture's images repeated, as an .npy of the same dtype and image shape.
        let one = base.images.shape.dropFirst().reduce(1, *)
        guard case .uint8(let v) = base.images.storage else { Issue.record("fixture images not uint8: \(base.images.dtype)"); return }
        var tiled: [UInt8] = []
        tiled.reserveCapacity(n * one)
        while tiled.count < n * one { tiled += v.prefix(n * one - tiled.count) }
        let images = "\(dir)/images.npy"
        try Data(NPY.encode(NDArray(shape: [n] + base.images.shape.dropFirst(), storage: .uint8(tiled)))).write(to: URL(fileURLWithPath: images))
        let want = try Board.hostOutputs(model: model, images: images)
        let out = "\(dir)/o.npy"
        let r = try Board.run(["infer", images, "--model", model, "--backend", "loopback", "--batch", "\(n)", "--output", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"images\":\(n),"))
        #expect(try Board.npyOutputs(out).values == want)
    }

    @Test func infoProbesTheLoopbackDevice() throws {
        let r = try Board.run(["info", "--model", "\(Board.golden)/fmnist_784_48_10_int8.model.npz", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"backend\":\"loopback\",\"magic\":\"0x5a4e4554\",\"version\":"))
        #expect(r.stdout.contains("\"input_count\":784,\"layers\":[{\"in\":784,\"out\":48,"))
        #expect(r.stdout.contains("\"counters\":{\"images_in\":0,\"images_out\":0,"))
        #expect(r.stdout.contains("\"fclk_mhz\":100,\"fclk\":\"nominal\""))
    }

    /// Bad input under qemu: exit 1 (2 for usage), one line on stderr naming the file or option,
    /// no trap (SIGILL is exit 132), nothing written.
    @Test func badInputIsOneCleanLineAndWritesNothing() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = "\(Board.golden)/fmnist_784_48_10_int8.model.npz"
        let images = "\(Board.golden)/fmnist_784_48_10_int8.images.npz"
        let modelBytes = try Data(contentsOf: URL(fileURLWithPath: model))
        try modelBytes.prefix(modelBytes.count / 2).write(to: URL(fileURLWithPath: "\(dir)/truncated.npz"))
        var flipped = modelBytes
        flipped[modelBytes.count / 3] ^= 0xFF
        try flipped.write(to: URL(fileURLWithPath: "\(dir)/flipped.npz"))
        try Data("not a model at all\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/text.npz"))
        try Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x7F]).write(to: URL(fileURLWithPath: "\(dir)/images.npy"))
        let cases: [(args: [String], status: Int32, names: String)] = [
            (["infer", images, "--model", "\(dir)/truncated.npz"], 1, "\(dir)/truncated.npz"),
            (["infer", images, "--model", "\(dir)/flipped.npz"], 1, "\(dir)/flipped.npz"),
            (["infer", images, "--model", "\(dir)/text.npz"], 1, "\(dir)/text.npz"),
            (["infer", images, "--model", "\(dir)/missing.npz"], 1, "\(dir)/missing.npz"),
            (["infer", "\(dir)/images.npy", "--model", model, "--backend", "loopback"], 1, "\(dir)/images.npy"),
            (["infer", "\(dir)/text.npz", "--model", model], 1, "\(dir)/text.npz"),
            (["infer", images, "--model", model, "--batch", "0"], 2, "--batch"),
            (["infer", images, "--model", model, "--backend", "gpu"], 2, "--backend"),
            (["infer", images, "--model", model, "--frobnicate"], 2, "--frobnicate"),
            (["infer", images, "--model", model, "--output", "\(dir)/o.txt"], 2, "--output"),
            (["infer", images], 2, "--model"),
        ]
        for c in cases {
            let out = "\(dir)/out.npy"
            let args = c.args.contains("--output") ? c.args : c.args + ["--output", out]
            let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            let r = try Board.run(args, in: dir)
            #expect(r.status == c.status, "\(c.args): \(r.status) \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(c.args): \(r.stderr)")
            #expect(r.stderr.hasPrefix(c.status == 1 ? "error: " : "Error: "), "\(r.stderr)")
            #expect(r.stderr.contains(c.names), "\(c.args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == before, "\(c.args) wrote a file")
        }
    }

    /// A value printed in an error message prints as on the host (an array, here), not as
    /// Embedded Swift's "(cannot print value in embedded Swift)".
    @Test func errorMessagesPrintArraysAsTheHostDoes() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var arrays = try NPZ.readOrdered(path: "\(Board.golden)/cnn_fmnist.model.npz")
        arrays.removeAll { $0.0 == "layer0.stride" }
        arrays.append(("layer0.stride", NDArray(shape: [2], storage: .int64([0, 1]))))
        let model = "\(dir)/stride.npz"
        try NPZ.write(arrays, to: model)
        let r = try Board.run(["infer", "\(Board.golden)/cnn_fmnist.images.npz", "--model", model])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(model): 'layer0.stride': entries must be at least 1 (and at most 2^31), got [0, 1]\n")
    }

    /// An existing file at --output is never replaced (zynqnet-board writes only new files).
    @Test func anExistingOutputIsRefusedAndKept() throws {
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = "\(dir)/mine.npy"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: out))
        let r = try Board.run(["infer", "\(Board.golden)/width_1.images.npz", "--model", "\(Board.golden)/width_1.model.npz", "--output", out])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(out): '--output': already exists; zynqnet-board replaces no file (remove it or name another)\n")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious")
    }
}
