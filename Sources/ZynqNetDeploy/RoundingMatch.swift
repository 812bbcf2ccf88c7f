import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// A model's roundings against the modes a design's requantizers were built for (manifest.json's
/// `layer_roundings`, the L_WIDTHS.ROUNDINGS the board's parameter load checks): the topology
/// hash leaves them out, so a model read with another rounding has the design's hash.
public enum RoundingMatch {
    /// A layer whose rounding the design does not build.
    public struct Missing: Equatable, Sendable {
        public var layer: Int
        public var needed: Rounding
        /// The modes the design's requantizer builds (bit k = `RegisterMap.roundingCode` k).
        public var built: Int
        public init(layer: Int, needed: Rounding, built: Int) { self.layer = layer; self.needed = needed; self.built = built }
    }

    /// The first layer with parameters whose rounding the design does not build; nil when every
    /// layer fits or the manifest predates `layer_roundings`. A manifest with another layer count
    /// than the model's is `layer_roundings`' error.
    public static func firstMissing(model: QuantizedModel, manifest: Manifest, multBits: Int) -> Missing? {
        guard let built = manifest.layerRoundings, let topo = try? Topology(model: model, multBits: multBits) else { return nil }
        for (i, l) in model.layers.enumerated() where i < topo.layers.count && topo.layers[i].hasParameters {
            let mask = i < built.count ? built[i] : 0
            if !RegisterMap.mask(mask, holds: l.rounding) { return Missing(layer: i, needed: l.rounding, built: mask) }
        }
        return nil
    }

    /// Whether the model's roundings fit the design (true for a manifest without `layer_roundings`).
    public static func fits(model: QuantizedModel, manifest: Manifest, multBits: Int) -> Bool {
        firstMissing(model: model, manifest: manifest, multBits: multBits) == nil
            && (manifest.layerRoundings.map { $0.count == model.layers.count } ?? true)
    }

    /// One line naming the layer, the rounding it needs, the ones built, the manifest and the
    /// codegen command that builds a design for the model.
    public static func check(model: QuantizedModel, manifest: Manifest, manifestPath: String, multBits: Int,
                             board: String, modelPath: String?) throws(ZynqError) {
        let build = "zynqnet codegen \(modelPath ?? "MODEL") --board \(board) -o build-\(board)"
        if let built = manifest.layerRoundings, built.count != model.layers.count {
            throw ZynqError(file: manifestPath, key: "layer_roundings",
                            "names \(built.count) layers, the model has \(model.layers.count): the manifest does not describe its design; rebuild it: \(build)")
        }
        guard let m = firstMissing(model: model, manifest: manifest, multBits: multBits) else { return }
        let built = RegisterMap.roundingNames(m.built)
        throw ZynqError(file: manifestPath, key: "layer_roundings[\(m.layer)]",
                        "the model's layer \(m.layer) rounds \(m.needed.rawValue), but the design's layer \(m.layer) requantizer was built for \(built) only; "
                            + "build a design for this model: \(build) (nothing was written)")
    }
}
