import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetImport
import ZynqNetModel

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a quantized ONNX model into a format-2 model (.npz), printing the layers it mapped.",
        discussion: """
        MODEL.onnx: QDQ graphs of onnxruntime's quantize_static, Brevitas QCDQ exports, QLinearMatMul, \
        MatMulInteger (with Cast, Mul, QuantizeLinear) and com.microsoft QGemm, with Relu, Clip, \
        Reshape/Flatten (docs/import.md). Every layer gets rounding float32 with onnxruntime's scale \
        S = float32(float32(s_x*s_w)/s_y) as M/2^s; --onnx-rounding half_even gives layers whose S is a \
        power of two (and whose accumulators stay below 2^24) rounding half_even with M = 1 instead: the \
        same values, without a float unit (Brevitas fixed-point / power-of-two scales).
        MODEL.tflite: int8 full-integer models: FULLY_CONNECTED (per-tensor or per-channel weights, fused \
        RELU/RELU6), RESHAPE, QUANTIZE at the start, DEQUANTIZE at the end. --tflite-rounding picks \
        the runtime whose arithmetic the model reproduces bit for bit: tflm (TFLite Micro, gemmlowp), \
        reference (LiteRT's reference kernels, half_up) or xnnpack (LiteRT's XNNPACK delegate, float32).
        Every command that takes a model (infer, verify, codegen, report --model, deploy, demo) reads         .onnx and .tflite directly, with the same --tflite-rounding and --onnx-rounding, through the same         importer: `infer --model m.tflite --tflite-rounding xnnpack` computes what this import then         `infer --model m.npz` does.
        """
    )

    @Argument(help: "The model to import (.onnx, or any model file zynqnet reads).")
    var model: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the format-2 model (.npz).")
    var output: String?

    @OptionGroup var importOptions: ImportOptions

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        try importOptions.check(model: model)
        if let output, !output.hasSuffix(".npz") {
            throw ValidationError("--output must name an .npz file, not '\(output)'")
        }
    }

    func run() throws {
        // --output: checked before the import (not the model itself, not a file zynqnet did not write).
        let plan = OutputPlan(inputs: [model])
        if let output { try plan.file(output, option: "--output", existing: .ownedIf(NPZ.writtenByZynqnet)) }
        let start = Date()
        let imported = try importOptions.load(model)
        let seconds = Date().timeIntervalSince(start)
        if let output {
            try imported.model.save(to: output, plan: plan)
            try plan.commit()
        }
        if json {
            try printJSON(Self.json(imported, output: output, seconds: seconds, modelImport: importOptions.json(path: model, model: imported.model)))
        } else {
            print(Self.text(imported, output: output, seconds: seconds), terminator: "")
        }
    }

    /// "M/2^s" of one channel, or the range over the channels.
    static func scaleText(_ l: DenseLayer) -> String {
        func one(_ o: Int) -> String { "\(l.multiplier[o])/2^\(l.shift[o])" }
        if l.perTensorMultiplier && l.perTensorShift { return one(0) }
        return "per channel (\(l.outFeatures)): \(one(0)) ... \(one(l.outFeatures - 1))"
    }

    static func text(_ m: ImportedModel, output: String?, seconds: Double) -> String {
        let q = m.model
        var s = "imported \(m.format): \(q.layers.count) layer(s) in \(String(format: "%.3f", seconds)) s\n"
        s += "  input: shape \(q.input.shape), \(q.input.type == .int8 ? "int8" : "uint8"), zero \(q.input.zero), "
            + "scale \(q.input.scale), rounding \(q.input.rounding.rawValue)\n"
        let shapes = q.inputShapes, outs = q.outputShapes
        for (i, l) in q.layers.enumerated() {
            var act: [String] = []
            if l.relu { act.append("relu") }
            if let c = l.clamp { act.append("clamp [\(c.lowerBound), \(c.upperBound)]") }
            // (A maxpool2d has no requantization: no multipliers to print.)
            var requant: String { "rounding \(l.rounding.rawValue), scale \(scaleText(l)), "
                + "out \(l.outputType == .int8 ? "int8" : "uint8") zero \(l.outputZero)"
                + (act.isEmpty ? "" : ", " + act.joined(separator: ", ")) }
            switch l.kind {
            case .dense:
                s += "  layer\(i): dense \(l.inFeatures) -> \(l.outFeatures), \(requant)\n"
            case .conv2d(let g):
                s += "  layer\(i): conv2d \(shapes[i]) -> \(outs[i]), kernel \(g.kernelHeight)x\(g.kernelWidth), stride \(g.stride), "
                    + "padding \(g.padding), \(requant)\n"
            case .maxpool2d(let g):
                s += "  layer\(i): maxpool2d \(shapes[i]) -> \(outs[i]), size \(g.size), stride \(g.stride)\n"
            }
            s += "    from: \(m.origin[i])\n"
        }
        if let output { s += "wrote \(output) (format \(q.requiredFormat))\n" }
        return s
    }

    static func json(_ m: ImportedModel, output: String?, seconds: Double, modelImport: JSONText) -> JSONText {
        let q = m.model
        let shapes = q.inputShapes, outs = q.outputShapes
        func ints(_ v: [Int]) -> JSONText { .array(v.map { .int(Int64($0)) }) }
        let layers: [JSONText] = q.layers.enumerated().map { i, l in
            var window: [(String, JSONText)] = []
            switch l.kind {
            case .dense: break
            case .conv2d(let g):
                window = [("kernel", ints([g.kernelHeight, g.kernelWidth])), ("stride", ints(g.stride)), ("padding", ints(g.padding))]
            case .maxpool2d(let g):
                window = [("size", ints(g.size)), ("stride", ints(g.stride))]
            }
            // A maxpool2d has no requantization: its output type and zero point are its input's.
            let requant: [(String, JSONText)] = l.kind.name == "maxpool2d" ? [] : [
                ("rounding", .string(l.rounding.rawValue)),
                ("multiplier", .array(l.multiplier.map { .int(Int64($0)) })),
                ("shift", .array(l.shift.map { .int(Int64($0)) })),
                ("per_channel", .bool(!(l.perTensorMultiplier && l.perTensorShift))),
            ]
            let relu: [(String, JSONText)] = l.kind.name == "maxpool2d" ? [] : [
                ("relu", .bool(l.relu)),
                ("clamp", l.clamp.map { .array([.int($0.lowerBound), .int($0.upperBound)]) } ?? .null),
            ]
            return .object([
                ("kind", .string(l.kind.name)),
                ("in", .int(Int64(l.inFeatures))), ("out", .int(Int64(l.outFeatures))),
                ("input_shape", ints(shapes[i])), ("output_shape", ints(outs[i])),
            ] + window + requant + [
                ("output_zero", .int(Int64(l.outputZero))),
                ("output_signed", .bool(l.outputType == .int8)),
            ] + relu + [("from", .string(m.origin[i]))])
        }
        return .object([
            ("format", .string(m.format)),
            ("input", .object([
                ("shape", .array(q.input.shape.map { .int(Int64($0)) })),
                ("signed", .bool(q.input.type == .int8)),
                ("zero", .int(Int64(q.input.zero))),
                ("scale", .double(Double(q.input.scale))),
                ("rounding", .string(q.input.rounding.rawValue)),
            ])),
            ("layers", .array(layers)),
            ("output", output.map { .string($0) } ?? .null),
            ("seconds", .double(seconds)),
            ("model_import", modelImport),
        ])
    }
}
