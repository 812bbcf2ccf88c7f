import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLoopback
import ZynqNetModel
@testable import ZynqNetRuntime

/// Register map 1.2's window blocks on the loopback device: the probe reads a CNN design's
/// windows from them, and a model whose window differs is refused naming the layer, register,
/// field and both values before the topology hash.
@Suite struct WindowRegisterTests {
    static func cnnFloor() throws -> QuantizedModel { try QuantizedModel.load(path: fixturePath("golden/cnn_floor.model.npz")) }

    static func board(_ model: QuantizedModel) throws -> LoopbackBoard {
        let t = try Topology(model: model)
        return try LoopbackBoard(layout: try AcceleratorLayout(topology: t, folds: defaultLoopbackFolds(t)))
    }

    @Test func probeReadsTheWindowsBack() throws {
        let model = try Self.cnnFloor()
        let t = try Topology(model: model)
        let b = try Self.board(model)
        let info = try AcceleratorDriver.probe(bus: b.device, base: b.manifest.acceleratorBase, designName: "d")
        // The whole topology (windows, pad zero point) from the registers, no model needed.
        #expect(info.layout.topology == t && info.pendingOutputCount == nil && info.outputCount == 5)
        #expect(info.windowWords == t.layers.indices.map { RegisterMap.windowWords(t, layer: $0) })
        // Layer 0: 9×8 image, pads 1, 0, 2, 1 with the input zero point -39 (0xD9) built in.
        let n = t.layers.count
        func read(_ i: Int, _ off: UInt32) -> UInt32 { b.accelerator.read(offset: UInt64(RegisterMap.windowRegister(i, layers: n, off))) }
        #expect(read(0, RegisterMap.L_WIN_IMAGE) == 0x0008_0009)
        #expect(read(0, RegisterMap.L_WIN_PAD) == 0x0102_0001)
        #expect(read(0, RegisterMap.L_WIN_CH) == 0x01D9_0002)
        #expect(read(3, RegisterMap.L_WIN_IMAGE) == 0)   // dense
        #expect(read(0, 0x14) == 0)   // a word of the block that holds no register
    }

    @Test func aModelWithAnotherWindowIsRefusedByField() throws {
        let model = try Self.cnnFloor()
        let b = try Self.board(model)
        let driver = try b.driver(images: 4, lockDirectory: NSTemporaryDirectory(), interrupt: .never)
        // Padding [1, 0, 2, 1] → [2, 0, 1, 1]: every shape and count stays, only the window moves.
        var moved = model
        guard case .conv2d(var g) = moved.layers[0].kind else { Issue.record("layer 0 is not conv2d"); return }
        g.padding = [2, 0, 1, 1]
        moved.layers[0].kind = .conv2d(g)
        #expect(try Topology(model: moved).layers.map(\.imageOutCodes) == (try Topology(model: model)).layers.map(\.imageOutCodes))
        #expect(throws: ZynqError(file: "loopback", key: "layer0.L_WIN_PAD.TOP",
                                  "the hardware has 1, the model moved.npz has 2; generate and load a bitstream for this model")) {
            try driver.load(model: moved, modelName: "moved.npz")
        }
        // Another input zero point: the pad code built into the design differs (0xD9 vs 0xDA).
        var shifted = model
        shifted.input.zero = -38
        #expect(throws: ZynqError(file: "loopback", key: "layer0.L_WIN_CH.PAD_ZERO",
                                  "the hardware has 217, the model shifted.npz has 218; generate and load a bitstream for this model")) {
            try driver.load(model: shifted, modelName: "shifted.npz")
        }
        // Its own model loads and runs.
        try driver.load(model: model, modelName: "cnn_floor")
        #expect(driver.loadedModelName == "cnn_floor")
    }

    /// A 1.1 design with windows (no window blocks: the addresses read 0) still loads: the layout
    /// is completed from a model with the same topology hash.
    @Test func aMinor1DesignTakesTheWindowsFromTheModel() throws {
        let model = try Self.cnnFloor()
        let b = try Self.board(model)
        let dev = LoopbackDevice(dma: b.manifest.dmaConfig)
        try dev.attach(Minor1(b.accelerator), window: b.manifest.acceleratorWindow, stream: nil)
        let info = try AcceleratorDriver.probe(bus: dev, base: b.manifest.acceleratorBase, designName: "d")
        #expect(info.windowWords == nil && info.pendingOutputCount == 5)
        #expect(info.layout.topology.layers.allSatisfy { $0.window == nil })
    }

    /// The loopback accelerator as a register map 1.1 design: VERSION 1.1, no window blocks.
    final class Minor1: LoopbackPeripheral {
        let inner: AcceleratorModel
        init(_ inner: AcceleratorModel) { self.inner = inner }
        func read(offset: UInt64) -> UInt32 {
            if offset == UInt64(RegisterMap.VERSION) { return 0x0001_0001 }
            let blocks = UInt64(RegisterMap.LAYER_BASE) + UInt64(inner.layout.topology.layers.count) * UInt64(RegisterMap.LAYER_STRIDE)
            return offset >= blocks ? 0 : inner.read(offset: offset)
        }
        func write(offset: UInt64, value: UInt32) { inner.write(offset: offset, value: value) }
    }
}
