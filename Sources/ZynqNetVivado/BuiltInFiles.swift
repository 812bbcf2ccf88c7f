/// The Tcl templates (fpga/tcl), built into the binary by
/// Plugins/EmbedFiles, without the file's final line break.
enum EmbeddedFiles {
    static let packageIPTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/package_ip.tcl"))
    static let buildTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/build.tcl"))

    static func withoutFinalNewline(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
}
