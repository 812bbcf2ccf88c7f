import ZynqNetBase
import ZynqNetModel

/// Which TFLite runtime's FULLY_CONNECTED arithmetic an imported model reproduces
/// (`--tflite-rounding`); see docs/import.md.
public enum TFLiteRounding: String, Sendable, CaseIterable {
    /// TFLite Micro (and TFLite's double-rounding kernels): `gemmlowp`, M and s from
    /// QuantizeMultiplier of the double effective scale.
    case tflm
    /// LiteRT's reference FULLY_CONNECTED (BUILTIN_REF): one rounding, `half_up`, same M and s.
    case reference
    /// LiteRT's default XNNPACK delegate: `float32`, S = s_in · s_w / s_out in float32.
    case xnnpack

    /// The format-2 layer rounding this runtime's arithmetic is.
    public var rounding: Rounding {
        switch self {
        case .tflm: .gemmlowp
        case .reference: .halfUp
        case .xnnpack: .float32
        }
    }

    /// The format-2 rounding of this runtime's CONV_2D: LiteRT's reference CONV_2D rounds twice
    /// (`gemmlowp`, as TFLite Micro does), unlike its reference FULLY_CONNECTED (measured: with
    /// `half_up` convolutions 1,415 of the real CNN's 100,000 outputs differ, with `gemmlowp` none).
    public var convRounding: Rounding { self == .reference ? .gemmlowp : rounding }
}

/// TFLite int8 full-integer models (`.tflite`) into format 2: FULLY_CONNECTED and CONV_2D layers
/// (per-tensor or per-channel int8 weights, fused RELU/RELU6/RELU_N1_TO_1), MAX_POOL_2D, RESHAPE,
/// QUANTIZE at the start and DEQUANTIZE at the end. Anything else is a one-line error naming the operator, its type and why.
public enum TFLiteImporter {
    /// Reads and maps `path`. Errors name `path` and the table/field or operator that is wrong.
    public static func load(path: String, rounding: TFLiteRounding = .tflm) throws -> QuantizedModel {
        try importModel(bytes: FileBytes.read(path: path), file: path, rounding: rounding)
    }

    /// Maps the bytes of a `.tflite` file; `file` names it in errors.
    public static func importModel(bytes: [UInt8], file: String, rounding: TFLiteRounding = .tflm) throws -> QuantizedModel {
        try importWithOrigin(bytes: bytes, file: file, rounding: rounding).model
    }

    /// The model and, per layer, the operator it was made from (`operator 4 (FULLY_CONNECTED)`),
    /// for an import report that names the source of each layer.
    public static func loadWithOrigin(path: String, rounding: TFLiteRounding = .tflm) throws -> (model: QuantizedModel, origin: [String]) {
        try importWithOrigin(bytes: FileBytes.read(path: path), file: path, rounding: rounding)
    }

    static func importWithOrigin(bytes: [UInt8], file: String, rounding: TFLiteRounding) throws -> (model: QuantizedModel, origin: [String]) {
        try TFLGraph(bytes: bytes, file: file).model(rounding: rounding)
    }

    /// TFLite's QuantizeMultiplier of a positive double (tensorflow/lite/kernels/internal/
    /// quantization_util.cc): q = frexp(x) in [0.5, 1), q_fixed = round(q · 2^31) half away from
    /// zero, 2^31 folded into 2^30 with shift + 1; shift < −31 gives 0. Returns (M, shift).
    static func quantizeMultiplier(_ x: Double) -> (multiplier: Int64, shift: Int) {
        guard x > 0, x.isFinite else { return (0, 0) }
        // frexp: x = q · 2^e with q in [0.5, 1); Swift's significand is in [1, 2).
        var shift = Int(x.exponent) + 1
        let q = x.significand / 2
        var fixed = Int64((q * 2147483648.0).rounded(.toNearestOrAwayFromZero))
        if fixed == 1 << 31 { fixed /= 2; shift += 1 }
        if shift < -31 { return (0, 0) }
        return (fixed, shift)
    }

    /// XNNPACK's requantization scale as M / 2^s: S's 24-bit significand with its implicit bit
    /// and s = 150 − biased exponent (149 for a subnormal S).
    static func float32Multiplier(_ scale: Float) -> (multiplier: Int64, shift: Int) {
        let bits = Int64(scale.significandBitPattern)
        let e = Int(scale.exponentBitPattern)
        return e == 0 ? (bits, 149) : ((1 << 23) | bits, 150 - e)
    }
}

/// One tensor of the subgraph, as the importer needs it.
struct TFLTensor {
    let index: Int
    let name: String
    let shape: [Int32]
    let type: Int8
    let buffer: Int
    let scale: [Float]
    let zero: [Int64]
    let quantizedDimension: Int32

    var label: String { "tensor \(index) '\(name)'" }
    var typeName: String { TFLSchema.TensorType.name(type) }
    var elementCount: Int? {
        var n = 1
        for d in shape {
            guard d > 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: Int(d))
            if o { return nil }
            n = p
        }
        return n
    }
}

struct TFLOperator {
    let index: Int
    let code: Int32
    let inputs: [Int32]
    let outputs: [Int32]
    let table: FBTable
    var typeName: String { TFLSchema.Op.name(code) }
}

/// A parsed `.tflite` file: its one subgraph's tensors and operators, and the buffers.
struct TFLGraph {
    let fb: FlatBuffer
    let tensors: [TFLTensor]
    let operators: [TFLOperator]
    let inputs: [Int32]
    let outputs: [Int32]
    let buffers: [FBTable]

    init(bytes: [UInt8], file: String) throws {
        typealias S = TFLSchema
        fb = try FlatBuffer(bytes: bytes, file: file)
        let model = try fb.root("model", identifier: S.fileIdentifier)
        let version = try model.uint32(S.Model.version, "version")
        guard version == S.version else {
            throw fb.error("model.version", "schema version \(version), not \(S.version)")
        }
        // Builtin code: the larger of the 32-bit and the deprecated 8-bit field (schema 3a's rule).
        var codes: [Int32] = []
        for t in try model.tables(S.Model.operatorCodes, "operator_codes") ?? [] {
            let old = Int32(try t.int8(S.OperatorCode.deprecatedBuiltinCode, "deprecated_builtin_code"))
            let new = try t.int32(S.OperatorCode.builtinCode, "builtin_code")
            codes.append(max(old, new))
        }
        buffers = try model.tables(S.Model.buffers, "buffers") ?? []
        let subgraphs = try model.tables(S.Model.subgraphs, "subgraphs") ?? []
        guard subgraphs.count == 1 else {
            throw fb.error("model.subgraphs", "\(subgraphs.count) subgraphs; only a model of one subgraph is supported")
        }
        let g = subgraphs[0]
        var tensors: [TFLTensor] = []
        for (i, t) in (try g.tables(S.SubGraph.tensors, "tensors") ?? []).enumerated() {
            let shape = try t.int32s(S.Tensor.shape, "shape") ?? []
            let type = try t.int8(S.Tensor.type, "type")
            let buffer = Int(try t.uint32(S.Tensor.buffer, "buffer"))
            guard buffer < buffers.count else {
                throw fb.error("\(t.name).buffer", "buffer \(buffer) does not exist (the model has \(buffers.count))")
            }
            let name = try t.string(S.Tensor.name, "name") ?? ""
            var scale: [Float] = [], zero: [Int64] = [], qdim: Int32 = 0
            if let q = try t.table(S.Tensor.quantization, "quantization") {
                scale = try q.float32s(S.Quantization.scale, "scale") ?? []
                zero = try q.int64s(S.Quantization.zeroPoint, "zero_point") ?? []
                qdim = try q.int32(S.Quantization.quantizedDimension, "quantized_dimension")
                let details = try q.union(typeId: S.Quantization.detailsType, valueId: S.Quantization.details, "details")
                if details.type != 0 {
                    throw fb.error("\(q.name).details", "custom quantization details are not supported")
                }
                guard zero.isEmpty || zero.count == scale.count else {
                    throw fb.error("\(q.name).zero_point", "\(zero.count) zero points for \(scale.count) scales")
                }
                for s in scale where !(s.isFinite && s > 0) {
                    throw fb.error("\(q.name).scale", "scales must be finite and > 0, got \(s)")
                }
            }
            tensors.append(TFLTensor(index: i, name: name, shape: shape, type: type, buffer: buffer,
                                     scale: scale, zero: zero, quantizedDimension: qdim))
        }
        self.tensors = tensors
        let buffer = fb, tensorCount = tensors.count
        func checkIndices(_ v: [Int32], _ where_: String, optional: Bool = false) throws {
            for x in v where !(x >= 0 && Int(x) < tensorCount) && !(optional && x == -1) {
                throw buffer.error(where_, "tensor index \(x) does not exist (the subgraph has \(tensorCount))")
            }
        }
        inputs = try g.int32s(S.SubGraph.inputs, "inputs") ?? []
        outputs = try g.int32s(S.SubGraph.outputs, "outputs") ?? []
        try checkIndices(inputs, "\(g.name).inputs")
        try checkIndices(outputs, "\(g.name).outputs")
        var ops: [TFLOperator] = []
        for (i, t) in (try g.tables(S.SubGraph.operators, "operators") ?? []).enumerated() {
            let opcode = Int(try t.uint32(S.Operator.opcodeIndex, "opcode_index"))
            guard opcode < codes.count else {
                throw fb.error("\(t.name).opcode_index", "operator code \(opcode) does not exist (the model has \(codes.count))")
            }
            let ins = try t.int32s(S.Operator.inputs, "inputs") ?? []
            let outs = try t.int32s(S.Operator.outputs, "outputs") ?? []
            try checkIndices(ins, "\(t.name).inputs", optional: true)
            try checkIndices(outs, "\(t.name).outputs")
            ops.append(TFLOperator(index: i, code: codes[opcode], inputs: ins, outputs: outs, table: t))
        }
        operators = ops
    }

    /// The bytes of a tensor's buffer (empty when it has none): the `data` vector, or schema
    /// 3c's `offset`/`size` into the file.
    func data(_ t: TFLTensor) throws -> ArraySlice<UInt8> {
        let b = buffers[t.buffer]
        if let r = try b.byteRange(TFLSchema.Buffer.data, "data"), !r.isEmpty { return fb.bytes[r] }
        let offset = try b.uint64(TFLSchema.Buffer.offset, "offset"), size = try b.uint64(TFLSchema.Buffer.size, "size")
        guard offset > 1 else { return [] }
        guard let o = Int(exactly: offset), let n = Int(exactly: size) else {
            throw fb.error("\(b.name).offset", "offset \(offset) + size \(size) is outside the file (\(fb.bytes.count) bytes)")
        }
        try fb.check(o, n, align: 1, "\(b.name).offset")
        return fb.bytes[o..<(o + n)]
    }

    // MARK: mapping onto format 2

    func model(rounding: TFLiteRounding) throws -> (model: QuantizedModel, origin: [String]) {
        typealias Op = TFLSchema.Op
        typealias TT = TFLSchema.TensorType
        func fail(_ op: TFLOperator, _ reason: String) -> ZynqError {
            fb.error("operator \(op.index) (\(op.typeName))", reason)
        }
        guard inputs.count == 1 else { throw fb.error("model.subgraphs[0].inputs", "\(inputs.count) inputs; only one is supported") }
        guard outputs.count == 1 else { throw fb.error("model.subgraphs[0].outputs", "\(outputs.count) outputs; only one is supported") }
        let graphInput = tensors[Int(inputs[0])]
        guard let inputCount = graphInput.elementCount else {
            throw fb.error("\(graphInput.label).shape", "shape \(graphInput.shape) has a dimension below 1")
        }
        // The logical input shape: the tensor's, without a leading batch dimension of 1.
        let inputShape = graphInput.shape.count >= 2 && graphInput.shape[0] == 1
            ? graphInput.shape.dropFirst().map { Int($0) } : graphInput.shape.map { Int($0) }

        /// The one (scale, zero) of an activation tensor, which must have the given type.
        func activation(_ t: TFLTensor, _ type: Int8, _ op: TFLOperator, _ role: String) throws -> (Float, Int32) {
            guard t.type == type else {
                throw fail(op, "\(role) \(t.label) is \(t.typeName), not \(TT.name(type))")
            }
            guard t.scale.count == 1, t.zero.count == 1 else {
                throw fail(op, "\(role) \(t.label) must have one scale and one zero point (per-tensor quantization), "
                    + "has \(t.scale.count) and \(t.zero.count)")
            }
            let range: ClosedRange<Int64> = type == TT.uint8 ? 0...255 : -128...127
            guard range.contains(t.zero[0]) else { throw fail(op, "\(role) \(t.label) has zero point \(t.zero[0]) outside \(range)") }
            return (t.scale[0], Int32(t.zero[0]))
        }

        var input: InputSpec? = nil
        if graphInput.type == TT.int8, graphInput.scale.count == 1, graphInput.zero.count == 1, (-128...127).contains(graphInput.zero[0]) {
            input = InputSpec(shape: inputShape, type: .int8, zero: Int32(graphInput.zero[0]), scale: graphInput.scale[0], rounding: .halfAway)
        }
        var current = inputs[0]
        var layers: [DenseLayer] = []
        var origin: [String] = []
        var dequantized = false
        let shapeOps = try shapeComputation()
        for op in operators where !shapeOps.contains(op.index) {
            if dequantized { throw fail(op, "follows DEQUANTIZE (float layers after the int8 ones are not supported)") }
            guard let first = op.inputs.first, first == current, op.outputs.count == 1 else {
                throw fail(op, "does not take the previous operator's output as its first input and give one output "
                    + "(only a chain of operators is supported)")
            }
            let inT = tensors[Int(first)], outT = tensors[Int(op.outputs[0])]
            switch op.code {
            case Op.quantize:
                guard input == nil, layers.isEmpty, current == inputs[0] else {
                    throw fail(op, "QUANTIZE is supported only as the first operator, on the model's input")
                }
                let (scale, zero) = try activation(outT, TT.int8, op, "output")
                if inT.type == TT.float32 {
                    input = InputSpec(shape: inputShape, type: .int8, zero: zero, scale: scale, rounding: .halfAway)
                } else if inT.type == TT.uint8 {
                    let (inScale, inZero) = try activation(inT, TT.uint8, op, "input")
                    guard inScale == scale, inZero - 128 == zero else {
                        throw fail(op, "uint8 → int8 requantization with scale \(inScale) → \(scale) and zero point \(inZero) → \(zero); "
                            + "only the same scale with the zero point lowered by 128 (pixel − 128) is supported")
                    }
                    input = InputSpec(shape: inputShape, type: .uint8, zero: inZero, scale: inScale, rounding: .halfAway)
                } else {
                    throw fail(op, "input \(inT.label) is \(inT.typeName); QUANTIZE must take FLOAT32 or UINT8")
                }
            case Op.reshape:
                guard input != nil else { throw fail(op, "RESHAPE of a \(inT.typeName) input (the model must be int8 from its input on)") }
                let (si, zi) = try activation(inT, TT.int8, op, "input")
                let (so, zo) = try activation(outT, TT.int8, op, "output")
                guard si == so, zi == zo else { throw fail(op, "changes the quantization (scale \(si) → \(so), zero point \(zi) → \(zo))") }
                guard let a = inT.elementCount, let b = outT.elementCount, a == b else {
                    throw fail(op, "changes the element count (\(inT.shape) → \(outT.shape))")
                }
                guard outT.shape.count <= 2 || outT.shape == inT.shape else {
                    throw fail(op, "reshapes \(inT.shape) to \(outT.shape); only a flatten (to [1, n]) is supported")
                }
            case Op.fullyConnected:
                layers.append(try fullyConnected(op, inT, outT, input: input, rounding: rounding, fail: fail))
                origin.append("operator \(op.index) (\(op.typeName))")
            case Op.conv2D:
                layers.append(try conv2D(op, inT, outT, input: input, rounding: rounding, fail: fail))
                origin.append("operator \(op.index) (\(op.typeName))")
            case Op.maxPool2D:
                layers.append(try maxPool2D(op, inT, outT, input: input, fail: fail))
                origin.append("operator \(op.index) (\(op.typeName))")
            case Op.dequantize:
                guard !layers.isEmpty else { throw fail(op, "DEQUANTIZE is supported only at the end, after the last layer") }
                _ = try activation(inT, TT.int8, op, "input")
                guard outT.type == TT.float32 else { throw fail(op, "output \(outT.label) is \(outT.typeName), not FLOAT32") }
                dequantized = true
            default:
                throw fail(op, "not supported (only FULLY_CONNECTED, CONV_2D, MAX_POOL_2D, RESHAPE, QUANTIZE at the start and DEQUANTIZE at the end)")
            }
            current = op.outputs[0]
        }
        guard !layers.isEmpty else { throw fb.error("model.subgraphs[0].operators", "no FULLY_CONNECTED or CONV_2D operator: nothing to import") }
        guard current == outputs[0] else {
            throw fb.error("model.subgraphs[0].outputs", "the model's output is tensor \(outputs[0]), not the last operator's output (tensor \(current))")
        }
        guard let spec = input else { throw fb.error("model.subgraphs[0].inputs", "input is not int8 quantized") }
        let m = QuantizedModel(input: spec, layers: layers)
        guard spec.shape.reduce(1, *) == inputCount else { throw fb.error("model.subgraphs[0].inputs", "input shape mismatch") }
        do throws(ZynqError) { try m.validate() } catch { throw error.inFile(fb.file) }
        return (m, origin)
    }

    /// The operators that only compute a RESHAPE's target shape, as Keras's Flatten emits them
    /// (SHAPE → STRIDED_SLICE → PACK → RESHAPE's second input): SHAPE, STRIDED_SLICE and PACK
    /// with INT32 outputs read by nothing but each other and RESHAPE's shape input. They are
    /// skipped: the RESHAPE's output tensor has the static shape they compute for batch 1.
    func shapeComputation() throws -> Set<Int> {
        typealias Op = TFLSchema.Op
        var ops = Set<Int>()
        var produced = Set<Int32>()
        for op in operators where [Op.shape, Op.stridedSlice, Op.pack].contains(op.code)
            && op.outputs.allSatisfy({ tensors[Int($0)].type == TFLSchema.TensorType.int32 }) {
            ops.insert(op.index)
            produced.formUnion(op.outputs)
        }
        for op in operators where !ops.contains(op.index) {
            for (k, t) in op.inputs.enumerated() where produced.contains(t) && !(op.code == Op.reshape && k == 1) {
                throw fb.error("operator \(op.index) (\(op.typeName))",
                               "reads tensor \(t), a shape computed by SHAPE/STRIDED_SLICE/PACK; only RESHAPE's shape input may")
            }
        }
        if let t = outputs.first(where: { produced.contains($0) }) {
            throw fb.error("model.subgraphs[0].outputs", "tensor \(t) is a shape computation, not the model's output")
        }
        return ops
    }

    typealias Fail = (TFLOperator, String) -> ZynqError

    private func fullyConnected(_ op: TFLOperator, _ inT: TFLTensor, _ outT: TFLTensor, input: InputSpec?,
                                rounding: TFLiteRounding, fail: Fail) throws -> DenseLayer {
        typealias FC = TFLSchema.FullyConnectedOptions
        let (w, sIn) = try weightsAndInputScale(op, inT, input: input, "FULLY_CONNECTED takes input, weights and an optional bias", fail)
        guard w.shape.count == 2, w.shape[0] >= 1, w.shape[1] >= 1 else {
            throw fail(op, "weights \(w.label) have shape \(w.shape), not [out, in]")
        }
        let out = Int(w.shape[0]), inCount = Int(w.shape[1])
        let weight = try int8Weights(op, w, out: out, count: out * inCount, what: "out·in = \(out)·\(inCount)", fail)
        guard let n = inT.elementCount, n == inCount else {
            throw fail(op, "input \(inT.label) of shape \(inT.shape) does not hold in = \(inCount) values (batch 1)")
        }
        let bias = try int32Bias(op, out: out, fail)
        let (sOut, zy) = try int8Output(op, outT, fail)

        // Options: fused activation; weights in the default layout.
        var activationType: Int8 = 0
        var keepNumDims = false
        let options = try op.table.union(typeId: TFLSchema.Operator.builtinOptionsType, valueId: TFLSchema.Operator.builtinOptions, "builtin_options")
        if let t = options.table {
            guard options.type == TFLSchema.fullyConnectedOptionsType else {
                throw fail(op, "builtin_options of type \(options.type), not FullyConnectedOptions")
            }
            activationType = try t.int8(FC.fusedActivation, "fused_activation_function")
            let format = try t.int8(FC.weightsFormat, "weights_format")
            guard format == 0 else { throw fail(op, "weights_format \(format) (shuffled weights) is not supported") }
            keepNumDims = try t.bool(FC.keepNumDims, "keep_num_dims")
        }
        // The output shape TFLite's FULLY_CONNECTED computes (fully_connected.cc, Prepare): [batch, out]
        // with batch = 1 here, or with keep_num_dims the input's shape with its last dimension
        // (which must then be in) made out.
        if keepNumDims, inT.shape.last != Int32(inCount) {
            throw fail(op, "keep_num_dims with input \(inT.label) of shape \(inT.shape), whose last dimension is not in = \(inCount)")
        }
        let expected = keepNumDims ? Array(inT.shape.dropLast()) + [Int32(out)] : [1, Int32(out)]
        guard outT.shape == expected else { throw fail(op, "output \(outT.label) has shape \(outT.shape), not \(expected)") }
        let (relu, clamp) = try fusedActivation(activationType, scale: sOut, zero: zy, op, fail)
        let (multiplier, shift) = try requantization(op, w, sIn: sIn, sOut: sOut, rounding: rounding, fail)
        return DenseLayer(outFeatures: out, inFeatures: inCount, weight: weight, bias: bias,
                          multiplier: multiplier, shift: shift, rounding: rounding.rounding, relu: relu, clamp: clamp,
                          outputZero: zy, outputType: .int8)
    }

    /// CONV_2D: int8 OHWI weights `[out, kh, kw, in]` (TFLite's layout is format 2's), per-tensor or
    /// per-channel, padding SAME (zero-point padding, the extra row/column at the bottom/right) or
    /// VALID, strides, dilation 1, fused NONE/RELU/RELU6/RELU_N1_TO_1.
    private func conv2D(_ op: TFLOperator, _ inT: TFLTensor, _ outT: TFLTensor, input: InputSpec?,
                        rounding: TFLiteRounding, fail: Fail) throws -> DenseLayer {
        typealias CO = TFLSchema.Conv2DOptions
        let (w, sIn) = try weightsAndInputScale(op, inT, input: input, "CONV_2D takes input, filter and an optional bias", fail)
        let (h, wi, c) = try image(op, inT, "input", fail)
        guard w.shape.count == 4, w.shape.allSatisfy({ $0 >= 1 }) else {
            throw fail(op, "filter \(w.label) has shape \(w.shape), not [out, kh, kw, in]")
        }
        let (out, kh, kw) = (Int(w.shape[0]), Int(w.shape[1]), Int(w.shape[2]))
        guard Int(w.shape[3]) == c else { throw fail(op, "filter \(w.label) takes \(w.shape[3]) channels, the input \(inT.label) has \(c)") }
        // The shape's product may not fit an Int (four dimensions of up to 2^31 − 1 each).
        guard let count = w.elementCount else { throw fail(op, "filter \(w.label) has shape \(w.shape), more elements than an Int holds") }
        let weight = try int8Weights(op, w, out: out, count: count, what: "out·kh·kw·in", fail)
        let bias = try int32Bias(op, out: out, fail)
        let (sOut, zy) = try int8Output(op, outT, fail)
        let options = try op.table.union(typeId: TFLSchema.Operator.builtinOptionsType, valueId: TFLSchema.Operator.builtinOptions, "builtin_options")
        guard let t = options.table, options.type == TFLSchema.conv2DOptionsType else {
            throw fail(op, "builtin_options are not Conv2DOptions (type \(options.type))")
        }
        let dilation = [try t.int32(CO.dilationH, "dilation_h_factor", default: 1), try t.int32(CO.dilationW, "dilation_w_factor", default: 1)]
        guard dilation == [1, 1] else { throw fail(op, "dilation \(dilation) is not supported (1 only)") }
        let (stride, padding) = try window(op, t, padding: CO.padding, strideH: CO.strideH, strideW: CO.strideW,
                                           input: [h, wi], kernel: [kh, kw], fail)
        let (relu, clamp) = try fusedActivation(try t.int8(CO.fusedActivation, "fused_activation_function"), scale: sOut, zero: zy, op, fail)
        let g = Conv2DGeometry(kernelHeight: kh, kernelWidth: kw, inChannels: c, stride: stride, padding: padding)
        let ho = (h + padding[0] + padding[2] - kh) / stride[0] + 1, wo = (wi + padding[1] + padding[3] - kw) / stride[1] + 1
        guard h + padding[0] + padding[2] >= kh, wi + padding[1] + padding[3] >= kw, outT.shape.map({ Int($0) }) == [1, ho, wo, out] else {
            throw fail(op, "output \(outT.label) has shape \(outT.shape), not [1, \(ho), \(wo), \(out)]")
        }
        // An input of up to (2^31 − 1)² pixels gives an output whose product may not fit an Int.
        guard outT.elementCount != nil else {
            throw fail(op, "output \(outT.label) has shape \(outT.shape), more elements than an Int holds")
        }
        let (multiplier, shift) = try requantization(op, w, sIn: sIn, sOut: sOut, rounding: rounding, fail)
        return .conv2d(out: out, geometry: g, weight: weight, bias: bias, multiplier: multiplier, shift: shift,
                       rounding: rounding.convRounding, relu: relu, clamp: clamp, outputZero: zy, outputType: .int8)
    }

    /// MAX_POOL_2D: an int8 window whose input and output share scale and zero point, without
    /// padding (SAME only where it pads nothing) and without a fused activation.
    private func maxPool2D(_ op: TFLOperator, _ inT: TFLTensor, _ outT: TFLTensor, input: InputSpec?, fail: Fail) throws -> DenseLayer {
        typealias PO = TFLSchema.Pool2DOptions
        guard input != nil, inT.type == TFLSchema.TensorType.int8, outT.type == TFLSchema.TensorType.int8 else {
            throw fail(op, "input \(inT.label) and output \(outT.label) must be INT8 (\(inT.typeName), \(outT.typeName))")
        }
        let (sIn, zIn) = try inputActivation(inT, op, fail)
        let (sOut, zOut) = try int8Output(op, outT, fail)
        guard sIn == sOut, zIn == zOut else {
            throw fail(op, "changes the quantization (scale \(sIn) → \(sOut), zero point \(zIn) → \(zOut))")
        }
        let (h, wi, c) = try image(op, inT, "input", fail)
        let options = try op.table.union(typeId: TFLSchema.Operator.builtinOptionsType, valueId: TFLSchema.Operator.builtinOptions, "builtin_options")
        guard let t = options.table, options.type == TFLSchema.pool2DOptionsType else {
            throw fail(op, "builtin_options are not Pool2DOptions (type \(options.type))")
        }
        let size = [Int(try t.int32(PO.filterHeight, "filter_height")), Int(try t.int32(PO.filterWidth, "filter_width"))]
        guard size.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else { throw fail(op, "filter size \(size) must be ≥ 1") }
        let activation = try t.int8(PO.fusedActivation, "fused_activation_function")
        guard activation == TFLSchema.Activation.none else {
            throw fail(op, "fused activation \(TFLSchema.Activation.name(activation)) on a pool is not supported (NONE only)")
        }
        let (stride, padding) = try window(op, t, padding: PO.padding, strideH: PO.strideH, strideW: PO.strideW, input: [h, wi], kernel: size, fail)
        guard padding == [0, 0, 0, 0] else {
            throw fail(op, "SAME padding \(padding) is not representable: format 2's maxpool2d has no padding")
        }
        guard h >= size[0], wi >= size[1], outT.shape.map({ Int($0) }) == [1, (h - size[0]) / stride[0] + 1, (wi - size[1]) / stride[1] + 1, c] else {
            throw fail(op, "output \(outT.label) has shape \(outT.shape), which the window \(size) with strides \(stride) does not give")
        }
        return .maxpool2d(size: size, stride: stride, inputType: .int8, inputZero: zIn)
    }

    /// `[1, H, W, C]` of an image tensor.
    private func image(_ op: TFLOperator, _ t: TFLTensor, _ role: String, _ fail: Fail) throws -> (Int, Int, Int) {
        guard t.shape.count == 4, t.shape[0] == 1, t.shape.allSatisfy({ $0 >= 1 }) else {
            throw fail(op, "\(role) \(t.label) has shape \(t.shape), not [1, H, W, C] (batch 1)")
        }
        return (Int(t.shape[1]), Int(t.shape[2]), Int(t.shape[3]))
    }

    /// Strides `[sh, sw]` and padding `[top, left, bottom, right]` of a Conv2DOptions/Pool2DOptions:
    /// TFLite's ComputePaddingHeightWidth (SAME: out = ceil(in / stride), total = (out − 1)·stride + k − in,
    /// top = floor(total / 2), the rest at the bottom; VALID: none).
    private func window(_ op: TFLOperator, _ t: FBTable, padding paddingId: Int, strideH: Int, strideW: Int,
                        input: [Int], kernel: [Int], _ fail: Fail) throws -> ([Int], [Int]) {
        let stride = [Int(try t.int32(strideH, "stride_h")), Int(try t.int32(strideW, "stride_w"))]
        guard stride.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else { throw fail(op, "strides \(stride) must be ≥ 1") }
        let mode = try t.int8(paddingId, "padding")
        switch mode {
        case TFLSchema.Padding.valid:
            return (stride, [0, 0, 0, 0])
        case TFLSchema.Padding.same:
            var pad = [0, 0, 0, 0]
            for d in 0..<2 {
                let out = (input[d] + stride[d] - 1) / stride[d]
                let total = max(0, (out - 1) * stride[d] + kernel[d] - input[d])
                pad[d] = total / 2
                pad[d + 2] = total - total / 2
            }
            return (stride, pad)
        default:
            throw fail(op, "padding \(mode) is neither SAME (0) nor VALID (1)")
        }
    }

    /// The weights tensor (second input) and the input scale of an int8 × int8 layer taking
    /// input, weights and an optional bias (`takes` says so in errors); the reason it is not one,
    /// in TFLite's own terms.
    private func weightsAndInputScale(_ op: TFLOperator, _ inT: TFLTensor, input: InputSpec?, _ takes: String,
                                      _ fail: Fail) throws -> (TFLTensor, Float) {
        typealias TT = TFLSchema.TensorType
        guard op.inputs.count == 2 || op.inputs.count == 3, op.inputs[1] >= 0 else {
            throw fail(op, "has \(op.inputs.count) inputs; \(takes)")
        }
        let w = tensors[Int(op.inputs[1])]
        if inT.type == TT.float32 {
            throw fail(op, w.type == TT.float32 ? "float layer (FLOAT32 input and weights): the model is not fully integer-quantized"
                : "hybrid (dynamic range) quantization: FLOAT32 input with \(w.typeName) weights; convert with full-integer quantization")
        }
        if inT.type == TT.int16 { throw fail(op, "16-bit activations (int16x8 quantization) are not supported; use int8") }
        guard inT.type == TT.int8, input != nil else {
            throw fail(op, "input \(inT.label) is \(inT.typeName); only INT8 activations are supported")
        }
        return (w, try inputActivation(inT, op, fail).0)
    }

    /// Constant int8 weights of `count` bytes, `out` channels: per-tensor or per-channel along
    /// dimension 0, zero point 0.
    private func int8Weights(_ op: TFLOperator, _ w: TFLTensor, out: Int, count: Int, what: String, _ fail: Fail) throws -> [Int8] {
        guard w.type == TFLSchema.TensorType.int8 else { throw fail(op, "weights \(w.label) are \(w.typeName), not INT8") }
        let wData = try data(w)
        guard wData.count == count else {
            throw fail(op, "weights \(w.label) hold \(wData.count) bytes, not \(what) = \(count) (weights must be constant)")
        }
        guard w.scale.count == 1 || w.scale.count == out else {
            throw fail(op, "weights \(w.label) have \(w.scale.count) scales; per-tensor (1) or per-channel (\(out)) quantization is supported")
        }
        if w.scale.count > 1, w.quantizedDimension != 0 {
            throw fail(op, "weights \(w.label) are quantized along dimension \(w.quantizedDimension), not 0 (the output channels)")
        }
        if let z = w.zero.first(where: { $0 != 0 }) {
            throw fail(op, "weights \(w.label) have zero point \(z); only symmetric weights (zero point 0) are supported")
        }
        return wData.map { Int8(bitPattern: $0) }
    }

    /// The optional constant int32 bias (third input) of `out` values.
    private func int32Bias(_ op: TFLOperator, out: Int, _ fail: Fail) throws -> [Int32]? {
        guard op.inputs.count == 3, op.inputs[2] >= 0 else { return nil }
        let b = tensors[Int(op.inputs[2])]
        guard b.type == TFLSchema.TensorType.int32 else {
            throw fail(op, "bias \(b.label) is \(b.typeName), not INT32" + (b.type == TFLSchema.TensorType.int64 ? " (64-bit bias: 16-bit activations)" : ""))
        }
        let d = try data(b)
        guard d.count == 4 * out else { throw fail(op, "bias \(b.label) holds \(d.count) bytes, not 4·out = \(4 * out) (bias must be constant)") }
        var v = [Int32](repeating: 0, count: out)
        let base = d.startIndex
        for i in 0..<out {
            let p = base + 4 * i
            v[i] = Int32(bitPattern: UInt32(d[p]) | UInt32(d[p + 1]) << 8 | UInt32(d[p + 2]) << 16 | UInt32(d[p + 3]) << 24)
        }
        return v
    }

    /// The one scale and int8 zero point of a layer's output.
    private func int8Output(_ op: TFLOperator, _ outT: TFLTensor, _ fail: Fail) throws -> (Float, Int32) {
        guard outT.type == TFLSchema.TensorType.int8 else {
            throw fail(op, outT.type == TFLSchema.TensorType.int16 ? "16-bit activations (int16x8 quantization) are not supported; use int8"
                : "output \(outT.label) is \(outT.typeName), not INT8")
        }
        guard outT.scale.count == 1, outT.zero.count == 1, (-128...127).contains(outT.zero[0]) else {
            throw fail(op, "output \(outT.label) must have one scale and one int8 zero point")
        }
        return (outT.scale[0], Int32(outT.zero[0]))
    }

    /// A fused activation as format 2's relu/clamp: TFLite's CalculateActivationRangeQuantized,
    /// zy + round(x / scale) in float, half away from zero.
    private func fusedActivation(_ type: Int8, scale sOut: Float, zero zy: Int32, _ op: TFLOperator, _ fail: Fail) throws -> (Bool, ClosedRange<Int64>?) {
        func q(_ x: Float) -> Int64 {
            let v = (x / sOut).rounded(.toNearestOrAwayFromZero)
            return Int64(zy) + (v.magnitude < 1e10 ? Int64(v) : (v < 0 ? -(1 << 40) : 1 << 40))
        }
        switch type {
        case TFLSchema.Activation.none: return (false, nil)
        case TFLSchema.Activation.relu: return (true, nil)
        case TFLSchema.Activation.relu6: return (false, max(-128, Int64(zy))...min(127, q(6)))
        case TFLSchema.Activation.reluN1To1: return (false, max(-128, q(-1))...min(127, q(1)))
        default:
            throw fail(op, "fused activation \(TFLSchema.Activation.name(type)) is not supported (NONE, RELU, RELU6, RELU_N1_TO_1 are)")
        }
    }

    /// M and s per weight scale for the runtime `rounding` reproduces (docs/import.md).
    private func requantization(_ op: TFLOperator, _ w: TFLTensor, sIn: Float, sOut: Float, rounding: TFLiteRounding,
                                _ fail: Fail) throws -> ([UInt32], [UInt8]) {
        var multiplier: [UInt32] = [], shift: [UInt8] = []
        for sw in w.scale {
            let (m, s): (Int64, Int)
            switch rounding {
            case .tflm, .reference:
                let real = Double(sIn) * Double(sw) / Double(sOut)
                let (fixed, tfliteShift) = TFLiteImporter.quantizeMultiplier(real)
                guard fixed > 0 else { throw fail(op, "effective scale s_in·s_w/s_out = \(real) is too small (QuantizeMultiplier gives 0)") }
                (m, s) = (fixed, 31 - tfliteShift)
                if rounding == .reference, s < 1 {
                    throw fail(op, "effective scale \(real) needs shift \(tfliteShift) > 30, which LiteRT's reference kernel does not allow")
                }
            case .xnnpack:
                let scale: Float = sIn * sw / sOut
                guard scale.isFinite, scale > 0, scale < 256 else {
                    throw fail(op, "requantization scale s_in·s_w/s_out = \(scale) is outside (0, 256), which XNNPACK refuses")
                }
                (m, s) = TFLiteImporter.float32Multiplier(scale)
            }
            guard (0...63).contains(s), m >= 1, m < 1 << 32 else {
                throw fail(op, "scale of weights \(w.label) needs M = \(m), s = \(s), outside 1 ≤ M < 2^32, 0 ≤ s ≤ 63")
            }
            multiplier.append(UInt32(m))
            shift.append(UInt8(s))
        }
        return (multiplier, shift)
    }

    private func inputActivation(_ t: TFLTensor, _ op: TFLOperator, _ fail: Fail) throws -> (Float, Int32) {
        guard t.scale.count == 1, t.zero.count == 1, (-128...127).contains(t.zero[0]) else {
            throw fail(op, "input \(t.label) must have one scale and one int8 zero point")
        }
        return (t.scale[0], Int32(t.zero[0]))
    }
}
