import ZynqNetBase
import ZynqNetModel
import ZynqNetRuntime

/// The AXI-Lite side of a loopback peripheral (the accelerator model, or a test's).
public protocol LoopbackPeripheral: AnyObject {
    func read(offset: UInt64) -> UInt32
    func write(offset: UInt64, value: UInt32)
}

/// An in-process stand-in for the board: the AXI DMA model, peripherals behind their
/// windows, and a fake physical memory, all behind `RegisterBus`. Faults are injected here
/// (register read-back corruption, write hooks) and in the models (`dma.inject…`).
public final class LoopbackDevice: RegisterBus {
    public let backendName = "loopback"
    public private(set) var windows: [MemoryWindow]
    public let memory: LoopbackMemory
    public let dma: AxiDmaModel
    var peripherals: [(any LoopbackPeripheral)?]
    /// Names the device for its lock file (`zynqnet-<id>.lock`).
    public let id: String
    let clock: any SystemCalls

    /// Reads of `address` return the value XOR `mask`, for the next `count` reads.
    public var readCorruptions: [UInt64: (mask: UInt32, count: Int)] = [:]
    /// Called after every register write (address, value) — e.g. to deliver a Ctrl-C flag
    /// at an exact point of a batch.
    public var afterWrite: ((UInt64, UInt32) -> Void)?
    public private(set) var readCount = 0
    public private(set) var writeCount = 0
    /// Time spent inside the device (register handling, DMA and peripheral models, the
    /// simulator), so benchmarks can subtract it from the driver's time.
    public private(set) var deviceNanoseconds: UInt64 = 0

    public init(id: String = "loopback0", dma dmaConfig: AxiDmaConfig, memory: LoopbackMemory = LoopbackMemory(),
                clock: any SystemCalls = LiveSystem()) {
        self.id = id
        self.memory = memory
        self.dma = AxiDmaModel(config: dmaConfig, memory: memory)
        self.windows = [dmaConfig.window]
        self.peripherals = [nil]
        self.clock = clock
    }

    /// Adds a peripheral behind `window`; `stream`, if given, is what the DMA talks to.
    public func attach(_ peripheral: any LoopbackPeripheral, window: MemoryWindow, stream: (any LoopbackStreamEndpoint)?) throws(ZynqError) {
        for w in windows where w.contains(window.base, length: 1) || window.contains(w.base, length: 1) {
            throw ZynqError(key: window.name, "window \(window) overlaps \(w)")
        }
        windows.append(window)
        peripherals.append(peripheral)
        if let stream { dma.stream = stream }
    }

    /// Connects the DMA's streams to `stream` (without a peripheral window).
    public func connect(stream: any LoopbackStreamEndpoint) { dma.stream = stream }

    public func read32(_ address: UInt64) throws(ZynqError) -> UInt32 {
        let (i, off) = try locate(address, in: windows, backend: backendName)
        let t0 = clock.monotonicNanoseconds()
        defer { deviceNanoseconds &+= clock.monotonicNanoseconds() &- t0 }
        readCount += 1
        var v: UInt32
        if i == 0 {
            dma.pump()
            v = dma.read(offset: off)
        } else {
            v = peripherals[i]?.read(offset: off) ?? 0
        }
        if !readCorruptions.isEmpty, let c = readCorruptions[address] {
            v ^= c.mask
            readCorruptions[address] = c.count > 1 ? (c.mask, c.count - 1) : nil
        }
        return v
    }

    public func write32(_ address: UInt64, _ value: UInt32) throws(ZynqError) {
        let (i, off) = try locate(address, in: windows, backend: backendName)
        let t0 = clock.monotonicNanoseconds()
        writeCount += 1
        if i == 0 {
            dma.write(offset: off, value: value)
        } else {
            peripherals[i]?.write(offset: off, value: value)
            dma.pump()
        }
        deviceNanoseconds &+= clock.monotonicNanoseconds() &- t0
        afterWrite?(address, value)
    }
}
