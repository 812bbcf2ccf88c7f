import Foundation
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// The package root (this file is Tests/ZynqNetRTLSimTests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The rtlsim build cache of the test suite (kept between runs; keys are content hashes).
let testCache = packageRoot.appendingPathComponent(".build/zynqnet-test/rtlsim")

/// Quick builds (-O1) in the test cache; tests simulate small designs.
func quickBuild(trace: Bool = false) -> RTLSimBuildOptions {
    RTLSimBuildOptions(cacheRoot: testCache, optimize: false, trace: trace)
}

/// SplitMix64.
struct Rng: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The expected text of Sources/ZynqNetRTLSim/EmbeddedRTLSim.swift: the rtlsim C++ library and
/// its C ABI header as string literals, so the zynqnet binary can build them anywhere.
func embeddedRTLSimSource() throws -> String {
    let files = [("rtlsim.cpp", "fpga/sim/rtlsim/rtlsim.cpp"), ("zn_rtlsim.h", "Sources/CZynqNetRTLSim/include/zn_rtlsim.h")]
    var s = """
    // Generated from fpga/sim/rtlsim/rtlsim.cpp and Sources/CZynqNetRTLSim/include/zn_rtlsim.h by the
    // test suite (ZYNQNET_REGENERATE=1 swift test --filter EmbeddedRTLSim); do not edit.

    public enum EmbeddedRTLSim {
        /// The sources of the rtlsim shared library: (file name, text).
        public static let sources: [(String, String)] = [

    """
    for (name, path) in files {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        precondition(!text.contains("\"\"\"##"), "\(path) contains the raw-string delimiter")
        s += "        (\"\(name)\", ##\"\"\"\n\(text)\n\"\"\"##),\n"
    }
    s += "    ]\n}\n"
    return s
}

/// Compares a committed generated file with its expected text; ZYNQNET_REGENERATE=1 rewrites it.
func checkGenerated(_ relativePath: String, _ expected: String) throws -> Bool {
    let url = packageRoot.appendingPathComponent(relativePath)
    if ProcessInfo.processInfo.environment["ZYNQNET_REGENERATE"] == "1" {
        try expected.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    return (try? String(contentsOf: url, encoding: .utf8)) == expected
}

@Suite struct EmbeddedRTLSimTests {
    @Test func embeddedSourcesAreCurrent() throws {
        #expect(try checkGenerated("Sources/ZynqNetRTLSim/EmbeddedRTLSim.swift", try embeddedRTLSimSource()),
                "EmbeddedRTLSim.swift is stale: run ZYNQNET_REGENERATE=1 swift test --filter EmbeddedRTLSim")
    }
}

/// A random valid format-1 model with the given widths and signedness (so models drawn with
/// the same shape share one topology, hence one hardware build): random weights, biases,
/// per-channel or per-tensor M and s (spread so outputs are not all saturated, with some
/// extreme values), both roundings, relu or not, random zero points.
func randomModel(dims: [Int], signed: [Bool], rng g: inout Rng) -> QuantizedModel {
    precondition(signed.count == dims.count)
    func code(_ s: Bool) -> Int32 { s ? Int32.random(in: -128...127, using: &g) : Int32.random(in: 0...255, using: &g) }
    var layers: [DenseLayer] = []
    for i in 0..<(dims.count - 1) {
        let n = dims[i], m = dims[i + 1]
        let weight = (0..<(n * m)).map { _ in Int8.random(in: .min ... .max, using: &g) }
        let bias = (0..<m).map { _ -> Int32 in
            switch Int.random(in: 0..<12, using: &g) {
            case 0: return 0
            case 1: return Int32.random(in: -2_000_000...2_000_000, using: &g)
            default: return Int32.random(in: -20_000...20_000, using: &g)
            }
        }
        let typicalShift = 31 + Int(log2(Double(n).squareRoot() * 60).rounded(.up))
        func mult() -> UInt32 { Int.random(in: 0..<10, using: &g) == 0 ? 1 : UInt32.random(in: (1 << 30)...UInt32.max, using: &g) }
        func shift() -> UInt8 {
            Int.random(in: 0..<10, using: &g) == 0 ? UInt8.random(in: 0...63, using: &g)
                : UInt8(min(63, max(0, typicalShift + Int.random(in: -2...2, using: &g))))
        }
        let perTensor = Bool.random(using: &g)
        layers.append(DenseLayer(outFeatures: m, inFeatures: n, weight: weight, bias: bias,
                                 multiplier: perTensor ? [mult()] : (0..<m).map { _ in mult() },
                                 shift: perTensor ? [shift()] : (0..<m).map { _ in shift() },
                                 rounding: Bool.random(using: &g) ? .floor : .halfUp, relu: Bool.random(using: &g),
                                 outputZero: code(signed[i + 1]), outputType: ActivationType(signed: signed[i + 1])))
    }
    let input = InputSpec(shape: [dims[0]], type: ActivationType(signed: signed[0]), zero: code(signed[0]), scale: 0.5)
    return QuantizedModel(input: input, layers: layers)
}

/// `count` random images of input codes for `model` (a few at the type's extremes).
func randomCodes(_ model: QuantizedModel, count: Int, rng g: inout Rng) throws -> InputCodes {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * model.inputCount)
    for _ in 0..<(count * model.inputCount) {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: bytes.append(model.input.type == .int8 ? 0x80 : 0x00)
        case 1: bytes.append(model.input.type == .int8 ? 0x7F : 0xFF)
        default: bytes.append(UInt8.random(in: 0...255, using: &g))
        }
    }
    return try InputCodes(type: model.input.type, width: model.inputCount, bytes: bytes)
}
