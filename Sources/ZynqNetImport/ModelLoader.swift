import ZynqNetModel

/// Every model file a `--model` option takes, told apart by its extension: `.tflite` through the
/// TFLite importer, anything else as an npz (format 1/2, the notebook's MLP, pyrtlnet's).
public enum ModelLoader {
    public static func load(path: String, tfliteRounding: TFLiteRounding = .tflm) throws -> QuantizedModel {
        if path.lowercased().hasSuffix(".tflite") {
            return try TFLiteImporter.load(path: path, rounding: tfliteRounding)
        }
        return try QuantizedModel.load(path: path)
    }
}
