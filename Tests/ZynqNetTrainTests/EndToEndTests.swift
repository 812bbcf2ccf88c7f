import Foundation
import Testing
import ZynqNetBase
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetTrain

/// The spec's integer semantics, written out naively (Int64 is enough for these small
/// layers): an implementation independent of the simulator, to check the training
/// pipeline's reported accuracy and the exported model's meaning.
func specOutputs(_ m: QuantizedModel, codes x0: [Int64]) -> [Int64] {
    var x = x0
    var zx = Int64(m.input.zero)
    for l in m.layers {
        var y = [Int64](repeating: 0, count: l.outFeatures)
        for o in 0..<l.outFeatures {
            var acc = Int64(l.bias[o])
            for k in 0..<l.inFeatures { acc += Int64(l.weight[o * l.inFeatures + k]) * (x[k] - zx) }
            let p = acc * Int64(l.multiplier[o])
            let s = Int64(l.shift[o])
            var q = l.rounding == .floor || s == 0 ? p >> s : (p + (Int64(1) << (s - 1))) >> s
            q += Int64(l.outputZero)
            y[o] = min(max(q, Int64(l.outputLow)), Int64(l.outputHigh))
        }
        x = y
        zx = Int64(l.outputZero)
    }
    return x
}

func argmax(_ v: [Int64]) -> Int {
    var best = 0
    for i in 1..<v.count where v[i] > v[best] { best = i }
    return best
}

/// Float inputs on the spec's path (docs/spec-notes.md): v = x / scale and v + zero both
/// in float32, round half to even, clamp.
func specCode(_ x: Float, _ input: InputSpec) -> Int64 {
    let t = (x / input.scale) + Float(input.zero)
    let r = t.rounded(.toNearestOrEven)
    return Int64(min(max(r, Float(input.type.min)), Float(input.type.max)))
}

/// Synthetic 8x8 "images" (uint8) of four classes: bright blocks in different corners.
func syntheticImages(count: Int, seed: UInt64) throws -> LabeledData {
    var g = Xoshiro256(seed: seed)
    var px = [UInt8]()
    var labels = [Int32]()
    for i in 0..<count {
        let c = i % 4
        for r in 0..<8 {
            for col in 0..<8 {
                let inBlock = (r < 4) == (c < 2) && (col < 4) == (c % 2 == 0)
                let v = (inBlock ? 150.0 : 40.0) + g.gaussian() * 70
                px.append(UInt8(min(max(v.rounded(), 0), 255)))
            }
        }
        labels.append(Int32(c))
    }
    return try LabeledData(features: .bytes(px), shape: [8, 8], labels: labels, source: "synthetic")
}

@Suite struct EndToEndTests {
    @Test func irisQuantizedModelReachesTheThresholdOnTheSimulator() throws {
        let pair = try Datasets.load(dataset: irisPath, testSplit: 0.2, seed: 1)
        let test = try #require(pair.test)
        #expect(pair.train.count == 120 && test.count == 30)
        var o = TrainOptions(sizes: [4, 30, 30, 3])
        o.epochs = 200
        o.batchSize = 16
        o.learningRate = 0.01
        let out = try Trainer.run(train: pair.train, test: test, options: o, quantization: QuantizationOptions())
        let q = try #require(out.quantizedTestAccuracy)
        #expect(q >= 0.93)
        // The reported accuracy is the integer model's, as an independent implementation computes it.
        guard case .floats(let f) = test.features else { Issue.record("not floats"); return }
        var correct = 0
        for i in 0..<test.count {
            let codes = (0..<4).map { specCode(f[i * 4 + $0], out.model.input) }
            if argmax(specOutputs(out.model, codes: codes)) == Int(test.labels[i]) { correct += 1 }
        }
        #expect(Double(correct) / 30 == q)
        // Standardization is folded: the model takes raw centimetres on one affine grid.
        #expect(out.model.input.type == .uint8 && out.model.input.zero == 0)
        #expect(out.model.input.scale == Float(7.9) / 255)
    }

    @Test func int8PerChannelAndQATExportsAgreeWithTheirFakeQuantization() throws {
        let data = try syntheticImages(count: 800, seed: 9)
        let (train, test) = data.split(heldOutFraction: 0.25, seed: 2)
        var o = TrainOptions(sizes: [64, 24, 4])
        o.epochs = 10
        o.learningRate = 0.003
        o.batchSize = 32
        o.qatEpochs = 2
        var q = QuantizationOptions()
        q.activations = .int8
        q.perChannel = true
        let out = try Trainer.run(train: train, test: test, options: o, quantization: q)
        let model = out.model
        #expect(model.input == InputSpec(shape: [8, 8], type: .int8, zero: -128, scale: 1 / 255))
        #expect(model.layers.allSatisfy { !$0.perTensorMultiplier && $0.rounding == .halfUp })
        #expect(model.layers.allSatisfy { $0.multiplier.allSatisfy { $0 >= 1 << 30 && $0 < 1 << 31 } })
        #expect(model.layers[0].relu && !model.layers[1].relu && model.layers[0].outputZero == -128)
        #expect(try #require(out.quantizedTestAccuracy) >= 0.95)

        // The QAT forward pass (fake quantization with the exported grids) computes what the
        // integer model computes, up to rounding: compare the last layer's codes.
        let t = try #require(test)
        let engine = MLPEngine(network: out.quantizedFrom, capacity: t.count, threads: 1, useBias: true)
        engine.plan = FakeQuantPlan(inputScale: out.input.scale, outputs: out.outputs, perChannel: true)
        engine.prepareQuantizedParameters()
        let idx = (0..<t.count).map { Int32($0) }
        idx.withUnsafeBufferPointer { engine.load(t, indices: $0.baseAddress!, rows: t.count) }
        engine.forward(rows: t.count, quantized: true)
        let sim = try QuantizedEvaluation.run(model, on: t)
        let last = out.outputs[1]
        var equal = 0
        var worst: Int32 = 0
        for j in 0..<sim.outputs.count {
            let fake = Int32((engine.A[2].p[j] / last.scale).rounded()) + last.zero
            equal += fake == sim.outputs[j] ? 1 : 0
            worst = max(worst, abs(fake - sim.outputs[j]))
        }
        #expect(Double(equal) / Double(sim.outputs.count) >= 0.9)
        #expect(worst <= 2)
    }

    @Test func shiftOnlyExportIsTheNotebooksModel() throws {
        let data = try syntheticImages(count: 600, seed: 4)
        let (train, test) = data.split(heldOutFraction: 0.3, seed: 3)
        var o = TrainOptions(sizes: [64, 16, 4])
        o.epochs = 10
        o.learningRate = 0.003
        o.batchSize = 32
        o.useBias = false
        var q = QuantizationOptions()
        q.shiftOnly = true
        let out = try Trainer.run(train: train, test: test, options: o, quantization: q)
        let m = out.model
        #expect(m.layers.allSatisfy { $0.multiplier == Array(repeating: 1, count: $0.outFeatures) && $0.rounding == .floor })
        #expect(m.layers.allSatisfy { $0.outputZero == 0 && $0.outputType == .uint8 && $0.bias.allSatisfy { $0 == 0 } })
        #expect(m.input.type == .uint8 && m.input.zero == 0)

        // Written in the notebook's own file format (w1, w2, shift_l1, shift_l2), the
        // importer of that format gives back exactly these layers.
        let l0 = m.layers[0], l1 = m.layers[1]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zn-train-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notebook.npz").path
        try NPZ.write([
            ("w1", NDArray(shape: [l0.outFeatures, l0.inFeatures], storage: .int8(l0.weight))),
            ("w2", NDArray(shape: [l1.outFeatures, l1.inFeatures], storage: .int8(l1.weight))),
            ("shift_l1", NDArray(shape: [], storage: .int64([Int64(l0.shift[0])]))),
            ("shift_l2", NDArray(shape: [], storage: .int64([Int64(l1.shift[0])]))),
        ], to: path)
        let imported = try QuantizedModel.load(path: path)
        #expect(imported.layers == m.layers)
        #expect(imported.input.type == m.input.type && imported.input.zero == m.input.zero)
        #expect(imported.input.scale == m.input.scale)

        // And the simulator's outputs are the notebook's fpga_layer_sim_shift_only:
        // acc = W·x; relu: max(acc, 0); acc >> shift; clip to [0, 255].
        func notebook(_ x: [Int64]) -> [Int64] {
            func layer(_ x: [Int64], _ l: DenseLayer, relu: Bool) -> [Int64] {
                (0..<l.outFeatures).map { o in
                    var acc: Int64 = 0
                    for k in 0..<l.inFeatures { acc += Int64(l.weight[o * l.inFeatures + k]) * x[k] }
                    if relu { acc = max(acc, 0) }
                    return min(max(acc >> Int64(l.shift[0]), 0), 255)
                }
            }
            return layer(layer(x, l0, relu: true), l1, relu: false)
        }
        let sim = try QuantizedEvaluation.run(m, on: test!)
        guard case .bytes(let px) = test!.features else { Issue.record("not bytes"); return }
        for i in 0..<test!.count {
            let x = (0..<64).map { Int64(px[i * 64 + $0]) }
            #expect(sim.output(i).map(Int64.init) == notebook(x), "image \(i)")
        }
        // The outputs are not trivially all zero.
        #expect(sim.outputs.contains { $0 > 0 })
    }
}
