import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime

/// `zynqnet doctor`: the board's prerequisites, each with the fix for a failure.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the board's prerequisites (Zynq-7000, root, /dev/mem, fpga_manager, u-dma-buf, CMA, PL, FCLK0, SLCR) and print the fix for each failure.",
        discussion: """
        Run on the board (docs/board-setup.md). The register checks (FCLK0, level shifters, PL \
        reset, FCLK0 gate, HP0 width) read the SLCR through /dev/mem only after the device tree \
        says xlnx,zynq-7000. Without --bundle a PS state the next `zynqnet load` repairs is a \
        warning; with --bundle (a loaded design) it is a failure. --fix repairs the PS state and \
        logs every register write. Exit 1 when a check fails.
        """
    )

    @Option(help: "Read DIR/sys, DIR/dev and DIR/proc instead of /sys, /dev and /proc (tests, chroots).")
    var root: String = "/"

    @Option(help: "A bundle directory (manifest.json, runtime.json): the design's clock, HP width and buffer size.")
    var bundle: String?

    @Option(name: .customLong("buffer-bytes"), help: "The DMA buffer must hold at least this many bytes.")
    var bufferBytes: UInt64?

    @Option(help: "The DMA buffer to check: a u-dma-buf name or devmem:BASE:SIZE (default: runtime.json's, else udmabuf0).")
    var buffer: String?

    @Flag(help: "Repair the PS state (logging each register write).")
    var fix = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if let buffer, !RemotePlanSafe.isSafe(buffer) { throw ValidationError("--buffer may use letters, digits and . _ - : only, not '\(buffer)'") }
    }

    func run() throws {
        var o = DoctorOptions()
        o.root = root
        o.bundle = bundle
        o.fix = fix
        o.bufferBytes = bufferBytes
        o.buffer = buffer
        let r = runDoctor(o)
        if json {
            print(r.json.render())
        } else {
            print(r.text, terminator: "")
        }
        if !r.ok {
            throw ZynqError(key: "doctor", "\(r.failed.count) check(s) failed: \(r.failed.map(\.name).joined(separator: ", "))")
        }
    }
}

enum RemotePlanSafe {
    static func isSafe(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix("-") && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-:".unicodeScalars.contains($0)) }
    }
}
