import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

/// Gaussian blobs: `classes` centers in `features` dimensions, deterministic.
func blobs(count: Int, features: Int, classes: Int, seed: UInt64) throws -> LabeledData {
    var g = Xoshiro256(seed: seed)
    var centers = [[Double]]()
    for _ in 0..<classes { centers.append((0..<features).map { _ in g.gaussian() * 2 }) }
    var x = [Float]()
    var y = [Int32]()
    for i in 0..<count {
        let c = i % classes
        for j in 0..<features { x.append(Float(centers[c][j] + g.gaussian())) }
        y.append(Int32(c))
    }
    return try LabeledData(features: .floats(x), shape: [features], labels: y, classCount: classes, source: "blobs")
}

/// Mean softmax cross-entropy of a ReLU MLP in Double: an implementation independent of
/// the engine (plain loops over (out, in) weights).
func referenceLoss(weights: [[[Double]]], biases: [[Double]], x: [[Double]], y: [Int]) -> Double {
    var total = 0.0
    for (r, sample) in x.enumerated() {
        var a = sample
        for l in 0..<weights.count {
            var z = [Double](repeating: 0, count: weights[l].count)
            for o in 0..<z.count {
                var s = biases[l][o]
                for p in 0..<a.count { s += weights[l][o][p] * a[p] }
                z[o] = l < weights.count - 1 ? max(0, s) : s
            }
            a = z
        }
        let m = a.max()!
        let lse = m + log(a.map { exp($0 - m) }.reduce(0, +))
        total += lse - a[y[r]]
    }
    return total / Double(x.count)
}

@Suite struct TrainingTests {
    @Test func backpropagationMatchesFiniteDifferences() throws {
        let sizes = [5, 4, 6, 3]
        var g = Xoshiro256(seed: 7)
        var net = FloatMLP.heInitialized(sizes: sizes, rng: &g)
        for l in 0..<net.layers.count {
            for o in 0..<net.layers[l].outFeatures { net.layers[l].bias[o] = Float(g.gaussian() * 0.3) }
        }
        let rows = 4
        let xs: [[Double]] = (0..<rows).map { _ in (0..<sizes[0]).map { _ in Double(Float(g.gaussian())) } }
        let ys = [0, 2, 1, 2]
        let data = try LabeledData(features: .floats(xs.flatMap { $0.map(Float.init) }), shape: [sizes[0]],
                                   labels: ys.map(Int32.init), classCount: 3, source: "t")

        let engine = MLPEngine(network: net, capacity: rows, threads: 1, useBias: true)
        let idx: [Int32] = [0, 1, 2, 3]
        idx.withUnsafeBufferPointer { engine.load(data, indices: $0.baseAddress!, rows: rows) }
        engine.forward(rows: rows, quantized: false)
        var stats = MLPEngine.BatchStats()
        engine.lossAndGradient(rows: rows, gradient: true, stats: &stats)
        engine.backward(rows: rows, quantized: false)

        var W: [[[Double]]] = net.layers.map { layer in
            (0..<layer.outFeatures).map { o in (0..<layer.inFeatures).map { p in Double(layer.weight(o, p)) } }
        }
        var B: [[Double]] = net.layers.map { $0.bias.map(Double.init) }
        let base = referenceLoss(weights: W, biases: B, x: xs, y: ys)
        #expect(abs(stats.loss - base) < 1e-5)

        let h = 1e-6
        var checked = 0
        for l in 0..<W.count {
            for o in 0..<W[l].count {
                for p in 0..<W[l][o].count {
                    let keep = W[l][o][p]
                    W[l][o][p] = keep + h
                    let up = referenceLoss(weights: W, biases: B, x: xs, y: ys)
                    W[l][o][p] = keep - h
                    let down = referenceLoss(weights: W, biases: B, x: xs, y: ys)
                    W[l][o][p] = keep
                    let numeric = (up - down) / (2 * h)
                    let analytic = Double(engine.gW[l].p[p * sizes[l + 1] + o])
                    #expect(abs(numeric - analytic) <= 1e-4 + 1e-3 * abs(numeric), "w[\(l)][\(o),\(p)]")
                    checked += 1
                }
                let keep = B[l][o]
                B[l][o] = keep + h
                let up = referenceLoss(weights: W, biases: B, x: xs, y: ys)
                B[l][o] = keep - h
                let down = referenceLoss(weights: W, biases: B, x: xs, y: ys)
                B[l][o] = keep
                let numeric = (up - down) / (2 * h)
                #expect(abs(numeric - Double(engine.gb[l].p[o])) <= 1e-4 + 1e-3 * abs(numeric), "b[\(l)][\(o)]")
            }
        }
        #expect(checked == 5 * 4 + 4 * 6 + 6 * 3)
    }

    @Test func sgemmMatchesNaiveProductForAwkwardShapes() {
        // Shapes that exercise the 4x16 register tile and every edge path.
        for (m, n, k) in [(1, 1, 1), (5, 17, 3), (9, 33, 70), (4, 16, 1), (13, 10, 129)] {
            var g = Xoshiro256(seed: UInt64(m * 1000 + n * 10 + k))
            let a = (0..<(m * k)).map { _ in Float(g.gaussian()) }
            let b = (0..<(k * n)).map { _ in Float(g.gaussian()) }
            var c = [Float](repeating: 7, count: m * n)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        Parallel.gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n,
                                      c: cp.baseAddress!, ldc: n, accumulate: true, threads: 1)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                    #expect(abs(Double(c[i * n + j]) - (7 + s)) < 1e-4 * Double(k + 7), "(\(m),\(n),\(k)) at \(i),\(j)")
                }
            }
        }
    }

    @Test func trainingIsDeterministicForASeedWhateverTheThreadCount() throws {
        let data = try blobs(count: 600, features: 64, classes: 10, seed: 3)
        var o = TrainOptions(sizes: [64, 64, 10])
        o.epochs = 2
        o.batchSize = 64
        o.validationFraction = 0.1
        o.qatEpochs = 1
        var q = QuantizationOptions()
        q.calibrationSamples = 200
        var results: [TrainOutcome] = []
        for threads in [1, 2, 3] {
            o.threads = threads
            results.append(try Trainer.run(train: data, test: nil, options: o, quantization: q))
        }
        #expect(results[0].floatNetwork == results[1].floatNetwork)
        #expect(results[0].floatNetwork == results[2].floatNetwork)
        #expect(results[0].model == results[1].model)
        #expect(results[0].model == results[2].model)
        o.seed = 2
        let other = try Trainer.run(train: data, test: nil, options: o, quantization: q)
        #expect(other.floatNetwork != results[0].floatNetwork)
    }

    @Test func irisFloatTrainingLearnsTheClasses() throws {
        let all = try LabeledData.fromCSV(path: irisPath)
        let (train, test) = all.split(heldOutFraction: 0.2, seed: 1)
        var o = TrainOptions(sizes: [4, 30, 30, 3])
        o.epochs = 100
        o.batchSize = 16
        o.learningRate = 0.01
        let out = try Trainer.run(train: train, test: test, options: o, quantization: QuantizationOptions())
        #expect(try #require(out.floatTestAccuracy) >= 0.9)
    }

    @Test func standardizationFoldsIntoTheFirstLayer() throws {
        var g = Xoshiro256(seed: 11)
        let net = FloatMLP.heInitialized(sizes: [3, 4, 2], rng: &g)
        let mean: [Float] = [5, -1, 0.25]
        let inv: [Float] = [0.5, 2, 4]
        let folded = net.foldingStandardization(mean: mean, invStd: inv)
        let x: [Float] = [6, 0.5, -1]
        let standardized = (0..<3).map { Double((x[$0] - mean[$0]) * inv[$0]) }
        let a = net.forwardReference(standardized)
        let b = folded.forwardReference(x.map(Double.init))
        for i in 0..<2 { #expect(abs(a[i] - b[i]) < 1e-5) }
    }
}

let irisPath: String = repoPath("examples/iris/iris.csv")
