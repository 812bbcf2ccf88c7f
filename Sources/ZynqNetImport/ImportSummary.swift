import ZynqNetBit
import ZynqNetModel

/// What an importer mapped, layer by layer, for `zynqnet import` (text and `--json`): shared by
/// every importer, since it reads only the format-2 model it produced.
public enum ImportSummary {
    /// `M/2^s` of one channel.
    static func scaleText(_ m: UInt32, _ s: UInt8) -> String { "\(m)/2^\(s)" }

    /// One line per layer: kind, shapes, rounding, scale as M/2^s (per tensor, or the first and
    /// last of a per-channel layer with the channel count), zero points, relu/clamp.
    public static func lines(_ model: QuantizedModel) -> [String] {
        let i = model.input
        var out = ["input: shape \(i.shape), \(i.type), zero point \(i.zero), scale \(i.scale), rounding \(i.rounding.rawValue)"]
        var zx = i.zero
        for (n, l) in model.layers.enumerated() {
            let scale = l.perTensorMultiplier && l.perTensorShift
                ? scaleText(l.multiplier[0], l.shift[0])
                : "per channel (\(l.outFeatures)): \(scaleText(l.multiplier[0], l.shift[0])) … \(scaleText(l.multiplier[l.outFeatures - 1], l.shift[l.outFeatures - 1]))"
            var act = l.relu ? "relu" : "no relu"
            if let c = l.clamp { act += ", clamp [\(c.lowerBound), \(c.upperBound)]" }
            out.append("layer\(n): dense \(l.inFeatures) -> \(l.outFeatures), rounding \(l.rounding.rawValue), scale \(scale), "
                + "zero points in \(zx) out \(l.outputZero) (\(l.outputType)), \(act)")
            zx = l.outputZero
        }
        return out
    }

    /// The same as JSON: every channel's M and s.
    public static func json(_ model: QuantizedModel) -> JSONText {
        let i = model.input
        var zx = i.zero
        var layers: [JSONText] = []
        for l in model.layers {
            var fields: [(String, JSONText)] = [
                ("kind", .string("dense")),
                ("in", .int(Int64(l.inFeatures))),
                ("out", .int(Int64(l.outFeatures))),
                ("rounding", .string(l.rounding.rawValue)),
                ("per_channel", .bool(!(l.perTensorMultiplier && l.perTensorShift))),
                ("multiplier", .array(l.multiplier.map { .uint(UInt64($0)) })),
                ("shift", .array(l.shift.map { .int(Int64($0)) })),
                ("input_zero", .int(Int64(zx))),
                ("output_zero", .int(Int64(l.outputZero))),
                ("output_signed", .bool(l.outputType.isSigned)),
                ("relu", .bool(l.relu)),
            ]
            fields.append(("clamp", l.clamp.map { .array([.int($0.lowerBound), .int($0.upperBound)]) } ?? .null))
            layers.append(.object(fields))
            zx = l.outputZero
        }
        return .object([
            ("input", .object([
                ("shape", .array(i.shape.map { .int(Int64($0)) })),
                ("signed", .bool(i.type.isSigned)),
                ("zero", .int(Int64(i.zero))),
                ("scale", .double(Double(i.scale))),
                ("rounding", .string(i.rounding.rawValue)),
            ])),
            ("layers", .array(layers)),
        ])
    }
}
