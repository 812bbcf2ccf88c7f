import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

func notebookArrays() -> [String: NDArray] {
    [
        "w1": NDArray(shape: [3, 4], storage: .int8([1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -128])),
        "w2": NDArray(shape: [2, 3], storage: .int8([127, 0, -1, 2, 3, 4])),
        "shift_l1": NDArray(shape: [], storage: .int64([12])),
        "shift_l2": NDArray(shape: [], storage: .int64([7])),
    ]
}

func f32s(_ v: [Float]) -> NDArray { NDArray(shape: [v.count], storage: .float32(v)) }
func i32s(_ v: [Int32]) -> NDArray { NDArray(shape: [v.count], storage: .int32(v)) }

/// pyrtlnet's layout: scales float32 (k,), zero points int32 (k,), bias int32 (out, 1);
/// layer 0 per axis (2 outputs), layer 1 per tensor.
func pyrtlnetArrays() -> [String: NDArray] {
    [
        "input.scale": f32s([0.25]),
        "input.zero": i32s([-128]),
        "layer0.weight": NDArray(shape: [2, 3], storage: .int8([1, 2, 3, -4, -5, -6])),
        "layer0.bias": NDArray(shape: [2, 1], storage: .int32([100, -100])),
        "layer0.weight.scale": f32s([0.5, 0.75]),
        "layer0.weight.zero": i32s([0, 0]),
        "layer0.output.scale": f32s([1]),
        "layer0.output.zero": i32s([-3]),
        "layer1.weight": NDArray(shape: [1, 2], storage: .int8([7, 8])),
        "layer1.bias": NDArray(shape: [1, 1], storage: .int32([5])),
        "layer1.weight.scale": f32s([0.0123]),
        "layer1.weight.zero": i32s([0]),
        "layer1.output.scale": f32s([0.2 / 0.05]),  // so that m = 0.0123·1/4 = 0.003075
        "layer1.output.zero": i32s([4]),
    ]
}

/// Expects importing `arrays` to fail with an error naming `file`, `key`, and containing `fragment`.
func expectImportError(_ arrays: [String: NDArray], file: String, key: String, _ fragment: String,
                       sourceLocation: SourceLocation) {
    do throws(ZynqError) {
        _ = try QuantizedModel(importing: arrays, file: file)
        Issue.record("no error", sourceLocation: sourceLocation)
    } catch { let e = error;
        #expect(e.file == file && e.key == key && e.message.contains(fragment), "\(e)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct Importers {
    @Test func recognisedFromKeys() {
        #expect(ModelSource(keys: validArrays().keys) == .format1)
        #expect(ModelSource(keys: notebookArrays().keys) == .notebook)
        #expect(ModelSource(keys: pyrtlnetArrays().keys) == .pyrtlnet)
        #expect(ModelSource(keys: ["weights", "x"]) == nil)
    }

    @Test func notebookConversion() throws {
        let m = try QuantizedModel(importing: notebookArrays(), file: "nb.npz")
        #expect(m.input == InputSpec(shape: [4], type: .uint8, zero: 0, scale: Float(1.0 / 255.0), rounding: .halfEven))
        let l0 = DenseLayer(outFeatures: 3, inFeatures: 4, weight: [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -128],
                            multiplier: [1], shift: [12], rounding: .floor, relu: true, outputZero: 0, outputType: .uint8)
        let l1 = DenseLayer(outFeatures: 2, inFeatures: 3, weight: [127, 0, -1, 2, 3, 4],
                            multiplier: [1], shift: [7], rounding: .floor, relu: false, outputZero: 0, outputType: .uint8)
        #expect(m.layers == [l0, l1])
        #expect(m.layers[0].bias == [0, 0, 0])
    }

    @Test func notebookErrors() {
        func expect(_ a: [String: NDArray], _ key: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            expectImportError(a, file: "nb.npz", key: key, fragment, sourceLocation: sourceLocation)
        }
        var a = notebookArrays(); a["b1"] = scalar(0)
        expect(a, "b1", "unknown key")
        a = notebookArrays(); a["shift_l2"] = nil
        expect(a, "shift_l2", "missing key")
        a = notebookArrays(); a["shift_l1"] = scalar(64)
        expect(a, "shift_l1", "0 <= s <= 63")
        a = notebookArrays(); a["w2"] = NDArray(shape: [2, 2], storage: .int8([1, 2, 3, 4]))
        expect(a, "w2", "h = 3")
        a = notebookArrays(); a["w1"] = NDArray(shape: [3, 4], storage: .float32(Array(repeating: 0, count: 12)))
        expect(a, "w1", "int8")
        expect(["weights": scalar(1)], "format", "not a zynqnet model")
    }

    /// M and s by hand: layer 0, channel 0: m = 0.5·0.25/1 = 0.125 = 0.5·2^−2 → n = 2,
    /// M = 0.5·2^32 = 2^31, s = 34; channel 1: m = 0.1875 = 0.75·2^−2 → M = 0.75·2^32, s = 34.
    /// Layer 1 (s_in = layer 0's output scale 1): m = float32(0.0123·1)/4 = 0.003075 → n = 8,
    /// M = 3380998144, s = 40 (NumPy: m0 = float(np.float32(0.0123) * np.float32(1) / np.float32(4)) * 2**8,
    /// int(m0 * 2**32)).
    @Test func pyrtlnetConversion() throws {
        let m = try QuantizedModel(importing: pyrtlnetArrays(), file: "q.npz")
        #expect(m.input == InputSpec(shape: [3], type: .int8, zero: -128, scale: 0.25, rounding: .trunc))
        #expect(m.layers.count == 2)
        let l0 = m.layers[0], l1 = m.layers[1]
        #expect(l0.multiplier == [1 << 31, 3 << 30] && !l0.perTensorMultiplier)
        #expect(l0.shift == [34, 34])
        #expect(l0.bias == [100, -100] && l0.weight == [1, 2, 3, -4, -5, -6])
        #expect(l0.rounding == .halfUp && l0.relu && l0.outputZero == -3 && l0.outputType == .int8)
        #expect(l1.multiplier == [3_380_998_144] && l1.perTensorMultiplier)
        #expect(l1.shift == [40])
        #expect(l1.rounding == .halfUp && !l1.relu && l1.outputZero == 4 && l1.outputType == .int8)
        // The converted model survives format 1.
        #expect(try QuantizedModel(arrays: Dictionary(uniqueKeysWithValues: m.arrays()), file: "x") == m)
    }

    /// NumPy: m = (np.float32(0.004329) * np.float32(1/255)) / np.float32(0.076943)
    /// = 0.00022063698 → n = 12, M = 3881486848, s = 44 (the notebook's scales).
    @Test func pyrtlnetMultiplierValues() {
        let m = QuantizedModel.pyrtlnetMultiplier(weightScale: 0.004329, inputScale: Float(1.0 / 255.0), outputScale: 0.076943)
        #expect(m?.0 == 3_881_486_848 && m?.1 == 44)
        // m = 2^−32 exactly: n = 31, M = 2^31, s = 63; just below it, or m ≥ 1: no n.
        let tiny = QuantizedModel.pyrtlnetMultiplier(weightScale: 0x1p-32, inputScale: 1, outputScale: 1)
        #expect(tiny?.0 == 1 << 31 && tiny?.1 == 63)
        #expect(QuantizedModel.pyrtlnetMultiplier(weightScale: Float(0x1p-32).nextDown, inputScale: 1, outputScale: 1) == nil)
        #expect(QuantizedModel.pyrtlnetMultiplier(weightScale: 0.9, inputScale: 1, outputScale: 0.9) == nil)  // m = 1
        // Largest M: m = 1 − 2^−24 → M = 2^32 − 2^8, s = 32.
        let big = QuantizedModel.pyrtlnetMultiplier(weightScale: Float(1).nextDown, inputScale: 1, outputScale: 1)
        #expect(big?.0 == UInt32.max - 255 && big?.1 == 32)
    }

    @Test func pyrtlnetErrors() {
        func expect(_ a: [String: NDArray], _ key: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            expectImportError(a, file: "q.npz", key: key, fragment, sourceLocation: sourceLocation)
        }
        var a = pyrtlnetArrays(); a["layer0.weight.scale"] = f32s([4, 0.75])
        expect(a, "layer0.weight.scale", "no n in 0...31")
        a = pyrtlnetArrays(); a["layer1.weight.zero"] = i32s([1])
        expect(a, "layer1.weight.zero", "must be 0")
        a = pyrtlnetArrays(); a["layer0.output.zero"] = i32s([200])
        expect(a, "layer0.output.zero", "int8 range")
        a = pyrtlnetArrays(); a["layer0.weight.scale"] = NDArray(shape: [2], storage: .float64([0.5, 0.75]))
        expect(a, "layer0.weight.scale", "float32")
        a = pyrtlnetArrays(); a["layer0.weight.scale"] = f32s([0.5, 0.75, 1])
        expect(a, "layer0.weight.scale", "(2,)")
        a = pyrtlnetArrays(); a["input.scale"] = f32s([-1])
        expect(a, "input.scale", "finite and > 0")
        a = pyrtlnetArrays(); a["layer1.bias"] = nil
        expect(a, "layer1.bias", "missing key")
        a = pyrtlnetArrays(); a["layer1.extra"] = i32s([0])
        expect(a, "layer1.extra", "unknown key")
        a = pyrtlnetArrays(); a["layer1.weight"] = NDArray(shape: [1, 3], storage: .int8([1, 2, 3]))
        expect(a, "layer1.weight", "layer0 has out = 2")
        a = pyrtlnetArrays(); for k in a.keys where k.hasPrefix("layer0.") { a[k] = nil }
        expect(a, "layer0.weight", "no gaps")
    }
}
