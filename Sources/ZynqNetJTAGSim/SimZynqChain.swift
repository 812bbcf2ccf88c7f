import ZynqNetBit

/// A simulated Zynq-7000 JTAG chain: TDI → ARM DAP (IR 4) → PL TAP (IR 6) → TDO
/// (zynq-facts.md §4.2–4.4), clocked one TCK at a time by the simulated FT2232H.
/// The TAP controller here is written independently of the driver's `TAPState`.
public final class SimZynqChain {
    public struct Config: Sendable {
        public var dapIDCode: UInt32 = 0x4BA0_0477
        public var plIDCode: UInt32 = 0x2372_7093
        /// TCKs after JPROGRAM until INIT rises (configuration memory cleared). Longer than
        /// the driver's 120,000 Run-Test/Idle clocks, so only a driver that polls INIT passes.
        public var initDelayTCK: UInt64 = 150_000
        /// Run-Test/Idle TCKs with JSTART in the IR before DONE rises.
        public var startupTCK: UInt64 = 16
        /// FDRI words a complete bitstream for this device carries.
        public var frameWords: UInt64 = 1_010
        public init() {}
    }

    enum State: CaseIterable {
        case tlr, rti, selDR, capDR, shDR, ex1DR, pauDR, ex2DR, updDR, selIR, capIR, shIR, ex1IR, pauIR, ex2IR, updIR
    }

    static func step(_ s: State, _ tms: Bool) -> State {
        switch s {
        case .tlr: return tms ? .tlr : .rti
        case .rti: return tms ? .selDR : .rti
        case .selDR: return tms ? .selIR : .capDR
        case .capDR, .shDR: return tms ? .ex1DR : .shDR
        case .ex1DR: return tms ? .updDR : .pauDR
        case .pauDR: return tms ? .ex2DR : .pauDR
        case .ex2DR: return tms ? .updDR : .shDR
        case .updDR, .updIR: return tms ? .selDR : .rti
        case .selIR: return tms ? .tlr : .capIR
        case .capIR, .shIR: return tms ? .ex1IR : .shIR
        case .ex1IR: return tms ? .updIR : .pauIR
        case .pauIR: return tms ? .ex2IR : .pauIR
        case .ex2IR: return tms ? .updIR : .shIR
        }
    }

    public var config: Config
    private(set) var state: State = .tlr

    // DAP: IR 4 bits; 0xE IDCODE, 0xF BYPASS, 0x8 ABORT / 0xA DPACC / 0xB APACC (35 bits).
    private var dapIR: UInt8 = 0xE
    private var dapIRShift: UInt8 = 0
    private var dapDR: [Bool] = []

    // PL: IR 6 bits.
    public private(set) var plInstruction: UInt8 = 0x09
    private var plIRShift: UInt8 = 0
    private var plDR: [Bool] = []

    public private(set) var engine: SimConfigEngine
    public private(set) var initHigh = true
    public private(set) var done = false
    public private(set) var iscEnabled = false
    private var initCountdown: UInt64 = 0
    private var startupClocks: UInt64 = 0

    /// Every TCK the chain has seen.
    public private(set) var tck: UInt64 = 0
    /// Instructions the PL received (Update-IR), in order.
    public private(set) var plInstructionLog: [UInt8] = []
    /// Bits the PL received while its IR held CFG_IN and INIT was high.
    public private(set) var cfgInBits: UInt64 = 0
    /// Bits shifted into CFG_IN while INIT was still low (lost).
    public private(set) var cfgInBitsLost: UInt64 = 0

    public init(config: Config = Config()) {
        self.config = config
        engine = SimConfigEngine(deviceIDCode: config.plIDCode, expectedFrameWords: config.frameWords)
    }

    /// The PL's IR capture: 01, ISC_DONE, ISC_ENABLED, INIT, DONE.
    public var plCapture: UInt8 {
        0x01 | (done ? 0x04 : 0) | (iscEnabled ? 0x08 : 0) | (initHigh ? 0x10 : 0) | (done ? 0x20 : 0)
    }

    private func resetInstructions() {
        dapIR = 0xE
        plInstruction = 0x09
    }

    /// One TCK. Returns TDO as sampled during this clock (before the shift); 1 outside the
    /// Shift states (the line idles high).
    public func clock(tms: Bool, tdi: Bool) -> Bool {
        tck &+= 1
        tickTimers()
        var tdo = true
        switch state {
        case .tlr:
            resetInstructions()
        case .rti:
            if plInstruction == 0x0C { startupClock() }
        case .capDR:
            captureDR()
        case .shDR:
            let dapOut = dapDR.first ?? tdi
            tdo = plDR.first ?? dapOut
            if !dapDR.isEmpty { dapDR.removeFirst(); dapDR.append(tdi) }
            if plInstruction == 0x05 {
                if initHigh {
                    engine.feed(dapOut)
                    cfgInBits &+= 1
                } else {
                    cfgInBitsLost &+= 1
                }
            }
            if !plDR.isEmpty { plDR.removeFirst(); plDR.append(dapOut) }
        case .capIR:
            dapIRShift = 0x1
            plIRShift = plCapture
        case .shIR:
            let dapOut = dapIRShift & 1 == 1
            tdo = plIRShift & 1 == 1
            dapIRShift = dapIRShift >> 1 | (tdi ? 0x8 : 0)
            plIRShift = plIRShift >> 1 | (dapOut ? 0x20 : 0)
        default:
            break
        }
        let next = SimZynqChain.step(state, tms)
        if next == .updIR && state != .updIR {
            dapIR = dapIRShift
            plInstruction = plIRShift
            plInstructionLog.append(plIRShift)
            updatePLInstruction()
        }
        if next == .tlr { resetInstructions() }
        state = next
        return tdo
    }

    /// `count` TCKs with constant TMS/TDI, fast when the state does not change.
    public func clocks(_ count: UInt64, tms: Bool, tdi: Bool) {
        var left = count
        while left > 0 {
            let stable = (state == .rti && !tms) || (state == .tlr && tms) || (state == .pauDR && !tms) || (state == .pauIR && !tms)
            if stable && !(state == .rti && plInstruction == 0x0C) {
                // Nothing but time passes: advance the timers in bulk.
                tck &+= left
                if !initHigh {
                    if initCountdown <= left {
                        initCountdown = 0
                        initHigh = true
                    } else {
                        initCountdown -= left
                    }
                }
                if state == .tlr { resetInstructions() }
                return
            }
            _ = clock(tms: tms, tdi: tdi)
            left -= 1
        }
    }

    private func tickTimers() {
        if !initHigh {
            if initCountdown <= 1 {
                initCountdown = 0
                initHigh = true
            } else {
                initCountdown -= 1
            }
        }
    }

    private func startupClock() {
        startupClocks &+= 1
        if startupClocks >= config.startupTCK, engine.acceptsStartup {
            done = true
        }
    }

    private func updatePLInstruction() {
        switch plInstruction {
        case 0x0B:  // JPROGRAM: clear the configuration; INIT low until memory is cleared.
            engine.reset()
            done = false
            iscEnabled = false
            initHigh = false
            initCountdown = max(1, config.initDelayTCK)
        case 0x0C:  // JSTART
            startupClocks = 0
        default:
            break
        }
    }

    private func captureDR() {
        switch dapIR {
        case 0xE: dapDR = bits(config.dapIDCode, 32)
        case 0x8, 0xA, 0xB: dapDR = [Bool](repeating: false, count: 35)
        default: dapDR = [false]
        }
        switch plInstruction {
        case 0x09: plDR = bits(config.plIDCode, 32)
        case 0x04: plDR = [Bool](repeating: false, count: 32)
        default: plDR = [false]
        }
    }

    private func bits(_ v: UInt32, _ n: Int) -> [Bool] { (0..<n).map { (v >> UInt32($0)) & 1 == 1 } }
}
