#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

// Reading `manifest.json` with JSONDecoder: host only until the board build has the project's
// own JSON reader (the RuntimeManifest type itself is in RuntimeManifest.swift, in both builds).
extension RuntimeManifest {
    /// Reads and checks `manifest.json`.
    public static func load(path: String, system: any SystemCalls = LiveSystem()) throws -> RuntimeManifest {
        let bytes = try system.readBytes(path, limit: 1 << 22)
        return try parse(bytes, file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> RuntimeManifest {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ZynqError(file: file, "not valid JSON")
        }
        guard case .object(let dict) = root else { throw ZynqError(file: file, "expected a JSON object") }
        return try parse(dict, file: file)
    }

    static func parse(_ root: [String: JSONValue], file: String) throws -> RuntimeManifest {
        var m = RuntimeManifest()
        // Nested objects some writers use ("dma": {"base": ...}) are flattened to "dma_base".
        var flat: [String: JSONValue] = [:]
        for (k, v) in root {
            if case .object(let sub) = v {
                for (k2, v2) in sub { flat["\(k)_\(k2)"] = v2 }
            }
            flat[k] = v
        }
        func value(_ keys: [String]) -> (String, JSONValue)? {
            for k in keys { if let v = flat[k], v != .null { return (k, v) } }
            return nil
        }
        func integer(_ keys: [String], max: UInt64 = UInt64.max) throws -> UInt64? {
            guard let (k, v) = value(keys) else { return nil }
            var out: UInt64?
            switch v {
            case .string(let s): out = s.hasPrefix("0x") || s.hasPrefix("0X") ? parseHex(s) : parseDecimal(s)
            case .unsigned(let u): out = u
            default: out = nil
            }
            guard let r = out, r <= max else { throw ZynqError(file: file, key: k, "expected an unsigned integer (or a 0x hex string) up to \(max), got \(v)") }
            return r
        }
        func number(_ keys: [String]) throws -> Double? {
            guard let (k, v) = value(keys) else { return nil }
            switch v {
            case .unsigned(let u) where u > 0: return Double(u)
            case .number(let d) where d.isFinite && d > 0: return d
            case .string(let s): if let d = Double(s), d.isFinite, d > 0 { return d }
            default: break
            }
            throw ZynqError(file: file, key: k, "expected a positive number, got \(v)")
        }
        func string(_ keys: [String]) throws -> String? {
            guard let (k, v) = value(keys) else { return nil }
            guard case .string(let s) = v else { throw ZynqError(file: file, key: k, "expected a string") }
            return s
        }
        m.board = try string(["board", "board_name"])
        m.part = try string(["part"]) ?? m.part
        m.bitstream = try string(["files_bitstream", "bitstream", "bit", "bitstream_file"])
        m.dmaBase = try integer(["dma_base_address", "dma_base", "dma_address", "axi_dma_base"]) ?? m.dmaBase
        m.dmaRange = try integer(["dma_range", "dma_size"]) ?? m.dmaRange
        m.acceleratorBase = try integer(["accelerator_base_address", "accelerator_base", "acc_base", "accel_base", "axil_base"]) ?? m.acceleratorBase
        if let aw = try integer(["accelerator_axil_addr_width", "axil_addr_width", "accelerator_addr_width"], max: 30) { m.axilAddressWidth = Int(aw) }
        if let lw = try integer(["dma_length_width", "c_sg_length_width"], max: 64) { m.dmaLengthWidth = Int(lw) }
        if let dw = try integer(["dma_mm_data_width", "dma_data_width"], max: 1024) { m.dmaDataWidth = Int(dw) }
        if let aw = try integer(["dma_addr_width", "dma_address_width"], max: 64) { m.dmaAddressWidth = Int(aw) }
        m.fclkMHz = try number(["fclk_expected_mhz", "fclk_mhz", "fclk0_mhz"]) ?? m.fclkMHz
        m.psRefClockMHz = try number(["ps_ref_clock_mhz", "ps_clk_mhz"])
        m.topologyHash = try integer(["topology_hash"])
        if let n = try integer(["records_max_batch_images", "max_batch_images"], max: 1 << 30) { m.maxBatchImages = Int(n) }
        if let n = try integer(["records_input_bytes"], max: 1 << 30) { m.inputRecordBytes = Int(n) }
        if let n = try integer(["records_output_bytes"], max: 1 << 30) { m.outputRecordBytes = Int(n) }
        if let e = try string(["engine"]) {
            guard let en = Engine(rawValue: e) else {
                throw ZynqError(file: file, key: "engine", "must be \"dataflow\" or \"sequential\", got \"\(e)\"")
            }
            m.engine = en
        }
        do throws(ZynqError) {
            try m.dmaConfig.validate()
        } catch { let e = error
            throw e.inFile(file)
        }
        guard (12...30).contains(m.axilAddressWidth) else {
            throw ZynqError(file: file, key: "axil_addr_width", "must be 12...30, got \(m.axilAddressWidth)")
        }
        guard m.dmaRange >= 0x1000 else { throw ZynqError(file: file, key: "dma_range", "must be at least 0x1000") }
        guard m.fclkMHz <= 500 else { throw ZynqError(file: file, key: "fclk_mhz", "\(m.fclkMHz) MHz is not a Zynq-7000 PL clock") }
        return m
    }
}

/// A JSON value, decoded with `JSONDecoder` (FoundationEssentials has it; it lacks
/// JSONSerialization). Non-negative integers keep all 64 bits.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let u = try? c.decode(UInt64.self) { self = .unsigned(u) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .unsigned(let u): "\(u)"
        case .number(let d): "\(d)"
        case .string(let s): "\"\(s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
