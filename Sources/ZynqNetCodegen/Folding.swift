import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// A layer's requantizer: `zn_requant` (a 9-stage pipeline, LANES values a cycle) or
/// `zn_requant_serial` (bit-serial, one value every T + 3 cycles, far fewer LUTs, no DSP).
public enum RequantStyle: String, Sendable, Codable, CaseIterable {
    case pipelined
    case serial

    /// The automatic choice: serial when it keeps up with the layer's MAC array (so neither the
    /// II nor the MAC array's timing changes), else pipelined.
    public static func automatic(_ t: LayerTopology, _ f: LayerFold) -> RequantStyle {
        serialBuilds(t) == nil && PipelineTiming.serialRequantKeepsUp(t, f) ? .serial : .pipelined
    }

    /// The requantizers folding may give the layer: the automatic choice, and for a conv2d layer
    /// also zn_requant_serial when it does not keep up, its rate charged to the layer's cycles
    /// (`LayerCycles.serialRequantCycles`): II traded for LUTs.
    public static func options(_ t: LayerTopology, _ f: LayerFold) -> [RequantStyle] {
        let auto = automatic(t, f)
        guard case .conv = t.kind, auto == .pipelined, serialBuilds(t) == nil else { return [auto] }
        return [.pipelined, .serial]
    }

    /// The smallest design's requantizer: serial wherever `options` allows it.
    public static func smallest(_ t: LayerTopology, _ f: LayerFold) -> RequantStyle {
        options(t, f).contains(.serial) ? .serial : automatic(t, f)
    }

    /// Why zn_requant_serial cannot build the layer's rounding modes (nil: it can): its gemmlowp
    /// reads acc's sign from its bit-serial adder, which needs max(BIAS_W, SUM_W) <= 34. (float32
    /// it builds, at three passes a lane: `PipelineTiming.serialRequantWordCycles`.)
    public static func serialBuilds(_ t: LayerTopology) -> String? {
        if t.roundings & LayerTopology.gemmlowpBit != 0 && max(t.biasBits, t.widths.sumBits) > 34 {
            return "the serial requantizer's gemmlowp needs bias and sum widths <= 34 bits (\(t.biasBits), \(t.widths.sumBits))"
        }
        return nil
    }
}

/// zn_axis_out's argmax (`ARGMAX_SERIAL`): a tournament tree over the 8-lane word (a word a
/// cycle) or a serial scan (one code a cycle, in place; about a third of the LUTs).
public enum ArgmaxStyle: String, Sendable, Codable, CaseIterable {
    case tree
    case serial

    /// The automatic choice for the last layer `t` folded `f`: serial when that layer's MAC array
    /// yields at most one code every 8 cycles (SF = IN/SIMD >= 8·PE) and its 8-code output words
    /// end on MAC-word boundaries (PE divides 8, or a single word an image, C <= 8). Then every
    /// 8-code word arrives at least 8 cycles after the previous one, by then its scan (n <= 8 cycles)
    /// is done, nothing upstream waits and the II does not change; only the image's last word
    /// adds n - 1 cycles of latency (`PipelineTiming.outputStage`).
    public static func automatic(_ t: LayerTopology, _ f: LayerFold) -> ArgmaxStyle {
        let sf = t.inCount / f.simd
        return sf >= 8 * f.pe && (8 % f.pe == 0 || t.outCount <= 8) ? .serial : .tree
    }

    /// The automatic choice for a design (its last layer).
    public static func automatic(_ layout: AcceleratorLayout) -> ArgmaxStyle {
        guard let t = layout.topology.layers.last, let f = layout.folds.last else { return .tree }
        return automatic(t, f)
    }
}

/// One layer's fold as a `--fold` JSON file gives it; `lanes`, `mul_style` and `requant` are optional.
public struct FoldFileLayer: Codable, Sendable, Equatable {
    public var pe: Int
    public var simd: Int
    public var lanes: Int?
    public var mul_style: MulStyle?
    public var requant: RequantStyle?

    public init(pe: Int, simd: Int, lanes: Int? = nil, mul_style: MulStyle? = nil, requant: RequantStyle? = nil) {
        self.pe = pe
        self.simd = simd
        self.lanes = lanes
        self.mul_style = mul_style
        self.requant = requant
    }
}

/// `--fold FILE`: `{"layers": [{"pe": 16, "simd": 14, "lanes": 1, "mul_style": "packed", "requant": "serial"}, …]}`,
/// or `{"engine": "sequential"}` for the layer-folded smallest design (its `layers`, if given,
/// must all be PE = SIMD = 1).
public struct FoldFile: Codable, Sendable, Equatable {
    public var layers: [FoldFileLayer]
    /// nil: dataflow.
    public var engine: Engine?

    public init(layers: [FoldFileLayer], engine: Engine? = nil) {
        self.layers = layers
        self.engine = engine
    }

    /// The sequential engine's fold file.
    public static let sequential = FoldFile(layers: [], engine: .sequential)

    enum CodingKeys: String, CodingKey { case layers, engine }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        engine = try c.decodeIfPresent(Engine.self, forKey: .engine)
        if engine == .sequential {
            layers = try c.decodeIfPresent([FoldFileLayer].self, forKey: .layers) ?? []
        } else {
            layers = try c.decode([FoldFileLayer].self, forKey: .layers)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let engine { try c.encode(engine, forKey: .engine) }
        if engine != .sequential || !layers.isEmpty { try c.encode(layers, forKey: .layers) }
    }

    /// Parses a fold file; every problem is one line naming the file and key.
    public static func parse(_ data: Data, file: String) throws -> FoldFile {
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ZynqError(file: file, "not valid JSON")
        }
        guard let root = obj as? [String: Any] else { throw ZynqError(file: file, "the top level must be an object") }
        for k in root.keys.sorted() where k != "layers" && k != "engine" { throw ZynqError(file: file, key: k, "unknown key") }
        var sequential = false
        if let e = root["engine"] {
            guard let es = e as? String, let engine = Engine(rawValue: es) else {
                throw ZynqError(file: file, key: "engine", "must be \"dataflow\" or \"sequential\"")
            }
            sequential = engine == .sequential
        }
        if sequential && root["layers"] == nil { return .sequential }
        guard let arr = root["layers"] as? [Any] else { throw ZynqError(file: file, key: "layers", "must be an array") }
        for (i, item) in arr.enumerated() {
            guard let o = item as? [String: Any] else { throw ZynqError(file: file, key: "layers[\(i)]", "must be an object") }
            for k in o.keys where !["pe", "simd", "lanes", "mul_style", "requant"].contains(k) {
                throw ZynqError(file: file, key: "layers[\(i)].\(k)", "unknown key")
            }
        }
        let parsed: FoldFile
        do {
            parsed = try JSONDecoder().decode(FoldFile.self, from: data)
        } catch DecodingError.keyNotFound(let k, let ctx) {
            throw ZynqError(file: file, key: keyPath(ctx.codingPath + [k]), "missing")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx),
                let DecodingError.dataCorrupted(ctx) {
            throw ZynqError(file: file, key: keyPath(ctx.codingPath), "has the wrong type")
        } catch {
            throw ZynqError(file: file, "cannot be read as a fold file")
        }
        for (i, l) in parsed.layers.enumerated() {
            for (k, v) in [("pe", l.pe), ("simd", l.simd), ("lanes", l.lanes ?? 1)] where v < 1 || v > 1 << 20 {
                throw ZynqError(file: file, key: "layers[\(i)].\(k)", "must be a positive integer, got \(v)")
            }
            if parsed.engine == .sequential {
                for (k, v) in [("pe", l.pe), ("simd", l.simd), ("lanes", l.lanes ?? 1)] where v != 1 {
                    throw ZynqError(file: file, key: "layers[\(i)].\(k)", "the sequential engine computes one output at a time: must be 1, got \(v)")
                }
                if l.requant == .pipelined {
                    throw ZynqError(file: file, key: "layers[\(i)].requant", "the sequential engine has one serial requantizer")
                }
            }
        }
        return parsed
    }

    private static func keyPath(_ path: [any CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "layers" : s
    }
}

public func divisors(_ n: Int) -> [Int] {
    var d: [Int] = []
    var i = 1
    while i * i <= n {
        if n % i == 0 {
            d.append(i)
            if i * i != n { d.append(n / i) }
        }
        i += 1
    }
    return d.sorted()
}

/// Folding decisions.
public enum Folding {
    /// The fewest requantization lanes (a divisor of PE) that keep up with `ii` cycles an image.
    public static func lanes(out: Int, pe: Int, ii: Int) -> Int {
        for r in divisors(pe) where (out + r - 1) / r <= ii { return r }
        return pe
    }

    /// The cheapest fold and requantizer (`RequantStyle.options`) of one layer whose cycles an
    /// image (`LayerCycles`, a serial requantizer's rate included) are at most `ii`, or nil if none.
    /// A conv2d layer's SIMD divides its input channels, or spans whole kernel columns or rows
    /// (`WindowShape.split`: the sliding-window unit's PAR); a maxpool2d layer's one fold is its
    /// channel lanes (PE = SIMD = lanes).
    public static func cheapest(_ t: LayerTopology, ii: Int, style: MulStyle) -> (fold: LayerFold, requant: RequantStyle)? {
        var best: (LayerFold, RequantStyle, Int, Int)?
        for (pe, simd) in candidates(t) {
            let lanesNeeded = t.hasParameters ? lanes(out: t.imageOutCodes, pe: pe, ii: ii) : simd
            let f = LayerFold(pe: pe, simd: simd, lanes: lanesNeeded)
            for rq in RequantStyle.options(t, f) {
                let cycles = LayerCycles.cycles(t, f, serialRequant: rq == .serial)
                guard cycles <= ii else { continue }
                let e = ResourceModel.layer(t, f, style: style, requant: rq)
                // Cost: DSPs weigh like 100 LUTs; BRAM36 like 200.
                let cost = e.lut + 100 * e.dsp + Int(200 * e.bram36)
                if best == nil || cost < best!.2 || (cost == best!.2 && cycles < best!.3) {
                    best = (f, rq, cost, cycles)
                }
            }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// The (PE, SIMD) pairs a layer may take.
    static func candidates(_ t: LayerTopology) -> [(Int, Int)] {
        switch t.kind {
        case .dense: return divisors(t.outCount).flatMap { pe in divisors(t.inCount).map { (pe, $0) } }
        case .conv(let w):
            // SIMD: a divisor of C, or C times a divisor of KW (or KW·C times one of KH): zn_swu's PAR.
            let simds = divisors(t.inCount).filter { w.split(simd: $0) != nil }
            return divisors(t.outCount).flatMap { pe in simds.map { (pe, $0) } }
        case .maxpool(let w): return divisors(w.c).map { ($0, $0) }
        }
    }

    /// Every layer's fold and requantizer for an II.
    public struct Plan: Sendable, Equatable {
        public var folds: [LayerFold]
        public var requant: [RequantStyle]
    }

    /// Every fold (and requantizer) for `ii`, or nil when a layer cannot reach it.
    public static func plan(_ topo: Topology, ii: Int, style: MulStyle) -> Plan? {
        var p = Plan(folds: [], requant: [])
        for t in topo.layers {
            guard let c = cheapest(t, ii: ii, style: style) else { return nil }
            p.folds.append(c.fold)
            p.requant.append(c.requant)
        }
        return p
    }

    /// The lowest II any fold reaches (every layer fully parallel, or the streams' beat counts).
    public static func minimumII(_ topo: Topology) -> Int {
        max(OutputRecord.inputBeats(pixels: topo.inputCount), OutputRecord.beats(classes: topo.outputCount), 1)
    }

    /// The candidate IIs: every value some layer's fold takes, sorted.
    public static func candidateIIs(_ topo: Topology) -> [Int] {
        var s = Set<Int>()
        let lo = minimumII(topo)
        for t in topo.layers {
            for (pe, simd) in candidates(t) {
                let f = LayerFold(pe: pe, simd: simd, lanes: t.hasParameters ? 1 : simd)
                for rq in RequantStyle.options(t, f) {
                    s.insert(max(lo, LayerCycles.cycles(t, f, serialRequant: rq == .serial)))
                }
            }
        }
        return s.sorted()
    }
}
