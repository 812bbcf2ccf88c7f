import Foundation

/// `report.json` as `zynqnet codegen` writes it: the resource model's estimate (not synthesis),
/// with the design's II, latency and throughput. `zynqnet report DIR` replaces it with yosys
/// numbers (`ResourceReport`); both carry the same keys (`lut`, `ff`, `dsp`, `bram36`,
/// `ii_cycles`, `latency_cycles`, `fclk_mhz`, `images_per_second`, …) and say which they are
/// in `source` ("estimate" or "yosys").
public struct EstimateReport: Encodable, Sendable, Equatable {
    public var top: String
    public var rtlFiles: [String]
    public var lut: UInt64
    public var ff: UInt64
    public var dsp: UInt64
    /// RAMB36 equivalents.
    public var bram36: Double
    public var fclkMHz: Double
    public var iiCycles: UInt64
    public var latencyCycles: UInt64
    public var inputRecordBytes: UInt64
    public var outputRecordBytes: UInt64

    public init(top: String = "zynqnet_accel", rtlFiles: [String], lut: UInt64, ff: UInt64, dsp: UInt64, bram36: Double,
                fclkMHz: Double, iiCycles: UInt64, latencyCycles: UInt64, inputRecordBytes: UInt64, outputRecordBytes: UInt64) {
        self.top = top
        self.rtlFiles = rtlFiles
        self.lut = lut
        self.ff = ff
        self.dsp = dsp
        self.bram36 = bram36
        self.fclkMHz = fclkMHz
        self.iiCycles = iiCycles
        self.latencyCycles = latencyCycles
        self.inputRecordBytes = inputRecordBytes
        self.outputRecordBytes = outputRecordBytes
    }

    public var imagesPerSecond: Double { iiCycles > 0 ? fclkMHz * 1e6 / Double(iiCycles) : 0 }
    /// MB/s (10^6 bytes) the input stream needs at `imagesPerSecond`.
    public var inputMBPerSecond: Double { imagesPerSecond * Double(inputRecordBytes) / 1e6 }
    public var outputMBPerSecond: Double { imagesPerSecond * Double(outputRecordBytes) / 1e6 }
    /// A 64-bit stream at fclk moves 8 bytes a cycle.
    public var streamCapMBPerSecond: Double { fclkMHz * 8 }

    /// Percent of the xc7z020 (two decimals).
    public var utilization: [String: Double] {
        let b = Resources.xc7z020
        func pct(_ used: Double, _ total: Double) -> Double { (used / total * 10000).rounded() / 100 }
        return ["lut": pct(Double(lut), Double(b.lut)), "ff": pct(Double(ff), Double(b.ff)),
                "dsp": pct(Double(dsp), Double(b.dsp)), "bram36": pct(bram36, b.bram36)]
    }

    enum Keys: String, CodingKey {
        case source, top, rtl_files, lut, ff, dsp, bram36, budget, utilization
        case fclk_mhz, ii_cycles, latency_cycles, images_per_second
        case input_mb_per_s, output_mb_per_s, stream_cap_mb_per_s, input_record_bytes, output_record_bytes
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let b = Resources.xc7z020
        try c.encode("estimate", forKey: .source)
        try c.encode(top, forKey: .top)
        try c.encode(rtlFiles, forKey: .rtl_files)
        try c.encode(lut, forKey: .lut)
        try c.encode(ff, forKey: .ff)
        try c.encode(dsp, forKey: .dsp)
        try c.encode(bram36, forKey: .bram36)
        try c.encode(["lut": Double(b.lut), "ff": Double(b.ff), "dsp": Double(b.dsp), "bram36": b.bram36], forKey: .budget)
        try c.encode(utilization, forKey: .utilization)
        try c.encode(fclkMHz, forKey: .fclk_mhz)
        try c.encode(iiCycles, forKey: .ii_cycles)
        try c.encode(latencyCycles, forKey: .latency_cycles)
        try c.encode(imagesPerSecond, forKey: .images_per_second)
        try c.encode(inputMBPerSecond, forKey: .input_mb_per_s)
        try c.encode(outputMBPerSecond, forKey: .output_mb_per_s)
        try c.encode(streamCapMBPerSecond, forKey: .stream_cap_mb_per_s)
        try c.encode(inputRecordBytes, forKey: .input_record_bytes)
        try c.encode(outputRecordBytes, forKey: .output_record_bytes)
    }

    public func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try enc.encode(self)
        d.append(0x0A)
        return d
    }

    /// Writes `dir/report.json` (temporary file + rename).
    public func write(to dir: String) throws {
        try AtomicFile.write(try json(), to: dir + "/report.json")
    }
}
