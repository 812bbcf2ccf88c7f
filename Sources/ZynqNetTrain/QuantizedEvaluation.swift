import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetSim

/// Accuracy of a quantized model, always computed with the bit-exact `Simulator` (the
/// same integer arithmetic as the hardware), never with a float approximation.
public enum QuantizedEvaluation {
    /// The samples of `data` as the images array the simulator takes: uint8 pixels as they
    /// are, float features as float32 (quantized by the spec's float-image path).
    public static func images(_ data: LabeledData) -> NDArray {
        let shape = [data.count] + data.shape
        switch data.features {
        case .bytes(let b): return NDArray(shape: shape, storage: .uint8(b))
        case .floats(let f): return NDArray(shape: shape, storage: .float32(f))
        }
    }

    /// Runs every sample of `data` through the simulator.
    public static func run(_ model: QuantizedModel, on data: LabeledData) throws -> SimResult {
        try Simulator(model: model).run(images: images(data), key: data.source)
    }

    /// Fraction of samples whose simulated prediction equals the label.
    public static func accuracy(_ model: QuantizedModel, on data: LabeledData) throws -> Double {
        let r = try run(model, on: data)
        return Double(r.correct(labels: data.labels.map { Int($0) })) / Double(max(1, data.count))
    }
}
