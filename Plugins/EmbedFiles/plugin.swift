// Builds repository files into the modules that ship them, at build time, so the zynqnet binary
// is one self-contained file and no generated copy is committed. For each target below it runs
// EmbedFilesTool, which writes EmbeddedFileTable.swift (path -> contents) into the plugin's work
// directory. Every embedded file is a declared input: editing one regenerates the table and
// recompiles only its module; a file added to an embedded directory is picked up on the next build.
import Foundation
import PackagePlugin

@main
struct EmbedFiles: BuildToolPlugin {
    /// A repository file, or the files directly in a repository directory with one of `extensions`.
    enum Source {
        case file(String)
        case directory(String, extensions: [String])
    }

    /// What each target embeds (paths relative to the package root).
    static let sources: [String: [Source]] = [
        // The RTL library codegen writes beside the generated top, and the Verilator harness of verify.
        "ZynqNetCodegen": [.directory("fpga/rtl", extensions: ["v", "vh"]),
                           .directory("fpga/sim/harness", extensions: ["cpp", "h"])],
        // The rtlsim shared library's C++ sources and its C ABI header.
        "ZynqNetRTLSim": [.directory("fpga/sim/rtlsim", extensions: ["cpp", "h"]),
                          .file("Sources/CZynqNetRTLSim/include/zn_rtlsim.h")],
        // The Vivado Tcl templates and the board files.
        "ZynqNetVivado": [.file("fpga/tcl/package_ip.tcl"), .file("fpga/tcl/build.tcl"),
                          .directory("fpga/boards", extensions: ["json"])],
        // USB identification and JTAG settings of the boards.
        "ZynqNetHost": [.file("fpga/boards/jtag.json")],
        // The Fashion-MNIST example model and test images of `zynqnet demo`.
        "ZynqNetTrain": [.file("examples/fashion-mnist/model.npz"), .file("examples/fashion-mnist/test-200.npz")],
    ]

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let list = Self.sources[target.name] else {
            throw Problem(description: "EmbedFiles: target \(target.name) has no list of files to embed in Plugins/EmbedFiles/plugin.swift")
        }
        let root = context.package.directoryURL
        let fm = FileManager.default
        var paths: [String] = []
        for source in list {
            switch source {
            case .file(let path):
                guard fm.fileExists(atPath: root.appending(path: path).path) else {
                    throw Problem(description: "EmbedFiles: \(path): no such file (embedded into \(target.name))")
                }
                paths.append(path)
            case .directory(let dir, let extensions):
                guard let names = try? fm.contentsOfDirectory(atPath: root.appending(path: dir).path) else {
                    throw Problem(description: "EmbedFiles: \(dir): no such directory (embedded into \(target.name))")
                }
                paths += names.filter { extensions.contains(($0 as NSString).pathExtension) }.map { dir + "/" + $0 }
            }
        }
        paths.sort()
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFileTable.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(paths.count) file\(paths.count == 1 ? "" : "s") into \(target.name)",
                executable: try context.tool(named: "EmbedFilesTool").url,
                arguments: [output.path, root.path] + paths,
                inputFiles: paths.map { root.appending(path: $0) },
                outputFiles: [output]
            ),
        ]
    }
}
