import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// One design of a model's trade-off curve: its folds, II, latency and resource estimate.
public struct CurvePoint: Sendable, Equatable {
    public var folds: [LayerFold]
    public var styles: [MulStyle]
    /// Each layer's requantizer.
    public var requant: [RequantStyle] = []
    public var iiCycles: Int
    public var latencyCycles: Int
    public var estimate: ResourceEstimate
    /// (in/SIMD)·(out/PE) per layer.
    public var layerCycles: [Int]
    /// `.sequential`: the layer-folded engine (its folds are all 1).
    public var engine: Engine = .dataflow
    /// The shell's share of `estimate` (register file and output stream, `ResourceModel.shell`).
    public var shellEstimate = ResourceEstimate()
    /// LUTs of the datapath (what folding changes): the estimate without the shell.
    public var datapathLUT: Int { estimate.lut - shellEstimate.lut }

    public func imagesPerSecond(fclkMHz: Double) -> Double { fclkMHz * 1e6 / Double(iiCycles) }

    /// The `--fold` file that makes `zynqnet codegen` build exactly this design (a requantizer
    /// only where it is not the automatic choice).
    public var foldFile: FoldFile {
        if engine == .sequential { return .sequential }
        return FoldFile(layers: folds.indices.map { i in
            let f = folds[i]
            let rq = i < requant.count && requant[i] != RequantStyle.automatic(topology[i], f) ? requant[i] : nil
            return FoldFileLayer(pe: f.pe, simd: f.simd, lanes: f.lanes, mul_style: styles[i], requant: rq)
        })
    }
    /// The model's layers (the requantizers' automatic choice; empty for the sequential engine).
    public internal(set) var topology: [LayerTopology] = []

    /// p dominates q: no slower, no more LUTs, no more DSPs, and better in one of them.
    public func dominates(_ q: CurvePoint) -> Bool {
        iiCycles <= q.iiCycles && estimate.lut <= q.estimate.lut && estimate.dsp <= q.estimate.dsp
            && (iiCycles < q.iiCycles || estimate.lut < q.estimate.lut || estimate.dsp < q.estimate.dsp)
    }
}

/// The throughput/resource trade-off of a model (`zynqnet report --model`): every II some fold
/// reaches, each with the cheapest folds that reach it (`Folding.plan`, the folds `codegen
/// --target-fps` picks), from the smallest design (the sequential engine, then PE = SIMD = 1 in
/// every layer) to the fastest
/// one whose estimate fits the budget; then only the Pareto-optimal points (images/s against
/// LUTs and DSP48E1s), slowest first.
public enum TradeoffCurve {
    /// PE = SIMD = 1 (and one requantization lane) in every layer.
    public static func smallestFolds(_ topo: Topology) -> [LayerFold] {
        topo.layers.map { _ in LayerFold(pe: 1, simd: 1, lanes: 1) }
    }

    /// The smallest dataflow design's requantizers: serial wherever it builds (`RequantStyle.smallest`).
    public static func smallestRequant(_ topo: Topology) -> [RequantStyle] {
        zip(topo.layers, smallestFolds(topo)).map { RequantStyle.smallest($0, $1) }
    }

    /// The design of `folds` with `requant` (nil: each layer's automatic choice).
    public static func point(_ topo: Topology, _ folds: [LayerFold], requant: [RequantStyle]? = nil, style: MulStyle,
                             regEvery: Int) throws -> CurvePoint {
        var layout = try AcceleratorLayout(topology: topo, folds: folds)
        let rq = requant ?? zip(topo.layers, folds).map { RequantStyle.automatic($0, $1) }
        layout.serialRequant = rq.map { $0 == .serial }
        let styles = [MulStyle](repeating: style, count: folds.count)
        var p = CurvePoint(folds: folds, styles: styles, requant: rq, iiCycles: layout.iiCycles,
                           latencyCycles: PipelineTiming.latencyCycles(layout: layout, regEvery: regEvery, requant: rq),
                           estimate: estimate(topo, folds, styles, requant: rq), layerCycles: folds.indices.map { layout.cycles(layer: $0) })
        p.shellEstimate = ResourceModel.shell(topo, engine: .dataflow, argmax: ArgmaxStyle.automatic(layout))
        p.topology = topo.layers
        return p
    }

    /// The sequential engine's point, or nil when the layers' bias or M widths differ.
    public static func sequentialPoint(_ topo: Topology) throws -> CurvePoint? {
        guard (try? SequentialEngine.widths(topo)) != nil else { return nil }
        let folds = smallestFolds(topo)
        let layout = try AcceleratorLayout(topology: topo, folds: folds)
        var p = CurvePoint(folds: folds, styles: folds.map { _ in .dsp }, iiCycles: try SequentialEngine.iiCycles(topo),
                           latencyCycles: try SequentialEngine.latencyCycles(topo), estimate: try SequentialEngine.estimate(topo),
                           layerCycles: folds.indices.map { layout.cycles(layer: $0) }, engine: .sequential)
        p.shellEstimate = ResourceModel.shell(topo, engine: .sequential)
        return p
    }

    /// Every candidate design within `budget` (before the Pareto filter), slowest first.
    public static func candidates(_ topo: Topology, style: MulStyle, budget: ResourceBudget, regEvery: Int = 2) throws -> [CurvePoint] {
        var out: [CurvePoint] = []
        var seen = Set<[Int]>()
        func add(_ folds: [LayerFold], _ requant: [RequantStyle]) throws {
            let key = zip(folds, requant).flatMap { [$0.pe, $0.simd, $0.lanes, $1 == .serial ? 1 : 0] }
            guard !seen.contains(key) else { return }
            seen.insert(key)
            let p = try point(topo, folds, requant: requant, style: style, regEvery: regEvery)
            if p.estimate.exceeds(budget) == nil { out.append(p) }
        }
        if let p = try sequentialPoint(topo), p.estimate.exceeds(budget) == nil { out.append(p) }
        try add(smallestFolds(topo), smallestRequant(topo))
        for ii in Folding.candidateIIs(topo).reversed() {
            if let f = Folding.plan(topo, ii: ii, style: style) { try add(f.folds, f.requant) }
        }
        return out.sorted {
            if $0.iiCycles != $1.iiCycles { return $0.iiCycles > $1.iiCycles }
            return ($0.estimate.lut, $0.estimate.dsp) < ($1.estimate.lut, $1.estimate.dsp)
        }
    }

    /// The Pareto-optimal designs, slowest (smallest) first. Throws when even the smallest design
    /// exceeds the budget.
    public static func curve(_ topo: Topology, style: MulStyle = .packed, budget: ResourceBudget = .xc7z020Auto,
                             regEvery: Int = 2) throws -> [CurvePoint] {
        let all = try candidates(topo, style: style, budget: budget, regEvery: regEvery)
        guard !all.isEmpty else {
            let small = try sequentialPoint(topo) ?? point(topo, smallestFolds(topo), requant: smallestRequant(topo), style: style, regEvery: regEvery)
            throw ZynqError(key: "budget", "even the smallest design (\(small.engine == .sequential ? "the sequential engine" : "PE = SIMD = 1")) exceeds the budget: \(small.estimate.exceeds(budget) ?? "")")
        }
        var kept: [CurvePoint] = []
        for p in all where !all.contains(where: { $0.dominates(p) }) {
            // Equal in II, LUT and DSP: keep the first (the smaller design in the sort order).
            if kept.contains(where: { $0.iiCycles == p.iiCycles && $0.estimate.lut == p.estimate.lut && $0.estimate.dsp == p.estimate.dsp }) {
                continue
            }
            kept.append(p)
        }
        return kept
    }

    /// `count` points spread evenly over the curve (by position), always including both ends
    /// when count ≥ 2; the last point when count is 1.
    public static func spread(_ n: Int, count: Int) -> [Int] {
        guard n > 0, count > 0 else { return [] }
        if count == 1 { return [n - 1] }
        if count >= n { return Array(0..<n) }
        var idx: [Int] = []
        for k in 0..<count {
            let i = Int((Double(k) * Double(n - 1) / Double(count - 1)).rounded())
            if idx.last != i { idx.append(i) }
        }
        return idx
    }
}
