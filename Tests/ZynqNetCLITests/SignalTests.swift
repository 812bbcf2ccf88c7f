import Foundation
import ZynqNetTestSupport
import Testing

/// Ctrl-C (SIGINT) and SIGTERM while a child runs (yosys, Verilator's build): zynqnet ends the
/// child's whole process group, removes its temporary folders and exits with 128 + signal.
/// Each test starts the built zynqnet, waits for its first child, signals zynqnet only (as a
/// terminal's Ctrl-C would reach zynqnet but not children in their own group), then checks.
@Suite("SIGINT/SIGTERM end children and temp files", .serialized)
struct SignalTests {
    /// One /proc entry.
    struct Proc { var pid: Int32; var ppid: Int32; var pgid: Int32; var state: String; var name: String }

    static func processes() -> [Proc] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { n -> Proc? in
            guard let pid = Int32(n), let stat = try? String(contentsOfFile: "/proc/\(n)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let f = stat[stat.index(after: close)...].split(separator: " ")
            guard f.count > 2, let ppid = Int32(f[1]), let pgid = Int32(f[2]) else { return nil }
            return Proc(pid: pid, ppid: ppid, pgid: pgid, state: String(f[0]),
                        name: String(stat[stat.index(after: open)..<close]))
        }
    }

    /// Live (not zombie) processes of group `pgid`.
    static func alive(group pgid: Int32) -> [Proc] { processes().filter { $0.pgid == pgid && $0.state != "Z" } }

    struct Outcome { var status: Int32; var signalled: Bool; var stderr: String; var childGroups: Set<Int32>; var childNames: [String] }

    /// Runs zynqnet with `args`, sends `signal` once a child whose name is in `children` runs,
    /// and waits (at most 60 s) for zynqnet to end.
    static func interrupt(_ args: [String], signal: Int32, children: Set<String>, environment: [String: String]) throws -> Outcome {
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-sig-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var groups: Set<Int32> = [], names: [String] = []
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && p.isRunning {
            let kids = processes().filter { $0.ppid == p.processIdentifier && children.contains($0.name) }
            if !kids.isEmpty {
                groups = Set(kids.map(\.pgid))
                names = kids.map(\.name)
                usleep(300_000)   // let the child start its own children
                break
            }
            usleep(20_000)
        }
        if p.isRunning { kill(p.processIdentifier, signal) }
        let end = Date().addingTimeInterval(60)
        while p.isRunning && Date() < end { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try err.close()
        return Outcome(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                       stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self),
                       childGroups: groups, childNames: names)
    }

    static func check(_ o: Outcome, status: Int32, signalName: String) {
        #expect(!o.childGroups.isEmpty, "no child was seen running: \(o.stderr)")
        #expect(!o.signalled, "zynqnet died by the signal instead of handling it")
        #expect(o.status == status, "stderr: \(o.stderr)")
        #expect(o.stderr.hasSuffix("error: interrupted by \(signalName)\n"), "stderr: \(o.stderr)")
        for g in o.childGroups {
            #expect(alive(group: g).isEmpty, "group \(g) (\(o.childNames)) still has \(alive(group: g).map(\.name))")
            // The child was in its own group, not zynqnet's.
            #expect(g != getpgrp())
        }
    }

    static func contents(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// A scratch folder with a cache folder (not created) and a TMPDIR (created) in it.
    static func scratch() throws -> (dir: URL, cache: URL, tmp: URL) {
        let dir = try makeTemporaryDirectory("cli")
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        return (dir, dir.appendingPathComponent("cache"), tmp)
    }

    @Test("report: SIGINT during yosys → 130, yosys gone, no scratch folder, report.json unchanged", .tags(.yosys))
    func reportSIGINT() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let design = dir.appendingPathComponent("build").path
        let g = try CLI.run(["codegen", CLI.fixture("real/pyrtlnet_quantized.npz"), "--board", "pynq-z2", "-o", design])
        #expect(g.status == 0, "\(g.stderr)")
        let before = Self.contents(URL(fileURLWithPath: design))
        let report = try Data(contentsOf: URL(fileURLWithPath: design + "/report.json"))
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        // An empty yosys cache of its own: a cached design would run no yosys to interrupt.
        let ycache = dir.appendingPathComponent("ycache")
        let o = try Self.interrupt(["report", design, "--jobs", "2"], signal: SIGINT, children: ["yosys"],
                                   environment: ["TMPDIR": tmp.path, "ZYNQNET_YOSYS_CACHE": ycache.path])
        Self.check(o, status: 130, signalName: "SIGINT")
        #expect(Self.contents(ycache).allSatisfy { !$0.hasPrefix(".tmp-") && $0.hasPrefix("m-") })
        #expect(Self.contents(URL(fileURLWithPath: design)) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: design + "/report.json")) == report)
        #expect(Self.contents(tmp) == [])
    }

    @Test("verify: SIGTERM during the Verilator build → 143, make/g++ gone, no build or temp folder", .tags(.verilator))
    func verifySIGTERM() throws {
        let (dir, cache, tmp) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = try Self.interrupt(["verify", CLI.packageRoot + "/examples/iris/model.npz", "--images", "2", "--quick-build",
                                    "--build-dir", cache.path],
                                   signal: SIGTERM, children: ["verilator"], environment: ["TMPDIR": tmp.path])
        Self.check(o, status: 143, signalName: "SIGTERM")
        #expect(Self.contents(cache) == [])
        #expect(Self.contents(tmp) == [])
    }

    @Test("infer --backend rtlsim: SIGINT during its build → 130, build gone, no temp folder", .tags(.verilator))
    func rtlsimSIGINT() throws {
        let (dir, cache, tmp) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = try Self.interrupt(["infer", CLI.packageRoot + "/examples/iris/test-30.npz", "--model", CLI.packageRoot + "/examples/iris/model.npz",
                                    "--backend", "rtlsim"],
                                   signal: SIGINT, children: ["verilator"],
                                   environment: ["TMPDIR": tmp.path, "ZYNQNET_RTLSIM_CACHE": cache.path, "ZYNQNET_RTLSIM_QUICK": "1"])
        Self.check(o, status: 130, signalName: "SIGINT")
        #expect(Self.contents(cache).filter { !$0.hasSuffix(".lock") } == [])
        #expect(Self.contents(tmp) == [])
    }
}
