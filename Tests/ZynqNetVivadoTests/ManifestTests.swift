import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetVivado

@Suite struct ManifestTests {
    @Test func manifestValuesForTheFixtureDesign() throws {
        let dir = try generateProject(board: "pynq-z2", fclk: 100, lengthWidth: 26)
        let m = try Manifest.load(file: dir + "/manifest.json")
        #expect(m.schemaVersion == 2)
        #expect(m.psRefClockMHz == 50)
        #expect(m.engine == .dataflow)
        #expect(m.board == "pynq-z2")
        #expect(m.part == "xc7z020clg400-1")
        #expect(m.boardPart == "tul.com.tw:pynq-z2:part0:1.0")
        #expect(m.fclkMHz == 100 && m.fclkExpectedMHz == 100)
        #expect(m.topologyHash.value == 0x1234_5678_9ABC_DEF0)
        #expect(m.ipVLNV == "zynqnet.dev:zynqnet:zynqnet_accel:1.0")
        #expect(m.accelerator.baseAddress.value == 0x43C0_0000)
        #expect(m.accelerator.range.value == 4096)           // 2^12
        #expect(m.accelerator.axilAddrWidth == 12)
        #expect(m.dma.baseAddress.value == 0x4040_0000 && m.dma.range.value == 0x1_0000)
        #expect(m.dma.mode == "direct")
        #expect(m.dma.lengthWidth == 26)
        #expect(m.dma.maxTransferBytes == 67_108_863)        // 2^26 - 1
        #expect(m.stream.sAxisTdataWidth == 64 && m.stream.mAxisTdataWidth == 64)
        #expect(m.records.inputBytes == 784 && m.records.outputBytes == 24)
        #expect(m.records.maxBatchImages == 85_598)          // floor(67108863 / 784)
        #expect(m.ddr.size.value == 0x2000_0000)
        #expect(m.files.bitstream == "zynqnet.bit" && m.files.hwh == "zynqnet.hwh")
        #expect(m.files.rtl == ["rtl/zynqnet_accel.v"])
        #expect(m.performance == Manifest.Performance(iiCycles: 98, latencyCycles: 420))
        // Human-readable hex in the file.
        let text = try readText(dir + "/manifest.json")
        #expect(text.contains("\"base_address\": \"0x43C00000\""))
        #expect(text.contains("\"topology_hash\": \"0x123456789ABCDEF0\""))
        // The writer's text is what the reader reads: the same value back.
        #expect(try Manifest.parse(Array(text.utf8), file: "m.json") == m)
        #expect(text.hasPrefix("{\n  \"schema_version\": 2,\n  \"zynqnet_version\": ") && text.hasSuffix("\n}\n"))
    }

    /// layer_roundings round-trips; a manifest without it (written before the key) is read with
    /// nil, the board's load check its only rounding check; bad values name the element.
    @Test func layerRoundingsRoundTripAndOlderManifests() throws {
        let dir = try generateProject()
        let old = try readText(dir + "/manifest.json")
        #expect(!old.contains("layer_roundings"))
        var m = try Manifest.load(file: dir + "/manifest.json")
        #expect(m.layerRoundings == nil)
        m.layerRoundings = [0b11, 0b10011]
        // Pretty JSON without its whitespace (no string in it has a space): still the same manifest.
        let good = String(decoding: m.fileBytes, as: UTF8.self).filter { $0 != " " && $0 != "\n" }
        let written = #""layer_roundings":[["floor","half_up"],["floor","half_up","float32"]]"#
        #expect(good.contains(written))
        let back = try Manifest.parse(m.fileBytes, file: "m.json")
        #expect(back == m && back.layerRoundings == [3, 19])
        #expect(try Manifest.parse(Array(good.utf8), file: "m.json") == m)
        for (to, key, message) in [
            (#""layer_roundings":[["floor","half_up"],["floor","half_up","nearest"]]"#, "layer_roundings[1][2]",
             #""nearest" is not a rounding mode, or named twice (floor, half_up, half_even, gemmlowp, float32)"#),
            (#""layer_roundings":[["floor","half_up","floor"],["floor","half_up"]]"#, "layer_roundings[0][2]",
             #""floor" is not a rounding mode, or named twice (floor, half_up, half_even, gemmlowp, float32)"#),
            (#""layer_roundings":[["floor"],["floor","half_up"]]"#, "layer_roundings[0]", "must hold floor and half_up (every requantizer builds them)"),
            (#""layer_roundings":[]"#, "layer_roundings", "must name one entry per layer, got none"),
            (#""layer_roundings":[["floor","half_up"],3]"#, "layer_roundings[1]", "must be an array, got 3"),
        ] {
            let bad = good.replacingOccurrences(of: written, with: to)
            #expect(throws: ZynqError(file: "m.json", key: key, message)) { _ = try Manifest.parse(Array(bad.utf8), file: "m.json") }
        }
    }

    @Test func rangeFollowsAxilAddrWidth() throws {
        let b = try Board.load(file: repoPath("fpga/boards/zybo-z7-20.json"))
        for (aw, range) in [(8, UInt64(4096)), (12, 4096), (13, 8192), (16, 65536)] {
            let m = try VivadoProject.manifest(design: fixtureDesign(axilAddrWidth: aw), board: b, fclkMHz: 125, dmaLengthWidth: 23)
            #expect(m.accelerator.range.value == range)
            #expect(m.dma.maxTransferBytes == 8_388_607)
        }
    }

    @Test func expectedFclkUsesTheIOPLLDividers() {
        #expect(VivadoProject.expectedFclkMHz(100) == 100)
        #expect(VivadoProject.expectedFclkMHz(142) == 142.857143)   // 1000 / 7
        #expect(VivadoProject.expectedFclkMHz(150) == 142.857143)   // 1000/7 = 142.9 is nearer than 1000/6 = 166.7
        #expect(VivadoProject.expectedFclkMHz(200) == 200)
    }

    @Test func badInputsAreRejectedAndNothingIsWritten() throws {
        let b = try Board.load(file: repoPath("fpga/boards/pynq-z2.json"))
        let dir = try makeTemporaryDirectory("bad").path
        var d = fixtureDesign()
        d.inputRecordBytes = 100   // not whole beats
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: d, board: b, fclkMHz: 100, dmaLengthWidth: 26, to: dir) }
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: fixtureDesign(), board: b, fclkMHz: 300, dmaLengthWidth: 26, to: dir) }
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: fixtureDesign(), board: b, fclkMHz: 100, dmaLengthWidth: 27, to: dir) }
        // 784-byte records do not fit a 9-bit (511-byte) DMA length.
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: fixtureDesign(), board: b, fclkMHz: 100, dmaLengthWidth: 9, to: dir) }
        // RTL file missing in dir.
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: fixtureDesign(), board: b, fclkMHz: 100, dmaLengthWidth: 26, to: dir) }
        var unsafe = fixtureDesign()
        unsafe.rtlFiles = ["rtl/{evil}.v"]
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: unsafe, board: b, fclkMHz: 100, dmaLengthWidth: 26, to: dir) }
        // An accelerator window on top of the DMA's.
        var overlapping = b
        overlapping.accelerator.base = HexU64(0x4040_0000)
        #expect(throws: ZynqError.self) { try VivadoProject.write(design: fixtureDesign(), board: overlapping, fclkMHz: 100, dmaLengthWidth: 26, to: dir) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func loadRejectsInconsistentManifests() throws {
        let dir = try generateProject()
        let good = try readText(dir + "/manifest.json")
        for (from, to, key) in [
            ("\"max_transfer_bytes\": 67108863", "\"max_transfer_bytes\": 67108864", "dma.max_transfer_bytes"),
            ("\"mode\": \"direct\"", "\"mode\": \"sg\"", "dma.mode"),
            ("\"base_address\": \"0x43C00000\"", "\"base_address\": \"0x43C00100\"", "accelerator.base"),
            ("\"schema_version\": 2", "\"schema_version\": 1", "schema_version"),
            ("\"base_address\": \"0x43C00000\"", "\"base_address\": \"0xZZ\"", "accelerator.base_address"),
            ("\"base_address\": \"0x43C00000\"", "\"base_address\": 1136656384", "accelerator.base_address"),
            ("\"mode\": \"direct\"", "\"mode\": \"direct\", \"c_sg_length_width\": 23", "dma.c_sg_length_width"),
            ("\"board\": \"pynq-z2\",", "\"board\": \"pynq-z2\", \"board\": \"zybo-z7-20\",", "board"),
            ("\"engine\": \"dataflow\"", "\"engine\": \"systolic\"", "engine"),
        ] {
            #expect(good.contains(from))
            try writeText(good.replacingOccurrences(of: from, with: to), dir + "/m.json")
            let e = #expect(throws: ZynqError.self, "accepted \(to)") { _ = try Manifest.load(file: dir + "/m.json") }
            #expect(e?.key == key, "\(String(describing: e))")
            #expect(e?.file == dir + "/m.json")
        }
        // A manifest from before schema 2 (JSONEncoder's layout, no ps_ref_clock_mhz or a 1):
        // one line naming the file, the key and the command that writes it anew.
        try writeText("{\n  \"accelerator\" : {\n  },\n  \"schema_version\" : 1\n}\n", dir + "/old.json")
        #expect(throws: ZynqError(file: dir + "/old.json", key: "schema_version",
                                  "manifest schema 1 is not read by this zynqnet (it reads 2); regenerate the design with zynqnet codegen MODEL -o DIR")) {
            _ = try Manifest.load(file: dir + "/old.json")
        }
    }
}
