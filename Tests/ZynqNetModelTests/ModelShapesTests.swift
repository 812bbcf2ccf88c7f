import Foundation
import ZynqNetTestSupport
import Testing
@testable import ZynqNetBase
@testable import ZynqNetModel

/// A model's shapes are checked from its `.npy` headers before any weight is read (issue 13 item 5).
@Suite("shapes from the headers, before the weights")
struct ModelShapesTests {
    static let iris = repoRoot.appendingPathComponent("examples/iris/model.npz").path

    /// A stored (uncompressed) zip of `members`; a member given as (header, dataBytes) gets
    /// `dataBytes` of data after its header as a hole (a sparse file: large, but nothing on disk).
    static func writeZip(_ members: [(String, [UInt8], hole: Int)], to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        var central: [UInt8] = []
        var offset = 0
        for (name, bytes, hole) in members {
            let size = bytes.count + hole
            precondition(size < 0xFFFF_FFFF)
            let common = le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + le(size, 4) + le(size, 4) + le(name.utf8.count, 2) + le(0, 2)
            let local = le(0x0403_4b50, 4) + common + Array(name.utf8)
            try h.write(contentsOf: Data(local + bytes))
            if hole > 0 { try h.seek(toOffset: UInt64(offset + local.count + size)) }
            central += le(0x0201_4b50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(offset, 4) + Array(name.utf8)
            offset += local.count + size
        }
        let end = le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(members.count, 2) + le(members.count, 2)
            + le(central.count, 4) + le(offset, 4) + le(0, 2)
        try h.write(contentsOf: Data(central + end))
    }

    /// The iris model's arrays with `layer0.weight` replaced by a header declaring `shape` (int8)
    /// followed by `hole` bytes of (sparse) data.
    static func model(weightShape shape: [Int], hole: Int, inputShape: [Int64]? = nil, in dir: URL) throws -> String {
        var members: [(String, [UInt8], hole: Int)] = []
        for (key, a) in try QuantizedModel.load(path: iris).arrays() {
            if key == "layer0.weight" {
                let header = NPY.encode(NDArray(shape: [], storage: .int8([0])))
                let text = String(decoding: header[10...], as: UTF8.self)
                    .replacingOccurrences(of: "'shape': ()", with: "'shape': (\(shape.map(String.init).joined(separator: ", ")))")
                var body = Array(text.utf8.dropLast(2))  // drop the scalar's data byte and newline
                while (10 + body.count + 1) % 64 != 0 { body.append(0x20) }
                body.append(0x0A)
                let npy = Array(header[0..<8]) + [UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
                members.append((key + ".npy", npy, hole))
            } else if key == "input.shape", let inputShape {
                members.append((key + ".npy", NPY.encode(NDArray(shape: [inputShape.count], storage: .int64(inputShape))), 0))
            } else {
                members.append((key + ".npy", NPY.encode(a), 0))
            }
        }
        let path = dir.appendingPathComponent("huge.npz").path
        try writeZip(members, to: path)
        return path
    }

    @Test func aHugeWeightMatrixFailsFromItsHeaderNamingTheKey() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 30 × 2^26 int8 = 2 GB of weights on a model whose input.shape is (4,): a sparse file.
        let path = try Self.model(weightShape: [30, 1 << 26], hole: 30 << 26, in: dir)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 > 30 << 26)
        #expect(throws: ZynqError(file: path, key: "layer0.weight", "shape (30, 67108864) takes 67108864 inputs, but input.shape has 4 elements")) {
            _ = try QuantizedModel.load(path: path)
        }
    }

    @Test func aHeaderDeclaringMoreThanTheMemberHoldsNamesTheKey() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.model(weightShape: [2, 1 << 31], hole: 0, in: dir)
        #expect(throws: ZynqError(file: path, key: "layer0.weight",
                                  "npy header declares shape (2, 2147483648) of |i1 (4294967296 bytes), but the member holds 0 bytes")) {
            _ = try QuantizedModel.load(path: path)
        }
    }

    @Test func arraysBeyondTheMemoryLimitNameTheLargest() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.model(weightShape: [30, 1 << 26], hole: 30 << 26, inputShape: [1 << 26], in: dir)
        #expect(throws: ZynqError(file: path, key: "layer0.weight",
                                  "the arrays need 2.0 GB (this one 2.0 GB), more than the 1.0 GB of memory available")) {
            _ = try ModelShapes(path: path, memoryLimit: 1_000_000_000)
        }
        // Within the limit the shapes are consistent; images of 4 elements are not what it takes.
        let shapes = try ModelShapes(path: path, memoryLimit: 8_000_000_000)
        #expect(shapes.imageWidth == 1 << 26 && shapes.denseWeights[1]?.in == 30)
        let images = dir.appendingPathComponent("images.npz").path
        try NPZ.write([("x_test", NDArray(shape: [2, 4], storage: .uint8([1, 2, 3, 4, 5, 6, 7, 8])))], to: images)
        #expect(throws: ZynqError(file: images, key: "x_test", "images of shape [4] have 4 elements, but the model \(path) takes 67108864")) {
            try shapes.checkImages(path: images)
        }
    }

    @Test func consecutiveLayersMustAgree() throws {
        let dir = try makeTemporaryDirectory("io")
        defer { try? FileManager.default.removeItem(at: dir) }
        // layer0.weight (29, 4) gives 29 outputs, layer1.weight (30, 30) takes 30.
        let path = try Self.model(weightShape: [29, 4], hole: 29 * 4, in: dir)
        #expect(throws: ZynqError(file: path, key: "layer1.weight", "shape (30, 30) takes 30 inputs, but layer0.weight (29, 4) gives 29")) {
            _ = try QuantizedModel.load(path: path)
        }
        // The real model passes and matches its images.
        let ok = try ModelShapes(path: Self.iris)
        #expect(ok.inputCount == 4 && ok.denseWeights.count == 3)
        try ok.checkImages(path: repoRoot.appendingPathComponent("examples/iris/test-30.npz").path)
    }
}
