import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// The loopback device's fake physical address space: DMA buffers live at made-up bus
/// addresses that the DMA model resolves; anything else is a decode error.
public final class LoopbackMemory {
    struct Region {
        var id: Int
        var base: UInt64
        var size: UInt64
        var device: UnsafeMutableRawPointer
    }
    var regions: [Region] = []
    var nextBase: UInt64
    var nextID = 0

    /// `firstBase` is where the first buffer goes (DDR on a PYNQ-Z2 starts at 0; CMA buffers
    /// typically sit high in it, e.g. 0x1E900000).
    public init(firstBase: UInt64 = 0x1E00_0000) {
        self.nextBase = firstBase
    }

    /// The device-side pointer for `length` bytes at `address`, or nil if any byte is unmapped.
    public func resolve(_ address: UInt64, length: UInt64) -> UnsafeMutableRawPointer? {
        for r in regions where address >= r.base && address - r.base <= r.size && length <= r.size - (address - r.base) {
            return r.device + Int(address - r.base)
        }
        return nil
    }

    func add(size: Int, device: UnsafeMutableRawPointer) -> (id: Int, base: UInt64) {
        let base = nextBase
        // Leave an unmapped page after every buffer, so overruns are decode errors.
        nextBase = roundUp(base + UInt64(size) + 4096, 4096)
        nextID += 1
        regions.append(Region(id: nextID, base: base, size: UInt64(size), device: device))
        return (nextID, base)
    }

    func remove(id: Int) { regions.removeAll { $0.id == id } }

    /// Allocates a buffer of `size` bytes at the next free fake bus address (4 KiB aligned).
    /// `cached` gives the CPU its own copy that only `syncForDevice`/`syncForCPU` reconcile
    /// with the device's view, so a driver that forgets cache maintenance gets wrong data.
    public func allocate(size: Int, cached: Bool = false) throws(ZynqError) -> LoopbackBuffer {
        guard size > 0 else { throw ZynqError(key: "buffer", "buffer size must be positive") }
        return LoopbackBuffer(memory: self, size: size, cached: cached)
    }
}

/// Plain host memory standing in for a physically contiguous DMA buffer.
public final class LoopbackBuffer: DMABuffer {
    public let name: String
    public let physicalAddress: UInt64
    public let size: Int
    /// The CPU's view.
    public let bytes: UnsafeMutableRawPointer
    /// What the DMA sees (the same memory unless `cached`).
    let device: UnsafeMutableRawPointer
    let cached: Bool
    let id: Int
    let memory: LoopbackMemory
    /// Counts of sync calls (tests check a cached buffer is maintained).
    public private(set) var syncsForDevice = 0
    public private(set) var syncsForCPU = 0

    init(memory: LoopbackMemory, size: Int, cached: Bool) {
        self.memory = memory
        self.size = size
        self.cached = cached
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        if cached {
            device = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
            device.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        } else {
            device = bytes
        }
        (id, physicalAddress) = memory.add(size: size, device: device)
        name = "loopback@\(hex(physicalAddress))"
    }

    deinit {
        memory.remove(id: id)
        if cached { device.deallocate() }
        bytes.deallocate()
    }

    func check(_ offset: Int, _ length: Int) throws(ZynqError) {
        guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
            throw ZynqError(key: "sync", "range \(offset)+\(length) outside the \(size)-byte buffer \(name)")
        }
    }

    public func syncForDevice(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) {
        try check(offset, length)
        syncsForDevice += 1
        if cached && direction != .fromDevice {
            device.advanced(by: offset).copyMemory(from: bytes.advanced(by: offset), byteCount: length)
        }
    }

    public func syncForCPU(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) {
        try check(offset, length)
        syncsForCPU += 1
        if cached && direction != .toDevice {
            bytes.advanced(by: offset).copyMemory(from: device.advanced(by: offset), byteCount: length)
        }
    }
}
