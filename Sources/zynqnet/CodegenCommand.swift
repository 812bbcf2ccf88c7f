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
            requant "serial" or "pipelined", by default serial where it keeps up with the layer's MAC array; \
            a conv2d layer may take "serial" anyway, its slower rate then sets the layer's cycles and the II), \
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

    @OptionGroup var importOptions: ImportOptions

    @Option(help: "Board: pynq-z2 or zybo-z7-20 (or a board .json).")
    var board: BoardArgument

    @OptionGroup var design: DesignOptions

    @Option(name: .customLong("dma-length-width"), help: "AXI DMA length register width (8…26).")
    var dmaLengthWidth: Int = VivadoProject.defaultDMALengthWidth

    @Option(name: [.short, .customLong("output")], help: "Output directory: new, empty, or one codegen wrote (only its files are replaced).")
    var output: String

    @Flag(name: .customLong("allow-timing-failure"), help: "build.tcl keeps a bitstream that fails timing (recorded in manifest.json; bitstreams add refuses it).")
    var allowTimingFailure = false

    @Flag(help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        try importOptions.check(model: model)
        guard VivadoProject.fclkRange.contains(design.fclk) else {
            throw ValidationError("--fclk must be in \(VivadoProject.fclkRange.lowerBound)…\(VivadoProject.fclkRange.upperBound) MHz")
        }
        guard VivadoProject.dmaLengthWidthRange.contains(dmaLengthWidth) else {
            throw ValidationError("--dma-length-width must be 8…26")
        }
        guard !output.isEmpty else { throw ValidationError("-o must name a directory") }
    }

    func run() throws {
        // -o: new, empty or a folder codegen wrote; only codegen's own files are replaced.
        let plan = OutputPlan(inputs: [model, design.fold, board.file])
        let folder = try plan.folder(output, option: "-o", mode: .design)
        let q = try importOptions.model(model)
        let vboard = try board.resolve()
        var opts = try self.design.codegenOptions()
        opts.board = CodegenBoard(vboard)
        let design = try attribute(to: model) { try generateDesign(model: q, options: opts) }
        let info = VivadoDesignInfo(design: design)
        let estimate = EstimateReport(design: design, info: info, fclkMHz: self.design.fclk)
        try ScratchFolder.with(prefix: "zynqnet-codegen") { tmp in
            try design.writeFiles(into: URL(fileURLWithPath: tmp))
            try VivadoProject.write(design: info, board: vboard, fclkMHz: self.design.fclk, dmaLengthWidth: dmaLengthWidth,
                                   allowTimingFailure: allowTimingFailure, to: tmp)
            try estimate.write(to: tmp)
            try folder.writeTree(from: tmp)
        }
        try plan.commit()
        if json {
            try printJSON(summaryJSON(design, dir: output, board: vboard, modelImport: importOptions.json(path: model, model: q)))
        } else {
            print(summaryText(design, dir: output) + "\n" + vivadoNote(vboard))
        }
    }

    func summaryText(_ d: GeneratedDesign, dir: String) -> String {
        let t = d.layout.topology
        var s = "zynqnet codegen: \(t.inputCount) inputs -> " + t.layers.map { String($0.imageOutCodes) }.joined(separator: " -> ") + "\n"
        if d.engine == .sequential {
            s += "  sequential engine: one MAC and one serial requantizer compute "
                + t.layers.map { "\($0.inCount)x\($0.outCount)" }.joined(separator: ", ") + " in turn\n"
        }
        for (i, (l, f)) in zip(t.layers, d.layout.folds).enumerated() where d.engine == .dataflow {
            if let w = l.window, !l.hasParameters {
                s += "  layer \(i): maxpool2d \(w.kh)x\(w.kw) stride \(w.sh),\(w.sw) on \(w.h)x\(w.w)x\(w.c)  SIMD \(f.simd)  \(d.layout.cycles(layer: i)) cycles\n"
                continue
            }
            let conv = l.window.map { "conv2d \($0.kh)x\($0.kw) on \($0.h)x\($0.w)x\($0.c), \($0.ho * $0.wo) positions of " } ?? ""
            s += "  layer \(i): \(conv)\(l.inCount)x\(l.outCount)  PE \(f.pe)  SIMD \(f.simd)  lanes \(f.lanes)  \(d.styles[i].rawValue)  \(d.requantStyles[i].rawValue) requant  \(d.layout.cycles(layer: i)) cycles\n"
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

    func summaryJSON(_ d: GeneratedDesign, dir: String, board: ZynqNetHW.Board, modelImport: JSONText) -> JSONText {
        let t = d.layout.topology
        let e = d.estimate
        let layers: [JSONText] = zip(t.layers, d.layout.folds).enumerated().map { i, lf in
            .object([("in", .int(Int64(lf.0.inCount))), ("out", .int(Int64(lf.0.outCount))), ("pe", .int(Int64(lf.1.pe))),
                     ("simd", .int(Int64(lf.1.simd))), ("lanes", .int(Int64(lf.1.lanes))), ("mul_style", .string(d.styles[i].rawValue)),
                     ("requant", .string(d.requantStyles[i].rawValue)), ("cycles", .int(Int64(d.layout.cycles(layer: i))))])
        }
        return .object([
            ("output", .string(dir)), ("scripts_checked_by", .string("tcl-standin")), ("vivado_run", .bool(false)),
            ("board", .string(board.name)), ("unconfirmed_board_facts", .array(board.unconfirmed.map { .string($0) })),
            ("ii_cycles", .int(Int64(d.iiCycles))), ("latency_cycles", .int(Int64(d.latencyCycles))),
            ("images_per_second", .double(d.imagesPerSecond)), ("fclk_mhz", .double(d.fclkMHz)),
            ("topology_hash", .string(topologyHashText(t.hash))), ("axil_addr_width", .int(Int64(d.layout.axilAddressWidth))),
            ("engine", .string(d.engine.rawValue)),
            ("estimate", .object([("lut", .int(Int64(e.lut))), ("ff", .int(Int64(e.ff))), ("dsp", .int(Int64(e.dsp))), ("bram36", .double(e.bram36))])),
            ("layers", .array(layers)),
            ("model_import", modelImport),
        ])
    }
}
