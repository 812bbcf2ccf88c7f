import Foundation
import ZynqNetBase

/// How much memory a command may plan to allocate, so that an impossible size is a one-line
/// error naming the option before the work starts, never a failed allocation or an OOM kill.
public enum MemoryLimit {
    /// Overrides the limit (bytes), e.g. for tests.
    public static let environmentKey = "ZYNQNET_MEMORY_LIMIT"

    /// `$ZYNQNET_MEMORY_LIMIT` if set, else `MemAvailable` of /proc/meminfo (`MemTotal` if the
    /// kernel has no `MemAvailable`), else the physical memory.
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 meminfo: String? = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) -> Int {
        if let s = environment[environmentKey], let v = Int(s.trimmingCharacters(in: .whitespaces)), v > 0 { return v }
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

    static func gigabytes(_ v: Int) -> String {
        String(format: "%.1f GB", Double(v) / 1e9)
    }
}
