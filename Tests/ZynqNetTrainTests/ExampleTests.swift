import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetTrain

let examplesDirectory: URL = repoRoot.appendingPathComponent("examples")

@Suite struct ExampleTests {
    @Test func fashionMNISTExampleIsAFormat1MLPThatClassifies() throws {
        let model = try QuantizedModel.load(path: examplesDirectory.appendingPathComponent("fashion-mnist/model.npz").path)
        #expect(model.input.shape == [28, 28] && model.layers.map(\.outFeatures) == [128, 10])
        #expect(model.layers.allSatisfy { $0.rounding == .halfUp && $0.multiplier.allSatisfy { $0 >= 1 << 30 && $0 < 1 << 31 } })
        let set = try ImageSet.load(path: examplesDirectory.appendingPathComponent("fashion-mnist/test-200.npz").path)
        #expect(set.images.shape == [200, 28, 28])
        // test-200.npz holds the first 200 images and labels of the t10k files.
        let (_, test) = try Datasets.fashionMNIST()
        let first = test.subset(Array(0..<200))
        #expect(set.images.storage == .uint8({ if case .bytes(let b) = first.features { return b } else { return [] } }()))
        #expect(set.labels == first.labels.map { Int($0) })
        // The spec's integer arithmetic, computed naively, classifies most of them.
        guard case .uint8(let px) = set.images.storage, let labels = set.labels else { return }
        var correct = 0
        for i in 0..<200 {
            let out = specOutputs(model, codes: (0..<784).map { Int64(px[i * 784 + $0]) })
            if argmax(out) == labels[i] { correct += 1 }
        }
        #expect(correct >= 170)
        #expect(try QuantizedEvaluation.accuracy(model, on: first) == Double(correct) / 200)
    }

    @Test func irisExampleTakesRawCentimetres() throws {
        let model = try QuantizedModel.load(path: examplesDirectory.appendingPathComponent("iris/model.npz").path)
        #expect(model.input.shape == [4] && model.layers.map(\.outFeatures) == [30, 30, 3])
        let set = try ImageSet.load(path: examplesDirectory.appendingPathComponent("iris/test-30.npz").path)
        guard case .float32(let x) = set.images.storage, let labels = set.labels else {
            Issue.record("test-30.npz must hold float32 images and labels")
            return
        }
        var correct = 0
        for i in 0..<30 {
            let codes = (0..<4).map { specCode(x[i * 4 + $0], model.input) }
            if argmax(specOutputs(model, codes: codes)) == labels[i] { correct += 1 }
        }
        #expect(correct >= 28)  // at least 93 %
    }
}
