import Testing
import ZynqNetTestSupport

/// The help the argument parser prints: shared option groups appear once per command, enum
/// options list their values, and one small command's help is pinned exactly.
@Suite struct HelpTests {
    /// The lines of the OPTIONS section that start an option (`  --name <value>` or `  -o, --output`).
    func optionLines(_ help: String) -> [String] {
        guard let section = help.components(separatedBy: "OPTIONS:").last else { return [] }
        return section.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("-") }
    }

    func count(_ option: String, in lines: [String]) -> Int {
        lines.filter { $0 == option || $0.hasPrefix(option + " ") || $0.contains(", " + option + " ") || $0.hasSuffix(", " + option) }.count
    }

    @Test(arguments: [
        (["codegen"], ["--fclk", "--fold", "--engine", "--target-fps", "--mult-bits", "--mul-style", "--allow-overfull", "--board"]),
        (["verify"], ["--fclk", "--fold", "--engine", "--target-fps", "--mult-bits", "--mul-style", "--allow-overfull"]),
        (["report"], ["--mult-bits", "--mul-style", "--board", "--fclk"]),
        (["infer"], ["--backend", "--fold", "--allow-overfull", "--bundle", "--manifest"]),
        (["deploy"], ["--board"]),
    ])
    func sharedOptionsAppearOnce(command: [String], options: [String]) throws {
        let r = try CLI.run(command + ["--help"])
        #expect(r.status == 0)
        let lines = optionLines(r.stdout)
        for option in options {
            #expect(count(option, in: lines) == 1, "\(command) --help shows \(option) \(count(option, in: lines)) times")
        }
    }

    /// ExpressibleByArgument types list their values (and a bad one is a usage error naming them).
    @Test func enumOptionsListTheirValues() throws {
        // Words joined by single spaces: the help wraps at 80 columns.
        func words(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let infer = words(try CLI.run(["infer", "--help"]).stdout)
        #expect(infer.contains("--backend <backend> Where to run. (values: sim, loopback, board, rtlsim; default: sim)"))
        let codegen = words(try CLI.run(["codegen", "--help"]).stdout)
        #expect(codegen.contains("(values: dataflow, sequential)"))
        #expect(codegen.contains("(values: dsp, lut, packed; default: packed)"))
        let bad = try CLI.run(["verify", "m.npz", "--engine", "pipelined"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'pipelined'") && bad.stderr.contains("'dataflow'") && bad.stderr.contains("'sequential'"))
    }

    @Test func bitstreamsListHelpIsExact() throws {
        let r = try CLI.run(["bitstreams", "list", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout == Self.bitstreamsListHelp)
    }

    static let bitstreamsListHelp = """
        OVERVIEW: List the registered bitstreams.

        USAGE: zynqnet bitstreams list [--dir <dir>] [--json]

        OPTIONS:
          --dir <dir>             Registry directory. (default: bitstreams)
          --json                  Print JSON.
          --version               Show the version.
          -h, --help              Show help information.


        """
}
