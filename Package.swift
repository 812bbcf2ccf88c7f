// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "zynqnet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "zynqnet", targets: ["zynqnet"]),
        .library(name: "ZynqNetModel", targets: ["ZynqNetModel"]),
        .library(name: "ZynqNetImport", targets: ["ZynqNetImport"]),
        .library(name: "ZynqNetSim", targets: ["ZynqNetSim"]),
        .library(name: "ZynqNetHW", targets: ["ZynqNetHW"]),
        .library(name: "ZynqNetCodegen", targets: ["ZynqNetCodegen"]),
        .library(name: "ZynqNetBit", targets: ["ZynqNetBit"]),
        .library(name: "ZynqNetHost", targets: ["ZynqNetHost"]),
        .library(name: "ZynqNetDeploy", targets: ["ZynqNetDeploy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Model IR, file formats (npy, npz, IDX), format-1 models and importers.
        .target(
            name: "ZynqNetModel",
            dependencies: [
                "CZlibIO", "CZynqNetSys",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Importers of outside model files (ONNX; TFLite) into format 2, and ModelImport, the one
        // place that routes a model path by its extension. onnx.pb.swift is generated once by
        // scripts/generate-onnx-proto.sh and committed (no protoc plugin in the build).
        .target(
            name: "ZynqNetImport",
            dependencies: [
                "ZynqNetModel", "ZynqNetBit",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "ZynqNetImportTests",
            dependencies: ["ZynqNetImport", "ZynqNetModel", "ZynqNetSim", "ZynqNetRuntime", "ZynqNetHW", "ZynqNetBit"],
            exclude: ["FuzzRegressions"]
        ),
        // zlib (raw inflate + CRC-32) for the npz and gzip readers.
        .systemLibrary(
            name: "CZlibIO",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Dot-product kernels chosen at run time: int16 (portable C, SSE2, AVX2, NEON) and 8-bit
        // (AVX-512 VNNI, AVX-VNNI, AMX-INT8 through target attributes, aarch64 sdot).
        .target(name: "CZynqKernels"),
        // The bit-exact simulator of the spec: reference (Int128) and fast (SIMD, parallel).
        .target(name: "ZynqNetSim", dependencies: ["ZynqNetModel", "CZynqKernels"]),
        // Small C helpers of the runtime: volatile MMIO, barriers, 64-bit mmap offsets, SIGINT flag;
        // child process groups and the SIGINT/SIGTERM handler (ZynqNetModel's Termination).
        .target(name: "CZynqNetSys"),
        // Runtime: memory access (/dev/mem, UIO, loopback), DMA buffers, AXI DMA driver and model,
        // accelerator driver and model, fpga_manager loader.
        .target(
            name: "ZynqNetRuntime",
            dependencies: ["ZynqNetModel", "ZynqNetHW", "ZynqNetSim", "ZynqNetBit", "CZynqNetSys"]
        ),
        .testTarget(
            name: "ZynqNetRuntimeTests",
            dependencies: ["ZynqNetRuntime", "ZynqNetHW", "ZynqNetSim", "ZynqNetBit", "ZynqNetModel"]
        ),
        // rtlsim: the generated RTL under Verilator as a device the runtime drives (dlopen'd
        // shared library built per design; the C ABI and its loader are CZynqNetRTLSim).
        .target(name: "CZynqNetRTLSim", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "ZynqNetRTLSim",
            dependencies: ["CZynqNetRTLSim", "ZynqNetRuntime", "ZynqNetCodegen", "ZynqNetHW", "ZynqNetModel", "ZynqNetSim"]
        ),
        .testTarget(
            name: "ZynqNetRTLSimTests",
            dependencies: ["ZynqNetRTLSim", "ZynqNetRuntime", "ZynqNetCodegen", "ZynqNetHW", "ZynqNetModel", "ZynqNetSim",
                           "ZynqNetImport"]
        ),
        // Vivado Tcl generation, boards as data, manifest.json, yosys resource report.
        .target(
            name: "ZynqNetVivado",
            dependencies: ["ZynqNetModel"]
        ),
        .testTarget(
            name: "ZynqNetVivadoTests",
            dependencies: ["ZynqNetVivado"],
            exclude: ["Fixtures"]
        ),
        // Hardware contract: AXI-Lite register map, topology hash, widths, parameter image.
        .target(name: "ZynqNetHW", dependencies: ["ZynqNetModel"]),
        // Folding, resource model, Verilog generation (the RTL library is embedded).
        .target(name: "ZynqNetCodegen", dependencies: ["ZynqNetHW", "ZynqNetModel", "ZynqNetSim"]),
        .testTarget(name: "ZynqNetHWTests", dependencies: ["ZynqNetHW", "ZynqNetCodegen", "ZynqNetModel", "ZynqNetSim"]),
        // Xilinx .bit files: header parser, fpga_manager .bin, JTAG payload, packet walker.
        .target(name: "ZynqNetBit", dependencies: ["ZynqNetModel"]),
        // libusb (JTAG cable) and libudev (board discovery); Linux only.
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"]), .brew(["libusb"])]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        // Host side: USB transport, FTDI MPSSE, JTAG, Zynq PL programming, board discovery, deploy.
        .target(
            name: "ZynqNetHost",
            dependencies: [
                "ZynqNetModel", "ZynqNetBit",
                .target(name: "CLibUSB", condition: .when(platforms: [.linux])),
                .target(name: "CUdev", condition: .when(platforms: [.linux])),
            ]
        ),
        // A simulated FT2232H + Zynq JTAG chain behind the same USB transport (tests).
        .target(name: "ZynqNetHostSim", dependencies: ["ZynqNetHost", "ZynqNetBit"]),
        // Deploy bundles, the bitstream registry and the ssh path of `zynqnet deploy`.
        .target(
            name: "ZynqNetDeploy",
            dependencies: ["ZynqNetModel", "ZynqNetImport", "ZynqNetBit", "ZynqNetHost", "ZynqNetSim", "ZynqNetHW", "ZynqNetVivado"]
        ),
        // Speed of the simulator alone: `swift run -c release simbench [N] [threads]`.
        .executableTarget(name: "simbench", dependencies: ["ZynqNetSim"]),
        // Float kernels (SGEMM, Adam, softmax) for training, -O3 even in debug builds.
        .target(
            name: "CZynqNetKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        // Float training, post-training quantization and QAT of dense ReLU MLPs.
        .target(
            name: "ZynqNetTrain",
            dependencies: ["ZynqNetModel", "ZynqNetSim", "CZynqNetKernels"]
        ),
        .testTarget(
            name: "ZynqNetTrainTests",
            dependencies: ["ZynqNetTrain", "ZynqNetModel", "ZynqNetSim"]
        ),
        .executableTarget(
            name: "zynqnet",
            dependencies: [
                "ZynqNetModel",
                "ZynqNetSim",
                "ZynqNetRuntime",
                "ZynqNetBit",
                "ZynqNetHost",
                "ZynqNetDeploy",
                "ZynqNetVivado",
                "ZynqNetHW",
                "ZynqNetCodegen",
                "ZynqNetTrain",
                "ZynqNetRTLSim",
                "ZynqNetImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ZynqNetModelTests",
            dependencies: ["ZynqNetModel"],
            exclude: ["FuzzRegressions"]  // inputs replayed by FuzzRegressionTests via #filePath
        ),
        .testTarget(name: "ZynqNetSimTests", dependencies: ["ZynqNetSim", "ZynqNetModel"]),
        // Runs build/board/zynqnet-board (scripts/build-board.sh) under qemu-arm against the host simulator.
        .testTarget(name: "ZynqNetBoardTests", dependencies: ["ZynqNetSim", "ZynqNetModel"]),
        .testTarget(name: "ZynqNetBitTests", dependencies: ["ZynqNetBit", "ZynqNetModel"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "ZynqNetHostTests", dependencies: ["ZynqNetHost", "ZynqNetHostSim", "ZynqNetDeploy", "ZynqNetBit", "ZynqNetModel"]),
        // Runs the built zynqnet executable end to end.
        .testTarget(name: "ZynqNetCLITests", dependencies: ["zynqnet", "ZynqNetModel", "ZynqNetSim"]),
    ]
)
