import CZynqNetTrainKernels
import ZynqNetBase
import ZynqNetModel

/// A classification data set held in memory: `count` samples of `featureCount` values
/// (each of logical shape `shape`), one class label each.
public struct LabeledData: Sendable {
    public enum Features: Sendable, Equatable {
        /// 8-bit images; the network sees `pixel / 255` and the quantized model's input is
        /// uint8 (scale 1/255, zero 0) or int8 (`pixel − 128`).
        case bytes([UInt8])
        /// Real-valued features (e.g. a CSV); standardized for training, quantized at the
        /// model's input by the spec's float-image path.
        case floats([Float])
    }

    public var features: Features
    public var shape: [Int]
    public var labels: [Int32]
    public var classCount: Int
    /// Names of the classes when the labels were strings (index = class).
    public var classNames: [String]?
    /// Where the data came from (for messages).
    public var source: String
    /// Whether float features are standardized (per feature) for training: true for
    /// tabular data, false for float images (whose quiet border pixels would otherwise
    /// blow up the folded first-layer weights). Bytes are never standardized.
    public var standardize: Bool

    public var featureCount: Int { shape.reduce(1, *) }
    public var count: Int { labels.count }
    public var isBytes: Bool { if case .bytes = features { true } else { false } }

    public init(features: Features, shape: [Int], labels: [Int32], classCount: Int? = nil,
                classNames: [String]? = nil, source: String, standardize: Bool = true) throws {
        let n = shape.reduce(1, *)
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else {
            throw ZynqError(file: source, "sample shape \(shape) must have positive dimensions")
        }
        let stored: Int
        switch features {
        case .bytes(let b): stored = b.count
        case .floats(let f):
            stored = f.count
            if let bad = f.firstIndex(where: { !$0.isFinite }) {
                throw ZynqError(file: source, "sample \(bad / n), feature \(bad % n) is not a finite number")
            }
        }
        guard stored == labels.count * n else {
            throw ZynqError(file: source, "\(labels.count) labels but \(stored) values for samples of \(n) features")
        }
        guard !labels.isEmpty else { throw ZynqError(file: source, "no samples") }
        if let bad = labels.firstIndex(where: { $0 < 0 }) {
            throw ZynqError(file: source, "label of sample \(bad) is negative (\(labels[bad]))")
        }
        let maxLabel = Int(labels.max() ?? 0)
        let classes = classCount ?? (maxLabel + 1)
        guard maxLabel < classes else {
            throw ZynqError(file: source, "label \(maxLabel) is not below the class count \(classes)")
        }
        self.features = features
        self.shape = shape
        self.labels = labels
        self.classCount = classes
        self.classNames = classNames
        self.source = source
        self.standardize = standardize
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledData {
        let n = featureCount
        var copy = self
        copy.labels = indices.map { labels[$0] }
        switch features {
        case .bytes(let b):
            var out = [UInt8](repeating: 0, count: indices.count * n)
            out.withUnsafeMutableBufferPointer { dst in
                b.withUnsafeBufferPointer { src in
                    for (r, i) in indices.enumerated() {
                        (dst.baseAddress! + r * n).update(from: src.baseAddress! + i * n, count: n)
                    }
                }
            }
            copy.features = .bytes(out)
        case .floats(let f):
            var out = [Float](repeating: 0, count: indices.count * n)
            out.withUnsafeMutableBufferPointer { dst in
                f.withUnsafeBufferPointer { src in
                    for (r, i) in indices.enumerated() {
                        (dst.baseAddress! + r * n).update(from: src.baseAddress! + i * n, count: n)
                    }
                }
            }
            copy.features = .floats(out)
        }
        return copy
    }

    /// Splits off a held-out part: a seed-fixed random `fraction` of the samples (at least
    /// one when fraction > 0) goes to `heldOut`, the rest (in original order) to `kept`.
    public func split(heldOutFraction fraction: Double, seed: UInt64) -> (kept: LabeledData, heldOut: LabeledData?) {
        guard fraction > 0, count > 1 else { return (self, nil) }
        let held = min(count - 1, max(1, Int((Double(count) * fraction).rounded())))
        var rng = Xoshiro256(seed: seed)
        var order = Array(0..<count)
        rng.shuffle(&order)
        let heldSet = order[0..<held].sorted()
        var isHeld = [Bool](repeating: false, count: count)
        for i in heldSet { isHeld[i] = true }
        let kept = (0..<count).filter { !isHeld[$0] }
        return (subset(kept), subset(heldSet))
    }

    /// Per-feature mean and 1/std of float features (std floored so constant features
    /// stay finite); nil for byte images, which are not standardized.
    func standardization() -> (mean: [Float], invStd: [Float])? {
        guard standardize, case .floats(let f) = features else { return nil }
        let n = featureCount
        var mean = [Double](repeating: 0, count: n)
        var sq = [Double](repeating: 0, count: n)
        for r in 0..<count {
            for j in 0..<n { mean[j] += Double(f[r * n + j]) }
        }
        for j in 0..<n { mean[j] /= Double(count) }
        for r in 0..<count {
            for j in 0..<n {
                let d = Double(f[r * n + j]) - mean[j]
                sq[j] += d * d
            }
        }
        var inv = [Float](repeating: 1, count: n)
        for j in 0..<n {
            let sd = (sq[j] / Double(count)).squareRoot()
            inv[j] = sd > 1e-6 ? Float(1.0 / sd) : 1
        }
        return (mean.map { Float($0) }, inv)
    }

    /// Smallest and largest feature value (for the input quantizer of float data).
    func featureRange() -> (lo: Float, hi: Float) {
        switch features {
        case .bytes: return (0, 1)
        case .floats(let f): return (f.min() ?? 0, f.max() ?? 0)
        }
    }

    /// Writes rows `indices` as floats into `dst` (row-major, featureCount each): bytes are
    /// scaled by 1/255, floats are copied.
    func gather(_ indices: UnsafePointer<Int32>, count rows: Int, into dst: UnsafeMutablePointer<Float>) {
        let n = Int32(featureCount)
        switch features {
        case .bytes(let b):
            b.withUnsafeBufferPointer { zn_gather_u8($0.baseAddress!, n, indices, Int32(rows), 1.0 / 255.0, dst) }
        case .floats(let f):
            f.withUnsafeBufferPointer { zn_gather_f32($0.baseAddress!, n, indices, Int32(rows), dst) }
        }
    }
}
