import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

/// `zynqnet infer --backend rtlsim`: the runtime's driver on the Verilated design.
/// Builds are quick (-O1) and cached with the ZynqNetRTLSimTests' builds.
@Suite("zynqnet infer --backend rtlsim", .tags(.verilator), .serialized)
struct RTLSimCommandTests {
    static let env = ["ZYNQNET_RTLSIM_CACHE": CLI.packageRoot + "/.build/zynqnet-test/rtlsim", "ZYNQNET_RTLSIM_QUICK": "1"]
    static let images = CLI.fixture("real/pyrtlnet_test_data_u8.npz")
    static let model = CLI.fixture("real/pyrtlnet_quantized.npz")

    func outputs(_ args: [String]) throws -> (npz: [String: NDArray], json: [String: Any]) {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.npz").path
        let r = try CLI.run(args + ["--output", out, "--json"], environment: Self.env)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "stdout: \(r.stdout)")
        return (try NPZ.read(path: out), json)
    }

    @Test("equals sim bit for bit and reports cycles, II, latency and images/s at fclk")
    func equalsSim() throws {
        let base = ["infer", Self.images, "--model", Self.model, "--limit", "48"]
        let sim = try outputs(base)
        let rt = try outputs(base + ["--backend", "rtlsim", "--batch", "16", "--throughput-test"])
        #expect(rt.npz["outputs"] == sim.npz["outputs"])
        #expect(rt.npz["predictions"] == sim.npz["predictions"])
        #expect(rt.npz["outputs"]?.shape == [48, 10])
        let j = rt.json
        for key in ["runtime_ms", "images_per_second", "dram_in_mb_per_s", "dram_out_mb_per_s", "fclk_mhz", "batch_size",
                    "pack_ms", "copy_ms", "unpack_ms", "busy_cycles", "stall_cycles", "cycles", "ii_cycles", "latency_cycles",
                    "images_per_second_at_fclk", "design_ii_cycles", "rtl_cycles_per_second"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        #expect(j["backend"] as? String == "rtlsim")
        #expect(j["ii_measured"] as? Bool == true)
        let ii = try #require(j["ii_cycles"] as? Int), design = try #require(j["design_ii_cycles"] as? Int)
        // No stalls: back-to-back images leave every II cycles; fclk / II is the rate.
        #expect(ii == design)
        #expect(j["images_per_second_at_fclk"] as? Double == 100e6 / Double(ii))
        // Three transfers of 16 images: at least 45 IIs of hardware time, plus fill and drain.
        let cycles = try #require(j["cycles"] as? Int), latency = try #require(j["latency_cycles"] as? Int)
        #expect(cycles >= 45 * ii && cycles <= 48 * ii + 3 * (latency + 64), "cycles \(cycles), II \(ii), latency \(latency)")
        #expect(latency > ii / 2)
    }

    /// The sequential engine through the unchanged runtime (parameter window, DMA, registers):
    /// the same outputs as sim, its exact II measured.
    @Test("--fold {\"engine\": \"sequential\"} runs the sequential engine bit for bit")
    func sequentialEngine() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fold = dir.appendingPathComponent("seq.json")
        try Data(#"{"engine": "sequential"}"#.utf8).write(to: fold)
        let base = ["infer", Self.images, "--model", Self.model, "--limit", "6"]
        let sim = try outputs(base)
        let rt = try outputs(base + ["--backend", "rtlsim", "--fold", fold.path, "--batch", "3"])
        #expect(rt.npz["outputs"] == sim.npz["outputs"])
        #expect(rt.npz["predictions"] == sim.npz["predictions"])
        let ii = try #require(rt.json["ii_cycles"] as? Int), design = try #require(rt.json["design_ii_cycles"] as? Int)
        #expect(ii == design)
        // 144-18-10 one output at a time: more than the MAC cycles 144·18 + 18·10.
        #expect(ii > 144 * 18 + 18 * 10)
    }

    /// A real float32 model (onnxruntime's QDQ MLP 784-128-64-10, per-channel int8, imported)
    /// on the sequential engine, whose serial requantizer runs float32 in three passes: 200
    /// Fashion-MNIST images give onnxruntime's own outputs, and the II the design states.
    @Test("--fold sequential runs an imported float32 ONNX model as onnxruntime does (200 images)",
          .enabled(if: FileManager.default.fileExists(atPath: ImportCommandTests.images), "dataset-fashion-mnist not installed"))
    func sequentialFloat32Onnx() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fold = dir.appendingPathComponent("seq.json")
        try Data(#"{"engine": "sequential"}"#.utf8).write(to: fold)
        let n = 200
        let raw = try IDX.read(path: ImportCommandTests.images)
        guard case .uint8(let px) = raw.storage else { Issue.record("not uint8"); return }
        let floats = dir.appendingPathComponent("x.npy").path
        try FileBytes.write(NPY.encode(NDArray(shape: [n, 1, 28, 28], storage: .float32(px.prefix(n * 784).map { Float($0) / 255 }))), to: floats)
        let want = try #require(try NPY.read(path: CLI.fixture("real/mlp_qdq_s8s8_pc.ort_q.npy")).integers())
        let rt = try outputs(["infer", floats, "--model", CLI.fixture("real/mlp_qdq_s8s8_pc.onnx"), "--backend", "rtlsim", "--fold", fold.path])
        let got = try #require(rt.npz["outputs"]?.integers())
        #expect(got.count == n * 10)
        #expect(got == Array(want.prefix(n * 10)), "\(zip(got, want).filter { $0 != $1 }.count) values differ from onnxruntime")
        let ii = try #require(rt.json["ii_cycles"] as? Int), design = try #require(rt.json["design_ii_cycles"] as? Int)
        #expect(ii == design)
        // Layer 0's 784 inputs a word dominate; layers 1 and 2 wait for the three-pass requantizer (299 cycles a word).
        #expect(ii > 127 * 784 + 64 * 299)
    }

    @Test("--fold sets the simulated design's folding; --trace writes an FST waveform")
    func foldAndTrace() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fold = dir.appendingPathComponent("fold.json")
        // 144-18-10: layer 0 (144/12)·(18/3) = 72 cycles, layer 1 (18/6)·(10/2) = 15.
        try Data(#"{"layers": [{"pe": 3, "simd": 12}, {"pe": 2, "simd": 6}]}"#.utf8).write(to: fold)
        let trace = dir.appendingPathComponent("run.fst").path
        let base = ["infer", Self.images, "--model", Self.model, "--limit", "20"]
        let sim = try outputs(base)
        let rt = try outputs(base + ["--backend", "rtlsim", "--fold", fold.path, "--trace", trace, "--batch", "20"])
        #expect(rt.npz["outputs"] == sim.npz["outputs"])
        #expect(rt.json["design_ii_cycles"] as? Int == 72)
        #expect(rt.json["ii_cycles"] as? Int == 72)
        // FST header block (gtkwave's fstapi): tag 0, section length 329, end time = the last
        // half cycle at 100 MHz (10,000 ps a cycle), and the design's signals.
        let bytes = try #require(FileManager.default.contents(atPath: trace))
        #expect(bytes.count > 1000)
        func u64(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        #expect(bytes.first == 0)
        #expect(u64(1) == 329)
        let end = u64(17)
        #expect(end % 10_000 == 5_000, "end time \(end) is not a rising edge at 10 ns a cycle")
        let vars = u64(49)
        #expect(vars > 200, "only \(vars) signals in the waveform")
        // 20 images at II 72 are at least 1,440 cycles after reset and the parameter load.
        #expect(end / 10_000 > 1_440)
    }

    @Test("bad input: a fold that does not divide is exit 1 naming the file and key; usage errors are exit 2")
    func errors() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fold = dir.appendingPathComponent("bad.json")
        try Data(#"{"layers": [{"pe": 5, "simd": 12}, {"pe": 2, "simd": 6}]}"#.utf8).write(to: fold)
        let bad = try CLI.run(["infer", Self.images, "--model", Self.model, "--backend", "rtlsim", "--fold", fold.path], environment: Self.env)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains(fold.path) && bad.stderr.contains("layers[0].pe"), "\(bad.stderr)")
        let usage: [[String]] = [
            ["--fold", fold.path],                          // --fold without rtlsim
            ["--backend", "rtlsim", "--trace", "x.vcd"],    // not an .fst
            ["--backend", "loopback", "--trace", "x.fst"],  // --trace without rtlsim
        ]
        for extra in usage {
            let r = try CLI.run(["infer", Self.images, "--model", Self.model] + extra, environment: Self.env)
            #expect(r.status == 2, "\(extra): \(r.stderr)")
        }
    }
}
