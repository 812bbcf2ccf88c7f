import Foundation
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

func scalar(_ v: Int64) -> NDArray { NDArray(shape: [], storage: .int64([v])) }
func flag(_ v: Bool) -> NDArray { NDArray(shape: [], storage: .bool([v])) }
func text(_ s: String) -> NDArray { NDArray(shape: [], storage: .unicode([s], width: max(1, s.count))) }
func f32(_ v: Float) -> NDArray { NDArray(shape: [], storage: .float32([v])) }

/// A valid format-1 file: input (2, 3) uint8 → layer0 6→4 uint8 relu (per-channel M, s)
/// → layer1 4→3 int8 (per-tensor, no bias).
func validArrays() -> [String: NDArray] {
    [
        "format": scalar(1),
        "input.shape": NDArray(shape: [2], storage: .int64([2, 3])),
        "input.signed": flag(false),
        "input.zero": scalar(7),
        "input.scale": f32(0.5),
        "input.rounding": text("trunc"),
        "layer0.kind": text("dense"),
        "layer0.weight": NDArray(shape: [4, 6], storage: .int8((0..<24).map { Int8($0 - 12) })),
        "layer0.bias": NDArray(shape: [4], storage: .int32([1, -2, 3, .max])),
        "layer0.multiplier": NDArray(shape: [4], storage: .uint32([1, 2, 3, .max])),
        "layer0.shift": NDArray(shape: [4], storage: .int8([0, 1, 2, 63])),
        "layer0.rounding": text("half_up"),
        "layer0.relu": NDArray(shape: [], storage: .int32([1])),
        "layer0.output.zero": NDArray(shape: [], storage: .uint8([200])),
        "layer0.output.signed": NDArray(shape: [], storage: .int64([0])),
        "layer1.kind": text("dense"),
        "layer1.weight": NDArray(shape: [3, 4], storage: .int8([1, 2, 3, 4, -1, -2, -3, -4, 127, -128, 0, 5])),
        "layer1.multiplier": NDArray(shape: [], storage: .int16([3])),
        "layer1.shift": NDArray(shape: [], storage: .uint64([31])),
        "layer1.rounding": text("floor"),
        "layer1.relu": flag(false),
        "layer1.output.zero": NDArray(shape: [], storage: .int8([-5])),
        "layer1.output.signed": flag(true),
    ]
}

/// Expects reading `arrays` to fail with an error naming `m.npz`, `key`, and containing `fragment`.
func expectError(_ arrays: [String: NDArray], key: String, _ fragment: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    do throws(ZynqError) {
        _ = try QuantizedModel(arrays: arrays, file: "m.npz")
        Issue.record("no error for \(key)", sourceLocation: sourceLocation)
    } catch { let e = error;
        #expect(e.file == "m.npz", sourceLocation: sourceLocation)
        #expect(e.key == key, "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "\(e)", sourceLocation: sourceLocation)
        #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("not a ZynqError: \(error)", sourceLocation: sourceLocation)
    }
}

func with(_ key: String, _ value: NDArray?) -> [String: NDArray] {
    var a = validArrays()
    a[key] = value
    return a
}

@Suite struct FormatOneReading {
    @Test func validFileReadsAsWritten() throws {
        let m = try QuantizedModel(arrays: validArrays(), file: "m.npz")
        #expect(m.input == InputSpec(shape: [2, 3], type: .uint8, zero: 7, scale: 0.5, rounding: .trunc))
        #expect(m.layers.count == 2)
        let l0 = m.layers[0], l1 = m.layers[1]
        #expect(l0.outFeatures == 4 && l0.inFeatures == 6)
        #expect(l0.weight == (0..<24).map { Int8($0 - 12) })
        #expect(l0.bias == [1, -2, 3, .max])
        #expect(l0.multiplier == [1, 2, 3, .max] && !l0.perTensorMultiplier)
        #expect(l0.shift == [0, 1, 2, 63] && !l0.perTensorShift)
        #expect(l0.rounding == .halfUp && l0.relu && l0.outputZero == 200 && l0.outputType == .uint8)
        #expect(l1.bias == [0, 0, 0])
        #expect(l1.multiplier == [3, 3, 3] && l1.perTensorMultiplier)
        #expect(l1.shift == [31, 31, 31] && l1.perTensorShift)
        #expect(l1.rounding == .floor && !l1.relu && l1.outputZero == -5 && l1.outputType == .int8)
        #expect(m.inputCount == 6 && m.outputCount == 3)
    }

    @Test func inputRoundingDefaultsToHalfEven() throws {
        #expect(try QuantizedModel(arrays: with("input.rounding", nil), file: "m").input.rounding == .halfEven)
    }

    @Test func roundTripThroughArrays() throws {
        let m = try QuantizedModel(arrays: validArrays(), file: "m.npz")
        let arrays = m.arrays()
        #expect(Set(arrays.map(\.0)).count == arrays.count)
        let again = try QuantizedModel(arrays: Dictionary(uniqueKeysWithValues: arrays), file: "again")
        #expect(again == m)
        // Per-tensor values are written as scalars, per-channel ones as (out,).
        let dict = Dictionary(uniqueKeysWithValues: arrays)
        #expect(dict["layer1.multiplier"]?.shape == [] && dict["layer0.multiplier"]?.shape == [4])
        #expect(dict["format"] == scalar(1))
    }

    @Test func format() {
        expectError(with("format", nil), key: "format", "missing key")
        expectError(with("format", scalar(3)), key: "format", "unsupported format 3 (this zynqnet reads formats 1 and 2)")
        expectError(with("format", scalar(0)), key: "format", "unsupported format 0")
        expectError(with("format", f32(1)), key: "format", "integer")
        expectError(with("format", flag(true)), key: "format", "integer")
        expectError(with("format", NDArray(shape: [1], storage: .int64([1]))), key: "format", "shape must be ()")
        expectError(with("format", NDArray(shape: [], storage: .uint64([UInt64.max]))), key: "format", "out of range")
    }

    @Test func unknownKeysAndLayerNumbering() {
        expectError(with("extra", scalar(1)), key: "extra", "unknown key")
        expectError(with("layer0.weights", scalar(1)), key: "layer0.weights", "unknown key")
        expectError(with("layer01.kind", text("dense")), key: "layer01.kind", "unknown key")
        expectError(with("input.mean", f32(0)), key: "input.mean", "unknown key")
        // A gap: layer2 without layer1 (only layer2.kind is needed to show the gap).
        var gap = validArrays()
        for k in gap.keys where k.hasPrefix("layer1.") { gap[k] = nil }
        gap["layer2.kind"] = text("dense")
        expectError(gap, key: "layer1.kind", "no gaps")
        // A huge index is a gap too (and no arithmetic on it may trap).
        expectError(with("layer9223372036854775807.kind", text("dense")), key: "layer2.kind", "no gaps")
        var none = validArrays()
        for k in none.keys where k.hasPrefix("layer") { none[k] = nil }
        expectError(none, key: "layer0.kind", "no layers")
    }

    @Test func missingKeys() {
        for key in ["input.shape", "input.signed", "input.zero", "input.scale", "layer0.kind", "layer0.weight",
                    "layer1.multiplier", "layer1.shift", "layer0.rounding", "layer1.relu", "layer0.output.zero",
                    "layer1.output.signed"] {
            expectError(with(key, nil), key: key, "missing key")
        }
    }

    @Test func input() {
        expectError(with("input.shape", NDArray(shape: [2], storage: .float32([2, 3]))), key: "input.shape", "integer")
        expectError(with("input.shape", NDArray(shape: [1, 2], storage: .int64([2, 3]))), key: "input.shape", "(r,)")
        expectError(with("input.shape", NDArray(shape: [0], storage: .int64([]))), key: "input.shape", "r >= 1")
        expectError(with("input.shape", NDArray(shape: [2], storage: .int64([0, 6]))), key: "input.shape", "positive")
        expectError(with("input.shape", NDArray(shape: [2], storage: .int64([-2, -3]))), key: "input.shape", "positive")
        expectError(with("input.shape", NDArray(shape: [1], storage: .int64([7]))), key: "layer0.weight", "has in = 6 columns, but input.shape [7] has 7 elements")
        expectError(with("input.shape", NDArray(shape: [2], storage: .int64([1 << 40, 1 << 40]))), key: "input.shape", "too large")
        expectError(with("input.signed", NDArray(shape: [], storage: .int64([2]))), key: "input.signed", "0/1")
        expectError(with("input.signed", f32(1)), key: "input.signed", "bool")
        expectError(with("input.signed", text("true")), key: "input.signed", "bool")
        expectError(with("input.zero", scalar(256)), key: "input.zero", "uint8 range [0, 255]")
        expectError(with("input.zero", scalar(-1)), key: "input.zero", "uint8 range [0, 255]")
        var signed = with("input.signed", flag(true))
        signed["input.zero"] = scalar(128)
        expectError(signed, key: "input.zero", "int8 range [-128, 127]")
        signed["input.zero"] = scalar(-128)
        #expect((try? QuantizedModel(arrays: signed, file: "m"))?.input.zero == -128)
        expectError(with("input.zero", flag(true)), key: "input.zero", "integer")
        expectError(with("input.scale", NDArray(shape: [], storage: .float64([0.5]))), key: "input.scale", "float32")
        expectError(with("input.scale", NDArray(shape: [1], storage: .float32([0.5]))), key: "input.scale", "shape must be ()")
        for bad: Float in [0, -1, .nan, .infinity] {
            expectError(with("input.scale", f32(bad)), key: "input.scale", "finite and > 0")
        }
        expectError(with("input.rounding", text("nearest")), key: "input.rounding", "'half_even', 'half_away' or 'trunc'")
        expectError(with("input.rounding", scalar(0)), key: "input.rounding", "unicode")
    }

    @Test func layerKindAndWeight() {
        expectError(with("layer1.kind", text("conv")), key: "layer1.kind", "unknown kind 'conv'")
        expectError(with("layer1.kind", scalar(0)), key: "layer1.kind", "unicode")
        expectError(with("layer0.weight", NDArray(shape: [4, 6], storage: .int16(Array(repeating: 1, count: 24)))),
                    key: "layer0.weight", "int8")
        expectError(with("layer0.weight", NDArray(shape: [24], storage: .int8(Array(repeating: 1, count: 24)))),
                    key: "layer0.weight", "(out, in)")
        expectError(with("layer0.weight", NDArray(shape: [0, 6], storage: .int8([]))), key: "layer0.weight", ">= 1")
        // Chaining: layer1's in must be layer0's out.
        expectError(with("layer1.weight", NDArray(shape: [3, 5], storage: .int8(Array(repeating: 1, count: 15)))),
                    key: "layer1.weight", "layer0 has out = 4")
    }

    @Test func bias() {
        expectError(with("layer0.bias", NDArray(shape: [4], storage: .int64([1, 2, 3, 4]))), key: "layer0.bias", "int32")
        expectError(with("layer0.bias", NDArray(shape: [3], storage: .int32([1, 2, 3]))), key: "layer0.bias", "(4,)")
        expectError(with("layer0.bias", NDArray(shape: [4, 1], storage: .int32([1, 2, 3, 4]))), key: "layer0.bias", "(4,)")
    }

    @Test func multiplierAndShift() {
        expectError(with("layer1.multiplier", scalar(0)), key: "layer1.multiplier", "1 <= M < 2^32")
        expectError(with("layer1.multiplier", scalar(1 << 32)), key: "layer1.multiplier", "1 <= M < 2^32")
        expectError(with("layer1.multiplier", scalar(-3)), key: "layer1.multiplier", "1 <= M < 2^32")
        expectError(with("layer1.multiplier", f32(3)), key: "layer1.multiplier", "integer")
        expectError(with("layer0.multiplier", NDArray(shape: [3], storage: .int64([1, 2, 3]))), key: "layer0.multiplier", "(4,)")
        expectError(with("layer0.multiplier", NDArray(shape: [1], storage: .int64([1]))), key: "layer0.multiplier", "(4,)")
        #expect((try? QuantizedModel(arrays: with("layer1.multiplier", scalar((1 << 32) - 1)), file: "m")) != nil)
        expectError(with("layer1.shift", scalar(64)), key: "layer1.shift", "0 <= s <= 63")
        expectError(with("layer1.shift", scalar(-1)), key: "layer1.shift", "0 <= s <= 63")
        expectError(with("layer1.shift", flag(true)), key: "layer1.shift", "integer")
        expectError(with("layer0.shift", NDArray(shape: [2, 2], storage: .int64([1, 2, 3, 4]))), key: "layer0.shift", "(4,)")
        #expect((try? QuantizedModel(arrays: with("layer1.shift", scalar(0)), file: "m")) != nil)
    }

    @Test func roundingReluAndOutput() {
        expectError(with("layer0.rounding", text("nearest")), key: "layer0.rounding",
                    "must be one of 'floor', 'half_up', 'half_even', 'gemmlowp', 'float32', got 'nearest'")
        expectError(with("layer0.rounding", NDArray(shape: [1], storage: .unicode(["floor"], width: 5))),
                    key: "layer0.rounding", "shape must be ()")
        expectError(with("layer1.relu", scalar(2)), key: "layer1.relu", "0/1")
        expectError(with("layer1.relu", scalar(-1)), key: "layer1.relu", "0/1")
        expectError(with("layer1.relu", NDArray(shape: [1], storage: .bool([true]))), key: "layer1.relu", "shape must be ()")
        expectError(with("layer0.output.zero", scalar(256)), key: "layer0.output.zero", "uint8 range [0, 255]")
        expectError(with("layer1.output.zero", scalar(128)), key: "layer1.output.zero", "int8 range [-128, 127]")
        expectError(with("layer1.output.zero", scalar(-129)), key: "layer1.output.zero", "int8 range [-128, 127]")
        expectError(with("layer1.output.zero", f32(0)), key: "layer1.output.zero", "integer")
        expectError(with("layer0.output.signed", scalar(5)), key: "layer0.output.signed", "0/1")
        // layer0's zero 200 is fine for uint8 but not once the output becomes int8.
        expectError(with("layer0.output.signed", flag(true)), key: "layer0.output.zero", "int8 range")
    }

    @Test func validateCatchesBadModelsBuiltInCode() throws {
        var m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.layers[1].weight.removeLast()
        #expect(throws: ZynqError(key: "layer1.weight", "holds 11 values, not out·in = 3·4")) { try m.validate() }
        m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.layers[0].multiplier[2] = 0
        #expect(throws: ZynqError.self) { try m.validate() }
        m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.layers[0].shift[0] = 64
        #expect(throws: ZynqError.self) { try m.validate() }
        m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.input.scale = .nan
        #expect(throws: ZynqError(key: "input.scale", "must be finite and > 0, got nan")) { try m.validate() }
    }
}

@Suite struct ModelFiles {
    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-model-\(getpid())-\(name)").path
    }

    @Test func saveAndLoadRoundTrip() throws {
        let m = try QuantizedModel(arrays: validArrays(), file: "m")
        let path = temp("round.npz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.save(to: path)
        #expect(try QuantizedModel.load(path: path) == m)
        // The file holds exactly the format-1 arrays.
        let arrays = try NPZ.read(path: path)
        #expect(arrays == Dictionary(uniqueKeysWithValues: m.arrays()))
    }

    @Test func importedModelsLoadFromFiles() throws {
        let path = temp("nb.npz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NPZ.write(notebookArrays().sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        #expect(try QuantizedModel.load(path: path) == QuantizedModel(notebook: notebookArrays(), file: "x"))
    }

    @Test func loadErrorsNameTheFile() throws {
        let path = temp("bad.npz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NPZ.write(with("layer1.shift", scalar(99)).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        #expect(throws: ZynqError(file: path, key: "layer1.shift", "s = 99 is outside 0 <= s <= 63")) {
            try QuantizedModel.load(path: path)
        }
        #expect(throws: ZynqError.self) { try QuantizedModel.load(path: temp("missing.npz")) }
    }

    @Test func saveRefusesInvalidModelsAndWritesNothing() throws {
        var m = try QuantizedModel(arrays: validArrays(), file: "m")
        m.layers[0].outputZero = 300
        let path = temp("invalid.npz")
        #expect(throws: ZynqError(file: path, key: "layer0.output.zero", "300 is outside the uint8 range [0, 255]")) {
            try m.save(to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
