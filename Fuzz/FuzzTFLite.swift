// libFuzzer entry for the TFLite importer: the FlatBuffer reader, the schema walk and the mapping
// onto format 2, for each of the three roundings. Built and run by scripts/fuzz-tflite.sh,
// compiled together with Sources/ZynqNetImport/TFLite/*.swift (ZynqNetModel comes from a static
// library built from its sources). An input may be refused with a ZynqError but must never trap,
// hang or touch memory it does not own (ASan watches).
//
// Invariant checked on top: a model the importer returns passes format 2's validate().
import ZynqNetBase
import ZynqNetModel

@_cdecl("LLVMFuzzerTestOneInput")
public func zynqnetTFLiteFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    for r in TFLiteRounding.allCases {
        guard let m = try? TFLiteImporter.importModel(bytes: bytes, file: "fuzz.tflite", rounding: r) else { continue }
        do { try m.validate() } catch { fatalError("the importer returned a model that fails validate(): \(error)") }
    }
    return 0
}
