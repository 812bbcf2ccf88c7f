import ZynqNetBase
import ZynqNetModel

/// The fast simulator's requantization of one layer: acc → y = clamp(zy + q, lo, hi), every
/// rounding of the spec bit-exact with `ReferenceSimulator`, on 64-bit integers where the
/// load-time bound on |acc| proves them enough and on exact 128-bit products elsewhere.
/// Separate from the dot-product kernels, which only produce `acc`.
///
/// How each mode is computed (p = acc·M, every identity exact on integers):
/// - `floor`, `half_up`: floor((p + r) / 2^s) with r = 0, resp. 2^(s−1) (s ≥ 1).
/// - `half_even`: with t = floor(p / 2^s), q = floor((p + 2^(s−1) − 1 + (t mod 2)) / 2^s):
///   below a tie the sum stays under the next multiple of 2^s, above it reaches it, and
///   at a tie it reaches it exactly when t is odd.
/// - `gemmlowp` with s ≤ 31 (L = 31 − s, E = 0): (acc·2^L·M + 2^30) / 2^31 is
///   (p + 2^(s−1)) / 2^s (both divided by 2^L; s = 0 gives p + 1/2), so it *is* `half_up`.
///   With s > 31 (L = 0): t = floor((p + 2^30) / 2^31), then t / 2^E ties away from zero.
/// - `float32`: `Float(acc)` rounds an Int64 to 24 significant bits ties to even (IEEE
///   conversion; |acc| < 2^63 cannot overflow), which is the spec's `a`. S = Float(M)·2^−s is
///   exact (M < 2^24, 2^−63 is a normal float), and a·S is one IEEE multiplication: the exact
///   a·M/2^s rounded to 24 significant bits ties to even, the spec's `b`, because the result
///   is 0 or normal (|a| ≥ 1, S ≥ 2^−63) and finite (|a·S| < 2^63·2^24). `rounded(.toNearestOrEven)`
///   is the spec's last step. So no integer emulation is needed.
struct Requantizer: Sendable {
    enum Mode: Sendable { case shift, halfEven, gemmlowp, float32 }
    let mode: Mode
    let multiplier: [Int64]
    /// s, or 31 for the first step of gemmlowp with s > 31.
    let shift: [Int64]
    /// What is added to p before the shift: 2^(s−1) for half_up/half_even (s ≥ 1), 2^30 for
    /// gemmlowp with s > 31, else 0. The width proof covers p + r.
    let roundAdd: [Int64]
    /// gemmlowp's E = s − 31 (0 for s ≤ 31, which then runs as `shift`).
    let exponent: [Int64]
    /// float32: S = M / 2^s.
    let scale: [Float]
    /// Channels whose product acc·M + r needs 128 bits.
    let wide: [Bool]
    let anyWide: Bool
    let zero: Int32, lo: Int32, hi: Int32

    /// q beyond ±limit clamps like ±limit: |zy| ≤ 255 and [lo, hi] ⊂ [−128, 255].
    static let limit: Int64 = 1024

    /// `bounds[o]` bounds |acc| of channel o.
    init(_ l: DenseLayer, bounds: [Int64]) {
        var mult = [Int64](), shift = [Int64](), roundAdd = [Int64](), exponent = [Int64](), scale = [Float](), wide = [Bool]()
        var mode: Mode
        switch l.rounding {
        case .floor, .halfUp: mode = .shift
        case .halfEven: mode = .halfEven
        case .gemmlowp: mode = l.shift.contains { $0 > 31 } ? .gemmlowp : .shift
        case .float32: mode = .float32
        }
        for o in 0..<l.outFeatures {
            let m = Int64(l.multiplier[o]), s = Int64(l.shift[o])
            var r: Int64 = 0, sh = s, e: Int64 = 0
            switch l.rounding {
            case .floor, .float32: break
            case .halfUp, .halfEven: r = s >= 1 ? Int64(1) << (s - 1) : 0
            case .gemmlowp:
                if s > 31 { r = 1 << 30; sh = 31; e = s - 31 } else { r = s >= 1 ? Int64(1) << (s - 1) : 0 }
            }
            mult.append(m)
            shift.append(sh)
            roundAdd.append(r)
            exponent.append(e)
            scale.append(Float(l.multiplier[o]) * Float(sign: .plus, exponent: -Int(s), significand: 1))
            // Int64 suffices when A·M + r ≤ Int64.max: then every p = acc·M and p + r fit.
            // (float32 needs no product at all.)
            let (am, o1) = bounds[o].multipliedReportingOverflow(by: m)
            let (_, o2) = am.addingReportingOverflow(r)
            wide.append(l.rounding != .float32 && (o1 || o2))
        }
        self.mode = mode
        multiplier = mult
        self.shift = shift
        self.roundAdd = roundAdd
        self.exponent = exponent
        self.scale = scale
        self.wide = wide
        anyWide = wide.contains(true)
        zero = l.outputZero
        lo = l.outputLow
        hi = l.outputHigh
    }

    /// zy + q clamped to [lo, hi], for acc of channel o.
    @inline(__always)
    func requantize(_ acc: Int64, _ o: Int) -> Int32 {
        let q: Int64
        switch mode {
        case .shift: q = floorShift(acc, o, add: roundAdd[o])
        case .halfEven: q = halfEven(acc, o)
        case .gemmlowp: q = gemmlowp(acc, o)
        case .float32: q = float32(acc, o)
        }
        return min(max(Int32(truncatingIfNeeded: q) &+ zero, lo), hi)
    }

    /// floor((acc·M + add) / 2^shift), saturated to ±limit; add ≤ roundAdd[o] (covered by the proof).
    @inline(__always)
    func floorShift(_ acc: Int64, _ o: Int, add: Int64, limit: Int64 = Requantizer.limit) -> Int64 {
        if anyWide && wide[o] { return Self.wideShift(acc, multiplier[o], add, shift[o], limit: limit) }
        // Proven at load: acc·M + r fits in Int64; >> is floor division by 2^s.
        return min(max((acc &* multiplier[o] &+ add) &>> shift[o], -limit), limit)
    }

    @inline(__always)
    func halfEven(_ acc: Int64, _ o: Int) -> Int64 {
        let r = roundAdd[o]
        if r == 0 { return floorShift(acc, o, add: 0) }  // s = 0: q = p
        // A saturated t (|t| ≥ limit) leaves q beyond the range either way: its parity does not matter.
        let t = floorShift(acc, o, add: 0)
        return floorShift(acc, o, add: r - 1 + (t & 1))
    }

    @inline(__always)
    func gemmlowp(_ acc: Int64, _ o: Int) -> Int64 {
        let e = exponent[o]
        if e == 0 { return floorShift(acc, o, add: roundAdd[o]) }
        // t saturated at ±(limit + 1)·2^E gives |q| = limit + 1: still beyond the range.
        let t = floorShift(acc, o, add: roundAdd[o], limit: (Self.limit + 1) << e)
        let half = Int64(1) << (e - 1)
        return t >= 0 ? (t + half) >> e : -((half - t) >> e)
    }

    @inline(__always)
    func float32(_ acc: Int64, _ o: Int) -> Int64 {
        let b = (Float(acc) * scale[o]).rounded(.toNearestOrEven)
        return Int64(min(max(b, -Float(Self.limit)), Float(Self.limit)))
    }

    /// floor((acc·M + r) / 2^s) on the exact 128-bit product, saturated to ±limit.
    @inline(__always)
    static func wideShift(_ acc: Int64, _ m: Int64, _ r: Int64, _ s: Int64, limit: Int64) -> Int64 {
        var (high, low) = acc.multipliedFullWidth(by: m)
        let sum = low &+ UInt64(r)
        if sum < low { high &+= 1 }  // |acc·M| < 2^96: no overflow of the high word
        low = sum
        let qLow = s == 0 ? low : (low >> UInt64(s)) | (UInt64(bitPattern: high) << UInt64(64 - s))
        let qHigh = high >> s
        if qHigh == 0 && qLow < 1 << 63 { return min(Int64(qLow), limit) }
        if qHigh == -1 && qLow >= 1 << 63 { return max(Int64(bitPattern: qLow), -limit) }
        return qHigh < 0 ? -limit : limit
    }
}
