import ZynqNetBase
import ZynqNetModel

/// The one place where a model path is turned into a format-2 model, by its extension:
/// `.onnx` (ONNXImporter), `.tflite` (TFLiteImporter), and every other file as an .npz (format 1/2, the MNIST notebook's
/// MLP, pyrtlnet's quantized.npz). Every command that takes `--model` goes through here.
public enum ModelImport {
    /// Options of the importers: which runtime's arithmetic a `.tflite` model reproduces, and
    /// the rounding an `.onnx` model's layers get.
    public struct Options: Sendable, Equatable {
        public var tfliteRounding: TFLiteRounding
        public var onnxRounding: ONNXRounding
        public init(tfliteRounding: TFLiteRounding = .tflm, onnxRounding: ONNXRounding = .float32) {
            self.tfliteRounding = tfliteRounding
            self.onnxRounding = onnxRounding
        }
    }

    /// The command-line options that give `options` for the model `path`, for a hint naming a
    /// command to run: "" for the defaults, else e.g. " --tflite-rounding xnnpack".
    public static func optionText(for path: String, options: Options) -> String {
        switch kind(of: path) {
        case .tflite where options.tfliteRounding != .tflm: " --tflite-rounding \(options.tfliteRounding.rawValue)"
        case .onnx where options.onnxRounding != .float32: " --onnx-rounding \(options.onnxRounding.rawValue)"
        default: ""
        }
    }

    /// The formats told apart by extension.
    public enum Kind: String, Sendable, CaseIterable {
        case onnx, tflite, npz
    }

    /// Which importer reads `path`.
    public static func kind(of path: String) -> Kind {
        let lower = path.lowercased()
        if lower.hasSuffix(".onnx") { return .onnx }
        if lower.hasSuffix(".tflite") { return .tflite }
        return .npz
    }

    /// Reads `path` with the importer its extension names, keeping where each layer came from.
    public static func load(_ path: String, options: Options = Options()) throws -> ImportedModel {
        switch kind(of: path) {
        case .onnx:
            return try ONNXImporter.load(path: path, rounding: options.onnxRounding)
        case .tflite:
            let m = try TFLiteImporter.loadWithOrigin(path: path, rounding: options.tfliteRounding)
            return ImportedModel(model: m.model, origin: m.origin, format: "tflite")
        case .npz:
            let model = try QuantizedModel.load(path: path)
            return ImportedModel(model: model, origin: model.layers.indices.map { "layer\($0)" }, format: "npz")
        }
    }

    /// The model alone (what most commands need).
    public static func model(_ path: String, options: Options = Options()) throws -> QuantizedModel {
        try load(path, options: options).model
    }
}
