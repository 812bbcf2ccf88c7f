#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ZynqNetBase

/// How much memory a command may plan to allocate, so that an impossible size is a one-line
/// error naming the option before the work starts, never a failed allocation or an OOM kill.
public enum MemoryLimit {
    /// Overrides the limit (bytes), e.g. for tests.
    public static let environmentKey = "ZYNQNET_MEMORY_LIMIT"

    /// `$ZYNQNET_MEMORY_LIMIT` if set, else `MemAvailable` of /proc/meminfo (`MemTotal` if the
    /// kernel has no `MemAvailable`), else the physical memory.
    public static func available(environment: [String: String] = MemoryLimit.environment(),
                                 meminfo: String? = MemoryLimit.procMeminfo()) -> Int {
        if let s = environment[environmentKey], let v = Int(s.trimmed), v > 0 { return v }
        if let meminfo, let v = parseMeminfo(meminfo) { return v }
        return IOLimits.physicalMemory
    }

    /// Bytes of `MemAvailable` (else `MemTotal`) in /proc/meminfo's text; nil if neither is there.
    public static func parseMeminfo(_ text: String) -> Int? {
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            guard parts.count >= 2, let kb = Int(parts[1]) else { continue }
            fields[String(parts[0])] = kb.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kb * 1024
        }
        return fields["MemAvailable"] ?? fields["MemTotal"]
    }

    /// nil when `bytes` (nil: too many to count) fits in `limit`; else the one-line message naming
    /// `option`, e.g. "--batch 100000000: training needs about 31.3 GB, more than the 7.6 GB of memory available".
    public static func excess(_ bytes: Int?, option: String, value: String, what: String, limit: Int) -> String? {
        if let bytes, bytes <= limit { return nil }
        let need = bytes.map { "about " + gigabytes($0) } ?? "more memory than can be counted"
        return "\(option) \(value): \(what) needs \(need), more than the \(gigabytes(limit)) of memory available"
    }

    /// `v` bytes as GB with one decimal ("7.6 GB"), without Foundation's String(format:).
    static func gigabytes(_ v: Int) -> String {
        let tenths = Int((Double(v) / 1e8).rounded())
        return "\(tenths / 10).\(tenths % 10) GB"
    }

    /// `$ZYNQNET_MEMORY_LIMIT` as a one-entry environment (empty when unset).
    public static func environment() -> [String: String] {
        guard let v = getenv(environmentKey) else { return [:] }
        return [environmentKey: String(cString: v)]
    }

    /// The text of /proc/meminfo, nil where there is none (a /proc file has no size: read to EOF).
    public static func procMeminfo() -> String? {
        let fd = open("/proc/meminfo", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    public var trimmed: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
