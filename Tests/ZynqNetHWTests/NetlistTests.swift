import Testing
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
