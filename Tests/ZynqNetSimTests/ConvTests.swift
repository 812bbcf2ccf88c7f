import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetSim

/// A random CNN: an [H, W, C] input (each 1…7, C 1…4), one to three conv2d/maxpool2d layers with
/// random kernels, strides 1…3, asymmetric paddings 0…2 and every requantization `randomDense`
/// draws, then (usually) a dense layer on the (h, w, c) flattening, else a conv2d last.
func randomCNN(_ g: inout SplitMix64) -> QuantizedModel {
    let type = ActivationType.random(&g)
    var shape = [Int.random(in: 1...7, using: &g), Int.random(in: 1...7, using: &g), Int.random(in: 1...4, using: &g)]
    let input = InputSpec(shape: shape, type: type, zero: type.randomCode(&g), scale: 0.5)
    var layers: [DenseLayer] = []
    var (zero, current) = (input.zero, type)
    let spatial = Int.random(in: 1...3, using: &g)
    for i in 0..<spatial {
        let canPool = i < spatial - 1 || spatial == 1
        if canPool && Int.random(in: 0..<3, using: &g) == 0 {
            let size = [Int.random(in: 1...shape[0], using: &g), Int.random(in: 1...shape[1], using: &g)]
            let stride = [Int.random(in: 1...3, using: &g), Int.random(in: 1...3, using: &g)]
            let l = DenseLayer.maxpool2d(size: size, stride: stride, inputType: current, inputZero: zero)
            layers.append(l)
            shape = l.outputShape(input: shape)!
            continue
        }
        let padding = (0..<4).map { _ in Int.random(in: 0..<3, using: &g) == 0 ? Int.random(in: 1...2, using: &g) : 0 }
        let kh = Int.random(in: 1...(shape[0] + padding[0] + padding[2]), using: &g)
        let kw = Int.random(in: 1...(shape[1] + padding[1] + padding[3]), using: &g)
        let out = Int.random(in: 1...5, using: &g)
        let geometry = Conv2DGeometry(kernelHeight: kh, kernelWidth: kw, inChannels: shape[2],
                                      stride: [Int.random(in: 1...3, using: &g), Int.random(in: 1...3, using: &g)],
                                      padding: padding)
        var l = randomDense(&g, out: out, inFeatures: kh * kw * shape[2])
        l.kind = .conv2d(geometry)
        layers.append(l)
        shape = l.outputShape(input: shape)!
        (zero, current) = (l.outputZero, l.outputType)
    }
    if case .maxpool2d = layers.last!.kind {
        layers.append(randomDense(&g, out: Int.random(in: 1...6, using: &g), inFeatures: shape.reduce(1, *)))
    } else if Int.random(in: 0..<4, using: &g) != 0 {
        layers.append(randomDense(&g, out: Int.random(in: 1...6, using: &g), inFeatures: shape.reduce(1, *)))
    }
    return QuantizedModel(input: input, layers: layers)
}

@Suite struct ConvReference {
    /// conv2d by hand: input [2, 2, 1] uint8, zx = 3, x − zx = [[1, 2], [3, 4]]; a 2×2 kernel
    /// of ones with padding top 1: Ho = (2 + 1 − 2) / 1 + 1 = 2, Wo = 1. Position (0, 0) covers
    /// the padded row (x = zx: adds 0) and row 0: 1 + 2 = 3; position (1, 0): 1 + 2 + 3 + 4 = 10.
    /// Channel 1 (kernel [[0, 0], [0, -1]], bias 5): 5 − 2 = 3 and 5 − 4 = 1, then M = 3, s = 1
    /// half_up: (9 + 1) >> 1 = 5 and (3 + 1) >> 1 = 2.
    @Test func convWithPaddingByHand() throws {
        let l = DenseLayer.conv2d(out: 2, geometry: Conv2DGeometry(kernelHeight: 2, kernelWidth: 2, inChannels: 1,
                                                                   stride: [1, 1], padding: [1, 0, 0, 0]),
                                  weight: [1, 1, 1, 1, 0, 0, 0, -1], bias: [0, 5], multiplier: [1, 3], shift: [0, 1],
                                  rounding: .halfUp, relu: false, outputZero: 0, outputType: .int8)
        let m = QuantizedModel(input: InputSpec(shape: [2, 2, 1], type: .uint8, zero: 3, scale: 1), layers: [l])
        let ref = try ReferenceSimulator(model: m)
        #expect(ref.runLayers([4, 5, 6, 7]) == [[3, 5, 10, 2]])
    }

    /// Stride 2 skips positions: input [3, 3, 1] int8, zx = 0, 1×1 kernel 2, stride [2, 2]:
    /// the four corners times 2.
    @Test func strideTwoByHand() throws {
        let l = DenseLayer.conv2d(out: 1, geometry: Conv2DGeometry(kernelHeight: 1, kernelWidth: 1, inChannels: 1, stride: [2, 2]),
                                  weight: [2], multiplier: [1], shift: [0], rounding: .floor, relu: false,
                                  outputZero: 0, outputType: .int8)
        let m = QuantizedModel(input: InputSpec(shape: [3, 3, 1], type: .int8, zero: 0, scale: 1), layers: [l])
        #expect(try ReferenceSimulator(model: m).runLayers([1, 2, 3, 4, 5, 6, 7, 8, 9]) == [[2, 6, 14, 18]])
    }

    /// maxpool2d by hand, overlapping windows (size 2, stride 1) over two channels, then a
    /// dense layer that picks element 5 of the (h, w, c) flattening: y[1, 0, 1].
    @Test func maxpoolAndHWCFlatteningByHand() throws {
        // x[h, w, c]: channel 0 = 10·h + w, channel 1 = −(10·h + w).
        var x: [Int32] = []
        for h in 0..<3 { for w in 0..<3 { x += [Int32(10 * h + w), -Int32(10 * h + w)] } }
        let pool = DenseLayer.maxpool2d(size: [2, 2], stride: [1, 1], inputType: .int8, inputZero: 0)
        var pick = [Int8](repeating: 0, count: 8)
        pick[5] = 1
        let dense = DenseLayer(outFeatures: 1, inFeatures: 8, weight: pick, multiplier: [1], shift: [0], rounding: .floor,
                               relu: false, outputZero: 0, outputType: .int8)
        let m = QuantizedModel(input: InputSpec(shape: [3, 3, 2], type: .int8, zero: 0, scale: 1), layers: [pool, dense])
        let outs = try ReferenceSimulator(model: m).runLayers(x)
        // Window maxima: channel 0 its bottom-right 11, 12, 21, 22; channel 1 its top-left −0, −1, −10, −11.
        #expect(outs[0] == [11, 0, 12, -1, 21, -10, 22, -11])
        #expect(outs[1] == [-10])
    }
}

@Suite struct ConvSimulator {
    /// Hundreds of random CNNs (shapes, strides, paddings, every rounding, both signednesses,
    /// extreme zero points): the fast simulator equals the Int128 reference on every kernel this
    /// machine has, every layer's outputs included.
    @Test(arguments: SimKernel.allCases.filter(\.isAvailable))
    func randomCNNsMatchTheReference(_ kernel: SimKernel) throws {
        var g = SplitMix64(seed: 0xC0DE_2D)
        var convs = 0, pools = 0, padded = 0
        for _ in 0..<300 {
            let model = randomCNN(&g)
            try model.validate()
            for l in model.layers {
                switch l.kind {
                case .conv2d(let c): convs += 1; if c.padding.contains(where: { $0 > 0 }) { padded += 1 }
                case .maxpool2d: pools += 1
                case .dense: break
                }
            }
            let inputs = try randomCodes(&g, model: model, count: 3)
            let ref = try ReferenceSimulator(model: model)
            let sim = try Simulator(model: model, kernel: kernel, threads: 2)
            let got = try sim.run(inputs)
            #expect(got.outputs == ref.run(inputs).outputs, "\(model.layers.map(\.kind))")
            let want = ref.runLayers(inputs.image(1))
            #expect(try sim.runLayers(inputs, image: 1) == want)
        }
        #expect(convs > 300 && pools > 50 && padded > 50)
    }

    /// A conv whose patch (2 × 1 × 32769 = 65538 values) needs two int32 blocks: the width proof
    /// splits it as for a dense layer, over two positions, one half in the padding.
    @Test(arguments: SimKernel.allCases.filter(\.isAvailable))
    func convPatchesLongerThanOneBlock(_ kernel: SimKernel) throws {
        var g = SplitMix64(seed: 9)
        let c = 32769
        let geometry = Conv2DGeometry(kernelHeight: 2, kernelWidth: 1, inChannels: c, stride: [1, 1], padding: [0, 0, 1, 0])
        let weight = (0..<(2 * 2 * c)).map { _ in Bool.random(using: &g) ? Int8.min : Int8.max }
        let conv = DenseLayer.conv2d(out: 2, geometry: geometry, weight: weight, bias: [5, -5], multiplier: [3, 1 << 31],
                                     shift: [20, 50], rounding: .halfUp, relu: false, outputZero: 3, outputType: .int8)
        let model = QuantizedModel(input: InputSpec(shape: [2, 1, c], type: .uint8, zero: 200, scale: 1), layers: [conv])
        let sim = try Simulator(model: model, kernel: kernel, threads: 1)
        #expect(sim.plan[0].blocks == 2)
        let inputs = try randomCodes(&g, model: model, count: 3)
        let want = try ReferenceSimulator(model: model).run(inputs).outputs
        #expect(try sim.run(inputs).outputs == want)
        #expect(want.filter { $0 != -128 && $0 != 127 }.count >= 6, "\(want)")  // not just saturation
    }

    /// Many images through a small CNN: the batch split over threads and chunks is exact.
    @Test func aBatchOverThreads() throws {
        var g = SplitMix64(seed: 77)
        let model = randomCNN(&g)
        let inputs = try randomCodes(&g, model: model, count: 150)
        let ref = try ReferenceSimulator(model: model).run(inputs)
        #expect(try Simulator(model: model, threads: 3).run(inputs).outputs == ref.outputs)
    }
}

@Suite struct ImageLayouts {
    let input = InputSpec(shape: [2, 3, 2], type: .uint8, zero: 0, scale: 1)

    /// (N, C, H, W) → (N, H, W, C): element [n, c, h, w] lands at [n, h, w, c].
    @Test func nchwIsTransposed() throws {
        let v = (0..<24).map { Float($0) }  // two images of [C = 2, H = 2, W = 3]
        let a = try ImageLayout.nchw.arranged(NDArray(shape: [2, 2, 2, 3], storage: .float32(v)), for: input)
        #expect(a.shape == [2, 2, 3, 2])
        var want: [Float] = []
        for n in 0..<2 { for h in 0..<2 { for w in 0..<3 { for c in 0..<2 { want.append(Float(((n * 2 + c) * 2 + h) * 3 + w)) } } } }
        #expect(a.storage == .float32(want))
        // One (C, H, W) image, and nhwc leaves the array alone.
        let one = try ImageLayout.nchw.arranged(NDArray(shape: [2, 2, 3], storage: .uint8((0..<12).map { UInt8($0) })), for: input)
        #expect(one.shape == [1, 2, 3, 2] && one.storage == .uint8([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]))
        let same = NDArray(shape: [1, 12], storage: .uint8((0..<12).map { UInt8($0) }))
        #expect(try ImageLayout.nhwc.arranged(same, for: input) == same)
    }

    @Test func nchwErrorsNameTheKeyOrTheOption() {
        #expect(throws: ZynqError(key: "x", "with --layout nchw, images must be (N, C, H, W) = (N, 2, 2, 3), got (4, 2, 3, 2)")) {
            try ImageLayout.nchw.arranged(NDArray(shape: [4, 2, 3, 2], storage: .uint8([UInt8](repeating: 0, count: 48))), for: input, key: "x")
        }
        #expect(throws: ZynqError(key: "--layout", "nchw needs a model whose input.shape is [H, W, C], not [12]")) {
            try ImageLayout.nchw.arranged(NDArray(shape: [1, 12], storage: .uint8([UInt8](repeating: 0, count: 12))),
                                          for: InputSpec(shape: [12], type: .uint8, zero: 0, scale: 1))
        }
    }
}
