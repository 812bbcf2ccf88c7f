import ZynqNetBase

/// A batch of images (first dimension = image index) with optional labels.
public struct ImageSet: Sendable, Equatable {
    /// uint8, float32 or float64; shape `(N, ...)`.
    public var images: NDArray
    /// One non-negative class index per image, when known.
    public var labels: [Int]?
    /// Where the images came from, e.g. `"test.npz['x_test']"`.
    public var source: String
    /// The file and key the labels came from (the key is nil for an IDX or `.npy` labels file).
    public var labelFile: String?
    public var labelKey: String?

    public init(images: NDArray, labels: [Int]?, source: String, labelFile: String? = nil, labelKey: String? = nil) {
        self.images = images
        self.labels = labels
        self.source = source
        self.labelFile = labelFile
        self.labelKey = labelKey
    }

    /// Number of images (the first dimension).
    public var count: Int { images.shape.first ?? 0 }

    /// Checks that every label is a class of a model with `classes` outputs (0…classes−1):
    /// 1-based labels would otherwise score a silent, wrong accuracy.
    public func checkLabels(classes: Int) throws(ZynqError) {
        guard let labels, let i = labels.firstIndex(where: { $0 >= classes }) else { return }
        throw ZynqError(file: labelFile, key: labelKey ?? "labels",
                        "label \(i) is \(labels[i]), but the model has \(classes) classes: labels must be 0…\(classes - 1)")
    }

    /// Throws when there are no images: an accuracy of 0 images is not a number.
    public func checkNotEmpty() throws(ZynqError) {
        guard count == 0 else { return }
        throw ZynqError(file: source, "no images: the file holds 0, and an accuracy of 0 images is not a number")
    }
}

extension ImageSet {
    /// Keys searched, in this order, for the images in an `.npz`.
    public static let imageKeys = ["images", "x_test", "test_images", "x"]
    /// Keys searched, in this order, for the labels in an `.npz`.
    public static let labelKeys = ["labels", "y_test", "test_labels", "y"]

    /// Loads images from an `.npz` (keys `images` | `x_test` | `test_images` | `x`, optional labels
    /// `labels` | `y_test` | `test_labels` | `y`), an IDX file (plain or gzip) or a `.npy` file.
    /// `labels`, if given, names an IDX or `.npy` labels file; it takes precedence over labels in the npz.
    /// The file type is recognised from its contents, not its name.
    public static func load(path: String, labels labelsPath: String? = nil) throws(ZynqError) -> ImageSet {
        let bytes = try FileBytes.read(path: path)
        var labelFile: (bytes: [UInt8], name: String)? = nil
        if let labelsPath { labelFile = (bytes: try FileBytes.read(path: labelsPath), name: labelsPath) }
        return try load(bytes: bytes, name: path, labels: labelFile)
    }

    /// `load(path:labels:)` on file contents already in memory; `name` and `labels.name` are used in errors.
    public static func load(bytes: [UInt8], name path: String,
                            labels labelFile: (bytes: [UInt8], name: String)? = nil) throws(ZynqError) -> ImageSet {
        let images: NDArray
        var labels: [Int]?
        var source = path
        var labelKey: String?

        let kind = bytes.withUnsafeBytes { b -> Kind in
            if ZipReader.hasMagic(b) { return .npz }
            if NPY.hasMagic(b) { return .npy }
            if Gzip.hasMagic(b) || IDX.hasMagic(b) { return .idx }
            return .unknown
        }
        switch kind {
        case .npz:
            let arrays = try NPZ.readOrdered(bytes: bytes, name: path)
            var byKey: [String: NDArray] = [:]
            for (k, a) in arrays where byKey[k] == nil { byKey[k] = a }
            guard let key = imageKeys.first(where: { byKey[$0] != nil }), let found = byKey[key] else {
                let present = arrays.map { "'\($0.0)'" }.joined(separator: ", ")
                throw ZynqError(file: path, "no images: expected one of 'images', 'x_test', 'test_images', 'x' (found \(present.isEmpty ? "no arrays" : present))")
            }
            images = found
            source = "\(path)['\(key)']"
            try checkImages(images, file: path, key: key)
            if labelFile == nil, let lkey = labelKeys.first(where: { byKey[$0] != nil }), let l = byKey[lkey] {
                labels = try checkLabels(l, count: images.shape[0], file: path, key: lkey)
                labelKey = lkey
            }
        case .npy:
            images = try NPY.decode(bytes, name: path)
            try checkImages(images, file: path, key: nil)
        case .idx:
            images = try IDX.decode(bytes, name: path)
            try checkImages(images, file: path, key: nil)
        case .unknown:
            throw ZynqError(file: path, "not an image file: expected .npz, .npy or IDX (plain or gzip)")
        }

        if let labelFile {
            let isNPY = labelFile.bytes.withUnsafeBytes { NPY.hasMagic($0) }
            let array = isNPY ? try NPY.decode(labelFile.bytes, name: labelFile.name)
                              : try IDX.decode(labelFile.bytes, name: labelFile.name)
            labels = try checkLabels(array, count: images.shape[0], file: labelFile.name, key: nil)
        }
        return ImageSet(images: images, labels: labels, source: source,
                        labelFile: labels == nil ? nil : (labelFile?.name ?? path), labelKey: labelKey)
    }

    private enum Kind { case npz, npy, idx, unknown }

    private static func checkImages(_ a: NDArray, file: String, key: String?) throws(ZynqError) {
        switch a.dtype {
        case .uint8, .float32, .float64: break
        default:
            throw ZynqError(file: file, key: key, "images must be uint8, float32 or float64, not \(a.dtype)")
        }
        guard a.shape.count >= 1 else {
            throw ZynqError(file: file, key: key, "images must have a first (image index) dimension; this is a scalar")
        }
    }

    /// Labels: an integer array of `count` non-negative values, shape `(count,)` or `(count, 1)`.
    static func checkLabels(_ a: NDArray, count: Int, file: String, key: String?) throws(ZynqError) -> [Int] {
        guard a.dtype.isInteger else {
            throw ZynqError(file: file, key: key, "labels must be integers, not \(a.dtype)")
        }
        let shapeOK = a.shape == [a.count] || a.shape == [a.count, 1]
        guard shapeOK else {
            throw ZynqError(file: file, key: key, "labels must have shape (N,), not \(NPY.shapeString(a.shape))")
        }
        guard a.count == count else {
            throw ZynqError(file: file, key: key, "\(a.count) labels for \(count) images")
        }
        var out = [Int]()
        out.reserveCapacity(a.count)
        func add<T: BinaryInteger>(_ values: [T]) throws(ZynqError) {
            for (i, v) in values.enumerated() {
                guard v >= 0, let x = Int(exactly: v) else {
                    throw ZynqError(file: file, key: key, "label \(i) is \(v); labels must be non-negative class indices")
                }
                out.append(x)
            }
        }
        switch a.storage {
        case .int8(let v): try add(v)
        case .int16(let v): try add(v)
        case .int32(let v): try add(v)
        case .int64(let v): try add(v)
        case .uint8(let v): try add(v)
        case .uint16(let v): try add(v)
        case .uint32(let v): try add(v)
        case .uint64(let v): try add(v)
        default: break
        }
        return out
    }
}
