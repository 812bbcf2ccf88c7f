// Builds repository files into the modules that ship them, at build time, so the zynqnet binary
// is one self-contained file and no generated copy is committed. For each target below it runs
// EmbedFilesTool, which writes EmbeddedFileTable.swift (path -> contents) into the plugin's work
// directory. Every embedded file and directory is a declared input: editing a file regenerates
// the table and recompiles only its module; a file added to an embedded directory is embedded on
// the next build (the directory changed; the tool lists it). SwiftPM runs this plugin again only
// when it plans the build anew (Package.swift or a target's file list changed), so until then the
// in-place edits of a newly added file go unseen (editors that save by rename change the directory).
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
        // The RTL library codegen writes beside the generated top.
        "ZynqNetCodegen": [.directory("fpga/rtl", extensions: ["v", "vh"])],
        // The Verilator harness of verify, the rtlsim shared library's C++ sources and its C ABI header.
        "ZynqNetRTLSim": [.directory("fpga/sim/harness", extensions: ["cpp", "h"]),
                          .directory("fpga/sim/rtlsim", extensions: ["cpp", "h"]),
                          .file("Sources/CZynqNetRTLSim/include/zn_rtlsim.h")],
        // The board files (part, presets, PS clock, JTAG cable): the hardware contract.
        "ZynqNetHW": [.directory("fpga/boards", extensions: ["json"])],
        // The Vivado Tcl templates.
        "ZynqNetVivado": [.file("fpga/tcl/package_ip.tcl"), .file("fpga/tcl/build.tcl")],
        // USB identification and JTAG settings of the boards.
        "ZynqNetJTAG": [.file("fpga/boards/jtag.json")],
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
        var specs: [String] = []   // the tool's arguments: a file, or directory/*.ext[,ext]
        var inputs: [URL] = []     // every file, and each directory (adding a file changes it)
        var directories = 0
        for source in list {
            switch source {
            case .file(let path):
                guard fm.fileExists(atPath: root.appending(path: path).path) else {
                    throw Problem(description: "EmbedFiles: \(path): no such file (embedded into \(target.name))")
                }
                specs.append(path)
                inputs.append(root.appending(path: path))
            case .directory(let dir, let extensions):
                guard let names = try? fm.contentsOfDirectory(atPath: root.appending(path: dir).path) else {
                    throw Problem(description: "EmbedFiles: \(dir): no such directory (embedded into \(target.name))")
                }
                specs.append(dir + "/*." + extensions.joined(separator: ","))
                inputs.append(root.appending(path: dir))
                directories += 1
                inputs += names.filter { extensions.contains(($0 as NSString).pathExtension) }.sorted().map { root.appending(path: dir + "/" + $0) }
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFileTable.swift")
        return [
            .buildCommand(
                // (no '/' in it: the progress line shows only what follows the last one)
                displayName: "Embedding \(inputs.count - directories) file\(inputs.count - directories == 1 ? "" : "s") into \(target.name)",
                executable: try context.tool(named: "EmbedFilesTool").url,
                arguments: [output.path, root.path] + specs,
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
