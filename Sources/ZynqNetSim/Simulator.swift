import CZynqKernels
import Dispatch
import Foundation
import ZynqNetModel

/// The instruction set of the simulator's dot-product kernels.
public enum SimKernel: String, Sendable, CaseIterable {
    case portable, sse2, avx2, neon

    var isa: Int32 {
        switch self {
        case .portable: Int32(CZK_PORTABLE)
        case .sse2: Int32(CZK_SSE2)
        case .avx2: Int32(CZK_AVX2)
        case .neon: Int32(CZK_NEON)
        }
    }

    /// Whether this build on this CPU can run it.
    public var isAvailable: Bool { czk_isa_available(isa) != 0 }

    /// The fastest kernel available here.
    public static var best: SimKernel {
        let isa = czk_best_isa()
        return allCases.first { $0.isa == isa } ?? .portable
    }
}

/// What the simulator proved about one layer when it loaded the model.
public struct LayerPlan: Sendable, Equatable {
    /// The largest bound on |acc| over the output channels.
    public let accumulatorBound: Int64
    /// Output channels whose product acc·M (+ rounding) may not fit in Int64 and so are
    /// computed in 128 bits; the others use Int64 (float32 channels need no product).
    public let wideChannels: Int
    /// Number of int32 dot-product blocks `in` is cut into (1 unless in > 65536).
    public let blocks: Int
}

/// One layer, packed once for the kernels, with its requantization constants and the
/// proof of which widths suffice.
struct PackedLayer: Sendable {
    let out: Int, inF: Int
    /// `in` rounded up to a multiple of 16: the row stride of weights and activations.
    let kPad: Int
    /// int8 weights widened to int16, `out × kPad`, zero padded.
    let weights: [Int16]
    /// `bias − z̃·Σw`: the activations are fed as x̃ = x − 128·[uint8 input] and
    /// z̃ = zx − 128·[uint8 input], so acc = biasAdj + Σ w·x̃ exactly.
    let biasAdj: [Int64]
    /// acc → output, every rounding mode (see `Requantizer`).
    let requantizer: Requantizer
    /// 128 for a uint8 output (it is fed to the next layer as y − 128), 0 for int8.
    let outOffset: Int32
    /// Dot-product blocks over k, each at most 65536 long so int32 partial sums cannot overflow.
    let blocks: [Range<Int>]
    let plan: LayerPlan

    static let blockLength = 65536

    init(_ l: DenseLayer, inputZero: Int32, inputType: ActivationType) throws {
        out = l.outFeatures
        inF = l.inFeatures
        kPad = (inF + 15) / 16 * 16
        var w = [Int16](repeating: 0, count: out * kPad)
        for o in 0..<out {
            for k in 0..<inF { w[o * kPad + k] = Int16(l.weight[o * inF + k]) }
        }
        weights = w
        let zTilde = Int64(inputZero) - (inputType == .uint8 ? 128 : 0)
        var biasAdj = [Int64](), bounds = [Int64]()
        var bound: Int64 = 0
        let tooLarge = ZynqError(key: "layer weights", "the layer is too large to bound its accumulator in 64 bits")
        for o in 0..<out {
            var sum: Int64 = 0, absSum: Int64 = 0
            for k in 0..<inF {
                let v = Int64(l.weight[o * inF + k])
                sum += v
                absSum += abs(v)  // ≤ 128·in: cannot overflow for any array that fits in memory
            }
            // b' = bias − z̃·Σw, and |acc| ≤ |b'| + 128·Σ|w| = A (|x̃| ≤ 128).
            let (zs, o1) = zTilde.multipliedReportingOverflow(by: sum)
            let (b, o2) = Int64(l.bias[o]).subtractingReportingOverflow(zs)
            let (dotBound, o3) = absSum.multipliedReportingOverflow(by: 128)
            let (a, o4) = (b.magnitude <= UInt64(Int64.max) ? abs(b) : Int64.max).addingReportingOverflow(dotBound)
            guard !(o1 || o2 || o3 || o4) else { throw tooLarge }
            bound = max(bound, a)
            bounds.append(a)
            biasAdj.append(b)
        }
        self.biasAdj = biasAdj
        requantizer = Requantizer(l, bounds: bounds)
        outOffset = l.outputType == .uint8 ? 128 : 0
        let k = kPad
        blocks = stride(from: 0, to: k, by: Self.blockLength).map { $0..<min($0 + Self.blockLength, k) }
        plan = LayerPlan(accumulatorBound: bound, wideChannels: requantizer.wide.filter { $0 }.count, blocks: blocks.count)
    }

    /// zy + q clamped to [lo, hi], for acc of channel o.
    @inline(__always)
    func requantize(_ acc: Int64, _ o: Int) -> Int32 { requantizer.requantize(acc, o) }
}

/// The fast, bit-exact simulator of the spec.
///
/// At load time it proves, per layer and output channel, which fixed widths are enough
/// (`plan`): int32 dot products over blocks of at most 65536 inputs, Int64 accumulators,
/// and Int64 products acc·M wherever |acc|·M + 2^(s−1) fits, 128-bit ones elsewhere. The
/// weights are packed once (int16, rows padded to 16), the dot products run in SIMD C
/// kernels, and batches run in parallel on all cores.
public final class Simulator: Sendable {
    public let model: QuantizedModel
    public let kernel: SimKernel
    /// Worker threads for a batch (default: every active core).
    public let threads: Int
    let layers: [PackedLayer]
    /// What was proven about each layer.
    public var plan: [LayerPlan] { layers.map(\.plan) }

    /// Packs `model` (which must pass `validate()`). `kernel` defaults to the fastest here;
    /// an unavailable one is an error. `threads` defaults to the number of active cores.
    public init(model: QuantizedModel, kernel: SimKernel? = nil, threads: Int? = nil) throws {
        try model.validate()
        let k = kernel ?? .best
        guard k.isAvailable else { throw ZynqError(key: "kernel", "the \(k.rawValue) kernel is not available on this machine") }
        guard threads ?? 1 >= 1 else { throw ZynqError(key: "threads", "must be at least 1, got \(threads ?? 0)") }
        self.model = model
        self.kernel = k
        self.threads = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        var packed: [PackedLayer] = []
        var zx = model.input.zero, type = model.input.type
        for l in model.layers {
            packed.append(try PackedLayer(l, inputZero: zx, inputType: type))
            zx = l.outputZero
            type = l.outputType
        }
        layers = packed
    }

    /// Quantizes `images` (see `InputQuantizer`) and runs them.
    public func run(images: NDArray, key: String = "images") throws -> SimResult {
        try run(InputQuantizer(model: model).quantize(images, key: key))
    }

    /// Runs a batch of input codes, in parallel over the batch.
    public func run(_ inputs: InputCodes) throws -> SimResult {
        try check(inputs)
        let n = inputs.count, classes = model.outputCount
        if n == 0 { return SimResult(outputs: [], count: 0, classes: classes) }
        // Chunks of 2…64 images (the AVX2 tile takes images in pairs), about 4 per worker.
        let chunk = min(64, max(2, (n + threads * 4 - 1) / (threads * 4)))
        let chunks = (n + chunk - 1) / chunk
        let workers = min(threads, chunks)
        let outputs = [Int32](unsafeUninitializedCapacity: n * classes) { buffer, initialized in
            let base = UncheckedPointer(buffer.baseAddress!)
            inputs.bytes.withUnsafeBufferPointer { bytes in
                let codes = UncheckedPointer(UnsafeMutablePointer(mutating: bytes.baseAddress!))
                // Each worker takes chunks w, w + workers, …: equal work, no shared counter.
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for c in stride(from: w, to: chunks, by: workers) {
                        let start = c * chunk, count = min(chunk, n - start)
                        process(codes: UnsafePointer(codes.pointer) + start * inputs.width, count: count,
                                out: base.pointer + start * classes, trace: nil)
                    }
                }
            }
            initialized = n * classes
        }
        return SimResult(outputs: outputs, count: n, classes: classes)
    }

    /// Every layer's outputs for image `image` of `inputs` (for debugging).
    public func runLayers(_ inputs: InputCodes, image: Int) throws -> [[Int32]] {
        try check(inputs)
        guard image >= 0, image < inputs.count else {
            throw ZynqError(key: "images", "image \(image) is outside the batch of \(inputs.count)")
        }
        var out = [Int32](repeating: 0, count: model.outputCount)
        var trace: [[Int32]] = []
        inputs.bytes.withUnsafeBufferPointer { bytes in
            out.withUnsafeMutableBufferPointer { o in
                process(codes: bytes.baseAddress! + image * inputs.width, count: 1, out: o.baseAddress!) { trace.append($0) }
            }
        }
        trace.append(out)
        return trace
    }

    private func check(_ inputs: InputCodes) throws {
        guard inputs.type == model.input.type else {
            throw ZynqError(key: "images", "codes are \(inputs.type) but the model's input is \(model.input.type)")
        }
        guard inputs.width == model.inputCount else {
            throw ZynqError(key: "images", "images have \(inputs.width) elements but the model's input.shape "
                + "\(model.input.shape) has \(model.inputCount)")
        }
    }

    /// Runs `count` images through every layer, writing the last layer's outputs to `out`
    /// (`count × classes`). `trace`, if given, receives image 0's outputs of every layer but
    /// the last.
    private func process(codes: UnsafePointer<UInt8>, count n: Int, out: UnsafeMutablePointer<Int32>,
                         trace: (([Int32]) -> Void)?) {
        let maxK = layers.map(\.kPad).max()!, maxOut = layers.map(\.out).max()!
        let actA = UnsafeMutablePointer<Int16>.allocate(capacity: n * maxK)
        let actB = UnsafeMutablePointer<Int16>.allocate(capacity: n * maxK)
        let acc32 = UnsafeMutablePointer<Int32>.allocate(capacity: n * maxOut)
        let multiBlock = layers.contains { $0.blocks.count > 1 }
        let acc64 = UnsafeMutablePointer<Int64>.allocate(capacity: multiBlock ? n * maxOut : 1)
        defer { actA.deallocate(); actB.deallocate(); acc32.deallocate(); acc64.deallocate() }

        // x̃: int8 codes as they are, uint8 codes − 128 (the top bit flipped).
        let width = model.inputCount, k0 = layers[0].kPad
        let flip: UInt8 = model.input.type == .uint8 ? 0x80 : 0
        for i in 0..<n {
            let src = codes + i * width, dst = actA + i * k0
            for k in 0..<width { dst[k] = Int16(Int8(bitPattern: src[k] ^ flip)) }
            for k in width..<k0 { dst[k] = 0 }
        }

        var x = actA, next = actB
        for (index, l) in layers.enumerated() {
            let last = index == layers.count - 1
            l.weights.withUnsafeBufferPointer { w in
                if l.blocks.count == 1 {
                    czk_dot_block(kernel.isa, x, l.kPad, n, w.baseAddress!, l.kPad, l.out, l.kPad, acc32, l.out)
                } else {
                    for j in 0..<(n * l.out) { acc64[j] = 0 }
                    for b in l.blocks {
                        czk_dot_block(kernel.isa, x + b.lowerBound, l.kPad, n, w.baseAddress! + b.lowerBound, l.kPad,
                                      l.out, b.count, acc32, l.out)
                        for j in 0..<(n * l.out) { acc64[j] += Int64(acc32[j]) }
                    }
                }
            }
            let kNext = last ? 0 : layers[index + 1].kPad
            for i in 0..<n {
                for o in 0..<l.out {
                    let j = i * l.out + o
                    let acc = l.biasAdj[o] &+ (l.blocks.count == 1 ? Int64(acc32[j]) : acc64[j])
                    let y = l.requantize(acc, o)
                    if last {
                        out[j] = y
                    } else {
                        next[i * kNext + o] = Int16(truncatingIfNeeded: y &- l.outOffset)
                    }
                }
                if !last { for k in l.out..<kNext { next[i * kNext + k] = 0 } }
            }
            if !last, let trace {
                trace((0..<l.out).map { Int32(next[$0]) + l.outOffset })
            }
            swap(&x, &next)
        }
    }
}

/// A pointer handed to the worker threads, each of which touches only its own part.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
