import ZynqNetModel

/// The spec's "One dense layer, exactly", transcribed as plainly as possible: the oracle
/// every faster implementation is tested against. Slow on purpose.
///
/// All arithmetic is on `Int128`, which holds every value the spec's unbounded integers
/// take: |x − zx| ≤ 383, so |acc| ≤ 2^31 + in·128·383 < 2^31 + in·2^16, and
/// |p| = |acc|·M < (2^31 + in·2^16)·2^32, far below 2^127 for any `in` below 2^70;
/// adding 2^(s−1) ≤ 2^62 keeps it there.
@available(macOS 15.0, iOS 18.0, *)
public struct ReferenceSimulator: Sendable {
    public let model: QuantizedModel

    public init(model: QuantizedModel) throws {
        try model.validate()
        self.model = model
    }

    /// floor(a / b) for b > 0, by the definition of floor (not by a shift).
    static func floorDiv(_ a: Int128, _ b: Int128) -> Int128 {
        let q = a / b  // rounds toward zero
        return (a % b != 0 && a < 0) ? q - 1 : q
    }

    /// One output: `acc` requantized by M, s, rounding, then clamped.
    public static func requantize(acc: Int128, layer l: DenseLayer, channel o: Int) -> Int32 {
        let p = acc * Int128(l.multiplier[o])
        let s = Int(l.shift[o])
        let twoS = Int128(1) << s
        let q: Int128
        switch l.rounding {
        case .floor: q = floorDiv(p, twoS)
        case .halfUp: q = s == 0 ? p : floorDiv(p + (Int128(1) << (s - 1)), twoS)
        }
        var lo = Int128(l.outputType.min)
        let hi = Int128(l.outputType.max)
        if l.relu { lo = max(lo, Int128(l.outputZero)) }
        return Int32(min(max(Int128(l.outputZero) + q, lo), hi))
    }

    /// The outputs of every layer for one image's input codes.
    public func runLayers(_ codes: [Int32]) -> [[Int32]] {
        precondition(codes.count == model.inputCount)
        var x = codes
        var zx = Int128(model.input.zero)
        var outputs: [[Int32]] = []
        for l in model.layers {
            var y = [Int32](repeating: 0, count: l.outFeatures)
            for o in 0..<l.outFeatures {
                var acc = Int128(l.bias[o])
                for k in 0..<l.inFeatures {
                    acc += Int128(l.weight[o * l.inFeatures + k]) * (Int128(x[k]) - zx)
                }
                y[o] = Self.requantize(acc: acc, layer: l, channel: o)
            }
            outputs.append(y)
            x = y
            zx = Int128(l.outputZero)
        }
        return outputs
    }

    public func run(_ inputs: InputCodes) -> SimResult {
        precondition(inputs.width == model.inputCount && inputs.type == model.input.type)
        var all: [Int32] = []
        all.reserveCapacity(inputs.count * model.outputCount)
        for i in 0..<inputs.count {
            all += runLayers(inputs.image(i)).last!
        }
        return SimResult(outputs: all, count: inputs.count, classes: model.outputCount)
    }
}
