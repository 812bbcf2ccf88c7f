import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetSim

@Suite struct SimulatorVersusReference {
    /// Many random models (widths 1…300, random M/s including the extremes, int8 and uint8
    /// everywhere): the fast simulator equals the Int128 reference exactly, on every kernel
    /// this machine has, for the last layer and for every intermediate layer.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test(arguments: 0..<24)
    func randomModels(seed: UInt64) throws {
        var g = SplitMix64(seed: 0xC0FFEE &+ seed)
        let model = randomModel(&g, layers: Int.random(in: 1...3, using: &g), maxWidth: seed < 4 ? 300 : 40)
        let inputs = try randomCodes(&g, model: model, count: Int.random(in: 1...13, using: &g))
        let reference = try ReferenceSimulator(model: model)
        let expected = reference.run(inputs)
        for kernel in SimKernel.allCases where kernel.isAvailable {
            let sim = try Simulator(model: model, kernel: kernel)
            let got = try sim.run(inputs)
            #expect(got == expected, "seed \(seed) kernel \(kernel)")
            let i = inputs.count - 1
            #expect(try sim.runLayers(inputs, image: i) == reference.runLayers(inputs.image(i)), "seed \(seed) kernel \(kernel)")
        }
    }

    /// Batches of every awkward size, cut into chunks for 1…7 threads: the same results.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func batchSplitting() throws {
        var g = SplitMix64(seed: 99)
        let model = randomModel(&g, layers: 2, maxWidth: 20, inWidth: 17)
        let inputs = try randomCodes(&g, model: model, count: 300)
        let expected = try ReferenceSimulator(model: model).run(inputs)
        for count in [0, 1, 3, 4, 5, 63, 64, 65, 129, 300] {
            let part = try InputCodes(type: inputs.type, width: inputs.width, bytes: Array(inputs.bytes[0..<(count * inputs.width)]))
            for threads in [1, 2, 3, 7] {
                let got = try Simulator(model: model, threads: threads).run(part)
                #expect(got.count == count && got.outputs == Array(expected.outputs[0..<(count * expected.classes)]),
                        "count \(count) threads \(threads)")
                #expect(got.predictions == Array(expected.predictions[0..<count]))
            }
        }
        #expect(throws: ZynqError(key: "threads", "must be at least 1, got 0")) { try Simulator(model: model, threads: 0) }
    }
}
