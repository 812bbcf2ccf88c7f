import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim
import ZynqNetTrain
import ZynqNetVivado

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole product on the embedded default: the Fashion-MNIST example model on its test set.",
        discussion: """
        Takes the Fashion-MNIST example model built into zynqnet (examples/fashion-mnist/model.npz, \
        or --model FILE), runs the 10,000 Fashion-MNIST test images (Debian's dataset-fashion-mnist, \
        or ZYNQNET_FASHION_MNIST; without them, the 200 test images built in) on every backend that \
        exists on this machine, checks that they agree bit for bit, and shows a few images with \
        their predictions, the accuracy and the throughput. Nothing is written.
        """
    )

    @Option(name: .long, help: "The model (default: the built-in examples/fashion-mnist/model.npz).")
    var model: String?

    @OptionGroup var importOptions: ImportOptions

    @Option(name: .long, help: "How many of the test images to run.")
    var images: Int = 10_000

    @Option(name: .long, help: "How many images to draw.")
    var show: Int = 3

    @Option(name: .long, help: "Also run the first N images through the generated RTL (Verilator; the first build takes a minute).")
    var rtlsim: Int = 0

    @Flag(name: .long, help: "Print one JSON object instead of the report.")
    var json = false

    func validate() throws {
        try importOptions.check(model: model)
        guard images >= 1 else { throw ValidationError("--images must be at least 1, not \(images)") }
        guard show >= 0 else { throw ValidationError("--show must be 0 or more, not \(show)") }
        guard rtlsim >= 0 else { throw ValidationError("--rtlsim must be 0 or more, not \(rtlsim)") }
    }

    func run() throws {
        // An explicit --model must exist (an error, never trained or written); the default is built in.
        let path = self.model ?? TrainRecipes.builtInModelName
        let model = try self.model.map { try importOptions.model($0) } ?? TrainRecipes.builtInFashionMNISTModel()
        var set: ImageSet
        if let files = try? Datasets.fashionFilePair() {
            set = try ImageSet.load(path: files.images, labels: files.labels)
        } else {
            set = try TrainRecipes.builtInFashionMNISTTestSet()
            if !json {
                Terminal.printErr("demo: dataset-fashion-mnist is not installed: using the \(set.count) built-in test images")
            }
        }
        try set.checkLabels(classes: model.outputCount)
        var codes = try attribute(to: set.source) { try InputQuantizer(model: model).quantize(set.images, key: "images") }
        if images < codes.count {
            codes = try codes.prefix(images)
            set.labels = set.labels.map { Array($0.prefix(images)) }
        }

        // Every backend that exists here runs the same images; all must agree bit for bit.
        var outcomes: [Inference.Outcome] = []
        for kind in BackendKind.local {
            let backend = try openBackend(kind, model: model)
            outcomes.append(try Inference.run(backend: backend, codes: codes, batch: 1000, progress: !json))
        }
        if rtlsim > 0 {
            // The generated design in Verilator, driven by the board's driver code, on the first N images.
            let n = min(rtlsim, codes.count)
            var options = BackendOptions()
            options.modelName = path
            options.batchSize = min(n, 1000)
            options.log = { Terminal.printErr($0) }
            let backend = try openBackend(.rtlsim, model: model, options: options)
            var o = try Inference.run(backend: backend, codes: try codes.prefix(n), batch: 1000, progress: !json)
            if n < codes.count { o.backend += " (\(n) images)" }
            outcomes.append(o)
        }
        let reference = outcomes[0]
        // The hardware codegen would make for this model on a PYNQ-Z2 at 100 MHz (no Vivado needed).
        let design = try generateDesign(model: model, options: CodegenOptions(board: CodegenBoard(try ZynqNetHW.Board.resolve("pynq-z2")), fclkMHz: 100, fold: .targetFPS(200_000)))
        // Each backend must equal the reference on every image it ran (rtlsim may run a prefix).
        let disagreeing = outcomes.filter { !$0.sim.agrees(with: reference.sim) }.map(\.backend)
        let report = Inference.Report(result: reference, labels: set.labels)

        if json {
            let backends: [JSONText] = outcomes.map {
                .object([("backend", .string($0.backend)), ("seconds", .double($0.seconds)),
                         ("images_per_second", .double(Double($0.sim.count) / max($0.seconds, 1e-9)))])
            }
            let hardware: [(String, JSONText)] = [
                ("board", .string("pynq-z2")), ("fclk_mhz", .int(100)), ("ii_cycles", .int(Int64(design.iiCycles))),
                ("images_per_second", .double(design.imagesPerSecond)), ("dsp_estimate", .int(Int64(design.estimate.dsp))),
                ("lut_estimate", .int(Int64(design.estimate.lut))),
            ]
            try printJSON(JSONText.object([
                ("model", .string(path)), ("model_import", importOptions.json(path: path, model: model)), ("images", .int(Int64(report.images))),
                ("correct", report.correct.map { .int(Int64($0)) } ?? .null), ("accuracy", report.accuracy.map { .double($0) } ?? .null),
                ("backends", .array(backends)), ("bit_exact", .bool(disagreeing.isEmpty)), ("hardware", .object(hardware)),
            ]))
        } else {
            print("zynqnet demo: \(model.layers.count)-layer MLP \(([model.inputCount] + model.layers.map(\.outFeatures)).map(String.init).joined(separator: "-")) from \(path)")
            print("on \(report.images) Fashion-MNIST test images\n")
            if show > 0 {
                Inference.show(codes: codes, result: reference.sim, model: model, labels: set.labels, count: show,
                               names: Datasets.fashionMNISTClasses)
            }
            report.printText(classes: model.outputCount)
            for o in outcomes.dropFirst() {
                print(String(format: "           %.0f images/s on %@", Double(o.sim.count) / max(o.seconds, 1e-9), o.backend))
            }
            let folds = design.layout.folds.enumerated().map { "layer \($0.offset) PE \($0.element.pe) × SIMD \($0.element.simd)" }
            print(String(format: "hardware   PYNQ-Z2 at 100 MHz: II %d cycles = %.0f images/s; estimated %d DSP48E1, %d LUT, %.1f RAMB36",
                         design.iiCycles, design.imagesPerSecond, design.estimate.dsp, design.estimate.lut, design.estimate.bram36))
            print("           \(folds.joined(separator: ", ")) (zynqnet codegen, then zynqnet verify / report)")
            if outcomes.count > 1 {
                print(disagreeing.isEmpty
                      ? "backends   \(outcomes.map(\.backend).joined(separator: ", ")) agree bit for bit on every output"
                      : "backends   DISAGREE: \(disagreeing.joined(separator: ", ")) differ from \(reference.backend)")
            }
        }
        if !disagreeing.isEmpty {
            throw ZynqError(key: "--backend", "\(disagreeing.joined(separator: ", ")) disagree with \(reference.backend)")
        }
    }
}

extension Datasets {
    /// The Fashion-MNIST test images and labels files.
    static func fashionFilePair() throws -> (images: String, labels: String) {
        func find(_ stem: String) throws -> String {
            let dir = fashionMNISTDirectory
            for name in [stem + ".gz", stem] {
                let p = (dir as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: p) { return p }
            }
            throw ZynqError(file: (dir as NSString).appendingPathComponent(stem + ".gz"),
                            "not found: install the Debian package dataset-fashion-mnist (scripts/install-deps.sh) or set ZYNQNET_FASHION_MNIST")
        }
        return (try find("t10k-images-idx3-ubyte"), try find("t10k-labels-idx1-ubyte"))
    }
}
