import Glibc
import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim

/// Whether something (a file, a directory, a dangling link) is at `path`.
func pathExists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// Whether `path` is a directory (following links).
func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
}

// MARK: - load

extension BoardMain {
    /// `load BUNDLE`: the host's `zynqnet load` (`loadBundle`), with its options and output.
    static func load(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--sysfs-root", "--firmware-dir", "--proc-root", "--dev-mem", "--fpga-manager"],
                              flags: ["--json", "--no-clock", "--no-probe", "--pl-configured", "--slcr-unlock"])
        guard a.positionals.count <= 1 else { throw .usage("Unexpected argument '\(a.positionals[1])'") }
        guard let bundle = a.positionals.first else { throw .usage("Missing expected argument '<bundle>'") }
        guard isDirectory(bundle) else { throw .usage("BUNDLE '\(bundle)' is not a directory") }
        var o = LoadOptions()
        o.sysfsRoot = a.options["--sysfs-root"] ?? o.sysfsRoot
        o.firmwareDirectory = a.options["--firmware-dir"] ?? o.firmwareDirectory
        o.procRoot = a.options["--proc-root"] ?? o.procRoot
        o.devMem = a.options["--dev-mem"] ?? o.devMem
        o.fpgaManager = a.options["--fpga-manager"] ?? o.fpgaManager
        o.setClock = !a.flag("--no-clock")
        o.probe = !a.flag("--no-probe")
        o.unlockSLCR = a.flag("--slcr-unlock")
        o.plConfigured = a.flag("--pl-configured")
        let r = try input { () throws(ZynqError) in try loadBundle(bundle, options: o) }
        if a.flag("--json") {
            print(r.json.render())
            return
        }
        if o.plConfigured {
            print("finished \(r.bitstream) (part \(r.part)), configured over JTAG: PS set up, PL reset pulsed")
        } else {
            print("loaded \(r.bitstream) (part \(r.part)) as \(r.firmware): fpga_manager state \(r.state)")
        }
        if let f = r.fclk_mhz, let d0 = r.fclk_divisor0, let d1 = r.fclk_divisor1 {
            print("FCLK0 \(fixed(f, digits: 3)) MHz (DIVISOR0 \(d0), DIVISOR1 \(d1))")
        }
        for w in r.ps_writes ?? [] { print("wrote \(w)") }
        if let h = r.topology_hash { print("accelerator found, topology hash \(h)") }
    }
}

// MARK: - doctor

extension BoardMain {
    /// `doctor`: the host's `zynqnet doctor` (`runDoctor`): the report, then exit 1 naming the failed checks.
    static func doctor(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--root", "--bundle", "--buffer-bytes", "--buffer"], flags: ["--fix", "--json"])
        guard a.positionals.isEmpty else { throw .usage("Unexpected argument '\(a.positionals[0])'") }
        var o = DoctorOptions()
        o.root = a.options["--root"] ?? "/"
        o.bundle = a.options["--bundle"]
        o.fix = a.flag("--fix")
        o.buffer = a.options["--buffer"]
        if let b = a.options["--buffer-bytes"] {
            guard let v = UInt64(b) else { throw .usage("The value '\(b)' is invalid for '--buffer-bytes <buffer-bytes>'") }
            o.bufferBytes = v
        }
        if let b = o.buffer, !safeBufferName(b) {
            throw .usage("--buffer may use letters, digits and . _ - : only, not '\(b)'")
        }
        let r = runDoctor(o)
        if a.flag("--json") {
            print(r.json.render())
        } else {
            var text = r.text
            if text.hasSuffix("\n") { text.removeLast() }
            if !text.isEmpty { print(text) }
        }
        if !r.ok {
            throw .input(ZynqError(key: "doctor", "\(r.failed.count) check(s) failed: \(r.failed.map { $0.name }.joined(separator: ", "))"))
        }
    }

    /// A u-dma-buf name or devmem:BASE:SIZE: ASCII letters, digits and . _ - : (as the host checks it).
    static func safeBufferName(_ s: String) -> Bool {
        guard !s.isEmpty, !s.hasPrefix("-") else { return false }
        for u in s.utf8 {
            let ok = (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) || (u >= 0x61 && u <= 0x7A)
                || u == UInt8(ascii: ".") || u == UInt8(ascii: "_") || u == UInt8(ascii: "-") || u == UInt8(ascii: ":")
            if !ok { return false }
        }
        return true
    }
}

// MARK: - selftest

/// The files of a deploy bundle a self-test reads (`deploy.json`, else the names deploy writes).
struct BundleFiles {
    var model: String
    var images: String
    var expected: String
    var count: Int?

    /// Reads `DIR/deploy.json` strictly (the keys `zynqnet deploy` writes, schema_version 1); a
    /// bundle without one (an older deploy) has the default names. Every named file must exist.
    static func read(_ dir: String) throws(ZynqError) -> BundleFiles {
        guard pathExists(dir + "/manifest.json") else {
            throw ZynqError(file: dir, "no manifest.json: not a bundle (zynqnet deploy -o DIR makes one)")
        }
        var files = BundleFiles(model: dir + "/model.npz", images: dir + "/selftest/images.npz", expected: dir + "/selftest/expected.npz")
        let infoPath = dir + "/deploy.json"
        if pathExists(infoPath) {
            let top = try JSONField.parse(try FileBytes.read(path: infoPath), file: infoPath)
            try top.requireKnownKeys(["schema_version", "board", "part", "bitstream", "bitstream_sha256", "topology_hash", "mult_bits",
                                      "model", "selftest"])
            guard try top.member("schema_version").int() == 1 else {
                throw ZynqError(file: infoPath, key: "schema_version", "must be 1")
            }
            guard let model = try top.optionalMember("model") else {
                throw ZynqError(file: infoPath, key: "model", "is null: the bundle was deployed without --model, so it has no self-test")
            }
            guard let selftest = try top.optionalMember("selftest") else {
                throw ZynqError(file: infoPath, key: "selftest", "is null: the bundle has no self-test (deployed with --selftest-count 0)")
            }
            try selftest.requireKnownKeys(["images", "expected", "count"])
            func relative(_ f: JSONField) throws(ZynqError) -> String {
                let s = try f.nonEmptyString()
                guard !s.hasPrefix("/"), !s.contains("..") else { throw f.error("must be a plain relative path, got \(f.kind)") }
                return dir + "/" + s
            }
            files.model = try relative(model)
            files.images = try relative(try selftest.member("images"))
            files.expected = try relative(try selftest.member("expected"))
            files.count = try selftest.member("count").int(1, Int(Int32.max))
        }
        for f in [files.model, files.images, files.expected] where !pathExists(f) {
            throw ZynqError(file: f, "missing from the bundle")
        }
        return files
    }
}

extension BoardMain {
    /// `selftest BUNDLE`: the bundle's self-test images through the accelerator (the board, or the
    /// loopback device configured from the bundle's manifest), compared bit for bit with the
    /// simulator's outputs deploy stored (`selftest/expected.npz`). Writes nothing; a mismatch is
    /// the command's error (exit 1), as in `zynqnet deploy`.
    static func selftest(_ args: [String]) throws(CLIFailure) {
        let a = try Arguments(args, options: ["--backend", "--batch"], flags: ["--json"])
        guard a.positionals.count <= 1 else { throw .usage("Unexpected argument '\(a.positionals[1])'") }
        guard let bundle = a.positionals.first else { throw .usage("Missing expected argument '<bundle>'") }
        let backend = a.options["--backend"] ?? "board"
        guard backend == "board" || backend == "loopback" else {
            throw .usage("--backend must be one of board, loopback, not '\(backend)'")
        }
        let batch = try a.integer("--batch", in: 1...maxBatch, what: "1…\(maxBatch)") ?? 256
        guard isDirectory(bundle) else { throw .usage("BUNDLE '\(bundle)' is not a directory") }
        // Every file is read and checked before the accelerator is touched.
        let files = try input { () throws(ZynqError) in try BundleFiles.read(bundle) }
        try input { () throws(ZynqError) in try ModelShapes(path: files.model).checkImages(path: files.images) }
        let model = try input { () throws(ZynqError) in try QuantizedModel.load(path: files.model) }
        let set = try input { () throws(ZynqError) in
            let s = try ImageSet.load(path: files.images)
            try s.checkNotEmpty()
            return s
        }
        let expected = try input { () throws(ZynqError) in try NPZ.read(path: files.expected) }
        if let count = files.count, count != set.count {
            throw .input(ZynqError(file: files.images, key: "images", "has \(set.count) images, deploy.json's selftest.count says \(count)"))
        }
        let engine = try makeEngine(backend, model: model, modelName: files.model, bundle: bundle, manifest: nil, batch: batch)
        // The images and the expected outputs were made together by deploy: no range warning.
        let codes = try quantize(set, model: model, file: files.images, warn: false)
        let (result, _) = try runBatches(engine, codes, batch: batch)
        var board: [String: NDArray] = [:]
        for (k, v) in SelfTest.arrays(result) { board[k] = v }
        let r = try input { () throws(ZynqError) in
            try SelfTest.compare(expected: expected, expectedPath: files.expected, board: board, boardPath: "the \(engine.name)")
        }
        if a.flag("--json") {
            guard case .object(let fields) = r.json else { return }
            print(JSONText.object([("backend", .string(engine.name))] + fields).render())
        }
        guard r.passed else { throw .input(r.error) }
        if !a.flag("--json") { print(r.summary + " (\(engine.name))") }
    }
}
