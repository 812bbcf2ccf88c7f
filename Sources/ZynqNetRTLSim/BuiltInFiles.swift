/// The sources of the rtlsim shared library (fpga/sim/rtlsim and the C ABI header
/// Sources/CZynqNetRTLSim/include/zn_rtlsim.h), built into the binary by Plugins/EmbedFiles.
public enum EmbeddedRTLSim {
    /// (file name, text): the C++ sources in name order, then zn_rtlsim.h.
    public static let sources: [(String, String)] =
        EmbeddedFileTable.texts(in: "fpga/sim/rtlsim") + [("zn_rtlsim.h", EmbeddedFileTable.text("Sources/CZynqNetRTLSim/include/zn_rtlsim.h"))]
}
