import Foundation
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the rtlsim library of a design is built.
public struct RTLSimBuildOptions: Sendable, Equatable {
    /// Where builds are cached, one directory per key (design RTL, rtlsim sources, tools, flags).
    public var cacheRoot: URL
    /// Full C++ optimization (-O3, the simulation runs fastest) or a quicker build (-O1, tests).
    /// The default is `ZYNQNET_RTLSIM_QUICK=1` ? quick : full.
    public var optimize: Bool
    /// Compile in FST tracing (`--trace-fst`; a separate build, a little slower to run).
    public var trace: Bool
    /// The C++ compiler; nil picks clang++ when it is on PATH (its code simulates this design
    /// about twice as fast as g++'s), else g++. `ZYNQNET_RTLSIM_CXX` overrides.
    public var compiler: String?
    /// Tune the C++ for this machine's CPU (-march=native; the CPU is part of the cache key).
    public var nativeCPU: Bool

    public init(cacheRoot: URL = RTLSimBuild.defaultCacheRoot(),
                optimize: Bool = ProcessInfo.processInfo.environment["ZYNQNET_RTLSIM_QUICK"] != "1", trace: Bool = false,
                compiler: String? = nil, nativeCPU: Bool = true) {
        self.cacheRoot = cacheRoot
        self.optimize = optimize
        self.trace = trace
        self.compiler = compiler
        self.nativeCPU = nativeCPU
    }
}

/// Builds (or finds in the cache) the shared library that simulates a generated design:
/// Verilator's C++ model of `zynqnet_accel` plus `fpga/sim/rtlsim/rtlsim.cpp`.
public enum RTLSimBuild {
    /// `$ZYNQNET_RTLSIM_CACHE`, else `$ZYNQNET_CACHE/rtlsim`, else `~/.cache/zynqnet/rtlsim`.
    public static func defaultCacheRoot() -> URL {
        let env = ProcessInfo.processInfo.environment
        if let d = env["ZYNQNET_RTLSIM_CACHE"], !d.isEmpty { return URL(fileURLWithPath: d) }
        if let d = env["ZYNQNET_CACHE"], !d.isEmpty { return URL(fileURLWithPath: d).appendingPathComponent("rtlsim") }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/zynqnet/rtlsim")
    }

    /// The outcome of `build`.
    public struct Product: Sendable {
        public var library: URL
        public var key: String
        /// Whether the cache already held it.
        public var reused: Bool
        /// Wall time of this call.
        public var seconds: Double
    }

    static let libraryName = "librtlsim.so"

    /// Verilator options (the `-O3` here is Verilator's own optimizer).
    static func verilatorFlags(trace: Bool) -> [String] {
        var f = ["--cc", "--exe", "--build", "-O3", "--x-assign", "fast", "--x-initial", "unique", "--timescale", "1ns/1ps",
                 "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "zynqnet_accel"]
        if trace { f.append("--trace-fst") }
        return f
    }

    static func compilerFlags(_ o: RTLSimBuildOptions, tools: Tools) -> (cflags: String, ldflags: String, make: String) {
        // Only the C ABI of rtlsim.cpp is exported; every library carries its own Verilator
        // runtime and model of the same class name, so nothing else may be visible.
        var cflags = "-fPIC -fvisibility=hidden"
        if o.nativeCPU && tools.nativeOK { cflags += " -march=native" }
        var ldflags = "-shared"
        #if os(Linux)
        ldflags += " -Wl,--exclude-libs,ALL -Wl,-Bsymbolic"
        #endif
        let fast = o.optimize ? "-O3" : "-O1"
        let make = "-j2 OPT_FAST=\(fast) OPT_SLOW=-O1 OPT_GLOBAL=-O2 CXX=\(tools.cxx) LINK=\(tools.cxx)"
        return (cflags, ldflags, make)
    }

    /// The tools a build uses and what identifies them in the cache key.
    struct Tools {
        var verilator: String
        var cxx: String
        var identity: String
        /// -march=native is understood (x86-64, AArch64, ARM with a recent compiler).
        var nativeOK: Bool
    }

    nonisolated(unsafe) static var toolCache: [String: Tools] = [:]
    static let lock = NSLock()

    static func tools(_ o: RTLSimBuildOptions) throws -> Tools {
        let env = ProcessInfo.processInfo.environment
        let wanted = env["ZYNQNET_RTLSIM_CXX"].flatMap { $0.isEmpty ? nil : $0 } ?? o.compiler
        lock.lock()
        defer { lock.unlock() }
        if let t = toolCache[wanted ?? ""] { return t }
        let vv = try runTool("verilator", ["--version"])
        guard vv.status == 0 else {
            throw ZynqError(key: "verilator", "is not installed or does not run (needed for --backend rtlsim; apt-get install verilator)")
        }
        var cxx = wanted ?? ""
        if cxx.isEmpty {
            cxx = findOnPath("clang++") ?? findOnPath("g++") ?? "g++"
        } else if !cxx.contains("/") {
            cxx = findOnPath(cxx) ?? cxx
        }
        let cv = try runTool(cxx, ["--version"])
        guard cv.status == 0 else { throw ZynqError(key: "ZYNQNET_RTLSIM_CXX", "the C++ compiler '\(cxx)' does not run") }
        var identity = vv.output.trimmingCharacters(in: .whitespacesAndNewlines) + "|" + cxx + "|" +
            (cv.output.split(separator: "\n").first.map(String.init) ?? "")
        // -march=native code runs only on this kind of CPU: key the cache by it.
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .filter { $0.hasPrefix("model name") || $0.hasPrefix("flags") || $0.hasPrefix("Features") || $0.hasPrefix("CPU part") }
            .prefix(4).joined(separator: "|") ?? "unknown-cpu"
        identity += "|" + cpu
        let t = Tools(verilator: "verilator", cxx: cxx, identity: identity, nativeOK: true)
        toolCache[wanted ?? ""] = t
        return t
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The cache key: FNV-1a 64 over the design's RTL, the rtlsim sources, the tools and flags.
    static func key(_ design: GeneratedDesign, _ o: RTLSimBuildOptions, _ tools: Tools) -> String {
        let f = compilerFlags(o, tools: tools)
        var text = "rtlsim-1\n" + hex64(design.rtlHash) + "\n" + tools.identity + "\n"
        text += verilatorFlags(trace: o.trace).joined(separator: " ") + "\n" + f.cflags + "\n" + f.ldflags + "\n" + f.make + "\n"
        var bytes = Array(text.utf8)
        for (n, t) in EmbeddedRTLSim.sources { bytes += Array(n.utf8) + [0] + Array(t.utf8) + [0] }
        return hex64(fnv1a64(bytes))
    }

    /// Builds the library for `design`, or returns the cached one. Concurrent builds of the same
    /// key (threads or processes) wait for each other; a build lands in the cache by rename.
    public static func build(_ design: GeneratedDesign, options o: RTLSimBuildOptions,
                             log: ((String) -> Void)? = nil) throws -> Product {
        let t0 = Date()
        let tools = try tools(o)
        let key = key(design, o, tools)
        let fm = FileManager.default
        let dir = o.cacheRoot.appendingPathComponent(key)
        let lib = dir.appendingPathComponent(libraryName)
        if fm.fileExists(atPath: lib.path) {
            return Product(library: lib, key: key, reused: true, seconds: Date().timeIntervalSince(t0))
        }
        do {
            try fm.createDirectory(at: o.cacheRoot, withIntermediateDirectories: true)
        } catch {
            throw ZynqError(file: o.cacheRoot.path, "cannot create the rtlsim cache directory: \(FileProblem.reason(error))")
        }
        let lock = try BuildLock(path: o.cacheRoot.appendingPathComponent(".\(key).lock").path)
        defer { lock.release() }
        if fm.fileExists(atPath: lib.path) {
            return Product(library: lib, key: key, reused: true, seconds: Date().timeIntervalSince(t0))
        }
        log?("rtlsim: building the Verilator model of the design (\(o.optimize ? "optimized" : "quick")\(o.trace ? ", FST tracing" : "")) in \(dir.path)")
        let tmp = o.cacheRoot.appendingPathComponent(".build-\(key)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: tmp.appendingPathComponent("src"), withIntermediateDirectories: true)
        Termination.removeOnExit(tmp.path)
        defer {
            try? fm.removeItem(at: tmp)
            Termination.forget(tmp.path)
        }
        var sources: [String] = []
        for p in design.rtlFiles {
            let name = (p as NSString).lastPathComponent
            try design.files[p]!.write(to: tmp.appendingPathComponent("src/" + name), atomically: false, encoding: .utf8)
            if name.hasSuffix(".v") { sources.append("src/" + name) }
        }
        for (n, t) in EmbeddedRTLSim.sources {
            try t.write(to: tmp.appendingPathComponent("src/" + n), atomically: false, encoding: .utf8)
            if n.hasSuffix(".cpp") { sources.append("src/" + n) }
        }
        let f = compilerFlags(o, tools: tools)
        let args = verilatorFlags(trace: o.trace) + ["-Isrc", "--Mdir", "obj", "-o", libraryName,
                                                     "-CFLAGS", f.cflags, "-LDFLAGS", f.ldflags, "-MAKEFLAGS", f.make] + sources
        var env = ProcessInfo.processInfo.environment
        if env["OBJCACHE"] == nil, let ccache = findOnPath("ccache") { env["OBJCACHE"] = ccache }
        let r = try runTool(tools.verilator, args, cwd: tmp, environment: env)
        try? r.output.write(to: tmp.appendingPathComponent("build.log"), atomically: false, encoding: .utf8)
        let built = tmp.appendingPathComponent("obj/" + libraryName)
        guard r.status == 0, fm.fileExists(atPath: built.path) else {
            let tail = r.output.split(separator: "\n").suffix(12).joined(separator: "\n")
            throw ZynqError(key: "verilator", "the rtlsim build failed (\(tools.cxx)):\n\(tail)")
        }
        // Keep the library, the sources and the log; the objects are in ccache.
        try fm.moveItem(at: built, to: tmp.appendingPathComponent(libraryName))
        try? fm.removeItem(at: tmp.appendingPathComponent("obj"))
        try? design.files["design.json"]?.write(to: tmp.appendingPathComponent("design.json"), atomically: false, encoding: .utf8)
        if fm.fileExists(atPath: dir.path) { try? fm.removeItem(at: dir) }
        try fm.moveItem(at: tmp, to: dir)
        return Product(library: lib, key: key, reused: false, seconds: Date().timeIntervalSince(t0))
    }
}

/// An exclusive lock file (flock) held while a key is being built; threads of this process
/// are serialized by a mutex as well (flock is per open file, not per thread).
final class BuildLock {
    let fd: Int32
    static let processLock = NSLock()

    init(path: String) throws {
        BuildLock.processLock.lock()
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            BuildLock.processLock.unlock()
            throw ZynqError(file: path, "cannot create the build lock: \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                let e = String(cString: strerror(errno))
                close(fd)
                BuildLock.processLock.unlock()
                throw ZynqError(file: path, "cannot lock: \(e)")
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
        BuildLock.processLock.unlock()
    }
}
