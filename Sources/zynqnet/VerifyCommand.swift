import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// `zynqnet verify MODEL [IMAGES]`: co-simulates the generated RTL with Verilator against the simulator.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Co-simulate the generated RTL (Verilator) and compare every output with the simulator.",
        discussion: """
            Generates the design as `codegen` would, builds it with verilator (cached by design hash in \
            --build-dir), loads the parameter image over AXI-Lite and reads it back, streams the images \
            with random TVALID gaps and TREADY stalls (seeded), then re-sends the first few without gaps \
            to measure the latency and the initiation interval. Without IMAGES, random images are used. \
            Exit status 1 when anything differs.
            """)

    @Argument(help: "The model (.npz, .onnx or .tflite).")
    var model: String

    @OptionGroup var importOptions: ImportOptions

    @Argument(help: "Images (.npz, IDX or .npy); random images when absent.")
    var images: String?

    @Option(name: .customLong("images"), help: "How many images to simulate.")
    var count: Int = 16

    @Option(help: "Seed of the random images, gaps, stalls and AXI-Lite delays.")
    var seed: UInt64 = 1

    @OptionGroup var design: DesignOptions

    @Option(help: "Percent of cycles without TVALID on the input stream.")
    var gap: Int = 30

    @Option(help: "Percent of cycles without TREADY on the output stream.")
    var stall: Int = 30

    @Option(name: .customLong("build-dir"), help: "Verilator build cache (default: $ZYNQNET_CACHE or ~/.cache/zynqnet/verilator).")
    var buildDir: String?

    @Flag(name: .customLong("quick-build"), help: "Compile the simulation without optimization (faster build, slower run).")
    var quickBuild = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// --build-dir, else $ZYNQNET_CACHE/verilator, else ~/.cache/zynqnet/verilator.
    var buildRoot: String {
        let env = ProcessInfo.processInfo.environment
        return buildDir ?? env["ZYNQNET_CACHE"].map { $0 + "/verilator" }
            ?? (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/zynqnet/verilator"
    }

    func validate() throws {
        try importOptions.check(model: model)
        guard count >= 1, count <= 1_000_000 else { throw ValidationError("--images must be 1…1000000") }
        guard (0...95).contains(gap), (0...95).contains(stall) else { throw ValidationError("--gap and --stall must be 0…95") }
        guard design.fclk > 0, design.fclk <= 500 else { throw ValidationError("--fclk must be in (0, 500]") }
    }

    func run() throws {
        // The build cache: only folders of Verilator builds (a 16-hex-digit key each) and the
        // private build folders of running verifies; never a folder of other files.
        let root = buildRoot
        try OutputPlan(inputs: [model, images, design.fold]).cache(root, option: "--build-dir") { entry in
            (entry.count == 16 && entry.allSatisfy(\.isHexDigit)) || entry.hasPrefix(".build-")
        }
        if let images, ModelImport.kind(of: model) == .npz { try ModelShapes(path: model).checkImages(path: images) }
        let q = try importOptions.model(model)
        let opts = try self.design.codegenOptions()
        let design = try attribute(to: model) { try generateDesign(model: q, options: opts) }
        var imgs: [[UInt8]] = []
        if let images {
            let set = try ImageSet.load(path: images)
            if let w = InputQuantizer(model: q).rangeWarning(set.images) { Terminal.printErr("warning: \(images): \(w)") }
            let codes = try attribute(to: images) { try InputQuantizer(model: q).quantize(set.images) }
            let n = min(count, codes.count)
            for i in 0..<n { imgs.append(Array(codes.bytes[(i * codes.width)..<((i + 1) * codes.width)])) }
        } else {
            var rng = SeededRandom(seed: seed)
            imgs = (0..<count).map { _ in (0..<q.inputCount).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        }
        guard !imgs.isEmpty else { throw ZynqError(file: images, key: "images", "no images") }
        var vo = VerifyOptions(buildRoot: URL(fileURLWithPath: root))
        vo.seed = seed
        vo.gapPercent = gap
        vo.stallPercent = stall
        vo.optimize = !quickBuild
        if !json { FileHandle.standardError.write(Data("verify: building with verilator in \(root) (cached)\n".utf8)) }
        if imgs.count < count && !json {
            Terminal.printErr("verify: note: \(images ?? "IMAGES") holds \(imgs.count) image(s), fewer than --images \(count): simulating \(imgs.count)")
        }
        let ticker = ElapsedTicker("verify: \(imgs.count) image(s) through the Verilator model of the design…", enabled: !json && Terminal.stderrIsTTY)
        let r: VerifyReport
        do { r = try Verify.run(design: design, model: q, images: imgs, options: vo) } catch { ticker.finish(); throw error }
        ticker.finish()
        let iiText = r.measuredII.map { "II \($0) cycles" } ?? "II not measured (needs ≥ \(VerifyReport.minimumImagesForII) images)"
        let latencyText = r.measuredLatency.map { "latency \($0) cycles" } ?? "latency not measured"
        if json {
            func int(_ v: Int?) -> JSONText { v.map { .int(Int64($0)) } ?? .null }
            try printJSON(JSONText.object([
                ("images", int(r.images)), ("images_requested", int(count)), ("images_input", int(r.inputImages)),
                ("images_resent_for_timing", int(r.resentImages)), ("mismatches", int(r.mismatches)),
                ("readback_mismatches", int(r.readbackMismatches)), ("register_mismatches", int(r.registerMismatches)), ("ii_cycles", int(r.measuredII)), ("latency_cycles", int(r.measuredLatency)),
                ("rtl_cycles_per_second", .double(r.rtlCyclesPerSecond.rounded())), ("cycles", int(r.cycles)),
                ("design_ii_cycles", int(design.iiCycles)), ("design_latency_cycles", int(design.latencyCycles)),
                ("passed", .bool(r.passed)), ("build_reused", .bool(r.buildReused)),
                ("model_import", importOptions.json(path: model, model: q)),
                ("messages", .array(r.messages.map { .string($0.replacingOccurrences(of: "\"", with: "'")) })),
            ]))
        } else {
            for m in r.messages { print("  " + m) }
            let resent = r.resentImages > 0 ? " (+ \(r.resentImages) re-sent without gaps to time them)" : ""
            print("images \(r.inputImages)\(resent), mismatches \(r.mismatches), read-back mismatches \(r.readbackMismatches), register mismatches \(r.registerMismatches), protocol \(r.protocolCheck)")
            print("\(iiText) (design \(design.iiCycles)), \(latencyText) (design \(design.latencyCycles)), RTL \(Int(r.rtlCyclesPerSecond)) cycles/s")
            print(r.passed ? "PASS: bit-exact" : "FAIL")
        }
        if !r.passed { throw ExitCode(1) }
    }
}

/// SplitMix64 for reproducible random images.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
