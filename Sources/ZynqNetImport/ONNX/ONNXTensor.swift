import Foundation
import ZynqNetBase
import ZynqNetModel

/// One ONNX `TensorProto`, decoded strictly: its element type, shape and values
/// (integers widened to `Int64`, floats kept as `Float`). Every size is checked before
/// it is used, so no tensor, however malformed, makes the importer trap.
struct ONNXTensor: Equatable {
    /// ONNX `TensorProto.DataType` numbers the importer reads.
    enum ElementType: Int32 {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7

        var name: String {
            switch self {
            case .float: return "float"
            case .uint8: return "uint8"
            case .int8: return "int8"
            case .uint16: return "uint16"
            case .int16: return "int16"
            case .int32: return "int32"
            case .int64: return "int64"
            }
        }
        var byteWidth: Int {
            switch self {
            case .uint8, .int8: return 1
            case .uint16, .int16: return 2
            case .float, .int32: return 4
            case .int64: return 8
            }
        }
        /// The integer range of the type (floats: none).
        var range: ClosedRange<Int64>? {
            switch self {
            case .float: return nil
            case .uint8: return 0...255
            case .int8: return -128...127
            case .uint16: return 0...65535
            case .int16: return -32768...32767
            case .int32: return Int64(Int32.min)...Int64(Int32.max)
            case .int64: return Int64.min...Int64.max
            }
        }
    }

    /// Names an ONNX data type number in errors ("float16", "data type 42").
    static func typeName(_ raw: Int32) -> String {
        if let t = ElementType(rawValue: raw) { return t.name }
        let others: [Int32: String] = [0: "undefined", 8: "string", 9: "bool", 10: "float16", 11: "double",
                                       12: "uint32", 13: "uint64", 16: "bfloat16", 17: "float8e4m3fn",
                                       19: "float8e5m2", 21: "uint4", 22: "int4"]
        return others[raw] ?? "data type \(raw)"
    }

    /// The most elements one tensor may have (2^28): far above any dense model zynqnet builds.
    static let maxElements = 1 << 28

    let name: String
    let type: ElementType
    let dims: [Int]
    /// Integer values (every type but float).
    let ints: [Int64]
    /// Float values (type float).
    let floats: [Float]

    var count: Int { type == .float ? floats.count : ints.count }
    /// The bytes its decoded values take.
    var decodedBytes: Int { ints.count * 8 + floats.count * 4 }
    var isScalar: Bool { count == 1 && dims.allSatisfy { $0 == 1 } }

    init(name: String, type: ElementType, dims: [Int], ints: [Int64] = [], floats: [Float] = []) {
        self.name = name
        self.type = type
        self.dims = dims
        self.ints = ints
        self.floats = floats
    }

    /// Decodes `proto`; `what` names it in errors (a tensor name or a file).
    init(_ proto: Onnx_TensorProto, what: String) throws {
        let label = proto.name.isEmpty ? what : proto.name
        func fail(_ message: String) -> ZynqError { ZynqError(key: label, message) }
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            throw fail("tensor data stored outside the model file (external data) is not read; save the model with its weights inside")
        }
        if proto.hasSegment { throw fail("segmented tensors are not read") }
        guard let type = ElementType(rawValue: proto.dataType) else {
            throw fail("element type \(Self.typeName(proto.dataType)) is not one the importer reads (float, int8, uint8, int16, uint16, int32, int64)")
        }
        var dims: [Int] = []
        var count = 1
        for d in proto.dims {
            guard d >= 0, d <= Int64(Self.maxElements) else { throw fail("dimension \(d) is negative or too large") }
            let (p, o) = count.multipliedReportingOverflow(by: Int(d))
            guard !o, p <= Self.maxElements else { throw fail("more than \(Self.maxElements) elements") }
            dims.append(Int(d))
            count = p
        }
        var ints: [Int64] = []
        var floats: [Float] = []
        if proto.hasRawData {
            let raw = [UInt8](proto.rawData)
            guard raw.count == count * type.byteWidth else {
                throw fail("raw_data has \(raw.count) bytes, but \(count) \(type.name) elements need \(count * type.byteWidth)")
            }
            guard proto.floatData.isEmpty, proto.int32Data.isEmpty, proto.int64Data.isEmpty else {
                throw fail("has both raw_data and typed data fields")
            }
            switch type {
            case .float:
                floats.reserveCapacity(count)
                for i in 0..<count { floats.append(Float(bitPattern: Self.le32(raw, i * 4))) }
            case .uint8: ints = raw.map { Int64($0) }
            case .int8: ints = raw.map { Int64(Int8(bitPattern: $0)) }
            case .uint16: ints = (0..<count).map { Int64(UInt16(raw[2 * $0]) | UInt16(raw[2 * $0 + 1]) << 8) }
            case .int16: ints = (0..<count).map { Int64(Int16(bitPattern: UInt16(raw[2 * $0]) | UInt16(raw[2 * $0 + 1]) << 8)) }
            case .int32: ints = (0..<count).map { Int64(Int32(bitPattern: Self.le32(raw, $0 * 4))) }
            case .int64: ints = (0..<count).map { Int64(bitPattern: UInt64(Self.le32(raw, $0 * 8)) | UInt64(Self.le32(raw, $0 * 8 + 4)) << 32) }
            }
        } else {
            let n: Int
            switch type {
            case .float:
                floats = proto.floatData
                n = floats.count
                guard proto.int32Data.isEmpty, proto.int64Data.isEmpty else { throw fail("float tensor has integer data fields") }
            case .int64:
                ints = proto.int64Data
                n = ints.count
                guard proto.int32Data.isEmpty, proto.floatData.isEmpty else { throw fail("int64 tensor has other data fields") }
            default:
                // int8, uint8, int16, uint16 and int32 values all live in int32_data.
                ints = proto.int32Data.map(Int64.init)
                n = ints.count
                guard proto.floatData.isEmpty, proto.int64Data.isEmpty else { throw fail("\(type.name) tensor has other data fields") }
                if let r = type.range, let bad = ints.first(where: { !r.contains($0) }) {
                    throw fail("value \(bad) is outside the \(type.name) range")
                }
            }
            guard n == count else { throw fail("has \(n) values, but its shape \(dims) needs \(count)") }
        }
        self.init(name: label, type: type, dims: dims, ints: ints, floats: floats)
    }

    private static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
