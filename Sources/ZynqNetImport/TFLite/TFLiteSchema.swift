/// The parts of the TFLite FlatBuffers schema the importer reads: field ids (the order of the
/// fields in each table, a union taking two ids) and enum values, as in
/// `tensorflow/lite/schema/schema.fbs` of tensorflow/tensorflow (schema version 3, file
/// identifier "TFL3"; `OperatorCode.builtin_code` is the 32-bit code added in schema 3a, with
/// the old 8-bit `deprecated_builtin_code` kept; `Buffer.offset`/`size` are schema 3c's data
/// outside the FlatBuffer). Facts only: no code of that file is used.
enum TFLSchema {
    static let fileIdentifier = "TFL3"
    static let version: UInt32 = 3

    enum Model { static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4 }
    enum OperatorCode { static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3 }
    enum SubGraph { static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4 }
    enum Tensor {
        static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, isVariable = 5, sparsity = 6
    }
    enum Quantization {
        static let min = 0, max = 1, scale = 2, zeroPoint = 3, detailsType = 4, details = 5, quantizedDimension = 6
    }
    enum Operator {
        static let opcodeIndex = 0, inputs = 1, outputs = 2, builtinOptionsType = 3, builtinOptions = 4
        static let customOptions = 5
    }
    enum Buffer { static let data = 0, offset = 1, size = 2 }
    enum FullyConnectedOptions {
        static let fusedActivation = 0, weightsFormat = 1, keepNumDims = 2, asymmetricQuantizeInputs = 3
    }
    /// `BuiltinOptions` union member index of `FullyConnectedOptions`.
    static let fullyConnectedOptionsType: UInt8 = 8
    enum Conv2DOptions {
        static let padding = 0, strideW = 1, strideH = 2, fusedActivation = 3, dilationW = 4, dilationH = 5, quantizedBiasType = 6
    }
    /// `BuiltinOptions` union member index of `Conv2DOptions`.
    static let conv2DOptionsType: UInt8 = 1
    enum Pool2DOptions {
        static let padding = 0, strideW = 1, strideH = 2, filterWidth = 3, filterHeight = 4, fusedActivation = 5
    }
    /// `BuiltinOptions` union member index of `Pool2DOptions`.
    static let pool2DOptionsType: UInt8 = 5
    /// `Padding` values.
    enum Padding { static let same: Int8 = 0, valid: Int8 = 1 }

    /// `BuiltinOperator` values.
    enum Op {
        static let dequantize: Int32 = 6, fullyConnected: Int32 = 9, reshape: Int32 = 22, quantize: Int32 = 114
        static let conv2D: Int32 = 3, maxPool2D: Int32 = 17
        static let custom: Int32 = 32
        static let shape: Int32 = 77, stridedSlice: Int32 = 45, pack: Int32 = 83
        static let names: [Int32: String] = [
            0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
            6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU",
            20: "RELU_N1_TO_1", 21: "RELU6", 22: "RESHAPE", 25: "SOFTMAX", 28: "TANH", 32: "CUSTOM", 34: "PAD",
            39: "TRANSPOSE", 40: "MEAN", 41: "SUB", 43: "SQUEEZE", 45: "STRIDED_SLICE", 77: "SHAPE", 83: "PACK", 53: "CAST", 98: "LEAKY_RELU", 114: "QUANTIZE",
            117: "HARD_SWISH", 126: "BATCH_MATMUL",
        ]
        static func name(_ code: Int32) -> String { names[code] ?? "builtin operator \(code)" }
    }

    /// `TensorType` values.
    enum TensorType {
        static let float32: Int8 = 0, int32: Int8 = 2, uint8: Int8 = 3, int64: Int8 = 4, int16: Int8 = 7, int8: Int8 = 9
        static let names = [
            "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8",
            "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16",
        ]
        static func name(_ t: Int8) -> String { t >= 0 && Int(t) < names.count ? names[Int(t)] : "type \(t)" }
    }

    /// `ActivationFunctionType` values.
    enum Activation {
        static let none: Int8 = 0, relu: Int8 = 1, reluN1To1: Int8 = 2, relu6: Int8 = 3
        static let names = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"]
        static func name(_ a: Int8) -> String { a >= 0 && Int(a) < names.count ? names[Int(a)] : "activation \(a)" }
    }
}
