import Foundation
import ZynqNetBase

extension BoardCatalog {
    /// The board files built into zynqnet by Plugins/EmbedFiles, by name (fpga/boards/<name>.json;
    /// jtag.json is ZynqNetJTAG's), without the file's final line break.
    static let builtInFiles: [String: String] = Dictionary(uniqueKeysWithValues: EmbeddedFileTable.paths
        .filter { $0.hasPrefix("fpga/boards/") && $0.hasSuffix(".json") && $0 != "fpga/boards/jtag.json" }
        .map { path in
            let text = EmbeddedFileTable.text(path)
            return (String(path.dropFirst("fpga/boards/".count).dropLast(".json".count)), text.hasSuffix("\n") ? String(text.dropLast()) : text)
        })

    /// The boards built into zynqnet (fpga/boards/*.json at build time).
    public static let builtIn: BoardCatalog = {
        do {
            return try BoardCatalog(files: builtInFiles.sorted { $0.key < $1.key }
                .map { (file: "<built-in>/fpga/boards/\($0.key).json", text: $0.value) })
        } catch { fatalError("the built-in board files do not parse: \(error)") }
    }()
}

extension Board {

    /// Finds a board by name or path: an existing `*.json` path; else `<name>.json` in
    /// `$ZYNQNET_BOARDS_DIR`, then in `fpga/boards` of the checkout the executable runs from
    /// (searched upwards from it), then the copy built into zynqnet (same content as
    /// fpga/boards at build time; a test keeps them equal).
    public static func resolve(_ nameOrPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                               executablePath: String? = CommandLine.arguments.first) throws -> Board {
        if nameOrPath.hasSuffix(".json") {
            return try load(file: nameOrPath)
        }
        let nameOrPath = nameOrPath.lowercased()  // board names are lowercase: PYNQ-Z2 is pynq-z2
        guard nameOrPath.range(of: #"^[a-z0-9][a-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw ZynqError(key: "--board", "'\(nameOrPath)' is not a board name (known: \(BoardCatalog.builtIn.names.joined(separator: ", "))) or a .json file")
        }
        var dirs: [String] = []
        if let d = environment["ZYNQNET_BOARDS_DIR"], !d.isEmpty { dirs.append(d) }
        if let exe = executablePath {
            var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                dirs.append(dir.appendingPathComponent("fpga/boards").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        for d in dirs {
            let p = d + "/" + nameOrPath + ".json"
            if FileManager.default.fileExists(atPath: p) { return try load(file: p) }
        }
        do { return try BoardCatalog.builtIn.named(nameOrPath) } catch {
            throw ZynqError(key: error.key, error.message.dropLast() + "; or give a .json file)")
        }
    }
}
