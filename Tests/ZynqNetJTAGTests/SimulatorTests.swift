import Testing
import ZynqNetBit
@testable import ZynqNetJTAG
@testable import ZynqNetJTAGSim

/// The simulated hardware on its own, driven by hand-written MPSSE bytes (not by the driver),
/// so the driver tests rest on a fake that is checked independently.
@Suite struct SimulatedHardware {
    /// An FT2232H in MPSSE mode with PYNQ-Z2 pins, TCK low, TMS high.
    func cable() throws -> SimulatedFT2232H {
        let sim = SimulatedFT2232H(requiredPins: board("pynq-z2").pins)
        try sim.controlOut(request: 0x0B, value: 0x020B, index: 1, timeoutMs: 10)
        try send(sim, [0x8A, 0x86, 0x04, 0x00, 0x80, 0x08, 0x0B, 0x82, 0x08, 0x0B])
        return sim
    }

    func send(_ sim: SimulatedFT2232H, _ bytes: [UInt8]) throws {
        #expect(try sim.bulkWrite(endpoint: 0x02, data: bytes, timeoutMs: 10) == bytes.count)
    }

    /// One bulk read; checks the framing and returns the data bytes.
    func receive(_ sim: SimulatedFT2232H, max: Int = 4096) throws -> [UInt8] {
        let raw = try sim.bulkRead(endpoint: 0x81, max: max, timeoutMs: 10)
        var data: [UInt8] = []
        var p = 0
        while p < raw.count {
            #expect(Array(raw[p..<(p + 2)]) == [0x32, 0x60])
            data += raw[(p + 2)..<min(raw.count, p + 512)]
            p += 512
        }
        return data
    }

    @Test func idcodesByHand() throws {
        let sim = try cable()
        // TLR (5×TMS=1), RTI, Select-DR, Capture-DR, Shift-DR: TMS 1,1,1,1,1,0,1,0,0.
        try send(sim, [0x4B, 0x04, 0x1F, 0x4B, 0x03, 0x02])
        // 8 bytes out with TDI=1 read on +ve: PL IDCODE then DAP IDCODE, little-endian.
        try send(sim, [0x39, 0x07, 0x00] + [UInt8](repeating: 0xFF, count: 8) + [0x87])
        #expect(try receive(sim) == [0x93, 0x70, 0x72, 0x23, 0x77, 0x04, 0xA0, 0x4B])
        // Then the ones we shifted in come out: 5 bits with 0x3F (bits, -ve read) → top 5 bits set.
        try send(sim, [0x3F, 0x04, 0x00])
        #expect(try receive(sim) == [0xF8])
        // Last bit with TMS=1 and read (0x6B): TDO in bit 7.
        try send(sim, [0x6B, 0x00, 0x81])
        #expect(try receive(sim) == [0x80])
        #expect(sim.badOpcodes.isEmpty)
    }

    @Test func irCaptureByHand() throws {
        let sim = try cable()
        // TLR, RTI, Select-DR, Select-IR, Capture-IR, Shift-IR.
        try send(sim, [0x4B, 0x05, 0x1F | 0x00, 0x4B, 0x04, 0x06])
        // 10 bits: PL capture (6) then DAP capture (4). Bytes mode for 8 bits, bits mode for 2.
        try send(sim, [0x39, 0x00, 0x00, 0xFF, 0x3B, 0x01, 0x03])
        let r = try receive(sim)
        #expect(r.count == 2)
        // PL: 01 + INIT(bit 4) = 0b010001; DAP capture 0b0001 → bits: 1,0,0,0,1,0 | 1,0,0,0
        #expect(r[0] == 0b0101_0001)  // PL bits 0–5, DAP bits 0–1
        #expect(r[1] >> 6 == 0b00)  // DAP bits 2–3
    }

    @Test func clockCounts() throws {
        let sim = try cable()
        try send(sim, [0x4B, 0x05, 0x1F])  // 6 clocks → TLR
        let t0 = sim.chain.tck
        try send(sim, [0x8E, 0x02])  // 3 clocks
        #expect(sim.chain.tck - t0 == 3)
        try send(sim, [0x8F, 0x01, 0x00])  // 2 × 8 clocks
        #expect(sim.chain.tck - t0 == 19)
        try send(sim, [0x19, 0x01, 0x00, 0xFF, 0xFF])  // 16 clocks with data
        #expect(sim.chain.tck - t0 == 35)
        try send(sim, [0x1B, 0x06, 0x00])  // 7 clocks
        #expect(sim.chain.tck - t0 == 42)
        try send(sim, [0x85, 0x87])  // no clocks
        #expect(sim.chain.tck - t0 == 42)
    }

    @Test func noClocksWithoutTheRightPins() throws {
        let sim = try cable()
        try send(sim, [0x80, 0x08, 0x09])  // TDI not an output
        let t0 = sim.chain.tck
        try send(sim, [0x8F, 0x00, 0x00])
        #expect(sim.chain.tck == t0)
        #expect(!sim.jtagConnected)
    }

    @Test func notInMPSSEModeNothingIsInterpreted() throws {
        let sim = SimulatedFT2232H()
        try send(sim, [0xAA])
        #expect(try receive(sim) == [])
        #expect(try sim.bulkRead(endpoint: 0x81, max: 512, timeoutMs: 10) == [0x32, 0x60])
    }

    @Test func readsFramedInPackets() throws {
        let sim = try cable()
        try send(sim, [UInt8](repeating: 0xAA, count: 600))  // 1200 answer bytes
        let raw = try sim.bulkRead(endpoint: 0x81, max: 4096, timeoutMs: 10)
        #expect(raw.count == 1200 + 6)
        for p in stride(from: 0, to: raw.count, by: 512) { #expect(Array(raw[p..<(p + 2)]) == [0x32, 0x60]) }
        // A small read buffer gets one packet's worth.
        try send(sim, [UInt8](repeating: 0xAB, count: 300))
        #expect(try sim.bulkRead(endpoint: 0x81, max: 64, timeoutMs: 10).count == 64)
    }

    // MARK: Configuration engine

    func bitsMSBFirst(_ bytes: [UInt8]) -> [Bool] {
        bytes.flatMap { b in (0..<8).map { (b >> UInt8(7 - $0)) & 1 == 1 } }
    }

    @Test func engineAcceptsAWellFormedStream() {
        let p = SyntheticBitstream(frameWords: 50, seed: 5).payload()
        var e = SimConfigEngine(deviceIDCode: 0x0372_7093, expectedFrameWords: 50)
        for b in [true, false, true] + bitsMSBFirst(p) { e.feed(b) }  // sync found at any bit offset
        #expect(e.rejection == nil)
        #expect(e.frameWords == 50 && e.crcChecks == 2 && e.syncCount == 1)
        #expect(e.commands == [0, 7, 9, 1, 0xA, 3, 5, 0xD])
    }

    @Test func engineNeverSyncsOnLSBFirstBytes() {
        let p = SyntheticBitstream(frameWords: 50, seed: 5).payload()
        var e = SimConfigEngine(deviceIDCode: 0x0372_7093, expectedFrameWords: 50)
        for byte in p { for j in 0..<8 { e.feed((byte >> UInt8(j)) & 1 == 1) } }
        #expect(e.syncCount == 0)
        #expect(e.rejection == "no sync word AA995566 seen (\(p.count * 8) bits received)")
    }

    @Test func engineRejections() {
        func run(_ p: [UInt8], frames: UInt64 = 50, id: UInt32 = 0x2372_7093) -> String? {
            var e = SimConfigEngine(deviceIDCode: id, expectedFrameWords: frames)
            for b in bitsMSBFirst(p) { e.feed(b) }
            return e.rejection
        }
        let good = SyntheticBitstream(frameWords: 50, seed: 5)
        #expect(run(good.payload()) == nil)
        #expect(run(good.payload(), frames: 51) == "50 frame words received, the device needs 51")
        #expect(run(good.payload(), id: 0x1372_2093)?.hasPrefix("IDCODE 0x3727093 in the bitstream does not match") == true)
        #expect(run(SyntheticBitstream(frameWords: 50, seed: 5, correctCRC: false).payload())?.hasPrefix("CRC check failed") == true)
        // Cut before DESYNC: START seen, no DESYNC.
        let words = good.words()
        let desync = words.count - 16 - 1
        let cut = Array(good.payload()[0..<(desync * 4)])
        #expect(run(cut) == "no DESYNC after START (the stream ended early)")
        // A corrupted frame word breaks the CRC.
        var flipped = good.payload()
        flipped[400] ^= 0x10
        #expect(run(flipped)?.hasPrefix("CRC check failed") == true)
    }
}
