import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

/// The demo's built-in model and images equal examples/fashion-mnist (regenerate with
/// scripts/embed-demo-files.sh).
@Suite struct EmbeddedDemoTests {
    static let examples = repoRoot.appendingPathComponent("examples/fashion-mnist")

    @Test func embeddedFilesEqualTheExamples() throws {
        #expect(TrainRecipes.decode(EmbeddedDemo.modelBase64) == [UInt8](try Data(contentsOf: Self.examples.appendingPathComponent("model.npz"))),
                "stale: run scripts/embed-demo-files.sh")
        #expect(TrainRecipes.decode(EmbeddedDemo.testImagesBase64) == [UInt8](try Data(contentsOf: Self.examples.appendingPathComponent("test-200.npz"))),
                "stale: run scripts/embed-demo-files.sh")
    }

    @Test func builtInModelAndImagesLoad() throws {
        let m = try TrainRecipes.builtInFashionMNISTModel()
        #expect(m == (try QuantizedModel.load(path: Self.examples.appendingPathComponent("model.npz").path)))
        let set = try TrainRecipes.builtInFashionMNISTTestSet()
        #expect(set.count == 200 && set.images.shape == [200, 28, 28] && set.labels?.count == 200)
        #expect(set.source == "<built-in> examples/fashion-mnist/test-200.npz['images']")
    }
}
