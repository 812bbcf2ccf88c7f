import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim

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
        var kernelNote: String? = nil
    }

    /// Runs all of `codes` in batches of `batch`, with a progress bar on long runs.
    static func run(backend: any InferenceBackend, codes: InputCodes, batch: Int, progress: Bool) throws -> Outcome {
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
            let r = try backend.result(part)
            seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            classes = r.classes
            outputs += r.outputs
            done = end
            bar.update(done, extra: String(format: "%.0f img/s", Double(done) / max(seconds, 1e-9)))
        }
        bar.finish()
        return Outcome(sim: SimResult(outputs: outputs, count: n, classes: classes), seconds: seconds, backend: backend.name,
                       kernel: (backend as? SimulatorBackend)?.kernel, kernelNote: (backend as? SimulatorBackend)?.kernelNote)
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

    /// A run's summary (`RunSummary`, the board binary's too) plus what the host draws with it.
    struct Report {
        var summary: RunSummary
        var labels: [Int]?
        var predictions: [Int]

        init(result: Outcome, labels: [Int]?) {
            summary = RunSummary(images: result.sim.count, correct: labels.map { result.sim.correct(labels: $0) },
                                 seconds: result.seconds, backend: result.backend, kernel: result.kernel,
                                 kernelNote: result.kernelNote)
            self.labels = labels
            predictions = result.sim.predictions
        }

        var images: Int { summary.images }
        var correct: Int? { summary.correct }
        var seconds: Double { summary.seconds }
        var accuracy: Double? { summary.accuracy }
        var imagesPerSecond: Double { summary.imagesPerSecond }
        /// The `--json` keys of a run (`RunSummary.fields`).
        var fields: [(String, JSONText)] { summary.fields }

        func printText(classes: Int) {
            if images > 0, let labels, correct != nil {
                print(Terminal.confusionMatrix(labels: labels, predictions: predictions, classes: classes).joined(separator: "\n"))
                print("")
            }
            print(summary.accuracyLine)
            print(summary.throughputLine)
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
    /// The run's keys and then the throughput report's (sorted), whose images_per_second
    /// (runtime, host work included) replaces the run's.
    static func throughputFields(_ t: ThroughputReport, report: Report) throws -> [(String, JSONText)] {
        guard case .object(let body) = try JSONTextEncoder(sortedKeys: true).encode(t) else { return report.fields }
        return report.fields.filter { $0.0 != "images_per_second" } + body
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
    static func timingFields(_ t: RTLSimTiming, throughput: Bool) -> [(String, JSONText)] {
        var fields: [(String, JSONText)] = []
        if !throughput {
            fields += [("cycles", .uint(t.cycles)), ("ii_cycles", .uint(t.ii_cycles)), ("latency_cycles", .uint(t.latency_cycles)),
                       ("images_per_second_at_fclk", .double(t.images_per_second_at_fclk)), ("fclk_mhz", .double(t.fclk_mhz))]
        }
        fields += [("ii_measured", .bool(t.ii_measured)), ("design_ii_cycles", .int(Int64(t.design_ii_cycles))),
                   ("rtl_cycles_per_second", .double(t.rtl_cycles_per_second.rounded()))]
        return fields
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
func jsonNumber(_ v: Double) -> String { NumberText.json(v) }
