import ZynqNetBase
import ZynqNetLinux
import ZynqNetRuntime

/// The SLCR and AFI0 registers as the loopback device answers them, so tests can set every
/// bad state: the lock (writes other than the keys are ignored while locked), the FCLK0 gate,
/// PL reset, level shifters, the FCLK0 dividers and the PLLs, and the HP0 width.
/// Attach it with `LoopbackDevice.attach(ps:)`.
public final class LoopbackSLCR {
    /// Registers by absolute address.
    public var registers: [UInt64: UInt32]
    public var locked: Bool
    /// Every accepted write, in order (absolute address, value).
    public private(set) var writes: [(UInt64, UInt32)] = []

    /// A booted PYNQ-Z2 after a good load: IO PLL 1000 MHz from 50 MHz, FCLK0 100 MHz, everything on.
    public init(locked: Bool = false) {
        self.locked = locked
        registers = [
            SLCR.ioPLL: 20 << 12, SLCR.armPLL: 26 << 12, SLCR.ddrPLL: 21 << 12,
            SLCR.fpga0ClockControl: 0x0010_0A00,
            PSRegisters.fpga0Throttle: 0, PSRegisters.fpgaResetControl: 0, PSRegisters.levelShifters: 0xF,
            PSRegisters.afi0ReadControl: 0, PSRegisters.afi0WriteControl: 0xF00,
        ]
    }

    public func read(address a: UInt64) -> UInt32 {
        if a == PSRegisters.slcrLockStatus { return locked ? 1 : 0 }
        return registers[a] ?? 0
    }

    public func write(address a: UInt64, value: UInt32) {
        if a == SLCR.unlock { if value == SLCR.unlockKey { locked = false }; return }
        if a == PSRegisters.slcrLock { if value == PSRegisters.slcrLockKey { locked = true }; return }
        if locked && a < 0xF800_1000 { return }
        writes.append((a, value))
        registers[a] = value
    }
}

/// One window of the `LoopbackSLCR` (SLCR or AFI0) as a loopback peripheral.
final class LoopbackPSWindow: LoopbackPeripheral {
    let ps: LoopbackSLCR
    let base: UInt64
    init(_ ps: LoopbackSLCR, base: UInt64) {
        self.ps = ps
        self.base = base
    }
    func read(offset: UInt64) -> UInt32 { ps.read(address: base + offset) }
    func write(offset: UInt64, value: UInt32) { ps.write(address: base + offset, value: value) }
}

extension LoopbackDevice {
    /// Puts the PS registers (SLCR and AFI0 windows) of `ps` on this device.
    public func attach(ps: LoopbackSLCR) throws {
        for w in PSRegisters.windows { try attach(LoopbackPSWindow(ps, base: w.base), window: w, stream: nil) }
    }
}
