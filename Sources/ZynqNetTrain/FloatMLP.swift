import ZynqNetBase
import ZynqNetModel

/// One dense layer of a float MLP. Weights are stored transposed, `weightT[p * out + o]`
/// = w[o, p] (in × out, row-major): the layout the training kernels stream fastest.
public struct FloatLayer: Sendable, Equatable {
    public var inFeatures: Int
    public var outFeatures: Int
    public var weightT: [Float]
    public var bias: [Float]

    public init(inFeatures: Int, outFeatures: Int, weightT: [Float], bias: [Float]) {
        precondition(weightT.count == inFeatures * outFeatures && bias.count == outFeatures)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weightT = weightT
        self.bias = bias
    }

    /// w[o, p] (out, in).
    public func weight(_ o: Int, _ p: Int) -> Float { weightT[p * outFeatures + o] }
}

/// A dense ReLU network: ReLU after every layer but the last, whose outputs are logits.
public struct FloatMLP: Sendable, Equatable {
    public var layers: [FloatLayer]

    public init(layers: [FloatLayer]) { self.layers = layers }

    /// Layer widths, input first: e.g. [784, 128, 10].
    public var sizes: [Int] { (layers.first.map { [$0.inFeatures] } ?? []) + layers.map(\.outFeatures) }

    /// He (Kaiming) normal initialization: w ~ N(0, 2 / fan_in), biases zero. Draws the
    /// weights layer by layer, row p then column o, from `rng`.
    public static func heInitialized(sizes: [Int], rng: inout Xoshiro256) -> FloatMLP {
        precondition(sizes.count >= 2)
        var layers: [FloatLayer] = []
        for l in 0..<(sizes.count - 1) {
            let (fanIn, out) = (sizes[l], sizes[l + 1])
            let sd = (2.0 / Double(fanIn)).squareRoot()
            var w = [Float](repeating: 0, count: fanIn * out)
            for i in 0..<w.count { w[i] = Float(rng.gaussian() * sd) }
            layers.append(FloatLayer(inFeatures: fanIn, outFeatures: out, weightT: w,
                                     bias: [Float](repeating: 0, count: out)))
        }
        return FloatMLP(layers: layers)
    }

    /// Folds an input standardization x' = (x − mean) · invStd into the first layer, so
    /// the returned network takes raw x: w'[o,p] = w[o,p]·invStd[p],
    /// b'[o] = b[o] − Σ_p w'[o,p]·mean[p] (summed in Double).
    public func foldingStandardization(mean: [Float], invStd: [Float]) -> FloatMLP {
        guard var first = layers.first else { return self }
        precondition(mean.count == first.inFeatures && invStd.count == first.inFeatures)
        let out = first.outFeatures
        var shift = [Double](repeating: 0, count: out)
        for p in 0..<first.inFeatures {
            for o in 0..<out {
                let w = first.weightT[p * out + o] * invStd[p]
                first.weightT[p * out + o] = w
                shift[o] += Double(w) * Double(mean[p])
            }
        }
        for o in 0..<out { first.bias[o] = Float(Double(first.bias[o]) - shift[o]) }
        var copy = self
        copy.layers[0] = first
        return copy
    }

    /// Reference forward pass of one sample in Double (slow; for tests and checks).
    public func forwardReference(_ x: [Double]) -> [Double] {
        var a = x
        for (l, layer) in layers.enumerated() {
            var z = [Double](repeating: 0, count: layer.outFeatures)
            for o in 0..<layer.outFeatures {
                var s = Double(layer.bias[o])
                for p in 0..<layer.inFeatures { s += Double(layer.weight(o, p)) * a[p] }
                z[o] = l < layers.count - 1 ? max(0, s) : s
            }
            a = z
        }
        return a
    }
}
