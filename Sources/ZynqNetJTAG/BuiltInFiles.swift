/// fpga/boards/jtag.json, built into the binary by Plugins/EmbedFiles.
enum BoardData {
    static let jtagJSON = EmbeddedFileTable.text("fpga/boards/jtag.json")
}
