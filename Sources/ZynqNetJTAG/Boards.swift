import ZynqNetBase

/// A board's USB identity and FTDI JTAG set-up (fpga/boards/jtag.json: the board and its cable).
public struct BoardProfile: Sendable, Equatable {
    public struct Match: Sendable, Equatable {
        public var manufacturer: String?
        public var product: String?
        public var serialPrefix: String?
    }

    public var name: String
    public var displayName: String
    public var part: String
    /// The openFPGALoader name of the board's JTAG cable (`ft2232`, `digilent`).
    public var cable: String
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
public struct JTAGCatalog: Sendable, Equatable {
    public struct Fallback: Sendable, Equatable {
        public var label: String
        public var match: BoardProfile.Match
    }

    public var boards: [BoardProfile]
    public var fallbacks: [Fallback]

    /// The catalog compiled into zynqnet (fpga/boards/jtag.json at build time).
    public static let builtIn: JTAGCatalog = {
        do { return try JTAGCatalog.parse(Array(BoardData.jtagJSON.utf8), file: "fpga/boards/jtag.json (built in)") }
        catch { fatalError("the built-in board data does not parse: \(error)") }
    }()

    /// The board called `name`, in any case (PYNQ-Z2 is pynq-z2).
    public func board(named name: String) -> BoardProfile? { boards.first { $0.name == name.lowercased() } }

    public static func load(path: String) throws -> JTAGCatalog {
        try parse(try FileBytes.read(path: path), file: path)
    }

    /// Reads jtag.json strictly (`JSONField`): every error is one line naming the file and the
    /// key path; unknown keys are errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> JTAGCatalog {
        let top = try JSONField.parse(bytes, file: file)
        guard case .object = top.value else { throw ZynqError(file: file, "the top level must be a JSON object") }
        try top.requireKnownKeys(["schema_version", "about", "cables", "boards", "fallbacks"])
        guard try top.member("schema_version").int() == 2 else { throw ZynqError(file: file, key: "schema_version", "must be 2") }
        var cables: [String: Cable] = [:]
        for (name, c) in try top.member("cables").members() { cables[name] = try Cable(c) }
        let list = try top.member("boards").elements()
        guard !list.isEmpty else { throw ZynqError(file: file, key: "boards", "must be a non-empty array of objects") }
        var boards: [BoardProfile] = []
        for b in list {
            let profile = try BoardProfile(b, cables: cables)
            guard !boards.contains(where: { $0.name == profile.name }) else {
                throw try b.member("name").error("duplicate board '\(profile.name)'")
            }
            boards.append(profile)
        }
        let fallbacks = try (try top.optionalMember("fallbacks")?.elements() ?? []).map { f throws(ZynqError) in
            try f.requireKnownKeys(["label"] + BoardProfile.Match.keys)
            return Fallback(label: try f.member("label").nonEmptyString(), match: try BoardProfile.Match(f))
        }
        return JTAGCatalog(boards: boards, fallbacks: fallbacks)
    }

    /// An openFPGALoader cable (jtag.json `cables.<name>`): its USB identity and FTDI JTAG set-up.
    struct Cable {
        var vendorID: UInt16
        var productID: UInt16
        var jtagInterface: FTDI.Interface
        var pins: FTDIPins
        var defaultHz: UInt32
        var maxHz: UInt32
        var tdoNegedgeAtOrAboveHz: UInt32?

        init(_ c: JSONField) throws(ZynqError) {
            try c.requireKnownKeys(["usb", "adbus_value", "adbus_direction", "acbus_value", "acbus_direction",
                                    "default_hz", "max_hz", "tdo_sample_negedge_at_or_above_hz"])
            let usb = try c.member("usb")
            try usb.requireKnownKeys(["vid", "pid", "jtag_interface"])
            vendorID = UInt16(try usb.member("vid").hex(max: 0xFFFF))
            productID = UInt16(try usb.member("pid").hex(max: 0xFFFF))
            let jtagIf = try usb.member("jtag_interface")
            switch try jtagIf.string() {
            case "A": jtagInterface = .a
            case "B": jtagInterface = .b
            case let other: throw jtagIf.error("must be \"A\" or \"B\", not '\(other)'")
            }
            func byte(_ key: String) throws(ZynqError) -> UInt8 { UInt8(try c.member(key).hex(max: 0xFF)) }
            pins = FTDIPins(lowValue: try byte("adbus_value"), lowDirection: try byte("adbus_direction"),
                            highValue: try byte("acbus_value"), highDirection: try byte("acbus_direction"))
            defaultHz = try c.member("default_hz").hz()
            maxHz = try c.member("max_hz").hz()
            tdoNegedgeAtOrAboveHz = try c.optionalMember("tdo_sample_negedge_at_or_above_hz")?.hz()
            guard pins.lowDirection & 0x0F == 0x0B else {
                throw try c.member("adbus_direction").error("must drive TCK, TDI, TMS and leave TDO an input (low nibble 0xB)")
            }
            guard defaultHz <= maxHz, maxHz <= 30_000_000 else { throw try c.member("default_hz").error("must be ≤ max_hz ≤ 30000000") }
        }
    }
}

extension BoardProfile {
    /// One entry of jtag.json `boards`, its cable looked up by name in `cables`.
    init(_ b: JSONField, cables: [String: JTAGCatalog.Cable]) throws(ZynqError) {
        try b.requireKnownKeys(["name", "display_name", "part", "cable", "uart_interface", "identify", "boot_mode", "notes", "unconfirmed"])
        let cableField = try b.member("cable")
        let cableName = try cableField.nonEmptyString()
        guard let cable = cables[cableName] else {
            throw cableField.error("unknown cable '\(cableName)' (known: \(cables.keys.sorted().joined(separator: ", ")))")
        }
        var uart: Int?
        if let u = try b.optionalMember("uart_interface") {
            guard let v = ["A": 0, "B": 1, "C": 2, "D": 3][try u.string()] else { throw u.error("must be A, B, C or D") }
            uart = v
        }
        self.init(name: try b.member("name").nonEmptyString(), displayName: try b.member("display_name").nonEmptyString(),
                  part: try b.member("part").nonEmptyString(), cable: cableName,
                  vendorID: cable.vendorID, productID: cable.productID, jtagInterface: cable.jtagInterface,
                  uartInterfaceNumber: uart,
                  identify: try b.member("identify").elements().map { m throws(ZynqError) in
                      try m.requireKnownKeys(Match.keys)
                      return try Match(m)
                  },
                  pins: cable.pins, defaultHz: cable.defaultHz, maxHz: cable.maxHz,
                  tdoNegedgeAtOrAboveHz: cable.tdoNegedgeAtOrAboveHz,
                  bootMode: try b.member("boot_mode").nonEmptyString(),
                  notes: try b.optionalMember("notes")?.string())
    }
}

extension BoardProfile.Match {
    static let keys = ["manufacturer", "product", "serial_prefix"]

    init(_ m: JSONField) throws(ZynqError) {
        self.init(manufacturer: try m.optionalMember("manufacturer")?.string(), product: try m.optionalMember("product")?.string(),
                  serialPrefix: try m.optionalMember("serial_prefix")?.string())
    }
}

extension JSONField {
    /// An integer number of Hz, at least 1000.
    func hz() throws(ZynqError) -> UInt32 {
        let v = try uint64(max: UInt64(UInt32.max))
        guard v >= 1000 else { throw error("must be an integer number of Hz (at least 1000), got \(v)") }
        return UInt32(v)
    }
}
