import ZynqNetBase
import ZynqNetBit

/// One USB device as udev describes it (only the fields board discovery uses).
public struct USBDeviceRecord: Sendable, Equatable {
    public var vendorID: UInt16
    public var productID: UInt16
    public var manufacturer: String?
    public var product: String?
    public var serial: String?
    /// `busnum` (1…).
    public var bus: UInt8
    /// `devnum`.
    public var address: UInt16?
    /// Port path below the root hub, e.g. "2.3" for sysfs name "1-2.3".
    public var ports: String
    /// `/dev/bus/usb/BBB/DDD`.
    public var devNode: String?
    /// tty device nodes of the device's interfaces, by interface number (e.g. 1 → /dev/ttyUSB1).
    public var ttys: [Int: String]

    public init(vendorID: UInt16, productID: UInt16, manufacturer: String?, product: String?, serial: String?,
                bus: UInt8, address: UInt16?, ports: String, devNode: String?, ttys: [Int: String]) {
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.product = product
        self.serial = serial
        self.bus = bus
        self.address = address
        self.ports = ports
        self.devNode = devNode
        self.ttys = ttys
    }

    /// "BUS-PORTS" as sysfs and `--usb` spell it.
    public var location: String { "\(bus)-\(ports)" }
}

/// What a device was recognised as.
public struct BoardIdentity: Sendable, Equatable {
    /// The board data name (`pynq-z2`, …), nil for a cable zynqnet has no board data for.
    public var board: String?
    public var label: String
    /// The rule that matched, for `boards --json` ("serial prefix 210351, product …").
    public var matchedBy: String
}

/// A board found on USB.
public struct FoundBoard: Sendable, Equatable {
    public var device: USBDeviceRecord
    public var identity: BoardIdentity
    /// The UART tty (the board profile's UART interface, else interface B).
    public var uartTTY: String?
}

public enum BoardDiscovery {
    /// FTDI FT2232H devices (VID:PID of any board in the catalog) only.
    public static func isCandidate(_ d: USBDeviceRecord, catalog: BoardCatalog) -> Bool {
        catalog.boards.contains { $0.vendorID == d.vendorID && $0.productID == d.productID }
            || (d.vendorID == FTDI.vendorID && d.productID == FTDI.ft2232hProductID)
    }

    static func matches(_ m: BoardProfile.Match, _ d: USBDeviceRecord) -> Bool {
        if let v = m.manufacturer, d.manufacturer != v { return false }
        if let v = m.product, d.product != v { return false }
        if let v = m.serialPrefix, !(d.serial ?? "").hasPrefix(v) { return false }
        return true
    }

    static func describe(_ m: BoardProfile.Match) -> String {
        var parts: [String] = []
        if let v = m.manufacturer { parts.append("manufacturer '\(v)'") }
        if let v = m.product { parts.append("product '\(v)'") }
        if let v = m.serialPrefix { parts.append("serial prefix '\(v)'") }
        return parts.isEmpty ? "VID:PID only" : parts.joined(separator: ", ")
    }

    /// Board identification from the USB strings, by the catalog's rules in order.
    public static func identify(_ d: USBDeviceRecord, catalog: BoardCatalog) -> BoardIdentity {
        for b in catalog.boards where b.vendorID == d.vendorID && b.productID == d.productID {
            for m in b.identify where matches(m, d) {
                return BoardIdentity(board: b.name, label: b.displayName, matchedBy: describe(m))
            }
        }
        for f in catalog.fallbacks where matches(f.match, d) {
            return BoardIdentity(board: nil, label: f.label, matchedBy: describe(f.match))
        }
        return BoardIdentity(board: nil, label: "unknown FTDI device", matchedBy: "VID:PID only")
    }

    /// The boards among `devices`, sorted by location.
    public static func boards(in devices: [USBDeviceRecord], catalog: BoardCatalog) -> [FoundBoard] {
        devices.filter { isCandidate($0, catalog: catalog) }
            .sorted { ($0.bus, $0.ports) < ($1.bus, $1.ports) }
            .map { d in
                let id = identify(d, catalog: catalog)
                let uartIf = id.board.flatMap { catalog.board(named: $0)?.uartInterfaceNumber } ?? 1
                return FoundBoard(device: d, identity: id, uartTTY: d.ttys[uartIf])
            }
    }

    /// `boards --json` for one board.
    public static func json(_ b: FoundBoard) -> JSONText {
        let d = b.device
        return .object([
            ("board", .optional(b.identity.board)),
            ("label", .string(b.identity.label)),
            ("matched_by", .string(b.identity.matchedBy)),
            ("vid", .string("0x" + Hex.lower(d.vendorID, digits: 4))),
            ("pid", .string("0x" + Hex.lower(d.productID, digits: 4))),
            ("manufacturer", .optional(d.manufacturer)),
            ("product", .optional(d.product)),
            ("serial", .optional(d.serial)),
            ("bus", .int(Int64(d.bus))),
            ("address", d.address.map { .int(Int64($0)) } ?? .null),
            ("ports", .string(d.ports)),
            ("location", .string(d.location)),
            ("devnode", .optional(d.devNode)),
            ("uart_tty", .optional(b.uartTTY)),
        ])
    }

    /// One text line for `boards`.
    public static func line(_ b: FoundBoard) -> String {
        let d = b.device
        var s = "\(d.location)  \(b.identity.label)"
        if let serial = d.serial { s += "  serial \(serial)" }
        s += "  [" + [d.manufacturer, d.product].compactMap { $0 }.joined(separator: " / ") + "]"
        if let tty = b.uartTTY { s += "  UART \(tty)" }
        if b.identity.board == nil { s += "  (no board data)" }
        return s
    }
}
