import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Host-side cost of the runtime on the loopback device: everything the driver does per
/// batch (packing, cache maintenance, register accesses, polling, unpacking and checking)
/// minus the time spent inside the simulated device (DMA model, accelerator model, simulator).
public struct RuntimeBenchmarkResult: Codable, Sendable, Equatable {
    public var model: String
    public var batch_size: Int
    public var batches: Int
    public var images: Int
    public var transfers_per_batch: Int
    /// Host-side cost per image (ns): driver total minus device time.
    public var host_ns_per_image: Double
    public var pack_ns_per_image: Double
    public var unpack_ns_per_image: Double
    public var sync_ns_per_image: Double
    /// Everything else on the host: register accesses, polling, bookkeeping.
    public var driver_ns_per_image: Double
    /// Time inside the simulated device, per image (not host cost).
    public var device_ns_per_image: Double
    public var register_accesses_per_batch: Double
}

public enum RuntimeBenchmark {
    /// A deterministic MNIST-sized MLP (784u-128u-10u) with pseudo-random weights.
    public static func mnistLikeModel(seed: UInt64 = 1) -> QuantizedModel {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func weights(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: next()) } }
        let l0 = DenseLayer(outFeatures: 128, inFeatures: 784, weight: weights(128 * 784), multiplier: [1], shift: [14],
                            rounding: .floor, relu: true, outputZero: 0, outputType: .uint8)
        let l1 = DenseLayer(outFeatures: 10, inFeatures: 128, weight: weights(10 * 128), multiplier: [1], shift: [12],
                            rounding: .floor, relu: false, outputZero: 0, outputType: .uint8)
        return QuantizedModel(input: InputSpec(shape: [28, 28], type: .uint8, zero: 0, scale: 1.0 / 255), layers: [l0, l1])
    }

    /// Runs `batches` batches of `batchSize` images through a loopback board and measures.
    public static func run(model: QuantizedModel, modelName: String = "784u-128u-10u", batchSize: Int = 256, batches: Int = 100,
                           manifest: RuntimeManifest = RuntimeManifest()) throws -> RuntimeBenchmarkResult {
        let topology = try Topology(model: model)
        let board = try LoopbackBoard(layout: try AcceleratorLayout(topology: topology, folds: loopbackFolds(topology, engine: manifest.engine)),
                                      manifest: manifest)
        let driver = try board.driver(images: batchSize, interrupt: .never)
        try driver.load(model: model, modelName: modelName)
        var codes = [UInt8](repeating: 0, count: batchSize * model.inputCount)
        var x: UInt32 = 12345
        for i in codes.indices { x = x &* 1_103_515_245 &+ 12345; codes[i] = UInt8(truncatingIfNeeded: x >> 16) }
        var outputs = [Int32](repeating: 0, count: batchSize * model.outputCount)
        var predictions = [Int](repeating: 0, count: batchSize)
        func once() throws {
            try codes.withUnsafeBytes { raw in
                try outputs.withUnsafeMutableBufferPointer { o in
                    try predictions.withUnsafeMutableBufferPointer { p in
                        try driver.run(codes: raw, count: batchSize, outputs: o, predictions: p)
                    }
                }
            }
        }
        try once()   // warm up (builds the simulator)
        try driver.clearCounters()
        let device0 = board.device.deviceNanoseconds
        let accesses0 = board.device.readCount + board.device.writeCount
        for _ in 0..<batches { try once() }
        let s = driver.stats
        let device = board.device.deviceNanoseconds - device0
        let accesses = board.device.readCount + board.device.writeCount - accesses0
        let n = Double(s.images)
        let host = Double(s.totalNanoseconds) - Double(device)
        let driverOnly = host - Double(s.packNanoseconds) - Double(s.unpackNanoseconds) - Double(s.syncNanoseconds)
        return RuntimeBenchmarkResult(model: modelName, batch_size: batchSize, batches: batches, images: Int(s.images),
                                      transfers_per_batch: Int(s.transfers) / max(1, batches),
                                      host_ns_per_image: host / n, pack_ns_per_image: Double(s.packNanoseconds) / n,
                                      unpack_ns_per_image: Double(s.unpackNanoseconds) / n, sync_ns_per_image: Double(s.syncNanoseconds) / n,
                                      driver_ns_per_image: driverOnly / n, device_ns_per_image: Double(device) / n,
                                      register_accesses_per_batch: Double(accesses) / Double(max(1, batches)))
    }
}
