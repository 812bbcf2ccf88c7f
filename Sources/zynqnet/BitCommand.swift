import ArgumentParser

/// `zynqnet bit …`: inspect and convert Xilinx .bit files.
struct BitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bit",
        abstract: "Inspect Xilinx .bit files and convert them for the Linux fpga_manager.",
        subcommands: [BitInfoCommand.self, BitToBinCommand.self]
    )
}
