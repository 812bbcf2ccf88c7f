import Foundation

/// What a program did: its exit status and what it wrote.
public struct ToolOutput: Sendable {
    public var status: Int32
    public var stdout: String
    /// Empty when the run was `combined` (stderr then went into `stdout`).
    public var stderr: String
    /// stdout as bytes (for programs that write binary data).
    public var stdoutBytes: [UInt8]
    public init(status: Int32, stdout: [UInt8], stderr: String) {
        self.status = status
        self.stdout = String(decoding: stdout, as: UTF8.self)
        self.stderr = stderr
        stdoutBytes = stdout
    }
    public init(status: Int32, stdout: String, stderr: String) {
        self.init(status: status, stdout: Array(stdout.utf8), stderr: stderr)
    }
    /// stdout then stderr (for a `combined` run, the interleaved output).
    public var output: String { stdout + stderr }
    /// (status, output), for `let (status, log) = try runProcess(...).statusAndOutput`.
    public var statusAndOutput: (Int32, String) { (status, output) }
}

/// Runs a real program to its end: `tool` is a path, or a name searched in PATH (through
/// /usr/bin/env). Its output goes to files, so a large output can never block it; stdin is
/// /dev/null unless `stdin` names a file. `environment` adds to (or overrides) this process's;
/// with `inheritEnvironment: false` it is the whole environment.
/// `combined`: stderr goes into the same stream as stdout (in the order written).
public func runProcess(_ tool: String, _ args: [String], cwd: URL? = nil, environment: [String: String] = [:],
                       inheritEnvironment: Bool = true, stdin: URL? = nil, combined: Bool = false) throws -> ToolOutput {
    let p = Process()
    if tool.contains("/") {
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
    } else {
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
    }
    if let cwd { p.currentDirectoryURL = cwd }
    if !inheritEnvironment {
        p.environment = environment
    } else if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
    }
    let dir = try makeTemporaryDirectory("run")
    defer { removeTemporaryDirectory(dir) }
    let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    p.standardOutput = out
    p.standardError = combined ? out : err
    p.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try out.close()
    try err.close()
    return ToolOutput(status: p.terminationStatus,
                      stdout: [UInt8](try Data(contentsOf: outURL)),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// The built `zynqnet` executable and the fixtures of the command-line tests.
public enum CLI {
    public typealias Result = ToolOutput

    /// The `zynqnet` beside the test runner in the build directory (else .build/debug/zynqnet).
    public static var executable: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("zynqnet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repoRoot.appendingPathComponent(".build/debug/zynqnet")
    }

    /// The checkout's root as text.
    public static var packageRoot: String { repoRoot.path }

    public static func fixture(_ path: String) -> String { fixturePath(path) }

    /// Runs the built `zynqnet` with `args`; stdin is /dev/null.
    /// Runs `args` with zynqnet, or with another `program` (a copy of it, a tool built beside it).
    public static func run(_ args: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
                           program: URL? = nil) throws -> Result {
        try runProcess((program ?? executable).path, args, cwd: currentDirectory, environment: environment)
    }

    /// Runs another program and returns its standard output.
    public static func runTool(_ exe: String, _ args: [String]) throws -> String {
        try runProcess(exe, args).stdout
    }
}
