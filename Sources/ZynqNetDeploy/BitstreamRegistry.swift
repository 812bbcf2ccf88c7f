import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetHW
import ZynqNetJTAG
import ZynqNetModel

/// `bitstreams/manifest.json`: bitstreams built elsewhere (Vivado), registered with
/// `zynqnet bitstreams add`, found again by board and model topology.
///
///     { "schema_version": 1,
///       "bitstreams": [ { "board": "pynq-z2", "part": "xc7z020clg400-1",
///                         "topology_hash": "0x0123456789ABCDEF", "fclk_mhz": 100,
///                         "sha256": "…", "file": "pynq-z2-0123456789abcdef.bit",
///                         "hwh": "pynq-z2-0123456789abcdef.hwh" | null,
///                         "build_manifest": "pynq-z2-0123456789abcdef.manifest.json",
///                         "design": "…", "date": "2024/05/01 12:34:56" } ] }
public struct BitstreamRegistry: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var board: String
        public var part: String
        public var topologyHash: UInt64
        public var fclkMHz: Double
        public var sha256: String
        public var file: String
        public var hwh: String?
        public var buildManifest: String
        public var design: String
        public var date: String

        public var json: JSONText {
            .object([
                ("board", .string(board)), ("part", .string(part)),
                ("topology_hash", .string(topologyHashText(topologyHash))), ("fclk_mhz", .double(fclkMHz)),
                ("sha256", .string(sha256)), ("file", .string(file)), ("hwh", .optional(hwh)),
                ("build_manifest", .string(buildManifest)), ("design", .string(design)), ("date", .string(date)),
            ])
        }
    }

    public static let fileName = "manifest.json"
    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public var json: JSONText {
        .object([("schema_version", .int(1)), ("bitstreams", .array(entries.map(\.json)))])
    }

    /// Reads `dir/manifest.json`; a missing file is an empty registry.
    public static func load(dir: String) throws -> BitstreamRegistry {
        let path = dir + "/" + fileName
        if HostFiles.exists(dir) && !HostFiles.isDirectory(dir) { throw ZynqError(file: dir, "is not a directory") }
        guard HostFiles.exists(path) else { return BitstreamRegistry() }
        let top = try JSONField.parse(try FileBytes.read(path: path), file: path)
        guard case .object = top.value else { throw ZynqError(file: path, "the top level must be a JSON object") }
        guard try top.member("schema_version").int() == 1 else { throw ZynqError(file: path, key: "schema_version", "must be 1") }
        var entries: [Entry] = []
        for f in try top.member("bitstreams").elements() {
            func string(_ k: String) throws(ZynqError) -> String { try f.member(k).nonEmptyString() }
            func optionalString(_ k: String) throws(ZynqError) -> String? { try f.optionalMember(k)?.string() }
            func fileName(_ k: String) throws(ZynqError) -> String {
                let s = try string(k)
                guard !s.contains("/"), s != ".", s != ".." else { throw try f.member(k).error("'\(s)' must be a file name inside \(dir)") }
                return s
            }
            let hashText = try string("topology_hash")
            guard let hash = HexU64.parse(hashText) else { throw try f.member("topology_hash").error("'\(hashText)' is not a 0x… 64-bit hex number") }
            let sha = try string("sha256")
            guard sha.count == 64, sha.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw try f.member("sha256").error("must be 64 lower-case hex digits")
            }
            let fclk = try f.member("fclk_mhz")
            guard let fclkMHz = try? fclk.double(), fclkMHz > 0, fclkMHz.isFinite else { throw fclk.error("must be a positive number") }
            entries.append(Entry(board: try string("board"), part: try string("part"), topologyHash: hash,
                                 fclkMHz: fclkMHz, sha256: sha, file: try fileName("file"),
                                 hwh: try optionalString("hwh") == nil ? nil : try fileName("hwh"),
                                 buildManifest: try fileName("build_manifest"),
                                 design: try optionalString("design") ?? "", date: try optionalString("date") ?? ""))
        }
        return BitstreamRegistry(entries: entries)
    }

    /// Copies `bitPath` (and the `.hwh` the build manifest names, if it exists next to the
    /// bit) with the build's manifest into `dir` and records it. The files are written before
    /// the registry, the registry atomically, so the registry never names a missing file.
    /// Returns the new entry, or the existing one when the same bitstream is already registered.
    @discardableResult
    public static func add(bitPath: String, manifestPath: String, dir: String, catalog: JTAGCatalog = .builtIn) throws -> (entry: Entry, added: Bool) {
        // The registry folder: new, empty or one with a registry manifest; files are added, and
        // only the registry's own manifest.json is replaced (`OutputPlan`).
        let plan = OutputPlan(inputs: [bitPath, manifestPath])
        let folder = try plan.folder(dir, option: "--dir", mode: .add)
        if HostFiles.isDirectory(dir), !HostFiles.exists(dir + "/" + fileName),
           let entries = try? FileManager.default.contentsOfDirectory(atPath: dir), !entries.isEmpty {
            throw ZynqError(file: dir, key: "--dir", "is not empty and has no \(fileName): not a bitstream registry; choose a new or empty folder")
        }
        let bitBytes = try FileBytes.read(path: bitPath)
        let bit = try BitFile.parse(bitBytes, file: bitPath)
        let manifest = try Manifest.load(file: manifestPath)
        guard let board = catalog.board(named: manifest.board) else {
            throw ZynqError(file: manifestPath, key: "board", "'\(manifest.board)' is not a board zynqnet knows (\(catalog.boards.map(\.name).joined(separator: ", ")))")
        }
        guard BitPart.matches(manifest.part, board.part) else {
            throw ZynqError(file: manifestPath, key: "part", "\(manifest.part) is not the part of \(board.displayName) (\(board.part))")
        }
        guard BitPart.matches(bit.part, board.part) else {
            throw ZynqError(file: bitPath, key: "part",
                            "the bitstream is for \(bit.vivadoPart), but the manifest's board \(board.displayName) has \(board.part); nothing was registered")
        }
        // build.tcl records the timing result; a design that failed timing is not registered.
        if let t = manifest.timing, !t.met {
            throw ZynqError(file: manifestPath, key: "timing", "the design failed timing (WNS \(t.wnsNS) ns, WHS \(t.whsNS) ns at \(t.fclkMHz) MHz"
                            + (t.allowedFailure == true ? ", kept with --allow-timing-failure" : "") + "): it may compute wrong results; rebuild at a lower --fclk; nothing was registered")
        }
        let sha = SHA256.hex(bitBytes)
        var registry = try load(dir: dir)
        if let existing = registry.entries.first(where: { $0.sha256 == sha }) { return (existing, false) }

        let stem = "\(board.name)-\(String(HexU64.format(manifest.topologyHash.value).dropFirst(2)).lowercased())-\(sha.prefix(8))"
        var entry = Entry(board: board.name, part: manifest.part, topologyHash: manifest.topologyHash.value, fclkMHz: manifest.fclkMHz,
                          sha256: sha, file: stem + ".bit", hwh: nil, buildManifest: stem + ".manifest.json",
                          design: bit.design, date: bit.date + " " + bit.time)
        try folder.write(entry.file, bytes: bitBytes)
        let hwhSource = PathText.join(PathText.parent(bitPath), PathText.stem(bitPath) + ".hwh")
        if HostFiles.exists(hwhSource) {
            try checkHWHBoard(hwhPath: hwhSource, manifest: manifest, manifestPath: manifestPath)
            entry.hwh = stem + ".hwh"
            try folder.write(stem + ".hwh", bytes: try FileBytes.read(path: hwhSource))
        }
        try folder.write(entry.buildManifest, bytes: try FileBytes.read(path: manifestPath))
        registry.entries.append(entry)
        // load(dir:) read it as a registry: zynqnet's own file.
        try folder.write(fileName, bytes: Array((registry.json.render(pretty: true) + "\n").utf8), owned: true)
        try plan.commit()
        return (entry, true)
    }

    /// PYNQ-Z2 and Zybo Z7-20 share the part (xc7z020clg400), so the .bit cannot tell them apart;
    /// the Vivado hardware handoff can: its board part (BOARD="…") and the PS reference crystal
    /// (PCW_CRYSTAL_PERIPHERAL_FREQMHZ: 50 on the PYNQ-Z2, 33.333333 on the Zybo Z7-20) must be
    /// the manifest board's.
    static func checkHWHBoard(hwhPath: String, manifest: Manifest, manifestPath: String) throws {
        let text = String(decoding: try FileBytes.read(path: hwhPath), as: UTF8.self)
        let family = manifest.boardPart.split(separator: ":").prefix(2).joined(separator: ":")
        if let r = text.range(of: #"BOARD="[^"]*""#, options: .regularExpression) {
            let named = text[r].dropFirst(7).dropLast()
            if !named.isEmpty && !named.hasPrefix(family) {
                throw ZynqError(file: hwhPath, key: "BOARD", "the design was built for board part \(named), the manifest says \(manifest.board) (\(manifest.boardPart))")
            }
        }
        if let r = text.range(of: #"NAME="PCW_CRYSTAL_PERIPHERAL_FREQMHZ" VALUE="[0-9.]+""#, options: .regularExpression),
           let v = Double(text[r].split(separator: "\"")[3]), let board = try? ZynqNetHW.Board.resolve(manifest.board),
           abs(v - board.psRefClockMHz) > 0.001 {
            throw ZynqError(file: hwhPath, key: "PCW_CRYSTAL_PERIPHERAL_FREQMHZ",
                            "\(v) MHz is not the \(board.psRefClockMHz) MHz PS crystal of \(board.name): the design was built for another board")
        }
    }

    /// Registered bitstreams for `board` whose topology is the model's (for some stored
    /// multiplier width its M values fit), newest first. With the registry's `dir`, a bitstream
    /// whose build manifest says a layer's requantizer lacks the model's rounding is left out
    /// (one whose manifest cannot be read, or predates `layer_roundings`, is kept: deploy reads
    /// it again and names what is wrong).
    public func matches(board: String, model: QuantizedModel, dir: String? = nil) -> [(entry: Entry, multBits: Int)] {
        let hashes = TopologyMatch.hashes(model)
        return entries.reversed().compactMap { e in
            guard e.board == board, let k = hashes.first(where: { $0.hash == e.topologyHash })?.multBits else { return nil }
            if let dir, let m = try? Manifest.load(file: dir + "/" + e.buildManifest),
               !RoundingMatch.fits(model: model, manifest: m, multBits: k) {
                return nil
            }
            return (e, k)
        }
    }
}

/// A model's topology hashes (ZynqNetHW `Topology.hash`) for the multiplier widths its M fit in.
public enum TopologyMatch {
    public static func hashes(_ model: QuantizedModel) -> [(multBits: Int, hash: UInt64)] {
        let maxM = model.layers.flatMap(\.multiplier).max() ?? 0
        return (1...32).reversed().compactMap { k in
            guard k == 32 || UInt64(maxM) < (UInt64(1) << UInt64(k)) else { return nil }
            guard let t = try? Topology(model: model, multBits: k) else { return nil }
            return (k, t.hash)
        }
    }

    /// The multiplier width for which `hash` is the model's topology, if any.
    public static func multBits(_ model: QuantizedModel, hash: UInt64) -> Int? {
        hashes(model).first { $0.hash == hash }?.multBits
    }
}


