import ZynqNetModel

/// The one place where a model path is turned into a format-2 model, by its extension:
/// `.onnx` (ONNXImporter), and every other file as an .npz (format 1/2, the MNIST notebook's
/// MLP, pyrtlnet's quantized.npz). Every command that takes `--model` goes through here.
public enum ModelImport {
    /// Options of the importers (TFLite's rounding choice joins here).
    public struct Options: Sendable, Equatable {
        public init() {}
    }

    /// The formats told apart by extension.
    public enum Kind: String, Sendable, CaseIterable {
        case onnx, npz
    }

    /// Which importer reads `path`.
    public static func kind(of path: String) -> Kind {
        let lower = path.lowercased()
        if lower.hasSuffix(".onnx") { return .onnx }
        return .npz
    }

    /// Reads `path` with the importer its extension names, keeping where each layer came from.
    public static func load(_ path: String, options: Options = Options()) throws -> ImportedModel {
        switch kind(of: path) {
        case .onnx:
            return try ONNXImporter.load(path: path)
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
