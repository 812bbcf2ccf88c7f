import ZynqNetBase

/// Formats 1 and 2 of `shared/spec/model-format.md` as NumPy arrays: parsing with every
/// rule of the spec's table checked (shapes of conv2d/maxpool2d layers included, from the
/// arrays' shapes before any weight is converted), and writing.
///
/// Every error names the file and the key that is wrong (`ZynqError`), and no input makes
/// this code trap: every size and value is range-checked before it is used.

/// The keys a layer may have, after `layer{i}.`.
let layerFields: [String] = [
    "kind", "weight", "bias", "multiplier", "shift", "rounding", "relu", "clamp", "output.zero", "output.signed",
    "stride", "padding", "size",
]
/// The layer keys new in format 2 (the spec's **(2)**).
let format2LayerFields: Set<String> = ["clamp", "stride", "padding", "size"]
/// The layer keys that belong only to conv2d/maxpool2d layers, not to dense ones.
let spatialLayerFields: Set<String> = ["stride", "padding", "size"]
/// The keys each layer kind has (`maxpool2d`: only kind, size and stride).
let kindFields: [String: Set<String>] = [
    "dense": Set(layerFields).subtracting(spatialLayerFields),
    "conv2d": Set(layerFields).subtracting(["size"]),
    "maxpool2d": ["kind", "size", "stride"],
]
/// The keys a file may have outside layers.
let inputKeys: [String] = ["format", "input.shape", "input.signed", "input.zero", "input.scale", "input.rounding"]

/// Splits `layer{i}.{field}` into `(i, field)`; nil for any other key, or for an index
/// written with a leading zero or too large for `Int`.
func splitLayerKey(_ key: String) -> (index: Int, field: String)? {
    guard key.hasPrefix("layer") else { return nil }
    let rest = key.dropFirst(5)
    guard let dot = rest.firstIndex(of: ".") else { return nil }
    let digits = rest[rest.startIndex..<dot]
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    guard digits == "0" || digits.first != "0" else { return nil }
    guard let index = Int(digits) else { return nil }
    return (index, String(rest[rest.index(after: dot)...]))
}

/// Typed access to named arrays, with errors that name the file and the key.
struct ArrayReader {
    let arrays: [String: NDArray]
    let file: String

    func error(_ key: String, _ message: String) -> ZynqError {
        ZynqError(file: file, key: key, message)
    }

    func has(_ key: String) -> Bool { arrays[key] != nil }

    func require(_ key: String) throws(ZynqError) -> NDArray {
        guard let a = arrays[key] else { throw error(key, "missing key") }
        return a
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    func requireShape(_ key: String, _ a: NDArray, _ allowed: [[Int]], _ wanted: String) throws(ZynqError) {
        guard allowed.contains(a.shape) else {
            throw error(key, "shape must be \(wanted), got \(Self.shapeText(a.shape))")
        }
    }

    /// The values of an integer array ("any int" of the spec: every integer dtype, not bool).
    func integers(_ key: String, _ a: NDArray) throws(ZynqError) -> [Int64] {
        guard a.dtype.isInteger else { throw error(key, "dtype must be an integer type, got \(a.dtype)") }
        guard let v = a.integers() else { throw error(key, "value out of range (larger than 2^63 - 1)") }
        return v
    }

    /// A scalar "any int" value, shape ().
    func scalarInt(_ key: String) throws(ZynqError) -> Int64 {
        let a = try require(key)
        let v = try integers(key, a)
        try requireShape(key, a, [[]], "()")
        return v[0]
    }

    /// A scalar "bool or int" value: a bool, or an integer that is 0 or 1.
    func flag(_ key: String) throws(ZynqError) -> Bool {
        let a = try require(key)
        guard a.dtype == .bool || a.dtype.isInteger else {
            throw error(key, "dtype must be bool or an integer type, got \(a.dtype)")
        }
        try requireShape(key, a, [[]], "()")
        guard let v = a.integers(), v[0] == 0 || v[0] == 1 else {
            throw error(key, "must be true/false or 0/1, got \(a.integers()?.first.map(String.init) ?? "a value above 2^63 - 1")")
        }
        return v[0] == 1
    }

    /// A scalar string, shape ().
    func string(_ key: String) throws(ZynqError) -> String {
        let a = try require(key)
        guard let s = a.strings() else { throw error(key, "dtype must be a unicode string (<U), got \(a.dtype)") }
        try requireShape(key, a, [[]], "()")
        return s[0]
    }

    /// A scalar float32, shape ().
    func float32(_ key: String) throws(ZynqError) -> Float {
        let a = try require(key)
        guard case .float32(let v) = a.storage else { throw error(key, "dtype must be float32, got \(a.dtype)") }
        try requireShape(key, a, [[]], "()")
        return v[0]
    }

    /// An int8 matrix `(rows, cols)`.
    func int8Matrix(_ key: String) throws(ZynqError) -> (rows: Int, cols: Int, values: [Int8]) {
        let a = try require(key)
        guard case .int8(let v) = a.storage else { throw error(key, "dtype must be int8, got \(a.dtype)") }
        guard a.shape.count == 2 else {
            throw error(key, "shape must be (out, in), got \(Self.shapeText(a.shape))")
        }
        return (a.shape[0], a.shape[1], v)
    }
}

extension QuantizedModel {
    /// Reads a format-1 or format-2 model from its arrays (the members of its `.npz`),
    /// checking every rule of the spec's table. `file` is only used in error messages.
    public init(arrays: [String: NDArray], file: String) throws(ZynqError) {
        let r = ArrayReader(arrays: arrays, file: file)

        let format = try r.scalarInt("format")
        guard format == 1 || format == 2 else {
            throw r.error("format", "unsupported format \(format) (this zynqnet reads formats 1 and 2)")
        }
        /// A format-2 key or value in a file that says format 1 is an error naming the key.
        func requireFormat2(_ key: String, _ what: String) throws(ZynqError) {
            guard format == 2 else {
                throw r.error(key, "\(what) is format 2, but the file says format 1 (set 'format' to 2)")
            }
        }

        // Every key must be one of the table's; collect the layer indices.
        var indices = Set<Int>()
        for key in arrays.keys.sorted() {
            if inputKeys.contains(key) { continue }
            if let (i, field) = splitLayerKey(key), layerFields.contains(field) {
                if format2LayerFields.contains(field) { try requireFormat2(key, "the key '\(field)'") }
                indices.insert(i)
                continue
            }
            throw r.error(key, "unknown key (a model has format, input.{shape,signed,zero,scale,rounding} "
                + "and layer{i}.{\(layerFields.joined(separator: ","))})")
        }
        // Indices 0..<count, all present, is the same as: none missing below the count.
        let layerCount = indices.count
        for i in 0..<layerCount where !indices.contains(i) {
            throw r.error("layer\(i).kind", "missing key: layers must be numbered 0, 1, 2, ... with no gaps, "
                + "but layer\(indices.max()!) exists and layer\(i) does not")
        }
        if layerCount == 0 { throw r.error("layer0.kind", "missing key: the model has no layers") }

        // Input.
        let shapeArray = try r.require("input.shape")
        let shapeValues = try r.integers("input.shape", shapeArray)
        guard shapeArray.shape.count == 1, !shapeValues.isEmpty else {
            throw r.error("input.shape", "shape must be (r,) with r >= 1, got \(ArrayReader.shapeText(shapeArray.shape))")
        }
        var shape: [Int] = []
        for v in shapeValues {
            guard v > 0, let n = Int(exactly: v) else {
                throw r.error("input.shape", "entries must be positive integers that fit in Int, got \(shapeValues)")
            }
            shape.append(n)
        }
        let inputType = ActivationType(signed: try r.flag("input.signed"))
        let inputZero = try r.scalarInt("input.zero")
        let scale = try r.float32("input.scale")
        var inputRounding = InputRounding.halfEven
        if r.has("input.rounding") {
            let s = try r.string("input.rounding")
            guard let v = InputRounding(rawValue: s) else {
                throw r.error("input.rounding", "must be 'half_even', 'half_away' or 'trunc', got '\(s)'")
            }
            if v.isFormat2 { try requireFormat2("input.rounding", "'\(s)'") }
            inputRounding = v
        }
        guard let zx = Int32(exactly: inputZero), zx >= inputType.min, zx <= inputType.max else {
            throw r.error("input.zero", "\(inputZero) is outside the \(inputType) range [\(inputType.min), \(inputType.max)]")
        }
        let input = InputSpec(shape: shape, type: inputType, zero: zx, scale: scale, rounding: inputRounding)

        var layers: [DenseLayer] = []
        // The activation flowing into each layer: shape, type and zero point.
        var current = (shape: shape, type: inputType, zero: zx)
        for i in 0..<layerCount {
            let l = try Self.readLayer(i, r, input: current, requireFormat2: requireFormat2)
            layers.append(l)
            current = (l.outputShape(input: current.shape) ?? [0], l.outputType, l.outputZero)
        }
        if case .maxpool2d = layers[layerCount - 1].kind {
            throw r.error("layer\(layerCount - 1).kind", "the last layer must not be maxpool2d (its output is the prediction's)")
        }
        self.init(input: input, layers: layers)
        do { try validate() } catch { throw error.inFile(file) }
    }

    /// A positive or non-negative `(n,)` integer array (stride, padding, size), bounded so no
    /// shape arithmetic can overflow.
    private static func smallInts(_ r: ArrayReader, _ key: String, count: Int, min: Int64, wanted: String) throws(ZynqError) -> [Int] {
        let a = try r.require(key)
        let v = try r.integers(key, a)
        try r.requireShape(key, a, [[count]], wanted)
        guard v.allSatisfy({ $0 >= min && $0 <= 1 << 31 && Int(exactly: $0) != nil }) else {
            throw r.error(key, "entries must be \(min == 0 ? "non-negative" : "at least 1") (and at most 2^31), got \(v)")
        }
        return v.map { Int($0) }
    }

    private static func readLayer(_ i: Int, _ r: ArrayReader, input: (shape: [Int], type: ActivationType, zero: Int32),
                                  requireFormat2: (String, String) throws(ZynqError) -> Void) throws(ZynqError) -> DenseLayer {
        let p = "layer\(i)."
        let kind = try r.string(p + "kind")
        guard let allowed = kindFields[kind] else {
            throw r.error(p + "kind", "unknown kind '\(kind)' (must be 'dense', 'conv2d' or 'maxpool2d')")
        }
        if kind != "dense" { try requireFormat2(p + "kind", "'\(kind)'") }
        for field in layerFields where r.has(p + field) && !allowed.contains(field) {
            throw r.error(p + field, kind == "dense"
                ? "does not belong to a dense layer (only conv2d/maxpool2d layers have it)"
                : "does not belong to a \(kind) layer (it has \(layerFields.filter(allowed.contains).joined(separator: ", ")))")
        }
        let spatialInput = input.shape.count == 3
        func requireTensorInput() throws(ZynqError) {
            guard spatialInput else {
                throw r.error(p + "kind", "\(kind) takes an [H, W, C] tensor, but its input is "
                    + (i == 0 ? "input.shape \(input.shape)" : "layer\(i - 1)'s vector of \(input.shape.reduce(1, *))")
                    + (i == 0 ? " (give input.shape as [H, W, C])" : ""))
            }
        }
        if kind == "maxpool2d" {
            try requireTensorInput()
            let size = try smallInts(r, p + "size", count: 2, min: 1, wanted: "(2,) = [kh, kw]")
            let stride = try smallInts(r, p + "stride", count: 2, min: 1, wanted: "(2,) = [sh, sw]")
            let l = DenseLayer.maxpool2d(size: size, stride: stride, inputType: input.type, inputZero: input.zero)
            guard l.outputShape(input: input.shape) != nil else {
                throw r.error(p + "size", "window \(size) is larger than the input's [H, W] = [\(input.shape[0]), \(input.shape[1])]")
            }
            return l
        }
        var geometry: Conv2DGeometry? = nil
        let out: Int, inCount: Int, weight: [Int8]
        if kind == "conv2d" {
            let key = p + "weight"
            let a = try r.require(key)
            guard case .int8(let v) = a.storage else { throw r.error(key, "dtype must be int8, got \(a.dtype)") }
            guard a.shape.count == 4, a.shape.allSatisfy({ $0 >= 1 }) else {
                throw r.error(key, "shape must be (out, kh, kw, in) with every entry >= 1, got \(ArrayReader.shapeText(a.shape))")
            }
            try requireTensorInput()
            guard a.shape[3] == input.shape[2] else {
                throw r.error(key, "has in = \(a.shape[3]) channels, but its input [H, W, C] = \(input.shape) has C = \(input.shape[2])")
            }
            let stride = r.has(p + "stride") ? try smallInts(r, p + "stride", count: 2, min: 1, wanted: "(2,) = [sh, sw]") : [1, 1]
            let padding = r.has(p + "padding")
                ? try smallInts(r, p + "padding", count: 4, min: 0, wanted: "(4,) = [top, left, bottom, right]") : [0, 0, 0, 0]
            let g = Conv2DGeometry(kernelHeight: a.shape[1], kernelWidth: a.shape[2], inChannels: a.shape[3],
                                   stride: stride, padding: padding)
            out = a.shape[0]
            inCount = a.shape[1] * a.shape[2] * a.shape[3]
            weight = v
            let probe = DenseLayer.conv2d(out: out, geometry: g, weight: [], multiplier: [1], shift: [0], rounding: .floor,
                                          relu: false, outputZero: 0, outputType: .int8)
            guard probe.outputShape(input: input.shape) != nil else {
                throw r.error(key, "kernel [kh, kw] = [\(g.kernelHeight), \(g.kernelWidth)] is larger than the padded input "
                    + "[H + top + bottom, W + left + right] = [\(input.shape[0] &+ padding[0] &+ padding[2]), "
                    + "\(input.shape[1] &+ padding[1] &+ padding[3])]")
            }
            geometry = g
        } else {
            (out, inCount, weight) = try r.int8Matrix(p + "weight")
            guard out >= 1, inCount >= 1 else {
                throw r.error(p + "weight", "shape must be (out, in) with out, in >= 1, got \(ArrayReader.shapeText([out, inCount]))")
            }
        }
        var bias: [Int32]? = nil
        if r.has(p + "bias") {
            let a = try r.require(p + "bias")
            guard case .int32(let v) = a.storage else { throw r.error(p + "bias", "dtype must be int32, got \(a.dtype)") }
            try r.requireShape(p + "bias", a, [[out]], "(out,) = (\(out),)")
            bias = v
        }
        let mKey = p + "multiplier", sKey = p + "shift"
        let mArray = try r.require(mKey)
        let mValues = try r.integers(mKey, mArray)
        try r.requireShape(mKey, mArray, [[], [out]], "() or (out,) = (\(out),)")
        var multiplier: [UInt32] = []
        for v in mValues {
            guard v >= 1, let m = UInt32(exactly: v) else {
                throw r.error(mKey, "M = \(v) is outside 1 <= M < 2^32")
            }
            multiplier.append(m)
        }
        let sArray = try r.require(sKey)
        let sValues = try r.integers(sKey, sArray)
        try r.requireShape(sKey, sArray, [[], [out]], "() or (out,) = (\(out),)")
        var shift: [UInt8] = []
        for v in sValues {
            guard v >= 0, v <= 63 else { throw r.error(sKey, "s = \(v) is outside 0 <= s <= 63") }
            shift.append(UInt8(v))
        }
        let roundingText = try r.string(p + "rounding")
        guard let rounding = Rounding(rawValue: roundingText) else {
            throw r.error(p + "rounding", "must be one of \(Rounding.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")), "
                + "got '\(roundingText)'")
        }
        if rounding.isFormat2 { try requireFormat2(p + "rounding", "'\(roundingText)'") }
        let relu = try r.flag(p + "relu")
        var clamp: ClosedRange<Int64>? = nil
        if r.has(p + "clamp") {
            let a = try r.require(p + "clamp")
            let v = try r.integers(p + "clamp", a)
            try r.requireShape(p + "clamp", a, [[2]], "(2,) = [cl, ch]")
            guard v[0] <= v[1] else { throw r.error(p + "clamp", "[cl, ch] = [\(v[0]), \(v[1])] has cl > ch") }
            clamp = v[0]...v[1]
        }
        let zero = try r.scalarInt(p + "output.zero")
        let type = ActivationType(signed: try r.flag(p + "output.signed"))
        guard let zy = Int32(exactly: zero), zy >= type.min, zy <= type.max else {
            throw r.error(p + "output.zero", "\(zero) is outside the \(type) range [\(type.min), \(type.max)]")
        }
        var layer = DenseLayer(
            outFeatures: out, inFeatures: inCount, weight: weight, bias: bias,
            multiplier: multiplier, shift: shift, rounding: rounding, relu: relu, clamp: clamp,
            outputZero: zy, outputType: type)
        if let geometry { layer.kind = .conv2d(geometry) }
        // A shape-(out,) array is per channel even when out == 1.
        layer.perTensorMultiplier = mArray.shape.isEmpty
        layer.perTensorShift = sArray.shape.isEmpty
        return layer
    }

    /// Checks every rule of the spec on a model held in memory (one read from a file has
    /// passed them already; one built in code may not have). Errors name the file's key.
    public func validate() throws(ZynqError) {
        func fail(_ key: String, _ message: String) -> ZynqError { ZynqError(key: key, message) }
        guard !input.shape.isEmpty else { throw fail("input.shape", "must have at least one entry") }
        var count = 1
        for n in input.shape {
            guard n > 0 else { throw fail("input.shape", "entries must be positive, got \(input.shape)") }
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw fail("input.shape", "the product of \(input.shape) is too large") }
            count = p
        }
        guard input.zero >= input.type.min, input.zero <= input.type.max else {
            throw fail("input.zero", "\(input.zero) is outside the \(input.type) range [\(input.type.min), \(input.type.max)]")
        }
        guard input.scale.isFinite, input.scale > 0 else {
            throw fail("input.scale", "must be finite and > 0, got \(input.scale)")
        }
        guard !layers.isEmpty else { throw fail("layer0.kind", "missing key: the model has no layers") }
        var shape = input.shape, inType = input.type, inZero = input.zero
        for (i, l) in layers.enumerated() {
            let p = "layer\(i)."
            let previousOut = shape.reduce(1, *)
            let source = i == 0 ? "input.shape \(input.shape)" : "layer\(i - 1)'s output \(shape)"
            switch l.kind {
            case .maxpool2d(let g):
                guard i < layers.count - 1 else { throw fail(p + "kind", "the last layer must not be maxpool2d") }
                guard g.size.count == 2, g.size.allSatisfy({ $0 >= 1 }) else {
                    throw fail(p + "size", "must be (2,) = [kh, kw] with each >= 1, got \(g.size)")
                }
                guard g.stride.count == 2, g.stride.allSatisfy({ $0 >= 1 }) else {
                    throw fail(p + "stride", "must be (2,) = [sh, sw] with each >= 1, got \(g.stride)")
                }
                guard shape.count == 3 else { throw fail(p + "kind", "maxpool2d takes an [H, W, C] tensor, but \(source) is not one") }
                guard l.outFeatures == 0, l.inFeatures == 0, l.weight.isEmpty, l.multiplier.isEmpty, l.shift.isEmpty else {
                    throw fail(p + "weight", "a maxpool2d layer has no weights, multiplier or shift")
                }
                guard l.outputType == inType, l.outputZero == inZero else {
                    throw fail(p + "output.zero", "a maxpool2d layer passes its input's type and zero point on (\(inType), \(inZero)), "
                        + "not \(l.outputType), \(l.outputZero)")
                }
                guard let next = l.outputShape(input: shape) else {
                    throw fail(p + "size", "window \(g.size) is larger than the input's [H, W] = [\(shape[0]), \(shape[1])]")
                }
                shape = next
                continue
            case .conv2d(let g):
                guard shape.count == 3 else { throw fail(p + "kind", "conv2d takes an [H, W, C] tensor, but \(source) is not one") }
                guard g.kernelHeight >= 1, g.kernelWidth >= 1, g.inChannels >= 1 else {
                    throw fail(p + "weight", "shape must be (out, kh, kw, in) with every entry >= 1")
                }
                guard g.inChannels == shape[2] else {
                    throw fail(p + "weight", "has in = \(g.inChannels) channels, but \(source) has C = \(shape[2])")
                }
                guard g.stride.count == 2, g.stride.allSatisfy({ $0 >= 1 }) else {
                    throw fail(p + "stride", "must be (2,) = [sh, sw] with each >= 1, got \(g.stride)")
                }
                guard g.padding.count == 4, g.padding.allSatisfy({ $0 >= 0 }) else {
                    throw fail(p + "padding", "must be (4,) = [top, left, bottom, right] with each >= 0, got \(g.padding)")
                }
                let (k, o1) = g.kernelHeight.multipliedReportingOverflow(by: g.kernelWidth)
                let (kk, o2) = k.multipliedReportingOverflow(by: g.inChannels)
                guard !o1, !o2, l.inFeatures == kk else {
                    throw fail(p + "weight", "holds in = \(l.inFeatures) values per output channel, not kh·kw·in")
                }
            case .dense:
                guard l.inFeatures == previousOut else {
                    throw fail(p + "weight", i == 0
                        ? "has in = \(l.inFeatures) columns, but input.shape \(input.shape) has \(count) elements"
                        : "has in = \(l.inFeatures) columns, but layer\(i - 1) has out = \(previousOut)")
                }
            }
            guard l.outFeatures >= 1, l.inFeatures >= 1 else {
                throw fail(p + "weight", "shape must be (out, in) with out, in >= 1, got (\(l.outFeatures), \(l.inFeatures))")
            }
            let (n, overflow) = l.outFeatures.multipliedReportingOverflow(by: l.inFeatures)
            guard !overflow, l.weight.count == n else {
                throw fail(p + "weight", "holds \(l.weight.count) values, not out·in = \(l.outFeatures)·\(l.inFeatures)")
            }
            guard l.bias.count == l.outFeatures else {
                throw fail(p + "bias", "holds \(l.bias.count) values, not out = \(l.outFeatures)")
            }
            guard l.multiplier.count == l.outFeatures, l.multiplier.allSatisfy({ $0 >= 1 }),
                  !l.perTensorMultiplier || Set(l.multiplier).count == 1
            else { throw fail(p + "multiplier", "must hold out = \(l.outFeatures) values (one if per tensor), each 1 <= M < 2^32") }
            guard l.shift.count == l.outFeatures, l.shift.allSatisfy({ $0 <= 63 }),
                  !l.perTensorShift || Set(l.shift).count == 1
            else { throw fail(p + "shift", "must hold out = \(l.outFeatures) values (one if per tensor), each 0 <= s <= 63") }
            guard l.outputZero >= l.outputType.min, l.outputZero <= l.outputType.max else {
                throw fail(p + "output.zero", "\(l.outputZero) is outside the \(l.outputType) range [\(l.outputType.min), \(l.outputType.max)]")
            }
            if l.rounding == .float32, let m = l.multiplier.first(where: { $0 >= 1 << 24 }) {
                throw fail(p + "multiplier", "M = \(m) is not below 2^24, which rounding 'float32' requires "
                    + "(M is a float32 scale's 24-bit significand)")
            }
            if let c = l.clamp {
                let base = l.relu ? "max(\(l.outputType.min), zy = \(l.outputZero))" : "\(l.outputType.min)"
                // lo = max(lo, cl) ≤ hi = min(hi, ch) must hold (outputLow/High are those two).
                guard l.outputLow <= l.outputHigh else {
                    throw fail(p + "clamp", "[cl, ch] = [\(c.lowerBound), \(c.upperBound)] leaves no output value: "
                        + "lo = max(\(base), cl) > hi = min(\(l.outputType.max), ch)")
                }
            }
            guard let next = l.outputShape(input: shape) else {
                throw fail(p + "weight", "the kernel is larger than the padded input \(shape)")
            }
            // Padding up to 2^31 per side (or many channels on a large image) can give a conv2d
            // output whose element count, which the next layer and outputCount take, exceeds an Int.
            if case .conv2d(let g) = l.kind {
                let (hw, o1) = next[0].multipliedReportingOverflow(by: next[1])
                let (_, o2) = hw.multipliedReportingOverflow(by: next[2])
                guard !o1, !o2 else {
                    throw fail(p + (g.padding.allSatisfy { $0 == 0 } ? "weight" : "padding"),
                               "the output [Ho, Wo, out] = \(next) has more elements than an Int holds")
                }
            }
            shape = next
            inType = l.outputType
            inZero = l.outputZero
        }
    }

    /// The model as arrays, in the table's order (what `save` writes): format 1 when the
    /// model uses nothing of format 2 (`requiredFormat`), else format 2.
    public func arrays() -> [(String, NDArray)] {
        func int(_ v: Int64) -> NDArray { NDArray(shape: [], storage: .int64([v])) }
        func bool(_ v: Bool) -> NDArray { NDArray(shape: [], storage: .bool([v])) }
        func str(_ s: String) -> NDArray {
            NDArray(shape: [], storage: .unicode([s], width: Swift.max(1, s.unicodeScalars.count)))
        }
        var out: [(String, NDArray)] = [
            ("format", int(Int64(requiredFormat))),
            ("input.shape", NDArray(shape: [input.shape.count], storage: .int64(input.shape.map { Int64($0) }))),
            ("input.signed", bool(input.type.isSigned)),
            ("input.zero", int(Int64(input.zero))),
            ("input.scale", NDArray(shape: [], storage: .float32([input.scale]))),
            ("input.rounding", str(input.rounding.rawValue)),
        ]
        for (i, l) in layers.enumerated() {
            let p = "layer\(i)."
            func ints(_ v: [Int]) -> NDArray { NDArray(shape: [v.count], storage: .int64(v.map { Int64($0) })) }
            var weightShape = [l.outFeatures, l.inFeatures]
            switch l.kind {
            case .maxpool2d(let g):
                out += [(p + "kind", str("maxpool2d")), (p + "size", ints(g.size)), (p + "stride", ints(g.stride))]
                continue
            case .conv2d(let g):
                weightShape = [l.outFeatures, g.kernelHeight, g.kernelWidth, g.inChannels]
                out += [(p + "stride", ints(g.stride)), (p + "padding", ints(g.padding))]
            case .dense:
                break
            }
            let m = l.multiplier.map { Int64($0) }, s = l.shift.map { Int64($0) }
            out += [
                (p + "kind", str(l.kind.name)),
                (p + "weight", NDArray(shape: weightShape, storage: .int8(l.weight))),
                (p + "bias", NDArray(shape: [l.outFeatures], storage: .int32(l.bias))),
                (p + "multiplier", l.perTensorMultiplier
                    ? int(m[0]) : NDArray(shape: [l.outFeatures], storage: .int64(m))),
                (p + "shift", l.perTensorShift
                    ? int(s[0]) : NDArray(shape: [l.outFeatures], storage: .int64(s))),
                (p + "rounding", str(l.rounding.rawValue)),
                (p + "relu", bool(l.relu)),
            ]
            if let c = l.clamp {
                out.append((p + "clamp", NDArray(shape: [2], storage: .int64([c.lowerBound, c.upperBound]))))
            }
            out += [
                (p + "output.zero", int(Int64(l.outputZero))),
                (p + "output.signed", bool(l.outputType.isSigned)),
            ]
        }
        return out
    }
}

extension QuantizedModel {
    /// Reads a model file: format 1 or 2, the MNIST notebook's MLP or a pyrtlnet
    /// `quantized.npz`, told apart by their keys. Errors name `path` and the key.
    public static func load(path: String) throws(ZynqError) -> QuantizedModel {
        _ = try ModelShapes(path: path)  // shapes and sizes from the headers, before any weight is read
        let arrays = try NPZ.read(path: path)
        return try QuantizedModel(importing: arrays, file: path)
    }
}
