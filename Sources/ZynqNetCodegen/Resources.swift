import ZynqNetHW

/// How a layer's PE·SIMD products are built (zn_dot MUL_STYLE).
public enum MulStyle: String, Sendable, Codable, CaseIterable {
    /// One product a DSP48E1.
    case dsp
    /// Shift-and-add in LUTs, no DSP.
    case lut
    /// Two products a DSP48E1 (rows 2q, 2q+1 share the activation), with correction.
    case packed

    public var verilogValue: Int {
        switch self {
        case .dsp: 0
        case .lut: 1
        case .packed: 2
        }
    }
}

/// The FPGA's resources, and a budget within them.
public struct ResourceBudget: Sendable, Equatable {
    public var lut: Int
    public var ff: Int
    public var dsp: Int
    /// RAMB36 equivalents.
    public var bram36: Double

    public init(lut: Int, ff: Int, dsp: Int, bram36: Double) {
        self.lut = lut
        self.ff = ff
        self.dsp = dsp
        self.bram36 = bram36
    }

    /// xc7z020 (PYNQ-Z2, Zybo Z7-20).
    public static let xc7z020 = ResourceBudget(lut: 53_200, ff: 106_400, dsp: 220, bram36: 140)

    /// The share of the device automatic folding may fill (LUTs at 60%, the rest at 90%).
    public static let xc7z020Auto = ResourceBudget(lut: 31_920, ff: 95_760, dsp: 220, bram36: 126)
}

/// A resource estimate (a model calibrated against `yosys synth_xilinx`, not a synthesis result).
public struct ResourceEstimate: Sendable, Equatable {
    public var lut: Int = 0
    public var ff: Int = 0
    public var dsp: Int = 0
    public var bram36: Double = 0

    public init() {}

    public static func + (a: ResourceEstimate, b: ResourceEstimate) -> ResourceEstimate {
        var r = a
        r.lut += b.lut
        r.ff += b.ff
        r.dsp += b.dsp
        r.bram36 += b.bram36
        return r
    }

    /// The first resource over `budget`, named, or nil when everything fits.
    public func exceeds(_ budget: ResourceBudget) -> String? {
        if dsp > budget.dsp { return "DSP48E1 \(dsp) > \(budget.dsp)" }
        if lut > budget.lut { return "LUT \(lut) > \(budget.lut)" }
        if bram36 > budget.bram36 { return "RAMB36 \(bram36) > \(budget.bram36)" }
        if ff > budget.ff { return "FF \(ff) > \(budget.ff)" }
        return nil
    }
}

/// The estimate model (see docs/hardware.md, "Resource model").
public enum ResourceModel {
    /// RAMB36 equivalents for `banks` memories of depth × width bits (BRAM18 granularity;
    /// true-dual-port memories, like the parameter memories, are at most 18 bits wide a BRAM18;
    /// memories under 2 Kbit go to LUTRAM).
    public static func bram36(banks: Int, depth: Int, width: Int, trueDualPort: Bool = true) -> Double {
        guard let t = bramTiling(depth: depth, width: width, trueDualPort: trueDualPort) else { return 0 }
        return Double(banks * t.count) / 2
    }

    /// How many block RAMs deep a BRAM-mapped memory is (the shape `bram36` picks); 0 for LUTRAM.
    public static func bramDepthTiles(depth: Int, width: Int) -> Int {
        bramTiling(depth: depth, width: width, trueDualPort: true)?.deep ?? 0
    }

    /// The BRAM18 aspect with the fewest BRAM18s for one depth × width memory (the first such
    /// shape on a tie): their count and how many are stacked in depth; nil for memories under
    /// 2 Kbit (LUTRAM).
    static func bramTiling(depth: Int, width: Int, trueDualPort: Bool) -> (count: Int, deep: Int)? {
        if depth * width < 2048 { return nil }
        let shapes = (trueDualPort ? [] : [(512, 36)]) + [(1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1)]
        var best = (count: Int.max, deep: 0)
        for (d, w) in shapes {
            let deep = (depth + d - 1) / d
            let n = deep * ((width + w - 1) / w)
            if n < best.count { best = (n, deep) }
        }
        return best
    }

    public static func lutRAM(banks: Int, depth: Int, width: Int) -> Int {
        depth * width < 2048 ? banks * ((depth + 63) / 64) * width : 0
    }

    /// Register bits of one zn_addtree of `leaves` inputs: a register after every `every`
    /// levels and at the root (one register when there is a single leaf); a node at level L
    /// is inBits + L wide, and ceil(leaves / 2^L) nodes of level L are not constant zero.
    public static func treeRegisterBits(leaves: Int, inBits: Int, every: Int) -> Int {
        let levels = leaves > 1 ? clog2(leaves) : 0
        if levels == 0 { return inBits }
        var bits = 0
        for l in 1...levels where l % every == 0 || l == levels {
            bits += ((leaves + (1 << l) - 1) >> l) * (inBits + l)
        }
        return bits
    }

    /// yosys keeps memories of one or two words in flip-flops (their LUTs, a 2:1 read mux a
    /// bit, are what `lutRAM` counts).
    public static func flipFlopRAM(banks: Int, depth: Int, width: Int) -> Int {
        depth <= 2 && depth * width < 2048 ? banks * depth * width : 0
    }

    /// Calibration against `zynqnet report` (yosys `synth_xilinx`, hierarchical): LUT counts of
    /// the parts below are scaled by this factor.
    public static let lutCalibration = 1.0

    /// One layer's MVAU, memories, requantizer (`requant`, or the automatic choice when nil)
    /// and stream converters.
    public static func layer(_ t: LayerTopology, _ f: LayerFold, style: MulStyle, requant: RequantStyle? = nil) -> ResourceEstimate {
        var e = layerRaw(t, f, style: style, requant: requant ?? RequantStyle.automatic(t, f))
        e.lut = Int((Double(e.lut) * lutCalibration).rounded(.up))
        return e
    }

    static func layerRaw(_ t: LayerTopology, _ f: LayerFold, style: MulStyle, requant: RequantStyle) -> ResourceEstimate {
        switch t.kind {
        case .dense: return matrixLayer(t, f, style: style, requant: requant)
        case .conv(let w): return matrixLayer(t, f, style: style, requant: requant) + slidingWindow(w, simd: f.simd)
        case .maxpool(let w) where w.timing(simd: f.simd).rowPool:
            // zn_maxpool_row: the counters and the row's base (~53 LUT, ~19 FF), a compare and a
            // select a code (~16 LUT a lane), the row of WO·CB partial maxima in single-port LUT
            // memory (a LUT a bit per 64 words) and the skid buffer (yosys synth_xilinx, `zynqnet
            // report` of the Fashion CNN's smallest fold: 86 and 84 LUT for its pools at SIMD 1).
            var e = ResourceEstimate()
            let width = 8 * f.simd, depth = w.wo * (w.c / f.simd)
            e.lut = 53 + 2 * width + width * ((depth + 63) / 64)
            e.ff = 19 + 2 * width
            return e
        case .maxpool(let w):
            // zn_maxpool: its zn_swu, the running maximum (a compare and a select a code, the CB
            // channel words in LUT memory) and the skid buffer.
            var e = slidingWindow(w, simd: f.simd)
            let cb = w.c / f.simd
            e.lut += 8 * f.simd * 2 + ((cb + 63) / 64) * 8 * f.simd / 2 + 8 * f.simd + 20
            e.ff += 8 * f.simd * 2 + 20
            return e
        }
    }

    /// zn_swu: a line buffer of R = min(KH, H) + SH rows of W·C/SIMD words of 8·SIMD bits (block
    /// RAM when it has at least 2 Kbit: `lineBufferBlock`), the position counters, the window-row
    /// comparisons and the address arithmetic (about 350 LUTs and 150 FFs: yosys synth_xilinx of the
    /// Fashion CNN's zn_swu instances, 371 and 384 LUTs), the read register and the skid buffer.
    /// `simd` is the layer's (the MAC array's) SIMD: with PAR > 1 (`WindowShape.split`) the unit
    /// has PAR copies of the line buffer, PAR read ports (about 20 LUTs each for the address and
    /// the padding select beyond the first) and PAR·8·SIMD-bit read and skid registers (yosys:
    /// 28×28×1 3×3 at PAR 9 814 LUT with its LUTRAM, 315 FF, model 762; 13×13×8 SIMD 8 at PAR 3
    /// 642 LUT, 3 RAMB36, model 774 LUT, 3 RAMB36).
    public static func slidingWindow(_ w: WindowShape, simd: Int) -> ResourceEstimate {
        var e = ResourceEstimate()
        let s = w.split(simd: simd) ?? (simd, 1)
        let depth = lineBufferDepth(w, simd: s.simd), width = 8 * s.simd
        if lineBufferBlock(w, simd: s.simd) {
            e.bram36 += Double(s.par) * bram36(banks: 1, depth: depth, width: width, trueDualPort: false)
        } else {
            e.lut += s.par * (max(1, (depth + 63) / 64) * width / 2 + ((depth > 64) ? width * ((depth + 63) / 64) / 4 : 0))
        }
        e.lut += 350 + 2 * width * s.par + 20 * (s.par - 1)
        e.ff += 150 + 3 * width * s.par
        return e
    }

    /// Words of zn_swu's line buffer.
    public static func lineBufferDepth(_ w: WindowShape, simd: Int) -> Int { (min(w.kh, w.h) + w.sh) * w.w * (w.c / simd) }

    /// Whether codegen asks for a block-RAM line buffer (zn_swu's RAM_BLOCK): 2 Kbit or more.
    public static func lineBufferBlock(_ w: WindowShape, simd: Int) -> Bool { lineBufferDepth(w, simd: simd) * 8 * simd >= 2048 }

    static func matrixLayer(_ t: LayerTopology, _ f: LayerFold, style: MulStyle, requant: RequantStyle) -> ResourceEstimate {
        var e = ResourceEstimate()
        let w = t.widths
        let macs = f.pe * f.simd
        let sf = t.inCount / f.simd, nf = t.outCount / f.pe
        let pairs = style == .packed ? f.pe / 2 : 0
        let plain = f.pe - 2 * pairs
        // Multipliers.
        switch style {
        case .dsp: e.dsp += macs
        case .packed: e.dsp += (pairs + plain) * f.simd
        case .lut: e.lut += 62 * macs
        }
        e.lut += 18 * pairs * f.simd                    // packed operand w1 - w0[7] (and its inverters)
        // Adder trees (about one LUT a bit a node) and accumulators.
        let treeW = 17 + clog2(f.simd) / 2
        e.lut += f.pe * max(f.simd - 1, 0) * treeW
        e.lut += pairs * f.simd * 2                       // correction popcounts
        e.lut += f.pe * w.sumBits
        // Product registers: LUT multipliers keep them in FFs; yosys packs those of DSP and
        // packed products into the DSP48E1 (MREG/PREG).
        // Adder-tree registers (zn_addtree, REG_EVERY 2) of the PE trees and the packed rows'
        // correction trees; accumulators.
        e.ff += (style == .lut ? macs * 17 : 0) + f.pe * treeRegisterBits(leaves: f.simd, inBits: 17, every: 2)
            + pairs * treeRegisterBits(leaves: f.simd, inBits: 2, every: 2) + 3 * f.pe * w.sumBits
        // Weights and input buffer.
        let wg = MemoryGeometry(banks: f.pe, depth: sf * nf, wordBits: 8 * f.simd)
        let weightsBRAM = bram36(banks: wg.banks, depth: wg.depth, width: wg.wordBits)
        e.bram36 += weightsBRAM
        e.lut += lutRAM(banks: wg.banks, depth: wg.depth, width: wg.wordBits)
        e.ff += flipFlopRAM(banks: wg.banks, depth: wg.depth, width: wg.wordBits)
        // Deep weight memories are several block RAMs deep: both read ports need a mux over
        // them (about a LUT per 4 inputs) and yosys keeps some of their read registers in FFs.
        // Banks of 32,768 words or more keep those words bit-sliced (32K × 1 block RAMs, no depth
        // mux, zn_param_ram's SLICE_DEPTH); only the word-wide rest is tiled in depth.
        let tiles = bramDepthTiles(depth: wg.depth % 32768 == wg.depth ? wg.depth : wg.depth % 32768, width: wg.wordBits)
        if tiles > 1 {
            e.lut += 2 * wg.banks * wg.wordBits * tiles / 4
            e.ff += wg.banks * wg.wordBits * tiles / 2
        }
        // Input double buffer: LUTRAM up to 64 words (as yosys maps it), else simple dual-port BRAM.
        if 2 * sf <= 64 {
            e.lut += ((8 * f.simd + 5) / 6) * 4
        } else {
            e.bram36 += bram36(banks: 1, depth: 2 * sf, width: 8 * f.simd, trueDualPort: false)
        }
        // Read registers: the input buffer's two (ib_q, ib_q2); the weights' two (read and
        // output register), of which a block RAM absorbs the first.
        e.ff += 2 * f.simd * 8 + (weightsBRAM > 0 ? 1 : 2) * f.pe * f.simd * 8
        e.lut += f.pe * 20 + (f.pe * f.simd * 8) / 32 * 3 + 80    // read-back muxes, staging
        e.ff += 2 * 75                                             // the two memories' config pipelines
        e.lut += f.pe * w.sumBits                          // output skid buffer
        // Requantization lanes.
        let qg = MemoryGeometry(banks: f.lanes, depth: t.outCount / f.lanes, wordBits: t.biasBits + t.multBits + 6)
        e.bram36 += bram36(banks: qg.banks, depth: qg.depth, width: qg.wordBits)
        e.lut += lutRAM(banks: qg.banks, depth: qg.depth, width: qg.wordBits)
        e.ff += flipFlopRAM(banks: qg.banks, depth: qg.depth, width: qg.wordBits)
        e.ff += 2 * qg.wordBits * (1 + qg.banks)       // chunk staging, config pipeline, read registers
        switch requant {
        case .pipelined:
            e.dsp += f.lanes * w.requantDSPs
            e.lut += f.lanes * (w.accBits + 3 * w.productBits + 350 + 8)
            e.ff += f.lanes * (3 * w.accBits + 4 * w.productBits + 200)
            // Format 2's modes, a lane (yosys synth_xilinx of zn_requant alone, LANES 1, OUT 128,
            // SUM_W 25, BIAS_W 33, M 32, against floor/half_up's 675 LUT / 646 FF; docs/performance.md):
            // half_even +84 LUT (the sticky bit), gemmlowp +98 LUT / +7 FF (the ±2^30 term),
            // float32 +1,131 LUT / +410 FF (six stages: two normalizations and roundings).
            if t.roundings & 0b100 != 0 { e.lut += f.lanes * 84 }
            if t.roundings & LayerTopology.gemmlowpBit != 0 { e.lut += f.lanes * 98; e.ff += f.lanes * 7 }
            if t.roundings & LayerTopology.float32Bit != 0 { e.lut += f.lanes * 1_131; e.ff += f.lanes * 410 }
        case .serial:
            // zn_requant_serial: bit-serial, one MULT_W-bit adder and the lane registers (~155 LUT
            // alone; calibrated in whole designs).
            e.lut += 200 + t.multBits + 10 * f.lanes
            e.ff += 50 + t.multBits + 40 * f.lanes
            // half_even / gemmlowp: a few LUTs (+2, +4, both +10 in yosys); float32 (its three
            // passes: two bit-length trackers, two serial roundings, shared by the lanes) +46 LUT /
            // +45 FF (bench/requant_cost.sh, docs/performance.md).
            if t.roundings & 0b1100 != 0 { e.lut += 10 }
            if t.roundings & LayerTopology.float32Bit != 0 { e.lut += SequentialEngine.serialFloat32LUT; e.ff += SequentialEngine.serialFloat32FF }
        }
        // Stream converters.
        e.lut += 2 * f.pe * w.sumBits / max(f.lanes, 1) + 8 * (f.lanes + f.simd) * 3
        e.ff += f.pe * w.sumBits * 2 + 8 * (f.lanes + f.simd) * 3
        return e
    }

    /// The output stream's hardware.
    public enum OutputStage: Sendable, Equatable {
        /// The dataflow designs': the 1 → 8 join, zn_axis_out with its FIFO, zn_argmax.
        case words(argmax: ArgmaxStyle)
        /// The sequential engine's zn_axis_out8 (a code at a time, one RAMB18).
        case bytes
    }

    /// The shell's estimate (`Netlist.shellInstances`, the instances of role `.shell`): the AXI-Lite register file and the
    /// output stream, the same for every fold of a model but for the argmax style the last
    /// layer's fold chooses.
    public static func shell(_ topo: Topology, engine: Engine, argmax: ArgmaxStyle = .tree) -> ResourceEstimate {
        shell(layers: topo.layers.count, classes: topo.outputCount, output: engine == .sequential ? .bytes : .words(argmax: argmax))
    }

    static func shell(layers: Int, classes: Int, output: OutputStage) -> ResourceEstimate {
        var e = ResourceEstimate()
        // zn_axil_regs (~250 + 37 a layer: the read mux over its LUT memory, counters); the
        // output stage: zn_axis_out with its FIFO and the 1 → 8 join (~150) and zn_argmax
        // (serial ~46, the tournament tree ~160), or zn_axis_out8 (~80 LUT, ~165 FF, one RAMB18).
        let outLUT: Int, outFF: Int
        switch output {
        case .words(let argmax): (outLUT, outFF) = (150 + (argmax == .serial ? 46 : 160), 330)
        case .bytes: (outLUT, outFF) = (80, 210)
        }
        e.lut = 250 + 37 * layers + outLUT + (classes + 7) / 8 * 2
        e.ff = 600 + 40 * layers + outFF
        e.bram36 = output == .bytes ? 0.5 : 0
        return e
    }

    /// The input stream: zn_axis_in and its gearbox to the first layer's input lanes (part of
    /// the datapath: it widens with the fold).
    static func inputPort(firstSIMD: Int) -> ResourceEstimate {
        var e = ResourceEstimate()
        e.lut = 4 * (8 + firstSIMD)
        e.ff = 8 * (8 + 2 * firstSIMD)
        return e
    }

    /// Fixed parts: the shell (AXI-Lite register file, output stream) and the input stream.
    public static func fixed(layers: Int, classes: Int, firstSIMD: Int, output: OutputStage = .words(argmax: .tree)) -> ResourceEstimate {
        var e = shell(layers: layers, classes: classes, output: output) + inputPort(firstSIMD: firstSIMD)
        e.lut = Int(Double(e.lut) * lutCalibration)
        return e
    }
}
