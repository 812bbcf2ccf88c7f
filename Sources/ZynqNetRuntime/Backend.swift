import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// `zynqnet infer --throughput-test` numbers (`--json` prints exactly these keys).
public struct ThroughputReport: Sendable, Equatable {
    /// Wall time of the batches, host work and transfers included (ms).
    public var runtime_ms: Double
    public var images_per_second: Double
    /// Bytes read from DRAM by MM2S per second of runtime (MB = 10^6 bytes).
    public var dram_in_mb_per_s: Double
    /// Bytes written to DRAM by S2MM per second of runtime.
    public var dram_out_mb_per_s: Double
    public var fclk_mhz: Double
    public var batch_size: Int
    /// Host time packing images into the DMA buffer (ms).
    public var pack_ms: Double
    /// Host time moving records between host memory and the DMA buffer (input in, output out)
    /// plus cache maintenance (ms): the cost of the buffer's mapping (write-combine, uncached, cached).
    public var copy_ms: Double
    /// Host time unpacking and checking output records (ms).
    public var unpack_ms: Double
    /// The accelerator's BUSY_CYCLES counter over the runs.
    public var busy_cycles: UInt64
    /// The accelerator's STALL_CYCLES counter (output back-pressure) over the runs.
    public var stall_cycles: UInt64
    /// Simulated backends only (rtlsim; absent from the JSON otherwise): clock cycles of the
    /// batches, the measured initiation interval and latency, and fclk / II.
    public var cycles: UInt64? = nil
    public var ii_cycles: UInt64? = nil
    public var latency_cycles: UInt64? = nil
    public var images_per_second_at_fclk: Double? = nil
    /// Where busy_cycles and stall_cycles come from: "hardware" (the board's counters) or
    /// "simulated" (the loopback model or the Verilator simulation of the design).
    public var counters: String? = nil
    /// fclk_mhz is "nominal" (the manifest's value; nothing runs at it: loopback, rtlsim) or
    /// "configured" (the board's PS clock the bitstream was built for).
    public var fclk: String? = nil

    /// The report of a simulated device: counters simulated, fclk nominal.
    public var isSimulated: Bool { counters == "simulated" }

    public init(runtime_ms: Double, images_per_second: Double, dram_in_mb_per_s: Double, dram_out_mb_per_s: Double,
                fclk_mhz: Double, batch_size: Int, pack_ms: Double, copy_ms: Double, unpack_ms: Double,
                busy_cycles: UInt64, stall_cycles: UInt64, counters: String? = nil, fclk: String? = nil) {
        self.counters = counters
        self.fclk = fclk
        self.runtime_ms = runtime_ms
        self.images_per_second = images_per_second
        self.dram_in_mb_per_s = dram_in_mb_per_s
        self.dram_out_mb_per_s = dram_out_mb_per_s
        self.fclk_mhz = fclk_mhz
        self.batch_size = batch_size
        self.pack_ms = pack_ms
        self.copy_ms = copy_ms
        self.unpack_ms = unpack_ms
        self.busy_cycles = busy_cycles
        self.stall_cycles = stall_cycles
    }
}

/// Something `zynqnet infer` can run images on: `loopback` (in-process device) or `board`.
public protocol InferenceBackend: AnyObject {
    var name: String { get }
    /// Images per `AcceleratorDriver.run` call (each may still be split at the DMA limit).
    var batchSize: Int { get set }
    /// Runs `count` images of `codes` (the model's input codes); returns `count × classes`
    /// outputs and `count` predictions, exactly as the simulator's `SimResult`.
    func run(codes: InputCodes, count: Int) throws(ZynqError) -> (outputs: [Int32], predictions: [Int])
    /// Numbers for `--throughput-test` over every `run` since the backend was made.
    func throughputReport() throws(ZynqError) -> ThroughputReport
}

/// A backend driving an accelerator through `AcceleratorDriver` (loopback or board).
public final class AcceleratorBackend: InferenceBackend {
    public let name: String
    public var batchSize: Int
    public let driver: AcceleratorDriver
    public let fclkMHz: Double
    /// The in-process device, for the loopback backend.
    public let loopback: (any RegisterBus)?
    let model: QuantizedModel

    public init(name: String, driver: AcceleratorDriver, model: QuantizedModel, batchSize: Int, fclkMHz: Double, loopback: (any RegisterBus)?) {
        self.name = name
        self.driver = driver
        self.model = model
        self.batchSize = batchSize
        self.fclkMHz = fclkMHz
        self.loopback = loopback
    }

    public func run(codes: InputCodes, count: Int) throws(ZynqError) -> (outputs: [Int32], predictions: [Int]) {
        guard count == codes.count else { throw ZynqError(key: "images", "count \(count) but \(codes.count) images given") }
        guard codes.type == model.input.type, codes.width == model.inputCount else {
            throw ZynqError(key: "images", "codes are \(codes.count)×\(codes.width) \(codes.type), the model takes \(model.inputCount) \(model.input.type) codes")
        }
        let classes = model.outputCount
        var outputs = [Int32](repeating: 0, count: count * classes)
        var predictions = [Int](repeating: 0, count: count)
        let step = max(1, batchSize)
        try codes.bytes.withBytes { (raw) throws(ZynqError) in
            try outputs.withMutableBuffer { (out) throws(ZynqError) in
                try predictions.withMutableBuffer { (pred) throws(ZynqError) in
                    var done = 0
                    while done < count {
                        let n = min(step, count - done)
                        try driver.run(codes: UnsafeRawBufferPointer(rebasing: raw[(done * codes.width)...]), count: n,
                                       outputs: UnsafeMutableBufferPointer(rebasing: out[(done * classes)...]),
                                       predictions: UnsafeMutableBufferPointer(rebasing: pred[done...]))
                        done += n
                    }
                }
            }
        }
        return (outputs, predictions)
    }

    public func throughputReport() throws(ZynqError) -> ThroughputReport {
        let s = driver.stats
        let c = try driver.counters()
        let seconds = Double(s.totalNanoseconds) / 1e9
        func rate(_ v: UInt64) -> Double { seconds > 0 ? Double(v) / seconds : 0 }
        return ThroughputReport(runtime_ms: Double(s.totalNanoseconds) / 1e6, images_per_second: rate(s.images),
                                dram_in_mb_per_s: rate(s.bytesIn) / 1e6, dram_out_mb_per_s: rate(s.bytesOut) / 1e6,
                                fclk_mhz: fclkMHz, batch_size: batchSize,
                                pack_ms: Double(s.packNanoseconds) / 1e6, copy_ms: Double(s.syncNanoseconds &+ s.copyNanoseconds) / 1e6,
                                unpack_ms: Double(s.unpackNanoseconds) / 1e6,
                                busy_cycles: c.busyCycles, stall_cycles: c.stallCycles,
                                counters: loopback == nil ? "hardware" : "simulated", fclk: loopback == nil ? "configured" : "nominal")
    }
}

extension InferenceBackend {
    /// The same as `run(codes:count:)`, shaped like `Simulator.run` for callers that hold `SimResult`s.
    public func run(_ codes: InputCodes) throws(ZynqError) -> SimResult {
        let r = try run(codes: codes, count: codes.count)
        return SimResult(outputs: r.outputs, count: codes.count, classes: codes.count == 0 ? 0 : r.outputs.count / codes.count)
    }
}

#if !hasFeature(Embedded)
// Codable is host-only (the board build is Embedded Swift); synthesized here, beside the type.
extension ThroughputReport: Codable {}
#endif
