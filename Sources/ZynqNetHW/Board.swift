import Foundation
import ZynqNetBase
import ZynqNetModel

/// A Zynq-7000 board as data (`fpga/boards/<name>.json`). Every value the facts mark
/// UNCONFIRMED lives here, so it can change without a code edit; `unconfirmed` lists them.
public struct Board: Equatable, Sendable {
    public struct Region: Equatable, Sendable {
        public var base: HexU64
        public var size: HexU64
    }
    public struct Window: Equatable, Sendable {
        public var base: HexU64
        public var range: HexU64
    }
    public struct Base: Equatable, Sendable {
        public var base: HexU64
    }
    /// The board's JTAG cable by its openFPGALoader name (`ft2232`, `digilent`). The USB identity
    /// and FTDI pin values are written once, in fpga/boards/jtag.json (ZynqNetJTAG reads them).
    public struct JTAG: Equatable, Sendable {
        public var cable: String
    }
    public struct UART: Equatable, Sendable {
        public var notes: String
    }

    public var name: String
    public var displayName: String
    public var part: String
    public var boardPart: String
    /// Glob used when the exact board_part version is not installed (e.g. Zybo 1.0/1.1/1.2).
    public var boardPartPattern: String
    public var psRefClockMHz: Double
    public var apuClockMHz: Double
    public var ddr: Region
    public var defaultFclkMHz: Double
    public var hpDataWidth: Int
    public var dma: Window
    public var accelerator: Base
    /// PS7 CONFIG.* values applied when the board files are not installed (part-only build).
    public var ps7FallbackConfig: [String: String]
    public var jtag: JTAG
    public var uart: UART
    public var unconfirmed: [String]
    public var sources: String?


    /// The FCLK0 frequencies zynqnet designs for (MHz).
    public static let fclkRange: ClosedRange<Double> = 10...250


    /// The keys a board file may hold (any other is an error naming it).
    static let keys = ["name", "display_name", "part", "board_part", "board_part_pattern", "ps_ref_clock_mhz",
                       "apu_clock_mhz", "ddr", "default_fclk_mhz", "hp_data_width", "dma", "accelerator",
                       "ps7_fallback_config", "jtag", "uart", "unconfirmed", "sources"]

    /// Parses (strictly, `JSONText`) and checks a board file's contents; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws(ZynqError) -> Board {
        try parse([UInt8](data), file: file)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> Board {
        let top = try JSONField.parse(bytes, file: file)
        try top.requireKnownKeys(keys)
        func hex(_ f: JSONField, _ key: String) throws(ZynqError) -> HexU64 { HexU64(try f.member(key).hex()) }
        let ddr = try top.member("ddr"), dma = try top.member("dma"), acc = try top.member("accelerator")
        let jtag = try top.member("jtag"), uart = try top.member("uart")
        try ddr.requireKnownKeys(["base", "size"])
        try dma.requireKnownKeys(["base", "range"])
        try acc.requireKnownKeys(["base"])
        try uart.requireKnownKeys(["notes"])
        try jtag.requireKnownKeys(["cable"])
        var ps7: [String: String] = [:]
        for (k, v) in try top.member("ps7_fallback_config").members() { ps7[k] = try v.string() }
        var unconfirmed: [String] = []
        for u in try top.member("unconfirmed").elements() { unconfirmed.append(try u.string()) }
        let board = Board(
            name: try top.member("name").string(), displayName: try top.member("display_name").string(),
            part: try top.member("part").string(), boardPart: try top.member("board_part").string(),
            boardPartPattern: try top.member("board_part_pattern").string(),
            psRefClockMHz: try top.member("ps_ref_clock_mhz").double(), apuClockMHz: try top.member("apu_clock_mhz").double(),
            ddr: Region(base: try hex(ddr, "base"), size: try hex(ddr, "size")),
            defaultFclkMHz: try top.member("default_fclk_mhz").double(), hpDataWidth: try top.member("hp_data_width").int(),
            dma: Window(base: try hex(dma, "base"), range: try hex(dma, "range")),
            accelerator: Base(base: try hex(acc, "base")), ps7FallbackConfig: ps7,
            jtag: JTAG(cable: try jtag.member("cable").string()),
            uart: UART(notes: try uart.member("notes").string()), unconfirmed: unconfirmed,
            sources: try top.optionalMember("sources")?.string())
        try board.check(file: file)
        return board
    }

    public static func load(file path: String) throws -> Board {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZynqError(file: path, "cannot read board file")
        }
        return try decode(data, file: path)
    }

    /// Checks the values the Tcl and runtime rely on.
    public func check(file: String) throws(ZynqError) {
        func bad(_ key: String, _ msg: String) -> ZynqError { ZynqError(file: file, key: key, msg) }
        guard name.range(of: #"^[a-z0-9][a-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw bad("name", "'\(name)' must be lower-case letters, digits, '.', '_' or '-'")
        }
        guard part == "xc7z020clg400-1" else {
            throw bad("part", "'\(part)' is not supported (zynqnet targets xc7z020clg400-1)")
        }
        guard boardPart.range(of: #"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[0-9.]+$"#, options: .regularExpression) != nil else {
            throw bad("board_part", "'\(boardPart)' is not vendor:board:part0:version")
        }
        guard boardPartPattern.range(of: #"^[A-Za-z0-9_.*:-]+$"#, options: .regularExpression) != nil else {
            throw bad("board_part_pattern", "'\(boardPartPattern)' may hold only letters, digits, '_', '.', '-', ':', '*'")
        }
        guard psRefClockMHz > 0, psRefClockMHz <= 100 else { throw bad("ps_ref_clock_mhz", "\(psRefClockMHz) is outside (0, 100]") }
        guard apuClockMHz > 0, apuClockMHz <= 1000 else { throw bad("apu_clock_mhz", "\(apuClockMHz) is outside (0, 1000]") }
        guard ddr.base.value == 0 else { throw bad("ddr.base", "must be 0x00000000 (HP0 DDR segment starts at 0)") }
        guard ddr.size.value >= 0x10_0000, ddr.size.value <= 0x4000_0000, ddr.size.value.nonzeroBitCount == 1 else {
            throw bad("ddr.size", "\(ddr.size) is not a power of two between 1 MiB and 1 GiB")
        }
        guard defaultFclkMHz >= Board.fclkRange.lowerBound, defaultFclkMHz <= Board.fclkRange.upperBound else {
            throw bad("default_fclk_mhz", "\(defaultFclkMHz) is outside \(Board.fclkRange)")
        }
        guard hpDataWidth == 32 || hpDataWidth == 64 else { throw bad("hp_data_width", "\(hpDataWidth) is not 32 or 64") }
        try Manifest.checkWindow(base: dma.base.value, range: dma.range.value, file: file, key: "dma")
        guard accelerator.base.value >= Manifest.gp0Base, accelerator.base.value <= Manifest.gp0End,
              accelerator.base.value % 4096 == 0 else {
            throw bad("accelerator.base", "\(accelerator.base) is not a 4 KiB-aligned address in the GP0 window 0x40000000-0x7FFFFFFF")
        }
        for (k, v) in ps7FallbackConfig {
            guard k.range(of: #"^PCW_[A-Z0-9_]+$"#, options: .regularExpression) != nil else {
                throw bad("ps7_fallback_config.\(k)", "not a PCW_* parameter name")
            }
            guard !v.contains(where: { "{}\\\n\r\0".contains($0) }) else {  // TclWriter.word can quote it
                throw bad("ps7_fallback_config.\(k)", "value '\(v)' contains braces, backslashes or line breaks")
            }
        }
        guard jtag.cable.range(of: #"^[a-z0-9_-]+$"#, options: .regularExpression) != nil else {
            throw bad("jtag.cable", "'\(jtag.cable)' is not an openFPGALoader cable name (lower-case letters, digits, '_', '-')")
        }
    }
}
