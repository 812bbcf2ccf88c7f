import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// The loopback device's fault-injection scenarios, as one table that compiles both ways: each
/// builds a loopback board for a model, injects one fault, drives it with the real driver, and
/// says what happened in one line (the error's text and reason, then whether the device
/// recovered and the hardware counters). The host runs the table in ZynqNetRuntimeTests
/// (`FaultScenarioTests`), the board binary runs it with `zynqnet-board faults --model M`
/// under qemu-arm, and ZynqNetBoardTests checks that every line is the same on both.
public struct FaultScenario: Sendable {
    public let name: String
    /// Seed of the images the scenario runs (SplitMix64).
    let seed: UInt64
    let body: @Sendable (FaultRig) throws(ZynqError) -> String

    /// Runs the scenario for `model`: its one-line outcome, `name: …`. Whatever the fault does,
    /// the line says it; a fault that ended in no error is said too (`no error`).
    public func run(model: QuantizedModel) -> String {
        do throws(ZynqError) {
            let rig = try FaultRig(model: model, seed: seed, dmaLengthWidth: name == "ctrl-c-between-transfers" ? 8 : nil)
            return name + ": " + (try body(rig))
        } catch {
            return name + ": setup failed: " + error.description
        }
    }

    /// Every scenario, in order.
    public static let all: [FaultScenario] = dmaScenarios + acceleratorScenarios

    static let dmaScenarios: [FaultScenario] = [
        FaultScenario(name: "mm2s-slave-error", seed: 11) { (r) throws(ZynqError) in
            r.board.device.dma.injectError(.mm2s, bits: DMASR.slaveError)
            return try r.failingRun(5)
        },
        FaultScenario(name: "s2mm-decode-error", seed: 12) { (r) throws(ZynqError) in
            r.board.device.dma.injectError(.s2mm, bits: DMASR.decodeError)
            return try r.failingRun(5)
        },
        FaultScenario(name: "s2mm-internal-error", seed: 13) { (r) throws(ZynqError) in
            r.board.device.dma.injectError(.s2mm, bits: DMASR.internalError)
            return try r.failingRun(5)
        },
        FaultScenario(name: "s2mm-never-idle", seed: 14) { (r) throws(ZynqError) in
            r.board.device.dma.injectHang(.s2mm)
            return try r.failingRun(5)
        },
        FaultScenario(name: "mm2s-never-idle", seed: 15) { (r) throws(ZynqError) in
            r.board.device.dma.injectHang(.mm2s)
            return try r.failingRun(6)
        },
        FaultScenario(name: "s2mm-error-behind-stalled-mm2s", seed: 16) { (r) throws(ZynqError) in
            r.board.accelerator.capacityImages = 2
            r.board.device.dma.injectError(.s2mm, bits: DMASR.decodeError)
            return try r.failingRun(8)
        },
    ]

    static let acceleratorScenarios: [FaultScenario] = [
        FaultScenario(name: "accelerator-stops-taking-data", seed: 21) { (r) throws(ZynqError) in
            r.board.accelerator.stopAcceptingAfterImages = 3
            return try r.failingRun(8)
        },
        FaultScenario(name: "short-s2mm-transfer", seed: 22) { (r) throws(ZynqError) in
            r.board.accelerator.earlyTLASTAfterImages = 2
            return try r.failingRun(7)
        },
        FaultScenario(name: "corrupted-class-index", seed: 23) { (r) throws(ZynqError) in
            r.board.accelerator.corruptNextClassIndex = true
            return try r.failingRun(4)
        },
        FaultScenario(name: "param-data-reads-back-wrong", seed: 24) { (r) throws(ZynqError) in
            let data = r.board.manifest.acceleratorBase + UInt64(RegisterMap.PARAM_DATA)
            r.board.device.readCorruptions[data] = (mask: 0x10, count: 1)
            var parts = [FaultRig.text(r.failure { () throws(ZynqError) in try r.driver.load(model: r.model, modelName: "m.npz") })]
            // Not loaded: a batch is refused rather than run on half-checked parameters.
            parts.append(FaultRig.text(r.failure { () throws(ZynqError) in _ = try r.backend.run(codes: try r.codes(2), count: 2) }))
            return parts.joined(separator: " / ") + "; " + (try r.recovered(reload: true))
        },
        FaultScenario(name: "layer-register-reads-back-wrong", seed: 25) { (r) throws(ZynqError) in
            let zero = r.board.manifest.acceleratorBase + UInt64(RegisterMap.layerRegister(r.model.layers.count - 1, RegisterMap.L_ZERO))
            r.board.device.readCorruptions[zero] = (mask: 0x100, count: 1)
            let e = r.failure { () throws(ZynqError) in try r.driver.load(model: r.model, modelName: "m.npz") }
            return FaultRig.text(e) + "; " + (try r.recovered(reload: true))
        },
        FaultScenario(name: "ctrl-c-during-transfer", seed: 26) { (r) throws(ZynqError) in
            r.driver.timeoutNanoseconds = 10_000_000_000
            r.board.device.dma.injectHang(.mm2s)
            let length = r.board.manifest.dmaBase + 0x28, flag = r.flag
            r.board.device.afterWrite = { address, _ in if address == length { flag.set = true } }
            let e = r.failure { () throws(ZynqError) in _ = try r.backend.run(codes: try r.codes(6), count: 6) }
            r.board.device.afterWrite = nil
            r.flag.set = false
            return FaultRig.text(e) + "; " + (try r.recovered())
        },
        FaultScenario(name: "ctrl-c-between-transfers", seed: 27) { (r) throws(ZynqError) in
            let length = r.board.manifest.dmaBase + 0x58, flag = r.flag
            r.board.device.afterWrite = { address, _ in if address == length { flag.set = true } }
            let e = r.failure { () throws(ZynqError) in _ = try r.backend.run(codes: try r.codes(40), count: 40) }
            r.board.device.afterWrite = nil
            r.flag.set = false
            return FaultRig.text(e) + "; " + (try r.recovered(count: 40))
        },
    ]
}

/// A loopback board for one model with a loaded driver, short timeouts and its own interrupt flag.
public final class FaultRig {
    public final class Flag: @unchecked Sendable { public var set = false }

    public let board: LoopbackBoard
    public let driver: AcceleratorDriver
    public let backend: AcceleratorBackend
    public let model: QuantizedModel
    public let simulator: Simulator
    public let flag = Flag()
    var rng: SplitMix64

    init(model: QuantizedModel, seed: UInt64, dmaLengthWidth: Int?) throws(ZynqError) {
        let t = try Topology(model: model)
        var manifest = RuntimeManifest()
        if let dmaLengthWidth { manifest.dmaLengthWidth = dmaLengthWidth }
        board = try LoopbackBoard(layout: try AcceleratorLayout(topology: t, folds: defaultLoopbackFolds(t)), manifest: manifest)
        let flag = self.flag
        driver = try board.driver(images: 32, interrupt: InterruptFlag { flag.set })
        driver.timeoutNanoseconds = 50_000_000
        driver.timeoutPerImageNanoseconds = 0
        try driver.load(model: model, modelName: "m.npz")
        backend = AcceleratorBackend(name: "loopback", driver: driver, model: model, batchSize: 1 << 20, fclkMHz: manifest.fclkMHz, loopback: board.device)
        self.model = model
        simulator = try Simulator(model: model, kernel: .portable, threads: 1)
        rng = SplitMix64(seed: seed)
    }

    /// `n` random images of the model's input type.
    public func codes(_ n: Int) throws(ZynqError) -> InputCodes {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n * model.inputCount)
        for _ in 0..<(n * model.inputCount) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
        return try InputCodes(type: model.input.type, width: model.inputCount, bytes: bytes)
    }

    /// The error `body` throws (nil if none).
    func failure(_ body: () throws(ZynqError) -> Void) -> ZynqError? {
        do throws(ZynqError) { try body() } catch { return error }
        return nil
    }

    /// A run of `n` images that the fault should stop, then the recovery.
    func failingRun(_ n: Int) throws(ZynqError) -> String {
        let codes = try self.codes(n)
        let e = failure { () throws(ZynqError) in _ = try backend.run(codes: codes, count: n) }
        return FaultRig.text(e) + "; " + (try recovered())
    }

    /// After the fault (and a reload, if asked): `count` more images, compared with the simulator,
    /// and the hardware counters.
    func recovered(count: Int = 9, reload: Bool = false) throws(ZynqError) -> String {
        var note = ""
        if let e = failure({ () throws(ZynqError) in
            if reload { try driver.load(model: model, modelName: "m.npz") }
            let codes = try self.codes(count)
            let got = try backend.run(codes: codes, count: count)
            let want = try simulator.run(codes)
            note = got.outputs == want.outputs && got.predictions == want.predictions
                ? "recovered: \(count) images equal the simulator" : "recovered: \(count) images DIFFER from the simulator"
        }) {
            return "not recovered: " + FaultRig.text(e)
        }
        let c = try driver.counters()
        return note + "; counters in \(c.imagesIn) out \(c.imagesOut)"
    }

    /// An error as text: its line and its reason with the values.
    static func text(_ e: ZynqError?) -> String {
        guard let e else { return "no error" }
        return e.description + " [" + reasonText(e.reason) + "]"
    }

    static func reasonText(_ r: ZynqError.Reason) -> String {
        switch r {
        case .input: return "input"
        case .systemCall(let name, let errno): return "systemCall \(name) errno \(errno)"
        case .interrupted: return "interrupted"
        case .dma(let channel, let problem, let status): return "dma \(channel) \(dmaProblemText(problem)) 0x\(hex32(status))"
        case .accelerator(let p):
            switch p {
            case .inputError(let s): return "accelerator inputError 0x\(hex32(s))"
            case .parameterError(let s): return "accelerator parameterError 0x\(hex32(s))"
            case .readBack(let register, let wrote, let read): return "accelerator readBack \(register) wrote 0x\(hex32(wrote)) read 0x\(hex32(read))"
            case .sequence(let record, let read, let expected): return "accelerator sequence record \(record) read \(read) expected \(expected)"
            case .classIndex(let record, let read, let argmax): return "accelerator classIndex record \(record) read \(read) argmax \(argmax)"
            case .outputLength(let written, let expected): return "accelerator outputLength written \(written) expected \(expected)"
            case .stalled(let imagesIn, let inFlight): return "accelerator stalled in \(imagesIn) inFlight \(inFlight)"
            }
        }
    }

    static func dmaProblemText(_ p: ZynqError.DMAProblem) -> String {
        switch p {
        case .errorBits: "errorBits"
        case .timedOut: "timedOut"
        case .didNotStart: "didNotStart"
        case .dirty: "dirty"
        case .busy: "busy"
        case .resetStuck: "resetStuck"
        case .notCleanAfterReset: "notCleanAfterReset"
        }
    }
}
