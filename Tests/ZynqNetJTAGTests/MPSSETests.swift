import Testing
import ZynqNetBase
import ZynqNetBit
import ZynqNetModel
@testable import ZynqNetJTAG
import ZynqNetJTAGSim

@Suite struct MPSSELayer {
    @Test func clockDivisors() {
        // TCK = 60 MHz / (2·(1 + d)), the fastest not above the request.
        #expect(MPSSE.divisor(forHz: 30_000_000) == (0, 30_000_000))
        #expect(MPSSE.divisor(forHz: 15_000_000) == (1, 15_000_000))
        #expect(MPSSE.divisor(forHz: 6_000_000) == (4, 6_000_000))
        #expect(MPSSE.divisor(forHz: 7_000_000) == (4, 6_000_000))
        #expect(MPSSE.divisor(forHz: 1_000_000) == (29, 1_000_000))
        #expect(MPSSE.divisor(forHz: 100_000_000) == (0, 30_000_000))
        #expect(MPSSE.divisor(forHz: 100) == (65535, 457))
        #expect(MPSSE.divisor(forHz: UInt32.max) == (0, 30_000_000))
    }

    @Test func setUpSequence() throws {
        let b = board("zybo-z7-20")
        let sim = simulatedCable(board: b)
        let m = MPSSE(transport: sim)
        try m.open(pins: b.pins, frequencyHz: 6_000_000)
        // SIO reset, bit mode reset, purge RX, purge TX, latency, MPSSE bit mode; all on wIndex 1.
        #expect(sim.controlLog.map { $0.0 } == [0x00, 0x0B, 0x00, 0x00, 0x09, 0x0B])
        #expect(sim.controlLog.map { $0.1 } == [0, 0x0000, 1, 2, 2, 0x02EB])
        #expect(sim.controlLog.allSatisfy { $0.2 == 1 })
        #expect(sim.mode == 0x02)
        #expect(sim.latencyMs == 2)
        #expect(sim.lowValue == 0xE8 && sim.lowDirection == 0xEB)
        #expect(sim.highValue == 0x00 && sim.highDirection == 0x60)
        #expect(!sim.divideBy5 && sim.divisor == 4 && sim.tckHz == 6_000_000)
        #expect(m.frequencyHz == 6_000_000)
        // The sync check sent AA and AB; the chip answered both.
        #expect(sim.badOpcodes == [0xAA, 0xAB])
        #expect(sim.jtagConnected)
    }

    @Test func badOpcodesAreEchoed() throws {
        let sim = SimulatedFT2232H()
        let m = MPSSE(transport: sim)
        try m.open(pins: board("pynq-z2").pins, frequencyHz: 6_000_000)
        m.append([0x00, 0x4C, 0x87])
        #expect(try m.read(count: 4) == [0xFA, 0x00, 0xFA, 0x4C])
    }

    /// 3000 bytes through the loopback (TDO = TDI) come back in 6 USB packets; each starts with
    /// 2 status bytes that must be removed.
    @Test func statusBytesStrippedFromEveryPacket() throws {
        let data = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        func loop(_ faults: DriverFaults) throws -> [UInt8] {
            let sim = SimulatedFT2232H()
            let m = MPSSE(transport: sim, faults: faults)
            try m.open(pins: board("pynq-z2").pins, frequencyHz: 6_000_000)
            m.append([0x84, 0x39, UInt8((data.count - 1) & 0xFF), UInt8((data.count - 1) >> 8)] + data + [0x85])
            return try m.read(count: data.count)
        }
        #expect(try loop(DriverFaults()) == data)
        var firstOnly = DriverFaults()
        firstOnly.stripFirstPacketOnly = true
        let wrong = try loop(firstOnly)
        #expect(wrong != data)
        #expect(Array(wrong[510..<512]) == SimulatedFT2232H.modemStatus)
    }

    @Test func keepingStatusBytesLosesSync() throws {
        var f = DriverFaults()
        f.keepStatusBytes = true
        let sim = SimulatedFT2232H()
        let m = MPSSE(transport: sim, faults: f)
        #expect(throws: USBError.failed("FTDI MPSSE is out of sync: sent bad commands AA AB, expected FA AA FA AB, got 32 60 FA AA")) {
            try m.open(pins: board("pynq-z2").pins, frequencyHz: 6_000_000)
        }
    }

    @Test func commandsSplitAcrossWritesAreReassembled() throws {
        let sim = SimulatedFT2232H()
        let m = MPSSE(transport: sim)
        try m.open(pins: board("pynq-z2").pins, frequencyHz: 6_000_000)
        // 0x86 split over three bulk writes.
        for part in [[UInt8(0x86)], [0x09], [0x00]] {
            _ = try sim.bulkWrite(endpoint: 0x02, data: part, timeoutMs: 100)
        }
        #expect(sim.divisor == 9)
        #expect(sim.badOpcodes == [0xAA, 0xAB])
    }

    @Test func wrongEndpointOrInterfaceFails() {
        let sim = SimulatedFT2232H()
        #expect(throws: USBError.self) { _ = try sim.bulkWrite(endpoint: 0x81, data: [0], timeoutMs: 10) }
        #expect(throws: USBError.self) { try sim.controlOut(request: 0x0B, value: 0x0200, index: 0, timeoutMs: 10) }
    }
}

@Suite struct ChainAndProgramming {
    @Test(arguments: ["pynq-z2", "zybo-z7-20"])
    func chainIsDAPThenPL(_ name: String) throws {
        let b = board(name)
        let sim = simulatedCable(board: b)
        let s = try session(sim, board: b)
        #expect(s.chain.devices.map(\.idcode) == [0x4BA0_0477, 0x2372_7093])
        #expect(s.chain.devices.map(\.irLength) == [4, 6])
        #expect(s.pl.index == 1)
        // IR bits for the PL: 6 instruction bits first, then the DAP's 4 BYPASS ones.
        #expect(s.chain.irBits(0x0B, device: 1).description == "110100" + "1111")
        #expect(s.chain.drBits(BitString(value: 0b101, width: 3), device: 1).description == "101" + "0")
        #expect(try s.pl.readIDCode() == 0x2372_7093)
        #expect(try s.pl.status().raw == 0b010001)  // 01, INIT high, not DONE
        #expect(s.jtag.readOnNegativeEdge == false)  // 6 MHz
    }

    @Test func digilentSamplesOnTheFallingEdgeAt15MHz() throws {
        let b = board("zybo-z7-20")
        let s = try session(simulatedCable(board: b), board: b, hz: 15_000_000)
        #expect(s.mpsse.frequencyHz == 15_000_000)
        #expect(s.jtag.readOnNegativeEdge)
        #expect(try s.pl.readIDCode() == 0x2372_7093)
    }

    @Test func wrongPinsMeanNoChain() throws {
        // PYNQ-Z2 pin settings on a Zybo: the Digilent buffer enables stay off.
        var b = board("zybo-z7-20")
        let sim = simulatedCable(board: b)
        b.pins = board("pynq-z2").pins
        #expect(throws: JTAGError.chain("TDO is stuck at 1: no JTAG device answered (board powered? cable on the PROG/JTAG port?)")) {
            _ = try session(sim, board: b)
        }
        #expect(sim.closed)
    }

    @Test func wrongDeviceOnTheChainIsRefused() throws {
        var config = SimZynqChain.Config()
        config.plIDCode = 0x1372_2093  // xc7z010
        let b = board("zybo-z7-20")
        #expect(throws: JTAGError.chain("the board's PL is xc7z010 (IDCODE 0x13722093), not xc7z020")) {
            _ = try session(simulatedCable(board: b, chain: config), board: b)
        }
    }

    @Test(arguments: ["pynq-z2", "zybo-z7-20"])
    func programsASyntheticBitstream(_ name: String) throws {
        let b = board(name)
        let sim = simulatedCable(board: b)
        let s = try session(sim, board: b)
        let bit = syntheticBit()
        var calls: [(UInt64, UInt64)] = []
        let report = try s.program(bit, file: "t.bit") { calls.append(($0, $1)) }
        #expect(report.status.done && report.status.initComplete)
        #expect(report.payloadBytes == UInt64(bit.payload.count))
        #expect(report.tckHz == 6_000_000)
        // 150,000 TCK of clearing; each poll is 1000 idle TCKs plus a ~20-TCK IR scan.
        #expect(report.initPolls * 1000 < 150_000 && report.initPolls * 1050 >= 150_000, "\(report.initPolls) polls")
        #expect(calls.last.map { $0 == (report.payloadBytes, report.payloadBytes) } == true)
        let e = sim.chain.engine
        #expect(e.frameWords == 1_010 && e.crcChecks == 2 && e.crcErrors == 0 && e.syncCount == 1)
        #expect(e.idcodeWritten == 0x0372_7093)
        #expect(sim.chain.done)
        // Every payload bit plus the DAP bypass capture bit reached CFG_IN after INIT rose.
        #expect(sim.chain.cfgInBits == UInt64(bit.payload.count) * 8 + 1)
        #expect(sim.chain.cfgInBitsLost == 0)
        // JPROGRAM, BYPASS polls, CFG_IN, JSTART, BYPASS (DONE check); IDCODE/BYPASS from the session check before.
        let log = sim.chain.plInstructionLog
        let start = try #require(log.firstIndex(of: 0x0B))
        let tail = Array(log[start...])
        #expect(tail.first == 0x0B)
        #expect(Array(tail.suffix(3)) == [0x05, 0x0C, 0x3F])
        #expect(tail.dropFirst().dropLast(3).allSatisfy { $0 == 0x3F })
        #expect(tail.count == report.initPolls + 4)
    }

    @Test func vivadoStyleTailWithNoops() throws {
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b)
        let report = try session(sim, board: b).program(syntheticBit(trailingNoops: 400), file: "t.bit")
        #expect(report.status.done)
    }

    // MARK: Driver bugs the simulated board must catch

    func programWithFault(_ configure: (inout DriverFaults) -> Void, bit: BitFile = syntheticBit()) throws -> (Error?, SimulatedFT2232H) {
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b)
        var f = DriverFaults()
        configure(&f)
        do {
            let s = try session(sim, board: b, faults: f)
            _ = try s.program(bit, file: "t.bit")
            return (nil, sim)
        } catch {
            return (error, sim)
        }
    }

    @Test func forgettingTheBitReversalFails() throws {
        let (error, sim) = try programWithFault { $0.noBitReversal = true }
        #expect(error as? JTAGError == .program("DONE stayed low after JSTART (IR capture 0b010001 (INIT 1, DONE 0)): the PL did not accept the bitstream"))
        #expect(sim.chain.engine.syncCount == 0)
        #expect(!sim.chain.done)
    }

    @Test func forgettingTheDAPBypassInIRShiftsFails() throws {
        let (error, sim) = try programWithFault { $0.noIRBypassBits = true }
        #expect(error != nil)
        #expect(!sim.chain.done)
        // The 6 PL instruction bits never line up with the PL's IR: JPROGRAM is never loaded.
        #expect(!sim.chain.plInstructionLog.contains(0x0B))
    }

    @Test func forgettingTheDAPBypassBitInDRShiftsFails() throws {
        // The last payload bit stays in the DAP's bypass register; with DESYNC as the last word
        // the PL never sees the end of the bitstream.
        let (error, sim) = try programWithFault({ $0.noDRBypassBit = true }, bit: syntheticBit(trailingNoops: 0))
        #expect(error as? JTAGError == .program("DONE stayed low after JSTART (IR capture 0b010001 (INIT 1, DONE 0)): the PL did not accept the bitstream"))
        #expect(sim.chain.engine.rejection == "no DESYNC after START (the stream ended early)")
        // The correct driver programs the same bitstream.
        let (ok, _) = try programWithFault({ _ in }, bit: syntheticBit(trailingNoops: 0))
        #expect(ok == nil)
    }

    @Test func notWaitingForINITFails() throws {
        let (error, sim) = try programWithFault { $0.noInitWait = true }
        #expect(error is JTAGError)
        #expect(sim.chain.cfgInBitsLost > 0)
        #expect(!sim.chain.done)
    }

    @Test func keepingStatusBytesFails() throws {
        let (error, _) = try programWithFault { $0.keepStatusBytes = true }
        #expect(error as? USBError == .failed("FTDI MPSSE is out of sync: sent bad commands AA AB, expected FA AA FA AB, got 32 60 FA AA"))
    }

    @Test func skippingStartupClocksFails() throws {
        let (error, sim) = try programWithFault { $0.noStartupClocks = true }
        #expect(error is JTAGError)
        #expect(sim.chain.engine.acceptsStartup)  // the data was fine; startup never ran
        #expect(!sim.chain.done)
    }

    // MARK: Bad bitstreams

    @Test func badBitstreamsLeaveDONELow() throws {
        let cases: [(BitFile, String)] = [
            (syntheticBit(correctCRC: false), "CRC check failed"),
            (syntheticBit(frameWords: 1_009), "1009 frame words received, the device needs 1010"),
        ]
        for (bit, why) in cases {
            let b = board("pynq-z2")
            let sim = simulatedCable(board: b)
            #expect(throws: JTAGError.self) { _ = try session(sim, board: b).program(bit, file: "t.bit") }
            #expect(sim.chain.engine.rejection?.contains(why) == true, "\(sim.chain.engine.rejection ?? "nil")")
        }
        // A payload cut short after the FDRI data.
        var cut = syntheticBit()
        cut.payload.removeLast(40 * 4)
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b)
        #expect(throws: JTAGError.self) { _ = try session(sim, board: b).program(cut, file: "t.bit") }
        #expect(!sim.chain.done)
    }

    @Test func partAndIDCodeCheckedBeforeProgramming() throws {
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b)
        let s = try session(sim, board: b)
        #expect(throws: ZynqError(file: "t.bit", key: "part", "the bitstream is for xc7z010clg400, but TUL PYNQ-Z2 has xc7z020clg400-1; nothing was programmed")) {
            _ = try s.program(syntheticBit(part: "7z010clg400"), file: "t.bit")
        }
        #expect(throws: JTAGError.program("the bitstream is for xc7z010 (IDCODE 0x03722093) but the PL is xc7z020 PL (0x23727093); nothing was programmed")) {
            _ = try s.program(syntheticBit(idcode: 0x0372_2093), file: "t.bit")
        }
        #expect(!sim.chain.plInstructionLog.contains(0x0B))
    }

    // MARK: USB failures through the transport protocol

    @Test func permissionDeniedNamesTheUdevRule() {
        let err = USBError.permissionDenied(device: "/dev/bus/usb/001/007")
        do {
            _ = try JTAGSession(board: board("pynq-z2"), selector: USBDeviceSelector(), opener: { _, _ in throw err })
            Issue.record("expected an error")
        } catch {
            #expect(error as? USBError == err)
            let text = "\(error)"
            #expect(text.hasPrefix("permission denied opening /dev/bus/usb/001/007: install the JTAG udev rule"))
            #expect(text.contains("udev/60-zynqnet-jtag.rules") && text.contains("plugdev"))
            #expect(!text.contains("\n"))
        }
    }

    @Test func noSuchDevice() {
        let err = USBError.noDevice("USB 0403:6010 serial 'X' found")
        #expect(throws: err) {
            _ = try JTAGSession(board: board("pynq-z2"), selector: USBDeviceSelector(serial: "X"), opener: { _, _ in throw err })
        }
        #expect("\(err)" == "no such device: USB 0403:6010 serial 'X' found; is the board powered and its PROG/UART USB port connected?")
    }

    @Test func unplugMidTransfer() throws {
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b)
        let s = try session(sim, board: b)
        sim.disconnectAfterBytes = sim.bytesWritten + 2000
        #expect(throws: USBError.disconnected("/dev/bus/usb/001/002 during bulk write")) {
            _ = try s.program(syntheticBit(frameWords: 4000), file: "t.bit")
        }
    }

    /// The real libusb path on this machine: no FT2232H with this serial is attached.
    @Test func realLibUSBFindsNoSuchDevice() {
        #if canImport(CLibUSB)
        do {
            _ = try LibUSBTransport(selector: USBDeviceSelector(serial: "zynqnet-test-no-such-serial"))
            Issue.record("opened a device that cannot exist")
        } catch let e as USBError {
            switch e {
            case .noDevice(let what): #expect(what == "USB 0403:6010 serial 'zynqnet-test-no-such-serial' found")
            case .failed(let what): #expect(what.hasPrefix("cannot initialise libusb"))  // no usbfs in a container
            default: Issue.record("unexpected \(e)")
            }
        } catch { Issue.record("unexpected \(error)") }
        #endif
    }

    @Test func libusbErrorsMapToMessages() {
        #if canImport(CLibUSB)
        #expect(LibUSBTransport.error(-3, "open", device: "/dev/bus/usb/001/002") == .permissionDenied(device: "/dev/bus/usb/001/002"))
        #expect(LibUSBTransport.error(-4, "bulk read", device: "d") == .disconnected("d during bulk read"))
        #expect(LibUSBTransport.error(-6, "claiming interface A", device: "d")
                == .busy("d interface is claimed by another program (Vivado hw_server, openFPGALoader, openocd?) during claiming interface A"))
        #expect(LibUSBTransport.error(-7, "bulk write", device: "d") == .timeout("bulk write on d"))
        #expect(LibUSBTransport.error(-1, "open", device: "d") == .failed("USB open failed on d: LIBUSB_ERROR_IO"))
        #endif
    }

    @Test func locations() {
        #expect(USBDeviceSelector.parseLocation("1-2.3")! == (1, [2, 3]))
        #expect(USBDeviceSelector.parseLocation("3-1")! == (3, [1]))
        #expect(USBDeviceSelector.parseLocation("1-") == nil)
        #expect(USBDeviceSelector.parseLocation("0-1") == nil)
        #expect(USBDeviceSelector.parseLocation("1-2.0") == nil)
        #expect(USBDeviceSelector.parseLocation("x") == nil)
    }
}
