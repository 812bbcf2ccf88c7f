import CZynqNetSys
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process in its own process group (verilator and the make/g++ it starts, yosys and
/// ABC, the simulation): `Termination` ends the whole group when zynqnet gets SIGINT/SIGTERM.
public final class Subprocess: @unchecked Sendable {
    public let pid: pid_t
    public let tool: String
    private var exitStatus: Int32?

    /// Starts `tool` (searched in PATH unless it contains a "/") with `args`; stdin is
    /// /dev/null, stdout and stderr go to `outputFD` (-1: inherited).
    public init(_ tool: String, _ args: [String], cwd: String? = nil, environment: [String: String]? = nil,
                outputFD: Int32 = -1) throws {
        self.tool = tool
        let env = environment ?? ProcessInfo.processInfo.environment
        var argv: [UnsafeMutablePointer<CChar>?] = ([tool] + args).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        var child: pid_t = 0
        let rc: Int32 = cwd.map { dir in zn_spawn_group(tool, &argv, &envp, dir, devNull, outputFD, outputFD, &child) }
            ?? zn_spawn_group(tool, &argv, &envp, nil, devNull, outputFD, outputFD, &child)
        guard rc == 0 else {
            throw ZynqError(key: tool, "cannot be run: \(rc == ENOENT ? "not found on PATH (install it)" : FileProblem.reason(errno: rc))")
        }
        pid = child
        Subprocess.lock.lock()
        Subprocess.groups.insert(child)
        Subprocess.lock.unlock()
    }

    /// The exit status if the child ended (128 + signal when a signal ended it), else nil.
    public func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var st: Int32 = 0
        let r = waitpid(pid, &st, WNOHANG)
        if r == pid { record(st) }
        return exitStatus
    }

    /// Waits for the child; its exit status (128 + signal when a signal ended it). When
    /// zynqnet itself was signalled meanwhile, ends the process instead (`Termination`).
    @discardableResult
    public func wait() -> Int32 {
        while exitStatus == nil {
            var st: Int32 = 0
            let r = waitpid(pid, &st, 0)
            if r == pid { record(st) } else if r < 0 && errno != EINTR { exitStatus = 127 }
        }
        return exitStatus!
    }

    /// Ends the child's group (SIGTERM) and waits for the child.
    public func terminate() {
        if exitStatus == nil { kill(-pid, SIGTERM) }
        wait()
    }

    private func record(_ st: Int32) {
        exitStatus = (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f)
        Termination.exitIfSignalled()   // the group stays registered until Termination ended it
        zn_unregister_group(pid)
        Subprocess.lock.lock()
        Subprocess.groups.remove(pid)
        Subprocess.lock.unlock()
    }

    /// Runs `tool` to its end; its exit status and combined stdout and stderr (through an
    /// unlinked temporary file, so nothing is left behind and no pipe can fill up).
    public static func run(_ tool: String, _ args: [String], cwd: String? = nil,
                           environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        var template = Array((NSTemporaryDirectory() + "/zynqnet-out-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ZynqError(file: NSTemporaryDirectory(), "cannot create a temporary file: \(FileProblem.reason(errno: errno))") }
        unlink(String(cString: template))
        defer { close(fd) }
        let child = try Subprocess(tool, args, cwd: cwd, environment: environment, outputFD: fd)
        let status = child.wait()
        var bytes: [UInt8] = []
        lseek(fd, 0, SEEK_SET)
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    // MARK: - the groups alive

    private static let lock = NSLock()
    nonisolated(unsafe) private static var groups: Set<pid_t> = []

    /// Groups started and not yet reaped.
    static var runningGroups: Set<pid_t> {
        lock.lock()
        defer { lock.unlock() }
        return groups
    }

    /// Whether a process of group `pgid` is alive (not a zombie).
    public static func groupAlive(_ pgid: pid_t) -> Bool {
        #if os(Linux)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return kill(-pgid, 0) == 0 }
        for n in names where n.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(n)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, fields[2] == String(pgid), fields[0] != "Z" { return true }
        }
        return false
        #else
        return kill(-pgid, 0) == 0
        #endif
    }

    /// SIGTERM to every registered group, SIGKILL to those still alive after 3 s.
    static func endAllGroups() {
        var buf = [pid_t](repeating: 0, count: 256)
        let n = Int(zn_registered_groups(&buf, 256))
        let list = Array(buf.prefix(n))
        for g in list { kill(-g, SIGTERM) }
        let deadline = Date().addingTimeInterval(3)
        while list.contains(where: groupAlive) && Date() < deadline { usleep(20_000) }
        for g in list where groupAlive(g) { kill(-g, SIGKILL) }
        let hard = Date().addingTimeInterval(1)
        while list.contains(where: groupAlive) && Date() < hard { usleep(20_000) }
    }
}
