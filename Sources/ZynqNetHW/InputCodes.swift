import ZynqNetBase
import ZynqNetModel

/// A batch of quantized images: the model's input codes, int8 or uint8, `count` images of
/// `width` codes each, image after image.
///
/// Codes are kept as their 8-bit patterns (`bytes`), so one type carries both signednesses
/// without widening; `code(_:_:)` reads them back as numbers.
public struct InputCodes: Sendable, Equatable {
    public let type: ActivationType
    public let count: Int
    public let width: Int
    /// The codes' bit patterns: an int8 code `c` is stored as `UInt8(bitPattern: c)`.
    public let bytes: [UInt8]

    /// Codes given as bit patterns; `bytes.count` must be a multiple of `width`.
    public init(type: ActivationType, width: Int, bytes: [UInt8]) throws(ZynqError) {
        guard width >= 1 else { throw ZynqError(key: "images", "an image must have at least one element") }
        guard bytes.count % width == 0 else {
            throw ZynqError(key: "images", "\(bytes.count) codes are not a whole number of images of \(width)")
        }
        self.type = type
        self.width = width
        self.count = bytes.count / width
        self.bytes = bytes
    }

    /// int8 codes, `width` per image.
    public init(int8 codes: [Int8], width: Int) throws(ZynqError) {
        try self.init(type: .int8, width: width, bytes: codes.map { UInt8(bitPattern: $0) })
    }

    /// uint8 codes, `width` per image.
    public init(uint8 codes: [UInt8], width: Int) throws(ZynqError) {
        try self.init(type: .uint8, width: width, bytes: codes)
    }

    /// The code of element `element` of image `image`.
    public func code(_ image: Int, _ element: Int) -> Int32 {
        let b = bytes[image * width + element]
        return type == .int8 ? Int32(Int8(bitPattern: b)) : Int32(b)
    }

    /// All codes of one image.
    public func image(_ image: Int) -> [Int32] {
        (0..<width).map { code(image, $0) }
    }
}

/// What a simulator returns for a batch: the last layer's outputs and the predictions.
public struct SimResult: Sendable, Equatable {
    /// Number of images.
    public let count: Int
    /// Outputs per image (the last layer's `out`).
    public let classes: Int
    /// The last layer's output codes, `count × classes`, image after image.
    public let outputs: [Int32]
    /// For each image the index of its largest output, the lowest index on a tie.
    public let predictions: [Int]

    public init(outputs: [Int32], count: Int, classes: Int) {
        precondition(outputs.count == count * classes)
        self.count = count
        self.classes = classes
        self.outputs = outputs
        var predictions = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let base = i * classes
            var best = 0
            for o in 1..<Swift.max(classes, 1) where outputs[base + o] > outputs[base + best] { best = o }
            predictions[i] = best
        }
        self.predictions = predictions
    }

    /// The outputs of image `image`.
    public func output(_ image: Int) -> ArraySlice<Int32> {
        outputs[image * classes..<(image + 1) * classes]
    }

    /// How many predictions equal `labels` (compared up to the shorter of the two).
    public func correct(labels: [Int]) -> Int {
        zip(predictions, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }
}
