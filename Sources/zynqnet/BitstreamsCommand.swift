import ArgumentParser

/// `zynqnet bitstreams …`: the registry of bitstreams built elsewhere.
struct BitstreamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bitstreams",
        abstract: "Register bitstreams built with Vivado and list them (bitstreams/manifest.json).",
        subcommands: [BitstreamsAddCommand.self, BitstreamsListCommand.self]
    )
}
