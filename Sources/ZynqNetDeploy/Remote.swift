import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetModel

/// `ssh://user@host[:port]`.
public struct SSHTarget: Sendable, Equatable {
    public var user: String
    public var host: String
    public var port: UInt16?

    public init(user: String, host: String, port: UInt16?) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses the `--via ssh://…` value. Only plain user and host names are accepted, so no
    /// part can be read as an ssh option or need quoting.
    public static func parse(_ s: String) -> SSHTarget? {
        guard s.hasPrefix("ssh://") else { return nil }
        var rest = Substring(s.dropFirst(6))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let at = rest.firstIndex(of: "@") else { return nil }
        let user = String(rest[..<at])
        var hostPort = rest[rest.index(after: at)...]
        var port: UInt16?
        if let colon = hostPort.lastIndex(of: ":") {
            guard let p = UInt16(hostPort[hostPort.index(after: colon)...]), p > 0 else { return nil }
            port = p
            hostPort = hostPort[..<colon]
        }
        let host = String(hostPort)
        func ok(_ t: String, _ extra: String) -> Bool {
            !t.isEmpty && !t.hasPrefix("-") && t.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || extra.unicodeScalars.contains($0)) }
        }
        guard ok(user, "._-"), ok(host, ".-") else { return nil }
        return SSHTarget(user: user, host: host, port: port)
    }

    public var destination: String { "\(user)@\(host)" }
    public var url: String { "ssh://\(destination)" + (port.map { ":\($0)" } ?? "") }
}

/// The exact commands of an ssh deploy, as argv arrays (run without a local shell).
public struct RemotePlan: Sendable, Equatable {
    public var target: SSHTarget
    /// The bundle on this machine.
    public var localBundle: String
    /// Directory on the board that receives the bundle directory (relative to the remote home).
    public var remoteParent: String
    /// The zynqnet executable on the board.
    public var remoteZynqnet: String
    /// Prefix the board-side commands with `sudo -n` (fpga_manager and /dev/mem need root).
    public var sudo: Bool
    public var selftest: Bool
    /// Where the board's self-test outputs are copied back to.
    public var localResult: String
    /// The DMA buffer the design needs (doctor's u-dma-buf check), if known.
    public var bufferBytes: UInt64?
    /// The PL is programmed over JTAG between `preSteps` and `postSteps`; the board then only
    /// finishes it (`zynqnet load --pl-configured`: FCLK0, PL reset pulse, PS state, probe).
    public var plConfiguredOverJTAG = false
    /// The bundle's runtime.json buffer (u-dma-buf name or devmem:BASE:SIZE) for doctor, if any.
    public var buffer: String?
    /// `--via ssh`: the local `zynqnet-board` (`BoardBinary.locate`) that is copied to the board
    /// and runs there (doctor, load, selftest) instead of a `zynqnet` installed on it. The board
    /// must say `armv7l` to `uname -m` first. nil: the board's own `remoteZynqnet` (JTAG finish).
    public var boardBinary: String?

    public init(target: SSHTarget, localBundle: String, remoteParent: String, remoteZynqnet: String, sudo: Bool, selftest: Bool, localResult: String,
                bufferBytes: UInt64? = nil) {
        self.bufferBytes = bufferBytes
        self.target = target
        self.localBundle = localBundle
        self.remoteParent = remoteParent
        self.remoteZynqnet = remoteZynqnet
        self.sudo = sudo
        self.selftest = selftest
        self.localResult = localResult
    }

    public static let commonOptions = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]

    public var bundleName: String { PathText.name(localBundle) }
    public var remoteBundle: String { remoteParent + "/" + bundleName }

    /// Characters allowed in remote paths (they pass through the remote shell and scp): letters,
    /// digits, `. _ - /`, no `..` component, no leading `-` (relative paths are in the remote home).
    public static func isSafeRemotePath(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix("-") && !s.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._/-".unicodeScalars.contains($0)) }
    }

    /// Single-quoted for the remote POSIX shell.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func ssh(_ remoteCommand: [String]) -> [String] {
        ["ssh"] + RemotePlan.commonOptions + (target.port.map { ["-p", String($0)] } ?? []) + ["--", target.destination,
            remoteCommand.joined(separator: " ")]
    }

    func scp(_ args: [String]) -> [String] {
        ["scp"] + RemotePlan.commonOptions + (target.port.map { ["-P", String($0)] } ?? []) + args
    }

    /// The executable that runs on the board: the copied zynqnet-board, or the board's zynqnet.
    public var remoteExecutable: String { boardBinary == nil ? remoteZynqnet : remoteParent + "/" + BoardBinary.name }

    func boardCommand(_ args: [String]) -> [String] {
        (sudo ? ["sudo", "-n"] : []) + [RemotePlan.quote(remoteExecutable)] + args
    }

    /// The first step: the board's prerequisites, before anything is copied.
    public static let doctorStep = "check the board (zynqnet doctor)"
    /// With zynqnet-board: the board's architecture first (`uname -m` must print `armv7l`).
    public static let architectureStep = "check the board's architecture (uname -m)"
    /// zynqnet-board's doctor, after the binary (and nothing else) was copied.
    public static let boardDoctorStep = "check the board (zynqnet-board doctor)"
    /// zynqnet-board's self-test: the bundle's images through the board, compared there.
    public static let boardSelftestStep = "self-test on the board (zynqnet-board selftest)"
    /// The architecture zynqnet-board is built for, as the board's `uname -m` prints it.
    public static let boardArchitecture = "armv7l"

    var doctorArguments: [String] {
        ["doctor", "--json"] + (bufferBytes.map { ["--buffer-bytes", String($0)] } ?? []) + (buffer.map { ["--buffer", RemotePlan.quote($0)] } ?? [])
    }

    /// The steps in order, each a name and an argv.
    public var steps: [(name: String, argv: [String])] { preSteps + postSteps }

    /// Before the bitstream is loaded: the board's prerequisites, then the bundle copied.
    public var preSteps: [(name: String, argv: [String])] {
        let mkdir = ("create \(remoteParent) on the board", ssh(["mkdir", "-p", "--", RemotePlan.quote(remoteParent)]))
        let copyBundle = ("copy the bundle", scp(["-r", "-q", "--", localBundle, target.destination + ":" + remoteParent + "/"]))
        guard let boardBinary else { return [(RemotePlan.doctorStep, ssh(boardCommand(doctorArguments))), mkdir, copyBundle] }
        // zynqnet-board: the architecture, then the binary alone (-p keeps it executable), its doctor, the bundle.
        return [
            (RemotePlan.architectureStep, ssh(["uname", "-m"])), mkdir,
            ("copy \(BoardBinary.name)", scp(["-p", "-q", "--", boardBinary, target.destination + ":" + remoteExecutable])),
            (RemotePlan.boardDoctorStep, ssh(boardCommand(doctorArguments))), copyBundle,
        ]
    }

    /// Loading (or, after JTAG, finishing) the design, then the self-test.
    public var postSteps: [(name: String, argv: [String])] {
        var s: [(String, [String])] = plConfiguredOverJTAG
            ? [("finish the JTAG-configured design (zynqnet load --pl-configured)",
                ssh(boardCommand(["load", RemotePlan.quote(remoteBundle), "--pl-configured", "--json"])))]
            : [("load the bitstream (\(boardBinary == nil ? "zynqnet" : BoardBinary.name) load)", ssh(boardCommand(["load", RemotePlan.quote(remoteBundle), "--json"])))]
        if selftest && boardBinary != nil {
            s.append((RemotePlan.boardSelftestStep, ssh(boardCommand(["selftest", RemotePlan.quote(remoteBundle), "--json"]))))
        } else if selftest {
            let b = remoteBundle
            s.append(("self-test on the board (zynqnet infer)", ssh(boardCommand([
                "infer", RemotePlan.quote(b + "/" + DeployBundle.selftestImages),
                "--model", RemotePlan.quote(b + "/" + DeployBundle.modelFile),
                "--backend", "board", "--bundle", RemotePlan.quote(b),
                "--output", RemotePlan.quote(b + "/" + DeployBundle.selftestBoardOutput), "--json",
            ]))))
            s.append(("copy the board's outputs back", scp(["-q", "--", target.destination + ":" + b + "/" + DeployBundle.selftestBoardOutput, localResult])))
        }
        return s
    }
}

/// Runs programs with an argv array (never through a shell), finding them on PATH.
public enum ProcessRunner {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The first executable `name` in the PATH directories.
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `argv` (argv[0] looked up on PATH); output is collected through files so a chatty
    /// child can never block.
    public static func run(_ argv: [String]) throws -> Output {
        guard let name = argv.first, let exe = find(name) else {
            throw ZynqError(key: argv.first ?? "", "'\(argv.first ?? "")' was not found on PATH (install OpenSSH client tools)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = Array(argv.dropFirst())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Output(status: p.terminationStatus,
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}
