import CZynqNetDotKernels
#if hasFeature(Embedded)
import Glibc  // the board build: one thread, no Dispatch or Foundation
#else
import Dispatch
import Foundation
#endif
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The instruction set of the simulator's dot-product kernels.
///
/// `portable`, `sse2`, `avx2` and `neon` multiply int16-widened operands; `avx512vnni`,
/// `avxvnni`, `amx` (x86 `vpdpbusd`/`tdpbusd`: uint8 activations × int8 weights) and
/// `neondot` (aarch64 `sdot`) work on the 8-bit values themselves (see czynqkernels.h).
public enum SimKernel: String, Sendable, CaseIterable {
    case portable, sse2, avx2, avx512vnni, avxvnni, amx, neon, neondot

    var isa: Int32 {
        switch self {
        case .portable: Int32(CZK_PORTABLE)
        case .sse2: Int32(CZK_SSE2)
        case .avx2: Int32(CZK_AVX2)
        case .avx512vnni: Int32(CZK_AVX512VNNI)
        case .avxvnni: Int32(CZK_AVXVNNI)
        case .amx: Int32(CZK_AMX)
        case .neon: Int32(CZK_NEON)
        case .neondot: Int32(CZK_NEONDOT)
        }
    }

    /// Whether this build on this CPU (and OS: enabled register state, AMX permission) can run it.
    public var isAvailable: Bool { czk_isa_available(isa) != 0 }

    /// Whether it works on 8-bit operands (packed weights, byte activations).
    public var isEightBit: Bool { czk_isa_is_8bit(isa) != 0 }

    /// The fastest kernel available here, chosen once per process (`czk_best_isa`): AMX where the
    /// CPU and OS offer it and it passes its self-check (`amxCheck`), else the fastest of the rest.
    public static var best: SimKernel {
        let isa = czk_best_isa()
        return allCases.first { $0.isa == isa } ?? .portable
    }

    /// What the one-time AMX self-check behind `best` found: not run (no AMX here), passed, or
    /// failed with the reason (then `best` is the next kernel, AVX-512 VNNI).
    public enum AMXCheck: Sendable, Equatable {
        case notRun, passed, failed(String)
    }

    public static var amxCheck: AMXCheck {
        switch czk_amx_check_status() {
        case Int32(CZK_AMX_CHECK_PASSED): .passed
        case Int32(CZK_AMX_CHECK_FAILED): .failed(String(cString: czk_amx_check_reason()))
        default: .notRun
        }
    }

    /// Why `best` is not AMX on a machine that has it (the one line `zynqnet infer` reports as
    /// `kernel_note`), else nil.
    public static var bestNote: String? {
        guard case .failed(let reason) = amxCheck else { return nil }
        return "AMX failed its self-check (\(reason)), so \(best.rawValue) was chosen"
    }

    /// The kernels this machine can run.
    public static var available: [SimKernel] { allCases.filter { $0.isAvailable } }

    /// The environment variable that forces a kernel.
    public static let environmentKey = "ZYNQNET_ISA"

    /// The kernel `ZYNQNET_ISA` names, or `best` when it is unset or empty; an unknown or
    /// unavailable name is an error naming the variable and the values it may take.
    public static func fromEnvironment(_ environment: [String: String] = SimKernel.environment()) throws(ZynqError) -> SimKernel {
        guard let value = environment[environmentKey], !value.isEmpty else { return best }
        let here = "available here: " + available.map { $0.rawValue }.joined(separator: ", ")
        guard let kernel = SimKernel(rawValue: value) else {
            throw ZynqError(key: environmentKey, "unknown kernel '\(value)' (valid: \(allCases.map { $0.rawValue }.joined(separator: ", ")); \(here))")
        }
        guard kernel.isAvailable else {
            throw ZynqError(key: environmentKey, "the \(value) kernel is not available on this CPU (\(here))")
        }
        return kernel
    }
}

extension SimKernel {
    /// `$ZYNQNET_ISA` as a one-entry environment (empty when unset).
    public static func environment() -> [String: String] {
        guard let v = getenv(environmentKey) else { return [:] }
        return [environmentKey: String(cString: v)]
    }
}

/// The simulator's parallel loop: every active core on the host, one thread on the board
/// (Embedded Swift has no Dispatch).
enum SimThreads {
    static var activeCores: Int {
        #if hasFeature(Embedded)
        1
        #else
        ProcessInfo.processInfo.activeProcessorCount
        #endif
    }

    static func concurrentPerform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        #if hasFeature(Embedded)
        for i in 0..<iterations { body(i) }
        #else
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
        #endif
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
    /// The largest magnitude a kernel's int32 partial sum can reach in this layer (max over
    /// output channels and blocks of c·Σ|w| over the block, c = 255 for the uint8 × int8
    /// kernels, whose activations are u = x̃ + 128, and 128 for the others, |x̃| ≤ 128);
    /// checked below 2^31 at load, so no kernel step can wrap.
    public let dotBound: Int64
}

/// One layer, packed once for the kernels, with its requantization constants and the
/// proof of which widths suffice.
struct PackedLayer: Sendable {
    let out: Int, inF: Int
    /// `in` rounded up to a multiple of 16: the row stride of weights and activations.
    let kPad: Int
    /// int8 weights widened to int16, `out × kPad`, zero padded (int16 kernels only).
    let weights: [Int16]
    /// For the 8-bit kernels: each block's weights packed by `czk_pack8` and its corrections
    /// 128·Σw, at `packOffsets[b]` and `corrOffsets[b]`; activation rows are `in` bytes.
    let packed8: [Int8]
    let corr8: [Int32]
    let packOffsets: [Int], corrOffsets: [Int]
    let eightBit: Bool
    /// Row stride of this layer's activations: kPad (int16) or in (8-bit).
    let xStride: Int
    /// `bias − z̃·Σw`: the activations are fed as x̃ = x − 128·[uint8 input] and
    /// z̃ = zx − 128·[uint8 input], so acc = biasAdj + Σ w·x̃ exactly.
    let biasAdj: [Int64]
    /// acc → output, every rounding mode (see `Requantizer`).
    let requantizer: Requantizer
    /// 128 for a uint8 output (it is fed to the next layer as y − 128), 0 for int8.
    let outOffset: Int32
    /// Dot-product blocks over k, each at most 65536 long so int32 partial sums cannot overflow.
    let blocks: [Range<Int>]
    let dotBound: Int64
    /// The layer's requantization may run as `czk_requant` (C, no per-element bounds checks):
    /// one block, every channel on the Int64 path, and a rounding mode that C function knows.
    /// Other layers (new rounding modes included) take `requantize` below.
    let fastRequant: Bool
    let plan: LayerPlan
    /// How the layer runs: a GEMM over `positions` rows per image (dense: 1 row; conv2d: the
    /// Ho·Wo image patches gathered by `im2col` into rows laid out as a dense layer's input,
    /// with the weights (out, kh·kw·in) as its matrix), or a max pool.
    let op: Op
    enum Op: Sendable { case dense, conv(Window), pool(Window) }
    /// An [H, W, C] → [Ho, Wo, ·] window walk; `top`/`left` are 0 for pools.
    struct Window: Sendable {
        let h: Int, w: Int, c: Int, ho: Int, wo: Int, kh: Int, kw: Int, sh: Int, sw: Int, top: Int, left: Int
        /// The same window for the C im2col and maxpool (czynqlayout.h).
        var layout: czk_window {
            czk_window(h: h, w: w, c: self.c, ho: ho, wo: wo, kh: kh, kw: kw, sh: sh, sw: sw, top: top, left: left)
        }
    }
    /// GEMM rows per image (Ho·Wo for conv2d, 1 for dense, 0 for pools).
    let positions: Int
    /// Elements of the layer's input and output tensors per image.
    let inElements: Int, outElements: Int
    /// What im2col writes for a padded position: the representation of zx (x̃ = z̃ for the int16
    /// kernels, u = z̃ + 128 for the 8-bit ones), so it adds w·z̃ − w·z̃ = 0 to acc.
    let padValue: Int16

    static let blockLength = 65536

    init(_ l: DenseLayer, inputShape: [Int], inputZero: Int32, inputType: ActivationType, kernel: SimKernel = .portable) throws(ZynqError) {
        let outputShape = l.outputShape(input: inputShape)!
        inElements = inputShape.reduce(1, *)
        outElements = outputShape.reduce(1, *)
        let z = Int16(inputZero) - (inputType == .uint8 ? 128 : 0)
        padValue = kernel.isEightBit ? z + 128 : z
        switch l.kind {
        case .dense:
            op = .dense
            positions = 1
        case .conv2d(let g):
            op = .conv(Window(h: inputShape[0], w: inputShape[1], c: inputShape[2], ho: outputShape[0], wo: outputShape[1],
                              kh: g.kernelHeight, kw: g.kernelWidth, sh: g.stride[0], sw: g.stride[1],
                              top: g.padding[0], left: g.padding[1]))
            positions = outputShape[0] * outputShape[1]
        case .maxpool2d(let g):
            op = .pool(Window(h: inputShape[0], w: inputShape[1], c: inputShape[2], ho: outputShape[0], wo: outputShape[1],
                              kh: g.size[0], kw: g.size[1], sh: g.stride[0], sw: g.stride[1], top: 0, left: 0))
            positions = 0
        }
        out = l.outFeatures
        inF = l.inFeatures
        kPad = (inF + 15) / 16 * 16
        eightBit = kernel.isEightBit
        xStride = eightBit ? inF : kPad
        // Blocks over k of at most 65536: int32 partial sums are then provably exact (dotBound).
        let kLen = eightBit ? inF : kPad
        blocks = stride(from: 0, to: kLen, by: Self.blockLength).map { $0..<min($0 + Self.blockLength, kLen) }
        var dotBound: Int64 = 0
        let scale: Int64 = eightBit && kernel != .neondot ? 255 : 128
        for o in 0..<out {
            for b in blocks {
                var absSum: Int64 = 0
                for k in b where k < inF { absSum += abs(Int64(l.weight[o * inF + k])) }
                dotBound = max(dotBound, scale * absSum)
            }
        }
        // 255·128·65536 = 2 139 095 040 < 2^31: holds for every block of every layer.
        precondition(dotBound < 1 << 31, "a dot-product block exceeds int32")
        if eightBit {
            var packed = [Int8](), corr = [Int32](), packOffsets = [Int](), corrOffsets = [Int]()
            for b in blocks {
                packOffsets.append(packed.count)
                corrOffsets.append(corr.count)
                var p = [Int8](repeating: 0, count: czk_pack8_size(out, b.count))
                var c = [Int32](repeating: 0, count: czk_pack8_corr_count(out))
                let (rows, stride) = (l.outFeatures, l.inFeatures)
                l.weight.withUnsafeBufferPointer { w in
                    czk_pack8(w.baseAddress! + b.lowerBound, stride, rows, b.count, &p, &c)
                }
                packed += p
                corr += c
            }
            packed8 = packed
            corr8 = corr
            self.packOffsets = packOffsets
            self.corrOffsets = corrOffsets
            weights = []
        } else {
            var w = [Int16](repeating: 0, count: out * kPad)
            for o in 0..<out {
                for k in 0..<inF { w[o * kPad + k] = Int16(l.weight[o * inF + k]) }
            }
            weights = w
            packed8 = []
            corr8 = []
            packOffsets = []
            corrOffsets = []
        }
        self.dotBound = dotBound
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
        // floor, half_up and gemmlowp with s ≤ 31 are all `.shift`: floor((acc·M + r) / 2^s).
        fastRequant = blocks.count == 1 && requantizer.mode == .shift && !requantizer.anyWide
        plan = LayerPlan(accumulatorBound: bound, wideChannels: requantizer.wide.filter { $0 }.count, blocks: blocks.count,
                         dotBound: dotBound)
    }

    /// zy + q clamped to [lo, hi], for acc of channel o. (`czk_requant` in CZynqNetDotKernels is the
    /// same for the layers `fastRequant` admits: a change here must change it too.)
    @inline(__always)
    func requantize(_ acc: Int64, _ o: Int) -> Int32 { requantizer.requantize(acc, o) }
}

/// The fast, bit-exact simulator of the spec.
///
/// At load time it proves, per layer and output channel, which fixed widths are enough
/// (`plan`): int32 dot products over blocks of at most 65536 inputs, Int64 accumulators,
/// and Int64 products acc·M wherever |acc|·M + 2^(s−1) fits, 128-bit ones elsewhere. The
/// weights are packed once for the kernel (int16 rows padded to 16, or int8 in groups of 16
/// outputs for the 8-bit kernels, `czk_pack8`), the dot products run in the SIMD C kernel
/// the CPU offers (`SimKernel`, `ZYNQNET_ISA`), and batches run in parallel on all cores.
public final class Simulator: Sendable {
    public let model: QuantizedModel
    public let kernel: SimKernel
    /// The C kernel `kernel` runs on: its own, or for tests a twin of its code (`CZK_AMX_MODEL`).
    let isa: Int32
    /// Worker threads for a batch (default: every active core).
    public let threads: Int
    let layers: [PackedLayer]
    /// Per-image stride of each layer's input buffer (what the layer before writes).
    let inputStrides: [Int]
    /// What was proven about each layer.
    public var plan: [LayerPlan] { layers.map { $0.plan } }

    /// Packs `model` (which must pass `validate()`). `kernel` defaults to the one
    /// `ZYNQNET_ISA` names, else the fastest here; an unavailable one is an error. `threads`
    /// defaults to the number of active cores.
    public convenience init(model: QuantizedModel, kernel: SimKernel? = nil, threads: Int? = nil) throws(ZynqError) {
        var k: SimKernel
        if let kernel { k = kernel } else { k = try SimKernel.fromEnvironment() }
        guard k.isAvailable else { throw ZynqError(key: "kernel", "the \(k.rawValue) kernel is not available on this machine") }
        try self.init(model: model, kernel: k, isa: k.isa, threads: threads)
    }

    /// For tests: `kernel`'s layout and bounds with the dot products of the C kernel `isa`, an
    /// 8-bit one like it (the AMX kernel's code on the tile unit's software model, CZK_AMX_MODEL).
    init(model: QuantizedModel, kernel k: SimKernel, isa: Int32, threads: Int? = nil) throws(ZynqError) {
        try model.validate()
        guard czk_isa_available(isa) != 0, (czk_isa_is_8bit(isa) != 0) == k.isEightBit else {
            throw ZynqError(key: "kernel", "C kernel \(isa) is not available here or does not work like \(k.rawValue)")
        }
        guard threads ?? 1 >= 1 else { throw ZynqError(key: "threads", "must be at least 1, got \(threads ?? 0)") }
        self.model = model
        self.kernel = k
        self.isa = isa
        self.threads = threads ?? max(1, SimThreads.activeCores)
        var packed: [PackedLayer] = []
        var zx = model.input.zero, type = model.input.type
        var shape = model.input.shape
        for l in model.layers {
            packed.append(try PackedLayer(l, inputShape: shape, inputZero: zx, inputType: type, kernel: k))
            zx = l.outputZero
            type = l.outputType
            shape = l.outputShape(input: shape)!
        }
        layers = packed
        // A dense layer reads rows of its xStride; conv2d and maxpool2d read the plain tensor.
        inputStrides = packed.map { if case .dense = $0.op { $0.xStride } else { $0.inElements } }
    }

    /// Quantizes `images` (see `InputQuantizer`) and runs them.
    public func run(images: NDArray, key: String = "images") throws(ZynqError) -> SimResult {
        try run(InputQuantizer(model: model).quantize(images, key: key))
    }

    /// Runs a batch of input codes, in parallel over the batch.
    public func run(_ inputs: InputCodes) throws(ZynqError) -> SimResult {
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
                SimThreads.concurrentPerform(iterations: workers) { w in
                    let scratch = Scratch(self, images: chunk)
                    defer { scratch.deallocate() }
                    for c in stride(from: w, to: chunks, by: workers) {
                        let start = c * chunk, count = min(chunk, n - start)
                        process(codes: UnsafePointer(codes.pointer) + start * inputs.width, count: count,
                                out: base.pointer + start * classes, scratch: scratch, trace: nil)
                    }
                }
            }
            initialized = n * classes
        }
        return SimResult(outputs: outputs, count: n, classes: classes)
    }

    /// Every layer's outputs for image `image` of `inputs` (for debugging).
    public func runLayers(_ inputs: InputCodes, image: Int) throws(ZynqError) -> [[Int32]] {
        try check(inputs)
        guard image >= 0, image < inputs.count else {
            throw ZynqError(key: "images", "image \(image) is outside the batch of \(inputs.count)")
        }
        var out = [Int32](repeating: 0, count: model.outputCount)
        var trace: [[Int32]] = []
        inputs.bytes.withUnsafeBufferPointer { bytes in
            out.withUnsafeMutableBufferPointer { o in
                let scratch = Scratch(self, images: 1)
                defer { scratch.deallocate() }
                process(codes: bytes.baseAddress! + image * inputs.width, count: 1, out: o.baseAddress!, scratch: scratch) {
                    trace.append($0)
                }
            }
        }
        trace.append(out)
        return trace
    }

    private func check(_ inputs: InputCodes) throws(ZynqError) {
        guard inputs.type == model.input.type else {
            throw ZynqError(key: "images", "codes are \(inputs.type) but the model's input is \(model.input.type)")
        }
        guard inputs.width == model.inputCount else {
            throw ZynqError(key: "images", "images have \(inputs.width) elements but the model's input.shape "
                + "\(model.input.shape) has \(model.inputCount)")
        }
    }

    /// One worker's buffers for `process`, for up to `images` images at a time: made once per
    /// run and worker, not per chunk (a chunk's buffers are ~100 KB, and allocating them anew
    /// each time cost page faults on every chunk).
    struct Scratch {
        let actA: UnsafeMutablePointer<Int16>, actB: UnsafeMutablePointer<Int16>
        let act8A: UnsafeMutablePointer<UInt8>, act8B: UnsafeMutablePointer<UInt8>
        let patch: UnsafeMutablePointer<Int16>, patch8: UnsafeMutablePointer<UInt8>
        let acc32: UnsafeMutablePointer<Int32>, acc64: UnsafeMutablePointer<Int64>

        init(_ sim: Simulator, images n: Int) {
            let eightBit = sim.kernel.isEightBit
            // Sizes: activation tensors/rows per image; im2col patches and accumulators per GEMM
            // (a dense layer's n rows, or a conv2d layer's step of images).
            var tensorMax = sim.model.inputCount, patchMax = 1, accMax = 1
            for (i, l) in sim.layers.enumerated() {
                tensorMax = max(tensorMax, sim.inputStrides[i], l.outElements)
                switch l.op {
                case .conv:
                    let images = Simulator.convStep(l, n: n)
                    patchMax = max(patchMax, images * l.positions * l.xStride)
                    accMax = max(accMax, images * l.positions * l.out)
                case .dense: accMax = max(accMax, n * l.out)
                case .pool: break
                }
            }
            // int16 kernels: x̃ in rows of kPad; 8-bit kernels: u = x̃ + 128 in rows of `in` bytes.
            actA = .allocate(capacity: eightBit ? 1 : n * tensorMax)
            actB = .allocate(capacity: eightBit ? 1 : n * tensorMax)
            act8A = .allocate(capacity: eightBit ? n * tensorMax : 1)
            act8B = .allocate(capacity: eightBit ? n * tensorMax : 1)
            patch = .allocate(capacity: eightBit ? 1 : patchMax)
            patch8 = .allocate(capacity: eightBit ? patchMax : 1)
            acc32 = .allocate(capacity: accMax)
            acc64 = .allocate(capacity: sim.layers.contains { $0.blocks.count > 1 } ? accMax : 1)
        }

        func deallocate() {
            actA.deallocate(); actB.deallocate(); act8A.deallocate(); act8B.deallocate()
            patch.deallocate(); patch8.deallocate(); acc32.deallocate(); acc64.deallocate()
        }
    }

    /// Runs `count` images through every layer, writing the last layer's outputs to `out`
    /// (`count × classes`). `trace`, if given, receives image 0's outputs of every layer but
    /// the last.
    private func process(codes: UnsafePointer<UInt8>, count n: Int, out: UnsafeMutablePointer<Int32>,
                         scratch: Scratch, trace: (([Int32]) -> Void)?) {
        let eightBit = kernel.isEightBit
        let actA = scratch.actA, actB = scratch.actB, act8A = scratch.act8A, act8B = scratch.act8B
        let patch = scratch.patch, patch8 = scratch.patch8, acc32 = scratch.acc32, acc64 = scratch.acc64

        // x̃: int8 codes as they are, uint8 codes − 128 (the top bit flipped). The 8-bit kernels
        // take u = x̃ + 128: uint8 codes as they are (read in place), int8 codes top bit flipped.
        let width = model.inputCount, k0 = inputStrides[0]
        let flip: UInt8 = model.input.type == .uint8 ? 0x80 : 0
        var x8 = codes, next8 = act8A
        if eightBit {
            if flip == 0 {
                for j in 0..<(n * width) { act8A[j] = codes[j] ^ 0x80 }
                x8 = UnsafePointer(act8A)
                next8 = act8B
            }
        } else {
            for i in 0..<n {
                let src = codes + i * width, dst = actA + i * k0
                for k in 0..<width { dst[k] = Int16(Int8(bitPattern: src[k] ^ flip)) }
                for k in width..<k0 { dst[k] = 0 }
            }
        }

        var x = actA, next = actB
        for (index, l) in layers.enumerated() {
            let last = index == layers.count - 1
            // Per-image stride of what this layer writes (the next layer's input, or `out`).
            let outStride = last ? l.outElements : inputStrides[index + 1]
            // u = x̃ + 128 = y − outOffset + 128 for the 8-bit kernels.
            let offset8 = 128 &- l.outOffset
            switch l.op {
            case .pool(let g):
                var w = g.layout
                if eightBit {
                    czk_maxpool_u8(x8, next8, n, l.inElements, outStride, &w)
                } else {
                    czk_maxpool_i16(x, next, n, l.inElements, outStride, &w)
                    for i in 0..<n { for k in l.outElements..<outStride { next[i * outStride + k] = 0 } }
                }
            case .dense:
                gemm(l, x: UnsafePointer(x), x8: x8, rows: n, acc32: acc32, acc64: acc64)
                requantize(l, rows: n, acc32: acc32, acc64: acc64, last: last, outStride: outStride,
                           out: out, next: next, next8: next8)
            case .conv(let g):
                // The GEMM's rows are the image patches, gathered and consumed a few images at a
                // time (about 512 rows), so the patches and the int32 sums stay in the core's caches.
                var w = g.layout
                let step = Self.convStep(l, n: n)
                for i0 in stride(from: 0, to: n, by: step) {
                    let m = min(step, n - i0), rows = m * l.positions
                    if eightBit {
                        czk_im2col_u8(x8 + i0 * l.inElements, patch8, m, l.inElements, l.xStride, &w, UInt8(l.padValue))
                    } else {
                        czk_im2col_i16(x + i0 * l.inElements, patch, m, l.inElements, l.xStride, &w, l.padValue)
                    }
                    gemm(l, x: UnsafePointer(patch), x8: UnsafePointer(patch8), rows: rows, acc32: acc32, acc64: acc64)
                    requantize(l, rows: rows, acc32: acc32, acc64: acc64, last: last, outStride: outStride,
                               out: out + i0 * outStride, next: next + i0 * outStride, next8: next8 + i0 * outStride)
                }
            }
            if !last, let trace {
                trace((0..<l.outElements).map { eightBit ? Int32(next8[$0]) - offset8 : Int32(next[$0]) + l.outOffset })
            }
            if eightBit {
                let filled = next8
                next8 = filled == act8A ? act8B : act8A
                x8 = UnsafePointer(filled)
            } else {
                swap(&x, &next)
            }
        }
    }

    /// Images of `n` whose patches a conv2d layer gathers and multiplies at a time: about 512
    /// GEMM rows, whole images, at least one.
    static func convStep(_ l: PackedLayer, n: Int) -> Int { max(1, min(n, 512 / max(1, l.positions))) }

    /// acc (without the bias) of `rows` rows of the layer's input: int32 per block, summed in
    /// Int64 when `in` needs several blocks.
    private func gemm(_ l: PackedLayer, x: UnsafePointer<Int16>, x8: UnsafePointer<UInt8>, rows: Int,
                      acc32: UnsafeMutablePointer<Int32>, acc64: UnsafeMutablePointer<Int64>) {
        if l.eightBit {
            l.packed8.withUnsafeBufferPointer { p in
                l.corr8.withUnsafeBufferPointer { c in
                    if l.blocks.count == 1 {
                        czk_dot8(isa, x8, l.inF, rows, p.baseAddress!, c.baseAddress!, l.out, l.inF, acc32, l.out)
                    } else {
                        for j in 0..<(rows * l.out) { acc64[j] = 0 }
                        for (bi, b) in l.blocks.enumerated() {
                            czk_dot8(isa, x8 + b.lowerBound, l.inF, rows, p.baseAddress! + l.packOffsets[bi],
                                     c.baseAddress! + l.corrOffsets[bi], l.out, b.count, acc32, l.out)
                            for j in 0..<(rows * l.out) { acc64[j] += Int64(acc32[j]) }
                        }
                    }
                }
            }
        } else {
            l.weights.withUnsafeBufferPointer { w in
                if l.blocks.count == 1 {
                    czk_dot_block(isa, x, l.kPad, rows, w.baseAddress!, l.kPad, l.out, l.kPad, acc32, l.out)
                } else {
                    for j in 0..<(rows * l.out) { acc64[j] = 0 }
                    for b in l.blocks {
                        czk_dot_block(isa, x + b.lowerBound, l.kPad, rows, w.baseAddress! + b.lowerBound, l.kPad,
                                      l.out, b.count, acc32, l.out)
                        for j in 0..<(rows * l.out) { acc64[j] += Int64(acc32[j]) }
                    }
                }
            }
        }
    }

    /// Requantizes `rows` accumulator rows (image r / positions, position r % positions) into
    /// `out` (last layer) or the next layer's input buffer, whose images are `outStride` apart;
    /// an int16 row is zero-filled up to its stride.
    private func requantize(_ l: PackedLayer, rows: Int, acc32: UnsafeMutablePointer<Int32>, acc64: UnsafeMutablePointer<Int64>,
                            last: Bool, outStride: Int, out: UnsafeMutablePointer<Int32>,
                            next: UnsafeMutablePointer<Int16>, next8: UnsafeMutablePointer<UInt8>) {
        let eightBit = l.eightBit, offset8 = 128 &- l.outOffset
        let p = l.positions, images = rows / p
        if l.fastRequant {
            let (kind, add): (Int32, Int32) = last ? (Int32(CZK_OUT_I32), 0)
                : eightBit ? (Int32(CZK_OUT_U8), offset8) : (Int32(CZK_OUT_I16), -l.outOffset)
            func dst(_ element: Int) -> UnsafeMutableRawPointer {
                last ? UnsafeMutableRawPointer(out + element)
                    : eightBit ? UnsafeMutableRawPointer(next8 + element) : UnsafeMutableRawPointer(next + element)
            }
            let r = l.requantizer
            if p == 1 {
                // One row per image: the row stride is the image stride (zero-filled up to it).
                czk_requant(isa, acc32, rows, l.out, l.biasAdj, r.multiplier, r.roundAdd, r.shift, r.zero, r.lo, r.hi,
                            kind, dst(0), outStride, add)
            } else {
                for i in 0..<images {
                    czk_requant(isa, acc32 + i * p * l.out, p, l.out, l.biasAdj, r.multiplier, r.roundAdd, r.shift,
                                r.zero, r.lo, r.hi, kind, dst(i * outStride), l.out, add)
                    if !last && !eightBit { for k in l.outElements..<outStride { next[i * outStride + k] = 0 } }
                }
            }
            return
        }
        for i in 0..<images {
            for pos in 0..<p {
                let row = i * p + pos, base = i * outStride + pos * l.out
                for o in 0..<l.out {
                    let j = row * l.out + o
                    let y = l.requantize(l.biasAdj[o] &+ (l.blocks.count == 1 ? Int64(acc32[j]) : acc64[j]), o)
                    if last {
                        out[base + o] = y
                    } else if eightBit {
                        next8[base + o] = UInt8(truncatingIfNeeded: y &+ offset8)
                    } else {
                        next[base + o] = Int16(truncatingIfNeeded: y &- l.outOffset)
                    }
                }
            }
            if !last && !eightBit { for k in l.outElements..<outStride { next[i * outStride + k] = 0 } }
        }
    }
}

/// A pointer handed to the worker threads, each of which touches only its own part.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
