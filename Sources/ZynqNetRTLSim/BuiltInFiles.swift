/// The C++ sources rtlsim and verify compile with the Verilated design (fpga/sim/rtlsim,
/// fpga/sim/harness and the C ABI header Sources/CZynqNetRTLSim/include/zn_rtlsim.h), built into
/// the binary by Plugins/EmbedFiles.
public enum EmbeddedRTLSim {
    /// The rtlsim shared library: (file name, text), the C++ sources in name order, then zn_rtlsim.h.
    public static let sources: [(String, String)] =
        EmbeddedFileTable.texts(in: "fpga/sim/rtlsim") + [("zn_rtlsim.h", EmbeddedFileTable.text("Sources/CZynqNetRTLSim/include/zn_rtlsim.h"))]

    /// The Verilator C++ harness of `zynqnet verify`: (file name, text).
    public static let harness: [(String, String)] = EmbeddedFileTable.texts(in: "fpga/sim/harness")
}
