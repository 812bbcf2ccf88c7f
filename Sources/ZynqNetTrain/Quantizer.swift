import CZynqNetTrainKernels
import Foundation
import ZynqNetBase
import ZynqNetModel
import ZynqNetSim

/// How the model's input is quantized: `InputSpec` minus the shape.
public struct InputQuantization: Sendable, Equatable {
    public var type: ActivationType
    public var scale: Float
    public var zero: Int32

    public init(type: ActivationType, scale: Float, zero: Int32) {
        self.type = type
        self.scale = scale
        self.zero = zero
    }

    /// 8-bit images seen as [0, 1]: scale 1/255 and zero 0 (uint8) or −128 (int8, so
    /// that pixel − 128 is the int8 code of the same real value).
    public static func images(_ type: ActivationType) -> InputQuantization {
        InputQuantization(type: type, scale: 1 / 255, zero: type == .uint8 ? 0 : -128)
    }

    /// An affine grid covering [min(lo, 0), max(hi, 0)] with the 256 codes of `type`.
    public static func covering(lo: Float, hi: Float, type: ActivationType) -> InputQuantization {
        let (l, h) = (Double(min(lo, 0)), Double(max(hi, 0)))
        let scale = Float((h - l > 0 && (h - l).isFinite ? h - l : 1) / 255)
        let zero = Int32((Double(type.min) - l / Double(scale)).rounded(.toNearestOrEven))
        return InputQuantization(type: type, scale: scale, zero: min(max(zero, type.min), type.max))
    }

    /// The spec's float-image path with `half_even`, exactly as the simulator computes it
    /// (`InputQuantizer`): v = float32(x) / float32(scale), q = clamp(R(v) + zero).
    public func quantize(_ x: Float) -> Int32 {
        InputQuantizer(input: spec(shape: [1])).code(x) ?? zero
    }

    /// The `InputSpec` of a model with this input quantization.
    public func spec(shape: [Int]) -> InputSpec {
        InputSpec(shape: shape, type: type, zero: zero, scale: scale, rounding: .halfEven)
    }

    /// The real value of code q: scale · (q − zero).
    public func dequantize(_ q: Int32) -> Float { scale * Float(q - zero) }
}

/// Post-training quantization of a float MLP to format 1.
public enum Quantizer {
    /// Normalizes a positive real multiplier m to (M, s) with m ≈ M / 2^s and
    /// M in [2^30, 2^31) — 31 significant bits, so M also fits a signed 32-bit register.
    /// M = round(f · 2^31) for m = f · 2^e (f in [0.5, 1)), s = 31 − e; a carry to 2^31
    /// renormalizes to 2^30. Multipliers below 2^-33 (s > 63) use s = 63 and a smaller M
    /// (at least 1), reported by `exact == false`; m ≥ 2^31 cannot be represented (nil).
    public static func multiplier(_ m: Double) -> (multiplier: UInt32, shift: UInt8, exact: Bool)? {
        guard m.isFinite, m > 0 else { return nil }
        let e = Int(m.exponent) + 1  // m = f · 2^e with f in [0.5, 1)
        let f = m.significand / 2    // significand in [1, 2)
        var big = (f * 0x1p31).rounded(.toNearestOrAwayFromZero)
        var s = 31 - e
        if big == 0x1p31 {
            big = 0x1p30
            s -= 1
        }
        if s < 0 { return nil }
        if s > 63 {
            let small = (m * 0x1p63).rounded(.toNearestOrAwayFromZero)
            return (UInt32(max(1, small)), 63, false)
        }
        return (UInt32(big), UInt8(s), true)
    }

    /// Symmetric int8 weight scales max|w| / 127: one per output channel, or the same
    /// value repeated when `perChannel` is false. An all-zero channel gets scale 1.
    static func weightScales(weightT: UnsafePointer<Float>, inFeatures: Int, outFeatures: Int, perChannel: Bool) -> [Float] {
        var absmax = [Float](repeating: 0, count: outFeatures)
        absmax.withUnsafeMutableBufferPointer { zn_absmax_cols(weightT, Int32(inFeatures), Int32(outFeatures), $0.baseAddress!) }
        if !perChannel {
            let m = absmax.max() ?? 0
            absmax = [Float](repeating: m, count: outFeatures)
        }
        return absmax.map { $0 > 0 ? $0 / 127 : 1 }
    }

    public static func weightScales(_ layer: FloatLayer, perChannel: Bool) -> [Float] {
        layer.weightT.withUnsafeBufferPointer {
            weightScales(weightT: $0.baseAddress!, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, perChannel: perChannel)
        }
    }

    /// Output quantization of a hidden (ReLU) layer whose outputs reach `maxValue`:
    /// [0, max] on 256 codes, zero 0 (uint8) or −128 (int8).
    public static func hiddenOutput(maxValue: Float, type: ActivationType) -> ActivationQuantization {
        // A layer that never fires (max ≤ 0) outputs only its zero point: any scale works,
        // and 1/255 keeps its multiplier in range.
        let scale = (maxValue > 0 && maxValue.isFinite ? maxValue : 1) / 255
        return ActivationQuantization(scale: scale, zero: type == .uint8 ? 0 : -128, type: type, relu: true)
    }

    /// Output quantization of the last layer (logits, no ReLU) for values in [lo, hi]:
    /// the affine grid of [min(lo, 0), max(hi, 0)].
    public static func logitsOutput(lo: Float, hi: Float, type: ActivationType) -> ActivationQuantization {
        let g = InputQuantization.covering(lo: lo, hi: hi, type: type)
        return ActivationQuantization(scale: g.scale, zero: g.zero, type: type, relu: false)
    }

    /// Format 1 from a float network and the quantization of its input and of every
    /// layer's output: symmetric int8 weights (per tensor or per channel), int32 biases
    /// round(b / (s_in · s_w)) (clamped, with a warning), (M, s) from s_in · s_w / s_out,
    /// rounding `half_up`, ReLU on every layer but the last.
    public static func export(
        _ net: FloatMLP, inputShape: [Int], input: InputQuantization,
        outputs: [ActivationQuantization], perChannel: Bool
    ) throws -> (model: QuantizedModel, warnings: [String]) {
        precondition(outputs.count == net.layers.count)
        var warnings: [String] = []
        var layers: [DenseLayer] = []
        var sIn = input.scale
        for (l, layer) in net.layers.enumerated() {
            let (nin, nout) = (layer.inFeatures, layer.outFeatures)
            let sw = weightScales(layer, perChannel: perChannel)
            let out = outputs[l]
            var wq = [Int8](repeating: 0, count: nin * nout)
            for o in 0..<nout {
                for p in 0..<nin {
                    let q = (layer.weightT[p * nout + o] / sw[o]).rounded(.toNearestOrEven)
                    wq[o * nin + p] = Int8(min(max(q, -127), 127))
                }
            }
            var bias = [Int32](repeating: 0, count: nout)
            var clamped = 0
            for o in 0..<nout {
                let q = (Double(layer.bias[o]) / (Double(sIn) * Double(sw[o]))).rounded(.toNearestOrAwayFromZero)
                if q > 2147483647 || q < -2147483648 { clamped += 1 }
                bias[o] = Int32(min(max(q, -2147483648), 2147483647))
            }
            if clamped > 0 {
                warnings.append("layer \(l): \(clamped) bias value(s) exceed int32 after scaling and were clamped")
            }
            var ms: [UInt32] = []
            var ss: [UInt8] = []
            for o in 0..<(perChannel ? nout : 1) {
                let m = Double(sIn) * Double(sw[o]) / Double(out.scale)
                guard let (mm, s, exact) = multiplier(m) else {
                    throw ZynqError(key: "layer\(l).multiplier", "requantization factor \(m) is out of range")
                }
                if !exact { warnings.append("layer \(l): multiplier \(m) is below 2^-33; M = \(mm), s = 63") }
                ms.append(mm)
                ss.append(s)
            }
            layers.append(DenseLayer(
                outFeatures: nout, inFeatures: nin, weight: wq, bias: bias, multiplier: ms, shift: ss,
                rounding: .halfUp, relu: out.relu, outputZero: out.zero, outputType: out.type))
            sIn = out.scale
        }
        return (QuantizedModel(input: input.spec(shape: inputShape), layers: layers), warnings)
    }

    /// The MNIST notebook's export (`shared/seeds/003`): per-tensor symmetric int8
    /// weights, M = 1, s = round(−log2(s_in · s_w / s_out)) clamped to 0…31, rounding
    /// `floor`, uint8 activations with zero point 0 everywhere (so negative logits clamp to
    /// 0), ReLU on hidden layers. Biases, if the network has any, are folded as int32.
    public static func exportShiftOnly(
        _ net: FloatMLP, inputShape: [Int], inputScale: Float, outputScales: [Float]
    ) -> (model: QuantizedModel, warnings: [String]) {
        precondition(outputScales.count == net.layers.count)
        var warnings: [String] = []
        var layers: [DenseLayer] = []
        var sIn = inputScale
        for (l, layer) in net.layers.enumerated() {
            let (nin, nout) = (layer.inFeatures, layer.outFeatures)
            let sw = weightScales(layer, perChannel: false)[0]
            var wq = [Int8](repeating: 0, count: nin * nout)
            for o in 0..<nout {
                for p in 0..<nin {
                    let q = (layer.weightT[p * nout + o] / sw).rounded(.toNearestOrEven)
                    wq[o * nin + p] = Int8(min(max(q, -127), 127))
                }
            }
            var bias: [Int32]? = nil
            if layer.bias.contains(where: { $0 != 0 }) {
                var b = [Int32](repeating: 0, count: nout)
                for o in 0..<nout {
                    let q = (Double(layer.bias[o]) / (Double(sIn) * Double(sw))).rounded(.toNearestOrAwayFromZero)
                    b[o] = Int32(min(max(q, -2147483648), 2147483647))
                }
                bias = b
                warnings.append("layer \(l) has biases: not representable in the notebook's w/shift file")
            }
            let m = Double(sIn) * Double(sw) / Double(outputScales[l])
            let shift = UInt8(min(max((-log2(m)).rounded(), 0), 31))
            layers.append(DenseLayer(
                outFeatures: nout, inFeatures: nin, weight: wq, bias: bias, multiplier: [1], shift: [shift],
                rounding: .floor, relu: l < net.layers.count - 1, outputZero: 0, outputType: .uint8))
            sIn = outputScales[l]
        }
        let spec = InputSpec(shape: inputShape, type: .uint8, zero: 0, scale: inputScale, rounding: .halfEven)
        return (QuantizedModel(input: spec, layers: layers), warnings)
    }
}

/// Activation ranges of a network on calibration data.
public enum Calibration {
    /// Quantization of every layer's output from calibration data (inputs already on the
    /// model's input grid). With `sequential`, layer l is calibrated on the outputs of the
    /// already-quantized layers before it (fake quantization with the exporter's rules);
    /// otherwise on the float network's activations. Hidden layers: [0, max]; the last
    /// layer: [min, max] of the logits.
    public static func outputs(
        of net: FloatMLP, data: LabeledData, input: InputQuantization, type: ActivationType,
        perChannel: Bool, sequential: Bool, threads: Int = Parallel.defaultThreads
    ) -> [ActivationQuantization] {
        let ranges = self.ranges(of: net, data: data, input: input, type: type, perChannel: perChannel,
                                 sequential: sequential, threads: threads)
        return ranges.enumerated().map { l, r in
            l < net.layers.count - 1
                ? Quantizer.hiddenOutput(maxValue: r.hi, type: type)
                : Quantizer.logitsOutput(lo: r.lo, hi: r.hi, type: type)
        }
    }

    /// Per layer, the smallest and largest pre-activation value (bias included).
    public static func ranges(
        of net: FloatMLP, data: LabeledData, input: InputQuantization, type: ActivationType,
        perChannel: Bool, sequential: Bool, threads: Int = Parallel.defaultThreads
    ) -> [(lo: Float, hi: Float)] {
        let L = net.layers.count
        let engine = MLPEngine(network: net, capacity: 1024, threads: threads, useBias: true)
        var outputs: [ActivationQuantization] = []
        var ranges: [(lo: Float, hi: Float)] = []
        let indices = (0..<data.count).map { Int32($0) }
        for target in 0..<L {
            let placeholder = ActivationQuantization(scale: 1, zero: 0, type: type, relu: true)
            engine.plan = FakeQuantPlan(
                inputScale: input.scale, outputs: outputs + Array(repeating: placeholder, count: L - target),
                perChannel: perChannel)
            if sequential { engine.prepareQuantizedParameters() }
            let nout = net.layers[target].outFeatures
            var lo = [Float](repeating: .infinity, count: nout)
            var hi = [Float](repeating: -.infinity, count: nout)
            indices.withUnsafeBufferPointer { idx in
                var start = 0
                while start < data.count {
                    let r = min(engine.capacity, data.count - start)
                    engine.load(data, indices: idx.baseAddress! + start, rows: r)
                    engine.forwardForCalibration(rows: r, target: target, quantized: sequential)
                    zn_minmax_cols(engine.Z[target + 1].p, Int32(r), Int32(nout), &lo, &hi)
                    start += r
                }
            }
            let range = (lo: lo.min() ?? 0, hi: hi.max() ?? 0)
            ranges.append(range)
            outputs.append(target < L - 1
                ? Quantizer.hiddenOutput(maxValue: range.hi, type: type)
                : Quantizer.logitsOutput(lo: range.lo, hi: range.hi, type: type))
        }
        return ranges
    }
}
