import ZynqNetHW

/// The Tcl templates and board files (fpga/tcl, fpga/boards), built into the binary by
/// Plugins/EmbedFiles, without the file's final line break.
enum EmbeddedFiles {
    static let packageIPTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/package_ip.tcl"))
    static let buildTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/build.tcl"))
    /// The built-in boards by name (fpga/boards/<name>.json).
    static let boards: [String: String] = Dictionary(uniqueKeysWithValues: Board.builtInNames.map {
        ($0, withoutFinalNewline(EmbeddedFileTable.text("fpga/boards/\($0).json")))
    })

    static func withoutFinalNewline(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
}
