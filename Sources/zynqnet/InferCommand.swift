import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a set of images through a model and report accuracy and throughput.",
        discussion: """
        IMAGES is an .npz (keys images | x_test | test_images | x, optional labels | y_test | \
        test_labels | y), an IDX file (plain or gzip, labels with --labels) or an .npy file. \
        Images are uint8 or float, of any shape whose element count matches the model's input \
        (for a conv model, [H, W, C] images: (N, H, W, C); (N, C, H, W) arrays with --layout nchw).
        """
    )

    @Argument(help: "The images: .npz, IDX (optionally gzipped) or .npy.")
    var images: String

    @Option(name: .long, help: "The model: .npz (format 1 or 2, the MNIST notebook's MLP, pyrtlnet's quantized.npz), .onnx or .tflite.")
    var model: String

    @OptionGroup var importOptions: ImportOptions

    @Option(name: .long, help: "Where to run.")
    var backend: BackendKind = .sim

    @Option(name: .long, help: "Labels file (IDX or .npy); overrides labels inside the images file.")
    var labels: String?

    @Option(name: .long, help: "Run only the first N images.")
    var limit: Int?

    @Option(name: .long, help: "Images per batch handed to the backend (default: 1000 on sim, 256 on loopback, board and rtlsim).")
    var batch: Int?

    @Option(name: .long, help: "A deploy or codegen bundle directory (manifest.json, runtime.json) for --backend board, loopback or rtlsim.")
    var bundle: String?

    @Option(name: .long, help: "The design's manifest.json, instead of --bundle.")
    var manifest: String?

    @Flag(name: .long, help: "Report runtime, DRAM bandwidth, host time and the hardware's cycle counters (loopback, board, rtlsim).")
    var throughputTest = false

    @Option(name: .long, help: "Image layout for a conv model's [H, W, C] input: nhwc (default, channels last) or nchw ((N, C, H, W), transposed).")
    var layout: String = "nhwc"

    @Option(name: .long, help: "Write predictions, outputs (and labels) to this .npz.")
    var output: String?

    @Flag(name: .long, help: "Print one JSON object instead of the report.")
    var json = false

    @Option(name: .long, help: "Draw the first K images with their output scores.")
    var show: Int = 0

    @Option(name: .long, help: "rtlsim: the simulated design's fold file (JSON, as for codegen; default: codegen's fastest fold).")
    var fold: String?

    @Option(name: .long, help: "rtlsim: write an FST waveform of the simulation (after the parameter load) for GTKWave.")
    var trace: String?

    @Flag(name: .customLong("allow-overfull"), help: "rtlsim: accept a --fold whose design's estimate exceeds the xc7z020's LUT, FF, DSP or BRAM.")
    var allowOverfull = false

    func validate() throws {
        try importOptions.check(model: model)
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit)") }
        guard ImageLayout(rawValue: layout) != nil else {
            throw ValidationError("--layout must be nhwc or nchw, not '\(layout)'")
        }
        if let batch, !(1...Self.maxBatch).contains(batch) { throw ValidationError("--batch must be 1…\(Self.maxBatch), not \(batch)") }
        if bundle != nil && manifest != nil { throw ValidationError("--bundle and --manifest exclude each other") }
        if let bundle {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: bundle, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--bundle '\(bundle)' is not a directory (a bundle written by zynqnet deploy -o or codegen -o)")
            }
        }
        if throughputTest && backend == .sim {
            throw ValidationError("--throughput-test needs --backend loopback, board or rtlsim")
        }
        if (fold != nil || trace != nil || allowOverfull) && backend != .rtlsim {
            throw ValidationError("--fold, --trace and --allow-overfull need --backend rtlsim")
        }
        if let trace, !trace.hasSuffix(".fst") {
            throw ValidationError("--trace must name an .fst file, not '\(trace)'")
        }
        if backend == .board && bundle == nil && manifest == nil {
            throw ValidationError("--backend board needs --bundle DIR or --manifest FILE")
        }
        guard show >= 0 else { throw ValidationError("--show must be 0 or more, not \(show)") }
        if let output, !output.hasSuffix(".npz") {
            throw ValidationError("--output must name an .npz file, not '\(output)'")
        }
    }

    /// The largest --batch (a batch is also bounded by one DMA transfer).
    static let maxBatch = 1 << 24

    func run() throws {
        let plan = OutputPlan(inputs: [self.model, images, labels, bundle, manifest, fold])
        if let output { try plan.file(output, option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet)) }
        if let trace { try plan.file(trace, option: "--trace", existing: .ownedIf(Inference.isFSTTrace)) }
        if ModelImport.kind(of: model) == .npz {
            try ModelShapes(path: model).checkImages(path: images)  // from the headers, before either file is read
        }
        let model = try importOptions.model(self.model)
        var set = try ImageSet.load(path: images, labels: labels)
        try set.checkNotEmpty()
        try set.checkLabels(classes: model.outputCount)
        let batch = self.batch ?? backend.defaultBatchSize
        var options = BackendOptions()
        options.modelName = self.model
        options.bundle = bundle
        options.manifest = manifest
        options.batchSize = batch
        options.foldFile = fold
        options.tracePath = trace
        options.traceImages = min(limit ?? set.count, set.count)
        options.allowOverfull = allowOverfull
        options.log = { Terminal.printErr($0) }
        let engine = try openBackend(backend, model: model, options: options)
        let rtlsim = engine as? RTLSimBackend
        defer { rtlsim?.finishTrace() }
        var codes = try attribute(to: images) {
            let arranged = try ImageLayout(rawValue: layout)!.arranged(set.images, for: model.input, key: set.key)
            return try InputQuantizer(model: model).quantize(arranged, key: set.key)
        }
        // After the images are known to fit the model: a warning never stands before an error.
        if let w = InputQuantizer(model: model).rangeWarning(set.images) { Terminal.printErr("warning: \(images): \(w)") }
        if let limit, limit < codes.count {
            codes = try codes.prefix(limit)
            set.labels = set.labels.map { Array($0.prefix(limit)) }
        }
        let result = try Inference.run(backend: engine, codes: codes, batch: batch, progress: !json)

        if let output {
            try Inference.writeOutput(result: result.sim, labels: set.labels, to: output, plan: plan)
            try plan.commit()
        }
        let report = Inference.Report(result: result, labels: set.labels)
        let throughput = throughputTest ? try engine.throughputReport() : nil
        let timing = rtlsim?.timing()
        if json {
            var fields = try throughput.map { try Inference.throughputFields($0, report: report) } ?? report.fields
            fields.append(("model_import", importOptions.json(path: self.model, model: model)))
            if let timing { fields += Inference.timingFields(timing, throughput: throughput != nil) }
            try printJSON(JSONText.object(fields))
            return
        }
        if show > 0 {
            Inference.show(codes: codes, result: result.sim, model: model, labels: set.labels, count: show)
        }
        report.printText(classes: model.outputCount)
        if let timing { Inference.printTiming(timing) }
        if let throughput { Inference.printThroughput(throughput) }
    }
}

extension InputCodes {
    /// The first `n` images.
    func prefix(_ n: Int) throws -> InputCodes {
        try InputCodes(type: type, width: width, bytes: Array(bytes.prefix(n * width)))
    }

    /// Images `range` of the batch.
    func slice(_ range: Range<Int>) throws -> InputCodes {
        try InputCodes(type: type, width: width, bytes: Array(bytes[range.lowerBound * width..<range.upperBound * width]))
    }
}

extension ImageSet {
    /// The member the images came from (`x_test` of `"f.npz['x_test']"`), or "images".
    var key: String {
        guard source.hasSuffix("']"), let open = source.range(of: "['", options: .backwards) else { return "images" }
        return String(source[open.upperBound..<source.index(source.endIndex, offsetBy: -2)])
    }
}
