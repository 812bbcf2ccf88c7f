import ArgumentParser
import Foundation
import ZynqNetImport
import ZynqNetModel

extension TFLiteRounding: ExpressibleByArgument {}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a model from another tool (.tflite) into a format-2 model.npz.",
        discussion: """
        TFLite int8 full-integer models: FULLY_CONNECTED (per-tensor or per-channel weights, fused \
        RELU/RELU6), RESHAPE, QUANTIZE at the start, DEQUANTIZE at the end. --tflite-rounding picks \
        the runtime whose arithmetic the model reproduces bit for bit: tflm (TFLite Micro, gemmlowp), \
        reference (LiteRT's reference kernels, half_up) or xnnpack (LiteRT's XNNPACK delegate, \
        float32). Prints the layers it mapped. See docs/import.md.
        """
    )

    @Argument(help: "The model to import (.tflite).")
    var model: String

    @Option(name: [.customShort("o"), .long], help: "The format-2 .npz to write (must not exist).")
    var output: String

    @Option(name: .long, help: "tflm (default), reference or xnnpack.")
    var tfliteRounding: TFLiteRounding = .tflm

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let m = try ModelLoader.load(path: model, tfliteRounding: tfliteRounding)
        guard !FileManager.default.fileExists(atPath: output) else {
            throw ZynqError(file: output, key: "--output", "already exists (zynqnet does not overwrite a file it did not write)")
        }
        try m.save(to: output)
        print(json ? ImportSummary.json(m).render(pretty: true) : ImportSummary.lines(m).joined(separator: "\n"))
    }
}
