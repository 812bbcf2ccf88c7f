// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "zynqnet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "zynqnet", targets: ["zynqnet"]),
        .library(name: "ZynqNetBase", targets: ["ZynqNetBase"]),
        .library(name: "ZynqNetModel", targets: ["ZynqNetModel"]),
        .library(name: "ZynqNetHW", targets: ["ZynqNetHW"]),
        .library(name: "ZynqNetSim", targets: ["ZynqNetSim"]),
        .library(name: "ZynqNetBit", targets: ["ZynqNetBit"]),
        .library(name: "ZynqNetRuntime", targets: ["ZynqNetRuntime"]),
        .library(name: "ZynqNetLinux", targets: ["ZynqNetLinux"]),
        .library(name: "ZynqNetLoopback", targets: ["ZynqNetLoopback"]),
        .library(name: "ZynqNetCodegen", targets: ["ZynqNetCodegen"]),
        .library(name: "ZynqNetRTLSim", targets: ["ZynqNetRTLSim"]),
        .library(name: "ZynqNetVivado", targets: ["ZynqNetVivado"]),
        .library(name: "ZynqNetJTAG", targets: ["ZynqNetJTAG"]),
        .library(name: "ZynqNetImport", targets: ["ZynqNetImport"]),
        .library(name: "ZynqNetTrain", targets: ["ZynqNetTrain"]),
        .library(name: "ZynqNetDeploy", targets: ["ZynqNetDeploy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Module graph, roles and allowed imports: docs/architecture.md (a test checks it).
        // Dependencies point down this list, never up.

        // Build tool: builds fpga/ files, the rtlsim C ABI header and the demo data into the modules
        // that ship them (EmbeddedFileTable, path -> contents): nothing generated is committed.
        .executableTarget(name: "EmbedFilesTool"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["EmbedFilesTool"]),

        // C: volatile MMIO, barriers, 64-bit mmap offsets, SIGINT flag, child process groups.
        .target(name: "CZynqNetSys"),
        // C: zlib (raw inflate + CRC-32) for the npz and gzip readers.
        .systemLibrary(
            name: "CZlibIO",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // C: dot-product kernels of the simulator chosen at run time: int16 (portable C, SSE2, AVX2,
        // NEON) and 8-bit (AVX-512 VNNI, AVX-VNNI, AMX-INT8 through target attributes, aarch64 sdot).
        .target(name: "CZynqNetDotKernels"),
        // C: float kernels of training (SGEMM, Adam, softmax), -O3 even in debug builds.
        .target(
            name: "CZynqNetTrainKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        // C: the rtlsim C ABI and its dlopen loader.
        .target(name: "CZynqNetRTLSim", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // C: libusb (JTAG cable) and libudev (board discovery); Linux only.
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"]), .brew(["libusb"])]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),

        // Base: ZynqError, file bytes, hex, JSON text, the seeded PRNG, paths, process running.
        .target(name: "ZynqNetBase", dependencies: ["CZynqNetSys"]),
        // Model: model IR, model files, npy/npz/IDX/gzip/zip readers, npz writer, image sets, OutputPlan.
        .target(
            name: "ZynqNetModel",
            dependencies: [
                "ZynqNetBase", "CZlibIO",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // HW: the hardware contract: register map, topology, layouts, Engine, output records,
        // manifest, input codes and results, timing models, boards.
        .target(name: "ZynqNetHW", dependencies: ["ZynqNetBase", "ZynqNetModel"], plugins: ["EmbedFiles"]),
        // Sim: the bit-exact simulator of the spec, reference (Int128) and fast (SIMD, parallel).
        .target(name: "ZynqNetSim", dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "CZynqNetDotKernels"]),
        // Bit: Xilinx .bit files: header parser, fpga_manager .bin, JTAG payload, packet walker.
        .target(name: "ZynqNetBit", dependencies: ["ZynqNetBase"]),
        // Runtime: driver logic over RegisterBus and DMABuffer: accelerator, AXI DMA, backend protocol.
        .target(name: "ZynqNetRuntime", dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "CZynqNetSys"]),
        // Linux: /dev/mem, UIO, u-dma-buf, fpga_manager, SLCR and PS checks, doctor.
        .target(
            name: "ZynqNetLinux",
            dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetBit", "ZynqNetRuntime", "CZynqNetSys"]
        ),
        // Loopback: simulated devices (AXI DMA, accelerator, SLCR models), backend factory, benchmark.
        .target(
            name: "ZynqNetLoopback",
            dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "ZynqNetRuntime", "ZynqNetLinux"]
        ),
        // Codegen: folding, resource model, timing, Verilog top (the RTL library is embedded).
        .target(name: "ZynqNetCodegen", dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW"], plugins: ["EmbedFiles"]),
        // RTLSim: the generated RTL under Verilator: rtlsim (a device the runtime drives) and verify.
        .target(
            name: "ZynqNetRTLSim",
            dependencies: ["CZynqNetRTLSim", "ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "ZynqNetRuntime",
                           "ZynqNetLoopback", "ZynqNetCodegen"],
            plugins: ["EmbedFiles"]
        ),
        // Vivado: Tcl project generation, built-in boards lookup, yosys resource report (its
        // result cache is keyed by ZynqNetBit's SHA-256).
        .target(name: "ZynqNetVivado", dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetCodegen", "ZynqNetBit"], plugins: ["EmbedFiles"]),
        // JTAG: USB transport, FTDI MPSSE, JTAG, Zynq PL programming, udev discovery.
        .target(
            name: "ZynqNetJTAG",
            dependencies: [
                "ZynqNetBase", "ZynqNetBit",
                .target(name: "CLibUSB", condition: .when(platforms: [.linux])),
                .target(name: "CUdev", condition: .when(platforms: [.linux])),
            ],
            plugins: ["EmbedFiles"]
        ),
        // JTAGSim: a simulated FT2232H + Zynq JTAG chain behind the same USB transport (tests).
        .target(name: "ZynqNetJTAGSim", dependencies: ["ZynqNetBit", "ZynqNetJTAG"]),
        // Import: ONNX and TFLite importers into format 2; ModelImport routes a path by extension.
        // onnx.pb.swift is generated once by scripts/generate-onnx-proto.sh and committed.
        .target(
            name: "ZynqNetImport",
            dependencies: [
                "ZynqNetBase", "ZynqNetModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // Train: float training, post-training quantization and QAT of dense ReLU MLPs.
        .target(
            name: "ZynqNetTrain",
            dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "CZynqNetTrainKernels"],
            plugins: ["EmbedFiles"]
        ),
        // Deploy: deploy bundles, the bitstream registry and the ssh path of `zynqnet deploy`.
        .target(
            name: "ZynqNetDeploy",
            dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "ZynqNetBit", "ZynqNetJTAG",
                           "ZynqNetImport"]
        ),
        // simbench: speed of the simulator alone (`swift run -c release simbench [N] [threads]`).
        .executableTarget(name: "simbench", dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW", "ZynqNetSim"]),
        // zynqnet: the command line only.
        .executableTarget(
            name: "zynqnet",
            dependencies: [
                "ZynqNetBase",
                "ZynqNetModel",
                "ZynqNetHW",
                "ZynqNetSim",
                "ZynqNetBit",
                "ZynqNetRuntime",
                "ZynqNetLinux",
                "ZynqNetLoopback",
                "ZynqNetCodegen",
                "ZynqNetRTLSim",
                "ZynqNetVivado",
                "ZynqNetJTAG",
                "ZynqNetImport",
                "ZynqNetTrain",
                "ZynqNetDeploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What the test targets share (used only by them): the repository root and Tests/Fixtures,
        // temporary folders, random models over ZynqNetBase's SplitMix64, tool runners, golden-file
        // checks and the tags of the tests that run outside tools.
        .target(
            name: "ZynqNetTestSupport",
            dependencies: ["ZynqNetBase", "ZynqNetModel", "ZynqNetHW"],
            path: "Tests/ZynqNetTestSupport"
        ),
        .testTarget(
            name: "ZynqNetModelTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetModel"],
        ),
        .testTarget(
            name: "ZynqNetHWTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetHW", "ZynqNetCodegen", "ZynqNetRTLSim", "ZynqNetModel", "ZynqNetSim"]
        ),
        .testTarget(name: "ZynqNetSimTests", dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetSim", "ZynqNetHW", "ZynqNetModel"]),
        // Runs build/board/zynqnet-board (scripts/build-board.sh) under qemu-arm against the host simulator.
        .testTarget(name: "ZynqNetBoardTests", dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetSim", "ZynqNetModel", "ZynqNetLoopback"]),
        .testTarget(name: "ZynqNetBitTests", dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetBit", "ZynqNetModel"]),
        .testTarget(
            name: "ZynqNetRuntimeTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetRuntime", "ZynqNetLinux", "ZynqNetLoopback", "ZynqNetHW", "ZynqNetSim",
                           "ZynqNetBit", "ZynqNetModel"]
        ),
        .testTarget(
            name: "ZynqNetRTLSimTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetRTLSim", "ZynqNetRuntime", "ZynqNetLoopback", "ZynqNetCodegen", "ZynqNetHW",
                           "ZynqNetModel", "ZynqNetSim", "ZynqNetImport", "ZynqNetVivado"]
        ),
        .testTarget(
            name: "ZynqNetVivadoTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetHW", "ZynqNetVivado", "ZynqNetCodegen", "ZynqNetModel"]
        ),
        .testTarget(
            name: "ZynqNetJTAGTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetJTAG", "ZynqNetJTAGSim", "ZynqNetDeploy", "ZynqNetBit", "ZynqNetModel", "ZynqNetHW"]
        ),
        .testTarget(
            name: "ZynqNetImportTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetImport", "ZynqNetModel", "ZynqNetSim", "ZynqNetRuntime", "ZynqNetLoopback",
                           "ZynqNetHW", "ZynqNetBit"]
        ),
        .testTarget(
            name: "ZynqNetTrainTests",
            dependencies: ["ZynqNetTestSupport", "ZynqNetBase", "ZynqNetTrain", "ZynqNetModel", "ZynqNetSim"]
        ),
        // docs/architecture.md's module table against every import and Package.swift itself.
        .testTarget(name: "ArchitectureTests"),
        // Runs the built zynqnet executable end to end.
        .testTarget(name: "ZynqNetCLITests", dependencies: ["ZynqNetTestSupport", "zynqnet", "EmbedFilesTool", "ZynqNetBase", "ZynqNetModel", "ZynqNetSim"]),
    ]
)
