import Testing
import ZynqNetModel
@testable import ZynqNetSim

@Suite struct SimulatorVersusReference {
    /// Many random models (widths 1…300, random M/s including the extremes, int8 and uint8
    /// everywhere): the fast simulator equals the Int128 reference exactly, on every kernel
    /// this machine has, for the last layer and for every intermediate layer.
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
}
