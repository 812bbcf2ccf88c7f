import Foundation
import ZynqNetBase
import ZynqNetHW

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
            throw ZynqError(key: "--board", "'\(nameOrPath)' is not a board name (known: \(builtInNames.joined(separator: ", "))) or a .json file")
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
        if let text = EmbeddedFiles.boards[nameOrPath] {
            return try decode(Data(text.utf8), file: "<built-in>/fpga/boards/\(nameOrPath).json")
        }
        throw ZynqError(key: "--board", "unknown board '\(nameOrPath)' (known: \(builtInNames.joined(separator: ", ")); or give a .json file)")
    }
}
