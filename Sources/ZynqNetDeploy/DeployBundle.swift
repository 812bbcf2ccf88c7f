import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetHW
import ZynqNetJTAG
import ZynqNetModel
import ZynqNetSim

/// A deploy bundle: what a board needs to run a model, in one directory that `zynqnet load`
/// and `zynqnet infer --backend board --bundle` read on the board.
///
///     manifest.json            the build's manifest (addresses, widths, FCLK, topology hash)
///     zynqnet.bit, .hwh        the bitstream and its hardware handoff (names from files.*)
///     model.npz                the model, format 1 or 2
///     selftest/images.npz      a few images ("images")
///     selftest/expected.npz    their outputs from the simulator ("predictions", "outputs")
///     deploy.json              what is in the bundle (below)
public struct DeployBundle: Sendable {
    public struct Info: Sendable, Equatable {
        public var board: String
        public var part: String
        public var bitstream: String
        public var bitstreamSHA256: String
        public var topologyHash: UInt64
        public var multBits: Int?
        public var model: String?
        public var selftestCount: Int

        public var json: JSONText {
            .object([
                ("schema_version", .int(1)), ("board", .string(board)), ("part", .string(part)),
                ("bitstream", .string(bitstream)), ("bitstream_sha256", .string(bitstreamSHA256)),
                ("topology_hash", .string(topologyHashText(topologyHash))), ("mult_bits", multBits.map { .int(Int64($0)) } ?? .null),
                ("model", .optional(model)),
                ("selftest", model == nil || selftestCount == 0 ? .null : .object([
                    ("images", .string(DeployBundle.selftestImages)), ("expected", .string(DeployBundle.selftestExpected)),
                    ("count", .int(Int64(selftestCount))),
                ])),
            ])
        }
    }

    public static let infoFile = "deploy.json"
    public static let modelFile = "model.npz"
    public static let selftestImages = "selftest/images.npz"
    public static let selftestExpected = "selftest/expected.npz"
    /// Where the board writes its self-test outputs (inside the bundle on the board).
    public static let selftestBoardOutput = "selftest/board.npz"

    public var dir: String
    public var manifest: Manifest
    public var info: Info

    public var bitPath: String { dir + "/" + manifest.files.bitstream }

    /// Creates the bundle at `dir` (which must not exist): built in a temporary sibling
    /// directory and renamed into place, so `dir` is complete or absent.
    public static func create(at dir: String, board: BoardProfile, bitPath: String, manifestPath: String,
                              model: QuantizedModel?, images: NDArray?, selftestCount: Int) throws -> DeployBundle {
        guard !HostFiles.exists(dir) else {
            throw ZynqError(file: dir, "already exists; remove it or choose another -o/--output")
        }
        let bitBytes = try FileBytes.read(path: bitPath)
        let bit = try BitFile.parse(bitBytes, file: bitPath)
        let manifest = try Manifest.load(file: manifestPath)
        try check(bit: bit, bitPath: bitPath, manifest: manifest, manifestPath: manifestPath, board: board)
        var multBits: Int?
        if let model {
            multBits = try checkTopology(model: model, manifest: manifest, manifestPath: manifestPath)
        }
        let tmp = PathText.join(PathText.parent(dir), "." + PathText.name(dir) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: tmp + "/selftest", withIntermediateDirectories: true)
            try FileBytes.write(bitBytes, to: tmp + "/" + manifest.files.bitstream)
            let hwhCandidates = [PathText.join(PathText.parent(manifestPath), manifest.files.hwh),
                                 PathText.join(PathText.parent(bitPath), PathText.stem(bitPath) + ".hwh")]
            if let hwh = hwhCandidates.first(where: { HostFiles.exists($0) }) {
                try FileBytes.write(try FileBytes.read(path: hwh), to: tmp + "/" + manifest.files.hwh)
            }
            try FileBytes.write(try FileBytes.read(path: manifestPath), to: tmp + "/manifest.json")
            var count = 0
            if let model {
                try model.save(to: tmp + "/" + modelFile)
            }
            if let model, selftestCount > 0 {
                let set = try images.map { try prefix($0, selftestCount) } ?? syntheticImages(model: model, count: selftestCount)
                count = set.shape.first ?? 0
                let result = try Simulator(model: model).run(images: set, key: "images")
                try NPZ.write([("images", set)], to: tmp + "/" + selftestImages)
                try NPZ.write(SelfTest.arrays(result), to: tmp + "/" + selftestExpected)
            }
            let info = Info(board: board.name, part: manifest.part, bitstream: manifest.files.bitstream, bitstreamSHA256: SHA256.hex(bitBytes),
                            topologyHash: manifest.topologyHash.value, multBits: multBits, model: model == nil ? nil : modelFile,
                            selftestCount: count)
            try FileBytes.write(Array((info.json.render(pretty: true) + "\n").utf8), to: tmp + "/" + infoFile)
            guard rename(tmp, dir) == 0 else {
                throw ZynqError(file: dir, "cannot create the bundle directory: \(String(cString: strerror(errno)))")
            }
            return DeployBundle(dir: dir, manifest: manifest, info: info)
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Opens an existing bundle and checks it against `board`.
    public static func open(dir: String, board: BoardProfile) throws -> DeployBundle {
        guard HostFiles.isDirectory(dir) else { throw ZynqError(file: dir, "is not a bundle directory") }
        let manifestPath = dir + "/manifest.json"
        let manifest = try Manifest.load(file: manifestPath)
        let bitPath = dir + "/" + manifest.files.bitstream
        let bitBytes = try FileBytes.read(path: bitPath)
        let bit = try BitFile.parse(bitBytes, file: bitPath)
        try check(bit: bit, bitPath: bitPath, manifest: manifest, manifestPath: manifestPath, board: board)
        var info = Info(board: board.name, part: manifest.part, bitstream: manifest.files.bitstream, bitstreamSHA256: SHA256.hex(bitBytes),
                        topologyHash: manifest.topologyHash.value, multBits: nil, model: nil, selftestCount: 0)
        let infoPath = dir + "/" + infoFile
        if HostFiles.exists(infoPath) {
            let obj = try JSONSerialization.jsonObject(with: Data(try FileBytes.read(path: infoPath))) as? [String: Any]
            guard let obj, obj["schema_version"] as? Int == 1 else { throw ZynqError(file: infoPath, key: "schema_version", "must be 1") }
            if let sha = obj["bitstream_sha256"] as? String, sha != info.bitstreamSHA256 {
                throw ZynqError(file: infoPath, key: "bitstream_sha256", "does not match \(bitPath) (the bitstream was replaced)")
            }
            if let m = obj["model"] as? String {
                guard m == modelFile else { throw ZynqError(file: infoPath, key: "model", "must be \(modelFile)") }
                let model = try QuantizedModel.load(path: dir + "/" + m)
                info.model = m
                info.multBits = try checkTopology(model: model, manifest: manifest, manifestPath: manifestPath)
                info.selftestCount = ((obj["selftest"] as? [String: Any])?["count"] as? Int) ?? 0
                for f in [selftestImages, selftestExpected] where info.selftestCount > 0 && !HostFiles.exists(dir + "/" + f) {
                    throw ZynqError(file: dir + "/" + f, "missing from the bundle")
                }
            }
        }
        return DeployBundle(dir: dir, manifest: manifest, info: info)
    }

    /// Part of the `.bit` and of the build manifest against the board; the manifest's board.
    static func check(bit: BitFile, bitPath: String, manifest: Manifest, manifestPath: String, board: BoardProfile) throws {
        try Deploy.checkPart(bit, file: bitPath, board: board)
        guard manifest.board == board.name else {
            throw ZynqError(file: manifestPath, key: "board", "the design was built for '\(manifest.board)', not \(board.name)")
        }
        guard BitPart.matches(manifest.part, board.part) else {
            throw ZynqError(file: manifestPath, key: "part", "\(manifest.part) is not the part of \(board.displayName) (\(board.part))")
        }
    }

    /// The model must have the design's topology, and each layer's rounding must be one its
    /// requantizer was built for (manifest.json's `layer_roundings`; a manifest without it leaves
    /// that to the board's parameter load). Returns the multiplier width that matches.
    static func checkTopology(model: QuantizedModel, manifest: Manifest, manifestPath: String,
                              board: String? = nil, modelPath: String? = nil) throws -> Int {
        guard let k = TopologyMatch.multBits(model, hash: manifest.topologyHash.value) else {
            let mine = TopologyMatch.hashes(model).first.map { topologyHashText($0.hash) } ?? "?"
            throw ZynqError(file: manifestPath, key: "topology_hash",
                            "the design's topology \(topologyHashText(manifest.topologyHash.value)) is not the model's (\(mine) with 32-bit multipliers): the bitstream was built for another network")
        }
        try RoundingMatch.check(model: model, manifest: manifest, manifestPath: manifestPath, multBits: k,
                                board: board ?? manifest.board, modelPath: modelPath)
        return k
    }

    /// The first `n` images of a batch.
    static func prefix(_ a: NDArray, _ n: Int) throws -> NDArray {
        guard let total = a.shape.first, total > 0 else { throw ZynqError(key: "images", "the image set is empty") }
        let k = min(n, total)
        let per = a.shape.dropFirst().reduce(1, *)
        let r = 0 ..< k * per
        let storage: NDArray.Storage
        switch a.storage {
        case .uint8(let v): storage = .uint8(Array(v[r]))
        case .int8(let v): storage = .int8(Array(v[r]))
        case .float32(let v): storage = .float32(Array(v[r]))
        case .float64(let v): storage = .float64(Array(v[r]))
        default: throw ZynqError(key: "images", "\(a.dtype) images are not supported (uint8, int8, float32, float64)")
        }
        return NDArray(shape: [k] + Array(a.shape.dropFirst()), storage: storage)
    }

    /// `count` uint8 images (deterministic): all 0, all 255, then pseudo-random pixels.
    static func syntheticImages(model: QuantizedModel, count: Int) -> NDArray {
        let n = model.inputCount
        var g: UInt64 = 0x5EED_2024
        var pixels: [UInt8] = []
        pixels.reserveCapacity(n * count)
        for i in 0..<count {
            for _ in 0..<n {
                switch i {
                case 0: pixels.append(0)
                case 1: pixels.append(255)
                default:
                    g &+= 0x9E37_79B9_7F4A_7C15
                    var z = g
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    pixels.append(UInt8(truncatingIfNeeded: z ^ (z >> 31)))
                }
            }
        }
        return NDArray(shape: [count, n], storage: .uint8(pixels))
    }
}
