import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetSim

public struct VerifyOptions: Sendable {
    /// Seed of the TVALID gaps, TREADY stalls and AXI-Lite delays.
    public var seed: UInt64 = 1
    /// Percent of cycles without TVALID on s_axis, and without TREADY on m_axis.
    public var gapPercent: Int = 30
    public var stallPercent: Int = 30
    /// OUT_PACKET_IMAGES (TLAST every K images).
    public var packetImages: Int = 3
    /// Images re-sent without gaps or stalls to measure latency and II.
    public var timingImages: Int = 6
    /// Where Verilator builds are cached (a directory per RTL hash).
    public var buildRoot: URL
    /// Send an early TLAST on this image (checks STATUS.ERR_INPUT); nil for none.
    public var tlastErrorImage: Int? = nil
    /// Compile the simulation optimized (faster simulation, slower build); tests turn it off.
    public var optimize: Bool = true

    public init(buildRoot: URL) { self.buildRoot = buildRoot }
}

/// The outcome of a co-simulation.
public struct VerifyReport: Sendable {
    public var images: Int
    /// Output values and predictions that differ from the reference (0 expected), plus missing
    /// images, wrong sequence numbers and wrong TLASTs.
    public var mismatches: Int
    public var readbackMismatches: Int
    /// Layer and window registers (`RegisterMap.layoutRegisters`) that read otherwise than the
    /// model's layout says (-1: not reported).
    public var registerMismatches: Int = -1
    /// What the top's layout registers read, by byte offset.
    public var registerReads: [UInt32: UInt32] = [:]
    public var iiCycles: Int
    public var latencyCycles: Int
    public var rtlCyclesPerSecond: Double
    public var cycles: Int
    public var status: UInt32
    public var protocolCheck: String
    public var messages: [String]
    public var buildReused: Bool

    /// Distinct images simulated; `images` also counts the ones re-sent for timing.
    public var inputImages: Int = 0

    public var passed: Bool { mismatches == 0 && readbackMismatches == 0 && registerMismatches == 0 && protocolCheck == "ok" }

    /// Images re-sent without gaps or stalls to measure latency and II (counted in `images`).
    public var resentImages: Int { max(0, images - inputImages) }
    /// The steady-state II needs the second and a later timing image: at least this many images.
    public static let minimumImagesForII = 3
    /// The measured II and latency; nil when the run was too short to measure them.
    public var measuredII: Int? { iiCycles >= 0 ? iiCycles : nil }
    public var measuredLatency: Int? { latencyCycles >= 0 ? latencyCycles : nil }
}

public enum Verify {
    /// The FNV-1a 64 key of a simulation build: RTL, harness and tool flags.
    public static func buildKey(_ design: GeneratedDesign, optimize: Bool) -> String {
        var bytes: [UInt8] = Array(hex64(design.rtlHash).utf8)
        for (n, t) in EmbeddedRTLSim.harness { bytes += Array(n.utf8) + Array(t.utf8) }
        bytes += Array((RegisterMap.cHeaderName + RegisterMap.cHeader()).utf8)
        bytes += Array((verilatorFlags + makeFlags(optimize: optimize)).joined(separator: " ").utf8)
        return hex64(fnv1a64(bytes))
    }

    static func makeFlags(optimize: Bool) -> [String] {
        let o = optimize ? "-O2" : "-O0"
        return ["-MAKEFLAGS", "-j2 OPT_FAST=\(o) OPT_SLOW=-O0 OPT_GLOBAL=\(o)"]
    }

    static let verilatorFlags = ["--cc", "--exe", "--build", "-O3", "--x-assign", "unique", "--x-initial", "unique",
                                 "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "zynqnet_accel"]

    /// Builds (or reuses) the Verilator model of `design`; returns the executable.
    public static func build(_ design: GeneratedDesign, root: URL, optimize: Bool = true) throws -> (URL, Bool) {
        let fm = FileManager.default
        let dir = root.appendingPathComponent(buildKey(design, optimize: optimize))
        let exe = dir.appendingPathComponent("obj/Vsim")
        if fm.isExecutableFile(atPath: exe.path) { return (exe, true) }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        // Build in a private directory, then rename (another process may build the same key).
        let tmp = root.appendingPathComponent(".build-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        Termination.removeOnExit(tmp.path)
        defer {
            try? fm.removeItem(at: tmp)
            Termination.forget(tmp.path)
        }
        let src = tmp.appendingPathComponent("src")
        try fm.createDirectory(at: src, withIntermediateDirectories: true)
        for p in design.rtlFiles {
            try design.files[p]!.write(to: src.appendingPathComponent((p as NSString).lastPathComponent), atomically: false, encoding: .utf8)
        }
        for (n, t) in EmbeddedRTLSim.harness { try t.write(to: src.appendingPathComponent(n), atomically: false, encoding: .utf8) }
        try RegisterMap.cHeader().write(to: src.appendingPathComponent(RegisterMap.cHeaderName), atomically: false, encoding: .utf8)
        let vfiles = design.rtlFiles.map { (($0 as NSString).lastPathComponent) }.filter { $0.hasSuffix(".v") }
        let args = verilatorFlags + ["-Isrc", "--Mdir", "obj", "-o", "Vsim"] + makeFlags(optimize: optimize) +
            vfiles.map { "src/" + $0 } + EmbeddedRTLSim.harness.map { "src/" + $0.0 }.filter { $0.hasSuffix(".cpp") }
        // ccache (when installed) keeps the Verilator runtime objects between builds.
        var env = ProcessInfo.processInfo.environment
        if env["OBJCACHE"] == nil, fm.isExecutableFile(atPath: "/usr/bin/ccache") { env["OBJCACHE"] = "ccache" }
        let r = try runTool("verilator", args, cwd: tmp, environment: env)
        guard r.status == 0 else {
            let tail = r.output.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw ZynqError(key: "verilator", "build failed:\n\(tail)")
        }
        if fm.fileExists(atPath: dir.path) { try? fm.removeItem(at: dir) }
        try fm.moveItem(at: tmp, to: dir)
        return (dir.appendingPathComponent("obj/Vsim"), false)
    }

    /// Co-simulates `design` (generated from `model`) on `images` (input codes) and compares every
    /// output beat with the fast simulator (`Simulator`, equal to the spec reference).
    public static func run(design: GeneratedDesign, model: QuantizedModel, images: [[UInt8]],
                           options: VerifyOptions) throws -> VerifyReport {
        let topo = design.layout.topology
        for (i, img) in images.enumerated() where img.count != topo.inputCount {
            throw ZynqError(key: "image \(i)", "has \(img.count) pixels, the model takes \(topo.inputCount)")
        }
        let (exe, reused) = try build(design, root: options.buildRoot, optimize: options.optimize)
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("zynqnet-verify-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        Termination.removeOnExit(work.path)
        defer {
            try? fm.removeItem(at: work)
            Termination.forget(work.path)
        }

        // Job file.
        var job = "seed \(options.seed)\ngap \(options.gapPercent)\nstall \(options.stallPercent)\n"
        job += "packet \(options.packetImages)\ntiming \(options.timingImages)\ntlast_error \(options.tlastErrorImage ?? -1)\n"
        for w in design.parameterImage.registerWrites { job += "write \(hex32(w.offset)) \(hex32(w.value))\n" }
        for b in design.parameterImage.blocks {
            job += "readback \(hex32(b.select)) \(b.chunks.count)\n"
            for c in b.chunks { job += hex32(c) + "\n" }
        }
        for r in RegisterMap.layoutRegisters(design.layout) { job += "read \(hex32(r.offset))\n" }
        let bpi = OutputRecord.inputBeats(pixels: topo.inputCount)
        job += "beats \(bpi) images \(images.count)\n"
        for img in images { for beat in OutputRecord.packInput(img) { job += hex64(beat) + "\n" } }
        let jobURL = work.appendingPathComponent("job.txt"), resURL = work.appendingPathComponent("result.txt")
        try job.write(to: jobURL, atomically: false, encoding: .utf8)
        let r = try runTool(exe.path, [jobURL.path, resURL.path, "+verilator+seed+\(options.seed % 1_000_000 + 1)",
                                       "+verilator+rand+reset+2"], cwd: work)
        guard r.status == 0 else { throw ZynqError(key: "simulation", "the harness failed: \(r.output.prefix(500))") }
        let text = try String(contentsOf: resURL, encoding: .utf8)
        // The reference: ZynqNetSim's Simulator on the same input codes.
        let codes = try InputCodes(type: model.input.type, width: topo.inputCount, bytes: images.flatMap { $0 })
        let sim = try Simulator(model: model).run(codes)
        let refs = (0..<images.count).map { i in
            Expected(values: Array(sim.output(i)), prediction: sim.predictions[i])
        }
        return compare(result: text, design: design, expected: refs, options: options, reused: reused)
    }

    struct Expected {
        var values: [Int32]
        var prediction: Int
    }

    static func compare(result: String, design: GeneratedDesign, expected refs: [Expected],
                        options: VerifyOptions, reused: Bool) -> VerifyReport {
        let topo = design.layout.topology
        let classes = topo.outputCount
        var messages: [String] = []
        var kv: [String: String] = [:]
        var outs: [[UInt64]] = []
        var tlasts: [String] = []
        var reads: [UInt32: UInt32] = [:]
        for line in result.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let key = parts.first else { continue }
            let rest = parts.count > 1 ? parts[1] : ""
            switch key {
            case "out": outs.append(rest.split(separator: " ").map { UInt64($0, radix: 16) ?? 0 })
            case "tlast": tlasts.append(rest)
            case "readback_mismatch": messages.append("read-back: " + rest)
            case "register":
                let f = rest.split(separator: " ")
                if f.count == 2, let a = UInt32(f[0], radix: 16), let v = UInt32(f[1], radix: 16) { reads[a] = v }
            default: kv[key] = rest
            }
        }
        var mismatches = 0
        if UInt32(kv["magic"] ?? "", radix: 16) != RegisterMap.magic { mismatches += 1; messages.append("MAGIC reads \(kv["magic"] ?? "?")") }
        if UInt64(kv["hash"] ?? "", radix: 16) != topo.hash { mismatches += 1; messages.append("TOPOLOGY_HASH reads \(kv["hash"] ?? "?")") }
        let timing = min(options.timingImages, refs.count)
        let order = Array(refs.indices) + Array(0..<timing)
        for (j, idx) in order.enumerated() {
            guard j < outs.count else {
                mismatches += 1
                if messages.count < 20 { messages.append("output image \(j) (input \(idx)) missing") }
                continue
            }
            let expected = refs[idx]
            guard let d = OutputRecord.decode(outs[j], classes: classes) else {
                mismatches += 1
                continue
            }
            var bad: [String] = []
            if d.classIndex != UInt32(expected.prediction) { bad.append("class \(d.classIndex) expected \(expected.prediction)") }
            if d.sequence != UInt32(j) { bad.append("sequence \(d.sequence) expected \(j)") }
            for k in 0..<classes where d.values[k] != UInt8(truncatingIfNeeded: expected.values[k]) {
                bad.append("value[\(k)] \(d.values[k]) expected \(UInt8(truncatingIfNeeded: expected.values[k]))")
            }
            // Padding bytes of the last value beat must be zero.
            if classes % 8 != 0, let lastBeat = outs[j].last, lastBeat >> UInt64(8 * (classes % 8)) != 0 {
                bad.append("padding bytes not zero")
            }
            let wantLast = (j + 1) % max(options.packetImages, 1) == 0
            if j < tlasts.count, tlasts[j] != (wantLast ? "1" : "0") { bad.append("TLAST '\(tlasts[j])' expected \(wantLast ? 1 : 0)") }
            if !bad.isEmpty {
                mismatches += bad.count
                if messages.count < 20 { messages.append("image \(j) (input \(idx)): " + bad.prefix(4).joined(separator: ", ")) }
            }
        }
        if outs.count > order.count { mismatches += outs.count - order.count; messages.append("\(outs.count - order.count) extra output images") }
        let status = UInt32(kv["status"] ?? "", radix: 16) ?? 0xFFFF_FFFF
        let wantErr = options.tlastErrorImage != nil
        if RegisterMap.STATUS_ERR_INPUT.isSet(status) != wantErr {
            mismatches += 1
            messages.append("STATUS.ERR_INPUT is \(RegisterMap.STATUS_ERR_INPUT.extract(status)), expected \(wantErr ? 1 : 0)")
        }
        if RegisterMap.STATUS_BUSY.isSet(status) || RegisterMap.STATUS_ERR_PARAM.isSet(status) {
            mismatches += 1
            messages.append("STATUS \(hex32(status)): busy or parameter error after the run")
        }
        for (k, want) in [("images_in", order.count), ("images_out", order.count), ("in_flight", 0)] where Int(kv[k] ?? "") != want {
            mismatches += 1
            messages.append("\(k) reads \(kv[k] ?? "?"), expected \(want)")
        }
        var registerMismatches = 0
        for r in RegisterMap.layoutRegisters(design.layout) where reads[r.offset] != r.value {
            registerMismatches += 1
            if messages.count < 20 { messages.append("\(r.name) reads \(reads[r.offset].map { hex32($0) } ?? "nothing"), expected \(hex32(r.value))") }
        }
        let cycles = Int(kv["cycles"] ?? "") ?? 0
        let secs = Double(kv["sim_seconds"] ?? "") ?? 0
        var report = VerifyReport(images: order.count, mismatches: mismatches,
                                  readbackMismatches: Int(kv["readback_mismatches"] ?? "") ?? -1,
                                  iiCycles: Int(kv["ii_cycles"] ?? "") ?? -1, latencyCycles: Int(kv["latency_cycles"] ?? "") ?? -1,
                                  rtlCyclesPerSecond: secs > 0 ? Double(cycles) / secs : 0, cycles: cycles, status: status,
                                  protocolCheck: kv["protocol"] ?? "missing", messages: messages, buildReused: reused,
                                  inputImages: refs.count)
        report.registerMismatches = registerMismatches
        report.registerReads = reads
        return report
    }
}

/// Runs a tool (searched in PATH) in its own process group (ended with zynqnet on SIGINT or
/// SIGTERM: `Subprocess`) and returns its exit status and combined output.
public func runTool(_ tool: String, _ args: [String], cwd: URL? = nil,
                    environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    try Subprocess.run(tool, args, cwd: cwd?.path, environment: environment)
}
