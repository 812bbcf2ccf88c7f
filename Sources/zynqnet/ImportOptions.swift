import ArgumentParser
import ZynqNetBase
import ZynqNetImport
import ZynqNetModel

extension TFLiteRounding: ExpressibleByArgument {}
extension ONNXRounding: ExpressibleByArgument {}

/// --tflite-rounding and --onnx-rounding: how a .tflite or .onnx model is read. One group for
/// `import` and every command that takes a model path, and one loader (`load`), so
/// `infer --model m.tflite --tflite-rounding xnnpack` computes what `import --tflite-rounding xnnpack`
/// then `infer --model m.npz` computes.
struct ImportOptions: ParsableArguments {
    @Option(name: .customLong("tflite-rounding"),
            help: "For a .tflite model, the runtime whose arithmetic to reproduce: tflm (TFLite Micro, gemmlowp; the default), reference (LiteRT's reference kernels, half_up) or xnnpack (LiteRT's XNNPACK delegate, float32).")
    var tfliteRounding: TFLiteRounding?

    @Option(name: .customLong("onnx-rounding"),
            help: "For an .onnx model: float32 (onnxruntime; the default) or half_even (power-of-two scales only).")
    var onnxRounding: ONNXRounding?

    /// The importers' options these values give (unset: tflm, float32).
    var options: ModelImport.Options {
        ModelImport.Options(tfliteRounding: tfliteRounding ?? .tflm, onnxRounding: onnxRounding ?? .float32)
    }

    /// Refuses an option that does not fit the model's file type, in one line naming the option
    /// and the file (`model` nil: the command reads no model file, e.g. demo's built-in model).
    /// Each command calls it from its validate(), so the refusal is a usage error before any work.
    func check(model: String?) throws {
        let kind = model.map(ModelImport.kind(of:))
        func refuse(_ option: String, _ fits: String) -> ValidationError {
            ValidationError("\(option) applies to \(fits) model, not " + (model.map { "'\($0)'" } ?? "this command's model (no model file given)"))
        }
        if tfliteRounding != nil && kind != .tflite { throw refuse("--tflite-rounding", "a .tflite") }
        if onnxRounding != nil && kind != .onnx { throw refuse("--onnx-rounding", "an .onnx") }
    }

    /// Reads `path` with the importer its extension names and these options.
    func load(_ path: String) throws -> ImportedModel {
        try check(model: path)
        return try ModelImport.load(path, options: options)
    }

    /// The model alone (what most commands need).
    func model(_ path: String) throws -> QuantizedModel {
        try load(path).model
    }

    /// What `--json` says about the model a command read: its file, format, the importer's
    /// rounding option (for a .tflite or .onnx) and each layer's format-2 rounding
    /// (null for a maxpool2d, which has none).
    func json(path: String, model: QuantizedModel) -> JSONText {
        var fields: [(String, JSONText)] = [("file", .string(path)), ("format", .string(ModelImport.kind(of: path).rawValue))]
        switch ModelImport.kind(of: path) {
        case .tflite: fields.append(("tflite_rounding", .string(options.tfliteRounding.rawValue)))
        case .onnx: fields.append(("onnx_rounding", .string(options.onnxRounding.rawValue)))
        case .npz: break
        }
        fields.append(("layer_rounding", .array(model.layers.map { $0.kind.name == "maxpool2d" ? .null : .string($0.rounding.rawValue) })))
        return .object(fields)
    }
}
