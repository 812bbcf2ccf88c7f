import Foundation
import ZynqNetBase

/// A board's USB identity and FTDI JTAG set-up (fpga/boards/jtag.json).
public struct BoardProfile: Sendable, Equatable {
    public struct Match: Sendable, Equatable {
        public var manufacturer: String?
        public var product: String?
        public var serialPrefix: String?
    }

    public var name: String
    public var displayName: String
    public var part: String
    public var vendorID: UInt16
    public var productID: UInt16
    public var jtagInterface: FTDI.Interface
    public var uartInterfaceNumber: Int?
    public var identify: [Match]
    public var pins: FTDIPins
    public var defaultHz: UInt32
    public var maxHz: UInt32
    public var tdoNegedgeAtOrAboveHz: UInt32?
    public var bootMode: String
    public var notes: String?

    /// Whether TDO should be sampled on the falling edge at `hz`.
    public func readOnNegativeEdge(atHz hz: UInt32) -> Bool {
        tdoNegedgeAtOrAboveHz.map { hz >= $0 } ?? false
    }
}

/// The boards zynqnet knows, and how an FTDI device maps to one.
public struct BoardCatalog: Sendable, Equatable {
    public struct Fallback: Sendable, Equatable {
        public var label: String
        public var match: BoardProfile.Match
    }

    public var boards: [BoardProfile]
    public var fallbacks: [Fallback]

    /// The catalog compiled into zynqnet (a copy of fpga/boards/jtag.json).
    public static let builtIn: BoardCatalog = {
        do { return try BoardCatalog.parse(Array(BoardData.jtagJSON.utf8), file: "fpga/boards/jtag.json (built in)") }
        catch { fatalError("the built-in board data does not parse: \(error)") }
    }()

    /// The board called `name`, in any case (PYNQ-Z2 is pynq-z2).
    public func board(named name: String) -> BoardProfile? { boards.first { $0.name == name.lowercased() } }

    public static func load(path: String) throws -> BoardCatalog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZynqError(file: path, "cannot read the board data file")
        }
        return try parse([UInt8](data), file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> BoardCatalog {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw ZynqError(file: file, "not valid JSON: \(error.localizedDescription)")
        }
        guard let top = root as? [String: Any] else { throw ZynqError(file: file, "the top level must be a JSON object") }
        guard top["schema_version"] as? Int == 1 else { throw ZynqError(file: file, key: "schema_version", "must be 1") }
        guard let list = top["boards"] as? [[String: Any]], !list.isEmpty else {
            throw ZynqError(file: file, key: "boards", "must be a non-empty array of objects")
        }
        var boards: [BoardProfile] = []
        for (i, b) in list.enumerated() {
            let r = JSONFields(b, file: file, prefix: "boards[\(i)]")
            let usb = try r.object("usb")
            let jtag = try r.object("jtag")
            let jtagIf = try usb.string("jtag_interface")
            guard jtagIf == "A" || jtagIf == "B" else { throw usb.error("jtag_interface", "must be \"A\" or \"B\", not '\(jtagIf)'") }
            let uartIf = try usb.optionalString("uart_interface")
            let profile = BoardProfile(
                name: try r.string("name"),
                displayName: try r.string("display_name"),
                part: try r.string("part"),
                vendorID: UInt16(try usb.hex("vid", max: 0xFFFF)),
                productID: UInt16(try usb.hex("pid", max: 0xFFFF)),
                jtagInterface: jtagIf == "A" ? .a : .b,
                uartInterfaceNumber: try uartIf.map { s -> Int in
                    guard let v = ["A": 0, "B": 1, "C": 2, "D": 3][s] else { throw usb.error("uart_interface", "must be A, B, C or D") }
                    return v
                },
                identify: try r.array("identify").enumerated().map { j, m in try JSONFields(m, file: file, prefix: r.prefix + ".identify[\(j)]").match() },
                pins: FTDIPins(lowValue: UInt8(try jtag.hex("adbus_value", max: 0xFF)), lowDirection: UInt8(try jtag.hex("adbus_direction", max: 0xFF)),
                               highValue: UInt8(try jtag.hex("acbus_value", max: 0xFF)), highDirection: UInt8(try jtag.hex("acbus_direction", max: 0xFF))),
                defaultHz: try jtag.hz("default_hz"),
                maxHz: try jtag.hz("max_hz"),
                tdoNegedgeAtOrAboveHz: try jtag.optionalHz("tdo_sample_negedge_at_or_above_hz"),
                bootMode: try r.string("boot_mode"),
                notes: try r.optionalString("notes"))
            guard profile.pins.lowDirection & 0x0F == 0x0B else {
                throw jtag.error("adbus_direction", "must drive TCK, TDI, TMS and leave TDO an input (low nibble 0xB)")
            }
            guard profile.defaultHz <= profile.maxHz, profile.maxHz <= 30_000_000 else {
                throw jtag.error("default_hz", "must be ≤ max_hz ≤ 30000000")
            }
            guard !boards.contains(where: { $0.name == profile.name }) else { throw r.error("name", "duplicate board '\(profile.name)'") }
            boards.append(profile)
        }
        let fallbacks = try ((top["fallbacks"] as? [[String: Any]]) ?? []).enumerated().map { i, f in
            let r = JSONFields(f, file: file, prefix: "fallbacks[\(i)]")
            return Fallback(label: try r.string("label"), match: try r.match())
        }
        return BoardCatalog(boards: boards, fallbacks: fallbacks)
    }
}

/// Typed access to one JSON object (from JSONSerialization) with errors naming the file and
/// the key path.
public struct JSONFields {
    public let dict: [String: Any]
    public let file: String
    public let prefix: String

    public init(_ dict: [String: Any], file: String, prefix: String) {
        self.dict = dict
        self.file = file
        self.prefix = prefix
    }

    public func error(_ key: String, _ message: String) -> ZynqError { ZynqError(file: file, key: prefix.isEmpty ? key : prefix + "." + key, message) }

    public func string(_ key: String) throws -> String {
        guard let s = dict[key] as? String, !s.isEmpty else { throw error(key, "must be a non-empty string") }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw error(key, "must be a string or null") }
        return s
    }

    public func object(_ key: String) throws -> JSONFields {
        guard let o = dict[key] as? [String: Any] else { throw error(key, "must be an object") }
        return JSONFields(o, file: file, prefix: prefix.isEmpty ? key : prefix + "." + key)
    }

    public func array(_ key: String) throws -> [[String: Any]] {
        guard let a = dict[key] as? [[String: Any]] else { throw error(key, "must be an array of objects") }
        return a
    }

    /// "0x…" hex string (or a JSON integer) up to `max`.
    public func hex(_ key: String, max: UInt64) throws -> UInt64 {
        if let s = dict[key] as? String, s.hasPrefix("0x") || s.hasPrefix("0X"), let v = UInt64(s.dropFirst(2), radix: 16), v <= max { return v }
        if let n = dict[key] as? NSNumber, !(dict[key] is Bool), let v = UInt64(exactly: n.doubleValue), v <= max { return v }
        throw error(key, "must be a hex string \"0x…\" up to 0x\(String(max, radix: 16, uppercase: true))")
    }

    public func hz(_ key: String) throws -> UInt32 {
        guard let v = try optionalHz(key) else { throw error(key, "must be a frequency in Hz") }
        return v
    }

    public func optionalHz(_ key: String) throws -> UInt32? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, !(v is Bool), let hz = UInt32(exactly: n.doubleValue), hz >= 1000 else {
            throw error(key, "must be an integer number of Hz (at least 1000) or null")
        }
        return hz
    }

    /// A positive finite JSON number.
    public func positiveNumber(_ key: String) throws -> Double {
        guard let n = dict[key] as? NSNumber, !(dict[key] is Bool), n.doubleValue > 0, n.doubleValue.isFinite else {
            throw error(key, "must be a positive number")
        }
        return n.doubleValue
    }

    func match() throws -> BoardProfile.Match {
        BoardProfile.Match(manufacturer: try optionalString("manufacturer"), product: try optionalString("product"),
                           serialPrefix: try optionalString("serial_prefix"))
    }
}
