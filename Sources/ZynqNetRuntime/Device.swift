/// What the driver drives: a `RegisterBus` (32-bit registers in declared windows) and a
/// `DMABuffer` (memory the DMA engine reads and writes). The Linux backends are ZynqNetLinux's,
/// the simulated ones ZynqNetLoopback's.
import ZynqNetBase

/// A physical address range a device declares (the AXI DMA's 64 KiB, the accelerator's 2^AW bytes).
public struct MemoryWindow: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var base: UInt64
    public var size: UInt64

    public init(name: String, base: UInt64, size: UInt64) {
        self.name = name
        self.base = base
        self.size = size
    }

    /// Whether the `length` bytes at `address` lie inside the window (no overflow).
    public func contains(_ address: UInt64, length: UInt64 = 4) -> Bool {
        address >= base && length <= size && address - base <= size - length
    }

    public var description: String { "\(name) \(hex(base))..\(hex(base &+ size &- 1))" }
}

/// 32-bit register access to physical addresses inside declared windows — the one protocol
/// behind `/dev/mem`, UIO and the in-process loopback device.
public protocol RegisterBus: AnyObject {
    /// Names the backend in messages ("/dev/mem", "uio", "loopback").
    var backendName: String { get }
    var windows: [MemoryWindow] { get }
    func read32(_ address: UInt64) throws(ZynqError) -> UInt32
    func write32(_ address: UInt64, _ value: UInt32) throws(ZynqError)
}

/// Finds the window holding a 4-byte register at `address`, or throws an error naming the
/// address and the declared windows. Misaligned addresses are refused too.
@inline(__always)
public func locate(_ address: UInt64, in windows: [MemoryWindow], backend: String) throws(ZynqError) -> (index: Int, offset: UInt64) {
    for i in windows.indices where windows[i].contains(address) {
        guard address & 3 == 0 else {
            throw ZynqError(key: hex(address), "register address is not 4-byte aligned (\(backend), window \(windows[i]))")
        }
        return (i, address - windows[i].base)
    }
    let list = windows.map { $0.description }.joined(separator: ", ")
    throw ZynqError(key: hex(address), "address is outside the device's declared windows (\(backend): \(list.isEmpty ? "none" : list))")
}

/// `v` rounded up to a multiple of `alignment`.
public func roundUp(_ v: UInt64, _ alignment: UInt64) -> UInt64 { (v + alignment - 1) / alignment * alignment }

/// Which way a DMA moves a buffer range (u-dma-buf `sync_direction`: 0 bidirectional,
/// 1 to device, 2 from device).
public enum DMADirection: UInt32, Sendable {
    case bidirectional = 0
    case toDevice = 1
    case fromDevice = 2
}

/// Physically contiguous memory the DMA engine reads and writes.
public protocol DMABuffer: AnyObject {
    var name: String { get }
    /// The bus address the DMA uses for byte 0.
    var physicalAddress: UInt64 { get }
    /// Mapped size in bytes.
    var size: Int { get }
    /// The CPU's view of byte 0.
    var bytes: UnsafeMutableRawPointer { get }
    /// Hands a range to the device (writes back the CPU cache where the mapping is cached).
    func syncForDevice(offset: Int, length: Int, direction: DMADirection) throws(ZynqError)
    /// Hands a range back to the CPU (invalidates the CPU cache where the mapping is cached).
    func syncForCPU(offset: Int, length: Int, direction: DMADirection) throws(ZynqError)
}

/// How the CPU maps a u-dma-buf (its `sync_mode`, zynq-facts §2.1).
public enum DMABufferMode: String, Sendable {
    /// O_SYNC with sync_mode 2: normal non-cacheable, writes combined in the Cortex-A9's
    /// write buffer (fast sequential input copies), no cache maintenance. The default.
    case writeCombine = "writecombine"
    /// O_SYNC with sync_mode 1 (u-dma-buf's default): strongly ordered, every access goes to DDR.
    case uncached
    /// Cached, with sync_for_device / sync_for_cpu around every transfer.
    case cached
}

#if !hasFeature(Embedded)
// Codable is host-only (the board build is Embedded Swift); synthesized here, beside the type.
extension DMABufferMode: Codable {}
#endif
