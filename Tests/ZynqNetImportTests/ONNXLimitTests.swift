import Foundation
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetImport
import ZynqNetModel
import ZynqNetTestSupport

/// The ONNX importer's bounds on memory (docs/import.md, "Limits"): the file size, the elements of
/// one activation, and the bytes of arrays the walk builds from sizes read in the file. Each graph
/// here made the importer allocate far more than its file (a Flatten of a big conv output built
/// one index per element, each Relu of a chain copied the layer's node list); each is refused in
/// one line naming the node or input, before the allocation. The graphs are kept in
/// Tests/Fixtures/fuzz/import/ (`bad-limit-*.onnx`, replayed by `ONNXFuzzRegressionTests` and
/// `zynqnet import` in ImportCommandTests); `keptFilesAreTheseGraphs` checks they are these.
@Suite struct ONNXLimitTests {
    static func error(_ bytes: [UInt8]) -> String? {
        do { _ = try ONNXImporter.importModel(bytes: bytes, file: "t.onnx"); return nil } catch { return "\(error)" }
    }

    static let limitText = "would take the arrays this import builds past 256 MiB, the importer's work limit (docs/import.md, \"Limits\")"

    @Test func activationLimitIsTheHardwares() {
        #expect(ONNXImporter.maxActivationElements == Topology.maxCount)
        #expect(ONNXImporter.maxActivationElements == 16_777_216)
    }

    /// x (float, dims) → QuantizeLinear → MaxPool 1×1 ("pool") → DequantizeLinear → `flattens`
    /// Flatten nodes of the same output (f1, f2, …): each builds a column order of C·H·W entries.
    static func poolFlattens(_ dims: [Int64], flattens: Int) -> GraphBuilder {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: dims)
        g.floats("s", [0.5]); g.ints("z", [0], type: 2)
        g.node("QuantizeLinear", ["x", "s", "z"], ["xq"], name: "q")
        g.node("MaxPool", ["xq"], ["p"], name: "pool")
        ImportTrapTests.addInts(&g, node: 1, "kernel_shape", [1, 1])
        g.node("DequantizeLinear", ["p", "s", "z"], ["pd"], name: "dq")
        for k in 1...flattens { g.node("Flatten", ["pd"], ["flat\(k)"], name: "f\(k)") }
        g.output("flat\(flattens)")
        return g
    }

    /// A [1, 4097, 4096] input was read (the old bound was 2^28 elements); 4096 × 4096 is the largest.
    @Test func graphInputAboveTheActivationLimit() throws {
        #expect(Self.error(try Self.poolFlattens([1, 1, 4097, 4096], flattens: 1).bytes())
            == "t.onnx: 'x': graph input [1, 1, 4097, 4096] has more than 16777216 elements per image (2^24, the largest image zynqnet's hardware holds)")
        // 2^24 exactly passes the input check (the graph then fails on its output: a MaxPool's).
        #expect(Self.error(try Self.poolFlattens([1, 1, 4096, 4096], flattens: 1).bytes())?.contains("graph input") == false)
    }

    /// Two Flattens of one 2^24-element pool output: 2 × 128 MiB of column order, past the
    /// 256 MiB the walk may build (a few thousand Flattens took the fuzzer past its 2 GiB).
    @Test func flattensPastTheWorkLimit() throws {
        #expect(Self.error(try Self.poolFlattens([1, 1, 4096, 4096], flattens: 2).bytes())
            == "t.onnx: 'f2': Flatten: its column order (16777216 entries) \(Self.limitText)")
    }

    /// x (1×1 image) → Q → DQ → Conv ("conv", 1×1 kernel, `pads` on every side) → Q → DQ → Flatten.
    /// With pads 2048: a [1, 4097, 4097] output, 16,785,409 elements (below the old bound of 2^28,
    /// so its Flatten built 128 MiB of indices).
    static func paddedConv(pads: Int64) -> GraphBuilder {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, 1, 1, 1])
        g.floats("sx", [0.5]); g.ints("zx", [0], type: 3)
        g.ints("w", [1], type: 3, dims: [1, 1, 1, 1])
        g.floats("sw", [0.5]); g.ints("zw", [0], type: 3)
        g.floats("sy", [1]); g.ints("zy", [0], type: 3)
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"])
        g.node("DequantizeLinear", ["w", "sw", "zw"], ["wd"])
        g.node("Conv", ["xd", "wd"], ["acc"], name: "conv")
        ImportTrapTests.addInts(&g, node: 3, "pads", [pads, pads, pads, pads])
        g.node("QuantizeLinear", ["acc", "sy", "zy"], ["yq"])
        g.node("DequantizeLinear", ["yq", "sy", "zy"], ["yd"])
        g.node("Flatten", ["yd"], ["flat"])
        g.output("flat")
        return g
    }

    @Test func convOutputAboveTheActivationLimit() throws {
        #expect(Self.error(try Self.paddedConv(pads: 2048).bytes())
            == "t.onnx: 'conv': Conv: output [1, 4097, 4097] has more than 16777216 elements (2^24, the largest image zynqnet's hardware holds)")
    }

    /// A QDQ dense layer followed by `relus` Relu nodes in a chain: each Relu copied the layer's
    /// node list, so n Relus held n²/2 names (25,000 of them in a 256 KiB file: 5 GB).
    static func reluChain(_ relus: Int) -> GraphBuilder {
        GraphBuilder.qdq(weights: [1, 2, 3, 4], n: 2, k: 2) { b in
            var last = "acc"
            for k in 1...relus {
                b.node("Relu", [last], ["r\(k)"], name: "relu\(k)")
                last = "r\(k)"
            }
        }
    }

    @Test func reluChainPastTheWorkLimit() throws {
        // 100 Relus import (one relu layer); 6000 take 16 · (2 + 3 + … + k) bytes past 2^28 at k = 5792.
        let m = try ONNXImporter.importModel(bytes: try Self.reluChain(100).bytes(), file: "t.onnx").model
        #expect(m.layers.count == 1 && m.layers[0].relu)
        #expect(Self.error(try Self.reluChain(6000).bytes())
            == "t.onnx: 'relu5792': Relu: its node list (5793 entries) for layer 'fc' \(Self.limitText)")
    }

    /// The real models stay far below the limits: each walk builds under 2 MB of arrays.
    @Test(arguments: ["cnn_qdq_s8s8_pc", "cnn_qop_u8s8_pt", "mlp784_brevitas_float", "mlp784_qop_u8s8", "mlp_qdq_s8s8_pc", "win_qdq_u8s8_pc"])
    func realModelsAreFarBelow(_ name: String) throws {
        let path = repoPath("Tests/Fixtures/real/\(name).onnx")
        let bytes = try FileBytes.read(path: path)
        #expect(bytes.count < ONNXImporter.maxFileBytes / 32)
        let g = try ONNXImporter.analyze(bytes: bytes, file: path)
        #expect(g.workBytes > bytes.count && g.workBytes < 2_000_000, "\(g.workBytes)")
        let copies = try ONNXWire.check(bytes, file: path)
        #expect(copies < bytes.count, "\(copies)")
    }

    /// A ModelProto whose one initializer has its `dims` in `pieces` one-element packed pieces
    /// (swift-protobuf copies the array once a piece: pieces²/2 copies).
    static func packedPieces(_ pieces: Int) -> [UInt8] {
        func varint(_ v: Int) -> [UInt8] {
            var v = UInt64(v), out: [UInt8] = []
            while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            return out + [UInt8(v)]
        }
        func field(_ n: Int, _ payload: [UInt8]) -> [UInt8] { varint(n << 3 | 2) + varint(payload.count) + payload }
        var tensor: [UInt8] = []
        for _ in 0..<pieces { tensor += field(1, [1]) }
        return field(7, field(5, tensor))
    }

    @Test func packedFieldInPieces() throws {
        // Piece k (at byte 8 + 3(k − 1)) brings the copies to k(k + 1)/2, past 2^26 at k = 11,585.
        #expect(Self.error(Self.packedPieces(30_000))
            == "t.onnx: protobuf field 1 at byte 34760 is a packed list in so many pieces that decoding the file would take more than 67108864 element copies: not decoded (docs/import.md, \"Limits\")")
        #expect(try ONNXWire.check(Self.packedPieces(11_584), file: "t.onnx") == 11_584 * 11_585 / 2)
        // Below the bound the file decodes (and is refused for what it holds).
        #expect(Self.error(Self.packedPieces(1000)) == "t.onnx: 'initializer': an initializer has no name")
        // The input scripts/fuzz-onnx.sh found (its lone-TensorProto decoding took 4 s to 15 s).
        let found = try FileBytes.read(path: fuzzRegressionDirectory("import").appendingPathComponent("timeout-onnx-packed-pieces").path)
        #expect(throws: ZynqError.self) { try ONNXWire.check(found, file: "f", as: .tensor) }
    }

    /// Bytes above the file limit are refused before decoding, naming the file.
    @Test func fileAboveTheLimit() throws {
        #expect(ONNXImporter.maxFileBytes == 4 << 20)
        #expect(Self.error([UInt8](repeating: 0, count: (4 << 20) + 1))
            == "t.onnx: file of 4194305 bytes is larger than the 4 MiB an .onnx model may have: not read (docs/import.md, \"Limits\")")
        // load(path:) maps the file and refuses it unread (a sparse 1 GiB file takes no disk).
        let dir = try makeTemporaryDirectory("onnx-limit")
        let big = dir.appendingPathComponent("big.onnx").path
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        let h = try #require(FileHandle(forWritingAtPath: big))
        try h.truncate(atOffset: 1 << 30)
        try h.close()
        #expect(throws: ZynqError.self) { _ = try ONNXImporter.load(path: big) }
        do { _ = try ONNXImporter.load(path: big) } catch {
            #expect("\(error)" == "\(big): file of 1073741824 bytes is larger than the 4 MiB an .onnx model may have: not read (docs/import.md, \"Limits\")")
        }
    }

    /// The regression files under Tests/Fixtures/fuzz/import/ and the graphs they hold.
    static let kept: [(String, @Sendable () throws -> [UInt8])] = [
        ("bad-limit-flatten-column-orders.onnx", { try poolFlattens([1, 1, 4096, 4096], flattens: 2).bytes() }),
        ("bad-limit-input-elements.onnx", { try poolFlattens([1, 1, 4097, 4096], flattens: 1).bytes() }),
        ("bad-limit-conv-output.onnx", { try paddedConv(pads: 2048).bytes() }),
        ("bad-limit-relu-chain.onnx", { try reluChain(6000).bytes() }),
    ]

    /// Each kept file is its graph; `ZYNQNET_WRITE_LIMIT_FIXTURES=1` rewrites them.
    @Test func keptFilesAreTheseGraphs() throws {
        let dir = fuzzRegressionDirectory("import")
        for (name, make) in Self.kept {
            let bytes = try make()
            let path = dir.appendingPathComponent(name).path
            if ProcessInfo.processInfo.environment["ZYNQNET_WRITE_LIMIT_FIXTURES"] == "1" {
                try FileBytes.write(bytes, to: path)
            }
            #expect(try FileBytes.read(path: path) == bytes, "\(name)")
        }
    }
}
