import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The board a design is generated for, as its board file (fpga/boards/*.json, `Board`) names it.
/// Codegen needs only the names for messages: every supported part is an xc7z020 (`Board.check`).
public struct CodegenBoard: Sendable, Equatable {
    public var name: String
    public var part: String
    /// The whole device (`--allow-overfull` checks against it).
    public var budget: ResourceBudget { .xc7z020 }

    public init(name: String, part: String) {
        self.name = name
        self.part = part
    }

    public init(_ board: Board) { self.init(name: board.name, part: board.part) }
}

public struct CodegenOptions: Sendable {
    public enum FoldChoice: Sendable, Equatable {
        /// The lowest II whose estimate fits `budget`.
        case fastest
        /// The cheapest folds reaching `fps` images/s at `fclkMHz`.
        case targetFPS(Double)
        /// Folds from a `--fold` file.
        case file(FoldFile, name: String)
    }

    public var board: CodegenBoard
    public var fclkMHz: Double
    public var fold: FoldChoice
    /// Stored width of every M (1…32).
    public var multBits: Int
    /// Multiplier style of layers a fold file does not set.
    public var mulStyle: MulStyle
    /// A register every REG_EVERY adder-tree levels.
    public var regEvery: Int
    /// What automatic folding may use.
    public var budget: ResourceBudget
    /// Accept a fold file whose design's estimate exceeds the board (`--allow-overfull`).
    public var allowOverfull = false

    public init(board: CodegenBoard = CodegenBoard(name: "pynq-z2", part: "xc7z020clg400-1"), fclkMHz: Double = 100, fold: FoldChoice = .fastest, multBits: Int = 32,
                mulStyle: MulStyle = .packed, regEvery: Int = 2, budget: ResourceBudget = .xc7z020Auto) {
        self.board = board
        self.fclkMHz = fclkMHz
        self.fold = fold
        self.multBits = multBits
        self.mulStyle = mulStyle
        self.regEvery = regEvery
        self.budget = budget
    }
}

/// Everything `generateDesign` produces. `files` maps paths relative to the output directory to
/// their contents: `rtl/` (library and generated top), `parameters.hex` and `design.json`.
public struct GeneratedDesign: Sendable {
    public var files: [String: String]
    public var layout: AcceleratorLayout
    public var styles: [MulStyle]
    /// Each layer's requantizer (zn_requant or zn_requant_serial).
    public var requantStyles: [RequantStyle] = []
    public var estimate: ResourceEstimate
    public var board: CodegenBoard
    public var fclkMHz: Double
    public var parameterImage: ParameterImage
    public var regEvery: Int
    /// Dataflow (a unit per layer) or the sequential engine (`layout.folds` are then all 1).
    public var engine: Engine = .dataflow
    /// The top's shell instances (`Netlist.shellInstances`: the instances with role `.shell`).
    public var shellInstances: [String] = []
    /// The shell's share of `estimate` (register file, output stream: `ResourceModel.shell`).
    public var shellEstimate: ResourceEstimate {
        ResourceModel.shell(layout.topology, engine: engine, argmax: ArgmaxStyle.automatic(layout))
    }
    /// The sequential engine's exact II and latency (set by `generateDesign`).
    var sequentialTiming: (ii: Int, latency: Int)?

    public var iiCycles: Int { sequentialTiming?.ii ?? layout.iiCycles }
    public var topologyHash: UInt64 { layout.topology.hash }
    public var imagesPerSecond: Double { fclkMHz * 1e6 / Double(iiCycles) }
    /// Cycles from an image's first input beat to its last output beat through an empty
    /// pipeline (`PipelineTiming`, `SequentialEngine`; what `zynqnet verify` measures).
    public var latencyCycles: Int {
        sequentialTiming?.latency ?? PipelineTiming.latencyCycles(layout: layout, regEvery: regEvery, requant: requantStyles)
    }

    /// The RTL files (paths under `rtl/`), sorted; the top is `rtl/zynqnet_accel.v`.
    public var rtlFiles: [String] { files.keys.filter { $0.hasPrefix("rtl/") }.sorted() }

    /// FNV-1a 64 over every RTL file's path and text: the key of simulation build caches.
    public var rtlHash: UInt64 {
        var bytes: [UInt8] = []
        for p in rtlFiles {
            bytes += Array(p.utf8) + [0] + Array(files[p]!.utf8) + [0]
        }
        return fnv1a64(bytes)
    }

    /// Writes every file under `dir` (which must exist).
    public func writeFiles(into dir: URL) throws {
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
    }

    /// Writes the design to `dir` all or nothing (`OutputPlan`): `dir` must be new, empty or a
    /// folder zynqnet wrote; only the files it lists are replaced.
    public func write(to dir: URL) throws {
        let plan = OutputPlan(inputs: [])
        let folder = try plan.folder(dir.path, option: "-o", mode: .design)
        try ScratchFolder.with(prefix: "zynqnet-design") { tmp in
            try writeFiles(into: URL(fileURLWithPath: tmp))
            try folder.writeTree(from: tmp)
        }
        try plan.commit()
    }
}

/// Generates the hardware for `model`: folds, widths, the generated top, the library copy, the
/// parameter image. Throws a one-line `ZynqError` for an impossible fold or an over-budget design.
public func generateDesign(model: QuantizedModel, options: CodegenOptions) throws -> GeneratedDesign {
    guard options.fclkMHz > 0, options.fclkMHz <= 500 else {
        throw ZynqError(key: "--fclk", "must be in (0, 500] MHz, got \(options.fclkMHz)")
    }
    guard (1...8).contains(options.regEvery) else { throw ZynqError(key: "reg_every", "must be 1…8") }
    let topo = try Topology(model: model, multBits: options.multBits)
    if case .file(let ff, let name) = options.fold, ff.engine == .sequential {
        return try generateSequential(model: model, topology: topo, options: options, foldName: name, foldFile: ff)
    }
    var folds: [LayerFold]
    var styles = [MulStyle](repeating: options.mulStyle, count: topo.layers.count)
    var requantChoice = [RequantStyle?](repeating: nil, count: topo.layers.count)
    switch options.fold {
    case .file(let ff, let name):
        guard ff.layers.count == topo.layers.count else {
            throw ZynqError(file: name, key: "layers", "has \(ff.layers.count) entries, the model has \(topo.layers.count) layers")
        }
        folds = []
        for (i, (l, t)) in zip(ff.layers, topo.layers).enumerated() {
            guard t.outCount % l.pe == 0 else {
                throw ZynqError(file: name, key: "layers[\(i)].pe", "PE \(l.pe) does not divide layer \(i)'s \(t.outCount) outputs")
            }
            guard t.inCount % l.simd == 0 else {
                throw ZynqError(file: name, key: "layers[\(i)].simd", "SIMD \(l.simd) does not divide layer \(i)'s \(t.inCount) inputs")
            }
            if let w = t.window, t.hasParameters ? w.split(simd: l.simd) == nil : w.c % l.simd != 0 {
                throw ZynqError(file: name, key: "layers[\(i)].simd", t.hasParameters ? WindowShape.splitError(simd: l.simd, w, layer: "layer \(i)'s")
                                : "SIMD \(l.simd) does not divide layer \(i)'s \(w.c) input channels")
            }
            if !t.hasParameters && (l.pe != l.simd || (l.lanes ?? l.simd) != l.simd) {
                throw ZynqError(file: name, key: "layers[\(i)].pe", "layer \(i) is maxpool2d: its one fold is its channel lanes, PE and lanes must equal SIMD \(l.simd)")
            }
            let cycles = LayerCycles.cycles(t, LayerFold(pe: l.pe, simd: l.simd, lanes: l.pe))
            let lanes = l.lanes ?? (t.hasParameters ? Folding.lanes(out: t.imageOutCodes, pe: l.pe, ii: cycles) : l.simd)
            guard l.pe % lanes == 0 else {
                throw ZynqError(file: name, key: "layers[\(i)].lanes", "\(lanes) lanes do not divide PE \(l.pe)")
            }
            folds.append(LayerFold(pe: l.pe, simd: l.simd, lanes: lanes))
            if let s = l.mul_style { styles[i] = s }
            requantChoice[i] = l.requant
        }
    case .targetFPS(let fps):
        guard fps > 0 else { throw ZynqError(key: "--target-fps", "must be positive") }
        let ii = Int((options.fclkMHz * 1e6 / fps).rounded(.down))
        guard ii >= Folding.minimumII(topo) else {
            throw ZynqError(key: "--target-fps", "\(fps) images/s needs an II of \(ii) cycles at \(options.fclkMHz) MHz; the streams alone need \(Folding.minimumII(topo))")
        }
        guard let f = Folding.plan(topo, ii: ii, style: options.mulStyle) else {
            throw ZynqError(key: "--target-fps", "no fold reaches an II of \(ii) cycles")
        }
        folds = f.folds
        requantChoice = f.requant
        let e = estimate(topo, folds, styles, requant: f.requant)
        if let over = e.exceeds(options.budget) {
            throw ZynqError(key: "--target-fps", "\(fps) images/s (II \(ii)) needs more than the \(options.board.name) budget: \(over)")
        }
    case .fastest:
        var chosen: Folding.Plan?
        for ii in Folding.candidateIIs(topo) {
            guard let f = Folding.plan(topo, ii: ii, style: options.mulStyle) else { continue }
            if estimate(topo, f.folds, styles, requant: f.requant).exceeds(options.budget) == nil {
                chosen = f
                break
            }
        }
        guard let c = chosen else {
            throw ZynqError(key: "fold", "even the smallest fold exceeds the \(options.board.name) budget")
        }
        folds = c.folds
        requantChoice = c.requant
    }
    var layout = try AcceleratorLayout(topology: topo, folds: folds)
    var requant: [RequantStyle] = []
    for (i, (t, f)) in zip(topo.layers, folds).enumerated() {
        let auto = RequantStyle.automatic(t, f)
        if requantChoice[i] == .serial, let why = RequantStyle.serialBuilds(t), case .file(_, let name) = options.fold {
            throw ZynqError(file: name, key: "layers[\(i)].requant", "\(why); use \"pipelined\"")
        }
        // A conv2d layer may take a serial requantizer slower than its MAC array (its rate is
        // charged to the II); a dense layer only one that keeps up.
        if requantChoice[i] == .serial && !RequantStyle.options(t, f).contains(.serial), case .file(_, let name) = options.fold {
            let need = (f.pe / f.lanes) * PipelineTiming.serialRequantWordCycles(t, lanes: f.lanes)
            throw ZynqError(file: name, key: "layers[\(i)].requant",
                            "the serial requantizer needs \(need) cycles per MAC output word, layer \(i) delivers one every \(t.inCount / f.simd) (IN/SIMD); use \"pipelined\" or a smaller SIMD/PE")
        }
        requant.append(requantChoice[i] ?? auto)
    }
    layout.serialRequant = requant.map { $0 == .serial }
    let est = estimate(topo, folds, styles, requant: requant)
    if case .file(_, let name) = options.fold, !options.allowOverfull, let over = est.exceeds(options.board.budget) {
        throw ZynqError(file: name, key: "layers",
                        "the design does not fit the \(options.board.name)'s \(options.board.part): \(over) (estimate); use smaller PE/SIMD, or --allow-overfull")
    }
    return try assemble(model: model, layout: layout, styles: styles, requant: requant,
                        estimate: est, options: options) {
        try VerilogTop.netlist(layout: layout, styles: styles, requant: requant, regEvery: options.regEvery)
    }
}

/// A design's files around its generated top (`top()`, printed): the RTL library, the parameter
/// image and design.json; `configure` sets what the design's kind adds before design.json is rendered.
func assemble(model: QuantizedModel, layout: AcceleratorLayout, styles: [MulStyle], requant: [RequantStyle],
              estimate est: ResourceEstimate, options: CodegenOptions, configure: (inout GeneratedDesign) -> Void = { _ in },
              top: () throws -> Netlist) throws -> GeneratedDesign {
    let image = try ParameterImage(model: model, layout: layout)
    let netlist = try top()
    var files: [String: String] = [:]
    for (name, text) in EmbeddedRTL.rtlLibrary { files["rtl/" + name] = text }
    files["rtl/zynqnet_accel.v"] = netlist.verilog
    files["parameters.hex"] = image.hexText
    var design = GeneratedDesign(files: files, layout: layout, styles: styles, estimate: est, board: options.board,
                                 fclkMHz: options.fclkMHz, parameterImage: image, regEvery: options.regEvery)
    design.requantStyles = requant
    design.shellInstances = netlist.shellInstances
    configure(&design)
    design.files["design.json"] = DesignJSON.render(design)
    return design
}

/// The sequential engine's design (`{"engine": "sequential"}`).
func generateSequential(model: QuantizedModel, topology topo: Topology, options: CodegenOptions, foldName: String,
                        foldFile: FoldFile) throws -> GeneratedDesign {
    if !foldFile.layers.isEmpty && foldFile.layers.count != topo.layers.count {
        throw ZynqError(file: foldName, key: "layers", "has \(foldFile.layers.count) entries, the model has \(topo.layers.count) layers")
    }
    let w = try SequentialEngine.widths(topo, key: "\(foldName): engine")
    let layout = try AcceleratorLayout(topology: topo, folds: TradeoffCurve.smallestFolds(topo))
    let ii = try SequentialEngine.iiCycles(topo), latency = try SequentialEngine.latencyCycles(topo)
    let est = try SequentialEngine.estimate(topo)
    if let over = est.exceeds(options.board.budget) {
        throw ZynqError(file: foldName, key: "engine", "the sequential design needs more than the \(options.board.name): \(over)")
    }
    let n = topo.layers.count
    return try assemble(model: model, layout: layout, styles: [MulStyle](repeating: .dsp, count: n),
                        requant: [RequantStyle](repeating: .serial, count: n), estimate: est, options: options,
                        configure: { d in
                            d.engine = .sequential
                            d.sequentialTiming = (ii, latency)
                        }) {
        try VerilogTop.netlistSequential(layout: layout, widths: w, iiCycles: ii)
    }
}

/// The resource estimate; `requant` nil: each layer's automatic requantizer choice.
func estimate(_ topo: Topology, _ folds: [LayerFold], _ styles: [MulStyle], requant: [RequantStyle]? = nil) -> ResourceEstimate {
    let argmax = zip(topo.layers, folds).map { ArgmaxStyle.automatic($0, $1) }.last ?? .tree
    var e = ResourceModel.fixed(layers: topo.layers.count, classes: topo.outputCount, firstSIMD: folds.isEmpty ? 1 : topo.layers[0].inputLanes(folds[0]),
                                output: .words(argmax: argmax))
    for (i, (t, f)) in zip(topo.layers, folds).enumerated() {
        e = e + ResourceModel.layer(t, f, style: styles[i], requant: requant?[i])
    }
    return e
}

/// `design.json`: the design's facts for scripts (verify harness, Tcl, runtime). Deterministic.
enum DesignJSON {
    static func render(_ d: GeneratedDesign) -> String {
        let t = d.layout.topology
        var s = "{\n"
        s += "  \"format\": 1,\n"
        s += "  \"top\": \"zynqnet_accel\",\n"
        s += "  \"engine\": \"\(d.engine.rawValue)\",\n"
        s += "  \"board\": \"\(d.board.name)\",\n"
        s += "  \"part\": \"\(d.board.part)\",\n"
        s += "  \"fclk_mhz\": \(fmt(d.fclkMHz)),\n"
        s += "  \"axil_addr_width\": \(d.layout.axilAddressWidth),\n"
        s += "  \"topology_hash\": \"0x\(hex64(t.hash))\",\n"
        s += "  \"ii_cycles\": \(d.iiCycles),\n"
        s += "  \"latency_cycles\": \(d.latencyCycles),\n"
        s += "  \"images_per_second\": \(fmt(d.imagesPerSecond)),\n"
        s += "  \"input_count\": \(t.inputCount),\n"
        s += "  \"input_signed\": \(t.inputSigned),\n"
        s += "  \"output_count\": \(t.outputCount),\n"
        s += "  \"output_signed\": \(t.outputSigned),\n"
        s += "  \"stream_bytes\": \(OutputRecord.beatBytes),\n"
        s += "  \"input_beats\": \(OutputRecord.inputBeats(pixels: t.inputCount)),\n"
        s += "  \"output_beats\": \(OutputRecord.beats(classes: t.outputCount)),\n"
        s += "  \"reg_every\": \(d.regEvery),\n"
        s += "  \"shell_instances\": [" + d.shellInstances.map { "\"\($0)\"" }.joined(separator: ", ") + "],\n"
        s += "  \"estimate\": {\"lut\": \(d.estimate.lut), \"ff\": \(d.estimate.ff), \"dsp\": \(d.estimate.dsp), \"bram36\": \(fmt(d.estimate.bram36))},\n"
        let sh = d.shellEstimate
        s += "  \"estimate_shell\": {\"lut\": \(sh.lut), \"ff\": \(sh.ff), \"dsp\": \(sh.dsp), \"bram36\": \(fmt(sh.bram36))},\n"
        s += "  \"layers\": [\n"
        for (i, (l, f)) in zip(t.layers, d.layout.folds).enumerated() {
            let w = l.widths
            s += "    {\"in\": \(l.inCount), \"out\": \(l.outCount), \"pe\": \(f.pe), \"simd\": \(f.simd), \"lanes\": \(f.lanes), "
            s += "\"mul_style\": \"\(d.styles[i].rawValue)\", \"requant\": \"\(d.requantStyles[i].rawValue)\", \"in_signed\": \(l.inSigned), \"out_signed\": \(l.outSigned), "
            s += "\"sum_bits\": \(w.sumBits), \"bias_bits\": \(l.biasBits), \"mult_bits\": \(l.multBits), \"acc_bits\": \(w.accBits), "
            s += "\"product_bits\": \(w.productBits), \"roundings\": [" + (0..<5).filter { l.roundings & (1 << $0) != 0 }.compactMap { RegisterMap.rounding(code: UInt32($0)).map { "\"\($0.rawValue)\"" } }.joined(separator: ", ") + "], \"cycles\": \(d.layout.cycles(layer: i))}"
            s += i == t.layers.count - 1 ? "\n" : ",\n"
        }
        s += "  ],\n"
        s += "  \"rtl_files\": [" + d.rtlFiles.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
        s += "}\n"
        return s
    }

    static func fmt(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }
}
