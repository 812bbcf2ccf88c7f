import ZynqNetBase
import ZynqNetHW
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Where `zynqnet infer` runs images: the one list of backends.
public enum BackendKind: String, Sendable, CaseIterable {
    /// The bit-exact simulator.
    case sim
    /// The in-process device: AXI DMA and accelerator models, the runtime's driver.
    case loopback
    /// The real hardware through /dev/mem or UIO.
    case board
    /// The generated RTL under Verilator, driven by the runtime's driver.
    case rtlsim

    /// The backends that run on any machine, in the order `demo` shows them.
    public static let local: [BackendKind] = [.sim, .loopback]

    /// Images per batch when the caller does not choose: 1000 on the simulator, else 256.
    public var defaultBatchSize: Int { self == .sim ? 1000 : 256 }
}

/// What a backend needs besides the model; each backend reads the fields that concern it.
public struct BackendOptions {
    /// Names the model in errors and in the driver's load.
    public var modelName = "model"
    /// A deploy or codegen bundle (manifest.json, runtime.json): loopback, board, rtlsim.
    public var bundle: String?
    /// The design's manifest.json instead of `bundle`.
    public var manifest: String?
    public var batchSize = 256
    /// rtlsim: the simulated design's fold file (default: codegen's fastest fold).
    public var foldFile: String?
    /// rtlsim: an FST waveform of the simulation after the parameter load.
    public var tracePath: String?
    /// rtlsim: how many images the trace will hold (for the size warning).
    public var traceImages: Int?
    /// rtlsim: accept a fold whose estimate exceeds the board.
    public var allowOverfull = false
    /// rtlsim: progress and warnings (the build, the trace size).
    public var log: ((String) -> Void)?

    public init() {}
}

/// The simulator as a backend (no hardware, no throughput counters).
public final class SimulatorBackend: InferenceBackend {
    public let simulator: Simulator
    public var batchSize: Int
    public var name: String { BackendKind.sim.rawValue }
    /// The dot-product kernel the simulator chose (`SimKernel`).
    public var kernel: String { simulator.kernel.rawValue }
    /// Why that kernel, chosen by default, is not AMX on a machine with AMX (`SimKernel.bestNote`).
    public var kernelNote: String? { simulator.kernel == SimKernel.best ? SimKernel.bestNote : nil }

    public init(model: QuantizedModel, batchSize: Int = BackendKind.sim.defaultBatchSize) throws {
        simulator = try Simulator(model: model)
        self.batchSize = batchSize
    }

    public func run(codes: InputCodes, count: Int) throws(ZynqError) -> (outputs: [Int32], predictions: [Int]) {
        guard count == codes.count else { throw ZynqError(key: "images", "count \(count) but \(codes.count) images given") }
        let r = try simulator.run(codes)
        return (r.outputs, r.predictions)
    }

    public func throughputReport() throws(ZynqError) -> ThroughputReport {
        throw ZynqError(key: "--throughput-test", "needs --backend loopback, board or rtlsim")
    }
}

/// The one factory of inference backends: the simulator, the loopback device, the board
/// (`makeBackend`) or the generated RTL under Verilator (`makeRTLSimBackend`).
public func openBackend(_ kind: BackendKind, model: QuantizedModel, options o: BackendOptions = BackendOptions()) throws -> any InferenceBackend {
    switch kind {
    case .sim:
        return try SimulatorBackend(model: model, batchSize: o.batchSize)
    case .loopback, .board:
        return try makeBackend(name: kind.rawValue, model: model, modelName: o.modelName, bundle: o.bundle, manifest: o.manifest,
                               batchSize: o.batchSize)
    case .rtlsim:
        var options = RTLSimOptions()
        options.codegen.allowOverfull = o.allowOverfull
        return try makeRTLSimBackend(model: model, modelName: o.modelName, bundle: o.bundle, manifest: o.manifest,
                                     batchSize: o.batchSize, foldFile: o.foldFile, tracePath: o.tracePath, traceImages: o.traceImages,
                                     options: options, log: o.log)
    }
}

extension InferenceBackend {
    /// Runs all of `codes` as one `SimResult` (classes from the outputs' count).
    public func result(_ codes: InputCodes) throws -> SimResult {
        let r = try run(codes: codes, count: codes.count)
        return SimResult(outputs: r.outputs, count: codes.count, classes: codes.count == 0 ? 0 : r.outputs.count / codes.count)
    }
}

extension SimResult {
    /// Whether these outputs equal `reference`'s for every image they hold (a backend may have
    /// run only the first images): the bit-exact agreement `demo` checks between backends.
    public func agrees(with reference: SimResult) -> Bool {
        outputs == Array(reference.outputs.prefix(count * reference.classes))
    }
}
