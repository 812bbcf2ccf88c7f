import Foundation
import ZynqNetTestSupport
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

/// Random valid folds: PE | out, SIMD | in, lanes | PE.
func randomFolds(_ t: Topology, _ g: inout SplitMix64) -> [LayerFold] {
    func divisors(_ n: Int) -> [Int] { (1...n).filter { n % $0 == 0 } }
    return t.layers.map { l in
        // A window's SIMD divides its channels; a max-pool's one fold is its channel lanes.
        if let w = l.window, !l.hasParameters {
            let s = divisors(w.c).randomElement(using: &g)!
            return LayerFold(pe: s, simd: s, lanes: s)
        }
        let pe = divisors(l.outCount).randomElement(using: &g)!
        return LayerFold(pe: pe, simd: divisors(l.window?.c ?? l.inCount).randomElement(using: &g)!, lanes: divisors(pe).randomElement(using: &g)!)
    }
}

/// Expected results from the independent Int128 reference simulator.
func reference(_ model: QuantizedModel, _ codes: InputCodes) throws -> SimResult {
    try ReferenceSimulator(model: model).run(codes) as SimResult
}

/// A loopback board for `model` with a loaded driver.
struct Rig {
    let board: LoopbackBoard
    let driver: AcceleratorDriver
    let model: QuantizedModel
    let flag: Flag

    final class Flag: @unchecked Sendable { var set = false }

    init(model: QuantizedModel, folds: [LayerFold]? = nil, manifest: RuntimeManifest = RuntimeManifest(), images: Int = 256,
         cached: Bool = false, lockDir: String? = nil, g: inout SplitMix64) throws {
        let t = try Topology(model: model)
        let layout = try AcceleratorLayout(topology: t, folds: folds ?? randomFolds(t, &g))
        board = try LoopbackBoard(layout: layout, manifest: manifest)
        let flag = Flag()
        self.flag = flag
        driver = try board.driver(images: images, cached: cached, lockDirectory: lockDir ?? NSTemporaryDirectory(),
                                  interrupt: InterruptFlag { flag.set })
        try driver.load(model: model, modelName: "random.npz")
        self.model = model
    }

    func run(_ codes: InputCodes) throws -> (outputs: [Int32], predictions: [Int]) {
        var outputs = [Int32](repeating: -999, count: codes.count * model.outputCount)
        var predictions = [Int](repeating: -1, count: codes.count)
        try codes.bytes.withUnsafeBytes { raw in
            try outputs.withUnsafeMutableBufferPointer { o in
                try predictions.withUnsafeMutableBufferPointer { p in
                    try driver.run(codes: raw, count: codes.count, outputs: o, predictions: p)
                }
            }
        }
        return (outputs, predictions)
    }

    func expectMatches(_ codes: InputCodes) throws -> Bool {
        let r = try run(codes)
        let e = try reference(model, codes)
        return r.outputs == e.outputs && r.predictions == e.predictions
    }
}
