import CZynqNetSys
import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime
/// A u-dma-buf buffer: `/dev/udmabufN`, `phys_addr` (hex) and `size` (decimal) from
/// `/sys/class/u-dma-buf/udmabufN/` (or the old `/sys/class/udmabuf/`). `writeCombine`
/// (default) and `uncached` write `sync_mode` (2 / 1) and open O_SYNC, with no cache
/// maintenance; `cached` opens without O_SYNC and every sync writes the extended form of
/// `sync_for_device`/`sync_for_cpu`.
public final class UDmaBuffer: DMABuffer {
    public let name: String
    public let physicalAddress: UInt64
    public let size: Int
    public let bytes: UnsafeMutableRawPointer
    public let mode: DMABufferMode
    public var cached: Bool { mode == .cached }
    let classDir: String
    let system: any SystemCalls
    /// Cache line granularity used to widen sync ranges (Cortex-A9: 32 bytes; 64 is safe).
    static let syncAlignment = 64

    public convenience init(name: String, cached: Bool, sysfsRoot: String = "/sys", devRoot: String = "/dev",
                            system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        try self.init(name: name, mode: cached ? .cached : .writeCombine, sysfsRoot: sysfsRoot, devRoot: devRoot, system: system)
    }

    public init(name: String, mode: DMABufferMode = .writeCombine, sysfsRoot: String = "/sys", devRoot: String = "/dev",
                system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.name = name
        self.mode = mode
        self.system = system
        let candidates = ["\(sysfsRoot)/class/u-dma-buf/\(name)", "\(sysfsRoot)/class/udmabuf/\(name)"]
        guard let dir = candidates.first(where: { system.fileExists($0) }) else {
            throw ZynqError(file: candidates[0], key: name, "no such u-dma-buf device (is the u-dma-buf module loaded, e.g. insmod u-dma-buf.ko udmabuf0=4194304?)")
        }
        self.classDir = dir
        let physText = try system.readAttribute("\(dir)/phys_addr")
        guard let phys = parseHex(physText) else {
            throw ZynqError(file: "\(dir)/phys_addr", "expected a hex address like 0x1e900000, got '\(physText)'")
        }
        let sizeText = try system.readAttribute("\(dir)/size")
        guard let sz = parseDecimal(sizeText), sz > 0, sz <= UInt64(Int.max) else {
            throw ZynqError(file: "\(dir)/size", "expected a positive decimal size, got '\(sizeText)'")
        }
        guard phys <= UInt64.max - sz else { throw ZynqError(file: "\(dir)/phys_addr", "buffer wraps around the address space") }
        self.physicalAddress = phys
        self.size = Int(sz)
        let path = "\(devRoot)/\(name)"
        if mode != .cached {
            // sync_mode decides what O_SYNC means: 1 uncached, 2 write-combine.
            let attr = "\(dir)/sync_mode"
            guard system.fileExists(attr) else {
                throw ZynqError(file: attr, "this u-dma-buf has no sync_mode; set \"buffer_mode\": \"uncached\" or \"cached\" in runtime.json (or use u-dma-buf v2+)")
            }
            try system.writeAttribute(attr, mode == .writeCombine ? "2" : "1")
        }
        let cached = mode == .cached
        let flags = OpenFlags.readWrite | OpenFlags.closeOnExec | (cached ? 0 : OpenFlags.sync)
        let fd = try system.open(path, flags: flags, mode: 0)
        defer { system.close(fd) }
        self.bytes = try system.mmap(fd: fd, length: Int(sz), offset: 0, path: path)
    }

    deinit { system.munmap(bytes, length: size) }

    /// The extended sync form: `0x%08X%08X` of offset and (size & ~0xF) | dir << 2 | 1,
    /// over the range widened to whole cache lines.
    func syncCommand(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) -> String {
        guard offset >= 0, length > 0, offset <= size, length <= size - offset else {
            throw ZynqError(file: classDir, key: "sync", "range \(offset)+\(length) outside the \(size)-byte buffer")
        }
        let a = Self.syncAlignment
        let start = offset / a * a
        var end = (offset + length + a - 1) / a * a
        if end > size { end = size }
        let len = UInt32(truncatingIfNeeded: end - start)
        guard UInt64(start) <= UInt64(UInt32.max), UInt64(end - start) <= UInt64(UInt32.max) else {
            throw ZynqError(file: classDir, key: "sync", "range too large for the sync attribute")
        }
        let low = ((len + 15) & 0xFFFF_FFF0) | (direction.rawValue << 2) | 1
        return "0x" + String(UInt32(start), radix: 16, uppercase: true).leftPadded(to: 8)
            + String(low, radix: 16, uppercase: true).leftPadded(to: 8)
    }

    public func syncForDevice(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) {
        guard cached else { zn_barrier(); return }
        try system.writeAttribute("\(classDir)/sync_for_device", try syncCommand(offset: offset, length: length, direction: direction))
    }

    public func syncForCPU(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) {
        guard cached else { zn_barrier(); return }
        try system.writeAttribute("\(classDir)/sync_for_cpu", try syncCommand(offset: offset, length: length, direction: direction))
    }
}

/// A reserved DDR region (a `reserved-memory` node without a driver) mapped through
/// /dev/mem with O_SYNC, so the mapping is not cached.
public final class DevMemDMABuffer: DMABuffer {
    public let name: String
    public let physicalAddress: UInt64
    public let size: Int
    public let bytes: UnsafeMutableRawPointer
    let mapping: UnsafeMutableRawPointer
    let mappingLength: Int
    let system: any SystemCalls

    public init(physicalAddress: UInt64, size: Int, devMemPath: String = "/dev/mem", system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.name = "\(devMemPath)@\(hex(physicalAddress))"
        guard size > 0, physicalAddress <= UInt64.max - UInt64(size) else {
            throw ZynqError(file: devMemPath, key: "buffer", "reserved region \(hex(physicalAddress))+\(size) is empty or wraps around")
        }
        self.physicalAddress = physicalAddress
        self.size = size
        self.system = system
        let page = UInt64(system.pageSize())
        let pageBase = physicalAddress & ~(page - 1)
        let delta = Int(physicalAddress - pageBase)
        let length = Int(roundUp(UInt64(delta) + UInt64(size), page))
        let fd = try openDevMem(devMemPath, system: system)
        defer { system.close(fd) }
        self.mapping = try system.mmap(fd: fd, length: length, offset: pageBase, path: devMemPath)
        self.mappingLength = length
        self.bytes = mapping + delta
    }

    deinit { system.munmap(mapping, length: mappingLength) }

    public func syncForDevice(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) { zn_barrier() }
    public func syncForCPU(offset: Int, length: Int, direction: DMADirection) throws(ZynqError) { zn_barrier() }
}
