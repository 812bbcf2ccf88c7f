import Foundation
import ZynqNetHW
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Every output value of `codes` through the loopback board (the accelerator model behind the
/// runtime's driver), one fold per layer. -999 marks a value the driver did not write.
func loopbackOutputs(_ m: QuantizedModel, _ codes: InputCodes, folds: [LayerFold], name: String) throws -> [Int32] {
    let layout = try AcceleratorLayout(topology: try Topology(model: m), folds: folds)
    let driver = try LoopbackBoard(layout: layout).driver(images: 1000, lockDirectory: NSTemporaryDirectory())
    try driver.load(model: m, modelName: name)
    let width = m.outputCount
    var outputs = [Int32](repeating: -999, count: codes.count * width)
    var predictions = [Int](repeating: -1, count: codes.count)
    try codes.bytes.withUnsafeBytes { raw in
        try outputs.withUnsafeMutableBufferPointer { o in
            try predictions.withUnsafeMutableBufferPointer { p in
                try driver.run(codes: raw, count: codes.count, outputs: o, predictions: p)
            }
        }
    }
    return outputs
}
