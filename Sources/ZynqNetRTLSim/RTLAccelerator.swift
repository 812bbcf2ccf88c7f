import CZynqNetRTLSim
import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime

/// How the simulated AXI masters behave.
public struct RTLStreamPolicy: Sendable, Equatable {
    /// Percent (0…95) of cycles in which MM2S withholds TVALID although it has data.
    public var gapPercent: Int
    /// Percent (0…95) of cycles in which an armed S2MM withholds TREADY.
    public var stallPercent: Int
    /// AXI-Lite writes with AW and W in random order and delay, random BREADY/RREADY.
    public var randomAXILite: Bool

    public init(gapPercent: Int = 0, stallPercent: Int = 0, randomAXILite: Bool = false) {
        self.gapPercent = gapPercent
        self.stallPercent = stallPercent
        self.randomAXILite = randomAXILite
    }

    /// No gaps, no stalls: the timing the design has with a DMA that keeps up.
    public static let ideal = RTLStreamPolicy()
    /// 30 % gaps and stalls and random AXI-Lite timing: the protocol under pressure.
    public static let stressed = RTLStreamPolicy(gapPercent: 30, stallPercent: 30, randomAXILite: true)

    func validate() throws {
        guard (0...95).contains(gapPercent) else { throw ZynqError(key: "gap_percent", "must be 0…95, got \(gapPercent)") }
        guard (0...95).contains(stallPercent) else { throw ZynqError(key: "stall_percent", "must be 0…95, got \(stallPercent)") }
    }
}

/// Cycle counts and timing the simulation measured (since creation or `clearStatistics`).
public struct RTLSimStatistics: Sendable, Equatable {
    /// Clock cycles simulated, and of those the cycles in which a DMA channel was active.
    public var cycles: UInt64
    public var streamCycles: UInt64
    public var inputBeats: UInt64
    public var outputBeats: UInt64
    public var imagesIn: UInt64
    public var imagesOut: UInt64
    /// First input beat to last output beat of an image (inclusive), fewest / most cycles; 0 if none.
    public var latencyMin: UInt64
    public var latencyMax: UInt64
    /// Steady-state cycles between consecutive output images of one transfer: median, minimum,
    /// number of samples (0 when no image followed another inside a transfer).
    public var iiMedian: UInt64
    public var iiMin: UInt64
    public var iiSamples: UInt64
    /// Wall time spent simulating (ns), and the AXI-Lite transactions.
    public var simNanoseconds: UInt64
    public var axiLiteWrites: UInt64
    public var axiLiteReads: UInt64

    /// Simulated cycles per second of wall time.
    public var cyclesPerSecond: Double { simNanoseconds > 0 ? Double(cycles) / (Double(simNanoseconds) / 1e9) : 0 }
}

/// The Verilated `zynqnet_accel` behind the loopback device's peripheral window and the AXI
/// DMA model's data movers: register accesses become AXI4-Lite transactions, DMA transfers
/// drive s_axis / m_axis cycle by cycle (in C++, many cycles a call).
public final class RTLAccelerator: LoopbackPeripheral, DMADataMover {
    let api: zn_rtl_api
    let sim: OpaquePointer
    public let library: RTLSimLibrary
    public let layout: AcceleratorLayout
    /// The first protocol violation or AXI-Lite failure (sticky).
    public private(set) var failure: String?
    public private(set) var policy: RTLStreamPolicy
    public private(set) var tracePath: String?
    var traceTemporary: String?

    /// Creates a simulation of the library's design and resets it (16 cycles of aresetn = 0),
    /// writing an FST waveform from the start if `tracePath` is given. `budgetCycles` bounds one
    /// `advance` (a hung design returns control after that many cycles).
    public init(library: RTLSimLibrary, layout: AcceleratorLayout, policy: RTLStreamPolicy = .ideal, seed: UInt64 = 1,
                budgetCycles: UInt64 = 1 << 20, fclkMHz: Double = 100, tracePath: String? = nil) throws {
        try policy.validate()
        self.library = library
        self.api = library.api
        self.layout = layout
        self.policy = policy
        let t = layout.topology
        var cfg = zn_rtl_config()
        cfg.in_beats_per_image = UInt32(OutputRecord.inputBeats(pixels: t.inputCount))
        cfg.out_beats_per_image = UInt32(OutputRecord.beats(classes: t.outputCount))
        cfg.gap_percent = UInt32(policy.gapPercent)
        cfg.stall_percent = UInt32(policy.stallPercent)
        cfg.axil_random = policy.randomAXILite ? 1 : 0
        cfg.clock_period_ps = fclkMHz > 0 ? UInt32(max(2, min(1e9, (1e6 / fclkMHz).rounded()))) : 10000
        cfg.seed = seed
        cfg.advance_budget = max(1, budgetCycles)
        guard let h = api.create!(&cfg) else { throw ZynqError(file: library.path, "the simulation could not be created") }
        sim = h
        if let tracePath { try openTrace(tracePath) }
        api.reset!(sim, 16)
    }

    deinit {
        closeTrace()
        api.destroy!(sim)
    }

    /// Starts writing an FST waveform (the library must be built with tracing). It is written
    /// under a temporary name next to `path` and renamed to `path` when closed, so `path` only
    /// ever holds a complete file.
    public func openTrace(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ZynqError(file: path, key: "--trace", "is a directory")
        }
        let partial = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        switch api.trace_open!(sim, partial) {
        case 0:
            tracePath = path
            traceTemporary = partial
        case -1: throw ZynqError(key: "--trace", "this rtlsim build has no tracing (build with trace: true)")
        case -2: throw ZynqError(key: "--trace", "a trace is already open (\(tracePath ?? "?"))")
        default: throw ZynqError(file: path, key: "--trace", "cannot write the FST file")
        }
    }

    /// Flushes and closes the waveform and moves it to its path.
    @discardableResult
    public func closeTrace() -> Bool {
        api.trace_close!(sim)
        defer {
            tracePath = nil
            traceTemporary = nil
        }
        guard let path = tracePath, let tmp = traceTemporary else { return true }
        return rename(tmp, path) == 0
    }

    public func setPolicy(_ p: RTLStreamPolicy) throws {
        try p.validate()
        policy = p
        api.set_streams!(sim, UInt32(p.gapPercent), UInt32(p.stallPercent), p.randomAXILite ? 1 : 0)
    }

    /// Runs `cycles` clock cycles with the streams as they are.
    public func run(cycles: UInt64) {
        api.run!(sim, cycles)
        noteError()
    }

    public var statistics: RTLSimStatistics {
        var s = zn_rtl_stats()
        api.stats!(sim, &s)
        return RTLSimStatistics(cycles: s.cycles, streamCycles: s.stream_cycles, inputBeats: s.in_beats, outputBeats: s.out_beats,
                                imagesIn: s.images_in, imagesOut: s.images_out, latencyMin: s.latency_min,
                                latencyMax: s.latency_max, iiMedian: s.ii_median, iiMin: s.ii_min, iiSamples: s.ii_samples,
                                simNanoseconds: s.sim_nanoseconds, axiLiteWrites: s.axil_writes, axiLiteReads: s.axil_reads)
    }

    public func clearStatistics() { api.clear_stats!(sim) }

    /// The current simulation cycle.
    public var cycle: UInt64 {
        var p = zn_rtl_progress()
        api.progress!(sim, &p)
        return p.cycle
    }

    func noteError() {
        if failure == nil, let e = api.error!(sim) { failure = String(cString: e) }
    }

    /// Runs `body`; if it throws after the simulation saw a protocol violation or an AXI-Lite
    /// failure, that (the cause) is thrown instead, with the original error appended.
    public func explainingFailures<T>(_ body: () throws(ZynqError) -> T) throws(ZynqError) -> T {
        do throws(ZynqError) {
            return try body()
        } catch {
            noteError()
            if let failure { throw ZynqError(key: "rtlsim", "\(failure); the runtime then reported: \(error)") }
            throw error
        }
    }

    /// Throws the first protocol violation or AXI-Lite failure, if any.
    public func checkHealthy() throws(ZynqError) {
        noteError()
        if let failure { throw ZynqError(key: "rtlsim", failure) }
    }

    // MARK: LoopbackPeripheral (AXI4-Lite)

    public func read(offset: UInt64) -> UInt32 {
        var v: UInt32 = 0
        guard let a = UInt32(exactly: offset) else { return 0 }
        if api.axil_read!(sim, a, &v) != 0 { noteError() }
        return v
    }

    public func write(offset: UInt64, value: UInt32) {
        guard let a = UInt32(exactly: offset) else { return }
        // A datapath reset may drop a stalled output beat: tell the m_axis monitor, and forget
        // the images inside afterwards.
        let softReset = a == RegisterMap.CONTROL && RegisterMap.CONTROL_SOFT_RESET.isSet(value)
        if softReset { api.datapath_reset_begin!(sim) }
        if api.axil_write!(sim, a, value) != 0 { noteError() }
        if softReset { api.datapath_reset_end!(sim) }
    }

    // MARK: DMADataMover (the AXI DMA's stream side)

    static func index(_ ch: DMAChannel) -> Int32 { ch == .mm2s ? Int32(ZN_RTL_MM2S) : Int32(ZN_RTL_S2MM) }

    public func start(_ ch: DMAChannel, memory: UnsafeMutableRawPointer, length: UInt64) {
        api.start!(sim, RTLAccelerator.index(ch), memory, length)
    }

    public func stop(_ ch: DMAChannel) { api.stop!(sim, RTLAccelerator.index(ch)) }

    public func advance() -> DMAMoverProgress {
        var p = zn_rtl_progress()
        api.advance!(sim, &p)
        if p.stop_reason == UInt32(ZN_RTL_STOP_ERROR) { noteError() }
        return DMAMoverProgress(mm2sBytes: p.mm2s_bytes, mm2sDone: p.mm2s_done != 0, s2mmBytes: p.s2mm_bytes,
                                s2mmLast: p.s2mm_last != 0, s2mmOverflow: p.s2mm_overflow != 0, failure: failure)
    }
}
