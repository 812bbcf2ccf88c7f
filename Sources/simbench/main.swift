// Speed of ZynqNetSim alone on a 784-128-10 int8 model (random weights, uint8 input,
// per-tensor M/s, half_up, relu), 10,000 random images by default:
//     swift run -c release simbench [images] [threads]      (ZYNQNET_ISA=kernel: that one only)
// Prints, per kernel, the best of 7 runs: wall time, process CPU time, images/s.
import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetSim

struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}

var g = LCG(state: 42)
let w0 = (0..<(128 * 784)).map { _ in Int8(truncatingIfNeeded: g.next()) }
let w1 = (0..<(10 * 128)).map { _ in Int8(truncatingIfNeeded: g.next()) }
let bias = (0..<128).map { _ in Int32(g.next() % 2000) - 1000 }
let model = QuantizedModel(
    input: InputSpec(shape: [28, 28], type: .uint8, zero: 0, scale: 1.0 / 255),
    layers: [
        DenseLayer(outFeatures: 128, inFeatures: 784, weight: w0, bias: bias, multiplier: [1_500_000_000], shift: [42],
                   rounding: .halfUp, relu: true, outputZero: 0, outputType: .uint8),
        DenseLayer(outFeatures: 10, inFeatures: 128, weight: w1, multiplier: [1_500_000_000], shift: [41],
                   rounding: .halfUp, relu: false, outputZero: 0, outputType: .int8),
    ])
let args = Array(CommandLine.arguments.dropFirst())
let n = Int(args.first ?? "10000") ?? 10000
let threads = args.count > 1 ? Int(args[1]) : nil
let codes = try InputCodes(uint8: (0..<(n * 784)).map { _ in UInt8(truncatingIfNeeded: g.next()) }, width: 784)
print("\(n) images, 784-128-10, \(ProcessInfo.processInfo.activeProcessorCount) cores, default kernel \(SimKernel.best.rawValue)"
      + (SimKernel.bestNote.map { " (\($0))" } ?? ""))
var reference: SimResult? = nil
// ZYNQNET_ISA=name runs that kernel alone (e.g. under perf).
let forced = ProcessInfo.processInfo.environment[SimKernel.environmentKey].flatMap { $0.isEmpty ? nil : $0 }
for kernel in SimKernel.allCases where kernel.isAvailable && (forced == nil || forced == kernel.rawValue) {
    let sim = try Simulator(model: model, kernel: kernel, threads: threads)
    var wall = Double.infinity, cpu = Double.infinity
    var result: SimResult? = nil
    for _ in 0..<7 {
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = clock()
        result = try sim.run(codes)
        cpu = min(cpu, Double(clock() - c0) / Double(CLOCKS_PER_SEC))
        wall = min(wall, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    if reference == nil { reference = result }
    print(String(format: "%-8@ %2d threads  wall %6.1f ms (%7.0f images/s)  cpu %6.1f ms  %@",
                 kernel.rawValue, sim.threads, wall * 1000, Double(n) / wall, cpu * 1000,
                 result == reference ? "same outputs" : "OUTPUTS DIFFER"))
}
