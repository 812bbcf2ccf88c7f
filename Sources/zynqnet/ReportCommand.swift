import ArgumentParser
import Foundation
import ZynqNetModel
import ZynqNetVivado

/// `zynqnet report DIR`: resources by yosys synth_xilinx, throughput, against the xc7z020.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Synthesize a generated design with yosys and report LUT/FF/DSP/BRAM against the xc7z020, with II and images/s.",
        discussion: """
            Reads DIR/manifest.json (and DIR/design.json if present) for the RTL files, top module, \
            fclk, II and record sizes; runs `yosys synth_xilinx -family xc7 -flatten`; prints a table \
            and writes DIR/report.json. LUT counts logic, LUTRAM and SRL LUTs; bram36 = RAMB36 + RAMB18/2.
            """)

    @Argument(help: "Directory written by `zynqnet codegen`.")
    var dir: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Top module (default: manifest.json's, else zynqnet_accel).")
    var top: String?

    @Option(help: "Give up on yosys after this many seconds.")
    var timeout: Double = 900

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        var options = SynthesisReport.Options(top: top)
        options.timeoutSeconds = timeout
        options.progress = { elapsed, step in
            FileHandle.standardError.write(Data("report: yosys \(Int(elapsed)) s \(step)\n".utf8))
        }
        do {
            let report = try SynthesisReport.run(dir: dir, options: options)
            let data = try report.json()
            try writeAtomically(data, to: dir + "/report.json")
            if json {
                FileHandle.standardOutput.write(data)
            } else {
                print(report.table())
                print("\nwrote \(dir)/report.json")
            }
        } catch let e as ZynqError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func writeAtomically(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: tmp, contents: data), rename(tmp, path) == 0 else {
            unlink(tmp)
            throw ZynqError(file: path, "cannot write")
        }
    }
}
