import CZynqNetTrainKernels
import Foundation
import ZynqNetBase
import ZynqNetModel

public enum OptimizerKind: String, Sendable, CaseIterable {
    case adam, sgd
}

/// Fake quantization of one layer's output during QAT (and of calibration passes): the
/// format-1 output `clamp(zy + round(z / scale), lo, hi)` seen as a real value.
public struct ActivationQuantization: Sendable, Equatable {
    public var scale: Float
    public var zero: Int32
    public var type: ActivationType
    public var relu: Bool

    public init(scale: Float, zero: Int32, type: ActivationType, relu: Bool) {
        self.scale = scale
        self.zero = zero
        self.type = type
        self.relu = relu
    }

    public var lo: Int32 { relu ? max(type.min, zero) : type.min }
    public var hi: Int32 { type.max }
}

/// What a QAT forward pass fake-quantizes: the input scale (for the bias grid), each
/// layer's output and the weight-scale granularity.
struct FakeQuantPlan {
    var inputScale: Float
    var outputs: [ActivationQuantization]
    var perChannel: Bool
}

/// The training engine of one MLP: parameters, optimizer state and all batch workspace
/// in flat buffers, driven by the C kernels. Not thread-safe; internally parallel.
final class MLPEngine {
    let sizes: [Int]
    let layerCount: Int
    let capacity: Int
    let threads: Int
    let useBias: Bool

    let W: [FloatBuffer], b: [FloatBuffer]
    let gW: [FloatBuffer], gb: [FloatBuffer]
    let m1W: [FloatBuffer], m2W: [FloatBuffer], m1b: [FloatBuffer], m2b: [FloatBuffer]
    var stepCount = 0

    /// A[l]: layer l's input for l < L (A[0] = batch), A[L] = logits; capacity × sizes[l].
    let A: [FloatBuffer]
    /// Z[l] (l ≥ 1): pre-quantization outputs in QAT; mask[l]: the clipped-STE pass mask.
    let Z: [FloatBuffer]
    let mask: [ByteBuffer]
    /// D[l] (l ≥ 1): gradient of the loss with respect to A[l].
    let D: [FloatBuffer]
    let XT: FloatBuffer, Wn: FloatBuffer
    let lossBuf: FloatBuffer
    let labelBuf: UnsafeMutablePointer<Int32>
    let predBuf: UnsafeMutablePointer<Int32>
    let indexBuf: UnsafeMutablePointer<Int32>

    /// QAT: fake-quantized weights and biases of the current step.
    let Wq: [FloatBuffer], bq: [FloatBuffer]
    var plan: FakeQuantPlan?

    init(network: FloatMLP, capacity: Int, threads: Int, useBias: Bool) {
        let sizes = network.sizes
        self.sizes = sizes
        layerCount = network.layers.count
        self.capacity = capacity
        self.threads = max(1, threads)
        self.useBias = useBias
        let L = network.layers.count
        W = network.layers.map { FloatBuffer($0.weightT) }
        b = network.layers.map { FloatBuffer($0.bias) }
        func weightShaped() -> [FloatBuffer] { (0..<L).map { FloatBuffer(sizes[$0] * sizes[$0 + 1]) } }
        func biasShaped() -> [FloatBuffer] { (0..<L).map { FloatBuffer(sizes[$0 + 1]) } }
        gW = weightShaped(); gb = biasShaped()
        m1W = weightShaped(); m2W = weightShaped(); m1b = biasShaped(); m2b = biasShaped()
        Wq = weightShaped(); bq = biasShaped()
        A = (0...L).map { FloatBuffer(capacity * sizes[$0]) }
        Z = (0...L).map { FloatBuffer($0 == 0 ? 0 : capacity * sizes[$0]) }
        mask = (0...L).map { ByteBuffer($0 == 0 ? 0 : capacity * sizes[$0]) }
        D = (0...L).map { FloatBuffer($0 == 0 ? 0 : capacity * sizes[$0]) }
        XT = FloatBuffer(capacity * (sizes.dropLast().max() ?? 1))
        Wn = FloatBuffer((1..<max(L, 2)).map { $0 < L ? sizes[$0] * sizes[$0 + 1] : 0 }.max() ?? 0)
        lossBuf = FloatBuffer(capacity)
        labelBuf = .allocate(capacity: capacity)
        predBuf = .allocate(capacity: capacity)
        indexBuf = .allocate(capacity: capacity)
    }

    deinit {
        labelBuf.deallocate()
        predBuf.deallocate()
        indexBuf.deallocate()
    }

    var network: FloatMLP {
        FloatMLP(layers: (0..<layerCount).map {
            FloatLayer(inFeatures: sizes[$0], outFeatures: sizes[$0 + 1], weightT: W[$0].array, bias: b[$0].array)
        })
    }

    // MARK: fake quantization of parameters

    /// Computes Wq/bq from W/b with the plan's grids (same rules as the exporter).
    func prepareQuantizedParameters() {
        guard let plan else { return }
        var sIn = plan.inputScale
        for l in 0..<layerCount {
            let (nin, nout) = (sizes[l], sizes[l + 1])
            let scales = Quantizer.weightScales(weightT: W[l].p, inFeatures: nin, outFeatures: nout, perChannel: plan.perChannel)
            scales.withUnsafeBufferPointer { zn_fake_quant_weight_t(W[l].p, Wq[l].p, Int32(nin), Int32(nout), $0.baseAddress!) }
            for o in 0..<nout {
                let grid = Double(sIn) * Double(scales[o])
                let q = (Double(b[l].p[o]) / grid).rounded(.toNearestOrAwayFromZero)
                bq[l].p[o] = Float(min(max(q, -2147483648), 2147483647) * grid)
            }
            sIn = plan.outputs[l].scale
        }
    }

    // MARK: forward / backward

    /// Forward pass of `rows` samples already in A[0]; logits (fake-quantized in QAT) end in A[L].
    func forward(rows r: Int, quantized: Bool) {
        for l in 0..<layerCount {
            let (nin, nout) = (sizes[l], sizes[l + 1])
            let w = quantized ? Wq[l] : W[l]
            let bias = quantized ? bq[l] : b[l]
            let dst = quantized ? Z[l + 1] : A[l + 1]
            Parallel.gemm(m: r, n: nout, k: nin, a: A[l].p, lda: nin, b: w.p, ldb: nout, c: dst.p, ldc: nout, threads: threads)
            let relu: Int32 = (!quantized && l < layerCount - 1) ? 1 : 0
            zn_bias_relu(dst.p, Int32(r), Int32(nout), bias.p, relu)
            if quantized, let q = plan?.outputs[l] {
                zn_fake_quant_act(Z[l + 1].p, A[l + 1].p, mask[l + 1].p, Int64(r * nout), q.scale, q.zero, q.lo, q.hi)
            }
        }
    }

    /// Backward pass given D[L] = dLoss/dLogits; fills gW, gb.
    func backward(rows r: Int, quantized: Bool) {
        let L = layerCount
        if quantized { zn_mask_backward(D[L].p, mask[L].p, Int64(r * sizes[L])) }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let (nin, nout) = (sizes[l], sizes[l + 1])
            zn_transpose(A[l].p, Int32(r), Int32(nin), XT.p)
            Parallel.gemm(m: nin, n: nout, k: r, a: XT.p, lda: r, b: D[l + 1].p, ldb: nout, c: gW[l].p, ldc: nout, threads: threads)
            zn_col_sum(D[l + 1].p, Int32(r), Int32(nout), gb[l].p)
            if l > 0 {
                let w = quantized ? Wq[l] : W[l]
                zn_transpose(w.p, Int32(nin), Int32(nout), Wn.p)
                Parallel.gemm(m: r, n: nin, k: nout, a: D[l + 1].p, lda: nout, b: Wn.p, ldb: nin, c: D[l].p, ldc: nin, threads: threads)
                if quantized {
                    zn_mask_backward(D[l].p, mask[l].p, Int64(r * nin))
                } else {
                    zn_relu_backward(D[l].p, A[l].p, Int64(r * nin))
                }
            }
        }
    }

    /// One optimizer step with learning rate `lr`.
    func step(optimizer: OptimizerKind, lr: Float, momentum: Float, weightDecay: Float) {
        stepCount += 1
        switch optimizer {
        case .adam:
            let (b1, b2): (Float, Float) = (0.9, 0.999)
            let bc1 = Float(1 - pow(Double(b1), Double(stepCount)))
            let bc2 = Float(1 - pow(Double(b2), Double(stepCount)))
            for l in 0..<layerCount {
                zn_adam(W[l].p, gW[l].p, m1W[l].p, m2W[l].p, Int64(W[l].count), lr, b1, b2, 1e-8, bc1, bc2, weightDecay)
                if useBias {
                    zn_adam(b[l].p, gb[l].p, m1b[l].p, m2b[l].p, Int64(b[l].count), lr, b1, b2, 1e-8, bc1, bc2, 0)
                }
            }
        case .sgd:
            for l in 0..<layerCount {
                zn_sgd(W[l].p, gW[l].p, m1W[l].p, Int64(W[l].count), lr, momentum, weightDecay)
                if useBias { zn_sgd(b[l].p, gb[l].p, m1b[l].p, Int64(b[l].count), lr, momentum, 0) }
            }
        }
    }

    /// Resets the optimizer state (moments, step count), e.g. before QAT fine-tuning.
    func resetOptimizer() {
        stepCount = 0
        for buf in m1W + m2W + m1b + m2b { buf.zero() }
    }

    /// Loads samples `indices[start..<start+r]` into A[0] and labels into labelBuf.
    func load(_ data: LabeledData, indices: UnsafePointer<Int32>, rows r: Int) {
        data.gather(indices, count: r, into: A[0].p)
        data.labels.withUnsafeBufferPointer { lab in
            for i in 0..<r { labelBuf[i] = lab[Int(indices[i])] }
        }
    }

    struct BatchStats {
        var lossSum: Double = 0
        var correct: Int = 0
        var count: Int = 0
        var loss: Double { count > 0 ? lossSum / Double(count) : 0 }
        var accuracy: Double { count > 0 ? Double(correct) / Double(count) : 0 }
    }

    /// Loss and correct predictions of the batch in A[L]; also writes D[L] when `gradient`.
    func lossAndGradient(rows r: Int, gradient: Bool, stats: inout BatchStats) {
        let L = layerCount
        zn_softmax_xent(A[L].p, Int32(r), Int32(sizes[L]), labelBuf, 1 / Float(r), gradient ? D[L].p : nil, lossBuf.p, predBuf)
        for i in 0..<r {
            stats.lossSum += Double(lossBuf.p[i])
            if predBuf[i] == labelBuf[i] { stats.correct += 1 }
        }
        stats.count += r
    }

    /// One pass over `data` in the order `order` (indices into data), updating the weights.
    func trainEpoch(
        _ data: LabeledData, order: [Int32], quantized: Bool, optimizer: OptimizerKind,
        momentum: Float, weightDecay: Float, learningRate: (Int) -> Float,
        onBatch: ((Int, Int, BatchStats) -> Void)? = nil
    ) -> BatchStats {
        var stats = BatchStats()
        let batches = (order.count + capacity - 1) / capacity
        order.withUnsafeBufferPointer { ord in
            for bi in 0..<batches {
                let start = bi * capacity
                let r = min(capacity, order.count - start)
                load(data, indices: ord.baseAddress! + start, rows: r)
                if quantized { prepareQuantizedParameters() }
                forward(rows: r, quantized: quantized)
                lossAndGradient(rows: r, gradient: true, stats: &stats)
                backward(rows: r, quantized: quantized)
                step(optimizer: optimizer, lr: learningRate(stepCount), momentum: momentum, weightDecay: weightDecay)
                onBatch?(bi + 1, batches, stats)
            }
        }
        return stats
    }

    /// Loss, accuracy and predictions on `data` (in order), without changing anything.
    func evaluate(_ data: LabeledData, quantized: Bool) -> (stats: BatchStats, predictions: [Int32]) {
        var stats = BatchStats()
        var preds = [Int32](repeating: 0, count: data.count)
        if quantized { prepareQuantizedParameters() }
        var start = 0
        while start < data.count {
            let r = min(capacity, data.count - start)
            for i in 0..<r { indexBuf[i] = Int32(start + i) }
            load(data, indices: indexBuf, rows: r)
            forward(rows: r, quantized: quantized)
            lossAndGradient(rows: r, gradient: false, stats: &stats)
            for i in 0..<r { preds[start + i] = predBuf[i] }
            start += r
        }
        return (stats, preds)
    }
}

extension MLPEngine {
    /// Forward pass for calibrating layer `target`: layers before it produce their outputs
    /// (fake-quantized with `plan` when `quantized`, plain ReLU otherwise); layer `target`'s
    /// pre-activation (bias added, no ReLU, no quantization) ends in Z[target + 1].
    func forwardForCalibration(rows r: Int, target: Int, quantized: Bool) {
        for l in 0...target {
            let (nin, nout) = (sizes[l], sizes[l + 1])
            let w = quantized ? Wq[l] : W[l]
            let bias = quantized ? bq[l] : b[l]
            let last = l == target
            let dst = (quantized || last) ? Z[l + 1] : A[l + 1]
            Parallel.gemm(m: r, n: nout, k: nin, a: A[l].p, lda: nin, b: w.p, ldb: nout, c: dst.p, ldc: nout, threads: threads)
            zn_bias_relu(dst.p, Int32(r), Int32(nout), bias.p, (!quantized && !last) ? 1 : 0)
            if quantized && !last, let q = plan?.outputs[l] {
                zn_fake_quant_act(Z[l + 1].p, A[l + 1].p, nil, Int64(r * nout), q.scale, q.zero, q.lo, q.hi)
            }
        }
    }
}
