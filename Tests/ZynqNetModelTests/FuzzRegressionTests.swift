import Foundation
import Testing
@testable import ZynqNetModel

/// Replays every input in `FuzzRegressions/`: crash inputs found by `scripts/fuzz.sh` (kept after the
/// fix) and the hand-made hostile inputs of `tests-fixtures/make_adversarial_inputs.py`. Every parser
/// must return or throw a `ZynqError`; a hand-made input must be rejected by the parser it targets.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")
    static let inputs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()

    @Test func thereAreInputs() {
        #expect(Self.inputs.count >= 13)
    }

    @Test("replays", arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
        var rejectedBy: Set<String> = []
        func attempt(_ parser: String, _ body: () throws -> Void) {
            do { try body() } catch is ZynqError { rejectedBy.insert(parser) } catch {
                Issue.record("\(parser) threw a non-ZynqError for \(name): \(error)")
            }
        }
        attempt("npy") { _ = try NPY.decode(bytes, name: name) }
        attempt("npz") { _ = try NPZ.readOrdered(bytes: bytes, name: name) }
        attempt("idx") { _ = try IDX.decode(bytes, name: name) }
        for (prefix, parser) in [("hand-npz", "npz"), ("hand-npy", "npy"), ("hand-gz", "idx"), ("hand-idx", "idx")] where name.hasPrefix(prefix) {
            #expect(rejectedBy.contains(parser), "\(parser) must reject \(name)")
        }
    }
}
