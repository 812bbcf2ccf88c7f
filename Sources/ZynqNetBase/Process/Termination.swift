import CZynqNetSys
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How zynqnet ends on SIGINT (Ctrl-C) or SIGTERM: every child it started (each in its own
/// process group, by `Subprocess`) is ended with its whole group, every temporary file or
/// folder it registered is removed, and the process exits with 128 + the signal (130, 143).
///
/// The signal handler (C, async-signal-safe) records the signal, sends SIGTERM to the groups
/// and wakes a watcher thread, which calls `finish()`. A thread that notices the signal itself
/// (a child that ended, an error it caused) calls `exitIfSignalled()`: `finish()` runs once,
/// a second caller waits for the first to end the process.
public enum Termination {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var temporaries: [String: Int] = [:]
    private static let finishing = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Installs the SIGINT/SIGTERM handler and its watcher thread (the command line, once).
    public static func install() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        guard zn_install_termination_handler(fds[1]) == 0 else { return }
        installed = true
        let readFD = fds[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                // A loop that asked for SIGINT itself (the runtime's inference loop) stops on its
                // own and then exits here through exitIfSignalled(); SIGTERM never waits.
                if zn_termination_signal() == SIGINT && zn_sigint_graceful() != 0 && Subprocess.runningGroups.isEmpty { continue }
                finish()
            }
        }
        watcher.start()
    }

    /// The first SIGINT/SIGTERM received, 0 if none.
    public static var signal: Int32 { zn_termination_signal() }

    /// Ends the process as `finish()` does when a termination signal arrived; else returns.
    public static func exitIfSignalled() {
        if signal != 0 { finish() }
    }

    /// Registers a temporary file or folder zynqnet created, to be removed if it is ended by a signal.
    public static func removeOnExit(_ path: String) {
        lock.lock()
        temporaries[path, default: 0] += 1
        lock.unlock()
    }

    /// Forgets a path registered with `removeOnExit` (it was removed or renamed into place).
    public static func forget(_ path: String) {
        lock.lock()
        if let n = temporaries[path] { temporaries[path] = n > 1 ? n - 1 : nil }
        lock.unlock()
    }

    /// Ends the child process groups (SIGTERM, SIGKILL after 3 s), removes the registered
    /// temporaries, prints one line and exits with 128 + the signal.
    public static func finish() -> Never {
        finishing.lock()   // never unlocked: a second caller waits until the process exits
        let sig = signal != 0 ? signal : SIGTERM
        Subprocess.endAllGroups()
        lock.lock()
        let paths = temporaries.keys.sorted { $0.count > $1.count }
        lock.unlock()
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        let name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)"
        FileHandle.standardError.write(Data("error: interrupted by \(name)\n".utf8))
        _exit(128 + sig)
    }
}
