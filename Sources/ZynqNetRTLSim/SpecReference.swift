import ZynqNetBase
import ZynqNetCodegen
import ZynqNetModel
import ZynqNetSim

/// A naive, obviously-correct evaluation of a model, straight from the spec's formulas on
/// unbounded integers (Int128 holds every intermediate: |acc| < 2^64, |p| < 2^96); each
/// output's requantization (every rounding of format 2, relu, clamp) is the Int128
/// reference simulator's.
/// The verify command compares the RTL against it.
@available(macOS 15.0, *)
public enum SpecReference {
    public struct Result: Equatable, Sendable {
        /// The last layer's outputs.
        public var values: [Int32]
        /// Index of the largest value, lowest on a tie.
        public var prediction: Int
    }

    /// Runs one image given as the model's input codes (int8 bit patterns when the input is signed).
    public static func run(_ model: QuantizedModel, codes: [UInt8]) -> Result {
        var x: [Int128] = codes.map { model.input.type.isSigned ? Int128(Int8(bitPattern: $0)) : Int128($0) }
        var zx = Int128(model.input.zero)
        for l in model.layers {
            var y = [Int128](repeating: 0, count: l.outFeatures)
            for o in 0..<l.outFeatures {
                var acc = Int128(l.bias[o])
                for k in 0..<l.inFeatures {
                    acc += Int128(l.weight[o * l.inFeatures + k]) * (x[k] - zx)
                }
                y[o] = Int128(ReferenceSimulator.requantize(acc: acc, layer: l, channel: o))
            }
            x = y
            zx = Int128(l.outputZero)
        }
        var best = 0
        for i in x.indices where x[i] > x[best] { best = i }
        return Result(values: x.map { Int32(truncatingIfNeeded: $0) }, prediction: best)
    }

    /// The input codes of a uint8 image (0…255 pixels): as they are for a uint8 input,
    /// pixel − 128 for an int8 input.
    public static func codes(fromPixels pixels: [UInt8], signedInput: Bool) -> [UInt8] {
        signedInput ? pixels.map { $0 ^ 0x80 } : pixels
    }
}
