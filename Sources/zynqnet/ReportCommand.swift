import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetVivado

/// `zynqnet report DIR`: resources by yosys synth_xilinx, throughput, against the xc7z020.
/// `zynqnet report --model MODEL`: the model's throughput/resource trade-off curve.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Synthesize a generated design with yosys and report LUT/FF/DSP/BRAM against the xc7z020, with II and images/s; or show a model's trade-off curve.",
        discussion: """
            report DIR: reads DIR/manifest.json (and DIR/design.json if present) for the RTL files, top \
            module, fclk, II, latency and record sizes; runs `yosys synth_xilinx -family xc7` \
            hierarchically (each unique module once; --jobs yosys processes share the modules, default \
            one per core; --flatten for one flattened netlist: slower, with different counts, mostly \
            the INV cells yosys leaves unmerged there); \
            results are kept in zynqnet's yosys cache, by module (its elaborated RTLIL, that of the \
            modules it instantiates, the yosys version and command) and by design (every RTL file's \
            text): a module seen before, in this design or another, is not synthesized again, and a \
            design seen before runs no yosys (--no-cache: neither read nor written); \
            prints a table and replaces DIR/report.json (codegen's estimate) with the yosys numbers \
            ("source": "yosys"). LUT counts logic, LUTRAM and SRL LUTs; bram36 = RAMB36 + RAMB18/2. \
            The hierarchical flows also give each instance of the top its resources and, for a codegen \
            design, the shell (register file and output stream, the same in every fold) apart from the \
            datapath (what folding changes): JSON keys instances, shell, datapath, lut_shell, lut_datapath.

            report --model MODEL: the designs from the smallest (the sequential engine, then PE = SIMD = 1 in \
            every layer with serial requantizers in the conv layers, marked s) to \
            the fastest whose estimate fits the board's automatic budget (60 % of the LUTs, 220 \
            DSP48E1, 90 % of FF and BRAM), each with the cheapest folds for its II, keeping the \
            Pareto-optimal ones (images/s against LUTs and DSP48E1s): a table, an ASCII plot of images/s \
            against LUTs (both log scale), or the list with --json. Each point also shows its datapath \
            LUTs (the estimate without the shell every design of the model has). --synth N runs yosys on N points \
            spread evenly over the curve and shows the real numbers beside the estimates (each run \
            bounded by --timeout; progress on stderr). Every point can be built with \
            `zynqnet codegen --fold FILE`: --json gives each point's layers in the fold-file form.
            """)

    @Argument(help: "Directory written by `zynqnet codegen`.")
    var dir: String?

    @Option(help: "A model (.npz, .onnx or .tflite): print its trade-off curve instead of a design's report.")
    var model: String?

    @OptionGroup var importOptions: ImportOptions

    @Option(help: "Board of the curve's budget: pynq-z2 or zybo-z7-20 (or a board .json).")
    var board = BoardArgument("pynq-z2")

    @Option(help: "FCLK0 in MHz (images/s of the curve).")
    var fclk: Double = 100

    @Option(help: "Run yosys on this many points of the curve, spread evenly.")
    var synth: Int = 0

    @Option(name: .customLong("max-lut"), help: "Cap the curve's LUT budget (default 60 % of the xc7z020: 31920).")
    var maxLUT: Int?

    @Option(name: .customLong("max-dsp"), help: "Cap the curve's DSP48E1 budget (default 220).")
    var maxDSP: Int?

    @OptionGroup var arithmetic: ArithmeticOptions

    @Flag(help: "Print the report (or the curve) as JSON.")
    var json = false

    @Option(help: "Top module (default: manifest.json's, else zynqnet_accel).")
    var top: String?

    @Option(help: "Give up on a yosys run after this many seconds.")
    var timeout: Double = 900

    @Flag(help: "Synthesize one flattened netlist (synth_xilinx -flatten) instead of module by module.")
    var flatten = false

    @Option(help: "yosys processes of the hierarchical synthesis (default: one per core, at most 8).")
    var jobs: Int?

    @Flag(name: .customLong("no-cache"), help: "Run yosys on every module, neither reading nor writing zynqnet's yosys cache ($ZYNQNET_YOSYS_CACHE, else $ZYNQNET_CACHE/yosys, else ~/.cache/zynqnet/yosys).")
    var noCache = false

    /// The yosys cache of this run, unless --no-cache.
    var cache: YosysCache? { noCache ? nil : YosysCache(root: YosysCache.defaultRoot()) }

    func validate() throws {
        try importOptions.check(model: model)  // report DIR: the options need --model
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
        if let j = jobs { guard (1...64).contains(j) else { throw ValidationError("--jobs must be 1…64") } }
        switch (dir, model) {
        case (nil, nil): throw ValidationError("give a design directory (report DIR) or --model MODEL")
        case (.some, .some): throw ValidationError("DIR and --model exclude each other")
        default: break
        }
        if model == nil {
            for (name, set) in [("--synth", synth != 0), ("--mul-style", arithmetic.mulStyle != .packed), ("--mult-bits", arithmetic.multBits != 32),
                                ("--fclk", fclk != 100), ("--board", board != BoardArgument("pynq-z2")), ("--max-lut", maxLUT != nil),
                                ("--max-dsp", maxDSP != nil)] where set {
                throw ValidationError("\(name) needs --model (report DIR takes the design's own values)")
            }
        }
        guard (0...64).contains(synth) else { throw ValidationError("--synth must be 0…64") }
        if let m = maxLUT { guard m >= 1 else { throw ValidationError("--max-lut must be positive") } }
        if let m = maxDSP { guard m >= 0 else { throw ValidationError("--max-dsp must be 0 or more") } }
        guard VivadoProject.fclkRange.contains(fclk) else {
            throw ValidationError("--fclk must be in \(VivadoProject.fclkRange.lowerBound)…\(VivadoProject.fclkRange.upperBound) MHz")
        }
    }

    func run() throws {
        if let model {
            try runCurve(model: model)
            return
        }
        let dir = self.dir!
        var options = SynthesisReport.Options(top: top)
        options.timeoutSeconds = timeout
        options.flatten = flatten
        options.cache = cache
        if let j = jobs { options.jobs = j }
        options.progress = { elapsed, step in
            FileHandle.standardError.write(Data("report: yosys \(Int(elapsed)) s \(step)\n".utf8))
        }
        // report.json replaces codegen's estimate: a file of the folder's list, or a new one.
        let plan = OutputPlan(inputs: [])
        let folder = try plan.folder(dir, option: "DIR", mode: .add)
        let report = try SynthesisReport.run(dir: dir, options: options)
        let data = try report.json()
        try folder.write("report.json", bytes: Array(data))
        try plan.commit()
        if json {
            FileHandle.standardOutput.write(data)
        } else {
            print(report.table())
            print("\nwrote \(dir)/report.json")
        }
    }

    // MARK: - the trade-off curve

    func runCurve(model path: String) throws {
        let q = try importOptions.model(path)
        let vboard = try board.resolve()
        guard vboard.part.hasPrefix("xc7z020") else {
            throw ZynqError(key: "--board", "\(vboard.name): no resource budget for part \(vboard.part) (only xc7z020)")
        }
        let style = arithmetic.mulStyle
        let topo = try attribute(to: path) { try Topology(model: q, multBits: arithmetic.multBits) }
        let regEvery = CodegenOptions().regEvery
        var budget = ResourceBudget.xc7z020Auto
        if let m = maxLUT { budget.lut = min(budget.lut, m) }
        if let m = maxDSP { budget.dsp = min(budget.dsp, m) }
        let points = try attribute(to: path) {
            try TradeoffCurve.curve(topo, style: style, budget: budget, regEvery: regEvery)
        }
        var synthesized: [Int: CurveSynthesis] = [:]
        let chosen = TradeoffCurve.spread(points.count, count: synth)
        for (k, i) in chosen.enumerated() {
            let p = points[i]
            let label = "report: synth \(k + 1)/\(chosen.count): point \(i + 1), II \(p.iiCycles), estimate \(p.estimate.lut) LUT"
            Terminal.printErr(label + " …")
            synthesized[i] = try synthesize(point: p, model: q, label: label)
            let s = synthesized[i]!
            Terminal.printErr("\(label): yosys \(s.lut) LUT (datapath \(s.lutDatapath.map(String.init) ?? "?")), \(s.ff) FF, \(s.dsp) DSP48E1, \(String(format: "%.1f", s.bram36)) BRAM36 in \(String(format: "%.1f", s.seconds)) s")
        }
        var curve = CurveReport(model: path, board: vboard.name, fclkMHz: fclk, budget: budget, points: points, synthesized: synthesized,
                                inputBytes: OutputRecord.inputBeats(pixels: topo.inputCount) * OutputRecord.beatBytes)
        curve.modelImport = importOptions.json(path: path, model: q)
        if json {
            try printJSON(curve.json(), pretty: true, sortedKeys: true)
        } else {
            print(curve.table())
            print("")
            print(curve.plot())
        }
    }

    /// Generates one curve point's design into a scratch directory and runs yosys on it.
    func synthesize(point p: CurvePoint, model q: QuantizedModel, label: String) throws -> CurveSynthesis {
        var opts = CodegenOptions()
        opts.fclkMHz = fclk
        opts.multBits = arithmetic.multBits
        opts.fold = .file(p.foldFile, name: "curve point")
        let design = try generateDesign(model: q, options: opts)
        guard design.iiCycles == p.iiCycles, design.estimate == p.estimate else {
            throw ZynqError(key: "report", "curve point II \(p.iiCycles) regenerated as a different design (internal error)")
        }
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("zynqnet-curve-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        Termination.removeOnExit(work.path)
        defer {
            try? fm.removeItem(at: work)
            Termination.forget(work.path)
        }
        try design.writeFiles(into: work)
        var options = SynthesisReport.Options()
        options.timeoutSeconds = timeout
        options.flatten = flatten
        options.cache = cache
        if let j = jobs { options.jobs = j }
        options.progress = { elapsed, step in
            Terminal.printErr("\(label): yosys \(Int(elapsed)) s \(step)")
        }
        let r = try SynthesisReport.run(dir: work.path, options: options)
        let split = r.split
        return CurveSynthesis(lut: r.resources.lut, ff: r.resources.ff, dsp: r.resources.dsp, bram36: r.resources.bram36,
                              seconds: r.yosysSeconds, lutShell: split?.shell.lut, lutDatapath: split?.datapath.lut)
    }
}
