import ZynqNetCodegen
import ZynqNetHW

extension VivadoDesignInfo {
    /// What the Vivado scripts and manifest.json need of a generated design: its RTL files
    /// (.v, .vh), AXI-Lite width, topology hash, record sizes, II, latency and engine.
    public init(design: GeneratedDesign) {
        let topo = design.layout.topology
        self.init(rtlFiles: design.rtlFiles.filter { $0.hasSuffix(".v") || $0.hasSuffix(".vh") },
                  axilAddrWidth: design.layout.axilAddressWidth, topologyHash: topo.hash,
                  inputRecordBytes: UInt64(OutputRecord.inputBeats(pixels: topo.inputCount) * OutputRecord.beatBytes),
                  outputRecordBytes: UInt64(OutputRecord.beats(classes: topo.outputCount) * OutputRecord.beatBytes),
                  iiCycles: UInt64(design.iiCycles), latencyCycles: UInt64(design.latencyCycles), engine: design.engine.rawValue,
                  layerRoundings: topo.layers.map(\.roundings))
    }
}

extension EstimateReport {
    /// codegen's report.json: the resource model's estimate of `design` (described by `info`) at `fclkMHz`.
    public init(design: GeneratedDesign, info: VivadoDesignInfo, fclkMHz: Double) {
        self.init(top: info.topModule, rtlFiles: info.rtlFiles, lut: UInt64(design.estimate.lut), ff: UInt64(design.estimate.ff),
                  dsp: UInt64(design.estimate.dsp), bram36: design.estimate.bram36, fclkMHz: fclkMHz,
                  iiCycles: UInt64(design.iiCycles), latencyCycles: UInt64(design.latencyCycles),
                  inputRecordBytes: info.inputRecordBytes, outputRecordBytes: info.outputRecordBytes)
    }
}
