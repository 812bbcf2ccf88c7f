import Foundation
import ZynqNetTestSupport
import Testing

/// `zynqnet codegen` and `zynqnet verify` end to end (the built executable).
@Suite(.serialized) struct CodegenVerifyCommandTests {
    let model = CLI.fixture("golden/signs_usu.model.npz")

    @Test func codegenWritesRTLParametersAndVivadoFiles() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("design").path
        let r = try CLI.run(["codegen", model, "--board", "zybo-z7-20", "--fclk", "125", "-o", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["rtl/zynqnet_accel.v", "rtl/zn_mvau.v", "rtl/zn_regmap.vh", "parameters.hex", "design.json",
                  "package_ip.tcl", "build.tcl", "manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f) missing")
        }
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((json?["ii_cycles"] as? Int).map { $0 >= 1 } == true)
        // Honest about what checked the scripts, and which board facts are beliefs.
        #expect(json?["vivado_run"] as? Bool == false && json?["scripts_checked_by"] as? String == "tcl-standin")
        #expect((json?["unconfirmed_board_facts"] as? [String])?.contains("dma.base") == true)
        let text = try CLI.run(["codegen", model, "--board", "pynq-z2", "-o", out + "-text"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("note: build.tcl and package_ip.tcl were checked by zynqnet's Tcl stand-in for Vivado (fpga/tcl/vivado_standin.tcl under tclsh, in zynqnet's tests), not by Vivado: no Vivado has run them"))
        #expect(text.stdout.contains("note: board facts for pynq-z2 still marked unconfirmed: ps7_fallback_config.PCW_UIPARAM_DDR_PARTNO;"))
        let top = try String(contentsOfFile: out + "/rtl/zynqnet_accel.v", encoding: .utf8)
        // No FREQ_HZ in the interface attributes: Vivado resolves it from FCLK0 (issue 16).
        #expect(!top.contains("FREQ_HZ"))
        let manifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("zybo-z7-20"))
        let m = try JSONSerialization.jsonObject(with: Data(manifest.utf8)) as? [String: Any]
        #expect(m?["engine"] as? String == "dataflow")
        #expect(!top.contains(".SEQUENTIAL("))
    }

    @Test func codegenBadInputs() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("design").path
        // Usage errors: exit 2.
        var r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--fold", "x.json", "--target-fps", "5", "-o", out])
        #expect(r.status == 2)
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--mult-bits", "40", "-o", out])
        #expect(r.status == 2)
        // Bad data: exit 1, one line naming the file and key, nothing written.
        let fold = dir.appendingPathComponent("fold.json").path
        try #"{"layers": [{"pe": 7, "simd": 1}, {"pe": 1, "simd": 1}]}"#.write(toFile: fold, atomically: true, encoding: .utf8)
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--fold", fold, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains(fold) && r.stderr.contains("layers[0].pe"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        r = try CLI.run(["codegen", dir.appendingPathComponent("missing.npz").path, "--board", "pynq-z2", "-o", out])
        #expect(r.status == 1)
        r = try CLI.run(["codegen", model, "--board", "no-such-board", "-o", out])
        #expect(r.status != 0)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func codegenSequentialEngine() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("seq").path
        var r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--engine", "sequential", "-o", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(json?["engine"] as? String == "sequential")
        let top = try String(contentsOfFile: out + "/rtl/zynqnet_accel.v", encoding: .utf8)
        #expect(top.contains("zn_seq #(") && !top.contains("zn_mvau #("))
        let design = try String(contentsOfFile: out + "/design.json", encoding: .utf8)
        #expect(design.contains("\"engine\": \"sequential\""))
        // FLAGS.SEQUENTIAL in the register file, and the engine in manifest.json for the runtime.
        #expect(top.contains(".SEQUENTIAL(1)"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
        #expect(manifest?["engine"] as? String == "sequential")
        // The same through a fold file; the text summary names the engine.
        let fold = dir.appendingPathComponent("seq.json").path
        try #"{"engine": "sequential"}"#.write(toFile: fold, atomically: true, encoding: .utf8)
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--fold", fold, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sequential engine: one MAC and one serial requantizer"), "\(r.stdout)")
        #expect(try String(contentsOfFile: out + "/rtl/zynqnet_accel.v", encoding: .utf8) == top)
        // Usage errors: exit 2, naming the option; nothing written.
        let bad = dir.appendingPathComponent("bad").path
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--engine", "systolic", "-o", bad])
        #expect(r.status == 2 && r.stderr.contains("--engine"), "\(r.stderr)")
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--engine", "sequential", "--target-fps", "100", "-o", bad])
        #expect(r.status == 2 && r.stderr.contains("--engine sequential excludes"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bad))
    }

    @Test(.tags(.verilator)) func verifyJSON() throws {
        let cache = CLI.packageRoot + "/.build/zynqnet-test/cli-verilator"
        let r = try CLI.run(["verify", model, CLI.fixture("golden/signs_usu.images.npz"), "--images", "5", "--seed", "3",
                             "--build-dir", cache, "--quick-build", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(json?["images"] as? Int == 5 + 5)
        #expect(json?["mismatches"] as? Int == 0)
        for k in ["ii_cycles", "latency_cycles", "rtl_cycles_per_second"] { #expect(json?[k] != nil, "\(k)") }
    }
}
