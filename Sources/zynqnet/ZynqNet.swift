import ArgumentParser

@main
struct ZynqNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zynqnet",
        abstract: "Run quantized neural networks as custom hardware on Zynq-7000 boards, bit-exact.",
        subcommands: [ReportCommand.self]
    )
}
