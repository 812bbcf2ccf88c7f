import ZynqNetHW

/// The Tcl templates and board files (fpga/tcl, fpga/boards), built into the binary by
/// Plugins/EmbedFiles, without the file's final line break.
enum EmbeddedFiles {
    static let packageIPTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/package_ip.tcl"))
    static let buildTemplate = withoutFinalNewline(EmbeddedFileTable.text("fpga/tcl/build.tcl"))
    /// The built-in boards by name (fpga/boards/<name>.json).
    static let boards: [String: String] = Dictionary(uniqueKeysWithValues: EmbeddedFileTable.paths
        .filter { $0.hasPrefix("fpga/boards/") && $0.hasSuffix(".json") && $0 != "fpga/boards/jtag.json" }
        .map { path in
            (String(path.dropFirst("fpga/boards/".count).dropLast(".json".count)), withoutFinalNewline(EmbeddedFileTable.text(path)))
        })

    static func withoutFinalNewline(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
}
