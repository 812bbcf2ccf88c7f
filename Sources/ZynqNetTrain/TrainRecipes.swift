import Foundation
import ZynqNetBase
import ZynqNetModel

/// The training runs behind the shipped example models, callable from code (e.g. by
/// `zynqnet demo` when `examples/fashion-mnist/model.npz` is missing).
public enum TrainRecipes {
    /// `zynqnet train` arguments that made `examples/fashion-mnist/model.npz`
    /// (add `-o PATH`). The recipe below uses exactly these settings.
    public static let fashionMNISTArguments = [
        "--dataset", "fashion-mnist", "--layers", "784,128,10", "--epochs", "20", "--lr", "0.002", "--seed", "1",
    ]

    /// `zynqnet train` arguments that made `examples/iris/model.npz`.
    public static let irisArguments = [
        "--dataset", "examples/iris/iris.csv", "--layers", "4,30,30,3", "--epochs", "200", "--batch", "16",
        "--lr", "0.01", "--seed", "1",
    ]

    /// Options of the Fashion-MNIST 784-128-10 example: Adam, peak learning rate 0.002 with
    /// cosine decay, batch 128, 10 % validation split, seed 1, uint8 activations, per-tensor
    /// weights, post-training quantization. `epochs` below 20 trades accuracy for time.
    public static func fashionMNISTOptions(epochs: Int = 20, threads: Int = Parallel.defaultThreads)
        -> (TrainOptions, QuantizationOptions) {
        var o = TrainOptions(sizes: [784, 128, 10])
        o.epochs = epochs
        o.learningRate = 0.002
        o.seed = 1
        o.threads = threads
        return (o, QuantizationOptions())
    }

    /// Trains the Fashion-MNIST example (about 20 × 1–3 s on two cores) and returns the
    /// outcome, with float and simulated quantized accuracy on the 10,000 test images.
    public static func fashionMNISTDefault(
        epochs: Int = 20, threads: Int = Parallel.defaultThreads,
        progress: (@Sendable (TrainProgress) -> Void)? = nil
    ) throws -> TrainOutcome {
        let (train, test) = try Datasets.fashionMNIST()
        let (o, q) = fashionMNISTOptions(epochs: epochs, threads: threads)
        return try Trainer.run(train: train, test: test, options: o, quantization: q, progress: progress)
    }

    /// The model at `path` if it exists; otherwise trains it with `fashionMNISTDefault`,
    /// saves it there (atomically, creating the directory) and returns it with the outcome.
    public static func fashionMNISTModel(
        at path: String, epochs: Int = 20, progress: (@Sendable (TrainProgress) -> Void)? = nil
    ) throws -> (model: QuantizedModel, trained: TrainOutcome?) {
        if FileManager.default.fileExists(atPath: path) {
            return (try QuantizedModel.load(path: path), nil)
        }
        let outcome = try fashionMNISTDefault(epochs: epochs, progress: progress)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw ZynqError(file: dir, "cannot create the directory: \(FileProblem.reason(error))")
            }
        }
        try outcome.model.save(to: path)
        return (outcome.model, outcome)
    }

    /// The first `count` Fashion-MNIST test images (uint8, (count, 28, 28)) and labels, as an
    /// npz with keys `images` and `labels` (what `zynqnet infer` reads).
    public static func writeFashionMNISTTestSubset(count: Int, to path: String) throws {
        let (_, test) = try Datasets.fashionMNIST()
        guard count >= 1, count <= test.count else {
            throw ZynqError(key: "count", "must be in 1…\(test.count), not \(count)")
        }
        let sub = test.subset(Array(0..<count))
        guard case .bytes(let px) = sub.features else { throw ZynqError(file: test.source, "images are not uint8") }
        try NPZ.write([
            ("images", NDArray(shape: [count] + sub.shape, storage: .uint8(px))),
            ("labels", NDArray(shape: [count], storage: .uint8(sub.labels.map { UInt8($0) }))),
        ], to: path)
    }
}

extension TrainRecipes {
    /// How `zynqnet demo` names the Fashion-MNIST example model built into the binary.
    public static let builtInModelName = "<built-in> examples/fashion-mnist/model.npz"
    public static let builtInTestSetName = "<built-in> examples/fashion-mnist/test-200.npz"

    /// The Fashion-MNIST example model (examples/fashion-mnist/model.npz) as built into the binary.
    public static func builtInFashionMNISTModel() throws -> QuantizedModel {
        try QuantizedModel(importing: NPZ.read(bytes: decode(EmbeddedDemo.modelBase64), name: builtInModelName), file: builtInModelName)
    }

    /// Its first 200 test images and labels (examples/fashion-mnist/test-200.npz), built in.
    public static func builtInFashionMNISTTestSet() throws -> ImageSet {
        try ImageSet.load(bytes: decode(EmbeddedDemo.testImagesBase64), name: builtInTestSetName)
    }

    static func decode(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64, options: .ignoreUnknownCharacters) ?? Data())
    }
}
