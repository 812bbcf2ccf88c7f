import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

/// The board backend's plumbing against fake sysfs/dev trees: UIO register windows, a
/// u-dma-buf buffer, the device lock. The fake files have no DMA behind them, so the open
/// must stop at the DMA reset with a clear error.
@Suite struct BoardWiringTests {
    @Test func boardNeedsAManifest() throws {
        var g = SplitMix64(seed: 1)
        let model = randomFormat1Model(&g, layers: 1, inWidth: 4, maxWidth: 4)
        let e = #expect(throws: ZynqError.self) {
            _ = try makeBackend(name: "board", model: model, bundle: nil, manifest: nil, interrupt: .never, installSIGINTHandler: false)
        }
        #expect(e?.description.contains("--bundle") == true)
        let e2 = #expect(throws: ZynqError.self) {
            _ = try makeBackend(name: "fpga", model: model, bundle: nil, manifest: nil, interrupt: .never, installSIGINTHandler: false)
        }
        #expect(e2?.key == "--backend")
    }

    @Test func uioAndUDmaBufAreWiredAndADeadDMAIsReported() throws {
        let root = try makeTemporaryDirectory("board").path
        defer { removeTemporaryDirectory(root) }
        let page = UInt64(LiveSystem().pageSize())
        let c = "\(root)/sys/class/uio"
        try writeFile("\(c)/uio0/name", "axi_dma\n")
        try writeFile("\(c)/uio0/maps/map0/addr", "0x40400000\n")
        try writeFile("\(c)/uio0/maps/map0/size", "0x10000\n")
        try writeFile("\(c)/uio1/name", "zynqnet_accel\n")
        try writeFile("\(c)/uio1/maps/map0/addr", "0x43c00000\n")
        try writeFile("\(c)/uio1/maps/map0/size", "0x1000\n")
        try writeFile("\(root)/sys/firmware/devicetree/base/compatible", "xlnx,zynq-7000\0")
        let u = "\(root)/sys/class/u-dma-buf/udmabuf0"
        try writeFile("\(u)/phys_addr", "0x1f000000\n")
        try writeFile("\(u)/size", "1048576\n")
        try writeFile("\(u)/sync_mode", "")
        try FileManager.default.createDirectory(atPath: "\(root)/dev", withIntermediateDirectories: true)
        try makeSparseFile("\(root)/dev/uio0", size: 0x10000)
        try makeSparseFile("\(root)/dev/uio1", size: page)
        try makeSparseFile("\(root)/dev/udmabuf0", size: 1_048_576)
        // The accelerator's identity registers, as the model would answer them.
        let topo = Topology(inputCount: 8, inputSigned: true,
                            layers: [LayerTopology(inCount: 8, outCount: 3, inSigned: true, outSigned: true, multBits: 32)])
        let model = AcceleratorModel(layout: try AcceleratorLayout(topology: topo, folds: [LayerFold(pe: 1, simd: 8, lanes: 1)]))
        for off in stride(from: UInt64(0), to: 0x200, by: 4) where off != UInt64(RegisterMap.PARAM_DATA) {
            try writeWord("\(root)/dev/uio1", at: off, model.read(offset: off))
        }
        var config = BoardConfig()
        config.access = "uio"
        config.sysfs_root = "\(root)/sys"
        config.dev_root = "\(root)/dev"
        config.lock_dir = root
        let manifest = RuntimeManifest(board: "pynq-z2")
        let sys = TracingSystem()
        let t0 = LiveSystem().monotonicNanoseconds()
        let e = #expect(throws: ZynqError.self) {
            _ = try openBoard(manifest: manifest, manifestPath: "bundle/manifest.json", config: config, interrupt: .never, system: sys)
        }
        #expect(LiveSystem().monotonicNanoseconds() - t0 < 2_000_000_000)
        #expect(e?.key == "MM2S_DMACR")
        #expect(e?.description.contains("AXI DMA at 0x40400000: soft reset did not self-clear") == true)
        // The probe passed, the buffer was opened O_SYNC, the lock was taken.
        #expect(sys.calls.contains("open \(root)/dev/udmabuf0 O_SYNC"))
        #expect(try readFile("\(u)/sync_mode") == "2")      // write-combine by default
        #expect(sys.calls.contains("flock \(root)/zynqnet-board-40400000-43c00000.lock"))
        // The driver wrote the DMA's reset bit through the UIO mapping.
        #expect(try readWord("\(root)/dev/uio0", at: 0) == DMACR.reset)
    }
}
