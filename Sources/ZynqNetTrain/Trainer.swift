import Foundation
import ZynqNetBase
import ZynqNetModel

/// Everything that shapes float training and QAT.
public struct TrainOptions: Sendable, Equatable {
    /// Layer widths, input first: e.g. [784, 128, 10].
    public var sizes: [Int]
    public var epochs: Int = 10
    public var batchSize: Int = 128
    /// Peak learning rate; nil: 1e-3 for Adam, 0.05 for SGD.
    public var learningRate: Float? = nil
    public var optimizer: OptimizerKind = .adam
    /// SGD momentum.
    public var momentum: Float = 0.9
    /// Decoupled weight decay (AdamW) or L2 (SGD), on weights only.
    public var weightDecay: Float = 0
    public var seed: UInt64 = 1
    /// Fraction of the training data held out for validation (seed-fixed).
    public var validationFraction: Double = 0.1
    /// Cosine decay of the learning rate to 0 over the run (else constant).
    public var cosineSchedule: Bool = true
    /// Train biases (the MNIST notebook's network has none).
    public var useBias: Bool = true
    public var threads: Int = Parallel.defaultThreads
    /// Quantization-aware fine-tuning epochs after float training (0: post-training only).
    public var qatEpochs: Int = 0
    /// QAT learning rate; nil: a tenth of the float learning rate.
    public var qatLearningRate: Float? = nil

    public init(sizes: [Int]) { self.sizes = sizes }

    public var effectiveLearningRate: Float { learningRate ?? (optimizer == .adam ? 1e-3 : 0.05) }
    public var effectiveQATLearningRate: Float { qatLearningRate ?? effectiveLearningRate / 10 }
}

public struct QuantizationOptions: Sendable, Equatable {
    /// Activation type of the input and of every layer's output.
    public var activations: ActivationType = .uint8
    public var perChannel: Bool = false
    /// The MNIST notebook's shift-only export (M = 1, floor, uint8, zero points 0).
    public var shiftOnly: Bool = false
    /// Training samples (a seed-fixed subset) used to calibrate activation ranges.
    public var calibrationSamples: Int = 10000

    public init() {}
}

public enum TrainPhase: String, Sendable {
    case float, qat
}

public struct EpochReport: Sendable {
    public var phase: TrainPhase
    public var epoch: Int
    public var epochs: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var seconds: Double
}

public enum TrainProgress: Sendable {
    case batch(phase: TrainPhase, epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, accuracy: Double)
    case epoch(EpochReport)
}

/// The result of a training run.
public struct TrainOutcome: Sendable {
    /// The float network after float training, taking raw inputs (standardization folded in).
    public var floatNetwork: FloatMLP
    /// The float network that was quantized (after QAT when QAT ran).
    public var quantizedFrom: FloatMLP
    public var model: QuantizedModel
    public var input: InputQuantization
    /// The real-valued grid of every layer's output in `model` (shift-only: the calibrated
    /// scales the shifts were derived from, zero points 0).
    public var outputs: [ActivationQuantization]
    public var warnings: [String]
    /// Float accuracy of `floatNetwork` on the test data (nil without test data).
    public var floatTestAccuracy: Double?
    /// Accuracy of `model` on the test data, from the bit-exact simulator.
    public var quantizedTestAccuracy: Double?
    public var epochs: [EpochReport]
    /// Samples trained on and held out for validation.
    public var trainCount: Int
    public var validationCount: Int
    /// Wall time of float training epochs (seconds each).
    public var floatEpochSeconds: [Double]
    public var seconds: Double
}

public enum Trainer {
    /// Independent seeds for the parts of a run, derived from the user's seed.
    struct Seeds {
        let initialization, validationSplit, shuffle, calibration: UInt64
        init(_ seed: UInt64) {
            var sm = SplitMix64(seed: seed)
            initialization = sm.next()
            validationSplit = sm.next()
            shuffle = sm.next()
            calibration = sm.next()
        }
    }

    /// Trains a float MLP on `train`, optionally fine-tunes it with QAT, and quantizes it to
    /// format 1. Deterministic for fixed options (and machine), whatever `threads` is.
    public static func run(
        train all: LabeledData, test: LabeledData?, options: TrainOptions, quantization: QuantizationOptions,
        progress: (@Sendable (TrainProgress) -> Void)? = nil
    ) throws -> TrainOutcome {
        let start = Date()
        try check(options, quantization, data: all, test: test)
        let seeds = Seeds(options.seed)
        let (trainRaw, valRaw) = all.split(heldOutFraction: options.validationFraction, seed: seeds.validationSplit)

        // Float data are standardized for training; the statistics are folded into layer 0 later.
        let stdz = trainRaw.standardization()
        let train = stdz.map { trainRaw.standardized(mean: $0.mean, invStd: $0.invStd) } ?? trainRaw
        let val = valRaw.map { v in stdz.map { v.standardized(mean: $0.mean, invStd: $0.invStd) } ?? v }

        var rng = Xoshiro256(seed: seeds.initialization)
        let initial = FloatMLP.heInitialized(sizes: options.sizes, rng: &rng)
        let engine = MLPEngine(network: initial, capacity: options.batchSize, threads: options.threads, useBias: options.useBias)
        var reports: [EpochReport] = []
        var epochSeconds: [Double] = []
        var shuffler = Xoshiro256(seed: seeds.shuffle)
        let batchesPerEpoch = (train.count + options.batchSize - 1) / options.batchSize

        func runEpochs(_ phase: TrainPhase, _ engine: MLPEngine, epochs: Int, lr base: Float,
                       trainData: LabeledData, valData: LabeledData?, beforeEpoch: (Int) -> Void) throws {
            let total = max(1, epochs * batchesPerEpoch)
            let stepOffset = engine.stepCount
            for epoch in 1...max(epochs, 1) where epochs > 0 {
                beforeEpoch(epoch)
                let t0 = Date()
                var order = (0..<trainData.count).map { Int32($0) }
                shuffler.shuffle(&order)
                let stats = engine.trainEpoch(
                    trainData, order: order, quantized: phase == .qat, optimizer: options.optimizer,
                    momentum: options.momentum, weightDecay: options.weightDecay,
                    learningRate: { step in
                        guard options.cosineSchedule else { return base }
                        let t = Double(step - stepOffset) / Double(total)
                        return Float(Double(base) * 0.5 * (1 + cos(Double.pi * min(t, 1))))
                    },
                    onBatch: progress.map { report in
                        { b, n, s in
                            report(.batch(phase: phase, epoch: epoch, epochs: epochs, batch: b, batches: n,
                                          loss: s.loss, accuracy: s.accuracy))
                        }
                    })
                guard stats.loss.isFinite else {
                    throw ZynqError(key: phase == .qat ? "--qat-lr" : "--lr",
                                    "training diverged (the \(phase.rawValue) loss is not finite in epoch \(epoch)); use a smaller learning rate")
                }
                let seconds = Date().timeIntervalSince(t0)
                let v = valData.map { engine.evaluate($0, quantized: phase == .qat).stats }
                let report = EpochReport(
                    phase: phase, epoch: epoch, epochs: epochs, trainLoss: stats.loss, trainAccuracy: stats.accuracy,
                    validationLoss: v?.loss, validationAccuracy: v?.accuracy, seconds: seconds)
                reports.append(report)
                if phase == .float { epochSeconds.append(seconds) }
                progress?(.epoch(report))
            }
        }

        try runEpochs(.float, engine, epochs: options.epochs, lr: options.effectiveLearningRate,
                  trainData: train, valData: val, beforeEpoch: { _ in })

        var floatNet = engine.network
        if let stdz { floatNet = floatNet.foldingStandardization(mean: stdz.mean, invStd: stdz.invStd) }
        let floatTest = test.map { accuracy(of: floatNet, on: $0, threads: options.threads) }

        // From here on the network takes raw inputs on the model's input grid.
        let q = quantization
        let input: InputQuantization
        if all.isBytes {
            input = .images(q.shiftOnly ? .uint8 : q.activations)
        } else {
            let r = trainRaw.featureRange()
            input = .covering(lo: r.lo, hi: r.hi, type: q.shiftOnly ? .uint8 : q.activations)
        }
        let trainQ = trainRaw.onInputGrid(input)
        let valQ = valRaw?.onInputGrid(input)
        var calibIndices = Array(0..<trainQ.count)
        var calibRng = Xoshiro256(seed: seeds.calibration)
        calibRng.shuffle(&calibIndices)
        let calib = trainQ.subset(Array(calibIndices.prefix(max(1, q.calibrationSamples))).sorted())

        var net = floatNet
        if options.qatEpochs > 0 {
            let qatEngine = MLPEngine(network: floatNet, capacity: options.batchSize, threads: options.threads,
                                      useBias: options.useBias || stdz != nil)
            try runEpochs(.qat, qatEngine, epochs: options.qatEpochs, lr: options.effectiveQATLearningRate,
                      trainData: trainQ, valData: valQ, beforeEpoch: { _ in
                let outs = Calibration.outputs(of: qatEngine.network, data: calib, input: input, type: q.activations,
                                               perChannel: q.perChannel, sequential: true, threads: options.threads)
                qatEngine.plan = FakeQuantPlan(inputScale: input.scale, outputs: outs, perChannel: q.perChannel)
            })
            net = qatEngine.network
        }

        let model: QuantizedModel
        let outs: [ActivationQuantization]
        var warnings: [String] = []
        if q.shiftOnly {
            let ranges = Calibration.ranges(of: net, data: calib, input: input, type: .uint8, perChannel: false,
                                            sequential: false, threads: options.threads)
            let scales = ranges.map { ($0.hi > 0 && $0.hi.isFinite ? $0.hi : 1) / 255 }
            outs = scales.enumerated().map { l, s in
                ActivationQuantization(scale: s, zero: 0, type: .uint8, relu: l < scales.count - 1)
            }
            (model, warnings) = Quantizer.exportShiftOnly(net, inputShape: all.shape, inputScale: input.scale, outputScales: scales)
        } else {
            outs = Calibration.outputs(of: net, data: calib, input: input, type: q.activations,
                                       perChannel: q.perChannel, sequential: true, threads: options.threads)
            (model, warnings) = try Quantizer.export(net, inputShape: all.shape, input: input, outputs: outs, perChannel: q.perChannel)
        }
        let quantizedTest = try test.map { try QuantizedEvaluation.accuracy(model, on: $0) }
        return TrainOutcome(
            floatNetwork: floatNet, quantizedFrom: net, model: model, input: input, outputs: outs, warnings: warnings,
            floatTestAccuracy: floatTest, quantizedTestAccuracy: quantizedTest, epochs: reports,
            trainCount: trainRaw.count, validationCount: valRaw?.count ?? 0, floatEpochSeconds: epochSeconds,
            seconds: Date().timeIntervalSince(start))
    }

    /// Float accuracy of `net` on `data` (raw inputs).
    public static func accuracy(of net: FloatMLP, on data: LabeledData, threads: Int = Parallel.defaultThreads) -> Double {
        let engine = MLPEngine(network: net, capacity: TrainOptions.evaluationBatch, threads: threads, useBias: true)
        return engine.evaluate(data, quantized: false).stats.accuracy
    }

    static func check(_ o: TrainOptions, _ q: QuantizationOptions, data: LabeledData, test: LabeledData?) throws {
        guard o.sizes.count >= 2, o.sizes.allSatisfy({ $0 > 0 }) else {
            throw ZynqError(key: "--layers", "needs at least two positive widths, got \(o.sizes)")
        }
        guard o.sizes[0] == data.featureCount else {
            throw ZynqError(key: "--layers", "starts with \(o.sizes[0]) but \(data.source) has \(data.featureCount) features per sample")
        }
        guard o.sizes.last! >= data.classCount else {
            throw ZynqError(key: "--layers", "ends with \(o.sizes.last!) outputs but \(data.source) has \(data.classCount) classes")
        }
        if let test {
            guard test.featureCount == data.featureCount else {
                throw ZynqError(file: test.source, "test samples have \(test.featureCount) features, training samples \(data.featureCount)")
            }
            guard Int(test.labels.max() ?? 0) < o.sizes.last! else {
                throw ZynqError(file: test.source, "test label \(test.labels.max() ?? 0) has no output (last layer has \(o.sizes.last!))")
            }
        }
        guard o.batchSize >= 1 else { throw ZynqError(key: "--batch", "must be at least 1") }
        guard o.epochs >= 0, o.qatEpochs >= 0 else { throw ZynqError(key: "--epochs", "must not be negative") }
        guard o.validationFraction >= 0, o.validationFraction < 1 else {
            throw ZynqError(key: "--val-split", "must be in [0, 1)")
        }
        guard o.effectiveLearningRate > 0, o.effectiveLearningRate.isFinite else {
            throw ZynqError(key: "--lr", "must be a positive number")
        }
        if q.shiftOnly && o.qatEpochs > 0 {
            throw ZynqError(key: "--qat", "fake quantization models (M, s) requantization; it cannot be combined with --shift-only")
        }
        guard q.calibrationSamples >= 1 else { throw ZynqError(key: "--calibration", "must be at least 1") }
    }
}

extension LabeledData {
    /// (x − mean) · invStd for float features (bytes are returned unchanged).
    func standardized(mean: [Float], invStd: [Float]) -> LabeledData {
        guard case .floats(let f) = features else { return self }
        let n = featureCount
        var out = f
        for i in 0..<out.count {
            let j = i % n
            out[i] = (f[i] - mean[j]) * invStd[j]
        }
        var copy = self
        copy.features = .floats(out)
        return copy
    }

    /// Float features replaced by the real values of their input codes (what the quantized
    /// model sees); bytes are already exact.
    func onInputGrid(_ q: InputQuantization) -> LabeledData {
        guard case .floats(let f) = features else { return self }
        var copy = self
        copy.features = .floats(f.map { q.dequantize(q.quantize($0)) })
        return copy
    }
}

extension TrainOptions {
    /// Widest layer and largest batch `--layers` and `--batch` accept before the memory estimate.
    public static let maxWidth = 1 << 24
    public static let maxBatchSize = 1 << 24
    /// The batch of the engine that measures float accuracy (`Trainer.accuracy`).
    public static let evaluationBatch = 512

    /// Bytes training allocates, estimated from the engines' buffers: per weight 8 floats (the
    /// weights, their gradient, Adam's two moments, the quantized and the network's copies), per
    /// unit of a batch 13 bytes (activation, pre-activation, delta, ReLU mask), and the
    /// transposed input, for the training batch and for the evaluation engine's batch
    /// (`evaluationBatch`, alive beside it after float training). nil if the count overflows.
    /// An estimate to refuse what cannot fit.
    public var estimatedBytes: Int? {
        func mul(_ a: Int, _ b: Int) -> Int? { let r = a.multipliedReportingOverflow(by: b); return r.overflow ? nil : r.partialValue }
        func sum(_ a: Int, _ b: Int) -> Int? { let r = a.addingReportingOverflow(b); return r.overflow ? nil : r.partialValue }
        var parameters = 0
        for (i, o) in zip(sizes, sizes.dropFirst()) {
            guard let w = mul(i, o), let p = sum(parameters, w), let q = sum(p, o) else { return nil }
            parameters = q
        }
        var units = 0
        for s in sizes { guard let u = sum(units, s) else { return nil }; units = u }
        guard let perSample0 = mul(units, 13), let perSample = sum(perSample0, 4 * (sizes.dropLast().max() ?? 1)),
              let rows = sum(batchSize, TrainOptions.evaluationBatch),
              let batchBytes = mul(rows, perSample), let weightBytes = mul(parameters, 32) else { return nil }
        return sum(batchBytes, weightBytes)
    }
}
