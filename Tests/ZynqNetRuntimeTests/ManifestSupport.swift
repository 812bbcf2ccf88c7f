import ZynqNetBase
import ZynqNetHW

/// A complete manifest (schema 2, as codegen writes one) for the bundles the tests make.
func sampleManifest(board: String = "pynq-z2", fclkMHz: Double = 100, topologyHash: UInt64 = 0x1234_5678_9ABC_DEF0,
                    lengthWidth: Int = 23, axilAddrWidth: Int = 12, engine: Engine = .dataflow,
                    inputBytes: UInt64 = 16, outputBytes: UInt64 = 16, maxBatchImages: UInt64? = nil) -> Manifest {
    let maxBytes = (UInt64(1) << UInt64(lengthWidth)) - 1
    let pynq = board == "pynq-z2"
    return Manifest(
        zynqnetVersion: "test", board: board, part: "xc7z020clg400-1",
        boardPart: pynq ? "tul.com.tw:pynq-z2:part0:1.0" : "digilentinc.com:zybo-z7-20:part0:1.2",
        psRefClockMHz: pynq ? 50 : 33.333333, fclkMHz: fclkMHz, fclkExpectedMHz: fclkMHz,
        topologyHash: HexU64(topologyHash), topModule: "zynqnet_accel", ipVLNV: "zynqnet.dev:zynqnet:zynqnet_accel:1.0",
        blockDesign: .init(name: "zynqnet_bd", dmaCell: "dma", acceleratorCell: "acc"),
        accelerator: .init(baseAddress: HexU64(0x43C0_0000), range: HexU64(max(4096, UInt64(1) << UInt64(axilAddrWidth))),
                           axilAddrWidth: axilAddrWidth),
        dma: .init(baseAddress: HexU64(0x4040_0000), range: HexU64(0x10000), mode: "direct", lengthWidth: lengthWidth,
                   maxTransferBytes: maxBytes, mmDataWidth: 64, mm2sStreamWidth: 64, s2mmStreamWidth: 64, burstSize: 64),
        stream: .init(sAxisTdataWidth: 64, mAxisTdataWidth: 64),
        records: .init(inputBytes: inputBytes, outputBytes: outputBytes,
                       maxBatchImages: maxBatchImages ?? maxBytes / max(inputBytes, outputBytes)),
        ddr: .init(base: HexU64(0), size: HexU64(pynq ? 0x2000_0000 : 0x4000_0000)),
        files: .init(bitstream: "zynqnet.bit", hwh: "zynqnet.hwh", packageTcl: "package_ip.tcl", buildTcl: "build.tcl",
                     rtl: ["rtl/zynqnet_accel.v"]),
        performance: nil, engine: engine)
}

/// `sampleManifest(...)` as the file's text.
func sampleManifestText(board: String = "pynq-z2", fclkMHz: Double = 100, topologyHash: UInt64 = 0x1234_5678_9ABC_DEF0,
                        lengthWidth: Int = 23, engine: Engine = .dataflow, inputBytes: UInt64 = 16, outputBytes: UInt64 = 16,
                        maxBatchImages: UInt64? = nil) -> String {
    let m = sampleManifest(board: board, fclkMHz: fclkMHz, topologyHash: topologyHash, lengthWidth: lengthWidth, engine: engine,
                           inputBytes: inputBytes, outputBytes: outputBytes, maxBatchImages: maxBatchImages)
    return String(decoding: m.fileBytes, as: UTF8.self)
}
