/// The Xilinx AXI DMA (PG021) as zynqnet's designs configure it: codegen writes these into
/// build.tcl and manifest.json, the runtime checks a manifest against them and assumes them where a
/// manifest leaves a value out. The streams' width is `OutputRecord.beatBits`.
public enum AxiDmaFacts {
    /// `c_sg_length_width`, the LENGTH registers' width: 8…26 bits (PG021); a transfer is at most
    /// 2^width − 1 bytes.
    public static let lengthWidthRange: ClosedRange<Int> = 8...26
    /// The width zynqnet builds (`--dma-length-width`) and assumes when a manifest does not say:
    /// 26 bits (64 MiB − 1 a transfer), the largest, as hls4ml and pyrtlnet build their DMAs and as
    /// PYNQ assumes when the .hwh does not give it (docs/zynq-facts.md; PYNQ's own base overlay
    /// and Linux's device-tree default are 23).
    public static let defaultLengthWidth = 26
}
