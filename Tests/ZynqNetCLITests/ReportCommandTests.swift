import Foundation
import ZynqNetTestSupport
import Testing

/// `zynqnet codegen` → report.json (estimate), `zynqnet report DIR` (yosys), and
/// `zynqnet report --model` (the trade-off curve), end to end with the real yosys.
@Suite(.serialized) struct ReportCommandTests {
    /// A 16-8-4 model (uint8 input, relu hidden layer, int8 output), written once.
    static let model: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-report-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("m16.npz").path
        let script = """
            import numpy as np, sys
            r = np.random.default_rng(5)
            a = {"format": np.int64(1), "input.shape": np.array([16], dtype=np.int64), "input.signed": np.bool_(False),
                 "input.zero": np.int64(0), "input.scale": np.float32(1 / 255), "input.rounding": np.array("half_even")}
            dims = [16, 8, 4]
            for i in range(2):
                p = f"layer{i}."
                a[p + "kind"] = np.array("dense")
                a[p + "weight"] = r.integers(-128, 128, (dims[i + 1], dims[i])).astype(np.int8)
                a[p + "bias"] = r.integers(-1000, 1000, dims[i + 1]).astype(np.int32)
                a[p + "multiplier"] = r.integers(1 << 29, 1 << 30, dims[i + 1]).astype(np.uint32)
                a[p + "shift"] = np.full(dims[i + 1], 40, dtype=np.uint8)
                a[p + "rounding"] = np.array("half_up")
                a[p + "relu"] = np.bool_(i == 0)
                a[p + "output.zero"] = np.int64(0)
                a[p + "output.signed"] = np.bool_(i == 1)
            np.savez(sys.argv[1], **a)
            """
        _ = try? runProcess("python3", ["-c", script, path])
        return path
    }()

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The estimate and yosys agree within the tolerance docs/performance.md states:
    /// LUT and FF within 15 %, DSP48E1 and BRAM36 exactly.
    func expectWithinTolerance(estimate e: [String: Any], yosys y: [String: Any], _ what: String) {
        for k in ["lut", "ff"] {
            let ev = (e[k] as? Double) ?? 0, yv = (y[k] as? Double) ?? 0
            #expect(yv > 0 && abs(ev - yv) / yv <= 0.15, "\(what): \(k) estimate \(ev), yosys \(yv)")
        }
        #expect((e["dsp"] as? Int) == (y["dsp"] as? Int), "\(what): dsp \(e["dsp"] ?? "-") vs \(y["dsp"] ?? "-")")
        #expect((e["bram36"] as? Double) == (y["bram36"] as? Double), "\(what): bram36")
    }

    @Test(.tags(.yosys)) func codegenWritesTheEstimateAndReportReplacesItWithYosys() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("d").path
        let fold = dir.appendingPathComponent("fold.json").path
        try #"{"layers": [{"pe": 1, "simd": 1}, {"pe": 1, "simd": 1}]}"#.write(toFile: fold, atomically: true, encoding: .utf8)
        let g = try CLI.run(["codegen", Self.model, "--board", "pynq-z2", "--fclk", "125", "--fold", fold, "-o", out, "--json"])
        #expect(g.status == 0, "\(g.stderr)")
        let summary = try object(g.stdout)
        // report.json at once: the estimate, marked as such.
        let est = try object(String(contentsOfFile: out + "/report.json", encoding: .utf8))
        #expect(est["source"] as? String == "estimate")
        let estimate = try #require(summary["estimate"] as? [String: Any])
        for k in ["lut", "ff", "dsp"] { #expect(est[k] as? Int == estimate[k] as? Int, "\(k)") }
        // By hand: PE = SIMD = 1 → II = 16·8 = 128 cycles; 125 MHz / 128 = 976,562.5 images/s;
        // 16 pixels = 2 beats = 16 bytes an image → 15.625 MB/s.
        #expect(est["ii_cycles"] as? Int == 128)
        #expect(est["fclk_mhz"] as? Double == 125)
        #expect(est["images_per_second"] as? Double == 976_562.5)
        #expect(est["input_mb_per_s"] as? Double == 15.625)
        #expect(est["input_record_bytes"] as? Int == 16 && est["output_record_bytes"] as? Int == 16)
        // The latency is the one codegen printed (the Verilator co-simulation of this design
        // measures 221 with its serial argmax: TimingAndCurveTests derives it by hand).
        #expect(est["latency_cycles"] as? Int == 221 && summary["latency_cycles"] as? Int == 221)
        // manifest.json carries II and latency in its performance section.
        let manifest = try object(String(contentsOfFile: out + "/manifest.json", encoding: .utf8))
        let perf = try #require(manifest["performance"] as? [String: Any])
        #expect(perf["ii_cycles"] as? Int == 128 && perf["latency_cycles"] as? Int == 221)

        // report DIR: yosys numbers, same keys, source "yosys", the estimate kept beside them.
        let r = try CLI.run(["report", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rep = try object(r.stdout)
        #expect(rep["source"] as? String == "yosys")
        for k in ["lut", "ff", "dsp", "bram36", "ii_cycles", "latency_cycles", "fclk_mhz", "images_per_second"] {
            #expect(rep[k] != nil && !(rep[k] is NSNull), "\(k) missing")
        }
        #expect(rep["latency_cycles"] as? Int == 221 && rep["ii_cycles"] as? Int == 128)
        let onDisk = try object(String(contentsOfFile: out + "/report.json", encoding: .utf8))
        #expect(onDisk["source"] as? String == "yosys")
        let kept = try #require(rep["estimate"] as? [String: Any])
        #expect(kept["lut"] as? Int == est["lut"] as? Int)
        expectWithinTolerance(estimate: est, yosys: rep, "PE = SIMD = 1")
        // By instance: every instance of the generated top; the shell (design.json's
        // shell_instances) and the datapath add up to the whole design.
        let inst = try #require(rep["instances"] as? [[String: Any]])
        #expect(inst.map { $0["instance"] as? String ?? "" } == ["u_in", "u_join0", "u_join1", "u_mvau0", "u_mvau1", "u_out", "u_regs",
                                                                 "u_requant0", "u_requant1", "u_split0", "u_split1"])
        #expect(inst.filter { $0["part"] as? String == "shell" }.map { $0["instance"] as? String ?? "" } == ["u_join1", "u_out", "u_regs"])
        #expect(inst.first { $0["instance"] as? String == "u_regs" }?["module"] as? String == "zn_axil_regs")
        let lutShell = try #require(rep["lut_shell"] as? Int), lutDatapath = try #require(rep["lut_datapath"] as? Int)
        #expect(lutShell + lutDatapath == rep["lut"] as? Int)
        #expect(inst.reduce(0) { $0 + ($1["lut"] as? Int ?? 0) } <= rep["lut"] as? Int ?? 0)
        let design = try object(String(contentsOfFile: out + "/design.json", encoding: .utf8))
        #expect(design["shell_instances"] as? [String] == ["u_regs", "u_join1", "u_out"])
        let estShell = try #require(design["estimate_shell"] as? [String: Any])
        #expect((estShell["lut"] as? Int ?? 0) < (estimate["lut"] as? Int ?? 0))
        let table = try CLI.run(["report", out])
        #expect(table.stdout.contains("by instance of zynqnet_accel"))
        #expect(table.stdout.contains("u_regs        zn_axil_regs"))
    }

    @Test(.tags(.yosys)) func curveWithSynthesis() throws {
        // --max-dsp 10 keeps the three cheapest designs (the sequential engine, PE = SIMD = 1, one
        // more); --synth 1 synthesizes the last of them.
        let r = try CLI.run(["report", "--model", Self.model, "--max-dsp", "10", "--synth", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("report: synth 1/1"))
        let curve = try object(r.stdout)
        let points = try #require(curve["points"] as? [[String: Any]])
        #expect(points.count == 3)
        let first = try #require(points.first)
        #expect(first["engine"] as? String == "sequential")
        #expect(first["ii_cycles"] as? Int == 1280)
        #expect(first["dsp"] as? Int == 1)
        #expect(first["yosys"] is NSNull)
        #expect((first["lut_shell"] as? Int ?? 0) + (first["lut_datapath"] as? Int ?? 0) == first["lut"] as? Int)
        let second = points[1]
        #expect(second["engine"] as? String == "dataflow")
        let layers = try #require(second["layers"] as? [[String: Any]])
        #expect(layers.allSatisfy { $0["pe"] as? Int == 1 && $0["simd"] as? Int == 1 })
        #expect(second["ii_cycles"] as? Int == 128)
        let last = try #require(points.last)
        #expect((last["ii_cycles"] as? Int ?? 0) < 128)
        #expect((last["dsp"] as? Int ?? 99) <= 10)
        let y = try #require(last["yosys"] as? [String: Any])
        #expect(y["source"] as? String == "yosys")
        expectWithinTolerance(estimate: last, yosys: y, "curve point 2")
        let ys = try #require(y["lut_shell"] as? Int), yd = try #require(y["lut_datapath"] as? Int)
        #expect(ys + yd == y["lut"] as? Int)
    }

    @Test func helpNamesEveryOptionAndTheSplitKeys() throws {
        let r = try CLI.run(["report", "--help"])
        #expect(r.status == 0)
        for option in ["--model", "--board", "--fclk", "--synth", "--max-lut", "--max-dsp", "--mult-bits", "--mul-style", "--json",
                       "--top", "--timeout", "--flatten", "--jobs"] {
            #expect(r.stdout.contains(option), "help lacks \(option)")
        }
        for key in ["instances", "lut_shell", "lut_datapath", "sequential engine"] {
            #expect(r.stdout.contains(key), "help lacks \(key)")
        }
    }

    @Test func curveTableAndErrors() throws {
        let t = try CLI.run(["report", "--model", Self.model])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("Pareto-optimal designs"))
        #expect(t.stdout.contains("LUTs (log)"))
        // The first row is the sequential engine: II 1,280, 78,125 images/s at 100 MHz; the second
        // the PE = SIMD = 1 design: II 128, 781,250 images/s.
        #expect(t.stdout.contains("  1    1,280       78,125"), "\(t.stdout)")
        #expect(t.stdout.contains("sequential (one MAC for all layers)"))
        #expect(t.stdout.contains("  2      128      781,250"))
        // Usage errors: exit 2.
        for args in [["report"], ["report", "/tmp", "--model", Self.model], ["report", "/tmp", "--synth", "2"],
                     ["report", "--model", Self.model, "--synth", "-1"], ["report", "--model", Self.model, "--mul-style", "x"]] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        }
        // Bad data: exit 1 and one line naming the model and what is wrong.
        let r = try CLI.run(["report", "--model", Self.model, "--max-lut", "500"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(Self.model) && r.stderr.contains("budget") && r.stderr.contains("LUT"), "\(r.stderr)")
        let missing = try CLI.run(["report", "--model", "/nonexistent/m.npz"])
        #expect(missing.status == 1)
    }

    /// The Fashion CNN's curve starts at the smallest dataflow design: serial requantizers in both
    /// conv layers (marked `s`), II 5,408 · 101 = 546,208 cycles (183 images/s); then layer 2's
    /// alone (II 1,936 · 101 = 195,536); `--json` gives each layer's requantizer (none for a pool).
    @Test func cnnCurveTradesIIForSerialRequantizers() throws {
        let cnn = fixturePath("golden/cnn_fmnist.model.npz")
        let t = try CLI.run(["report", "--model", cnn])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("  1  546,208          183"), "\(t.stdout)")
        #expect(t.stdout.contains("1x1s 1x1 1x1s 1x1 1x1"))
        #expect(t.stdout.contains("  2  195,536          511"))
        #expect(t.stdout.contains("1x1 1x1 1x1s 1x1 1x1"))
        let j = try CLI.run(["report", "--model", cnn, "--json"])
        #expect(j.status == 0, "\(j.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let first = try #require((obj["points"] as? [[String: Any]])?.first)
        let layers = try #require(first["layers"] as? [[String: Any]])
        #expect(layers.map { $0["requant"] as? String } == ["serial", nil, "serial", nil, "serial"])
        #expect(layers.map { $0["cycles"] as? Int } == [546_208, 5_408, 195_536, 1_936, 4_000])
    }
}
