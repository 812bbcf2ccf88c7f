import Foundation
import ArgumentParser
import ZynqNetBase
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
        // Replaces only a .bin this command wrote (it starts with the byte-swapped sync word).
        let plan = OutputPlan(inputs: [file])
        try plan.file(output, option: "--output", existing: .ownedIf(BitToBinCommand.isFPGAManagerBin))
        let bit = try BitFile.load(path: file)
        let bin = try bit.fpgaManagerBin(file: file)
        try plan.write(output, bytes: bin)
        try plan.commit()
        print("wrote \(output): \(bin.count) bytes (\(bit.part), design \(bit.design))")
    }

    /// Whether `path` is an fpga_manager .bin: the byte-swapped sync word 66 55 99 AA in its first 256 bytes.
    @Sendable static func isFPGAManagerBin(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = Array(h.readData(ofLength: 256))
        return head.count >= 4 && (0...(head.count - 4)).contains { head[$0..<$0 + 4] == [0x66, 0x55, 0x99, 0xAA] }
    }
}
