import Testing
import ZynqNetTestSupport
import ZynqNetCodegen
import ZynqNetHW

/// The generated top's netlist: width-checked stream connections, shell membership by role.
@Suite struct NetlistTests {
    /// A stream whose width differs from the port's is refused, naming both ends and both widths;
    /// a matching one prints its three wires.
    @Test func widthMismatchNamesBothEnds() throws {
        var u = Netlist.Instance("zn_resize", "u_split0", role: .datapath, params: [[("LANE_W", "18"), ("IN_LANES", "4")]],
                                 streams: ["in": 72, "out": 18])
        let wrong = Netlist.Stream("l0_acc", width: 64)
        #expect(throws: NetlistError.widthMismatch(stream: "l0_acc_data", streamBits: 64, port: "u_split0.in_data", portBits: 72)) {
            try u.connect("in", to: wrong)
        }
        #expect("\(NetlistError.widthMismatch(stream: "l0_acc_data", streamBits: 64, port: "u_split0.in_data", portBits: 72))"
                == "width mismatch: l0_acc_data is 64 bits, u_split0.in_data is 72 bits")
        #expect(throws: NetlistError.noSuchPort(instance: "u_split0", port: "cfg")) {
            try u.connect("cfg", to: Netlist.Stream("p", width: 32))
        }
        try u.connect("in", to: Netlist.Stream("l0_acc", width: 72))
        try u.connect("out", to: Netlist.Stream("l0_sum", width: 18))
        var n = Netlist()
        n.add(u)
        #expect(n.verilog == """
              zn_resize #(.LANE_W(18), .IN_LANES(4)) u_split0 (
                .in_data(l0_acc_data), .in_valid(l0_acc_valid), .in_ready(l0_acc_ready),
                .out_data(l0_sum_data), .out_valid(l0_sum_valid), .out_ready(l0_sum_ready));

            """)
    }

    /// The shell is the instances whose role is `.shell`, in printed order, whatever their names.
    @Test func shellComesFromRoles() {
        var n = Netlist()
        n.add(Netlist.Instance("zn_axil_regs", "regs_a", role: .shell, params: [[("AW", "12")]]))
        n.add(Netlist.Instance("zn_mvau", "mac", role: .datapath, params: [[("IN", "4")]]))
        n.add(Netlist.Instance("zn_axis_out", "out_b", role: .shell, params: [[("C", "3")]]))
        #expect(n.shellInstances == ["regs_a", "out_b"])
        #expect(n.instances.map(\.name) == ["regs_a", "mac", "out_b"])
    }

    /// Generated designs: the dataflow shell is the register file, the last layer's join and the
    /// output stream; the sequential one has no join; design.json lists the same names.
    @Test func generatedShellInstances() throws {
        let m = uniformModel([12, 6, 4])
        let d = try generateDesign(model: m, options: CodegenOptions())
        #expect(d.shellInstances == ["u_regs", "u_join1", "u_out"])
        #expect(d.files["design.json"]!.contains("\"shell_instances\": [\"u_regs\", \"u_join1\", \"u_out\"],\n"))
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "seq.json")
        let s = try generateDesign(model: m, options: o)
        #expect(s.shellInstances == ["u_regs", "u_out"])
        #expect(s.files["design.json"]!.contains("\"shell_instances\": [\"u_regs\", \"u_out\"],\n"))
    }
}

/// Each timed instance carries the timing model's latency as its LATENCY parameter.
@Suite struct NetlistLatencyTests {
    /// The values LintTests elaborates (and refuses ±1 of) are the timing model's.
    @Test func latencyMatchesTimingModel() {
        #expect(PipelineTiming.mvauLatency(simd: 1, regEvery: 2) == 7)
        #expect(PipelineTiming.mvauLatency(simd: 14, regEvery: 2) == 8)
        let t = LayerTopology(inCount: 4, outCount: 10, inSigned: false, outSigned: false, biasBits: 32, multBits: 32, roundings: 3)
        #expect(PipelineTiming.pipelinedRequantLatency(t) == 10)
        var f = t
        f.roundings = 19
        #expect(PipelineTiming.pipelinedRequantLatency(f) == 16)
        #expect(PipelineTiming.serialRequantBits(biasBits: 32, sumBits: 20, multBits: 32) == 96)
        #expect(PipelineTiming.serialRequantBits(biasBits: 33, sumBits: 26, multBits: 32) == 96)
        #expect(1 * (96 + 3) + 1 == 100 && 2 * (96 + 3) + 1 == 199)
    }

    /// The generated top passes each zn_mvau and requantizer the timing model's latency.
    @Test func generatedTopCarriesLatencies() throws {
        var o = CodegenOptions()
        o.fold = .file(FoldFile(layers: [.init(pe: 3, simd: 12, mul_style: .dsp, requant: .pipelined), .init(pe: 1, simd: 1, requant: .serial)]), name: "f.json")
        let d = try generateDesign(model: uniformModel([12, 240, 4]), options: o)
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.contains("            .MUL_STYLE(0), .REG_EVERY(2), .SUM_W(20), .LATENCY(8)) u_mvau0 (\n"))
        #expect(top.contains("    .ROUNDINGS(3), .LATENCY(10)) u_requant0 (\n"))
        #expect(top.contains("            .MUL_STYLE(2), .REG_EVERY(2), .SUM_W(24), .LATENCY(7)) u_mvau1 (\n"))
        #expect(top.contains("  zn_requant_serial #(.LANES(1), .OUT(4), .SUM_W(24), .BIAS_W(33), .MULT_W(32),\n    .ROUNDINGS(3), .LATENCY(100)) u_requant1 (\n"))
        #expect(PipelineTiming.serialRequantAcceptDelay(d.layout.topology.layers[1], lanes: 1) == 100)
    }
}
