// The JSON writer behind every `--json`: Encodable values become `JSONText` (ordered), which renders them.

/// Encodes an `Encodable` value into a `JSONText`: objects keep the order their keys were
/// encoded in (or sorted, `sortedKeys`), optionals encoded with `encode` are `null`.
public struct JSONTextEncoder {
    public var sortedKeys: Bool
    public init(sortedKeys: Bool = false) { self.sortedKeys = sortedKeys }

    public func encode<T: Encodable>(_ value: T) throws -> JSONText {
        let box = JSONBox()
        try box.set(value, path: [])
        return box.text(sorted: sortedKeys)
    }
}

/// One JSON value under construction (objects and arrays are filled in place).
final class JSONBox {
    enum Kind { case value(JSONText), object([(String, JSONBox)]), array([JSONBox]) }
    var kind: Kind = .value(.null)

    func text(sorted: Bool) -> JSONText {
        switch kind {
        case .value(let v): return v
        case .array(let items): return .array(items.map { $0.text(sorted: sorted) })
        case .object(let fields):
            let f = fields.map { ($0.0, $0.1.text(sorted: sorted)) }
            return .object(sorted ? f.sorted { $0.0 < $1.0 } : f)
        }
    }

    /// Primitives directly, everything else through its own `encode(to:)`.
    func set<T: Encodable>(_ value: T, path: [any CodingKey]) throws {
        switch value {
        case let v as JSONText: kind = .value(v)
        case let v as String: kind = .value(.string(v))
        case let v as Bool: kind = .value(.bool(v))
        case let v as Double: kind = .value(v.isFinite ? .double(v) : .null)
        case let v as Float: kind = .value(v.isFinite ? .double(Double(v)) : .null)
        case let v as Int: kind = .value(.int(Int64(v)))
        case let v as Int8: kind = .value(.int(Int64(v)))
        case let v as Int16: kind = .value(.int(Int64(v)))
        case let v as Int32: kind = .value(.int(Int64(v)))
        case let v as Int64: kind = .value(.int(v))
        case let v as UInt: kind = .value(.uint(UInt64(v)))
        case let v as UInt8: kind = .value(.uint(UInt64(v)))
        case let v as UInt16: kind = .value(.uint(UInt64(v)))
        case let v as UInt32: kind = .value(.uint(UInt64(v)))
        case let v as UInt64: kind = .value(.uint(v))
        default: try value.encode(to: JSONBoxEncoder(box: self, codingPath: path))
        }
    }

    func child(forKey key: String) -> JSONBox {
        var fields: [(String, JSONBox)] = []
        if case .object(let f) = kind { fields = f }
        if let existing = fields.first(where: { $0.0 == key }) { return existing.1 }
        let b = JSONBox()
        fields.append((key, b))
        kind = .object(fields)
        return b
    }

    func appended() -> JSONBox {
        var items: [JSONBox] = []
        if case .array(let i) = kind { items = i }
        let b = JSONBox()
        items.append(b)
        kind = .array(items)
        return b
    }

    var count: Int { if case .array(let i) = kind { return i.count }; return 0 }
}

struct JSONBoxEncoder: Encoder {
    let box: JSONBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = box.kind {} else { box.kind = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = box.kind {} else { box.kind = .array([]) }
        return Unkeyed(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box, codingPath: codingPath) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: JSONBox
        let codingPath: [any CodingKey]
        mutating func encodeNil(forKey key: Key) throws { box.child(forKey: key.stringValue).kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try box.child(forKey: key.stringValue).set(value, path: codingPath + [key])
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            JSONBoxEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            JSONBoxEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { JSONBoxEncoder(box: box, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            JSONBoxEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: JSONBox
        let codingPath: [any CodingKey]
        var count: Int { box.count }
        mutating func encodeNil() throws { box.appended().kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try box.appended().set(value, path: codingPath) }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
            JSONBoxEncoder(box: box.appended(), codingPath: codingPath).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            JSONBoxEncoder(box: box.appended(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { JSONBoxEncoder(box: box.appended(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let box: JSONBox
        let codingPath: [any CodingKey]
        mutating func encodeNil() throws { box.kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try box.set(value, path: codingPath) }
    }
}

extension JSONText: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .int(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .uint(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .double(let v):
            var c = encoder.singleValueContainer()
            if v.isFinite { try c.encode(v) } else { try c.encodeNil() }
        case .string(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: JSONKey.self)
            for (k, v) in fields { try c.encode(v, forKey: JSONKey(k)) }
        }
    }
}

/// A coding key of any name (the keys of `JSONText` objects, result types with computed keys).
public struct JSONKey: CodingKey {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
