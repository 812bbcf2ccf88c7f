// libFuzzer entry for the ONNX importer: swift-protobuf's decoding of ModelProto and the
// importer's walk over whatever decodes (ONNXImporter.importModel), plus the input as a lone
// TensorProto through ONNXTensor. Built and run by scripts/fuzz-onnx.sh, compiled in the module
// ZynqNetImport with the ONNX sources. The importer may throw a ZynqError but must never trap,
// hang or touch memory it does not own (ASan watches), and every error is one line.
import ZynqNetBase
import ZynqNetModel

@_cdecl("LLVMFuzzerTestOneInput")
public func zynqnetFuzzONNX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    do {
        let m = try ONNXImporter.importModel(bytes: bytes, file: "fuzz.onnx")
        // Whatever imports is a valid format-2 model.
        do { try m.model.validate() } catch { fatalError("the importer returned a model that fails validate(): \(error)") }
    } catch let e as ZynqError {
        if e.description.contains("\n") { fatalError("a multi-line error: \(e)") }
    } catch {
        fatalError("a non-ZynqError: \(error)")
    }
    // (The importer's own pass bounds swift-protobuf's cost of packed fields in pieces.)
    if (try? ONNXWire.check(bytes, file: "fuzz", as: .tensor)) != nil, let t = try? Onnx_TensorProto(serializedBytes: bytes) {
        _ = try? ONNXTensor(t, what: "fuzz")
    }
    return 0
}
