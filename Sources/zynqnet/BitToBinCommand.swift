import ArgumentParser
import ZynqNetBit
import ZynqNetModel

struct BitToBinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tobin",
        abstract: "Convert a .bit file into the byte-swapped .bin the Linux Zynq fpga_manager loads.",
        discussion: """
        The .bin is the configuration payload with every 32-bit word byte-swapped (sync word \
        66 55 99 AA), as PYNQ's bit2bin writes it. Copy it to /lib/firmware and write its name to \
        /sys/class/fpga_manager/fpga0/firmware. Do not program it over JTAG: JTAG takes the .bit.
        """
    )

    @Argument(help: "The .bit file.")
    var file: String

    @Option(name: .shortAndLong, help: "The .bin file to write.")
    var output: String

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("-o/--output must name a file") }
        guard output != file, !HostFiles.sameFile(output, file) else {
            throw ValidationError("-o/--output must not be the input file '\(file)'")
        }
    }

    func run() throws {
        let bit = try BitFile.load(path: file)
        let bin = try bit.fpgaManagerBin(file: file)
        try FileBytes.write(bin, to: output)
        print("wrote \(output): \(bin.count) bytes (\(bit.part), design \(bit.design))")
    }
}
