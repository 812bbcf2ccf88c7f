import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetModel
import ZynqNetTrain

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a dense ReLU MLP and quantize it to a format-1 model the hardware runs.",
        discussion: """
        DATA is `fashion-mnist` (Debian's dataset-fashion-mnist: 60,000 training and 10,000 \
        test images), an IDX or .npy image file with --labels, an .npz (x_train/y_train with \
        optional x_test/y_test, or images/labels), or a .csv with a label column. Without a test \
        set, --test-split of the data is held out (seed-fixed) as the test set.

        Float training (He init, softmax cross-entropy, Adam or SGD with momentum, cosine \
        learning-rate decay, shuffling, a held-out validation split) is deterministic for a \
        seed. The model is then quantized after training, calibrated on training data \
        (symmetric int8 weights, int32 biases, (M, s) multipliers with M in [2^30, 2^31), \
        half_up), or fine-tuned first with --qat. Both accuracies are measured on the test \
        set; the quantized one with the bit-exact simulator.
        """
    )

    @Option(name: .long, help: "fashion-mnist, images (IDX/.npy, with --labels), .npz or .csv.")
    var dataset: String

    @Option(name: .long, help: "Labels for an IDX or .npy image file (IDX or .npy).")
    var labels: String?

    @Option(name: .long, help: "CSV label column: a header name or a 0-based index (default: label/class/target/species/y, else the last).")
    var labelColumn: String?

    @Option(name: .long, help: "A separate test set (same kinds as --dataset).")
    var testDataset: String?

    @Option(name: .long, help: "Labels for an IDX or .npy --test-dataset.")
    var testLabels: String?

    @Option(name: .long, help: "Fraction held out as the test set when DATA has none.")
    var testSplit: Double = 0.2

    @Option(name: .long, help: "Layer widths, input first, e.g. 784,128,10 (default: features,128,classes).")
    var layers: String?

    @Option(name: .long, help: "Float training epochs.")
    var epochs: Int = 15

    @Option(name: .long, help: "Mini-batch size.")
    var batch: Int = 128

    @Option(name: .long, help: "Peak learning rate (default: 0.001 for adam, 0.05 for sgd).")
    var lr: Float?

    @Option(name: .long, help: "adam or sgd (with --momentum).")
    var optimizer: String = "adam"

    @Option(name: .long, help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(name: .long, help: "Weight decay (decoupled for adam, L2 for sgd).")
    var weightDecay: Float = 0

    @Option(name: .long, help: "Learning-rate schedule: cosine or constant.")
    var schedule: String = "cosine"

    @Option(name: .long, help: "Random seed: initialization, splits, shuffling, calibration subset.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Fraction of the training data held out for validation.")
    var valSplit: Double = 0.1

    @Flag(name: .long, help: "Quantization-aware fine-tuning (fake quantization, straight-through estimator) before export.")
    var qat = false

    @Option(name: .long, help: "QAT epochs (with --qat).")
    var qatEpochs: Int = 3

    @Option(name: .long, help: "QAT learning rate (default: a tenth of --lr).")
    var qatLr: Float?

    @Option(name: .long, help: "Activation type of the input and every layer: uint8 or int8.")
    var activations: String = "uint8"

    @Flag(name: .long, help: "One weight scale per output channel (else one per layer).")
    var perChannel = false

    @Flag(name: .long, help: "Export the MNIST notebook's style: M = 1, floor, shift only, uint8, no biases.")
    var shiftOnly = false

    @Flag(name: .long, help: "Train without biases (implied by --shift-only).")
    var noBias = false

    @Option(name: .long, help: "Training samples used to calibrate activation ranges.")
    var calibration: Int = 10000

    @Option(name: .long, help: "Worker threads (default: all cores; results do not depend on it).")
    var threads: Int?

    @Option(name: [.short, .customLong("output")], help: "Where to write the model (.npz, format 1).")
    var output: String

    @Option(name: .long, help: "Also write the test set (images, labels) to this .npz, for `zynqnet infer`.")
    var saveTestSet: String?

    @Flag(name: .long, help: "Print one JSON object (float_accuracy, quantized_accuracy, epochs, seconds, …).")
    var json = false

    func parsedLayers() throws -> [Int]? {
        guard let layers else { return nil }
        let parts = layers.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--layers must be at least two positive integers separated by commas, e.g. 784,128,10, not '\(layers)'")
        }
        if let wide = parts.first(where: { $0! > TrainOptions.maxWidth }) {
            throw ValidationError("--layers: width \(wide!) is out of range 1…\(TrainOptions.maxWidth)")
        }
        return parts.map { $0! }
    }

    func validate() throws {
        _ = try parsedLayers()
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, not \(epochs)") }
        guard (1...TrainOptions.maxBatchSize).contains(batch) else {
            throw ValidationError("--batch must be 1…\(TrainOptions.maxBatchSize), not \(batch)")
        }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, not \(lr)") }
        if let qatLr, !(qatLr > 0 && qatLr.isFinite) { throw ValidationError("--qat-lr must be a positive number, not \(qatLr)") }
        guard OptimizerKind(rawValue: optimizer) != nil else {
            throw ValidationError("--optimizer must be adam or sgd, not '\(optimizer)'")
        }
        guard ["cosine", "constant"].contains(schedule) else {
            throw ValidationError("--schedule must be cosine or constant, not '\(schedule)'")
        }
        guard momentum >= 0 && momentum < 1 else { throw ValidationError("--momentum must be in [0, 1), not \(momentum)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw ValidationError("--weight-decay must be ≥ 0, not \(weightDecay)") }
        guard valSplit >= 0 && valSplit < 1 else { throw ValidationError("--val-split must be in [0, 1), not \(valSplit)") }
        guard testSplit > 0 && testSplit < 1 else { throw ValidationError("--test-split must be in (0, 1), not \(testSplit)") }
        guard qatEpochs >= 1 else { throw ValidationError("--qat-epochs must be at least 1, not \(qatEpochs)") }
        guard ["uint8", "int8"].contains(activations) else {
            throw ValidationError("--activations must be uint8 or int8, not '\(activations)'")
        }
        if shiftOnly && qat { throw ValidationError("--qat cannot be combined with --shift-only (QAT models (M, s) requantization)") }
        if shiftOnly && activations == "int8" { throw ValidationError("--shift-only exports uint8 activations; drop --activations int8") }
        if shiftOnly && perChannel { throw ValidationError("--shift-only uses one weight scale per layer; drop --per-channel") }
        guard calibration >= 1 else { throw ValidationError("--calibration must be at least 1, not \(calibration)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        guard output.hasSuffix(".npz") else { throw ValidationError("--output must name an .npz file, not '\(output)'") }
        if let saveTestSet, !saveTestSet.hasSuffix(".npz") {
            throw ValidationError("--save-test-set must name an .npz file, not '\(saveTestSet)'")
        }
        if labels != nil && dataset == "fashion-mnist" { throw ValidationError("--labels is not used with fashion-mnist") }
        if testLabels != nil && testDataset == nil { throw ValidationError("--test-labels needs --test-dataset") }
    }

    func run() throws {
        // Both outputs are checked before training and written together after it.
        let plan = OutputPlan(inputs: [dataset, labels, testDataset, testLabels])
        try plan.file(output, option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet))
        if let saveTestSet { try plan.file(saveTestSet, option: "--save-test-set", existing: .ownedIf(NPZ.writtenByZynqnet)) }
        let data = try Datasets.load(
            dataset: dataset, labels: labels, labelColumn: labelColumn, testDataset: testDataset,
            testLabels: testLabels, testSplit: testSplit, seed: seed)
        var options = TrainOptions(sizes: try parsedLayers() ?? [data.train.featureCount, 128, data.train.classCount])
        options.epochs = epochs
        options.batchSize = batch
        options.learningRate = lr
        options.optimizer = OptimizerKind(rawValue: optimizer)!
        options.momentum = momentum
        options.weightDecay = weightDecay
        options.cosineSchedule = schedule == "cosine"
        options.seed = seed
        options.validationFraction = valSplit
        options.useBias = !(noBias || shiftOnly)
        options.qatEpochs = qat ? qatEpochs : 0
        options.qatLearningRate = qatLr
        if let threads {
            let capped = Parallel.capped(threads: threads)
            options.threads = capped.threads
            if let note = capped.note, !json { Terminal.printErr("train: note: \(note)") }
        }
        // Before any allocation: what training needs must fit this machine's memory.
        let limit = MemoryLimit.available()
        var oneSample = options
        oneSample.batchSize = 1
        // The batch is to blame if the layers alone would fit.
        let memoryOption = (oneSample.estimatedBytes ?? Int.max) <= limit ? ("--batch", String(batch))
            : ("--layers", options.sizes.map(String.init).joined(separator: ","))
        if let message = MemoryLimit.excess(options.estimatedBytes, option: memoryOption.0, value: memoryOption.1,
                                            what: "training \(options.sizes.map(String.init).joined(separator: "-")) in batches of \(batch)",
                                            limit: limit) {
            throw ValidationError(message)
        }
        var quantization = QuantizationOptions()
        quantization.activations = activations == "int8" ? .int8 : .uint8
        quantization.perChannel = perChannel
        quantization.shiftOnly = shiftOnly
        quantization.calibrationSamples = calibration

        if !json {
            let sizes = options.sizes.map(String.init).joined(separator: "-")
            Terminal.printErr("train: \(sizes) on \(data.train.source) (\(data.train.count) samples), "
                + "\(options.threads) thread(s), SGEMM \(Parallel.gemmPath)")
        }
        let progress = TrainProgressPrinter()
        let outcome = try Trainer.run(
            train: data.train, test: data.test, options: options, quantization: quantization,
            progress: { progress.handle($0) })
        try outcome.model.save(to: output, plan: plan)
        if let saveTestSet, let test = data.test {
            try NPZ.write([
                ("images", QuantizedEvaluation.images(test)),
                ("labels", NDArray(shape: [test.count], storage: .int64(test.labels.map { Int64($0) }))),
            ], to: saveTestSet, plan: plan)
        }
        try plan.commit()

        let floatEpochs = outcome.floatEpochSeconds
        let meanEpoch = floatEpochs.reduce(0, +) / Double(max(1, floatEpochs.count))
        if json {
            var fields: [(String, String)] = [
                ("float_accuracy", jsonNumber(outcome.floatTestAccuracy)),
                ("quantized_accuracy", jsonNumber(outcome.quantizedTestAccuracy)),
                ("epochs", String(epochs)),
                ("qat_epochs", String(options.qatEpochs)),
                ("seconds", String(format: "%.3f", outcome.seconds)),
                ("epoch_seconds", String(format: "%.3f", meanEpoch)),
                ("train_samples", String(outcome.trainCount)),
                ("validation_samples", String(outcome.validationCount)),
                ("test_samples", String(data.test?.count ?? 0)),
                ("layers", "[" + options.sizes.map(String.init).joined(separator: ",") + "]"),
                ("output", JSONText.quote(output)),
            ]
            if let v = outcome.epochs.last(where: { $0.phase == .float })?.validationAccuracy {
                fields.append(("validation_accuracy", jsonNumber(v)))
            }
            fields.append(("warnings", "[" + outcome.warnings.map(JSONText.quote).joined(separator: ",") + "]"))
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            return
        }
        for w in outcome.warnings { Terminal.printErr("warning: \(w)") }
        let q = outcome.model
        let style = shiftOnly ? "shift-only (M = 1, floor), uint8"
            : "\(activations), \(perChannel ? "per-channel" : "per-tensor") weights, (M, s) half_up"
        print("test set: \(data.testSource)")
        print(String(format: "  float accuracy      %6.2f %%", 100 * (outcome.floatTestAccuracy ?? 0)))
        print(String(format: "  quantized accuracy  %6.2f %%  (%@%@; bit-exact simulator)",
                     100 * (outcome.quantizedTestAccuracy ?? 0), style, options.qatEpochs > 0 ? ", after QAT" : ""))
        if let f = outcome.floatTestAccuracy, let qa = outcome.quantizedTestAccuracy {
            print(String(format: "  difference          %+6.2f points", 100 * (qa - f)))
        }
        let params = q.layers.reduce(0) { $0 + $1.weight.count + $1.bias.count }
        print(String(format: "wrote %@ (%@, %d parameters) in %.1f s (%.2f s per float epoch)",
                     output, options.sizes.map(String.init).joined(separator: "-"), params, outcome.seconds, meanEpoch))
    }
}

private func jsonNumber(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }


/// Prints training progress on standard error: a live bar per epoch on a terminal, one
/// concise line per epoch always.
final class TrainProgressPrinter: @unchecked Sendable {
    private var bar: ProgressBar?
    private var barEpoch = (TrainPhase.float, 0)

    func handle(_ event: TrainProgress) {
        switch event {
        case let .batch(phase, epoch, epochs, batch, batches, loss, accuracy):
            if bar == nil || barEpoch != (phase, epoch) {
                bar = ProgressBar(total: batches, label: "\(phase.rawValue) \(epoch)/\(epochs)")
                barEpoch = (phase, epoch)
            }
            bar?.update(batch, extra: String(format: "loss %.4f acc %.2f%%", loss, 100 * accuracy))
        case .epoch(let r):
            bar?.finish()
            bar = nil
            // Every epoch of short runs; about ten lines (and the last epoch) of long ones.
            let every = r.epochs <= 20 ? 1 : (r.epochs + 9) / 10
            guard r.epoch % every == 0 || r.epoch == r.epochs || r.epoch == 1 else { return }
            var line = String(format: "%@ epoch %d/%d  loss %.4f  train acc %.2f%%", r.phase.rawValue, r.epoch, r.epochs,
                              r.trainLoss, 100 * r.trainAccuracy)
            if let v = r.validationAccuracy { line += String(format: "  val acc %.2f%%", 100 * v) }
            line += String(format: "  %.2f s", r.seconds)
            Terminal.printErr(line)
        }
    }
}
