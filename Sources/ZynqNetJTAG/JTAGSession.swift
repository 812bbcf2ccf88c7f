import ZynqNetBit

/// Opens a board's JTAG cable and brings the chain up: MPSSE set-up with the board's pins and
/// clock, IDCODE scan, check that the chain is the expected Zynq (DAP + PL of the board's
/// part). Then programs the PL.
public final class JTAGSession {
    public let board: BoardProfile
    public let transport: USBTransport
    public let mpsse: MPSSE
    public let jtag: JTAG
    public let chain: JTAGChain
    public let pl: ZynqPL

    /// How a transport is obtained for a selector (libusb in the tool, a simulation in tests).
    public typealias Opener = (USBDeviceSelector, FTDI.Interface) throws -> USBTransport

    /// The real opener: libusb on Linux.
    public static func libusbOpen(_ selector: USBDeviceSelector, _ interface: FTDI.Interface) throws -> USBTransport {
        #if canImport(CLibUSB)
        return try LibUSBTransport(selector: selector, interface: interface)
        #else
        throw USBError.failed("JTAG over USB needs libusb, which this build of zynqnet does not include")
        #endif
    }

    public init(board: BoardProfile, selector: USBDeviceSelector, frequencyHz: UInt32? = nil,
                opener: Opener = JTAGSession.libusbOpen, faults: DriverFaults = DriverFaults()) throws {
        let hz = min(frequencyHz ?? board.defaultHz, board.maxHz)
        var sel = selector
        sel.vendorID = board.vendorID
        sel.productID = board.productID
        let transport = try opener(sel, board.jtagInterface)
        do {
            let mpsse = MPSSE(transport: transport, interface: board.jtagInterface, faults: faults)
            try mpsse.open(pins: board.pins, frequencyHz: hz)
            let jtag = JTAG(mpsse: mpsse)
            jtag.readOnNegativeEdge = board.readOnNegativeEdge(atHz: mpsse.frequencyHz)
            let chain = try jtag.scanChain()
            try ZynqPL.checkChain(chain, device: BitPart.device(board.part))
            let pl = try ZynqPL(jtag: jtag, chain: chain, faults: faults)
            self.board = board
            self.transport = transport
            self.mpsse = mpsse
            self.jtag = jtag
            self.chain = chain
            self.pl = pl
        } catch {
            transport.close()
            throw error
        }
    }

    /// Checks the part, then configures the PL (see `ZynqPL.program`).
    public func program(_ bit: BitFile, file: String, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> ZynqPL.Report {
        try Deploy.checkPart(bit, file: file, board: board)
        return try pl.program(bit, progress: progress)
    }

    public func close() { transport.close() }
}
