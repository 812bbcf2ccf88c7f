/// The 16 states of the IEEE 1149.1 TAP controller.
public enum TAPState: Int, Sendable, CaseIterable, CustomStringConvertible {
    case testLogicReset, runTestIdle
    case selectDR, captureDR, shiftDR, exit1DR, pauseDR, exit2DR, updateDR
    case selectIR, captureIR, shiftIR, exit1IR, pauseIR, exit2IR, updateIR

    /// The state after one TCK with TMS = `tms`.
    public func next(tms: Bool) -> TAPState {
        TAPState.table[rawValue][tms ? 1 : 0]
    }

    // [TMS=0, TMS=1] per state, in declaration order.
    private static let table: [[TAPState]] = [
        [.runTestIdle, .testLogicReset],  // TLR
        [.runTestIdle, .selectDR],  // RTI
        [.captureDR, .selectIR],  // Select-DR
        [.shiftDR, .exit1DR],  // Capture-DR
        [.shiftDR, .exit1DR],  // Shift-DR
        [.pauseDR, .updateDR],  // Exit1-DR
        [.pauseDR, .exit2DR],  // Pause-DR
        [.shiftDR, .updateDR],  // Exit2-DR
        [.runTestIdle, .selectDR],  // Update-DR
        [.captureIR, .testLogicReset],  // Select-IR
        [.shiftIR, .exit1IR],  // Capture-IR
        [.shiftIR, .exit1IR],  // Shift-IR
        [.pauseIR, .updateIR],  // Exit1-IR
        [.pauseIR, .exit2IR],  // Pause-IR
        [.shiftIR, .updateIR],  // Exit2-IR
        [.runTestIdle, .selectDR],  // Update-IR
    ]

    /// The shortest TMS sequence from `self` to `target` (empty if equal).
    public func path(to target: TAPState) -> [Bool] {
        if self == target { return [] }
        var previous: [Int: (from: TAPState, tms: Bool)] = [:]
        var queue = [self]
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            for tms in [false, true] {
                let n = s.next(tms: tms)
                if n == self || previous[n.rawValue] != nil { continue }
                previous[n.rawValue] = (s, tms)
                if n == target {
                    var bits: [Bool] = []
                    var cur = n
                    while cur != self, let p = previous[cur.rawValue] {
                        bits.append(p.tms)
                        cur = p.from
                    }
                    return bits.reversed()
                }
                queue.append(n)
            }
        }
        return []  // unreachable: every state reaches every other
    }

    public var description: String {
        ["Test-Logic-Reset", "Run-Test/Idle", "Select-DR", "Capture-DR", "Shift-DR", "Exit1-DR", "Pause-DR",
         "Exit2-DR", "Update-DR", "Select-IR", "Capture-IR", "Shift-IR", "Exit1-IR", "Pause-IR", "Exit2-IR",
         "Update-IR"][rawValue]
    }
}

/// A string of bits, bit i at `bytes[i / 8] >> (i % 8)` (LSB first, the order TDI/TDO use).
public struct BitString: Sendable, Equatable, CustomStringConvertible {
    public private(set) var bytes: [UInt8]
    public private(set) var count: Int

    public init() {
        bytes = []
        count = 0
    }

    public init(bytes: [UInt8], count: Int) {
        precondition(count >= 0 && count <= bytes.count * 8)
        self.bytes = Array(bytes[0..<((count + 7) / 8)])
        self.count = count
        if count % 8 != 0 { self.bytes[self.bytes.count - 1] &= UInt8((1 << (count % 8)) - 1) }
    }

    /// The low `width` bits of `value`.
    public init(value: UInt64, width: Int) {
        self.init()
        for i in 0..<width { append(i < 64 && (value >> UInt64(i)) & 1 == 1) }
    }

    public init(repeating bit: Bool, count: Int) {
        bytes = [UInt8](repeating: bit ? 0xFF : 0, count: (count + 7) / 8)
        self.count = count
        if bit, count % 8 != 0 { bytes[bytes.count - 1] = UInt8((1 << (count % 8)) - 1) }
    }

    public subscript(i: Int) -> Bool {
        (bytes[i >> 3] >> UInt8(i & 7)) & 1 == 1
    }

    public mutating func append(_ bit: Bool) {
        if count % 8 == 0 { bytes.append(0) }
        if bit { bytes[count >> 3] |= 1 << UInt8(count & 7) }
        count += 1
    }

    public mutating func append(_ other: BitString) {
        if count % 8 == 0 {
            bytes += other.bytes
            count += other.count
            return
        }
        for i in 0..<other.count { append(other[i]) }
    }

    /// Bits `range` as a new string.
    public func slice(_ range: Range<Int>) -> BitString {
        var s = BitString()
        for i in range { s.append(self[i]) }
        return s
    }

    /// The first (up to) 64 bits as an integer, bit 0 first.
    public var value: UInt64 {
        var v: UInt64 = 0
        for i in 0..<min(count, 64) where self[i] { v |= 1 << UInt64(i) }
        return v
    }

    public var description: String { (0..<count).map { self[$0] ? "1" : "0" }.joined() }
}
