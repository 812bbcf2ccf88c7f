import Foundation
import Testing
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

    @Test func convAndPoolAreRefusedNamingTheKind() {
        expectError(format2(["layer1.kind": text("conv2d")]), key: "layer1.kind",
                    "conv2d is format 2 but not supported yet by this version")
        expectError(format2(["layer0.kind": text("maxpool2d")]), key: "layer0.kind",
                    "maxpool2d is format 2 but not supported yet by this version")
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
