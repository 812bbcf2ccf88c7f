import Foundation
import Testing
import ZynqNetBit
@testable import ZynqNetJTAG
import ZynqNetJTAGSim

/// A transport that accepts every write and counts it (no device behind it).
final class CountingTransport: USBTransport {
    let maxPacketSize = 512
    var bytes: UInt64 = 0
    var writes = 0
    func controlOut(request: UInt8, value: UInt16, index: UInt16, timeoutMs: UInt32) throws {}
    func bulkWrite(endpoint: UInt8, data: [UInt8], timeoutMs: UInt32) throws -> Int {
        bytes += UInt64(data.count)
        writes += 1
        return data.count
    }
    func bulkRead(endpoint: UInt8, max: Int, timeoutMs: UInt32) throws -> [UInt8] { [0x32, 0x60] }
    func close() {}
}

/// Host-side cost of JTAG programming (run with ZYNQNET_BENCH=1; numbers in docs/performance.md).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ZYNQNET_BENCH"] != nil))
struct JTAGBench {
    /// A full xc7z020 payload (4,045,564 bytes) turned into MPSSE commands and written.
    @Test func encodeFullPayload() throws {
        let payload = [UInt8](repeating: 0xA5, count: 4_045_564)
        let t = CountingTransport()
        let m = MPSSE(transport: t)
        let j = JTAG(mpsse: m)
        j.reset()
        j.go(to: .shiftDR)
        let start = monotonicSeconds()
        let data = Bitstream.jtagPayload(payload)
        var bits = BitString(bytes: data, count: data.count * 8)
        bits.append(false)
        try j.shift(bits, read: false, end: .runTestIdle)
        try j.flush()
        let s = monotonicSeconds() - start
        let overhead = Double(t.bytes) / Double(payload.count) - 1
        print(String(format: "BENCH encode: %d payload bytes -> %llu bytes in %d USB writes, overhead %.4f%%, %.3f s, %.1f Mbit/s host-side",
                     payload.count, t.bytes, t.writes, overhead * 100, s, Double(payload.count) * 8 / s / 1e6))
    }

    /// Programming through the simulated FT2232H and chain (bit-level simulation).
    @Test func programThroughTheSimulator() throws {
        var config = SimZynqChain.Config()
        config.frameWords = 50_000
        let b = board("pynq-z2")
        let sim = simulatedCable(board: b, chain: config)
        let s = try session(sim, board: b)
        let bit = syntheticBit(frameWords: 50_000)
        let start = monotonicSeconds()
        let r = try s.program(bit, file: "bench.bit")
        let total = monotonicSeconds() - start
        print(String(format: "BENCH sim: %u payload bytes, CFG_IN shift %.3f s (%.2f Mbit/s simulated), whole program %.3f s, %d INIT polls, %llu TCK",
                     UInt32(r.payloadBytes), r.seconds, r.bitsPerSecond / 1e6, total, r.initPolls, sim.chain.tck))
        #expect(r.status.done)
    }
}
