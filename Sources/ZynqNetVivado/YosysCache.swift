import Foundation
import ZynqNetBase
import ZynqNetBit

/// zynqnet's cache of yosys results (`zynqnet report`): one JSON file a key, in a directory of
/// zynqnet's own. Two kinds of entry:
/// - a module's cells after `synth_xilinx` (the hierarchical-parallel flow synthesizes each
///   unique module with the others as blackboxes), keyed by SHA-256 of the yosys version, the
///   exact yosys scripts of the flow (`SynthesisReport.flowScripts`), the module's elaborated
///   RTLIL and that of every module it instantiates (their ports are what the blackboxes keep);
/// - a whole design's result, keyed by the yosys version, the flow's name and exact scripts, the
///   top and every RTL and include file's name and text: a hit runs no yosys at all.
/// An entry written by a zynqnet whose flow ran other scripts is never reused.
/// Nothing is ever deleted; a file is written only where none is or where one of zynqnet's own
/// entries is (an unreadable file at a key's path is a miss and stays as it is).
public struct YosysCache: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    /// `$ZYNQNET_YOSYS_CACHE`, else `$ZYNQNET_CACHE/yosys`, else `~/.cache/zynqnet/yosys`.
    public static func defaultRoot(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = env["ZYNQNET_YOSYS_CACHE"], !d.isEmpty { return d }
        if let d = env["ZYNQNET_CACHE"], !d.isEmpty { return d + "/yosys" }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        return home + "/.cache/zynqnet/yosys"
    }

    static let format = "zynqnet-yosys-cache-1"

    /// SHA-256 (hex) of the parts, each preceded by its length (no two lists of parts share a text).
    static func key(_ parts: [String]) -> String {
        var bytes = Array(format.utf8)
        for p in parts {
            let b = Array(p.utf8)
            bytes += Array("\n\(b.count)\n".utf8) + b
        }
        return SHA256.hex(bytes)   // the digest of `bytes`, in hex
    }

    struct Entry: Codable {
        var format: String
        var kind: String
        /// A module entry: the module's name (as `stat` prints it) and its cells.
        var module: String?
        var cells: [String: UInt64]?
        /// A design entry: every module's cells, the top's instances (name, module), the totals.
        var modules: [String: [String: UInt64]]?
        var instances: [[String]]?
        var totals: [String: UInt64]?
    }

    func path(_ kind: String, _ key: String) -> String { root + "/\(kind)-\(key).json" }

    /// The entry at a key, or nil (none, unreadable, another format or kind: a miss).
    func load(_ kind: String, _ key: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(kind, key)),
              let e = try? JSONDecoder().decode(Entry.self, from: data), e.format == YosysCache.format, e.kind == kind else { return nil }
        return e
    }

    /// Writes an entry (atomically, by rename) unless a file that is not one of zynqnet's
    /// entries is at its path. Failures are not errors: the cache is only an accelerator.
    func store(_ e: Entry, _ key: String) {
        let p = path(e.kind, key)
        let fm = FileManager.default
        if fm.fileExists(atPath: p), load(e.kind, key) == nil { return }
        guard (try? fm.createDirectory(atPath: root, withIntermediateDirectories: true)) != nil else { return }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        guard let data = try? enc.encode(e) else { return }
        let tmp = root + "/.tmp-\(e.kind)-\(key)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard fm.createFile(atPath: tmp, contents: data) else { return }
        if rename(tmp, p) != 0 { unlink(tmp) }
    }

    func module(_ key: String) -> [String: UInt64]? { load("m", key)?.cells }

    func storeModule(_ name: String, cells: [String: UInt64], key: String) {
        store(Entry(format: YosysCache.format, kind: "m", module: name, cells: cells), key)
    }

    func design(_ key: String) -> (modules: [String: [String: UInt64]], instances: [(name: String, module: String)], totals: [String: UInt64])? {
        guard let e = load("d", key), let m = e.modules, let i = e.instances, let t = e.totals,
              i.allSatisfy({ $0.count == 2 }) else { return nil }
        return (m, i.map { ($0[0], $0[1]) }, t)
    }

    func storeDesign(modules: [String: [String: UInt64]], instances: [(name: String, module: String)], totals: [String: UInt64], key: String) {
        store(Entry(format: YosysCache.format, kind: "d", modules: modules, instances: instances.map { [$0.name, $0.module] }, totals: totals), key)
    }
}

/// The modules of an RTLIL text (`write_rtlil`): each module's text (its attribute lines, the
/// `module` line through its `end`) and the modules it instantiates.
enum RTLILModules {
    /// A module's text for a cache key: yosys numbers the names it makes up ("$add$f.v:68$5504_Y",
    /// "$proc$f.v:56$4981") from one counter for the whole design, so the same module elaborated
    /// in another design has other numbers. Each such number (`$` + digits, not followed by a
    /// letter, digit or backslash: not a parameter hash) becomes its rank of first appearance.
    static func canonical(_ text: String) -> String {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var ranks: [ArraySlice<UInt8>: Int] = [:]
        func isWord(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5C
        }
        var i = 0
        while i < b.count {
            out.append(b[i])
            guard b[i] == 0x24 else { i += 1; continue }   // "$"
            var j = i + 1
            while j < b.count, b[j] >= 0x30, b[j] <= 0x39 { j += 1 }
            if j > i + 1, j == b.count || !isWord(b[j]) {
                let n = b[(i + 1)..<j]
                let r = ranks[n] ?? ranks.count
                ranks[n] = r
                out += Array("#\(r)".utf8)
                i = j
            } else {
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func split(_ text: String) -> [String: (text: String, children: Set<String>)] {
        var out: [String: (text: String, children: Set<String>)] = [:]
        var pending: [Substring] = []   // attribute lines before a module
        var current: (name: String, lines: [Substring], cells: Set<String>)? = nil
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current != nil {
                // In place (a copy of `current` would copy its lines at every line).
                current!.lines.append(raw)
                if raw.hasPrefix("  cell ") {
                    let parts = raw.split(separator: " ")
                    if parts.count == 3 { current!.cells.insert(RTLILWeights.unescaped(String(parts[1]))) }
                }
                if raw == "end" {
                    out[current!.name] = (current!.lines.joined(separator: "\n"), current!.cells)
                    current = nil
                }
            } else if raw.hasPrefix("module ") {
                let name = RTLILWeights.unescaped(String(raw.dropFirst(7)).trimmingCharacters(in: .whitespaces))
                current = (name, pending + [raw], [])
                pending = []
            } else if raw.hasPrefix("attribute ") {
                pending.append(raw)
            } else {
                pending = []
            }
        }
        let names = Set(out.keys)
        return out.mapValues { ($0.text, $0.children.intersection(names)) }
    }
}
