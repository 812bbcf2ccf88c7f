import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetVivado

@Suite struct ReportTests {
    /// Real yosys on fixtures whose mapping is known by hand (see the comments in
    /// Fixtures/resources.v and resources2.v): the parser must find exactly these counts.
    @Test(.tags(.yosys)) func realYosysOnHandCountedFixtures() throws {
        let dir = try makeTemporaryDirectory("report").path
        try FileManager.default.createDirectory(atPath: dir + "/rtl", withIntermediateDirectories: true)
        for f in ["resources.v", "resources2.v", "resources_top.v"] {
            try FileManager.default.copyItem(atPath: fixturesDir + "/" + f, toPath: dir + "/rtl/" + f)
        }
        try writeText("""
            {"top": "resources_top", "rtl_files": ["rtl/resources.v", "rtl/resources2.v", "rtl/resources_top.v"],
             "ii_cycles": 98, "latency_cycles": 420, "fclk_mhz": 100, "input_record_bytes": 784, "output_record_bytes": 24,
             "shell_instances": ["r2"]}
            """, dir + "/design.json")
        let rep = try SynthesisReport.run(dir: dir, options: .init())
        let r = rep.resources
        #expect(r.ff == 20 + 4 + 5 + 3 + 16)      // FDRE 20+16, FDSE 4, FDCE 5, FDPE 3
        #expect(r.dsp == 1)
        #expect(r.ramb36 == 1 && r.ramb18 == 1 && r.bram36 == 1.5)
        #expect(r.carry4 == 4)                    // 16-bit adder: 4 x 4 bits
        #expect(r.lutLogic == 1 + 16)             // the 6-input AND + 16 adder half-sums
        #expect(r.lutram == 4)                    // one RAM32M = 4 LUTs
        #expect(r.srl == 1)                       // 32-deep shift register
        #expect(r.lut == 17 + 4 + 1)
        #expect(rep.cells["FDRE"] == 36 && rep.cells["RAM32M"] == 1 && rep.cells["SRLC32E"] == 1)
        // Throughput by hand: 100 MHz / 98 cycles; 784 bytes and 24 bytes per image.
        let ips = try #require(rep.imagesPerSecond)
        #expect(abs(ips - 1_020_408.163265) < 1e-3)
        #expect(abs(try #require(rep.inputMBPerSecond) - 800.0) < 1e-9)
        #expect(abs(try #require(rep.outputMBPerSecond) - 24.489795918) < 1e-6)
        // The JSON keys the CLI promises.
        let obj = try #require(try JSONSerialization.jsonObject(with: rep.json()) as? [String: Any])
        #expect(obj["lut"] as? Int == 22)
        #expect(obj["ff"] as? Int == 48)
        #expect(obj["dsp"] as? Int == 1)
        #expect(obj["bram36"] as? Double == 1.5)
        #expect(obj["ii_cycles"] as? Int == 98)
        #expect(obj["latency_cycles"] as? Int == 420)
        #expect(obj["fclk_mhz"] as? Double == 100)
        #expect(abs((obj["images_per_second"] as? Double ?? 0) - 1_020_408.163265) < 1e-3)
        let table = rep.table()
        #expect(table.contains("LUT                 22    53,200     0.0%"))
        #expect(table.contains("images/s    1,020,408"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.yosys"))
        // By instance (the same hand counts, split by module): r1 = resources, r2 = resources2
        // (the shell here, by design.json's shell_instances); the top has no cells of its own.
        #expect(rep.instances.map(\.instance) == ["r1", "r2"])
        #expect(rep.instances.map(\.module) == ["resources", "resources2"])
        #expect(rep.instances.map(\.shell) == [false, true])
        let r1 = rep.instances[0].resources, r2 = rep.instances[1].resources
        #expect(r1.lut == 1 && r1.ff == 32 && r1.dsp == 1 && r1.bram36 == 1 && r1.carry4 == 0)
        #expect(r2.lut == 21 && r2.lutram == 4 && r2.srl == 1 && r2.ff == 16 && r2.dsp == 0 && r2.bram36 == 0.5 && r2.carry4 == 4)
        #expect(rep.topCells.isEmpty)
        let split = try #require(rep.split)
        #expect(split.shell == r2 && split.datapath == r1)
        #expect(obj["lut_shell"] as? Int == 21 && obj["lut_datapath"] as? Int == 1)
        let shellObj = try #require(obj["shell"] as? [String: Any])
        #expect(shellObj["ff"] as? Int == 16 && shellObj["bram36"] as? Double == 0.5)
        let inst = try #require(obj["instances"] as? [[String: Any]])
        #expect(inst.count == 2 && inst[0]["instance"] as? String == "r1" && inst[0]["part"] as? String == "datapath"
                && inst[0]["lut"] as? Int == 1 && inst[1]["module"] as? String == "resources2" && inst[1]["part"] as? String == "shell")
        #expect(table.contains("r1            resources                  1      32    1     1.0  datapath"))
        #expect(table.contains("shell                                   21      16    0     0.5"))
        // Flattened: no hierarchy, no split.
        var flat = SynthesisReport.Options()
        flat.flatten = true
        let f = try SynthesisReport.run(dir: dir, options: flat)
        #expect(f.instances.isEmpty && f.split == nil)
        // A shell instance the top does not have is an error naming design.json and the key.
        try writeText("""
            {"top": "resources_top", "rtl_files": ["rtl/resources.v", "rtl/resources2.v", "rtl/resources_top.v"],
             "shell_instances": ["r3"]}
            """, dir + "/design.json")
        #expect {
            try SynthesisReport.run(dir: dir, options: .init())
        } throws: { e in
            "\(e)".contains("design.json") && "\(e)".contains("shell_instances") && "\(e)".contains("'r3'")
        }
    }

    /// The shell/datapath sums: shell_instances' cells on one side; every other instance and the
    /// top's own glue on the other; nothing without shell_instances.
    @Test func splitPutsTheTopGlueWithTheDatapath() throws {
        var rep = ResourceReport(top: "t", rtlFiles: [], cells: [:], resources: Resources(cells: [:]), yosysSeconds: 0)
        rep.instances = [
            InstanceUse(instance: "u_regs", module: "zn_axil_regs", cells: ["LUT6": 10, "FDRE": 7], shell: true),
            InstanceUse(instance: "u_seq", module: "zn_seq", cells: ["LUT2": 5, "RAMB18E1": 3, "DSP48E1": 1], shell: false),
            InstanceUse(instance: "u_out", module: "zn_axis_out8", cells: ["RAM32M": 2, "FDRE": 1], shell: true),
        ]
        rep.topCells = ["LUT4": 4]
        #expect(rep.split == nil)
        rep.shellInstances = ["u_regs", "u_out"]
        let split = try #require(rep.split)
        #expect(split.shell.lut == 18 && split.shell.ff == 8 && split.shell.dsp == 0 && split.shell.bram36 == 0)
        #expect(split.datapath.lut == 9 && split.datapath.ff == 0 && split.datapath.dsp == 1 && split.datapath.bram36 == 1.5)
        #expect(rep.table().contains("(top glue)    t                          4       0    0     0.0  datapath"))
    }

    /// A codegen output directory: manifest.json gives the RTL, top, fclk, II and record sizes.
    @Test(.tags(.yosys)) func reportOnAGeneratedDirectoryUsesTheManifest() throws {
        let dir = try generateProject(board: "pynq-z2", fclk: 125)
        let rep = try SynthesisReport.run(dir: dir, options: .init())
        #expect(rep.top == "zynqnet_accel")
        #expect(rep.rtlFiles == ["rtl/zynqnet_accel.v"])
        #expect(rep.fclkMHz == 125 && rep.iiCycles == 98 && rep.latencyCycles == 420)
        #expect(abs(try #require(rep.imagesPerSecond) - 125e6 / 98) < 1e-6)
        #expect(rep.resources.lut > 0 && rep.resources.ff > 0)
    }

    @Test func parserHandlesBothStatLayoutsAndRejectsGarbage() throws {
        let old = """
            === top ===

               Number of wires:                 18
               Number of cells:                 35
                 DSP48E1                         1
                 FDRE                           20

            """
        #expect(try YosysStat.parseCells(old) == ["DSP48E1": 1, "FDRE": 20])
        let newer = """
            === top ===

                   35 cells
                    1   DSP48E1
                   20   FDRE

            """
        #expect(try YosysStat.parseCells(newer) == ["DSP48E1": 1, "FDRE": 20])
        #expect(throws: ZynqError.self) { try YosysStat.parseCells("") }
        #expect(throws: ZynqError.self) { try YosysStat.parseCells("ERROR: syntax error\n") }
        #expect(throws: ZynqError.self) {
            try YosysStat.parseCells("=== t ===\n   Number of cells: 1\n     FDRE 99999999999999999999999\n")
        }
    }

    @Test func missingInputsAreClearErrors() throws {
        let empty = try makeTemporaryDirectory("empty").path
        #expect(throws: ZynqError.self) { try SynthesisReport.run(dir: empty, options: .init()) }
        #expect(throws: ZynqError.self) { try SynthesisReport.run(dir: empty + "/nope", options: .init()) }
        try writeText("{\"ii_cycles\": \"many\"}", empty + "/design.json")
        do {
            _ = try SynthesisReport.run(dir: empty, options: .init())
            Issue.record("accepted a bad design.json")
        } catch let e as ZynqError {
            #expect(e.file == empty + "/design.json" && e.key == "ii_cycles")
        }
    }

    @Test(.tags(.yosys)) func yosysErrorsAreReported() throws {
        let dir = try makeTemporaryDirectory("broken").path
        try writeText("module zynqnet_accel(input wire a; endmodule\n", dir + "/broken.v")
        do {
            _ = try SynthesisReport.run(dir: dir, options: .init())
            Issue.record("accepted broken Verilog")
        } catch let e as ZynqError {
            #expect(e.key == "yosys")
            #expect(e.message.hasPrefix("synthesis failed"))
        }
    }
}

/// The RTL library (fpga/rtl, from branch `rtl`): the text parser must agree with yosys's own
/// JSON statistics of the same run, on real library RTL.
@Suite struct ReportOnRTLLibraryTests {
    @Test(.tags(.yosys)) func textParserAgreesWithYosysJSONOnTheMVAU() throws {
        let rtl = repoPath("fpga/rtl")
        let files = try FileManager.default.contentsOfDirectory(atPath: rtl).filter { $0.hasSuffix(".v") }.sorted()
        try #require(files.contains("zn_mvau.v"), "RTL library not merged")
        let dir = try makeTemporaryDirectory("mvau").path
        let script = files.map { "read_verilog -I\(rtl) \(rtl)/\($0)" }.joined(separator: "\n")
            + "\nsynth_xilinx -family xc7 -top zn_mvau -flatten -noiopad -noclkbuf\n"
            + "tee -q -o \(dir)/stat.txt stat\ntee -q -o \(dir)/stat.json stat -json\n"
        try writeText(script, dir + "/s.ys")
        let r = try runProcess("yosys", ["-q", "-s", dir + "/s.ys"], cwd: URL(fileURLWithPath: dir))
        #expect(r.status == 0, "\(r.stderr)")
        let cells = try YosysStat.parseCells(try readText(dir + "/stat.txt"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/stat.json"))) as? [String: Any])
        let modules = try #require(json["modules"] as? [String: Any])
        let mvau = try #require(modules["\\zn_mvau"] as? [String: Any])
        let byType = try #require(mvau["num_cells_by_type"] as? [String: Int])
        #expect(cells == byType.mapValues { UInt64($0) })
        // The resource sums from the JSON counts, by the documented rules.
        let res = Resources(cells: cells)
        let luts = ["LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV"].reduce(0) { $0 + (byType[$1] ?? 0) }
        let ffs = ["FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE"].reduce(0) { $0 + (byType[$1] ?? 0) }
        #expect(res.lutLogic == UInt64(luts))
        #expect(res.ff == UInt64(ffs))
        #expect(res.dsp == UInt64(byType["DSP48E1"] ?? 0))
        #expect(res.carry4 == UInt64(byType["CARRY4"] ?? 0))
        #expect(res.lutram == UInt64(4 * (byType["RAM32M"] ?? 0) + 2 * (byType["RAM64X1D"] ?? 0) + 2 * (byType["RAM32X1D"] ?? 0)
                                       + 4 * (byType["RAM64M"] ?? 0) + (byType["RAM64X1S"] ?? 0) + (byType["RAM32X1S"] ?? 0)
                                       + 2 * (byType["RAM128X1S"] ?? 0) + 4 * (byType["RAM128X1D"] ?? 0) + 4 * (byType["RAM256X1S"] ?? 0)))
        #expect(res.lut > 0 && res.ff > 0)
    }
}

/// Hierarchical `stat` printouts captured from real yosys runs (zn_dot PE 5, SIMD 3, packed: two
/// zn_dot_pair and one zn_dot_row instances, adder-tree lanes inside): yosys 0.23 (name first) and
/// yosys 0.70 (count first, "N submodules"). The totals must be the printed "design hierarchy"
/// counts, and summing the module sections over the instance tree must give the same.
@Suite struct HierarchicalStatTests {
    @Test(arguments: ["yosys-0.23-stat-hier.txt", "yosys-0.70-stat-hier.txt"])
    func designHierarchyTotalsAndInstanceSumsAgree(_ file: String) throws {
        let text = try readText(fixturesDir + "/" + file)
        let cells = try YosysStat.parseCells(text)
        // The printed "design hierarchy" lists (read by hand from the fixtures).
        if file.contains("0.23") {
            #expect(cells == ["CARRY4": 82, "DSP48E1": 9, "FDRE": 198, "INV": 42, "LUT2": 199, "SRL16E": 1])
        } else {
            #expect(cells == ["CARRY4": 55, "DSP48E1": 9, "FDRE": 198, "INV": 42, "LUT2": 20, "LUT3": 96, "LUT4": 55,
                              "LUT6": 27, "SRL16E": 1])
        }
        let sections = try YosysStat.parseSections(text)
        let modules = Dictionary(uniqueKeysWithValues: sections.filter { $0.name != "design hierarchy" }.map { ($0.name, $0.cells) })
        #expect(modules.count == 5)
        #expect(try YosysStat.totals(top: "zn_dot", modules: modules) == cells)
        // A module section alone: its own cells and its instances.
        #expect(modules["zn_dot"]?["SRL16E"] == 1)
        #expect(modules["zn_dot"]?.count == 3)
    }

    @Test func totalsRejectCyclesAndMissingTops() throws {
        #expect(throws: ZynqError.self) { try YosysStat.totals(top: "a", modules: ["a": ["b": 1], "b": ["a": 2]]) }
        #expect(throws: ZynqError.self) { try YosysStat.totals(top: "x", modules: ["a": ["FDRE": 1]]) }
        #expect(throws: ZynqError.self) {
            try YosysStat.totals(top: "a", modules: ["a": ["b": UInt64.max], "b": ["FDRE": 2]])
        }
        #expect(try YosysStat.totals(top: "a", modules: ["a": ["b": 3, "LUT2": 1], "b": ["FDRE": 2, "c": 2], "c": ["LUT2": 5]])
                == ["LUT2": 31, "FDRE": 6])
    }

    /// Groups balance the square roots of the weights (yosys's time grows far more slowly than
    /// the width-weighted cell count): one module of weight 10,000 (cost 1,601) and four of 2,500
    /// (801 each) make {big, one small} and {three small}, where the weights themselves would
    /// leave the big one alone against all four small ones.
    @Test func groupsBalanceSquareRootsOfTheWeights() {
        let w: [String: UInt64] = ["big": 10_000, "s1": 2_500, "s2": 2_500, "s3": 2_500, "s4": 2_500]
        #expect(RTLILWeights.cost(10_000) == 1_601 && RTLILWeights.cost(2_500) == 801 && RTLILWeights.cost(0) == 1)
        #expect(RTLILWeights.groups(["s1", "s2", "big", "s3", "s4"], weights: w, count: 2) == [["s1", "s2", "s4"], ["big", "s3"]])
        #expect(RTLILWeights.groups(["a", "b"], weights: ["a": 4, "b": 9], count: 3) == [["b"], ["a"]])
        #expect(RTLILWeights.groups(["a"], weights: ["a": 4], count: 0) == [["a"]])
    }

    /// A group runs synth_xilinx from `prepare`, after its `begin` step by hand with the cell
    /// library from the RTLIL the elaboration's second process wrote (parallelFlowEqualsOneHierarchicalRun
    /// checks the counts equal synth_xilinx's own `begin`).
    @Test func groupsReadTheCellLibraryAsRTLIL() {
        #expect(SynthesisReport.xilinxLibraryScript(".w")
                == "read_verilog -lib -specify +/xilinx/cells_sim.v\nread_verilog -lib +/xilinx/cells_xtra.v\nwrite_rtlil .w/xlib.il\n")
        #expect(SynthesisReport.groupSynth("synth_xilinx -family xc7 -top %TOP% -noiopad -noclkbuf\n", w: ".w", top: "g")
                == "read_rtlil .w/xlib.il\nhierarchy -check -top g\nsynth_xilinx -family xc7 -top g -noiopad -noclkbuf -run prepare:\n")
    }

    /// The parallel flow (modules split over yosys processes, blackboxes elsewhere) gives exactly
    /// the counts of one hierarchical run, on a design with repeated instances.
    @Test(.tags(.yosys)) func parallelFlowEqualsOneHierarchicalRun() throws {
        let dir = try makeTemporaryDirectory("par").path
        try FileManager.default.createDirectory(atPath: dir + "/rtl", withIntermediateDirectories: true)
        let rtl = repoPath("fpga/rtl")
        let files = ["zn_func.vh", "zn_addtree_lane.v", "zn_dot.v", "zn_dot_pair.v", "zn_dot_row.v", "zn_skid.v"]
        for f in files { try FileManager.default.copyItem(atPath: rtl + "/" + f, toPath: dir + "/rtl/" + f) }
        try writeText("""
            module par_top (input wire clk, input wire ce, input wire [23:0] x, input wire [119:0] w,
                            input wire [2:0] t, output wire [94:0] s, output wire [2:0] tq, output wire [7:0] k,
                            output wire [3:0] k4);
              zn_dot #(.PE(5), .SIMD(3), .MUL_STYLE(2), .TAG_W(3)) u_dot (.clk(clk), .ce(ce), .x(x), .w(w), .in_tag(t),
                .out_sum(s), .out_tag(tq));
              wire unused_ready;
              zn_skid #(.W(8)) u_skid (.clk(clk), .rst(1'b0), .in_data(x[7:0]), .in_valid(ce), .in_ready(unused_ready),
                .out_data(k), .out_valid(), .out_ready(1'b1));
              wire unused_ready4;
              zn_skid #(.W(4)) u_skid4 (.clk(clk), .rst(1'b0), .in_data(x[11:8]), .in_valid(ce), .in_ready(unused_ready4),
                .out_data(k4), .out_valid(), .out_ready(1'b1));
            endmodule
            """, dir + "/rtl/par_top.v")
        let v = files.filter { $0.hasSuffix(".v") }.map { "\"rtl/\($0)\"" } + ["\"rtl/par_top.v\""]
        try writeText("{\"top\": \"par_top\", \"rtl_files\": [\(v.joined(separator: ", "))]}", dir + "/design.json")
        var one = SynthesisReport.Options()
        one.jobs = 1
        let single = try SynthesisReport.run(dir: dir, options: one)
        // 8 unique modules: one group a process.
        for jobs in [2, 3] {
            var opts = SynthesisReport.Options()
            opts.jobs = jobs
            let parallel = try SynthesisReport.run(dir: dir, options: opts)
            #expect(single.synthFlow == "hierarchical" && parallel.synthFlow == "hierarchical-parallel" && parallel.yosysJobs == jobs)
            #expect(parallel.yosysCPUSeconds.count == 1 + jobs)
            #expect(parallel.cells == single.cells)
            #expect(parallel.instances == single.instances && parallel.topCells == single.topCells)
        }
        #expect(single.resources.dsp == 9)   // 2 pairs x 3 lanes + 1 plain row x 3 lanes
        // By instance: the three instances' cells and the top's own add up to the totals.
        #expect(single.instances.map(\.instance) == ["u_dot", "u_skid", "u_skid4"])
        #expect(single.instances.map(\.module) == ["zn_dot", "zn_skid", "zn_skid"])
        #expect(single.instances[0].resources.dsp == 9 && single.instances.allSatisfy { $0.shell == nil } && single.split == nil)
        var sum = single.topCells
        for i in single.instances { sum.merge(i.cells, uniquingKeysWith: &+) }
        #expect(sum == single.cells)
    }
}
