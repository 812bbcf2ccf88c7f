import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetBit
import ZynqNetModel
@testable import ZynqNetJTAG

@Suite struct BoardData {
    static let root = repoRoot

    @Test func boardsFromTheFacts() throws {
        let c = try JTAGCatalog.load(path: Self.root.appendingPathComponent("fpga/boards/jtag.json").path)
        #expect(c == JTAGCatalog.builtIn)
        #expect(c.boards.map(\.name) == ["pynq-z2", "zybo-z7-20"])
        let p = try #require(c.board(named: "pynq-z2"))
        // zynq-facts.md §4.1: FTDI_SER(0x0403, 0x6010, FTDI_INTF_A, 0x08, 0x0B, 0x08, 0x0B)
        #expect(p.pins == FTDIPins(lowValue: 0x08, lowDirection: 0x0B, highValue: 0x08, highDirection: 0x0B))
        #expect(p.vendorID == 0x0403 && p.productID == 0x6010 && p.jtagInterface == .a && p.part == "xc7z020clg400-1")
        let z = try #require(c.board(named: "zybo-z7-20"))
        // FTDI_SER(0x0403, 0x6010, FTDI_INTF_A, 0xe8, 0xeb, 0x00, 0x60)
        #expect(z.pins == FTDIPins(lowValue: 0xE8, lowDirection: 0xEB, highValue: 0x00, highDirection: 0x60))
        #expect(z.readOnNegativeEdge(atHz: 15_000_000) && !z.readOnNegativeEdge(atHz: 6_000_000))
        #expect(!p.readOnNegativeEdge(atHz: 30_000_000))
    }

    /// Every board file (fpga/boards/<name>.json) has its JTAG entry here with the same part, and
    /// names only its cable there: the pin values are written once, in jtag.json.
    @Test func everyBoardFileHasItsJTAGEntryAndNoSecondPinBlock() throws {
        let dir = Self.root.appendingPathComponent("fpga/boards").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") && $0 != "jtag.json" }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == JTAGCatalog.builtIn.boards.map(\.name))
        for f in files {
            let top = try JSONField.parse(Array(try #require(FileManager.default.contents(atPath: dir + "/" + f))), file: f)
            let b = try #require(JTAGCatalog.builtIn.board(named: String(f.dropLast(5))))
            #expect(try top.member("part").string() == b.part)
            #expect(try top.member("jtag").members().map(\.key) == ["cable"], "\(f)")
            #expect(try top.member("jtag").member("cable").string() == b.cable, "\(f)")
        }
    }

    @Test func badBoardDataNamesTheKey() {
        func err(_ json: String) -> String? {
            do { _ = try JTAGCatalog.parse(Array(json.utf8), file: "b.json"); return nil } catch { return "\(error)" }
        }
        #expect(err("[]") == "b.json: the top level must be a JSON object")
        #expect(err(#"{"schema_version": 1}"#) == "b.json: 'schema_version': must be 2")
        #expect(err(#"{"schema_version": 2, "cable": {}}"#) == "b.json: 'cable': unknown key")
        #expect(err(#"{"schema_version": 2, "boards": [], "boards": []}"#) == "b.json: 'boards': not valid JSON at line 1, column 37: duplicate key")
        let json = ZynqNetJTAG.BoardData.jtagJSON
        var text = json.replacingOccurrences(of: #""adbus_direction": "0x0B""#, with: #""adbus_direction": "0x0F""#)
        #expect(err(text) == "b.json: 'cables.ft2232.adbus_direction': must drive TCK, TDI, TMS and leave TDO an input (low nibble 0xB)")
        text = json.replacingOccurrences(of: #""vid": "0x0403""#, with: #""vid": "0x10403""#)
        #expect(err(text) == "b.json: 'cables.ft2232.usb.vid': must be a hex string \"0x…\" up to 0x0000FFFF, got \"0x10403\"")
        text = json.replacingOccurrences(of: #""default_hz": 6000000"#, with: #""default_hz": 60000000"#)
        #expect(err(text) == "b.json: 'cables.ft2232.default_hz': must be ≤ max_hz ≤ 30000000")
        text = json.replacingOccurrences(of: #""max_hz": 30000000"#, with: #""max_hz": "30000000""#)
        #expect(err(text) == "b.json: 'cables.ft2232.max_hz': must be a non-negative integer, got \"30000000\"")
        text = json.replacingOccurrences(of: #""cable": "digilent""#, with: #""cable": "jtag-hs3""#)
        #expect(err(text) == "b.json: 'boards[1].cable': unknown cable 'jtag-hs3' (known: digilent, ft2232)")
        text = json.replacingOccurrences(of: #""serial_prefix": "210351""#, with: #""serial": "210351""#)
        #expect(err(text) == "b.json: 'boards[1].identify[0].serial': unknown key")
    }

    /// The cable facts are written once per openFPGALoader cable name; boards refer to them.
    @Test func boardsShareTheirCableByName() throws {
        let c = JTAGCatalog.builtIn
        #expect(c.boards.map(\.cable) == ["ft2232", "digilent"])
        let json = ZynqNetJTAG.BoardData.jtagJSON
        // A second board on the Digilent cable gets the same pins without repeating them.
        let second = json.replacingOccurrences(of: #""cable": "ft2232""#, with: #""cable": "digilent""#)
        let p = try #require(try JTAGCatalog.parse(Array(second.utf8), file: "b.json").board(named: "pynq-z2"))
        #expect(p.pins == FTDIPins(lowValue: 0xE8, lowDirection: 0xEB, highValue: 0x00, highDirection: 0x60))
        #expect(p.tdoNegedgeAtOrAboveHz == 15_000_000 && p.uartInterfaceNumber == 1 && p.jtagInterface == .a)
        #expect(p.identify == [BoardProfile.Match(manufacturer: nil, product: nil, serialPrefix: "1234-tul")])
    }
}

@Suite struct Identification {
    func record(manufacturer: String?, product: String?, serial: String?, vid: UInt16 = 0x0403, pid: UInt16 = 0x6010,
                ports: String = "2", ttys: [Int: String] = [:]) -> USBDeviceRecord {
        USBDeviceRecord(vendorID: vid, productID: pid, manufacturer: manufacturer, product: product, serial: serial,
                        bus: 1, address: 5, ports: ports, devNode: "/dev/bus/usb/001/005", ttys: ttys)
    }

    @Test func zyboByProductAndSerial() {
        let d = record(manufacturer: "Digilent", product: "Digilent USB Device", serial: "210351A6B0C1", ttys: [1: "/dev/ttyUSB1"])
        let found = BoardDiscovery.boards(in: [d], catalog: .builtIn)
        #expect(found.count == 1)
        #expect(found[0].identity == BoardIdentity(board: "zybo-z7-20", label: "Digilent Zybo Z7-20",
                                                  matchedBy: "product 'Digilent USB Device', serial prefix '210351'"))
        #expect(found[0].uartTTY == "/dev/ttyUSB1")
    }

    @Test func pynqBySerial() {
        let d = record(manufacturer: "Xilinx", product: "PYNQ-Z2", serial: "1234-tulA", ttys: [0: "/dev/ttyUSB0", 1: "/dev/ttyUSB1"])
        let b = BoardDiscovery.boards(in: [d], catalog: .builtIn)[0]
        #expect(b.identity.board == "pynq-z2")
        #expect(b.uartTTY == "/dev/ttyUSB1")
    }

    @Test func otherDigilentAndUnknownFTDI() {
        let arty = record(manufacturer: "Digilent", product: "Digilent USB Device", serial: "210319B0A1B2")
        #expect(BoardDiscovery.identify(arty, catalog: .builtIn) == BoardIdentity(board: nil, label: "Digilent JTAG, unknown board", matchedBy: "product 'Digilent USB Device'"))
        let plain = record(manufacturer: "FTDI", product: "Dual RS232-HS", serial: nil)
        #expect(BoardDiscovery.identify(plain, catalog: .builtIn) == BoardIdentity(board: nil, label: "unknown FTDI FT2232H", matchedBy: "VID:PID only"))
        // Zybo serial prefix without the Digilent product string is not a Zybo.
        let odd = record(manufacturer: "FTDI", product: "Dual RS232-HS", serial: "210351XYZ")
        #expect(BoardDiscovery.identify(odd, catalog: .builtIn).board == nil)
    }

    @Test func onlyFT2232HDevicesAreListedInLocationOrder() {
        let mouse = record(manufacturer: "Logitech", product: "Mouse", serial: nil, vid: 0x046D, pid: 0xC077)
        let a = record(manufacturer: "Digilent", product: "Digilent USB Device", serial: "210351AAAA", ports: "3.1")
        let b = record(manufacturer: "Xilinx", product: "x", serial: "1234-tulA", ports: "2")
        let found = BoardDiscovery.boards(in: [a, mouse, b], catalog: .builtIn)
        #expect(found.map(\.device.location) == ["1-2", "1-3.1"])
        #expect(BoardDiscovery.json(found[0]).render() ==
                #"{"board":"pynq-z2","label":"TUL PYNQ-Z2","matched_by":"serial prefix '1234-tul'","vid":"0x0403","pid":"0x6010","manufacturer":"Xilinx","product":"x","serial":"1234-tulA","bus":1,"address":5,"ports":"2","location":"1-2","devnode":"/dev/bus/usb/001/005","uart_tty":null}"#)
        #expect(BoardDiscovery.line(found[1]) == "1-3.1  Digilent Zybo Z7-20  serial 210351AAAA  [Digilent / Digilent USB Device]")
    }

    /// libudev for real on this machine: enumeration works and finds no board (none attached).
    @Test func realUdevEnumeration() throws {
        #if canImport(CUdev)
        let devices = try Udev().usbDevices()
        #expect(BoardDiscovery.boards(in: devices, catalog: .builtIn).isEmpty)
        #endif
    }
}
