import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// Replays every input in `FuzzRegressions/`: crash inputs found by `scripts/fuzz.sh` (kept after the
/// fix) and the hand-made hostile inputs of `Tests/Fixtures/scripts/make_adversarial_inputs.py`. Every parser
/// must return or throw a `ZynqError`; a hand-made input must be rejected by the parser it targets.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let dir = fuzzRegressionDirectory("model")
    static let inputs: [String] = fuzzRegressionInputs(in: dir)

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
        // The fuzzer's invariant too: whatever decodes re-encodes as .npy bytes that decode again
        // to the same encoding.
        func stable(_ a: NDArray, _ parser: String) {
            let once = NPY.encode(a)
            do {
                let back = try NPY.decode(once, name: "re-encoded")
                #expect(back.shape == a.shape && back.dtype == a.dtype && NPY.encode(back) == once,
                        "\(parser): the .npy round trip changed \(name)")
            } catch {
                Issue.record("\(parser): NPY.decode rejects NPY.encode's bytes for \(name) (\(a.dtype), \(a.shape.count) dims): \(error)")
            }
        }
        attempt("npy") { stable(try NPY.decode(bytes, name: name), "npy") }
        attempt("npz") { for (_, a) in try NPZ.readOrdered(bytes: bytes, name: name) { stable(a, "npz") } }
        attempt("idx") { stable(try IDX.decode(bytes, name: name), "idx") }
        for (prefix, parser) in [("hand-npz", "npz"), ("hand-npy", "npy"), ("hand-gz", "idx"), ("hand-idx", "idx")] where name.hasPrefix(prefix) {
            #expect(rejectedBy.contains(parser), "\(parser) must reject \(name)")
        }
    }
}
