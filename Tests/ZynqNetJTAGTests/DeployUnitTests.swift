import Testing
import Foundation
import ZynqNetTestSupport
import ZynqNetBase
@testable import ZynqNetDeploy
import ZynqNetHW
import ZynqNetModel

@Suite struct SSHTargets {
    @Test func parsing() {
        #expect(SSHTarget.parse("ssh://xilinx@pynq") == SSHTarget(user: "xilinx", host: "pynq", port: nil))
        #expect(SSHTarget.parse("ssh://root@192.168.2.99:2222/") == SSHTarget(user: "root", host: "192.168.2.99", port: 2222))
        #expect(SSHTarget.parse("ssh://a_b.c@board-1.local")?.destination == "a_b.c@board-1.local")
        for bad in ["pynq", "ssh://pynq", "ssh://@pynq", "ssh://x@", "ssh://x@h:0", "ssh://x@h:99999", "ssh://-oProxyCommand=x@h",
                    "ssh://x@-h", "ssh://x y@h", "ssh://x@h;rm", "ssh://x@h/path", "ssh://x@[::1]"] {
            #expect(SSHTarget.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func remotePaths() {
        for ok in ["zynqnet", "apps/zn", "/opt/zynqnet/bundles", "a.b_c-d"] { #expect(RemotePlan.isSafeRemotePath(ok), "\(ok)") }
        for bad in ["", "-x", "a b", "../x", "a/../b", "~/x", "a;b", "a'b", "$HOME", "a\nb", "zyn\u{e9}"] {
            #expect(!RemotePlan.isSafeRemotePath(bad), "\(bad)")
        }
    }

    @Test func planWithoutSelftest() {
        let p = RemotePlan(target: SSHTarget(user: "u", host: "h", port: nil), localBundle: "/tmp/b1", remoteParent: "zn",
                           remoteZynqnet: "zynqnet", sudo: false, selftest: false, localResult: "/tmp/b1/selftest/board.npz")
        #expect(p.steps.map { $0.argv } == [
            ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "--", "u@h", "'zynqnet' doctor --json"],
            ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "--", "u@h", "mkdir -p -- 'zn'"],
            ["scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-r", "-q", "--", "/tmp/b1", "u@h:zn/"],
            ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "--", "u@h", "'zynqnet' load 'zn/b1' --json"],
        ])
    }

    /// --via ssh with zynqnet-board: uname -m, the binary alone, its doctor, the bundle, load, selftest.
    @Test func planWithTheBoardBinary() {
        var p = RemotePlan(target: SSHTarget(user: "u", host: "h", port: nil), localBundle: "/tmp/b1", remoteParent: "zn",
                           remoteZynqnet: "zynqnet", sudo: true, selftest: true, localResult: "/tmp/b1/selftest/board.npz", bufferBytes: 4096)
        p.boardBinary = "/src/build/board/zynqnet-board"
        #expect(p.steps.map { $0.name } == [RemotePlan.architectureStep, "create zn on the board", "copy zynqnet-board", RemotePlan.boardDoctorStep,
                                            "copy the bundle", "load the bitstream (zynqnet-board load)", RemotePlan.boardSelftestStep])
        #expect(p.steps.map { $0.argv.last! } == [
            "uname -m", "mkdir -p -- 'zn'", "u@h:zn/zynqnet-board", "sudo -n 'zn/zynqnet-board' doctor --json --buffer-bytes 4096",
            "u@h:zn/", "sudo -n 'zn/zynqnet-board' load 'zn/b1' --json", "sudo -n 'zn/zynqnet-board' selftest 'zn/b1' --json",
        ])
        #expect(p.steps[2].argv == ["scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-p", "-q", "--", "/src/build/board/zynqnet-board", "u@h:zn/zynqnet-board"])
    }

    /// Where deploy looks for zynqnet-board: beside zynqnet, build/board above it, then the current directory.
    @Test func boardBinaryCandidates() throws {
        #expect(BoardBinary.candidates(executable: "/r/.build/debug/zynqnet", cwd: "/w") == [
            "/r/.build/debug/zynqnet-board", "/r/.build/debug/build/board/zynqnet-board", "/r/.build/build/board/zynqnet-board",
            "/r/build/board/zynqnet-board", "/w/build/board/zynqnet-board",
        ])
        #expect(BoardBinary.candidates(executable: nil, cwd: "/w/") == ["/w/build/board/zynqnet-board"])
        let dir = try makeTemporaryDirectory("host").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/build/board", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/build/board/zynqnet-board", contents: Data("x".utf8), attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: dir + "/plain", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644])
        #expect(try BoardBinary.locate(option: nil, environment: [:], executable: dir + "/bin/zynqnet", cwd: "/nonexistent") == dir + "/build/board/zynqnet-board")
        #expect(try BoardBinary.locate(option: nil, environment: ["ZYNQNET_BOARD_BINARY": ""], executable: nil, cwd: dir) == dir + "/build/board/zynqnet-board")
        // An option or variable naming a file that is not executable is refused, not passed over.
        #expect(throws: ZynqError.self) { try BoardBinary.locate(option: dir + "/plain", environment: [:], executable: dir + "/zynqnet", cwd: dir) }
        #expect(throws: ZynqError.self) { try BoardBinary.locate(option: nil, environment: ["ZYNQNET_BOARD_BINARY": dir + "/plain"], executable: nil, cwd: dir) }
        #expect(throws: ZynqError.self) { try BoardBinary.locate(option: nil, environment: [:], executable: "/nonexistent/zynqnet", cwd: "/nonexistent") }
    }

    @Test func jtagPlanFinishesWithPLConfigured() {
        var p = RemotePlan(target: SSHTarget(user: "u", host: "h", port: nil), localBundle: "/tmp/b1", remoteParent: "zn",
                           remoteZynqnet: "zynqnet", sudo: true, selftest: false, localResult: "/tmp/b1/selftest/board.npz", bufferBytes: 4096)
        p.plConfiguredOverJTAG = true
        #expect(p.preSteps.map { $0.argv.last! } == ["sudo -n 'zynqnet' doctor --json --buffer-bytes 4096", "mkdir -p -- 'zn'", "u@h:zn/"])
        #expect(p.postSteps.map { $0.argv.last! } == ["sudo -n 'zynqnet' load 'zn/b1' --pl-configured --json"])
        // A bundle's runtime.json buffer goes to doctor.
        p.buffer = "devmem:0x1F000000:0x01000000"
        #expect(p.preSteps[0].argv.last! == "sudo -n 'zynqnet' doctor --json --buffer-bytes 4096 --buffer 'devmem:0x1F000000:0x01000000'")
    }
}

@Suite struct RegistryFile {
    func load(_ entry: String) throws -> String? {
        let dir = try makeTemporaryDirectory("host").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(#"{"schema_version": 1, "bitstreams": [\#(entry)]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        do {
            let r = try BitstreamRegistry.load(dir: dir)
            return "ok \(r.entries.count)"
        } catch let e as ZynqError {
            return "\(e.key ?? ""): \(e.message)"
        }
    }

    let good = #""board": "pynq-z2", "part": "xc7z020clg400-1", "topology_hash": "0x264630C1D4F1460B", "fclk_mhz": 100, "sha256": "7947bbcd3002230be3759e271e1c67bf1b8c2f2c973d0f76990e8a0e4ad0343d", "file": "a.bit", "hwh": null, "build_manifest": "a.manifest.json""#

    @Test func entriesAreChecked() throws {
        #expect(try load("{\(good)}") == "ok 1")
        #expect(try load("{\(good.replacingOccurrences(of: "0x264630C1D4F1460B", with: "0xZZ"))}") == "bitstreams[0].topology_hash: '0xZZ' is not a 0x… 64-bit hex number")
        #expect(try load("{\(good.replacingOccurrences(of: "\"fclk_mhz\": 100", with: "\"fclk_mhz\": -1"))}") == "bitstreams[0].fclk_mhz: must be a positive number")
        #expect(try load("{\(good.replacingOccurrences(of: "7947bbcd", with: "7947BBCD"))}") == "bitstreams[0].sha256: must be 64 lower-case hex digits")
        #expect(try load("{\(good.replacingOccurrences(of: "\"a.bit\"", with: "\"../a.bit\""))}")?.hasPrefix("bitstreams[0].file: '../a.bit' must be a file name inside") == true)
        #expect(try load("{\(good.replacingOccurrences(of: "\"board\": \"pynq-z2\", ", with: ""))}") == "bitstreams[0].board: is missing")
        #expect(try load("{\(good.replacingOccurrences(of: "\"pynq-z2\"", with: "\"\""))}") == "bitstreams[0].board: must be a non-empty string")
        #expect(try load("{\(good.replacingOccurrences(of: "\"fclk_mhz\": 100", with: "\"fclk_mhz\": \"100\""))}") == "bitstreams[0].fclk_mhz: must be a positive number")
    }
}

/// `BitstreamRegistry.matches` with the registry's folder: a bitstream of the model's topology
/// whose build manifest says a layer's requantizer lacks the model's rounding is left out.
@Suite struct RegistryRoundings {
    /// 20 inputs -> 6 -> 3 (dense), the layers rounding `r0`, `r1`.
    func model(_ r0: Rounding, _ r1: Rounding) -> QuantizedModel {
        func layer(_ n: Int, _ m: Int, _ r: Rounding) -> DenseLayer {
            DenseLayer(outFeatures: m, inFeatures: n, weight: [Int8](repeating: 1, count: n * m), bias: [Int32](repeating: 0, count: m),
                       multiplier: [1 << 30], shift: [32], rounding: r, relu: true, outputZero: 0, outputType: ActivationType(signed: false))
        }
        return QuantizedModel(input: InputSpec(shape: [20], type: ActivationType(signed: false), zero: 0, scale: 1),
                              layers: [layer(20, 6, r0), layer(6, 3, r1)])
    }

    func manifest(hash: UInt64, roundings: [Int]?) -> Manifest {
        Manifest(zynqnetVersion: "0.1.0", board: "pynq-z2", part: "xc7z020clg400-1", boardPart: "tul.com.tw:pynq-z2:part0:1.0",
                 psRefClockMHz: 50, fclkMHz: 100, fclkExpectedMHz: 100, topologyHash: HexU64(hash), topModule: "zynqnet_accel",
                 ipVLNV: "zynqnet.dev:zynqnet:zynqnet_accel:1.0",
                 blockDesign: .init(name: "zynqnet_bd", dmaCell: "dma", acceleratorCell: "acc"),
                 accelerator: .init(baseAddress: HexU64(0x43C0_0000), range: HexU64(4096), axilAddrWidth: 12),
                 dma: .init(baseAddress: HexU64(0x4040_0000), range: HexU64(0x1_0000), mode: "direct", lengthWidth: 26,
                            maxTransferBytes: (1 << 26) - 1, mmDataWidth: 64, mm2sStreamWidth: 64, s2mmStreamWidth: 64, burstSize: 64),
                 stream: .init(sAxisTdataWidth: 64, mAxisTdataWidth: 64),
                 records: .init(inputBytes: 24, outputBytes: 16, maxBatchImages: 1000),
                 ddr: .init(base: HexU64(0), size: HexU64(0x2000_0000)),
                 files: .init(bitstream: "zynqnet.bit", hwh: "zynqnet.hwh", packageTcl: "package_ip.tcl", buildTcl: "build.tcl",
                              rtl: ["rtl/zynqnet_accel.v"]),
                 performance: nil, engine: .dataflow, layerRoundings: roundings)
    }

    @Test func finderSkipsABitstreamWhoseRoundingsDoNotFit() throws {
        let dir = try makeTemporaryDirectory("host").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let even = model(.floor, .halfEven)
        let hash = try #require(TopologyMatch.hashes(even).first)
        // Rounding is not in the hash: the floor model has the same one.
        #expect(TopologyMatch.hashes(model(.floor, .floor)).first?.hash == hash.hash)
        func entry(_ name: String, _ roundings: [Int]?) throws -> BitstreamRegistry.Entry {
            try FileBytes.write(manifest(hash: hash.hash, roundings: roundings).fileBytes, to: dir + "/" + name + ".manifest.json")
            return BitstreamRegistry.Entry(board: "pynq-z2", part: "xc7z020clg400-1", topologyHash: hash.hash, fclkMHz: 100,
                                           sha256: String(repeating: "0", count: 64), file: name + ".bit", hwh: nil,
                                           buildManifest: name + ".manifest.json", design: "zynqnet_bd_wrapper", date: "")
        }
        // Registered oldest first: built with half_even in layer 1, without a record (older zynqnet), then floor/half_up only.
        let registry = BitstreamRegistry(entries: [try entry("even", [0b11, 0b111]), try entry("old", nil), try entry("plain", [0b11, 0b11])])
        // Newest first; the plain design lacks half_even in layer 1.
        #expect(registry.matches(board: "pynq-z2", model: even, dir: dir).map(\.entry.file) == ["old.bit", "even.bit"])
        #expect(registry.matches(board: "pynq-z2", model: even, dir: dir).map(\.multBits) == [hash.multBits, hash.multBits])
        #expect(registry.matches(board: "pynq-z2", model: model(.halfUp, .floor), dir: dir).map(\.entry.file) == ["plain.bit", "old.bit", "even.bit"])
        #expect(registry.matches(board: "pynq-z2", model: model(.gemmlowp, .floor), dir: dir).map(\.entry.file) == ["old.bit"])
        // Without the folder: by topology only.
        #expect(registry.matches(board: "pynq-z2", model: even).map(\.entry.file) == ["plain.bit", "old.bit", "even.bit"])
        // The first layer that does not fit, with what was built.
        let plain = try Manifest.load(file: dir + "/plain.manifest.json")
        #expect(RoundingMatch.firstMissing(model: even, manifest: plain, multBits: hash.multBits)
                == RoundingMatch.Missing(layer: 1, needed: .halfEven, built: 0b11))
    }
}
