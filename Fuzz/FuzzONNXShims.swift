// Fuzz build only (scripts/fuzz-onnx.sh): the npz writer needs ZIPFoundation, which the fuzz build
// does not compile; the importer never writes, so this stands in for NPZ.write there.
import ZynqNetBase
extension NPZ {
    public static func write(_ arrays: [(String, NDArray)], to path: String, compressed: Bool = true) throws {
        throw ZynqError(file: path, "writing is not part of the fuzz build")
    }
}
