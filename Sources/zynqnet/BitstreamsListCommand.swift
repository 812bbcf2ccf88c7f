import ZynqNetBase
import ZynqNetModel
import ArgumentParser
import ZynqNetBit
import ZynqNetDeploy
import ZynqNetVivado

struct BitstreamsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the registered bitstreams."
    )

    @Option(help: "Registry directory.")
    var dir: String = "bitstreams"

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let r = try BitstreamRegistry.load(dir: dir)
        if json {
            print(JSONText.array(r.entries.map(\.json)).render(pretty: true))
            return
        }
        if r.entries.isEmpty {
            print("no bitstreams registered in \(dir)/manifest.json")
            return
        }
        for e in r.entries {
            print("\(e.file)  \(e.board)  \(e.part)  topology \(topologyHashText(e.topologyHash))  FCLK \(e.fclkMHz) MHz  \(e.design) \(e.date)  sha256 \(e.sha256.prefix(16))…")
        }
    }
}
