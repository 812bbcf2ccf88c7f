import ZynqNetBase
import ZynqNetModel
import ArgumentParser
import ZynqNetDeploy
import ZynqNetVivado

struct BitstreamsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a .bit built elsewhere, with the manifest.json of its build.",
        discussion: """
        Checks the .bit header and its part against the board the manifest names, copies the \
        .bit (its .hwh if one sits beside it) and the manifest into the registry directory and \
        records board, part, topology hash, FCLK and SHA-256 in its manifest.json. \
        `zynqnet deploy --model M --board B` then finds it by the model's topology.
        """
    )

    @Argument(help: "The .bit file (zynqnet.bit of a codegen output after the Vivado build).")
    var file: String

    @Option(help: "The build's manifest.json (written by zynqnet codegen).")
    var manifest: String

    @Option(help: "Registry directory.")
    var dir: String = "bitstreams"

    @Flag(help: "Print the entry as JSON.")
    var json = false

    func run() throws {
        let (entry, added) = try BitstreamRegistry.add(bitPath: file, manifestPath: manifest, dir: dir)
        if json {
            print(entry.json.render(pretty: true))
        } else {
            print((added ? "registered " : "already registered as ") + "\(dir)/\(entry.file): \(entry.board), \(entry.part), topology \(topologyHashText(entry.topologyHash)), FCLK \(entry.fclkMHz) MHz")
        }
    }
}
