import Foundation
import ZynqNetCodegen

/// The size of an rtlsim FST waveform, estimated before the simulation writes it, so that
/// `--trace` warns before writing hundreds of MB.
public enum TraceEstimate {
    /// FST bytes per flip-flop (the resource model's FF estimate) per simulated cycle, measured:
    /// the Fashion-MNIST 784-128-10 example (codegen's default fold, 13,706 FF) wrote
    /// 73,964,065 bytes for 50 images = 13,112 cycles: 0.41.
    public static let bytesPerFlipFlopCycle = 0.41
    /// Warn above this many bytes (ZYNQNET_TRACE_WARN_BYTES overrides).
    public static let defaultWarnBytes = 100_000_000.0

    /// Estimated bytes of the waveform of `images` images through `design`.
    public static func bytes(design: GeneratedDesign, images: Int) -> Double {
        Double(images * design.iiCycles + design.latencyCycles) * Double(design.estimate.ff) * bytesPerFlipFlopCycle
    }

    /// The warning for a trace of `images` images, or nil below `threshold` bytes.
    public static func warning(design: GeneratedDesign, images: Int, path: String,
                               threshold: Double = ProcessInfo.processInfo.environment["ZYNQNET_TRACE_WARN_BYTES"].flatMap(Double.init) ?? defaultWarnBytes) -> String? {
        let b = bytes(design: design, images: images)
        guard b > threshold else { return nil }
        return "warning: --trace \(path): about \(Int((b / 1e6).rounded())) MB of waveform (\(images) images × II \(design.iiCycles) cycles × "
            + "\(design.estimate.ff) flip-flops); --limit traces fewer images"
    }
}
