/// The RTL library, built into the binary from fpga/rtl by Plugins/EmbedFiles (at build time;
/// nothing is committed).
public enum EmbeddedRTL {
    /// The RTL library: (file name, text), in name order.
    public static let rtlLibrary: [(String, String)] = EmbeddedFileTable.texts(in: "fpga/rtl")
}
