import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime

/// `zynqnet load BUNDLE`: program the PL from a bundle on the board.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load a bundle's bitstream through fpga_manager, set FCLK0 and probe the accelerator (on the board, as root).",
        discussion: """
        Refuses unless the device tree names xlnx,zynq-7000 (nothing is mapped before). Sets \
        FCLK0 from manifest.json through the SLCR (/dev/mem) and opens its gate BEFORE the \
        bitstream is loaded, converts the bundle's .bit to the byte-swapped .bin under the \
        firmware directory, writes fpga_manager's flags (0) and firmware, checks the state is \
        'operating', repairs the PS state (level shifters, PL reset, FCLK0 gate, HP0 width; every \
        write is printed), and checks the accelerator's MAGIC, VERSION and topology hash. The \
        root options exist for tests against fake sysfs trees.
        """
    )

    @Argument(help: "Bundle directory (manifest.json and the .bit it names).")
    var bundle: String

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: "sysfs root.")
    var sysfsRoot = "/sys"

    @Option(name: .long, help: "Firmware directory fpga_manager loads from.")
    var firmwareDir = "/lib/firmware"

    @Option(name: .long, help: "proc root (the device tree's compatible must name xlnx,zynq-7000).")
    var procRoot = "/proc"

    @Option(name: .long, help: "Physical memory device (for the SLCR clock registers and the probe).")
    var devMem = "/dev/mem"

    @Option(name: .long, help: "fpga_manager device name.")
    var fpgaManager = "fpga0"

    @Flag(name: .long, help: "Do not set FCLK0.")
    var noClock = false

    @Flag(name: .long, help: "Do not probe the accelerator after loading.")
    var noProbe = false

    @Flag(name: .long, help: "The PL was already configured (over JTAG while Linux runs): skip fpga_manager, set FCLK0, pulse the PL reset, fix the PS state, probe.")
    var plConfigured = false

    @Flag(name: .long, help: "Write the SLCR unlock key (0xDF0D) before setting the clock.")
    var slcrUnlock = false

    func validate() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: bundle, isDirectory: &isDir), isDir.boolValue else {
            throw ValidationError("BUNDLE '\(bundle)' is not a directory")
        }
    }

    func run() throws {
        var options = LoadOptions()
        options.sysfsRoot = sysfsRoot
        options.firmwareDirectory = firmwareDir
        options.devMem = devMem
        options.fpgaManager = fpgaManager
        options.setClock = !noClock
        options.probe = !noProbe
        options.unlockSLCR = slcrUnlock
        options.procRoot = procRoot
        options.plConfigured = plConfigured
        let r = try loadBundle(bundle, options: options)
        if json {
            print(r.json.render())
        } else {
            if plConfigured {
                print("finished \(r.bitstream) (part \(r.part)), configured over JTAG: PS set up, PL reset pulsed")
            } else {
                print("loaded \(r.bitstream) (part \(r.part)) as \(r.firmware): fpga_manager state \(r.state)")
            }
            if let f = r.fclk_mhz, let d0 = r.fclk_divisor0, let d1 = r.fclk_divisor1 {
                print(String(format: "FCLK0 %.3f MHz (DIVISOR0 %u, DIVISOR1 %u)", f, d0, d1))
            }
            for w in r.ps_writes ?? [] { print("wrote \(w)") }
            if let h = r.topology_hash { print("accelerator found, topology hash \(h)") }
        }
    }
}
