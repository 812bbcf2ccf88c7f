import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ZynqNetBase
import ZynqNetModel
import ZynqNetVivado

@main
struct ZynqNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zynqnet",
        abstract: "Run quantized neural networks as custom hardware on Zynq-7000 boards, bit-exact.",
        discussion: """
        Every part of zynqnet (simulator, generated RTL, runtime, importers) computes the integer \
        semantics of the model format exactly. Bad input ends in a one-line error naming the file \
        and key, with exit code 1; usage errors exit with code 2.
        """,
        version: ZynqNet.version,
        subcommands: [DemoCommand.self, InferCommand.self, ImportCommand.self, TrainCommand.self, ReportCommand.self, CodegenCommand.self,
                      VerifyCommand.self, BitCommand.self, LoadCommand.self, BenchRuntimeCommand.self, BoardsCommand.self,
                      DeployCommand.self, BitstreamsCommand.self, DoctorCommand.self]
    )

    /// `zynqnet --version`.
    static let version = VivadoProject.zynqnetVersion  // the version manifest.json records

    /// Runs the command line with zynqnet's exit codes: 0 success, 1 bad data, 2 usage,
    /// 128 + signal when SIGINT/SIGTERM ended it (`Termination`). Every error is one line.
    static func main() {
        Termination.install()
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            Termination.exitIfSignalled()
        } catch let error as ZynqError {
            Termination.exitIfSignalled()
            // A tool's log tail (a failed Verilator build) stays, joined into the one line.
            Terminal.printErr("error: " + String(describing: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " | "))
            terminate(1)
        } catch let error as CleanExit {
            ZynqNet.exit(withError: error)
        } catch let error as ExitCode {
            // The command printed its own message (or none is due): no second line.
            Termination.exitIfSignalled()
            terminate(error.rawValue)
        } catch {
            Termination.exitIfSignalled()
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.printErr(oneLine(fullMessage(for: error)))
                terminate(2)
            }
            if code == .success { ZynqNet.exit(withError: error) }
            let domain = (error as NSError).domain
            let message = domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain ? FileProblem.reason(error) : fullMessage(for: error)
            Terminal.printErr(oneLine(message.hasPrefix("error:") || message.hasPrefix("Error:") ? message : "error: \(message)"))
            terminate(code.rawValue == 0 ? 0 : 1)
        }
    }

    /// The first non-empty line of a message (usage errors end in a hint line), without a
    /// trailing "Usage:" block.
    static func oneLine(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "error: unknown"
    }
}

/// Ends the process with `code` (the C library's exit, not ParsableCommand's).
func terminate(_ code: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(code)
    #else
    Darwin.exit(code)
    #endif
}

/// `--images -5` as `--images=-5`: the argument parser takes a word starting with `-` for an
/// option and would report "Missing value"; joined, the value reaches the option's range check.
/// Only words that are negative numbers after a long option are joined, and nothing after `--`.
func joiningNegativeValues(_ args: [String]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < args.count {
        let a = args[i]
        if a == "--" { return out + args[i...] }
        if a.hasPrefix("--"), !a.contains("="), i + 1 < args.count, isNegativeNumber(args[i + 1]) {
            out.append(a + "=" + args[i + 1])
            i += 2
            continue
        }
        out.append(a)
        i += 1
    }
    return out
}

private func isNegativeNumber(_ s: String) -> Bool {
    s.hasPrefix("-") && s.count > 1 && Double(s.dropFirst()) != nil && s.dropFirst().first.map { $0.isNumber || $0 == "." } == true
}
