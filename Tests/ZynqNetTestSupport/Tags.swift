import Testing

/// The outside tools a test runs. A test (or suite) that needs one carries its tag, so a fast run
/// can leave them out: `scripts/test.sh --fast` (= `swift test --skip tag:verilator --skip tag:iverilog
/// --skip tag:yosys --skip tag:tclsh --skip tag:qemu`). CI runs everything.
extension Tag {
    /// Verilator: lint, Verilated testbenches, rtlsim and verify.
    @Tag public static var verilator: Self
    /// Icarus Verilog (iverilog + vvp) testbenches and elaboration.
    @Tag public static var iverilog: Self
    /// yosys: elaboration, synth_xilinx, resource reports.
    @Tag public static var yosys: Self
    /// tclsh running the Vivado scripts under the stand-in.
    @Tag public static var tclsh: Self
    /// qemu-user running cross-compiled kernels.
    @Tag public static var qemu: Self
}
