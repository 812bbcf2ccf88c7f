/// The RTL library and the Verilator harness of `zynqnet verify`, built into the binary from
/// fpga/rtl and fpga/sim/harness by Plugins/EmbedFiles (at build time; nothing is committed).
public enum EmbeddedRTL {
    /// The RTL library: (file name, text), in name order.
    public static let rtlLibrary: [(String, String)] = EmbeddedFileTable.texts(in: "fpga/rtl")

    /// The Verilator C++ harness of `zynqnet verify`: (file name, text).
    public static let harness: [(String, String)] = EmbeddedFileTable.texts(in: "fpga/sim/harness")
}
