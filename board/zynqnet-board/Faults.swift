import ZynqNetBase
import ZynqNetLoopback
import ZynqNetModel

// `zynqnet-board faults --model M`: a diagnostic command (not in the usage text). Runs the
// loopback device's fault-injection scenarios (`FaultScenario.all`, the table the host tests
// run) on this machine and prints one line per scenario; ZynqNetBoardTests compares the lines
// under qemu-arm with the host's.
extension BoardMain {
    static func faults(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--model"], flags: [])
        guard a.positionals.isEmpty else { throw .usage("Unexpected argument '\(a.positionals[0])'") }
        guard let modelPath = a.options["--model"] else { throw .usage("Missing expected argument '--model <model>'") }
        let model = try input { () throws(ZynqError) in try QuantizedModel.load(path: modelPath) }
        for scenario in FaultScenario.all { print(scenario.run(model: model)) }
    }
}
