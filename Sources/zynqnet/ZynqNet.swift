import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ZynqNetModel

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
        subcommands: [DemoCommand.self, InferCommand.self, TrainCommand.self, ReportCommand.self, CodegenCommand.self,
                      VerifyCommand.self, BitCommand.self, LoadCommand.self, BenchRuntimeCommand.self, BoardsCommand.self,
                      DeployCommand.self, BitstreamsCommand.self, ImportCommand.self]
    )

    /// Runs the command line with zynqnet's exit codes: 0 success, 1 bad data, 2 usage.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ZynqError {
            Terminal.printErr("error: \(error)")
            terminate(1)
        } catch let error as CleanExit {
            ZynqNet.exit(withError: error)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.printErr(fullMessage(for: error))
                terminate(2)
            }
            if code == .success { ZynqNet.exit(withError: error) }
            let message = fullMessage(for: error)
            Terminal.printErr(message.hasPrefix("error:") || message.hasPrefix("Error:") ? message : "error: \(message)")
            terminate(code.rawValue == 0 ? 0 : 1)
        }
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
