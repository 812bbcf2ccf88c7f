import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim

/// Something that runs batches of input codes: the simulator, the loopback device, the board.
protocol InferenceEngine {
    var name: String { get }
    /// The simulator's dot-product kernel (`SimKernel`), nil for the other engines.
    var kernel: String? { get }
    func run(_ codes: InputCodes) throws -> SimResult
}

extension InferenceEngine {
    var kernel: String? { nil }
}

struct SimEngine: InferenceEngine {
    let simulator: Simulator
    var name: String { "sim" }
    var kernel: String? { simulator.kernel.rawValue }
    func run(_ codes: InputCodes) throws -> SimResult { try simulator.run(codes) }
}

/// The loopback device or the board, through the runtime's driver.
struct RuntimeEngine: InferenceEngine {
    let backend: InferenceBackend
    var name: String { backend.name }
    func run(_ codes: InputCodes) throws -> SimResult {
        let r = try backend.run(codes: codes, count: codes.count)
        return SimResult(outputs: r.outputs, count: codes.count, classes: r.outputs.count / max(codes.count, 1))
    }
}

enum Backends {
    static let names = ["sim", "loopback", "board", "rtlsim"]
    /// The backends that run on any machine, in the order `demo` shows them.
    static let local = ["sim", "loopback"]

    static func make(_ name: String, model: QuantizedModel, modelName: String = "model", bundle: String? = nil,
                     manifest: String? = nil, batch: Int = 256, fold: String? = nil, trace: String? = nil,
                     images: Int? = nil, allowOverfull: Bool = false) throws -> InferenceEngine {
        switch name {
        case "sim": return SimEngine(simulator: try Simulator(model: model))
        case "loopback", "board":
            return RuntimeEngine(backend: try makeBackend(name: name, model: model, modelName: modelName, bundle: bundle,
                                                          manifest: manifest, batchSize: batch))
        case "rtlsim":
            var options = RTLSimOptions()
            options.codegen.allowOverfull = allowOverfull
            return RuntimeEngine(backend: try makeRTLSimBackend(model: model, modelName: modelName, bundle: bundle, manifest: manifest,
                                                                batchSize: batch, foldFile: fold, tracePath: trace, traceImages: images, options: options,
                                                                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
        default: throw ZynqError(key: "--backend", "unknown backend '\(name)' (known: \(names.joined(separator: ", ")))")
        }
    }
}

/// Runs `body`, attributing a `ZynqError` that names no file to `file`.
func attribute<T>(to file: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ZynqError { throw e.inFile(file) }
}

enum Inference {
    struct Outcome {
        var sim: SimResult
        var seconds: Double
        var backend: String
        var kernel: String? = nil
    }

    /// Runs all of `codes` in batches of `batch`, with a progress bar on long runs.
    static func run(engine: InferenceEngine, codes: InputCodes, batch: Int, progress: Bool) throws -> Outcome {
        let n = codes.count
        let bar = ProgressBar(total: n, label: "infer", enabled: progress && Terminal.stderrIsTTY && n > batch)
        var outputs: [Int32] = []
        outputs.reserveCapacity(n * 16)
        var classes = 0
        var seconds = 0.0
        var done = 0
        while done < n {
            let end = min(n, done + batch)
            let part = (done == 0 && end == n) ? codes : try codes.slice(done..<end)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try engine.run(part)
            seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            classes = r.classes
            outputs += r.outputs
            done = end
            bar.update(done, extra: String(format: "%.0f img/s", Double(done) / max(seconds, 1e-9)))
        }
        bar.finish()
        return Outcome(sim: SimResult(outputs: outputs, count: n, classes: classes), seconds: seconds, backend: engine.name,
                       kernel: engine.kernel)
    }

    /// Whether `path` starts like the FST waveform Verilator writes for `--trace` (a header
    /// block: type 0, length 329), so a re-run may replace it and nothing else.
    @Sendable static func isFSTTrace(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return Array(h.readData(ofLength: 9)) == [0, 0, 0, 0, 0, 0, 0, 1, 0x49]
    }

    /// Writes `predictions` (int64, N), `outputs` (int64, N × classes) and `labels` when known.
    static func writeOutput(result: SimResult, labels: [Int]?, to path: String, plan: OutputPlan) throws {
        var arrays: [(String, NDArray)] = [
            ("predictions", NDArray(shape: [result.count], storage: .int64(result.predictions.map(Int64.init)))),
            ("outputs", NDArray(shape: [result.count, result.classes], storage: .int64(result.outputs.map(Int64.init)))),
        ]
        if let labels {
            arrays.append(("labels", NDArray(shape: [labels.count], storage: .int64(labels.map(Int64.init)))))
        }
        try NPZ.write(arrays, to: path, plan: plan)
    }

    struct Report {
        var images: Int
        var correct: Int?
        var seconds: Double
        var backend: String
        var kernel: String?
        var labels: [Int]?
        var predictions: [Int]

        init(result: Outcome, labels: [Int]?) {
            images = result.sim.count
            correct = labels.map { result.sim.correct(labels: $0) }
            seconds = result.seconds
            backend = result.backend
            kernel = result.kernel
            self.labels = labels
            predictions = result.sim.predictions
        }

        /// nil without labels or without images (0 of 0 is not a number).
        var accuracy: Double? { images == 0 ? nil : correct.map { Double($0) / Double(images) } }
        var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }

        func json() -> String {
            var fields: [String] = []
            fields.append("\"images\":\(images)")
            fields.append("\"correct\":\(correct.map(String.init) ?? "null")")
            fields.append("\"accuracy\":\(accuracy.map { jsonNumber($0) } ?? "null")")
            fields.append("\"seconds\":\(jsonNumber(seconds))")
            fields.append("\"images_per_second\":\(jsonNumber(imagesPerSecond))")
            fields.append("\"backend\":\"\(backend)\"")
            if let kernel { fields.append("\"kernel\":\"\(kernel)\"") }
            return "{" + fields.joined(separator: ",") + "}"
        }

        func printText(classes: Int) {
            if images == 0 {
                print("accuracy   unknown (no images)")
            } else if let labels, let correct {
                print(Terminal.confusionMatrix(labels: labels, predictions: predictions, classes: classes).joined(separator: "\n"))
                print("")
                print(String(format: "accuracy   %d/%d = %.2f%%", correct, images, 100 * (accuracy ?? 0)))
            } else {
                print("accuracy   unknown (no labels)")
            }
            let on = backend + (kernel.map { " (\($0) kernel)" } ?? "")
            print(String(format: "throughput %.0f images/s on %@ (%d images in %.3f s)", imagesPerSecond, on, images, seconds))
        }
    }

    /// Draws the first `count` images and their output scores.
    /// `names` (class names, index = class) label the headline and the bars; without them, indices.
    static func show(codes: InputCodes, result: SimResult, model: QuantizedModel, labels: [Int]?, count: Int,
                     names: [String]? = nil) {
        let last = model.layers[model.layers.count - 1]
        for i in 0..<min(count, codes.count) {
            let grey = (0..<codes.width).map { k -> UInt8 in
                let c = codes.code(i, k)
                return UInt8(clamping: codes.type == .int8 ? c + 128 : c)
            }
            let shape = model.input.shape.filter { $0 > 1 }
            var rows = 1, cols = codes.width
            if shape.count >= 2 {
                cols = shape[shape.count - 1]
                rows = codes.width / cols
            } else {
                let side = Int(Double(codes.width).squareRoot())
                if side * side == codes.width && side > 2 { rows = side; cols = side }
            }
            let expected = labels.flatMap { i < $0.count ? $0[i] : nil }
            let predicted = result.predictions[i]
            if let names {
                func name(_ c: Int) -> String { c >= 0 && c < names.count ? names[c] : String(c) }
                let verdict = expected.map { $0 == predicted ? " ✓" : " ✗ (is \(name($0)))" } ?? ""
                print("image \(i): \(name(predicted))\(verdict)")
            } else {
                print("image \(i): predicted \(predicted)" + (expected.map { ", expected \($0)" } ?? ""))
            }
            if rows > 1 {
                let picture = Terminal.colour ? Terminal.picture(grey: grey, rows: rows, cols: cols)
                    : Terminal.plainPicture(grey: grey, rows: rows, cols: cols)
                print(picture.joined(separator: "\n"))
            } else {
                print("  input " + (0..<codes.width).map { String(codes.code(i, $0)) }.joined(separator: " "))
            }
            let scores = Array(result.output(i))
            print(Terminal.barChart(scores: scores, low: last.outputType.min, high: max(scores.max() ?? last.outputHigh, last.outputType.min + 1),
                                    predicted: predicted, expected: expected, names: names).joined(separator: "\n"))
            print("")
        }
    }
}

extension Inference {
    /// The throughput report's keys, plus the run's `images`, `correct`, `accuracy` and `backend`.
    static func throughputJSON(_ t: ThroughputReport, report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(t), as: UTF8.self)
        // The throughput report's images_per_second (runtime, host work included) replaces the run's.
        let extra = report.json().dropFirst().dropLast().split(separator: ",")
            .filter { !$0.hasPrefix("\"images_per_second\":") }.joined(separator: ",")
        return "{" + extra + "," + body.dropFirst()
    }

    static func printThroughput(_ t: ThroughputReport) {
        print("")
        let sim = t.isSimulated
        print("throughput test (batch \(t.batch_size), \(sim ? "nominal fclk" : "fclk") \(jsonNumber(t.fclk_mhz)) MHz"
              + (sim ? "; simulated device: cycles simulated, times are this host's)" : ")"))
        print(String(format: "  runtime            %10.3f ms", t.runtime_ms))
        print(String(format: "  images/s           %10.0f", t.images_per_second))
        print(String(format: "  DRAM in / out      %10.1f / %.1f MB/s", t.dram_in_mb_per_s, t.dram_out_mb_per_s))
        print(String(format: "  host pack / copy / unpack  %.3f / %.3f / %.3f ms", t.pack_ms, t.copy_ms, t.unpack_ms))
        print("  \(sim ? "simulated" : "hardware") busy / stall cycles  \(t.busy_cycles) / \(t.stall_cycles)")
    }
}

extension Inference {
    /// rtlsim: the simulated hardware's cycles, II, latency and images/s at fclk as JSON keys
    /// (those the throughput report already has are not repeated).
    static func addingTiming(_ t: RTLSimTiming, to json: String, throughput: Bool) -> String {
        var fields: [String] = []
        if !throughput {
            fields += ["\"cycles\":\(t.cycles)", "\"ii_cycles\":\(t.ii_cycles)", "\"latency_cycles\":\(t.latency_cycles)",
                       "\"images_per_second_at_fclk\":\(jsonNumber(t.images_per_second_at_fclk))", "\"fclk_mhz\":\(jsonNumber(t.fclk_mhz))"]
        }
        fields += ["\"ii_measured\":\(t.ii_measured)", "\"design_ii_cycles\":\(t.design_ii_cycles)",
                   "\"rtl_cycles_per_second\":\(jsonNumber(t.rtl_cycles_per_second.rounded()))"]
        return String(json.dropLast()) + "," + fields.joined(separator: ",") + "}"
    }

    static func printTiming(_ t: RTLSimTiming) {
        print("")
        print("rtlsim (Verilator model of the generated design)")
        print("  cycles             \(t.cycles) for \(t.images) images")
        print("  II                 \(t.ii_cycles) cycles\(t.ii_measured ? " (measured)" : " (design; no back-to-back images measured)"), design \(t.design_ii_cycles)")
        print("  latency            \(t.latency_cycles) cycles")
        print(String(format: "  at %@ MHz         %.0f images/s", jsonNumber(t.fclk_mhz), t.images_per_second_at_fclk))
        print(String(format: "  simulation speed   %.0f cycles/s", t.rtl_cycles_per_second))
    }
}

/// A JSON number: integers without a fraction, others with enough digits to round-trip.
func jsonNumber(_ v: Double) -> String {
    if v.isNaN || v.isInfinite { return "null" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
