import Testing
import ZynqNetTestSupport
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetRuntime
import ZynqNetSim

/// `openBackend`: the one factory of the simulator, loopback, board and rtlsim backends.
@Suite struct BackendFactoryTests {
    @Test func simAndLoopbackComputeTheSimulatorsOutputs() throws {
        var g = SplitMix64(seed: 41)
        let model = randomModel(dims: [13, 7, 4], signed: [true, false, true], rng: &g)
        let codes = try randomCodes(model, count: 9, rng: &g)
        let expected = try Simulator(model: model).run(codes)
        var options = BackendOptions()
        options.batchSize = 4
        let sim = try openBackend(.sim, model: model, options: options)
        let loopback = try openBackend(.loopback, model: model, options: options)
        #expect(sim.name == "sim" && loopback.name == "loopback")
        #expect(sim.batchSize == 4 && loopback.batchSize == 4)
        #expect(try sim.result(codes) == expected)
        #expect(try loopback.result(codes) == expected)
        #expect(sim is SimulatorBackend && loopback is AcceleratorBackend)
        // The simulator has no counters: --throughput-test names the backends that do.
        #expect(throws: ZynqError(key: "--throughput-test", "needs --backend loopback, board or rtlsim")) {
            _ = try sim.throughputReport()
        }
    }

    @Test func boardWithoutAManifestIsRefusedByName() throws {
        var g = SplitMix64(seed: 42)
        let model = randomModel(dims: [5, 3], signed: [false, true], rng: &g)
        let e = #expect(throws: ZynqError.self) { _ = try openBackend(.board, model: model) }
        #expect(e?.key == "--backend board")
    }

    @Test func kindsAndTheirDefaults() {
        #expect(BackendKind.allCases.map(\.rawValue) == ["sim", "loopback", "board", "rtlsim"])
        #expect(BackendKind.local == [.sim, .loopback])
        #expect(BackendKind.allCases.map(\.defaultBatchSize) == [1000, 256, 256, 256])
    }

    /// demo's bit-exact check: a backend agrees when it equals the reference on every image it ran.
    @Test func agreementOnAPrefix() {
        let reference = SimResult(outputs: [1, 2, 3, 4, 5, 6], count: 3, classes: 2)
        #expect(reference.agrees(with: reference))
        #expect(SimResult(outputs: [1, 2, 3, 4], count: 2, classes: 2).agrees(with: reference))
        #expect(!SimResult(outputs: [1, 2, 3, 5], count: 2, classes: 2).agrees(with: reference))
        #expect(!SimResult(outputs: [2, 1], count: 1, classes: 2).agrees(with: reference))
    }
}
