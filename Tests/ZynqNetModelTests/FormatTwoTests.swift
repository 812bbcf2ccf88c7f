import Foundation
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// `validArrays()` with `format` 2 and the given keys changed.
func format2(_ changes: [String: NDArray?]) -> [String: NDArray] {
    var a = validArrays()
    a["format"] = scalar(2)
    for (k, v) in changes { a[k] = v }
    return a
}

func pair(_ a: Int64, _ b: Int64) -> NDArray { NDArray(shape: [2], storage: .int64([a, b])) }

@Suite struct FormatTwoReading {
    @Test func newRoundingsReadInFormat2() throws {
        for (text_, mode) in [("half_even", Rounding.halfEven), ("gemmlowp", .gemmlowp), ("float32", .float32)] {
            // layer1 has M = 3 (< 2^24, as float32 needs).
            let m = try QuantizedModel(arrays: format2(["layer1.rounding": text(text_)]), file: "m")
            #expect(m.layers[1].rounding == mode)
            #expect(m.requiredFormat == 2)
        }
        let m = try QuantizedModel(arrays: format2(["input.rounding": text("half_away")]), file: "m")
        #expect(m.input.rounding == .halfAway && m.requiredFormat == 2)
    }

    @Test func aFormat2FileWithOnlyFormat1FeaturesReads() throws {
        let m = try QuantizedModel(arrays: format2([:]), file: "m")
        #expect(m == (try QuantizedModel(arrays: validArrays(), file: "m")))
        #expect(m.requiredFormat == 1)
    }

    @Test func format2KeysAndValuesNeedFormat2() {
        let says1 = "is format 2, but the file says format 1"
        expectError(with("layer1.rounding", text("half_even")), key: "layer1.rounding", "'half_even' " + says1)
        expectError(with("layer1.rounding", text("gemmlowp")), key: "layer1.rounding", "'gemmlowp' " + says1)
        expectError(with("layer1.rounding", text("float32")), key: "layer1.rounding", "'float32' " + says1)
        expectError(with("input.rounding", text("half_away")), key: "input.rounding", "'half_away' " + says1)
        expectError(with("layer0.clamp", pair(0, 10)), key: "layer0.clamp", "the key 'clamp' " + says1)
        expectError(with("layer0.stride", pair(1, 1)), key: "layer0.stride", "the key 'stride' " + says1)
        expectError(with("layer1.padding", NDArray(shape: [4], storage: .int64([0, 0, 0, 0]))), key: "layer1.padding", says1)
        expectError(with("layer1.size", pair(2, 2)), key: "layer1.size", says1)
        expectError(with("layer1.kind", text("conv2d")), key: "layer1.kind", "'conv2d' " + says1)
        expectError(with("layer0.kind", text("maxpool2d")), key: "layer0.kind", "'maxpool2d' " + says1)
    }

    @Test func spatialKeysDoNotBelongToDenseLayers() {
        expectError(format2(["layer0.stride": pair(1, 1)]), key: "layer0.stride", "does not belong to a dense layer")
        expectError(format2(["layer1.padding": NDArray(shape: [4], storage: .int64([0, 0, 0, 0]))]),
                    key: "layer1.padding", "does not belong to a dense layer")
        expectError(format2(["layer1.size": pair(2, 2)]), key: "layer1.size", "does not belong to a dense layer")
    }

    @Test func clampReadsAndNarrowsTheOutputRange() throws {
        // layer0: uint8, zy = 200, relu: lo = 200; clamp [0, 210] → [200, 210].
        var m = try QuantizedModel(arrays: format2(["layer0.clamp": pair(0, 210)]), file: "m")
        #expect(m.layers[0].clamp == 0...210)
        #expect(m.layers[0].outputLow == 200 && m.layers[0].outputHigh == 210)
        // layer1: int8, no relu; clamp [-3, 6] (RELU6-like), given as int8.
        m = try QuantizedModel(arrays: format2(["layer1.clamp": NDArray(shape: [2], storage: .int8([-3, 6]))]), file: "m")
        #expect(m.layers[1].outputLow == -3 && m.layers[1].outputHigh == 6)
        // cl = ch is a one-value range; bounds beyond the type change nothing.
        m = try QuantizedModel(arrays: format2(["layer1.clamp": pair(5, 5)]), file: "m")
        #expect(m.layers[1].outputLow == 5 && m.layers[1].outputHigh == 5)
        m = try QuantizedModel(arrays: format2(["layer1.clamp": pair(-1 << 40, 1 << 40)]), file: "m")
        #expect(m.layers[1].outputLow == -128 && m.layers[1].outputHigh == 127 && m.layers[1].clamp == (-1 << 40)...(1 << 40))
        #expect(m.requiredFormat == 2)
    }

    @Test func clampErrors() {
        expectError(format2(["layer1.clamp": pair(6, 5)]), key: "layer1.clamp", "[cl, ch] = [6, 5] has cl > ch")
        // relu raises lo to zy = 200 above ch = 199.
        expectError(format2(["layer0.clamp": pair(0, 199)]), key: "layer0.clamp",
                    "[cl, ch] = [0, 199] leaves no output value: lo = max(max(0, zy = 200), cl) > hi = min(255, ch)")
        // Entirely outside int8.
        expectError(format2(["layer1.clamp": pair(128, 300)]), key: "layer1.clamp", "leaves no output value")
        expectError(format2(["layer1.clamp": pair(-300, -129)]), key: "layer1.clamp", "leaves no output value")
        expectError(format2(["layer1.clamp": NDArray(shape: [3], storage: .int64([0, 1, 2]))]), key: "layer1.clamp", "(2,)")
        expectError(format2(["layer1.clamp": NDArray(shape: [2], storage: .float32([0, 1]))]), key: "layer1.clamp", "integer")
        expectError(format2(["layer1.clamp": NDArray(shape: [2], storage: .uint64([0, UInt64.max]))]), key: "layer1.clamp", "out of range")
    }

    @Test func float32NeedsMBelow2To24() throws {
        expectError(format2(["layer1.rounding": text("float32"), "layer1.multiplier": scalar(1 << 24)]),
                    key: "layer1.multiplier", "M = 16777216 is not below 2^24, which rounding 'float32' requires")
        let m = try QuantizedModel(arrays: format2(["layer1.rounding": text("float32"), "layer1.multiplier": scalar((1 << 24) - 1)]), file: "m")
        #expect(m.layers[1].multiplier == [16_777_215, 16_777_215, 16_777_215])
        // Per channel: layer0 has M = 2^32 − 1 in channel 3.
        expectError(format2(["layer0.rounding": text("float32")]), key: "layer0.multiplier", "M = 4294967295 is not below 2^24")
    }

    @Test func writerWritesFormat2OnlyWhenNeeded() throws {
        let one = try QuantizedModel(arrays: format2([:]), file: "m")
        #expect(Dictionary(uniqueKeysWithValues: one.arrays())["format"] == scalar(1))
        let two = try QuantizedModel(arrays: format2(["layer1.rounding": text("gemmlowp"), "layer0.clamp": pair(-5, 230),
                                                      "input.rounding": text("half_away")]), file: "m")
        let arrays = Dictionary(uniqueKeysWithValues: two.arrays())
        #expect(arrays["format"] == scalar(2))
        #expect(arrays["layer0.clamp"] == pair(-5, 230) && arrays["layer1.clamp"] == nil)
        #expect(arrays["layer1.rounding"] == text("gemmlowp") && arrays["input.rounding"] == text("half_away"))
        #expect(try QuantizedModel(arrays: arrays, file: "again") == two)
        // Each format-2 feature alone makes the file format 2.
        var m = one
        m.layers[0].clamp = 0...255
        #expect(m.requiredFormat == 2)
        m = one
        m.layers[1].rounding = .float32
        #expect(m.requiredFormat == 2)
        m = one
        m.input.rounding = .halfAway
        #expect(m.requiredFormat == 2)
    }

    @Test func validateChecksClampAndFloat32InCodeBuiltModels() throws {
        var m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.layers[1].clamp = 127...200
        try m.validate()
        m.layers[1].clamp = 128...200
        #expect(throws: ZynqError.self) { try m.validate() }
        m.layers[1].clamp = nil
        m.layers[1].rounding = .float32
        m.layers[1].multiplier = [1 << 24, 1 << 24, 1 << 24]
        #expect(throws: ZynqError(key: "layer1.multiplier",
                                  "M = 16777216 is not below 2^24, which rounding 'float32' requires (M is a float32 scale's 24-bit significand)")) {
            try m.validate()
        }
    }
}

func ints(_ v: [Int64]) -> NDArray { NDArray(shape: [v.count], storage: .int64(v)) }

/// A valid format-2 CNN: input [5, 4, 2] int8 (zx = -3) → layer0 conv2d 3 channels, kernel
/// 3×2, stride [2, 1], padding [1, 0, 1, 2] (per-channel M/s, half_even, relu) → [3, 5, 3]
/// → layer1 maxpool2d size [2, 2] stride [1, 2] → [2, 2, 3] → layer2 dense 12 → 4.
func cnnArrays() -> [String: NDArray] {
    var a: [String: NDArray] = [
        "format": scalar(2),
        "input.shape": ints([5, 4, 2]),
        "input.signed": flag(true),
        "input.zero": scalar(-3),
        "input.scale": f32(0.25),
        "layer0.kind": text("conv2d"),
        "layer0.weight": NDArray(shape: [3, 3, 2, 2], storage: .int8(cnnWeights)),
        "layer0.bias": NDArray(shape: [3], storage: .int32([10, -20, 30])),
        "layer0.multiplier": ints([3, 5, 7]),
        "layer0.shift": ints([4, 5, 6]),
        "layer0.rounding": text("half_even"),
        "layer0.relu": flag(true),
        "layer0.output.zero": scalar(5),
        "layer0.output.signed": flag(false),
        "layer0.stride": ints([2, 1]),
        "layer0.padding": ints([1, 0, 1, 2]),
        "layer1.kind": text("maxpool2d"),
        "layer1.size": ints([2, 2]),
        "layer1.stride": ints([1, 2]),
        "layer2.kind": text("dense"),
        "layer2.weight": NDArray(shape: [4, 12], storage: .int8((0..<48).map { Int8($0 % 9 - 4) })),
        "layer2.multiplier": scalar(1),
        "layer2.shift": scalar(2),
        "layer2.rounding": text("floor"),
        "layer2.relu": flag(false),
        "layer2.output.zero": scalar(0),
        "layer2.output.signed": flag(true),
    ]
    a["layer2.bias"] = nil
    return a
}

/// layer0's weights of `cnnArrays()`, OHWI order.
let cnnWeights: [Int8] = (0..<36).map { (i: Int) -> Int8 in Int8(i * 7 % 255 - 127) }

func cnn(_ changes: [String: NDArray?]) -> [String: NDArray] {
    var a = cnnArrays()
    for (k, v) in changes { a[k] = v }
    return a
}

@Suite struct ConvAndPoolReading {
    @Test func aCNNReadsWithItsShapes() throws {
        let m = try QuantizedModel(arrays: cnnArrays(), file: "m")
        #expect(m.layers.map(\.kind.name) == ["conv2d", "maxpool2d", "dense"])
        #expect(m.layers[0].kind == .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 2, inChannels: 2,
                                                           stride: [2, 1], padding: [1, 0, 1, 2])))
        #expect(m.layers[0].inFeatures == 12 && m.layers[0].outFeatures == 3)
        #expect(m.layers[0].weight == cnnWeights)
        // Ho = floor((5 + 1 + 1 − 3) / 2) + 1 = 3, Wo = floor((4 + 0 + 2 − 2) / 1) + 1 = 5;
        // pool: floor((3 − 2) / 1) + 1 = 2, floor((5 − 2) / 2) + 1 = 2.
        #expect(m.outputShapes == [[3, 5, 3], [2, 2, 3], [4]])
        #expect(m.inputShapes == [[5, 4, 2], [3, 5, 3], [2, 2, 3]])
        // maxpool2d passes its input's type and zero point on.
        #expect(m.layers[1].outputType == .uint8 && m.layers[1].outputZero == 5)
        #expect(m.outputCount == 4 && m.requiredFormat == 2)
        #expect(!m.isDenseOnly)
    }

    @Test func strideAndPaddingDefault() throws {
        let m = try QuantizedModel(arrays: cnn(["layer0.stride": nil, "layer0.padding": nil, "layer2.weight":
            NDArray(shape: [4, 2 * 1 * 3], storage: .int8([Int8](repeating: 1, count: 24)))]), file: "m")
        #expect(m.layers[0].kind == .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 2, inChannels: 2,
                                                           stride: [1, 1], padding: [0, 0, 0, 0])))
        // [5, 4] − [3, 2] + 1 = [3, 3]; pool [2, 2] stride [1, 2]: [2, 1].
        #expect(m.outputShapes == [[3, 3, 3], [2, 1, 3], [4]])
    }

    @Test func aCNNRoundTrips() throws {
        let m = try QuantizedModel(arrays: cnnArrays(), file: "m")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zn-cnn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cnn.npz").path
        try m.save(to: path)
        #expect(try QuantizedModel.load(path: path) == m)
        let written = Dictionary(uniqueKeysWithValues: m.arrays())
        #expect(written["layer0.weight"]?.shape == [3, 3, 2, 2])
        #expect(written["layer1.size"] == ints([2, 2]) && written["layer1.weight"] == nil && written["layer1.relu"] == nil)
        #expect(written["format"] == scalar(2))
    }

    @Test func shapeRulesNameTheKey() {
        // A vector into conv2d / maxpool2d.
        expectError(cnn(["input.shape": ints([40])]), key: "layer0.kind", "conv2d takes an [H, W, C] tensor")
        expectError(cnn(["input.shape": ints([5, 8])]), key: "layer0.kind", "give input.shape as [H, W, C]")
        var afterDense = cnnArrays()
        afterDense["layer0.kind"] = text("dense")
        afterDense["layer0.weight"] = NDArray(shape: [3, 40], storage: .int8([Int8](repeating: 0, count: 120)))
        afterDense["layer0.stride"] = nil
        afterDense["layer0.padding"] = nil
        expectError(afterDense, key: "layer1.kind", "maxpool2d takes an [H, W, C] tensor, but its input is layer0's vector of 3")
        // C must equal in.
        expectError(cnn(["layer0.weight": NDArray(shape: [3, 3, 2, 1], storage: .int8([Int8](repeating: 0, count: 18)))]),
                    key: "layer0.weight", "has in = 1 channels, but its input [H, W, C] = [5, 4, 2] has C = 2")
        // Every dimension ≥ 1: a kernel larger than the padded input, a pool window larger than its input.
        expectError(cnn(["layer0.weight": NDArray(shape: [3, 8, 2, 2], storage: .int8([Int8](repeating: 0, count: 96)))]),
                    key: "layer0.weight", "is larger than the padded input [H + top + bottom, W + left + right] = [7, 6]")
        expectError(cnn(["layer1.size": ints([4, 2])]), key: "layer1.size", "window [4, 2] is larger than the input's [H, W] = [3, 5]")
        expectError(cnn(["layer0.weight": NDArray(shape: [3, 0, 2, 2], storage: .int8([]))]), key: "layer0.weight",
                    "shape must be (out, kh, kw, in) with every entry >= 1, got (3, 0, 2, 2)")
        expectError(cnn(["layer0.weight": NDArray(shape: [3, 12], storage: .int8([Int8](repeating: 0, count: 36)))]),
                    key: "layer0.weight", "shape must be (out, kh, kw, in)")
        // The dense layer after the pool takes its (h, w, c) flattening: 2·2·3 = 12 inputs.
        expectError(cnn(["layer2.weight": NDArray(shape: [4, 13], storage: .int8([Int8](repeating: 0, count: 52)))]),
                    key: "layer2.weight", "has in = 13 columns, but layer1 has out = 12")
    }

    @Test func strideSizeAndPaddingValues() {
        expectError(cnn(["layer0.stride": ints([0, 1])]), key: "layer0.stride", "entries must be at least 1")
        expectError(cnn(["layer0.stride": ints([1, 1, 1])]), key: "layer0.stride", "shape must be (2,) = [sh, sw]")
        expectError(cnn(["layer0.padding": ints([0, -1, 0, 0])]), key: "layer0.padding", "entries must be non-negative")
        expectError(cnn(["layer0.padding": ints([0, 0])]), key: "layer0.padding", "shape must be (4,) = [top, left, bottom, right]")
        expectError(cnn(["layer1.size": ints([2, 0])]), key: "layer1.size", "entries must be at least 1")
        expectError(cnn(["layer1.stride": nil]), key: "layer1.stride", "missing key")
        expectError(cnn(["layer1.size": nil]), key: "layer1.size", "missing key")
    }

    @Test func keysNotBelongingToTheKindAreErrors() {
        expectError(cnn(["layer0.size": ints([2, 2])]), key: "layer0.size", "does not belong to a conv2d layer")
        expectError(cnn(["layer1.relu": flag(true)]), key: "layer1.relu", "does not belong to a maxpool2d layer (it has kind, stride, size)")
        expectError(cnn(["layer1.weight": NDArray(shape: [1, 1], storage: .int8([1]))]), key: "layer1.weight",
                    "does not belong to a maxpool2d layer")
        expectError(cnn(["layer1.output.zero": scalar(5)]), key: "layer1.output.zero", "does not belong to a maxpool2d layer")
        expectError(cnn(["layer1.padding": ints([0, 0, 0, 0])]), key: "layer1.padding", "does not belong to a maxpool2d layer")
        expectError(cnn(["layer2.stride": ints([1, 1])]), key: "layer2.stride", "does not belong to a dense layer")
    }

    @Test func lastLayerIsNotAPool() {
        var a = cnnArrays()
        for k in a.keys where k.hasPrefix("layer2.") { a[k] = nil }
        expectError(a, key: "layer1.kind", "the last layer must not be maxpool2d")
    }

    @Test func aConvCanBeTheLastLayer() throws {
        var a = cnnArrays()
        for k in a.keys where k.hasPrefix("layer2.") || k.hasPrefix("layer1.") { a[k] = nil }
        let m = try QuantizedModel(arrays: a, file: "m")
        #expect(m.outputCount == 3 * 5 * 3)
    }

    @Test func validateChecksModelsBuiltInCode() throws {
        var m = try QuantizedModel(arrays: cnnArrays(), file: "m")
        m.layers[1].outputZero = 6
        #expect(throws: ZynqError.self) { try m.validate() }
        var n = try QuantizedModel(arrays: cnnArrays(), file: "m")
        n.layers[0].kind = .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 2, inChannels: 2, stride: [0, 1],
                                                   padding: [1, 0, 1, 2]))
        do throws(ZynqError) { try n.validate(); Issue.record("no error") } catch { let e = error; #expect(e.key == "layer0.stride") }
        var p = try QuantizedModel(arrays: cnnArrays(), file: "m")
        p.input.shape = [20, 2]
        do throws(ZynqError) { try p.validate(); Issue.record("no error") } catch { let e = error; #expect(e.key == "layer0.kind") }
    }
}
