import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
@testable import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetVivado

@Suite struct BoardTests {
    // Expected values typed from shared/docs/zynq-facts.md §4.1 and §6, not from the JSON.
    @Test func pynqZ2MatchesTheFacts() throws {
        let b = try Board.load(file: repoPath("fpga/boards/pynq-z2.json"))
        #expect(b.part == "xc7z020clg400-1")
        #expect(b.boardPart == "tul.com.tw:pynq-z2:part0:1.0")
        #expect(b.psRefClockMHz == 50)
        #expect(b.apuClockMHz == 650)
        #expect(b.ddr.size.value == 512 * 1024 * 1024)
        #expect(b.defaultFclkMHz == 100)
        #expect(b.hpDataWidth == 64)
        #expect(b.dma.base.value == 0x4040_0000 && b.dma.range.value == 65536)
        #expect(b.accelerator.base.value == 0x43C0_0000)
        #expect(b.jtag.cable == "ft2232")
        #expect(!b.unconfirmed.isEmpty)
    }

    @Test func zyboZ720MatchesTheFacts() throws {
        let b = try Board.load(file: repoPath("fpga/boards/zybo-z7-20.json"))
        #expect(b.part == "xc7z020clg400-1")
        #expect(b.boardPart == "digilentinc.com:zybo-z7-20:part0:1.2")
        #expect(b.psRefClockMHz == 33.333333)
        #expect(b.apuClockMHz == 667)
        #expect(b.ddr.size.value == 1024 * 1024 * 1024)
        #expect(b.jtag.cable == "digilent")
        #expect(b.unconfirmed.contains { $0.hasPrefix("default_fclk_mhz") })
    }

    @Test func resolveFindsBoardsDirFromEnvironmentFirst() throws {
        let dir = try makeTemporaryDirectory("boards").path
        var text = try readText(repoPath("fpga/boards/pynq-z2.json"))
        text = text.replacingOccurrences(of: "\"0x43C00000\"", with: "\"0x43C10000\"")
        try writeText(text, dir + "/pynq-z2.json")
        let b = try Board.resolve("pynq-z2", environment: ["ZYNQNET_BOARDS_DIR": dir], executablePath: nil)
        #expect(b.accelerator.base.value == 0x43C1_0000)
        let builtIn = try Board.resolve("zybo-z7-20", environment: [:], executablePath: nil)
        #expect(builtIn.name == "zybo-z7-20")
        #expect(throws: ZynqError.self) { try Board.resolve("zedboard", environment: [:], executablePath: nil) }
    }

    @Test func resolveFindsTheCheckoutsBoardsAboveTheExecutable() throws {
        let root = try makeTemporaryDirectory("checkout").path
        try FileManager.default.createDirectory(atPath: root + "/fpga/boards", withIntermediateDirectories: true)
        let text = try readText(repoPath("fpga/boards/zybo-z7-20.json"))
            .replacingOccurrences(of: "\"default_fclk_mhz\": 100", with: "\"default_fclk_mhz\": 125")
        try writeText(text, root + "/fpga/boards/zybo-z7-20.json")
        let b = try Board.resolve("zybo-z7-20", environment: [:], executablePath: root + "/.build/debug/zynqnet")
        #expect(b.defaultFclkMHz == 125)
        let file = try Board.resolve(root + "/fpga/boards/zybo-z7-20.json", environment: [:], executablePath: nil)
        #expect(file.defaultFclkMHz == 125)
    }

    /// Each bad value gives a one-line error naming the file and the key.
    @Test(arguments: [
        ("\"part\": \"xc7z020clg400-1\"", "\"part\": \"xc7z010clg400-1\"", "part"),
        ("\"base\": \"0x40400000\"", "\"base\": \"0x40400800\"", "dma.base"),
        ("\"base\": \"0x40400000\"", "\"base\": \"0x80400000\"", "dma.base"),
        ("\"range\": \"0x10000\"", "\"range\": \"0x3000\"", "dma.range"),
        ("\"hp_data_width\": 64", "\"hp_data_width\": 48", "hp_data_width"),
        ("\"size\": \"0x20000000\"", "\"size\": \"0x30000000\"", "ddr.size"),
        ("\"cable\": \"ft2232\"", "\"cable\": \"FT 2232\"", "jtag.cable"),
        ("\"cable\": \"ft2232\"", "\"cable\": \"ft2232\", \"adbus_value\": \"0x08\"", "jtag.adbus_value"),
        ("\"PCW_UIPARAM_DDR_BUS_WIDTH\": \"16 Bit\"", "\"PCW_UIPARAM_DDR_BUS_WIDTH\": \"16 Bit}\"", "ps7_fallback_config.PCW_UIPARAM_DDR_BUS_WIDTH"),
        ("\"default_fclk_mhz\": 100,", "", "default_fclk_mhz"),
        ("\"default_fclk_mhz\": 100,", "\"default_fclk_mhz\": 100, \"fclk_mhz\": 100,", "fclk_mhz"),
        ("\"ps_ref_clock_mhz\": 50.0,", "\"ps_ref_clock_mhz\": \"50\",", "ps_ref_clock_mhz"),
    ])
    func badBoardValuesAreNamed(original: String, replacement: String, key: String) throws {
        let text = try readText(repoPath("fpga/boards/pynq-z2.json"))
        #expect(text.contains(original))
        let bad = text.replacingOccurrences(of: original, with: replacement)
        do {
            _ = try Board.decode(Data(bad.utf8), file: "bad.json")
            Issue.record("accepted a bad board (\(key))")
        } catch {
            let e = error
            #expect(e.file == "bad.json")
            #expect(e.key == key, "\(e)")
            #expect(!e.description.contains("\n"))
        }
    }

    /// A board file with an unknown or missing key: one line naming the file and the key.
    @Test func unknownAndMissingKeysNameFileAndKey() throws {
        let text = try readText(repoPath("fpga/boards/zybo-z7-20.json"))
        let unknown = text.replacingOccurrences(of: "\"hp_data_width\": 64,", with: "\"hp_data_width\": 64, \"hp_width\": 64,")
        #expect(throws: ZynqError(file: "z.json", key: "hp_width", "unknown key")) { try Board.parse(Array(unknown.utf8), file: "z.json") }
        #expect(throws: ZynqError(file: "fpga/boards/zybo-z7-20.json", key: "hp_width", "unknown key")) {
            try BoardCatalog(files: [(file: "fpga/boards/zybo-z7-20.json", text: unknown)])
        }
        #expect(throws: ZynqError(file: "b.json", key: "name", "duplicate board 'zybo-z7-20'")) {
            try BoardCatalog(files: [(file: "a.json", text: text), (file: "b.json", text: text)])
        }
        let missing = text.replacingOccurrences(of: "\"board_part_pattern\": \"digilentinc.com:zybo-z7-20:part0:*\",", with: "")
        #expect(missing != text)
        #expect(throws: ZynqError(file: "z.json", key: "board_part_pattern", "is missing")) { try Board.parse(Array(missing.utf8), file: "z.json") }
    }

    /// An unknown board name: one line naming --board and listing the boards zynqnet knows.
    @Test func unknownBoardNameListsTheKnownOnes() throws {
        #expect(throws: ZynqError(key: "--board", "unknown board 'zedboard' (known: pynq-z2, zybo-z7-20; or give a .json file)")) {
            try Board.resolve("ZedBoard", environment: [:], executablePath: nil)
        }
        #expect(throws: ZynqError(key: "--board", "unknown board 'zedboard' (known: pynq-z2, zybo-z7-20)")) {
            try BoardCatalog.builtIn.named("zedboard")
        }
        #expect(throws: ZynqError(key: "--target", "unknown board 'Zed' (known: pynq-z2, zybo-z7-20)")) {
            try BoardCatalog.builtIn.named("Zed", option: "--target")
        }
        #expect(try BoardCatalog.builtIn.named("ZYBO-Z7-20").psRefClockMHz == 33.333333)
    }

    /// Every built-in board file parses and passes the checks; 
    @Test func allBuiltInBoardsLoad() throws {
        #expect(BoardCatalog.builtIn.names == ["pynq-z2", "zybo-z7-20"])
        for (name, text) in BoardCatalog.builtInFiles {
            let b = try Board.parse(Array(text.utf8), file: "<built-in>/fpga/boards/\(name).json")
            #expect(try BoardCatalog.builtIn.named(name) == b)
            #expect(b.part == "xc7z020clg400-1")
        }
    }
}
