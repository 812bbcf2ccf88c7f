import ZynqNetBase
import ZynqNetModel

/// How one layer is folded onto hardware.
public struct LayerFold: Sendable, Equatable {
    /// Output rows in parallel; divides the layer's out count.
    public var pe: Int
    /// Inputs in parallel; divides the layer's in count.
    public var simd: Int
    /// Requantization lanes; divides `pe`.
    public var lanes: Int

    public init(pe: Int, simd: Int, lanes: Int) {
        self.pe = pe
        self.simd = simd
        self.lanes = lanes
    }
}

/// The geometry of one parameter memory as the parameter window sees it.
public struct MemoryGeometry: Sendable, Equatable {
    public var banks: Int
    public var depth: Int
    public var wordBits: Int

    public init(banks: Int, depth: Int, wordBits: Int) {
        self.banks = banks
        self.depth = depth
        self.wordBits = wordBits
    }

    /// 32-bit chunks per word.
    public var chunks: Int { (wordBits + 31) / 32 }
    /// clog2(depth) (0 for depth 1).
    public var depthBits: Int { clog2(depth) }
    /// clog2(chunks) (0 for one chunk).
    public var chunkBits: Int { clog2(chunks) }
    public var bankBits: Int { clog2(banks) }
    /// Width of a PARAM_ADDR value for this memory.
    public var addressBits: Int { bankBits + depthBits + chunkBits }

    /// PARAM_ADDR of a chunk.
    public func address(bank: Int, depth d: Int, chunk: Int) -> UInt32 {
        (UInt32(bank) << UInt32(depthBits + chunkBits)) | (UInt32(d) << UInt32(chunkBits)) | UInt32(chunk)
    }

    /// The chunk a PARAM_ADDR value names, nil when it names none.
    public func decode(address a: UInt32) -> (bank: Int, depth: Int, chunk: Int)? {
        let chunk = a & ((1 << UInt32(chunkBits)) - 1)
        let depth = (a >> UInt32(chunkBits)) & ((1 << UInt32(depthBits)) - 1)
        let shift = chunkBits + depthBits
        let bank = shift >= 32 ? 0 : a >> UInt32(shift)
        // Compared as UInt32: an Int conversion of a large address would trap on 32-bit ARM.
        guard chunk < UInt32(chunks), depth < UInt32(self.depth), bank < UInt32(banks) else { return nil }
        return (Int(bank), Int(depth), Int(chunk))
    }

    /// Every chunk address in the order PARAM_DATA's auto-increment visits them.
    public var addressesInOrder: [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(banks * depth * chunks)
        for b in 0..<banks { for d in 0..<depth { for c in 0..<chunks { out.append(address(bank: b, depth: d, chunk: c)) } } }
        return out
    }
}

/// ceil(log2(n)) for n ≥ 1.
public func clog2(_ n: Int) -> Int {
    var w = 0
    while (1 << w) < n { w += 1 }
    return w
}

/// A topology with a fold per layer: everything needed to lay out parameters and registers.
public struct AcceleratorLayout: Sendable, Equatable {
    public var topology: Topology
    public var folds: [LayerFold]
    /// Per layer: whether its requantizer is zn_requant_serial (codegen sets it; false in a layout
    /// read back from the registers, which do not say). A serial requantizer that does not keep up
    /// with its MAC array (a conv layer at a small fold) sets the layer's cycles (`LayerCycles`).
    public var serialRequant: [Bool]

    /// Checks every fold against its layer; an impossible fold names the layer and value.
    public init(topology: Topology, folds: [LayerFold]) throws(ZynqError) {
        guard folds.count == topology.layers.count else {
            throw ZynqError(key: "fold", "has \(folds.count) layers, the model has \(topology.layers.count)")
        }
        for (i, (l, f)) in zip(topology.layers, folds).enumerated() {
            guard f.pe >= 1, l.outCount % f.pe == 0 else {
                throw ZynqError(key: "layer\(i).pe", "PE \(f.pe) does not divide the layer's \(l.outCount) outputs")
            }
            guard f.simd >= 1, l.inCount % f.simd == 0 else {
                throw ZynqError(key: "layer\(i).simd", "SIMD \(f.simd) does not divide the layer's \(l.inCount) inputs")
            }
            if let w = l.window {
                if l.hasParameters {
                    guard w.split(simd: f.simd) != nil else {
                        throw ZynqError(key: "layer\(i).simd", WindowShape.splitError(simd: f.simd, w))
                    }
                } else if w.c % f.simd != 0 {
                    throw ZynqError(key: "layer\(i).simd", "SIMD \(f.simd) does not divide the layer's \(w.c) input channels (the max-pool unit streams whole channel words)")
                }
                if !l.hasParameters, f.pe != f.simd || f.lanes != f.simd {
                    throw ZynqError(key: "layer\(i).pe", "a maxpool2d layer has one fold, its channel lanes: PE and lanes must equal SIMD \(f.simd)")
                }
            }
            guard f.lanes >= 1, f.pe % f.lanes == 0 else {
                throw ZynqError(key: "layer\(i).lanes", "requantization lanes \(f.lanes) do not divide PE \(f.pe)")
            }
            // They must fit the register fields (lanes ≤ PE).
            guard f.pe <= Int(RegisterMap.L_FOLD_PE.maxValue), f.simd <= Int(RegisterMap.L_FOLD_SIMD.maxValue) else {
                throw ZynqError(key: "layer\(i).pe", "PE and SIMD must be below 65536")
            }
        }
        self.topology = topology
        self.folds = folds
        self.serialRequant = [Bool](repeating: false, count: folds.count)
    }

    /// Cycles one layer needs per image: dense (in/SIMD)·(out/PE); conv2d the larger of its
    /// sliding-window unit's steady-state cycles an image at full rate (`WindowTiming.swuInterval`:
    /// about the larger of its H·W·C/SIMD input and HO·WO·KH·KW·C/SIMD window words, plus the
    /// wait for the first window rows) and positions·(in/SIMD)·(out/PE); maxpool2d its pool unit's
    /// (`WindowTiming.maxpoolInterval`: H·W·C/SIMD when the windows do not overlap, else its zn_swu's).
    /// A layer with a serial requantizer: at least that requantizer's cycles an image
    /// (`LayerCycles.serialRequantCycles`).
    public func cycles(layer i: Int) -> Int {
        LayerCycles.cycles(topology.layers[i], folds[i], serialRequant: serialRequant[i])
    }

    /// Codes a word of the stream into layer `i`: a conv2d layer's zn_swu SIMD (`WindowShape.split`:
    /// C when its words span kernel columns or rows), else the layer's SIMD.
    public func inputLanes(layer i: Int) -> Int { topology.layers[i].inputLanes(folds[i]) }

    /// Nominal initiation interval: the slowest stage (a layer, the requantizers, or the streams).
    public var iiCycles: Int {
        var ii = OutputRecord.inputBeats(pixels: topology.inputCount)
        ii = max(ii, OutputRecord.beats(classes: topology.outputCount))
        for i in folds.indices {
            let l = topology.layers[i]
            ii = max(ii, cycles(layer: i), l.hasParameters ? l.positions * l.outCount / folds[i].lanes : 0)
        }
        return ii
    }

    public func weightMemory(layer i: Int) -> MemoryGeometry {
        let l = topology.layers[i], f = folds[i]
        return MemoryGeometry(banks: f.pe, depth: (l.inCount / f.simd) * (l.outCount / f.pe), wordBits: 8 * f.simd)
    }

    /// Quant word, from bit 0: bias (biasBits, signed), M (multBits), s (6 bits).
    public func quantMemory(layer i: Int) -> MemoryGeometry {
        let l = topology.layers[i], f = folds[i]
        return MemoryGeometry(banks: f.lanes, depth: l.outCount / f.lanes, wordBits: l.biasBits + l.multBits + 6)
    }

    public func memory(layer i: Int, kind: ParameterKind) -> MemoryGeometry {
        kind == .weights ? weightMemory(layer: i) : quantMemory(layer: i)
    }

    /// AXI-Lite address width (window 2^AW bytes).
    public var axilAddressWidth: Int { RegisterMap.addressWidth(layers: topology.layers.count, windows: !topology.isDenseOnly) }
}

extension LayerTopology {
    /// Codes a word of the stream into this layer folded `f`: a conv2d layer's zn_swu SIMD
    /// (`WindowShape.split`), else the fold's SIMD.
    public func inputLanes(_ f: LayerFold) -> Int {
        if case .conv(let w) = kind, let s = w.split(simd: f.simd) { return s.simd }
        return f.simd
    }
}

/// A layer's cycles an image at full rate (see `AcceleratorLayout.cycles(layer:)`).
public enum LayerCycles {
    /// `serialRequant`: the layer's requantizer is zn_requant_serial; its cycles an image
    /// (`serialRequantCycles`) count when they are more than the MAC array's or the window unit's.
    public static func cycles(_ l: LayerTopology, _ f: LayerFold, serialRequant: Bool = false) -> Int {
        let mac = (l.inCount / f.simd) * (l.outCount / f.pe)
        let unit: Int
        switch l.kind {
        case .dense: unit = mac
        case .conv(let w): unit = max(WindowTiming.swuInterval(w.timing(simd: f.simd)), l.positions * mac)
        case .maxpool(let w): return WindowTiming.maxpoolInterval(w.timing(simd: f.simd, extraRows: false))
        }
        return serialRequant ? max(unit, serialRequantCycles(l, f)) : unit
    }

    /// zn_requant_serial's cycles an image at full rate: positions·OUT/LANES words, one every
    /// LANES·P·(T + 3) + 2 cycles (`SequentialTiming.requantWordCycles`: it sees a word the cycle
    /// it is idle, accepts it D = LANES·P·(T + 3) + 1 cycles later and is idle again the cycle after).
    /// Exact as the II when this requantizer is the design's slowest stage: the MAC array ahead of
    /// it keeps a word waiting (its skid buffer holds two), so it never idles.
    public static func serialRequantCycles(_ l: LayerTopology, _ f: LayerFold) -> Int {
        let bits = SequentialTiming.requantBits(biasBits: l.biasBits, sumBits: l.widths.sumBits, multBits: l.multBits)
        let word = SequentialTiming.requantWordCycles(bits: bits, lanes: f.lanes, passes: SequentialTiming.requantPasses(roundings: l.roundings))
        return l.positions * (l.outCount / f.lanes) * word
    }
}

#if !hasFeature(Embedded)
// Codable is host-only (the board build is Embedded Swift); synthesized here, beside the type.
extension LayerFold: Codable {}
#endif
