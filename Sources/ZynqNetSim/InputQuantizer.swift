import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// Turns images into the model's input codes, exactly as the spec's "Images into the
/// model" says (and docs/spec-notes.md pins down):
///
/// - uint8 images feed a uint8 input as they are, and an int8 input as `pixel − 128`;
/// - float32/float64 images: `v = float32(x) / float32(scale)`, one IEEE single division
///   (float64 pixels are first rounded to float32), then (format 2, for both formats)
///   `half_even`: `q = clamp(R(v) + zx)`, R = round half to even;
///   `half_away`: `q = clamp(R(v) + zx)`, R = round half away from zero;
///   `trunc`: `q = clamp(trunc(v + zx))` with `v + zx` exact (see `truncSum`);
///   a NaN is an error naming the image, ±inf clamps to the range's end.
///
/// The array is N images along its first axis; the rest of its shape may be anything with
/// `product(input.shape)` elements. An array whose whole shape is `input.shape` is one image.
public struct InputQuantizer: Sendable {
    public let input: InputSpec

    public init(input: InputSpec) { self.input = input }
    public init(model: QuantizedModel) { self.input = model.input }

    /// Quantizes `images`; `key` names the array in errors (the caller adds the file).
    public func quantize(_ images: NDArray, key: String = "images") throws(ZynqError) -> InputCodes {
        let width = input.shape.reduce(1, *)
        let count: Int
        if images.shape == input.shape {
            count = 1
        } else {
            guard let first = images.shape.first else {
                throw ZynqError(key: key, "is a scalar, not a batch of images of shape \(input.shape)")
            }
            var rest: Int? = 1
            for n in images.shape.dropFirst() {
                let (p, overflow) = (rest ?? 0).multipliedReportingOverflow(by: n)
                rest = overflow ? nil : p
            }
            guard rest == width else {
                throw ZynqError(key: key, "images of shape \(Array(images.shape.dropFirst())) have "
                    + "\(rest.map(String.init) ?? "too many") elements, but the model's input.shape \(input.shape) has \(width)")
            }
            count = first
        }
        switch images.storage {
        case .uint8(let pixels):
            if input.type == .uint8 { return try InputCodes(type: .uint8, width: width, bytes: pixels) }
            // pixel − 128 as int8 is the pixel with its top bit flipped.
            return try InputCodes(type: .int8, width: width, bytes: pixels.map { $0 ^ 0x80 })
        case .float32(let values):
            return try quantizeFloats(values, width: width, count: count, key: key)
        case .float64(let values):
            return try quantizeFloats(values.map { Float($0) }, width: width, count: count, key: key)
        default:
            throw ZynqError(key: key, "dtype must be uint8, float32 or float64, got \(images.dtype)")
        }
    }

    private func quantizeFloats(_ values: [Float], width: Int, count: Int, key: String) throws(ZynqError) -> InputCodes {
        var bytes = [UInt8](repeating: 0, count: values.count)
        for (n, x) in values.enumerated() {
            guard let q = code(x) else {
                throw ZynqError(key: key, "image \(n / width) element \(n % width) is NaN")
            }
            bytes[n] = input.type == .int8 ? UInt8(bitPattern: Int8(q)) : UInt8(q)
        }
        return try InputCodes(type: input.type, width: width, bytes: bytes)
    }

    /// A warning when `images` almost certainly do not match the model's input units: uint8
    /// pixels are fed as codes unchanged, which means x/255 only for `input.scale` = 1/255; and
    /// float images far above 1 for such a model saturate. nil when the images look right.
    public func rangeWarning(_ images: NDArray) -> String? {
        let per255 = abs(Double(input.scale) * 255 - 1) < 1e-3
        func text(_ v: Float) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v) }
        switch images.storage {
        case .uint8(let pixels):
            guard !per255, let lo = pixels.min(), let hi = pixels.max() else { return nil }
            return "uint8 images (\(lo)…\(hi)) are fed as input codes unchanged, which assumes input.scale = 1/255, "
                + "but the model's input.scale is \(input.scale): give float images in the model's units"
        case .float32, .float64:
            guard per255 else { return nil }
            let values: [Float]
            if case .float32(let v) = images.storage { values = v } else if case .float64(let v) = images.storage { values = v.map { Float($0) } } else { values = [] }
            var lo = Float.infinity, hi = -Float.infinity
            for v in values where !v.isNaN { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            guard hi > 2 else { return nil }
            return "float images range \(text(lo))…\(text(hi)), but the model's input.scale is 1/255 (it expects 0…1): "
                + "divide them by 255, or give the uint8 pixels"
        default:
            return nil
        }
    }

    /// The code of one float value; nil for NaN.
    public func code(_ x: Float) -> Int32? {
        let v = x / input.scale  // float32 division
        guard !v.isNaN else { return nil }
        let lo = Double(input.type.min), hi = Double(input.type.max), zx = Double(input.zero)
        let q: Double
        switch input.rounding {
        // R(v) is an integer (or ±inf); adding zx to it is exact in float64.
        case .halfEven: q = Double(v.rounded(.toNearestOrEven)) + zx
        case .halfAway: q = Double(v.rounded(.toNearestOrAwayFromZero)) + zx
        case .trunc: q = Self.truncSum(v, zx)
        }
        return Int32(Swift.min(Swift.max(q, lo), hi))
    }

    /// trunc(v + zx) of the exact sum. A float64 sum is exact only while v has no bits below
    /// 2^−44 or so next to a zx of 8 bits; for a tinier v of the other sign (v = −2^−60,
    /// zx = 100) it would round to 100.0, where the exact 99.999… truncates to 99. So: with
    /// n = trunc(v) + zx and f = v − trunc(v) (both exact, |f| < 1, f of v's sign),
    /// trunc(n + f) is n, one less when n ≥ 1 and f < 0, one more when n ≤ −1 and f > 0.
    static func truncSum(_ v: Float, _ zx: Double) -> Double {
        guard v.isFinite else { return v > 0 ? .infinity : -.infinity }
        let whole = v.rounded(.towardZero)
        let n = Double(whole) + zx, f = v - whole
        if n >= 1 && f < 0 { return n - 1 }
        if n <= -1 && f > 0 { return n + 1 }
        return n
    }
}

/// How an image array orders a conv model's `[H, W, C]` input: `nhwc` (the spec's C order of
/// `input.shape`, channels last) or `nchw` (PyTorch's `(N, C, H, W)`, transposed on reading).
public enum ImageLayout: String, Sendable, CaseIterable {
    case nhwc, nchw

    /// `images` in the spec's order: as they are for `nhwc`; for `nchw`, an `(N, C, H, W)` array
    /// (or one `(C, H, W)` image) transposed to `(N, H, W, C)`. The model's input must be
    /// `[H, W, C]` and the array's shape must match it; errors name `--layout` or `key`.
    public func arranged(_ images: NDArray, for input: InputSpec, key: String = "images") throws(ZynqError) -> NDArray {
        guard self == .nchw else { return images }
        guard input.shape.count == 3 else {
            throw ZynqError(key: "--layout", "nchw needs a model whose input.shape is [H, W, C], not \(input.shape)")
        }
        let (h, w, c) = (input.shape[0], input.shape[1], input.shape[2])
        let chw = [c, h, w]
        let n: Int
        if images.shape == chw {
            n = 1
        } else if images.shape.count == 4, Array(images.shape.dropFirst()) == chw {
            n = images.shape[0]
        } else {
            throw ZynqError(key: key, "with --layout nchw, images must be (N, C, H, W) = (N, \(c), \(h), \(w)), "
                + "got (\(images.shape.map(String.init).joined(separator: ", ")))")
        }
        /// (n, c, h, w) → (n, h, w, c).
        func transpose<T>(_ v: [T]) -> [T] {
            var out = v
            for i in 0..<n {
                for ch in 0..<c {
                    for y in 0..<h {
                        for x in 0..<w { out[((i * h + y) * w + x) * c + ch] = v[((i * c + ch) * h + y) * w + x] }
                    }
                }
            }
            return out
        }
        let storage: NDArray.Storage
        switch images.storage {
        case .bool(let v): storage = .bool(transpose(v))
        case .int8(let v): storage = .int8(transpose(v))
        case .int16(let v): storage = .int16(transpose(v))
        case .int32(let v): storage = .int32(transpose(v))
        case .int64(let v): storage = .int64(transpose(v))
        case .uint8(let v): storage = .uint8(transpose(v))
        case .uint16(let v): storage = .uint16(transpose(v))
        case .uint32(let v): storage = .uint32(transpose(v))
        case .uint64(let v): storage = .uint64(transpose(v))
        case .float32(let v): storage = .float32(transpose(v))
        case .float64(let v): storage = .float64(transpose(v))
        case .unicode(let v, let width): storage = .unicode(transpose(v), width: width)
        }
        return NDArray(shape: [n, h, w, c], storage: storage)
    }
}
