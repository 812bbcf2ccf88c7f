import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetImport
import ZynqNetModel

/// Replays every input of `FuzzRegressions/`: crash inputs found by scripts/fuzz-onnx.sh (kept
/// after the fix) and hand-made hostile files (`bad-*`: truncated, length overflow, huge
/// dimensions, wrong raw_data size, a node cycle, an axis out of range, 200 nested graphs).
/// The importer must return or throw one one-line ZynqError; a `bad-*` input must be rejected.
@Suite("ONNX fuzz regressions")
struct ONNXFuzzRegressionTests {
    static let dir = fuzzRegressionDirectory("import")
    static let inputs: [String] = fuzzRegressionInputs(in: dir)

    @Test func thereAreInputs() {
        #expect(Self.inputs.count >= 8)
    }

    @Test("replays", arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
        do {
            _ = try ONNXImporter.importModel(bytes: bytes, file: name)
            #expect(!name.hasPrefix("bad-"), "\(name) was accepted")
        } catch let e as ZynqError {
            #expect(!e.description.contains("\n"))
            #expect(e.description.hasPrefix(name))
        }
    }
}
