import CZynqNetSys
import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// A bus over mmap'd windows (`/dev/mem`, UIO): region `i` maps `windows[i]`; volatile 32-bit access.
protocol MappedRegisterBus: RegisterBus {
    var regions: [MappedRegion] { get }
}

extension MappedRegisterBus {
    public func read32(_ address: UInt64) throws(ZynqError) -> UInt32 {
        let (i, off) = try locate(address, in: windows, backend: backendName)
        return zn_mmio_read32(regions[i].registers + Int(off))
    }

    public func write32(_ address: UInt64, _ value: UInt32) throws(ZynqError) {
        let (i, off) = try locate(address, in: windows, backend: backendName)
        zn_mmio_write32(regions[i].registers + Int(off), value)
    }
}

/// One mmap'd window: the mapping covers whole pages; `registers` points at the window's base.
final class MappedRegion {
    let system: any SystemCalls
    let mapping: UnsafeMutableRawPointer
    let mappingLength: Int
    let registers: UnsafeMutableRawPointer
    let window: MemoryWindow

    init(system: any SystemCalls, mapping: UnsafeMutableRawPointer, mappingLength: Int, delta: Int, window: MemoryWindow) {
        self.system = system
        self.mapping = mapping
        self.mappingLength = mappingLength
        self.registers = mapping + delta
        self.window = window
    }

    deinit { system.munmap(mapping, length: mappingLength) }
}


/// Register access by mmap of `/dev/mem` (open O_RDWR|O_SYNC, page-aligned windows). Needs root.
public final class DevMemBus: MappedRegisterBus {
    public let backendName: String
    public let windows: [MemoryWindow]
    let regions: [MappedRegion]

    /// Maps every window. `devMemPath` is injectable so tests can map a sparse file instead.
    public init(windows: [MemoryWindow], devMemPath: String = "/dev/mem", system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.backendName = devMemPath
        self.windows = windows
        let fd = try openDevMem(devMemPath, system: system)
        defer { system.close(fd) }
        let page = UInt64(system.pageSize())
        var regions: [MappedRegion] = []
        for w in windows {
            guard w.size > 0, w.base <= UInt64.max - w.size else {
                throw ZynqError(file: devMemPath, key: w.name, "window \(w) is empty or wraps around")
            }
            let pageBase = w.base & ~(page - 1)
            let delta = w.base - pageBase
            let length = roundUp(delta + w.size, page)
            guard length <= UInt64(Int.max) else { throw ZynqError(file: devMemPath, key: w.name, "window \(w) too large to map") }
            let p = try system.mmap(fd: fd, length: Int(length), offset: pageBase, path: devMemPath)
            regions.append(MappedRegion(system: system, mapping: p, mappingLength: Int(length), delta: Int(delta), window: w))
        }
        self.regions = regions
    }

}

/// Opens /dev/mem O_RDWR|O_SYNC; a permission error says that root is needed.
func openDevMem(_ path: String, system: any SystemCalls) throws(ZynqError) -> Int32 {
    do throws(ZynqError) {
        return try system.open(path, flags: OpenFlags.readWrite | OpenFlags.sync | OpenFlags.closeOnExec, mode: 0)
    } catch {
        var e = error
        if system.effectiveUserID() != 0 {
            e.message += "; mapping physical memory through \(path) needs root (run with sudo)"
        }
        throw e
    }
}

/// Which UIO device (by its sysfs `name`) and which of its maps backs a window.
public struct UIOWindowSpec: Sendable, Equatable {
    public var window: MemoryWindow
    public var uioName: String
    public var mapIndex: Int

    public init(window: MemoryWindow, uioName: String, mapIndex: Int = 0) {
        self.window = window
        self.uioName = uioName
        self.mapIndex = mapIndex
    }
}

/// A UIO device found in sysfs: `/sys/class/uio/uioN` with `name` and `maps/mapM/{addr,size,offset}`.
public struct UIODevice: Sendable, Equatable {
    public var node: String        // "uio0"
    public var name: String
    public struct Map: Sendable, Equatable {
        public var index: Int
        public var address: UInt64
        public var size: UInt64
        public var offset: UInt64
    }
    public var maps: [Map]

    /// Scans `<sysfsRoot>/class/uio/*/name` for `name`; throws if none or more than one match.
    public static func find(name: String, sysfsRoot: String = "/sys", system: any SystemCalls = LiveSystem()) throws(ZynqError) -> UIODevice {
        let classDir = "\(sysfsRoot)/class/uio"
        guard system.fileExists(classDir) else {
            throw ZynqError(file: classDir, "no UIO devices (is CONFIG_UIO enabled and uio_pdrv_genirq bound, e.g. uio_pdrv_genirq.of_id=generic-uio?)")
        }
        var found: [UIODevice] = []
        var seen: [String] = []
        for node in try system.listDirectory(classDir) where node.hasPrefix("uio") {
            let n = try system.readAttribute("\(classDir)/\(node)/name")
            seen.append("\(node)=\(n)")
            if n == name { found.append(try load(node: node, name: n, classDir: classDir, system: system)) }
        }
        guard found.count == 1 else {
            if found.isEmpty {
                throw ZynqError(file: classDir, key: name, "no UIO device with this name (found: \(seen.isEmpty ? "none" : seen.joined(separator: ", ")))")
            }
            throw ZynqError(file: classDir, key: name, "\(found.count) UIO devices have this name (\(found.map { $0.node }.joined(separator: ", ")))")
        }
        return found[0]
    }

    static func load(node: String, name: String, classDir: String, system: any SystemCalls) throws(ZynqError) -> UIODevice {
        let mapsDir = "\(classDir)/\(node)/maps"
        var maps: [Map] = []
        if system.fileExists(mapsDir) {
            for m in try system.listDirectory(mapsDir) where m.hasPrefix("map") {
                guard let idx = Int(m.dropFirst(3)), idx >= 0, idx < 64 else { continue }
                func attr(_ a: String) throws(ZynqError) -> UInt64 {
                    let path = "\(mapsDir)/\(m)/\(a)"
                    let text = try system.readAttribute(path)
                    guard let v = parseHex(text) else { throw ZynqError(file: path, "expected a hex number like 0x43c00000, got '\(text)'") }
                    return v
                }
                let offsetPath = "\(mapsDir)/\(m)/offset"
                let offset = system.fileExists(offsetPath) ? try attr("offset") : 0
                maps.append(Map(index: idx, address: try attr("addr"), size: try attr("size"), offset: offset))
            }
        }
        return UIODevice(node: node, name: name, maps: maps.sorted { $0.index < $1.index })
    }
}

/// Register access through UIO: `/dev/uioN`, map N at mmap offset N × page size, plus the
/// map's `offset` (its start within the first page).
public final class UIOBus: MappedRegisterBus {
    public let backendName = "uio"
    public let windows: [MemoryWindow]
    let regions: [MappedRegion]

    public init(specs: [UIOWindowSpec], sysfsRoot: String = "/sys", devRoot: String = "/dev", system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.windows = specs.map { $0.window }
        let page = UInt64(system.pageSize())
        var regions: [MappedRegion] = []
        for spec in specs {
            let dev = try UIODevice.find(name: spec.uioName, sysfsRoot: sysfsRoot, system: system)
            guard let map = dev.maps.first(where: { $0.index == spec.mapIndex }) else {
                throw ZynqError(file: "\(sysfsRoot)/class/uio/\(dev.node)/maps", key: "map\(spec.mapIndex)", "UIO device '\(spec.uioName)' has no such map")
            }
            let w = spec.window
            // The map must cover the declared window, or the manifest and the device tree disagree.
            guard map.address <= w.base, w.size <= map.size, w.base - map.address <= map.size - w.size else {
                throw ZynqError(file: "\(sysfsRoot)/class/uio/\(dev.node)/maps/map\(map.index)", key: w.name,
                                "UIO map \(hex(map.address))+\(hex(map.size)) does not cover the declared window \(w)")
            }
            let path = "\(devRoot)/\(dev.node)"
            let fd = try system.open(path, flags: OpenFlags.readWrite | OpenFlags.sync | OpenFlags.closeOnExec, mode: 0)
            defer { system.close(fd) }
            let length = roundUp(map.offset + map.size, page)
            guard length <= UInt64(Int.max), map.offset < page else {
                throw ZynqError(file: path, key: "map\(map.index)", "map too large or offset \(hex(map.offset)) beyond a page")
            }
            let p = try system.mmap(fd: fd, length: Int(length), offset: UInt64(map.index) * page, path: path)
            let delta = map.offset + (w.base - map.address)
            regions.append(MappedRegion(system: system, mapping: p, mappingLength: Int(length), delta: Int(delta), window: w))
        }
        self.regions = regions
    }

}
