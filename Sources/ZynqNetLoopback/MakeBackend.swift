import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetModel
import ZynqNetRuntime

/// Makes the backend `zynqnet infer --backend NAME` runs on.
///
/// - `loopback`: an in-process device (AXI DMA model + accelerator model computing with the
///   simulator) for the model's topology; `--manifest`/`--bundle` give the DMA length width,
///   addresses and clock it pretends to have.
/// - `board`: the real hardware through /dev/mem or UIO and a u-dma-buf (or reserved region)
///   buffer, as `manifest.json` (and the optional `runtime.json`) of the bundle describe.
public func makeBackend(name: String, model: QuantizedModel, modelName: String = "model", bundle: String?, manifest: String?,
                        batchSize: Int = 256, interrupt: InterruptFlag = .sigint, installSIGINTHandler: Bool = true,
                        system: any SystemCalls = LiveSystem()) throws(ZynqError) -> InferenceBackend {
    guard batchSize >= 1 else { throw ZynqError(key: "--batch", "must be at least 1, got \(batchSize)") }
    let manifestPath = manifest ?? bundle.map { "\($0)/manifest.json" }
    if installSIGINTHandler { InterruptFlag.installSIGINTHandler() }
    switch name {
    case "loopback":
        var m = RuntimeManifest()
        if let manifestPath { m = try RuntimeManifest.load(path: manifestPath, system: system) }
        return try makeLoopbackBackend(model: model, modelName: modelName, manifest: m, manifestPath: manifestPath,
                                       batchSize: batchSize, interrupt: interrupt)
    case "board":
        guard let manifestPath else {
            throw ZynqError(key: "--backend board", "needs --bundle DIR or --manifest FILE (addresses and widths of the loaded design)")
        }
        let m = try RuntimeManifest.load(path: manifestPath, system: system)
        var config = BoardConfig()
        if let bundle, system.fileExists("\(bundle)/runtime.json") {
            config = try BoardConfig.load(path: "\(bundle)/runtime.json", system: system)
        }
        let driver = try openBoard(manifest: m, manifestPath: manifestPath, config: config, interrupt: interrupt, system: system)
        try m.check(hardware: driver.info, file: manifestPath)
        try driver.load(model: model, modelName: modelName)
        return AcceleratorBackend(name: "board", driver: driver, model: model, batchSize: batchSize, fclkMHz: m.fclkMHz, loopback: nil)
    default:
        throw ZynqError(key: "--backend", "unknown backend '\(name)' (loopback or board)")
    }
}
