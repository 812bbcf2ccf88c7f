import ZynqNetBase

/// A pass over the protobuf wire format of an .onnx file before swift-protobuf decodes it.
///
/// swift-protobuf 1.39 decodes each length-delimited piece of a packed repeated scalar field
/// (TensorProto's dims and data, AttributeProto's ints and floats, …) by reserving exactly the
/// elements so far plus the piece's (`reserveCapacity(count + n)`), which copies the whole array:
/// a field split into k one-element pieces costs k²/2 element copies (a 156 KB input of
/// scripts/fuzz-onnx.sh took 4 s to 15 s; a 4 MiB file would take hours). Writers put a packed
/// field in one piece. The pass follows the messages of onnx.proto that lead to a packed field
/// (`schema`, read off onnx.pb.swift) and adds, for every piece of a packed field, the elements
/// the field holds after it (its bytes below 0x80 bound its varints and floats); past
/// `maxCopies` the file is refused before decoding. A file whose packed fields are one piece each
/// costs at most its own size.
enum ONNXWire {
    /// The most element copies the pieces of packed fields may cost (2^26: 16 times the largest
    /// file's bytes, about 0.1 s of copying).
    static let maxCopies = 1 << 26
    /// Nesting deeper than this is not followed (swift-protobuf refuses it: messageDepthLimit 64).
    static let maxDepth = 64

    /// The messages on a path from ModelProto to a packed field: per message, its packed fields
    /// and the message fields to follow (others hold no packed field at any depth).
    enum Kind: Int { case model, graph, node, attribute, tensor, sparseTensor, function, trainingInfo,
                     nodeDeviceConfiguration, shardingSpec, intIntListEntry }
    static let schema: [Kind: (packed: Set<UInt64>, children: [UInt64: Kind])] = [
        .model: ([], [7: .graph, 20: .trainingInfo, 25: .function]),
        .graph: ([], [1: .node, 5: .tensor, 15: .sparseTensor]),
        .node: ([], [5: .attribute, 10: .nodeDeviceConfiguration]),
        .attribute: ([7, 8], [5: .tensor, 6: .graph, 10: .tensor, 11: .graph, 22: .sparseTensor, 23: .sparseTensor]),
        .tensor: ([1, 4, 5, 7, 10, 11], [:]),
        .sparseTensor: ([3], [1: .tensor, 2: .tensor]),
        .function: ([], [7: .node, 11: .attribute]),
        .trainingInfo: ([], [1: .graph, 2: .graph]),
        .nodeDeviceConfiguration: ([], [2: .shardingSpec]),
        .shardingSpec: ([2], [3: .intIntListEntry]),
        .intIntListEntry: ([2], [:]),
    ]

    /// The cost of `bytes` as a message of `kind`; throws, naming the file, the field and its
    /// byte offset, once it passes `maxCopies`.
    @discardableResult
    static func check(_ bytes: [UInt8], file: String, as kind: Kind = .model) throws(ZynqError) -> Int {
        var scan = Scan(file: file)
        try bytes.withUnsafeBufferPointer { (b) throws(ZynqError) in
            scan.base = b
            try scan.message(kind, 0, b.count, depth: 0)
        }
        return scan.cost
    }

    private struct Scan {
        let file: String
        var base = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var cost = 0

        /// A varint at `p` (below `end`): its value and the position after it, nil if malformed.
        func varint(_ p: Int, _ end: Int) -> (UInt64, Int)? {
            var v: UInt64 = 0, shift: UInt64 = 0, q = p
            while q < end, shift < 64 {
                let b = base[q]
                v |= UInt64(b & 0x7f) << shift
                q += 1
                if b < 0x80 { return (v, q) }
                shift += 7
            }
            return nil
        }

        /// Walks the fields of a `kind` message in `start..<end`, stopping where the bytes stop
        /// being a message (swift-protobuf stops there too, with an error).
        mutating func message(_ kind: Kind, _ start: Int, _ end: Int, depth: Int) throws(ZynqError) {
            let (packed, children) = ONNXWire.schema[kind]!
            var held: [UInt64: Int] = [:]  // elements each packed field holds so far
            var p = start
            while p < end {
                let at = p
                guard let (tag, q) = varint(p, end) else { return }
                let field = tag >> 3
                p = q
                switch tag & 7 {
                case 0:
                    guard let (_, r) = varint(p, end) else { return }
                    p = r
                    if packed.contains(field) { held[field, default: 0] += 1 }
                case 1, 5:
                    let n = tag & 7 == 1 ? 8 : 4
                    guard end - p >= n else { return }
                    p += n
                    if packed.contains(field) { held[field, default: 0] += 1 }
                case 2:
                    guard let (len, r) = varint(p, end), len <= UInt64(end - r) else { return }
                    let payload = r..<(r + Int(len))
                    p = payload.upperBound
                    if packed.contains(field) {
                        var n = 0
                        for i in payload where base[i] < 0x80 { n += 1 }
                        let now = held[field, default: 0] + n
                        held[field] = now
                        cost += now
                        guard cost <= ONNXWire.maxCopies else {
                            throw ZynqError(file: file, "protobuf field \(field) at byte \(at) is a packed list in so many pieces that "
                                + "decoding the file would take more than \(ONNXWire.maxCopies) element copies: not decoded "
                                + "(docs/import.md, \"Limits\")")
                        }
                    } else if let child = children[field], depth < ONNXWire.maxDepth {
                        try message(child, payload.lowerBound, payload.upperBound, depth: depth + 1)
                    }
                case 3:
                    // No ONNX field is a group; swift-protobuf skips an unknown one and goes on.
                    guard let r = skipGroup(field, p, end, depth: depth + 1) else { return }
                    p = r
                default:
                    return
                }
            }
        }

        /// The position after the end-group of `field`'s group starting at `p`, nil if there is none.
        func skipGroup(_ field: UInt64, _ start: Int, _ end: Int, depth: Int) -> Int? {
            guard depth <= ONNXWire.maxDepth else { return nil }
            var p = start
            while p < end {
                guard let (tag, q) = varint(p, end) else { return nil }
                p = q
                switch tag & 7 {
                case 0: guard let (_, r) = varint(p, end) else { return nil }; p = r
                case 1, 5:
                    let n = tag & 7 == 1 ? 8 : 4
                    guard end - p >= n else { return nil }
                    p += n
                case 2:
                    guard let (len, r) = varint(p, end), len <= UInt64(end - r) else { return nil }
                    p = r + Int(len)
                case 3: guard let r = skipGroup(tag >> 3, p, end, depth: depth + 1) else { return nil }; p = r
                case 4: return tag >> 3 == field ? p : nil
                default: return nil
                }
            }
            return nil
        }
    }
}
