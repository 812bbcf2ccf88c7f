/// An n-dimensional array as NumPy stores it, always held in C (row-major) order
/// and native byte order, whatever the file it came from used.
public struct NDArray: Sendable, Equatable {
    public enum DType: Sendable, Equatable, CustomStringConvertible {
        case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64
        /// NumPy `<U n`: fixed-width UTF-32 strings of `n` code points.
        case unicode(Int)

        public var description: String {
            switch self {
            case .bool: "bool"
            case .int8: "int8"
            case .int16: "int16"
            case .int32: "int32"
            case .int64: "int64"
            case .uint8: "uint8"
            case .uint16: "uint16"
            case .uint32: "uint32"
            case .uint64: "uint64"
            case .float32: "float32"
            case .float64: "float64"
            case .unicode(let n): "<U\(n)"
            }
        }

        public var isInteger: Bool {
            switch self {
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
            default: false
            }
        }

        public var isFloat: Bool { self == .float32 || self == .float64 }
    }

    /// Element storage, one case per dtype, elements in C order.
    public enum Storage: Sendable, Equatable {
        case bool([Bool])
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case int64([Int64])
        case uint8([UInt8])
        case uint16([UInt16])
        case uint32([UInt32])
        case uint64([UInt64])
        case float32([Float])
        case float64([Double])
        case unicode([String], width: Int)
    }

    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    public var dtype: DType {
        switch storage {
        case .bool: .bool
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        case .float32: .float32
        case .float64: .float64
        case .unicode(_, let width): .unicode(width)
        }
    }

    /// Number of elements (the product of `shape`; 1 for a scalar).
    public var count: Int {
        switch storage {
        case .bool(let a): a.count
        case .int8(let a): a.count
        case .int16(let a): a.count
        case .int32(let a): a.count
        case .int64(let a): a.count
        case .uint8(let a): a.count
        case .uint16(let a): a.count
        case .uint32(let a): a.count
        case .uint64(let a): a.count
        case .float32(let a): a.count
        case .float64(let a): a.count
        case .unicode(let a, _): a.count
        }
    }

    /// The elements as exact integers, for bool and integer dtypes.
    /// Returns nil for floats and strings, and for uint64 values above `Int64.max`.
    public func integers() -> [Int64]? {
        switch storage {
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        case .int8(let a): return a.map(Int64.init)
        case .int16(let a): return a.map(Int64.init)
        case .int32(let a): return a.map(Int64.init)
        case .int64(let a): return a
        case .uint8(let a): return a.map(Int64.init)
        case .uint16(let a): return a.map(Int64.init)
        case .uint32(let a): return a.map(Int64.init)
        case .uint64(let a):
            var out = [Int64]()
            out.reserveCapacity(a.count)
            for v in a {
                guard v <= UInt64(Int64.max) else { return nil }
                out.append(Int64(v))
            }
            return out
        case .float32, .float64, .unicode: return nil
        }
    }

    /// The elements as Float, for every numeric dtype (float64 is rounded to nearest).
    public func floats() -> [Float]? {
        switch storage {
        case .float32(let a): return a
        case .float64(let a): return a.map { Float($0) }
        case .unicode: return nil
        default: return integers()?.map { Float($0) }
        }
    }

    /// The elements as strings, for unicode dtypes.
    public func strings() -> [String]? {
        if case .unicode(let a, _) = storage { return a }
        return nil
    }
}
