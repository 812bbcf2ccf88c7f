import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
@testable import ZynqNetRuntime
import ZynqNetModel

@Suite struct MemoryWindowTests {
    @Test func containsChecksBothEndsWithoutOverflow() {
        let w = MemoryWindow(name: "dma", base: 0x4040_0000, size: 0x10000)
        #expect(w.contains(0x4040_0000))
        #expect(w.contains(0x4040_FFFC))
        #expect(!w.contains(0x4040_FFFD))
        #expect(!w.contains(0x4041_0000))
        #expect(!w.contains(0x403F_FFFC))
        #expect(!w.contains(UInt64.max - 1))
        let top = MemoryWindow(name: "top", base: UInt64.max - 7, size: 8)
        #expect(top.contains(UInt64.max - 3))
        #expect(!top.contains(UInt64.max - 2))
    }

    @Test func outsideAndMisalignedAddressesAreRefusedByName() throws {
        let ws = [MemoryWindow(name: "axi_dma", base: 0x4040_0000, size: 0x10000)]
        let hit = try locate(0x4040_0058, in: ws, backend: "x")
        #expect(hit.index == 0 && hit.offset == 0x58)
        let e1 = #expect(throws: ZynqError.self) { try locate(0x4041_0000, in: ws, backend: "/dev/mem") }
        #expect(e1?.key == "0x40410000")
        #expect(e1?.description.contains("outside the device's declared windows") == true)
        #expect(e1?.description.contains("axi_dma 0x40400000..0x4040FFFF") == true)
        let e2 = #expect(throws: ZynqError.self) { try locate(0x4040_0002, in: ws, backend: "/dev/mem") }
        #expect(e2?.description.contains("not 4-byte aligned") == true)
    }
}

@Suite struct DevMemTests {
    @Test func mapsPageAlignedWindowsOfTheFile() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        let mem = "\(dir)/mem"
        try makeSparseFile(mem, size: 0x43C0_2000)
        try writeWord(mem, at: 0x43C0_0804, 0xCAFE_F00D)
        let sys = TracingSystem()
        let windows = [MemoryWindow(name: "axi_dma", base: 0x4040_0000, size: 0x10000),
                       MemoryWindow(name: "accel", base: 0x43C0_0800, size: 0x100)]
        do {
            let bus = try DevMemBus(windows: windows, devMemPath: mem, system: sys)
            try bus.write32(0x4040_0028, 0x1234_5678)
            #expect(try bus.read32(0x43C0_0804) == 0xCAFE_F00D)
            try bus.write32(0x43C0_08FC, 7)
            #expect(throws: ZynqError.self) { try bus.read32(0x43C0_0900) }
            #expect(throws: ZynqError.self) { try bus.read32(0x43C0_07FC) }
        }
        #expect(try readWord(mem, at: 0x4040_0028) == 0x1234_5678)
        #expect(try readWord(mem, at: 0x43C0_08FC) == 7)
        let page = LiveSystem().pageSize()
        #expect(sys.calls.contains("open \(mem) O_SYNC"))
        #expect(sys.calls.contains("mmap \(mem) \(0x10000) 0x40400000"))
        #expect(sys.calls.contains("mmap \(mem) \(page) 0x43C00000"))
        #expect(sys.calls.filter { $0.hasPrefix("munmap") }.count == 2)
    }

    @Test func notRootSaysSo() throws {
        let sys = TracingSystem(failing: ["open"], euid: 1000)
        let e = #expect(throws: ZynqError.self) {
            _ = try DevMemBus(windows: [MemoryWindow(name: "a", base: 0x4040_0000, size: 0x1000)], devMemPath: "/dev/mem", system: sys)
        }
        #expect(e?.file == "/dev/mem")
        #expect(e?.description.contains("needs root") == true)
        // The hint is added to the message; the failed call stays a value.
        #expect(e?.reason == .systemCall(name: "open", errno: 5))
    }

    /// A failed system call carries its name and errno as values, from the real call.
    @Test func failedSystemCallCarriesItsErrno() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        let e = #expect(throws: ZynqError.self) { _ = try LiveSystem().open("\(dir)/missing", flags: OpenFlags.readOnly, mode: 0) }
        #expect(e?.reason == .systemCall(name: "open", errno: 2))
        #expect(e?.description == "\(dir)/missing: 'open': No such file or directory (errno 2)")
        let r = #expect(throws: ZynqError.self) { try LiveSystem().rename("\(dir)/missing", "\(dir)/b") }
        #expect(r?.reason == .systemCall(name: "rename", errno: 2))
        #expect(r?.description == "\(dir)/b: 'rename': No such file or directory (errno 2) renaming \(dir)/missing")
        let l = #expect(throws: ZynqError.self) { _ = try LiveSystem().listDirectory("\(dir)/missing") }
        #expect(l?.reason == .systemCall(name: "opendir", errno: 2))
    }

    @Test func mmapFailureNamesTheFile() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        try makeSparseFile("\(dir)/mem", size: 0x1000)
        let sys = TracingSystem(failing: ["mmap"])
        let e = #expect(throws: ZynqError.self) {
            _ = try DevMemBus(windows: [MemoryWindow(name: "a", base: 0, size: 0x1000)], devMemPath: "\(dir)/mem", system: sys)
        }
        #expect(e?.file == "\(dir)/mem")
        #expect(e?.key == "mmap")
        #expect(e?.reason == .systemCall(name: "mmap", errno: 5))
        // The descriptor was closed although the mapping failed.
        #expect(sys.calls.last == "close")
    }
}

@Suite struct UIOTests {
    /// /sys/class/uio/uio{0,1,2} and /dev/uio{0,1,2} in a temp dir.
    func fakeTree() throws -> String {
        let root = try makeTemporaryDirectory("uio").path
        let c = "\(root)/sys/class/uio"
        try writeFile("\(c)/uio0/name", "axi_dma\n")
        try writeFile("\(c)/uio0/maps/map0/addr", "0x40400000\n")
        try writeFile("\(c)/uio0/maps/map0/size", "0x00010000\n")
        try writeFile("\(c)/uio0/maps/map0/offset", "0x0\n")
        try writeFile("\(c)/uio1/name", "audio\n")
        try writeFile("\(c)/uio2/name", "zynqnet_accel\n")
        try writeFile("\(c)/uio2/maps/map0/addr", "0x43c00000\n")
        try writeFile("\(c)/uio2/maps/map0/size", "0x1000\n")
        try writeFile("\(c)/uio2/maps/map1/addr", "0x43c10100\n")
        try writeFile("\(c)/uio2/maps/map1/size", "0x100\n")
        try writeFile("\(c)/uio2/maps/map1/offset", "0x100\n")
        try FileManager.default.createDirectory(atPath: "\(root)/dev", withIntermediateDirectories: true)
        let page = UInt64(LiveSystem().pageSize())
        try makeSparseFile("\(root)/dev/uio0", size: 0x10000)
        try makeSparseFile("\(root)/dev/uio2", size: 2 * page)
        return root
    }

    @Test func findsDevicesByNameAndMapsMapNAtNPages() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        let dev = try UIODevice.find(name: "zynqnet_accel", sysfsRoot: "\(root)/sys")
        #expect(dev.node == "uio2")
        #expect(dev.maps.map(\.address) == [0x43C0_0000, 0x43C1_0100])
        #expect(dev.maps.map(\.offset) == [0, 0x100])
        let page = UInt64(LiveSystem().pageSize())
        let sys = TracingSystem()
        do {
            let bus = try UIOBus(specs: [
                UIOWindowSpec(window: MemoryWindow(name: "axi_dma", base: 0x4040_0000, size: 0x10000), uioName: "axi_dma"),
                UIOWindowSpec(window: MemoryWindow(name: "accel", base: 0x43C1_0100, size: 0x100), uioName: "zynqnet_accel", mapIndex: 1),
            ], sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev", system: sys)
            try bus.write32(0x4040_0030, 0xA5A5_0001)
            try bus.write32(0x43C1_0108, 0x0BAD_BEEF)
            #expect(try bus.read32(0x43C1_0108) == 0x0BAD_BEEF)
            #expect(throws: ZynqError.self) { try bus.write32(0x43C1_0200, 1) }
        }
        #expect(sys.calls.contains("mmap \(root)/dev/uio2 \(page) \(hex(page))"))
        #expect(try readWord("\(root)/dev/uio0", at: 0x30) == 0xA5A5_0001)
        // map1 starts at page 1 of the file; the register is at offset 0x100 + 8 in it.
        #expect(try readWord("\(root)/dev/uio2", at: page + 0x108) == 0x0BAD_BEEF)
    }

    @Test func unknownNameListsWhatExists() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        let e = #expect(throws: ZynqError.self) { _ = try UIODevice.find(name: "dma", sysfsRoot: "\(root)/sys") }
        #expect(e?.key == "dma")
        #expect(e?.description.contains("uio0=axi_dma, uio1=audio, uio2=zynqnet_accel") == true)
    }

    @Test func mapThatDoesNotCoverTheWindowIsRefused() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        let e = #expect(throws: ZynqError.self) {
            _ = try UIOBus(specs: [UIOWindowSpec(window: MemoryWindow(name: "accel", base: 0x43C0_0000, size: 0x10000), uioName: "zynqnet_accel")],
                           sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev")
        }
        #expect(e?.key == "accel")
        #expect(e?.description.contains("does not cover") == true)
    }

    @Test func missingUIOClassIsExplained() throws {
        let root = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(root) }
        let e = #expect(throws: ZynqError.self) { _ = try UIODevice.find(name: "x", sysfsRoot: root) }
        #expect(e?.description.contains("no UIO devices") == true)
    }

    @Test func badHexInSysfsNamesTheFile() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        try writeFile("\(root)/sys/class/uio/uio0/maps/map0/addr", "zz\n")
        let e = #expect(throws: ZynqError.self) { _ = try UIODevice.find(name: "axi_dma", sysfsRoot: "\(root)/sys") }
        #expect(e?.file == "\(root)/sys/class/uio/uio0/maps/map0/addr")
    }
}

@Suite struct UDmaBufTests {
    func fakeTree(classDir: String = "u-dma-buf") throws -> String {
        let root = try makeTemporaryDirectory("udmabuf").path
        let d = "\(root)/sys/class/\(classDir)/udmabuf0"
        try writeFile("\(d)/phys_addr", "0x1e900000\n")
        try writeFile("\(d)/size", "1048576\n")
        try writeFile("\(d)/sync_for_cpu", "")
        try writeFile("\(d)/sync_for_device", "")
        try writeFile("\(d)/sync_mode", "")
        try FileManager.default.createDirectory(atPath: "\(root)/dev", withIntermediateDirectories: true)
        try makeSparseFile("\(root)/dev/udmabuf0", size: 1_048_576)
        return root
    }

    @Test func readsSysfsAndOpensWriteCombinedByDefault() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        let sys = TracingSystem()
        let b = try UDmaBuffer(name: "udmabuf0", sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev", system: sys)
        #expect(b.physicalAddress == 0x1E90_0000)
        #expect(b.size == 1_048_576)
        // sync_mode 2 (O_SYNC means write-combine), set before the O_SYNC open.
        #expect(try readFile("\(root)/sys/class/u-dma-buf/udmabuf0/sync_mode") == "2")
        let mode = try #require(sys.calls.firstIndex { $0.hasPrefix("open \(root)/sys/class/u-dma-buf/udmabuf0/sync_mode") })
        let open = try #require(sys.calls.firstIndex(of: "open \(root)/dev/udmabuf0 O_SYNC"))
        #expect(mode < open)
        b.bytes.storeBytes(of: 0xDEAD_BEEF as UInt32, toByteOffset: 4096, as: UInt32.self)
        let writes = sys.calls.filter { $0.hasPrefix("write ") }.count
        try b.syncForDevice(offset: 0, length: 64, direction: .toDevice)
        // No cache maintenance: no sysfs writes around a transfer.
        #expect(sys.calls.filter { $0.hasPrefix("write ") }.count == writes)
        #expect(try readWord("\(root)/dev/udmabuf0", at: 4096) == 0xDEAD_BEEF)
    }

    @Test func uncachedModeAndAMissingSyncMode() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        try writeFile("\(root)/sys/class/u-dma-buf/udmabuf0/sync_mode", "")
        _ = try UDmaBuffer(name: "udmabuf0", mode: .uncached, sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev", system: TracingSystem())
        #expect(try readFile("\(root)/sys/class/u-dma-buf/udmabuf0/sync_mode") == "1")
        try FileManager.default.removeItem(atPath: "\(root)/sys/class/u-dma-buf/udmabuf0/sync_mode")
        let e = #expect(throws: ZynqError.self) { _ = try UDmaBuffer(name: "udmabuf0", sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev") }
        #expect(e?.file == "\(root)/sys/class/u-dma-buf/udmabuf0/sync_mode")
        // runtime.json spells the mode; a bad one is named.
        try writeFile("\(root)/rt.json", #"{"buffer_mode": "uncached"}"#)
        #expect(try BoardConfig.load(path: "\(root)/rt.json").buffer_mode == .uncached)
        try writeFile("\(root)/rt.json", #"{"buffer_cached": true}"#)
        #expect(try BoardConfig.load(path: "\(root)/rt.json").buffer_mode == .cached)
        #expect(BoardConfig().buffer_mode == .writeCombine)
        try writeFile("\(root)/rt.json", #"{"buffer_mode": "fast"}"#)
        let e2 = #expect(throws: ZynqError.self) { _ = try BoardConfig.load(path: "\(root)/rt.json") }
        #expect(e2?.description.contains("buffer_mode") == true)
    }

    @Test func cachedBufferWritesTheExtendedSyncForm() throws {
        let root = try fakeTree(classDir: "udmabuf")
        defer { removeTemporaryDirectory(root) }
        let sys = TracingSystem()
        let b = try UDmaBuffer(name: "udmabuf0", cached: true, sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev", system: sys)
        #expect(sys.calls.contains("open \(root)/dev/udmabuf0 "))
        // offset 100, length 1000 → cache lines 64..1152 → size 0x440, dir 1 << 2, bit 0.
        try b.syncForDevice(offset: 100, length: 1000, direction: .toDevice)
        #expect(try readFile("\(root)/sys/class/udmabuf/udmabuf0/sync_for_device") == "0x0000004000000445")
        // offset 4096, length 8 → 4096..4160 → size 0x40, dir 2 << 2, bit 0.
        try b.syncForCPU(offset: 4096, length: 8, direction: .fromDevice)
        #expect(try readFile("\(root)/sys/class/udmabuf/udmabuf0/sync_for_cpu") == "0x0000100000000049")
        #expect(throws: ZynqError.self) { try b.syncForCPU(offset: 1_048_570, length: 100, direction: .fromDevice) }
    }

    @Test func missingDeviceAndBadAttributesAreNamed() throws {
        let root = try fakeTree()
        defer { removeTemporaryDirectory(root) }
        let e1 = #expect(throws: ZynqError.self) { _ = try UDmaBuffer(name: "udmabuf3", sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev") }
        #expect(e1?.key == "udmabuf3")
        try writeFile("\(root)/sys/class/u-dma-buf/udmabuf0/size", "0x100000\n")
        let e2 = #expect(throws: ZynqError.self) { _ = try UDmaBuffer(name: "udmabuf0", sysfsRoot: "\(root)/sys", devRoot: "\(root)/dev") }
        #expect(e2?.file == "\(root)/sys/class/u-dma-buf/udmabuf0/size")
    }

    @Test func devMemRegionBufferMapsTheReservedRange() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        try makeSparseFile("\(dir)/mem", size: 0x1F10_0000)
        let sys = TracingSystem()
        do {
            let b = try DevMemDMABuffer(physicalAddress: 0x1F00_0000, size: 0x10000, devMemPath: "\(dir)/mem", system: sys)
            b.bytes.storeBytes(of: 0x0102_0304 as UInt32, toByteOffset: 8, as: UInt32.self)
        }
        #expect(try readWord("\(dir)/mem", at: 0x1F00_0008) == 0x0102_0304)
        #expect(sys.calls.contains("open \(dir)/mem O_SYNC"))
    }
}

@Suite struct DeviceLockTests {
    @Test func secondHolderInTheSameProcessIsRefused() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        var first: DeviceLock? = try DeviceLock(device: "loopback0", directory: dir)
        let e = #expect(throws: ZynqError.self) { _ = try DeviceLock(device: "loopback0", directory: dir) }
        #expect(e?.description.contains("in use by another zynqnet process (pid \(getpid()))") == true)
        _ = first
        first = nil
        _ = try DeviceLock(device: "loopback0", directory: dir)
        _ = try DeviceLock(device: "other", directory: dir)
    }

    @Test func anotherProcessHoldingTheLockIsRefused() throws {
        let dir = try makeTemporaryDirectory().path
        defer { removeTemporaryDirectory(dir) }
        let path = "\(dir)/zynqnet-board0.lock"
        // util-linux flock(1) holds the lock in a child process for a bounded time.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["-x", path, "-c", "echo ready > \(dir)/ready; sleep 1"]
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        var waited = 0
        while !FileManager.default.fileExists(atPath: "\(dir)/ready") && waited < 100 { usleep(20_000); waited += 1 }
        #expect(FileManager.default.fileExists(atPath: "\(dir)/ready"))
        let e = #expect(throws: ZynqError.self) { _ = try DeviceLock(device: "board0", directory: dir) }
        #expect(e?.file == path)
        #expect(e?.description.contains("in use by another zynqnet process") == true)
    }
}
