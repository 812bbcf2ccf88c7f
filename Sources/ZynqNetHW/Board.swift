import Foundation
import ZynqNetBase
import ZynqNetModel

/// A Zynq-7000 board as data (`fpga/boards/<name>.json`). Every value the facts mark
/// UNCONFIRMED lives here, so it can change without a code edit; `unconfirmed` lists them.
public struct Board: Codable, Equatable, Sendable {
    public struct Region: Codable, Equatable, Sendable {
        public var base: HexU64
        public var size: HexU64
    }
    public struct Window: Codable, Equatable, Sendable {
        public var base: HexU64
        public var range: HexU64
    }
    public struct Base: Codable, Equatable, Sendable {
        public var base: HexU64
    }
    /// FTDI MPSSE settings of the on-board USB-JTAG bridge (zynq-facts §4.1).
    public struct JTAG: Codable, Equatable, Sendable {
        public var cable: String
        public var vid: HexU64
        public var pid: HexU64
        public var interface: String
        public var adbusValue: HexU64
        public var adbusDirection: HexU64
        public var acbusValue: HexU64
        public var acbusDirection: HexU64
        /// At or above this TCK frequency TDO is sampled on the falling edge (Digilent); nil: never.
        public var tdoSampleNegedgeAtOrAboveHz: UInt32?

        enum CodingKeys: String, CodingKey {
            case cable, vid, pid, interface
            case adbusValue = "adbus_value", adbusDirection = "adbus_direction"
            case acbusValue = "acbus_value", acbusDirection = "acbus_direction"
            case tdoSampleNegedgeAtOrAboveHz = "tdo_sample_negedge_at_or_above_hz"
        }
    }
    public struct UART: Codable, Equatable, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case name, part, ddr, dma, accelerator, jtag, uart, unconfirmed, sources
        case displayName = "display_name", boardPart = "board_part"
        case boardPartPattern = "board_part_pattern", psRefClockMHz = "ps_ref_clock_mhz"
        case apuClockMHz = "apu_clock_mhz", defaultFclkMHz = "default_fclk_mhz"
        case hpDataWidth = "hp_data_width", ps7FallbackConfig = "ps7_fallback_config"
    }

    /// The FCLK0 frequencies zynqnet designs for (MHz).
    public static let fclkRange: ClosedRange<Double> = 10...250

    /// The boards zynqnet ships data for.
    public static let builtInNames = ["pynq-z2", "zybo-z7-20"]

    /// The Zynq-7000 M_AXI_GP0 window (embeddedsw xparameters_ps.h): 0x4000_0000-0x7FFF_FFFF.
    public static let gp0Base: UInt64 = 0x4000_0000
    public static let gp0End: UInt64 = 0x7FFF_FFFF

    /// Decodes and checks a board file's contents; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> Board {
        let board: Board
        do {
            board = try JSONDecoder().decode(Board.self, from: data)
        } catch {
            throw ZynqError.decoding(error, file: file)
        }
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
    public func check(file: String) throws {
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
        try Board.checkWindow(base: dma.base.value, range: dma.range.value, file: file, key: "dma")
        guard accelerator.base.value >= Board.gp0Base, accelerator.base.value <= Board.gp0End,
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
        guard jtag.vid.value <= 0xFFFF, jtag.pid.value <= 0xFFFF else { throw bad("jtag.vid", "VID/PID must fit 16 bits") }
        for (k, v) in [("jtag.adbus_value", jtag.adbusValue), ("jtag.adbus_direction", jtag.adbusDirection),
                       ("jtag.acbus_value", jtag.acbusValue), ("jtag.acbus_direction", jtag.acbusDirection)] {
            guard v.value <= 0xFF else { throw bad(k, "\(v) does not fit 8 bits") }
        }
        guard ["A", "B"].contains(jtag.interface) else { throw bad("jtag.interface", "'\(jtag.interface)' is not A or B") }
    }

    /// A GP0 register window: power of two ≥ 4 KiB, aligned, inside 0x4000_0000-0x7FFF_FFFF.
    public static func checkWindow(base: UInt64, range: UInt64, file: String?, key: String) throws {
        guard range >= 4096, range.nonzeroBitCount == 1, range <= 0x4000_0000 else {
            throw ZynqError(file: file, key: "\(key).range", "\(HexU64.format(range)) is not a power of two between 4 KiB and 1 GiB")
        }
        guard base % range == 0 else {
            throw ZynqError(file: file, key: "\(key).base", "\(HexU64.format(base)) is not aligned to its range \(HexU64.format(range))")
        }
        guard base >= gp0Base, base <= gp0End, range - 1 <= gp0End - base else {
            throw ZynqError(file: file, key: "\(key).base", "\(HexU64.format(base)) (range \(HexU64.format(range))) is outside the GP0 window 0x40000000-0x7FFFFFFF")
        }
    }
}
