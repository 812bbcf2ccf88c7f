/// How the layers share the hardware (codegen's `--engine`, design.json's and manifest.json's
/// `engine`, the FLAGS register's SEQUENTIAL bit).
/// - `dataflow`: one matrix-vector unit per layer, pipelined across layers (folds per layer).
/// - `sequential`: the layer-folded smallest design, `zn_seq`: one multiply-accumulate and one
///   serial requantizer compute every layer in turn, one output after another (PE = SIMD = 1).
public enum Engine: String, Sendable, CaseIterable {
    case dataflow
    case sequential

    /// The engine a FLAGS register value names (bit SEQUENTIAL).
    public init(flags: UInt32) {
        self = RegisterMap.FLAGS_SEQUENTIAL.isSet(flags) ? .sequential : .dataflow
    }

    /// The engine's FLAGS bits.
    public var flags: UInt32 { RegisterMap.FLAGS_SEQUENTIAL.pack(self == .sequential) }
}

#if !hasFeature(Embedded)
// Codable is host-only (the board build is Embedded Swift); synthesized here, beside the type.
extension Engine: Codable {}
#endif
