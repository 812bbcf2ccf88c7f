import Glibc
import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Why a command stopped: a usage error (exit 2, `Error: …` as swift-argument-parser prints
/// it on the host) or bad input (exit 1, `error: <ZynqError>`).
enum CLIFailure: Error {
    case usage(String)
    case input(ZynqError)
}

/// Runs `body`, turning its `ZynqError` into a `CLIFailure`.
func input<T>(_ body: () throws(ZynqError) -> T) throws(CLIFailure) -> T {
    do throws(ZynqError) { return try body() } catch { throw .input(error) }
}

/// Writes one line to stderr.
func printError(_ line: String) {
    let text = line + "\n"
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { b in
        zn_board_write_all(2, b.baseAddress!.assumingMemoryBound(to: CChar.self), b.count)
    }
}

/// The command line: positionals, `--option value` / `--option=value` and flags, checked
/// against the command's known options (swift-argument-parser does not compile in Embedded Swift).
struct Arguments {
    var positionals: [String] = []
    var options: [String: String] = [:]
    var flags: [String] = []

    init(_ args: [String], options known: [String], flags knownFlags: [String]) throws(CLIFailure) {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("--"), a.count > 2 else {
                positionals.append(a)
                continue
            }
            var name = a, value: String? = nil
            if let eq = a.firstIndex(of: "=") {
                name = String(a[a.startIndex..<eq])
                value = String(a[a.index(after: eq)...])
            }
            if knownFlags.contains(name) {
                guard value == nil else { throw .usage("The flag '\(name)' does not take a value.") }
                flags.append(name)
            } else if known.contains(name) {
                if value == nil {
                    guard i < args.count, !args[i].hasPrefix("--") else { throw .usage("Missing value for '\(name) <value>'") }
                    value = args[i]
                    i += 1
                }
                guard options[name] == nil else { throw .usage("'\(name)' may only be given once") }
                options[name] = value!
            } else {
                throw .usage("Unknown option '\(name)'")
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option in `range`, nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, what: String) throws(CLIFailure) -> Int? {
        guard let s = options[name] else { return nil }
        guard let v = Int(s), range.contains(v) else { throw .usage("\(name) must be \(what), not \(s)") }
        return v
    }
}

enum BoardMain {
    static let usage = """
    USAGE: zynqnet-board <subcommand>

    SUBCOMMANDS:
      info [--backend loopback|board] [--model M] [--bundle DIR | --manifest FILE] [--json]
            Probe the accelerator: MAGIC, VERSION, topology, counters, FCLK (loopback: the device
            built for M's topology; board: the loaded design of the bundle).
      infer IMAGES --model M [--backend sim|loopback|board] [--bundle DIR | --manifest FILE]
            [--batch N] [--limit N] [--labels FILE] [--output out.npy|out.npz] [--json]
            Run images through a model; --output writes the outputs (.npy: int64 N × classes;
            .npz: predictions, outputs and labels, stored).
      load BUNDLE [--json] [--no-clock] [--no-probe] [--pl-configured] [--slcr-unlock]
            [--sysfs-root DIR] [--proc-root DIR] [--dev-mem FILE] [--firmware-dir DIR] [--fpga-manager NAME]
            Load a bundle's bitstream through fpga_manager, set FCLK0, probe the accelerator (root).
      selftest BUNDLE [--backend board|loopback] [--batch N] [--json]
            The bundle's self-test images through the accelerator, compared with its expected outputs.
      doctor [--root DIR] [--bundle DIR] [--buffer-bytes N] [--buffer NAME] [--fix] [--json]
            Check the board's prerequisites and print the fix for each failure.

    """

    static func run(_ args: [String]) {
        do throws(CLIFailure) {
            guard let command = args.first else { throw .usage("Missing expected argument '<subcommand>'") }
            let rest = Array(args.dropFirst())
            switch command {
            case "infer": try infer(rest)
            case "info": try info(rest)
            case "load": try load(rest)
            case "selftest": try selftest(rest)
            case "doctor": try doctor(rest)
            case "faults": try faults(rest)  // diagnostic: the loopback fault scenarios (Faults.swift)
            case "-h", "--help", "help":
                print(usage)
            default: throw .usage("Unknown subcommand '\(command)' (infer, info, load, selftest, doctor)")
            }
        } catch {
            switch error {
            case .usage(let message):
                printError("Error: \(message)")
                exit(2)
            case .input(let e):
                printError("error: \(oneLine(e.description))")
                exit(1)
            }
        }
    }

    /// A message as one line (a tool's multi-line text joined with " | ", as on the host).
    static func oneLine(_ s: String) -> String {
        s.split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty }.joined(separator: " | ")
    }
}

// MARK: - infer

/// What runs the batches: the simulator, or the runtime's driver on the loopback device or the board.
enum Engine {
    case sim(Simulator)
    case runtime(InferenceBackend)

    var name: String {
        switch self {
        case .sim: "sim"
        case .runtime(let b): b.name
        }
    }

    var kernel: String? {
        switch self {
        case .sim(let s): s.kernel.rawValue
        case .runtime: nil
        }
    }

    func run(_ codes: InputCodes) throws(ZynqError) -> SimResult {
        switch self {
        case .sim(let s): return try s.run(codes)
        case .runtime(let b):
            let r = try b.run(codes: codes, count: codes.count)
            return SimResult(outputs: r.outputs, count: codes.count, classes: r.outputs.count / max(codes.count, 1))
        }
    }
}

extension BoardMain {
    static let backends = ["sim", "loopback", "board"]
    /// The largest --batch (as on the host).
    static let maxBatch = 1 << 24

    static func infer(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--model", "--backend", "--batch", "--limit", "--labels", "--output", "--bundle", "--manifest"],
                              flags: ["--json"])
        guard a.positionals.count <= 1 else { throw .usage("Unexpected argument '\(a.positionals[1])'") }
        guard let images = a.positionals.first else { throw .usage("Missing expected argument '<images>'") }
        guard let modelPath = a.options["--model"] else { throw .usage("Missing expected argument '--model <model>'") }
        let backend = a.options["--backend"] ?? "sim"
        guard backends.contains(backend) else {
            throw .usage("--backend must be one of \(backends.joined(separator: ", ")), not '\(backend)'")
        }
        let limit = try a.integer("--limit", in: 1...Int.max, what: "at least 1")
        let batchOption = try a.integer("--batch", in: 1...maxBatch, what: "1…\(maxBatch)")
        let json = a.flag("--json")
        if let output = a.options["--output"], !output.hasSuffix(".npy"), !output.hasSuffix(".npz") {
            throw .usage("--output must name an .npy or .npz file, not '\(output)'")
        }
        if a.options["--bundle"] != nil && a.options["--manifest"] != nil {
            throw .usage("--bundle and --manifest exclude each other")
        }
        if let bundle = a.options["--bundle"], !isDirectory(bundle) {
            throw .usage("--bundle '\(bundle)' is not a directory (a bundle written by zynqnet deploy -o or codegen -o)")
        }
        if backend == "board" && a.options["--bundle"] == nil && a.options["--manifest"] == nil {
            throw .usage("--backend board needs --bundle DIR or --manifest FILE")
        }
        if modelPath.hasSuffix(".onnx") || modelPath.hasSuffix(".tflite") {
            throw .input(ZynqError(file: modelPath, key: "--model", "ONNX and TFLite models are imported on the host: zynqnet import, then pass the .npz"))
        }
        // The output must not exist (zynqnet-board replaces no file) and is written only at the end.
        if let output = a.options["--output"], pathExists(output) {
            throw .input(ZynqError(file: output, key: "--output", "already exists; zynqnet-board replaces no file (remove it or name another)"))
        }

        try input { () throws(ZynqError) in try ModelShapes(path: modelPath).checkImages(path: images) }
        let model = try input { () throws(ZynqError) in try QuantizedModel.load(path: modelPath) }
        var set = try input { () throws(ZynqError) in try ImageSet.load(path: images, labels: a.options["--labels"]) }
        try input { () throws(ZynqError) in
            try set.checkNotEmpty()
            try set.checkLabels(classes: model.outputCount)
        }
        let batch = batchOption ?? (backend == "sim" ? 1000 : 256)
        let engine = try makeEngine(backend, model: model, modelName: modelPath, bundle: a.options["--bundle"],
                                    manifest: a.options["--manifest"], batch: batch)
        var codes = try quantize(set, model: model, file: images)
        if let limit, limit < codes.count {
            codes = try input { () throws(ZynqError) in try InputCodes(type: codes.type, width: codes.width, bytes: Array(codes.bytes.prefix(limit * codes.width))) }
            set.labels = set.labels.map { Array($0.prefix(limit)) }
        }
        let (result, seconds) = try runBatches(engine, codes, batch: batch)

        if let output = a.options["--output"] {
            try input { () throws(ZynqError) in try writeOutputs(result, labels: set.labels, to: output) }
        }
        let report = RunSummary(images: result.count, correct: set.labels.map { result.correct(labels: $0) }, seconds: seconds,
                                backend: engine.name, kernel: engine.kernel)
        if json {
            print(JSONText.object(report.fields).render())
        } else {
            print(report.accuracyLine)
            print(report.throughputLine)
        }
    }

    /// The simulator, or the runtime's driver on the loopback device or the board (`makeBackend`,
    /// as the host: `--bundle`/`--manifest` give the design's manifest.json and runtime.json).
    static func makeEngine(_ backend: String, model: QuantizedModel, modelName: String, bundle: String?, manifest: String?,
                           batch: Int) throws(CLIFailure) -> Engine {
        try input { () throws(ZynqError) in
            if backend == "sim" { return .sim(try Simulator(model: model)) }
            return .runtime(try makeBackend(name: backend, model: model, modelName: modelName, bundle: bundle, manifest: manifest,
                                            batchSize: batch))
        }
    }

    /// The images as the model's input codes (errors name `file`); with `warn`, a range warning on stderr.
    static func quantize(_ set: ImageSet, model: QuantizedModel, file: String, warn: Bool = true) throws(CLIFailure) -> InputCodes {
        let key = imageKey(set.source)
        let codes = try input { () throws(ZynqError) in
            do throws(ZynqError) {
                let arranged = try ImageLayout.nhwc.arranged(set.images, for: model.input, key: key)
                return try InputQuantizer(model: model).quantize(arranged, key: key)
            } catch {
                throw error.inFile(file)
            }
        }
        if warn, let w = InputQuantizer(model: model).rangeWarning(set.images) { printError("warning: \(file): \(w)") }
        return codes
    }

    /// Runs `codes` through `engine` in batches of `batch`; the seconds are engine time only (as on the host).
    static func runBatches(_ engine: Engine, _ codes: InputCodes, batch: Int) throws(CLIFailure) -> (SimResult, Double) {
        let n = codes.count
        var outputs: [Int32] = []
        var classes = 0
        var seconds = 0.0
        var done = 0
        while done < n {
            let end = min(n, done + batch)
            let part = (done == 0 && end == n) ? codes
                : try input { () throws(ZynqError) in try InputCodes(type: codes.type, width: codes.width, bytes: Array(codes.bytes[done * codes.width..<end * codes.width])) }
            let t0 = zn_board_monotonic_seconds()
            let r = try input { () throws(ZynqError) in try engine.run(part) }
            seconds += zn_board_monotonic_seconds() - t0
            if done == 0 { outputs.reserveCapacity(n * r.classes) }
            classes = r.classes
            outputs += r.outputs
            done = end
        }
        return (SimResult(outputs: outputs, count: n, classes: classes), seconds)
    }

    /// `--output`: `.npy` (int64 outputs, N × classes) or `.npz` (stored: `predictions`, `outputs`
    /// and `labels` when known, as the host's `infer --output`), written atomically.
    static func writeOutputs(_ result: SimResult, labels: [Int]?, to output: String) throws(ZynqError) {
        if output.hasSuffix(".npz") {
            var arrays = SelfTest.arrays(result)
            if let labels { arrays.append(("labels", NDArray(shape: [labels.count], storage: .int64(labels.map { Int64($0) })))) }
            try FileBytes.write(try NPZ.encodeStored(arrays, file: output), to: output)
        } else {
            let array = NDArray(shape: [result.count, result.classes], storage: .int64(result.outputs.map { Int64($0) }))
            try FileBytes.write(NPY.encode(array), to: output)
        }
    }

    /// The member the images came from (`x_test` of `"f.npz['x_test']"`), or "images".
    static func imageKey(_ source: String) -> String {
        guard source.hasSuffix("']") else { return "images" }
        let chars = Array(source)
        var i = chars.count - 3
        while i > 0 {
            if chars[i - 1] == "[" && chars[i] == "'" { return String(chars[(i + 1)..<(chars.count - 2)]) }
            i -= 1
        }
        return "images"
    }
}

/// `v` with `digits` decimals (as the host prints it).
func fixed(_ v: Double, digits: Int) -> String { NumberText.fixed(v, digits: digits) }

/// A JSON number (as the host writes it).
func jsonNumber(_ v: Double) -> String { NumberText.json(v) }

// MARK: - info

extension BoardMain {
    static func info(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--model", "--backend", "--bundle", "--manifest"], flags: ["--json"])
        guard a.positionals.isEmpty else { throw .usage("Unexpected argument '\(a.positionals[0])'") }
        let backend = a.options["--backend"] ?? "loopback"
        guard backend == "loopback" || backend == "board" else {
            throw .usage("--backend must be one of loopback, board, not '\(backend)'")
        }
        let bundle = a.options["--bundle"]
        if bundle != nil && a.options["--manifest"] != nil { throw .usage("--bundle and --manifest exclude each other") }
        if let bundle, !isDirectory(bundle) {
            throw .usage("--bundle '\(bundle)' is not a directory (a bundle written by zynqnet deploy -o or codegen -o)")
        }
        let manifestPath = a.options["--manifest"] ?? bundle.map { $0 + "/manifest.json" }
        if backend == "board" {
            // The loaded design, through the bundle's manifest.json and runtime.json (as infer --backend board).
            guard let manifestPath else { throw .usage("info --backend board needs --bundle DIR or --manifest FILE") }
            let (d, m) = try input { () throws(ZynqError) in
                let m = try RuntimeManifest.load(path: manifestPath)
                var config = BoardConfig()
                if let bundle, pathExists(bundle + "/runtime.json") { config = try BoardConfig.load(path: bundle + "/runtime.json") }
                let d = try openBoard(manifest: m, manifestPath: manifestPath, config: config)
                try m.check(hardware: d.info, file: manifestPath)
                return (d, m)
            }
            try printInfo(d, backend: backend, fclkMHz: m.fclkMHz, json: a.flag("--json"))
            return
        }
        guard let modelPath = a.options["--model"] else {
            throw .usage("info --backend loopback needs --model M (the loopback device is built for a model's topology)")
        }
        let model = try input { () throws(ZynqError) in try QuantizedModel.load(path: modelPath) }
        var manifest = RuntimeManifest()
        if let manifestPath { manifest = try input { () throws(ZynqError) in try RuntimeManifest.load(path: manifestPath) } }
        let b = try input { () throws(ZynqError) in
            try makeLoopbackBackend(model: model, modelName: modelPath, manifest: manifest, manifestPath: manifestPath, batchSize: 1)
        }
        try printInfo(b.driver, backend: backend, fclkMHz: manifest.fclkMHz, json: a.flag("--json"))
    }

    /// MAGIC, VERSION, topology, engine, II, counters and FCLK of a probed accelerator: the
    /// loopback device (FCLK nominal: no clock runs it) or the board (FCLK as configured by load).
    static func printInfo(_ d: AcceleratorDriver, backend: String, fclkMHz: Double, json: Bool) throws(CLIFailure) {
        let (magic, c) = try input { () throws(ZynqError) in
            (try d.bus.read32(d.base + UInt64(RegisterMap.MAGIC)), try d.counters())
        }
        let t = d.info.layout.topology
        let board = backend == "board"
        if json {
            var layers: [String] = []
            for l in t.layers {
                layers.append("{\"in\":\(l.inCount),\"out\":\(l.outCount),\"in_signed\":\(l.inSigned),\"out_signed\":\(l.outSigned)}")
            }
            var fields: [String] = []
            fields.append("\"backend\":\"\(backend)\"")
            fields.append("\"magic\":\"0x\(hex32(magic))\"")
            fields.append("\"version\":\(d.info.version)")
            fields.append("\"topology_hash\":\"\(topologyHashText(d.info.topologyHash))\"")
            fields.append("\"engine\":\"\(d.info.engine.rawValue)\"")
            fields.append("\"ii_cycles\":\(d.info.iiCycles)")
            fields.append("\"input_count\":\(t.inputCount)")
            fields.append("\"layers\":[" + layers.joined(separator: ",") + "]")
            var counters: [String] = []
            counters.append("\"images_in\":\(c.imagesIn)")
            counters.append("\"images_out\":\(c.imagesOut)")
            counters.append("\"busy_cycles\":\(c.busyCycles)")
            counters.append("\"stall_cycles\":\(c.stallCycles)")
            counters.append("\"starve_cycles\":\(c.starveCycles)")
            fields.append("\"counters\":{" + counters.joined(separator: ",") + "}")
            fields.append("\"fclk_mhz\":\(jsonNumber(fclkMHz))")
            fields.append("\"fclk\":\"\(board ? "configured" : "nominal")\"")
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print("accelerator  \(backend)" + (board ? "" : " (simulated device)"))
            print("MAGIC        0x\(hex32(magic)) (\"ZNET\")")
            print("VERSION      \(d.info.version)")
            print("topology     \(topologyHashText(d.info.topologyHash)), \(t.inputCount) inputs, "
                  + t.layers.map { "\($0.inCount)→\($0.outCount)" }.joined(separator: ", ") + ", \(d.info.engine.rawValue) engine, II \(d.info.iiCycles) cycles")
            print("counters     images in \(c.imagesIn), out \(c.imagesOut), busy \(c.busyCycles), stall \(c.stallCycles), starve \(c.starveCycles) cycles")
            print("FCLK         \(jsonNumber(fclkMHz)) MHz " + (board ? "(the design's, set by load)" : "(nominal: no clock runs the loopback device)"))
        }
    }
}
