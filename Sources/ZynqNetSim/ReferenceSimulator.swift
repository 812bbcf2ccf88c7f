import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The spec's "One layer, exactly", transcribed as plainly as possible: the oracle every
/// faster implementation is tested against. Slow on purpose.
///
/// All arithmetic is on `Int128`, which holds every value the spec's unbounded integers
/// take: |x − zx| ≤ 383, so |acc| ≤ 2^31 + in·128·383 < 2^31 + in·2^16, and
/// |p| = |acc|·M < (2^31 + in·2^16)·2^32, far below 2^127 for any `in` below 2^70;
/// adding 2^(s−1) ≤ 2^62 keeps it there. gemmlowp's acc·2^L·M (L ≤ 31) stays below
/// 2^127 for any `in` below 2^39, and float32's values are at most 48 bits wide before
/// their power of two. (For conv2d, `in` is kh·kw·in.)
@available(macOS 15.0, iOS 18.0, *)
public struct ReferenceSimulator: Sendable {
    public let model: QuantizedModel

    public init(model: QuantizedModel) throws(ZynqError) {
        try model.validate()
        self.model = model
    }

    /// floor(a / b) for b > 0, by the definition of floor (not by a shift).
    static func floorDiv(_ a: Int128, _ b: Int128) -> Int128 {
        let q = a / b  // rounds toward zero
        return (a % b != 0 && a < 0) ? q - 1 : q
    }

    /// p / 2^s rounded to the nearest integer, ties to the even one (s = 0: p).
    public static func roundHalfEven(_ p: Int128, shift s: Int) -> Int128 {
        if s == 0 { return p }
        let d = Int128(1) << s, half = Int128(1) << (s - 1)
        let q = floorDiv(p, d), r = p - q * d  // 0 ≤ r < 2^s
        if r > half || (r == half && q & 1 != 0) { return q + 1 }
        return q
    }

    /// t / 2^e rounded to the nearest integer, ties away from zero (e = 0: t).
    public static func roundHalfAway(_ t: Int128, shift e: Int) -> Int128 {
        if e == 0 { return t }
        let m = t.magnitude, half = UInt128(1) << (e - 1)
        let q = Int128((m + half) >> e)
        return t < 0 ? -q : q
    }

    /// |v| rounded to 24 significant bits, ties to even, as (significand, exponent) with the
    /// value significand·2^exponent and significand < 2^24 (or = 2^24 after a carry).
    static func roundTo24Bits(_ v: UInt128) -> (significand: Int128, exponent: Int) {
        let width = 128 - v.leadingZeroBitCount
        guard width > 24 else { return (Int128(v), 0) }
        let drop = width - 24
        return (roundHalfEven(Int128(v), shift: drop), drop)
    }

    /// The spec's `floor`: floor(acc·M / 2^s).
    public static func floorMode(_ acc: Int128, _ m: UInt32, _ s: Int) -> Int128 {
        floorDiv(acc * Int128(m), Int128(1) << s)
    }

    /// The spec's `half_up`: floor((acc·M + 2^(s−1)) / 2^s), and acc·M for s = 0.
    public static func halfUp(_ acc: Int128, _ m: UInt32, _ s: Int) -> Int128 {
        let p = acc * Int128(m)
        return s == 0 ? p : floorDiv(p + (Int128(1) << (s - 1)), Int128(1) << s)
    }

    /// The spec's `half_even`: acc·M / 2^s to the nearest integer, ties to even.
    public static func halfEven(_ acc: Int128, _ m: UInt32, _ s: Int) -> Int128 {
        roundHalfEven(acc * Int128(m), shift: s)
    }

    /// The spec's `gemmlowp`: t = floor((acc·2^L·M + 2^30) / 2^31), then t / 2^E to the
    /// nearest, ties away from zero; L = max(0, 31 − s), E = max(0, s − 31).
    public static func gemmlowp(_ acc: Int128, _ m: UInt32, _ s: Int) -> Int128 {
        let l = max(0, 31 - s), e = max(0, s - 31)
        let t = floorDiv(acc * (Int128(1) << l) * Int128(m) + (Int128(1) << 30), Int128(1) << 31)
        return roundHalfAway(t, shift: e)
    }

    /// The spec's `float32`: a = acc to 24 significant bits (ties to even), b = a·M/2^s to
    /// 24 significant bits (ties to even), q = b to the nearest integer (ties to even).
    public static func float32(_ acc: Int128, _ m: UInt32, _ s: Int) -> Int128 {
        let (a, ea) = roundTo24Bits(acc.magnitude)           // |acc| ≈ a·2^ea
        let (b, eb) = roundTo24Bits(UInt128(a) * UInt128(m)) // a·M ≈ b·2^eb, so |b_spec| = b·2^(ea+eb−s)
        let e = ea + eb - s
        let q = e >= 0 ? b << e : roundHalfEven(b, shift: -e)
        return acc < 0 ? -q : q
    }

    /// q of the spec for one accumulator: `acc` scaled by M / 2^s and rounded by `rounding`.
    public static func scale(_ acc: Int128, multiplier m: UInt32, shift s: Int, rounding: Rounding) -> Int128 {
        switch rounding {
        case .floor: floorMode(acc, m, s)
        case .halfUp: halfUp(acc, m, s)
        case .halfEven: halfEven(acc, m, s)
        case .gemmlowp: gemmlowp(acc, m, s)
        case .float32: float32(acc, m, s)
        }
    }

    /// One output: `acc` requantized by M, s, rounding, then y = clamp(zy + q, lo, hi) with
    /// lo, hi from the type, relu and clamp.
    public static func requantize(acc: Int128, layer l: DenseLayer, channel o: Int) -> Int32 {
        let q = scale(acc, multiplier: l.multiplier[o], shift: Int(l.shift[o]), rounding: l.rounding)
        var lo = Int128(l.outputType.min)
        var hi = Int128(l.outputType.max)
        if l.relu { lo = max(lo, Int128(l.outputZero)) }
        if let c = l.clamp {
            lo = max(lo, Int128(c.lowerBound))
            hi = min(hi, Int128(c.upperBound))
        }
        return Int32(min(max(Int128(l.outputZero) + q, lo), hi))
    }

    /// The outputs of every layer for one image's input codes (conv2d and maxpool2d outputs
    /// flattened in `(h, w, c)` order, which is what a dense layer after them takes).
    public func runLayers(_ codes: [Int32]) -> [[Int32]] {
        precondition(codes.count == model.inputCount)
        var x = codes
        var shape = model.input.shape
        var zx = Int128(model.input.zero)
        var outputs: [[Int32]] = []
        for l in model.layers {
            let next = l.outputShape(input: shape)!
            var y = [Int32](repeating: 0, count: next.reduce(1, *))
            switch l.kind {
            case .dense:
                for o in 0..<l.outFeatures {
                    var acc = Int128(l.bias[o])
                    for k in 0..<l.inFeatures {
                        acc += Int128(l.weight[o * l.inFeatures + k]) * (Int128(x[k]) - zx)
                    }
                    y[o] = Self.requantize(acc: acc, layer: l, channel: o)
                }
            case .conv2d(let g):
                // acc[y, v, o] = bias[o] + Σ_{a,b,c} weight[o,a,b,c]·(x[y·sh + a − top, v·sw + b − left, c] − zx),
                // a position outside [0, H) × [0, W) counting as zx (adding 0).
                let (h, w, c) = (shape[0], shape[1], shape[2])
                for yy in 0..<next[0] {
                    for v in 0..<next[1] {
                        for o in 0..<l.outFeatures {
                            var acc = Int128(l.bias[o])
                            for a in 0..<g.kernelHeight {
                                for b in 0..<g.kernelWidth {
                                    let row = yy * g.stride[0] + a - g.padding[0], col = v * g.stride[1] + b - g.padding[1]
                                    guard row >= 0, row < h, col >= 0, col < w else { continue }
                                    for ch in 0..<c {
                                        let weight = l.weight[((o * g.kernelHeight + a) * g.kernelWidth + b) * c + ch]
                                        acc += Int128(weight) * (Int128(x[(row * w + col) * c + ch]) - zx)
                                    }
                                }
                            }
                            y[(yy * next[1] + v) * l.outFeatures + o] = Self.requantize(acc: acc, layer: l, channel: o)
                        }
                    }
                }
            case .maxpool2d(let g):
                // y[y', v', c] = max over a < kh, b < kw of x[y'·sh + a, v'·sw + b, c].
                let (w, c) = (shape[1], shape[2])
                for yy in 0..<next[0] {
                    for v in 0..<next[1] {
                        for ch in 0..<c {
                            var m = Int32.min
                            for a in 0..<g.size[0] {
                                for b in 0..<g.size[1] {
                                    m = max(m, x[((yy * g.stride[0] + a) * w + v * g.stride[1] + b) * c + ch])
                                }
                            }
                            y[(yy * next[1] + v) * c + ch] = m
                        }
                    }
                }
            }
            outputs.append(y)
            x = y
            shape = next
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
