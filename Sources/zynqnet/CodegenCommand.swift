import ArgumentParser
import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetVivado

/// `zynqnet codegen MODEL --board B -o DIR`: the RTL (library + generated top), the parameter
/// image, design.json, and the Vivado scripts and manifest.json (ZynqNetVivado).
struct CodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Generate the accelerator's RTL, parameter image and Vivado project scripts for a model.",
        discussion: """
            Engine: --engine sequential builds the smallest design, one multiply-accumulate and one serial \
            requantizer computing every layer in turn (also a fold file {"engine": "sequential"}). \
            Folding: --fold FILE ({"layers": [{"pe": P, "simd": S, "lanes": R, "mul_style": "packed", "requant": "serial"}, …]}; \
            requant "serial" or "pipelined", by default serial where it keeps up with the layer's MAC array), \
            or the cheapest folds reaching --target-fps at --fclk, or by default the fastest design whose \
            estimate fits the board (60 % of the LUTs, all 220 DSP48E1). Writes DIR/rtl/*.v, \
            DIR/parameters.hex (the AXI-Lite writes that load the model), DIR/design.json, \
            DIR/package_ip.tcl, DIR/build.tcl, DIR/manifest.json and DIR/report.json (the resource \
            model's estimate with II, latency and images/s; `zynqnet report DIR` replaces it with yosys \
            numbers), all or nothing. DIR must be new, empty or a folder codegen wrote: its \
            .zynqnet-files lists the files codegen wrote, and only those are replaced (files it no \
            longer writes are removed); everything else (Vivado's outputs, the bitstream, notes) is \
            left alone.
            """)

    @Argument(help: "The model (.npz, format 1 or 2, .onnx or .tflite).")
    var model: String

    @Option(help: "Board: pynq-z2 or zybo-z7-20 (or a board .json).")
    var board: String

    @Option(help: "FCLK0 in MHz.")
    var fclk: Double = 100

    @Option(help: "Fold file (JSON), one entry per layer.")
    var fold: String?

    @Option(help: "Engine: dataflow (a unit per layer, folded by --fold/--target-fps) or sequential (the smallest design: one MAC and one requantizer for all layers; same as a fold file {\"engine\": \"sequential\"}).")
    var engine: String?

    @Option(name: .customLong("target-fps"), help: "Images per second to reach (chooses the cheapest folds).")
    var targetFPS: Double?

    @Option(name: .customLong("mult-bits"), help: "Stored width of the requantization multipliers M (1…32).")
    var multBits: Int = 32

    @Option(name: .customLong("mul-style"), help: "Multipliers of layers the fold file does not set: packed, dsp or lut.")
    var mulStyle: String = "packed"

    @Option(name: .customLong("dma-length-width"), help: "AXI DMA length register width (8…26).")
    var dmaLengthWidth: Int = VivadoProject.defaultDMALengthWidth

    @Option(name: [.short, .customLong("output")], help: "Output directory: new, empty, or one codegen wrote (only its files are replaced).")
    var output: String

    @Flag(name: .customLong("allow-overfull"), help: "Accept a --fold whose design's estimate exceeds the board's LUT, FF, DSP or BRAM.")
    var allowOverfull = false

    @Flag(name: .customLong("allow-timing-failure"), help: "build.tcl keeps a bitstream that fails timing (recorded in manifest.json; bitstreams add refuses it).")
    var allowTimingFailure = false

    @Flag(help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        try CodegenOptions.validateFolding(fold: fold, targetFPS: targetFPS, engine: engine)
        guard VivadoProject.fclkRange.contains(fclk) else {
            throw ValidationError("--fclk must be in \(VivadoProject.fclkRange.lowerBound)…\(VivadoProject.fclkRange.upperBound) MHz")
        }
        guard (1...32).contains(multBits) else { throw ValidationError("--mult-bits must be 1…32") }
        guard MulStyle(rawValue: mulStyle) != nil else { throw ValidationError("--mul-style must be packed, dsp or lut") }
        if let t = targetFPS { guard t > 0, t.isFinite else { throw ValidationError("--target-fps must be positive") } }
        guard VivadoProject.dmaLengthWidthRange.contains(dmaLengthWidth) else {
            throw ValidationError("--dma-length-width must be 8…26")
        }
        guard !output.isEmpty else { throw ValidationError("-o must name a directory") }
    }

    func run() throws {
        // -o: new, empty or a folder codegen wrote; only codegen's own files are replaced.
        let plan = OutputPlan(inputs: [model, fold, board.hasSuffix(".json") ? board : nil])
        let folder = try plan.folder(output, option: "-o", mode: .design)
        let q = try ModelImport.model(model)
        let vboard = try ZynqNetHW.Board.resolve(board)
        var opts = try CodegenOptions.fromCommandLine(fclk: fclk, multBits: multBits, mulStyle: mulStyle, fold: fold, targetFPS: targetFPS, engine: engine)
        opts.board = vboard.name == "zybo-z7-20" ? .zyboZ720 : .pynqZ2
        opts.allowOverfull = allowOverfull
        let design = try attribute(to: model) { try generateDesign(model: q, options: opts) }
        let topo = design.layout.topology
        let info = VivadoDesignInfo(
            rtlFiles: design.rtlFiles.filter { $0.hasSuffix(".v") || $0.hasSuffix(".vh") },
            axilAddrWidth: design.layout.axilAddressWidth, topologyHash: topo.hash,
            inputRecordBytes: UInt64(OutputRecord.inputBeats(pixels: topo.inputCount) * OutputRecord.beatBytes),
            outputRecordBytes: UInt64(OutputRecord.beats(classes: topo.outputCount) * OutputRecord.beatBytes),
            iiCycles: UInt64(design.iiCycles), latencyCycles: UInt64(design.latencyCycles), engine: design.engine.rawValue)
        let estimate = EstimateReport(
            top: info.topModule, rtlFiles: info.rtlFiles, lut: UInt64(design.estimate.lut), ff: UInt64(design.estimate.ff),
            dsp: UInt64(design.estimate.dsp), bram36: design.estimate.bram36, fclkMHz: fclk,
            iiCycles: UInt64(design.iiCycles), latencyCycles: UInt64(design.latencyCycles),
            inputRecordBytes: info.inputRecordBytes, outputRecordBytes: info.outputRecordBytes)
        try ScratchFolder.with(prefix: "zynqnet-codegen") { tmp in
            try design.writeFiles(into: URL(fileURLWithPath: tmp))
            try VivadoProject.write(design: info, board: vboard, fclkMHz: fclk, dmaLengthWidth: dmaLengthWidth,
                                   allowTimingFailure: allowTimingFailure, to: tmp)
            try estimate.write(to: tmp)
            try folder.writeTree(from: tmp)
        }
        try plan.commit()
        if json {
            print(summaryJSON(design, dir: output, board: vboard))
        } else {
            print(summaryText(design, dir: output) + "\n" + vivadoNote(vboard))
        }
    }

    func summaryText(_ d: GeneratedDesign, dir: String) -> String {
        let t = d.layout.topology
        var s = "zynqnet codegen: \(t.inputCount) inputs -> " + t.layers.map { String($0.outCount) }.joined(separator: " -> ") + "\n"
        if d.engine == .sequential {
            s += "  sequential engine: one MAC and one serial requantizer compute "
                + t.layers.map { "\($0.inCount)x\($0.outCount)" }.joined(separator: ", ") + " in turn\n"
        }
        for (i, (l, f)) in zip(t.layers, d.layout.folds).enumerated() where d.engine == .dataflow {
            s += "  layer \(i): \(l.inCount)x\(l.outCount)  PE \(f.pe)  SIMD \(f.simd)  lanes \(f.lanes)  \(d.styles[i].rawValue)  \(d.requantStyles[i].rawValue) requant  \(d.layout.cycles(layer: i)) cycles\n"
        }
        s += "  II \(d.iiCycles) cycles = \(Int(d.imagesPerSecond)) images/s at \(d.fclkMHz) MHz, latency \(d.latencyCycles) cycles\n"
        s += "  estimate: \(d.estimate.lut) LUT, \(d.estimate.ff) FF, \(d.estimate.dsp) DSP48E1, \(d.estimate.bram36) RAMB36 (model; `zynqnet report` synthesizes)\n"
        s += "  topology hash \(topologyHashText(t.hash)), AXI-Lite AW \(d.layout.axilAddressWidth)\n"
        s += "wrote \(dir)"
        return s
    }

    /// What was and was not checked: build.tcl has not been run by Vivado here.
    func vivadoNote(_ b: ZynqNetHW.Board) -> String {
        "note: build.tcl and package_ip.tcl were checked by zynqnet's Tcl stand-in for Vivado (fpga/tcl/vivado_standin.tcl under tclsh, in zynqnet's tests), not by Vivado: no Vivado has run them\n"
            + "note: board facts for \(b.name) still marked unconfirmed: " + (b.unconfirmed.isEmpty ? "none" : b.unconfirmed.joined(separator: "; "))
    }

    func summaryJSON(_ d: GeneratedDesign, dir: String, board: ZynqNetHW.Board) -> String {
        let t = d.layout.topology
        func q(_ x: String) -> String { "\"" + x.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var s = "{\"output\": \"\(dir.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\", "
        s += "\"scripts_checked_by\": \"tcl-standin\", \"vivado_run\": false, \"board\": \(q(board.name)), "
        s += "\"unconfirmed_board_facts\": [" + board.unconfirmed.map(q).joined(separator: ", ") + "], "
        s += "\"ii_cycles\": \(d.iiCycles), \"latency_cycles\": \(d.latencyCycles), \"images_per_second\": \(jsonNumber(d.imagesPerSecond)), "
        s += "\"fclk_mhz\": \(jsonNumber(d.fclkMHz)), \"topology_hash\": \"\(topologyHashText(t.hash))\", "
        s += "\"axil_addr_width\": \(d.layout.axilAddressWidth), \"engine\": \"\(d.engine.rawValue)\", "
        s += "\"estimate\": {\"lut\": \(d.estimate.lut), \"ff\": \(d.estimate.ff), \"dsp\": \(d.estimate.dsp), \"bram36\": \(jsonNumber(d.estimate.bram36))}, "
        s += "\"layers\": [" + zip(t.layers, d.layout.folds).enumerated().map { i, lf in
            "{\"in\": \(lf.0.inCount), \"out\": \(lf.0.outCount), \"pe\": \(lf.1.pe), \"simd\": \(lf.1.simd), \"lanes\": \(lf.1.lanes), \"mul_style\": \"\(d.styles[i].rawValue)\", \"requant\": \"\(d.requantStyles[i].rawValue)\", \"cycles\": \(d.layout.cycles(layer: i))}"
        }.joined(separator: ", ") + "]}"
        return s
    }
}

extension CodegenOptions {
    /// The folding options `codegen` and `verify` share: --fold, --target-fps and --engine.
    static func validateFolding(fold: String?, targetFPS: Double?, engine: String?) throws {
        if fold != nil && targetFPS != nil { throw ValidationError("--fold and --target-fps exclude each other") }
        if let engine {
            guard let e = Engine(rawValue: engine) else { throw ValidationError("--engine must be dataflow or sequential") }
            if e == .sequential && (fold != nil || targetFPS != nil) {
                throw ValidationError("--engine sequential excludes --fold and --target-fps (it has no folds)")
            }
        }
    }

    /// The options `codegen` and `verify` share, from their command-line values (already validated).
    static func fromCommandLine(fclk: Double, multBits: Int, mulStyle: String, fold: String?, targetFPS: Double?,
                                engine: String? = nil) throws -> CodegenOptions {
        var opts = CodegenOptions()
        opts.fclkMHz = fclk
        opts.multBits = multBits
        opts.mulStyle = MulStyle(rawValue: mulStyle)!
        if let fold {
            let data = Data(try FileBytes.read(path: fold))  // "cannot open: No such file or directory", …
            opts.fold = .file(try FoldFile.parse(data, file: fold), name: fold)
        } else if let targetFPS {
            opts.fold = .targetFPS(targetFPS)
        } else if engine == Engine.sequential.rawValue {
            opts.fold = .file(.sequential, name: "--engine")
        }
        return opts
    }
}
