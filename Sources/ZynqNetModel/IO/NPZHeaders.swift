import ZynqNetBase

/// What an `.npz` member's `.npy` header declares, read without its data.
public struct NPZMemberHeader: Sendable, Equatable {
    public var shape: [Int]
    public var descr: String
    /// Data bytes the header declares (nil: unknown descr, or too many to count).
    public var declaredBytes: Int?
    /// Data bytes the member holds after its header.
    public var storedBytes: Int
    /// The array itself when it is small (≤ `NPZ.smallArrayBytes`): shapes held as values.
    public var smallArray: NDArray?
}

extension NPZ {
    /// Arrays up to this size are decoded along with the headers.
    public static let smallArrayBytes = 4096

    /// Every `.npy` member's header, from a mapped file: only the zip directory and the first
    /// bytes of each member are read, so a file declaring huge arrays is checked before any of
    /// their data is read or allocated. Members whose header does not fit in the first 64 KiB
    /// are left out, and so are damaged members (the full read checks them).
    public static func headers(path: String) throws(ZynqError) -> [(String, NPZMemberHeader)] {
        try FileBytes.withMapped(path: path) { buf -> [(String, NPZMemberHeader)] in
            guard ZipReader.hasMagic(buf) else { return [] }
            // A damaged archive or member is left to the full read, which names what is wrong.
            guard let zip = try? ZipReader(buf) else { return [] }
            var out: [(String, NPZMemberHeader)] = []
            for member in zip.members where member.name.hasSuffix(".npy") {
                let key = key(forMember: member.name)
                guard let head = try? zip.prefix(of: member, count: 65_536 + 12) else { continue }
                let parsed = try? head.withBytes { (b) throws(ZynqError) in try NPY.parseHeader(b, file: path, key: key) }
                guard let (header, dataStart) = parsed else { continue }
                let declared = NPY.declaredBytes(header)
                var h = NPZMemberHeader(shape: header.shape, descr: header.descr, declaredBytes: declared,
                                        storedBytes: max(0, member.uncompressedSize - dataStart))
                if let declared, declared <= smallArrayBytes, dataStart + declared <= head.count {
                    h.smallArray = try? head.withBytes { (b) throws(ZynqError) in
                        try NPY.decode(UnsafeRawBufferPointer(rebasing: b[0 ..< dataStart + declared]), file: path, key: key)
                    }
                }
                out.append((key, h))
            }
            return out
        }
    }
}

/// Shapes checked from the headers alone, before a model's weights or an image file are read:
/// each array against what its header says the member holds, the arrays together against the
/// memory available, and the layers' widths against each other and the images.
public struct ModelShapes: Sendable {
    public var file: String
    /// Product of `input.shape`, when the file has one.
    public var inputCount: Int?
    /// (out, in) of each `layer{i}.weight` that is a matrix (dense), by layer index.
    public var denseWeights: [Int: (out: Int, in: Int)] = [:]
    /// Data bytes all arrays declare.
    public var declaredBytes = 0

    /// Checks the model file `path` from its headers; throws a one-line error naming the key.
    public init(path: String, memoryLimit: Int = MemoryLimit.available()) throws(ZynqError) {
        file = path
        let headers = try NPZ.headers(path: path)
        var largest: (key: String, bytes: Int)?
        for (key, h) in headers {
            guard let bytes = h.declaredBytes, bytes <= h.storedBytes else {
                let declared = h.declaredBytes.map { "\($0) bytes" } ?? "more bytes than can be counted"
                throw ZynqError(file: path, key: key,
                                "npy header declares shape \(NPY.shapeString(h.shape)) of \(h.descr) (\(declared)), but the member holds \(h.storedBytes) bytes")
            }
            declaredBytes += bytes
            if bytes > largest?.bytes ?? -1 { largest = (key, bytes) }
            if key == "input.shape", let dims = h.smallArray?.integers(), dims.allSatisfy({ $0 >= 0 && $0 < Int64(Int32.max) }) {
                inputCount = dims.reduce(1) { $0.multipliedReportingOverflow(by: Int($1)).overflow ? Int.max : $0 * Int($1) }
            }
            if let (i, field) = splitLayerKey(key), field == "weight", h.shape.count == 2 {
                denseWeights[i] = (h.shape[0], h.shape[1])
            }
        }
        if let largest, declaredBytes > memoryLimit {
            throw ZynqError(file: path, key: largest.key,
                            "the arrays need \(MemoryLimit.gigabytes(declaredBytes)) (this one \(MemoryLimit.gigabytes(largest.bytes))), more than the \(MemoryLimit.gigabytes(memoryLimit)) of memory available")
        }
        for (i, w) in denseWeights.sorted(by: { $0.key < $1.key }) {
            if i == 0, let n = inputCount, w.in != n {
                throw ZynqError(file: path, key: "layer0.weight", "shape (\(w.out), \(w.in)) takes \(w.in) inputs, but input.shape has \(n) elements")
            }
            if let prev = denseWeights[i - 1], prev.out != w.in {
                throw ZynqError(file: path, key: "layer\(i).weight",
                                "shape (\(w.out), \(w.in)) takes \(w.in) inputs, but layer\(i - 1).weight (\(prev.out), \(prev.in)) gives \(prev.out)")
            }
        }
    }

    /// The elements of one image the model takes, as far as the headers say.
    public var imageWidth: Int? { inputCount ?? denseWeights[0]?.in }

    /// Checks an `.npz` image file's image array against the model from its header (other image
    /// files are checked when read).
    public func checkImages(path: String) throws(ZynqError) {
        guard let width = imageWidth else { return }
        let headers = try NPZ.headers(path: path)
        guard let (key, h) = ImageSet.imageKeys.lazy.compactMap({ k in headers.first { $0.0 == k } }).first,
              h.shape.count >= 1 else { return }
        func product(_ dims: ArraySlice<Int>) -> Int? {
            dims.reduce(Optional(1)) { p, n in p.flatMap { let r = $0.multipliedReportingOverflow(by: n); return r.overflow ? nil : r.partialValue } }
        }
        let rest = product(h.shape.dropFirst())
        // N images of `width` elements, or one image shaped like input.shape.
        if rest == width || product(h.shape[...]) == width { return }
        throw ZynqError(file: path, key: key,
                        "images of shape \(Array(h.shape.dropFirst())) have \(rest.map(String.init) ?? "too many") elements, but the model \(file) takes \(width)")
    }
}
