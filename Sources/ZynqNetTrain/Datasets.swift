import Foundation
import ZynqNetBase
import ZynqNetModel

/// Training (and test) data named on the command line.
public struct DatasetPair: Sendable {
    public var train: LabeledData
    /// The test set: given, built in (Fashion-MNIST's 10,000), or held out of `train`.
    public var test: LabeledData?
    /// How the test set was obtained, for reports ("t10k files", "held-out 20 %").
    public var testSource: String
}

public enum Datasets {
    /// Where Debian's `dataset-fashion-mnist` puts the IDX files; `ZYNQNET_FASHION_MNIST`
    /// overrides it (a directory with the four `*-ubyte[.gz]` files).
    public static var fashionMNISTDirectory: String {
        ProcessInfo.processInfo.environment["ZYNQNET_FASHION_MNIST"] ?? "/usr/share/datasets/fashion-mnist"
    }

    /// Fashion-MNIST class names, index = label.
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    static func fashionFile(_ stem: String) throws -> String {
        let dir = fashionMNISTDirectory
        for name in [stem + ".gz", stem] {
            let p = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        throw ZynqError(file: (dir as NSString).appendingPathComponent(stem + ".gz"),
                        "not found: install the Debian package dataset-fashion-mnist or set ZYNQNET_FASHION_MNIST")
    }

    /// Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 uint8 pixels.
    public static func fashionMNIST() throws -> (train: LabeledData, test: LabeledData) {
        let train = try images(path: fashionFile("train-images-idx3-ubyte"), labels: fashionFile("train-labels-idx1-ubyte"))
        let test = try images(path: fashionFile("t10k-images-idx3-ubyte"), labels: fashionFile("t10k-labels-idx1-ubyte"))
        var named = (train, test)
        named.0.classNames = fashionMNISTClasses
        named.1.classNames = fashionMNISTClasses
        return named
    }

    /// Images with labels from an IDX/npy pair, or an npz with images and labels
    /// (see `ImageSet.load`).
    public static func images(path: String, labels: String?) throws -> LabeledData {
        let set = try ImageSet.load(path: path, labels: labels)
        return try labeled(set.images, labels: set.labels, source: set.source, labelsHint: labels == nil ? path : labels!)
    }

    static func labeled(_ images: NDArray, labels: [Int]?, source: String, labelsHint: String) throws -> LabeledData {
        guard let labels else {
            throw ZynqError(file: labelsHint, "has no labels: give --labels (IDX or .npy) or an npz with 'labels'")
        }
        guard images.shape.count >= 2 else {
            throw ZynqError(file: source, "images must have shape (N, features…), not \(images.shape)")
        }
        let shape = Array(images.shape.dropFirst())
        guard let maxLabel = labels.max(), maxLabel < 1 << 20 else {
            throw ZynqError(file: labelsHint, "labels must be class indices below 2^20")
        }
        let ints = labels.map { Int32($0) }
        switch images.storage {
        case .uint8(let b):
            return try LabeledData(features: .bytes(b), shape: shape, labels: ints, source: source)
        case .float32(let f):
            return try LabeledData(features: .floats(f), shape: shape, labels: ints, source: source, standardize: false)
        case .float64(let f):
            return try LabeledData(features: .floats(f.map { Float($0) }), shape: shape, labels: ints, source: source,
                                   standardize: false)
        default:
            throw ZynqError(file: source, "images must be uint8, float32 or float64, not \(images.dtype)")
        }
    }

    /// An npz with `x_train`/`y_train` and `x_test`/`y_test` (Keras' `mnist.npz` layout).
    static func kerasStyle(path: String) throws -> (LabeledData, LabeledData?)? {
        guard let h = FileHandle(forReadingAtPath: path) else { throw ZynqError(file: path, "cannot be read") }
        let magic = (try? h.read(upToCount: 2)) ?? nil
        try? h.close()
        guard magic.map({ [UInt8]($0) }) == [0x50, 0x4B] else { return nil }
        let arrays = try NPZ.read(path: path)
        guard let x = arrays["x_train"] else { return nil }
        guard let y = arrays["y_train"] else {
            throw ZynqError(file: path, key: "y_train", "missing: an npz with 'x_train' needs 'y_train'")
        }
        let train = try labeled(x, labels: try labelsOf(y, count: x.shape.first ?? 0, file: path, key: "y_train"),
                                source: "\(path)['x_train']", labelsHint: path)
        var test: LabeledData? = nil
        if let xt = arrays["x_test"], let yt = arrays["y_test"] {
            test = try labeled(xt, labels: try labelsOf(yt, count: xt.shape.first ?? 0, file: path, key: "y_test"),
                               source: "\(path)['x_test']", labelsHint: path)
        }
        return (train, test)
    }

    static func labelsOf(_ a: NDArray, count: Int, file: String, key: String) throws -> [Int] {
        guard let v = a.integers(), a.shape == [a.count] || a.shape == [a.count, 1] else {
            throw ZynqError(file: file, key: key, "labels must be integers of shape (N,)")
        }
        guard v.count == count else { throw ZynqError(file: file, key: key, "\(v.count) labels for \(count) images") }
        if let bad = v.firstIndex(where: { $0 < 0 }) {
            throw ZynqError(file: file, key: key, "label \(bad) is \(v[bad]); labels must be non-negative class indices")
        }
        return v.map { Int($0) }
    }

    /// Loads `--dataset` (and the optional test files). `dataset` is `fashion-mnist`, a CSV
    /// (by extension `.csv`), an npz (`x_train`/`y_train`[/`x_test`/`y_test`] or
    /// `images`/`labels`), or IDX/npy images with `labels`. Without a test set, a
    /// seed-fixed `testSplit` fraction of the data is held out as the test set.
    /// The datasets known by name (the rest are files).
    public static let builtInNames = ["fashion-mnist"]

    /// A `--dataset` that is neither a built-in name nor an existing file: the valid names, not a
    /// file-not-found error about a file the user never meant.
    static func checkDatasetName(_ dataset: String) throws {
        if builtInNames.contains(dataset.lowercased()) || FileManager.default.fileExists(atPath: dataset) { return }
        guard !dataset.contains("/"), !dataset.contains(".") else { return }
        throw ZynqError(key: "--dataset", "unknown dataset '\(dataset)': the built-in ones are \(builtInNames.joined(separator: ", ")); "
            + "anything else is a file (.npz, .npy, IDX or .csv)")
    }

    public static func load(
        dataset: String, labels: String? = nil, labelColumn: String? = nil,
        testDataset: String? = nil, testLabels: String? = nil, testSplit: Double = 0.2, seed: UInt64 = 1
    ) throws -> DatasetPair {
        var train: LabeledData
        var test: LabeledData? = nil
        var testSource = ""
        try checkDatasetName(dataset)
        if dataset.lowercased() == "fashion-mnist" {
            (train, test) = try fashionMNIST()
            testSource = "Fashion-MNIST t10k (10,000 images)"
        } else if dataset.lowercased().hasSuffix(".csv") {
            if labels != nil { throw ZynqError(key: "--labels", "is for image files; a CSV has a label column (--label-column)") }
            train = try LabeledData.fromCSV(path: dataset, labelColumn: labelColumn)
        } else if let (tr, te) = try kerasStyle(path: dataset) {
            train = tr
            test = te
            if te != nil { testSource = "\(dataset)['x_test']" }
        } else {
            train = try images(path: dataset, labels: labels)
        }
        if let testDataset {
            test = testDataset.lowercased().hasSuffix(".csv")
                ? try LabeledData.fromCSV(path: testDataset, labelColumn: labelColumn)
                : try images(path: testDataset, labels: testLabels)
            testSource = testDataset
        }
        if test == nil {
            guard testSplit > 0, testSplit < 1 else {
                throw ZynqError(key: "--test-split", "must be in (0, 1) when \(dataset) has no test set")
            }
            let (kept, held) = train.split(heldOutFraction: testSplit, seed: seed)
            guard held != nil else {
                throw ZynqError(file: dataset, "has \(train.count) sample(s): too few to hold out a test set (give --test-dataset)")
            }
            train = kept
            test = held
            testSource = "held-out \(Int((testSplit * 100).rounded())) % of \(dataset) (\(held?.count ?? 0) samples, seed \(seed))"
        }
        if var t = test, let names = train.classNames, let testNames = t.classNames, testNames != names {
            // Class names given as strings: number the test classes as the training set does.
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
            var labels = [Int32]()
            for l in t.labels {
                let name = testNames[Int(l)]
                guard let i = index[name] else {
                    throw ZynqError(file: t.source, "class '\(name)' does not occur in the training data \(train.source)")
                }
                labels.append(i)
            }
            t.labels = labels
            t.classNames = names
            t.classCount = names.count
            test = t
        }
        return DatasetPair(train: train, test: test, testSource: testSource)
    }
}
