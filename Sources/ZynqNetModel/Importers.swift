import ZynqNetBase

/// The model files zynqnet reads, told apart by their keys (spec: "Formats that import
/// into format 2"), and their exact conversion into zynqnet's format (format 1 suffices).

/// Where a model's arrays came from.
public enum ModelSource: String, Sendable, Equatable, CaseIterable {
    /// zynqnet's own format, 1 or 2 (has the key `format`).
    case format1 = "zynqnet format"
    /// The MNIST notebook's MLP: `w1`, `w2`, `shift_l1`, `shift_l2`.
    case notebook = "MNIST notebook MLP"
    /// pyrtlnet's `quantized.npz`: `input.scale`, `input.zero`, `layer{i}.weight.scale`, ...
    case pyrtlnet = "pyrtlnet quantized.npz"

    /// Recognises a file from its keys; nil when it is none of the three.
    public init?(keys: some Collection<String>) {
        if keys.contains("format") {
            self = .format1
        } else if keys.contains(where: { ["w1", "w2", "shift_l1", "shift_l2"].contains($0) }) {
            self = .notebook
        } else if keys.contains(where: { $0.hasSuffix(".weight.scale") || $0.hasSuffix(".output.scale") }) {
            self = .pyrtlnet
        } else {
            return nil
        }
    }
}

extension QuantizedModel {
    /// Reads a model in any format zynqnet knows (formats 1 and 2, the MNIST notebook's MLP,
    /// pyrtlnet's `quantized.npz`), recognised from its keys. `file` names it in errors.
    public init(importing arrays: [String: NDArray], file: String) throws(ZynqError) {
        guard let source = ModelSource(keys: arrays.keys) else {
            throw ZynqError(file: file, key: "format",
                "missing key: not a zynqnet model (formats 1 and 2 have 'format'), nor a notebook MLP "
                + "(w1, w2, shift_l1, shift_l2), nor a pyrtlnet quantized.npz (input.scale, layer0.weight.scale, ...)")
        }
        switch source {
        case .format1: try self.init(arrays: arrays, file: file)
        case .notebook: try self.init(notebook: arrays, file: file)
        case .pyrtlnet: try self.init(pyrtlnet: arrays, file: file)
        }
    }

    /// The MNIST notebook's MLP (`w1` int8 (h, in), `w2` int8 (c, h), `shift_l1`,
    /// `shift_l2`): layer 0 floor, M = 1, s = shift_l1, relu; layer 1 floor, M = 1,
    /// s = shift_l2, no relu; uint8 activations with zero points 0, no bias.
    ///
    /// The notebook feeds `uint8(x · 255)` for x in [0, 1], so `input.scale` is 1/255 and
    /// `input.rounding` is `half_even` (see docs/spec-notes.md).
    public init(notebook arrays: [String: NDArray], file: String) throws(ZynqError) {
        let r = ArrayReader(arrays: arrays, file: file)
        for key in arrays.keys.sorted() where !["w1", "w2", "shift_l1", "shift_l2"].contains(key) {
            throw r.error(key, "unknown key (a notebook MLP has w1, w2, shift_l1, shift_l2)")
        }
        let w1 = try r.int8Matrix("w1"), w2 = try r.int8Matrix("w2")
        guard w1.rows >= 1, w1.cols >= 1 else { throw r.error("w1", "shape must be (h, in) with h, in >= 1") }
        guard w2.rows >= 1, w2.cols == w1.rows else {
            throw r.error("w2", "shape must be (c, h) with h = \(w1.rows) (the rows of w1), got \(ArrayReader.shapeText([w2.rows, w2.cols]))")
        }
        func shift(_ key: String) throws(ZynqError) -> UInt8 {
            let a = try r.require(key)
            let v = try r.integers(key, a)
            try r.requireShape(key, a, [[], [1]], "()")
            guard v[0] >= 0, v[0] <= 63 else { throw r.error(key, "s = \(v[0]) is outside 0 <= s <= 63") }
            return UInt8(v[0])
        }
        let s1 = try shift("shift_l1"), s2 = try shift("shift_l2")
        let layers = [
            DenseLayer(outFeatures: w1.rows, inFeatures: w1.cols, weight: w1.values, multiplier: [1], shift: [s1],
                       rounding: .floor, relu: true, outputZero: 0, outputType: .uint8),
            DenseLayer(outFeatures: w2.rows, inFeatures: w2.cols, weight: w2.values, multiplier: [1], shift: [s2],
                       rounding: .floor, relu: false, outputZero: 0, outputType: .uint8),
        ]
        self.init(input: InputSpec(shape: [w1.cols], type: .uint8, zero: 0, scale: Float(1.0 / 255.0), rounding: .halfEven),
                  layers: layers)
        do { try validate() } catch { throw error.inFile(file) }
    }

    /// pyrtlnet's `quantized.npz` (int8 everywhere, ReLU after layer 0 only):
    /// m = s_w·s_in/s_out in float32, n the smallest in 0…31 with m·2^n in [0.5, 1),
    /// M = trunc(m·2^n·2^32), s = 32 + n, rounding half_up; float images quantized with trunc.
    public init(pyrtlnet arrays: [String: NDArray], file: String) throws(ZynqError) {
        let r = ArrayReader(arrays: arrays, file: file)
        let pyrtlnetFields = ["weight", "bias", "weight.scale", "weight.zero", "output.scale", "output.zero"]
        var indices = Set<Int>()
        for key in arrays.keys.sorted() where key != "input.scale" && key != "input.zero" {
            guard let (i, field) = splitLayerKey(key), pyrtlnetFields.contains(field) else {
                throw r.error(key, "unknown key (a pyrtlnet quantized.npz has input.scale, input.zero and "
                    + "layer{i}.{\(pyrtlnetFields.joined(separator: ","))})")
            }
            indices.insert(i)
        }
        let layerCount = indices.count
        for i in 0..<Swift.max(layerCount, 1) where !indices.contains(i) {
            throw r.error("layer\(i).weight", "missing key: layers must be numbered 0, 1, 2, ... with no gaps")
        }

        /// A float32 holding one value (shape () or (1,)) or `count` values (shape (count,)).
        func scales(_ key: String, count: Int) throws(ZynqError) -> [Float] {
            let a = try r.require(key)
            guard case .float32(let v) = a.storage else { throw r.error(key, "dtype must be float32, got \(a.dtype)") }
            try r.requireShape(key, a, count == 1 ? [[], [1]] : [[], [1], [count]], count == 1 ? "() or (1,)" : "(), (1,) or (\(count),)")
            for x in v where !(x.isFinite && x > 0) { throw r.error(key, "scales must be finite and > 0, got \(x)") }
            return v
        }
        /// An integer zero point, shape () or (1,), within int8.
        func zero(_ key: String) throws(ZynqError) -> Int32 {
            let a = try r.require(key)
            let v = try r.integers(key, a)
            try r.requireShape(key, a, [[], [1]], "() or (1,)")
            guard v[0] >= -128, v[0] <= 127 else { throw r.error(key, "\(v[0]) is outside the int8 range [-128, 127]") }
            return Int32(v[0])
        }

        let inputScale = try scales("input.scale", count: 1)[0]
        var inScale = inputScale
        let inputZero = try zero("input.zero")
        var layers: [DenseLayer] = []
        var inCount = 0
        for i in 0..<layerCount {
            let p = "layer\(i)."
            let w = try r.int8Matrix(p + "weight")
            guard w.rows >= 1, w.cols >= 1 else { throw r.error(p + "weight", "shape must be (out, in) with out, in >= 1") }
            if i == 0 { inCount = w.cols }
            let b = try r.require(p + "bias")
            guard case .int32(let bias) = b.storage else { throw r.error(p + "bias", "dtype must be int32, got \(b.dtype)") }
            try r.requireShape(p + "bias", b, [[w.rows, 1], [w.rows]], "(out, 1) = (\(w.rows), 1)")
            let wScale = try scales(p + "weight.scale", count: w.rows)
            let wZeroArray = try r.require(p + "weight.zero")
            let wZero = try r.integers(p + "weight.zero", wZeroArray)
            try r.requireShape(p + "weight.zero", wZeroArray, [[], [1], [w.rows]], "(), (1,) or (\(w.rows),)")
            guard wZero.allSatisfy({ $0 == 0 }) else { throw r.error(p + "weight.zero", "weight zero points must be 0, got \(wZero)") }
            let outScale = try scales(p + "output.scale", count: 1)[0]
            let outZero = try zero(p + "output.zero")
            var multiplier: [UInt32] = [], shift: [UInt8] = []
            for sw in wScale {
                guard let (m, s) = Self.pyrtlnetMultiplier(weightScale: sw, inputScale: inScale, outputScale: outScale) else {
                    let m = sw * inScale / outScale
                    throw r.error(p + "weight.scale", "m = s_w·s_in/s_out = \(m) has no n in 0...31 with m·2^n in [0.5, 1), "
                        + "so M would fall outside [1, 2^32)")
                }
                multiplier.append(m)
                shift.append(s)
            }
            // One weight scale gives a per-tensor M and s, `out` of them per-channel ones.
            layers.append(DenseLayer(
                outFeatures: w.rows, inFeatures: w.cols, weight: w.values, bias: bias,
                multiplier: multiplier, shift: shift, rounding: .halfUp, relu: i == 0,
                outputZero: outZero, outputType: .int8))
            inScale = outScale
        }
        self.init(input: InputSpec(shape: [inCount], type: .int8, zero: inputZero, scale: inputScale, rounding: .trunc),
                  layers: layers)
        do { try validate() } catch { throw error.inFile(file) }
    }

    /// pyrtlnet's requantization constants for one channel: m = s_w·s_in/s_out computed in
    /// float32; n the smallest in 0…31 with m·2^n in [0.5, 1); M = trunc(m·2^n·2^32),
    /// s = 32 + n. Returns nil when no such n exists (M would leave [1, 2^32)).
    public static func pyrtlnetMultiplier(weightScale: Float, inputScale: Float, outputScale: Float) -> (UInt32, UInt8)? {
        let m: Float = weightScale * inputScale / outputScale  // float32, left to right, as NumPy
        guard m.isFinite, m > 0 else { return nil }
        for n in 0...31 {
            // m·2^n is exact in float32 here (m >= 2^-32 is a normal number, and m·2^n < 1).
            let scaled = m * Float(sign: .plus, exponent: n, significand: 1)
            if scaled >= 0.5 && scaled < 1 {
                // Exact: a Double holds every float32, and scaling by 2^32 is exact.
                let big = (Double(scaled) * 4_294_967_296.0).rounded(.towardZero)
                guard big >= 1, big < 4_294_967_296.0 else { return nil }
                return (UInt32(big), UInt8(32 + n))
            }
        }
        return nil
    }
}
