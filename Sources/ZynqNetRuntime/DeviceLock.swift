import ZynqNetBase
import ZynqNetModel

/// An exclusive `flock` on `<directory>/zynqnet-<device>.lock`, held while a driver owns the
/// device, so a second process (or a second driver in this one) gets a clear error instead
/// of interleaving register writes. The lock goes away with the process, even on a crash.
public final class DeviceLock {
    public let path: String
    let fd: Int32
    let system: any SystemCalls
    let removeOnRelease: Bool

    public static func defaultDirectory(system: any SystemCalls = LiveSystem()) -> String {
        system.fileExists("/run/lock") ? "/run/lock" : "/tmp"
    }

    /// `removeOnRelease` deletes the lock file when the lock is released: only for devices
    /// whose name is unique to this process (the loopback), never for a shared board.
    public init(device: String, directory: String? = nil, removeOnRelease: Bool = false, system: any SystemCalls = LiveSystem()) throws(ZynqError) {
        self.removeOnRelease = removeOnRelease
        let safe = String(device.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        let dir = directory ?? DeviceLock.defaultDirectory(system: system)
        self.path = "\(dir)/zynqnet-\(safe).lock"
        self.system = system
        let fd = try system.open(path, flags: OpenFlags.readWrite | OpenFlags.create | OpenFlags.closeOnExec, mode: 0o666)
        do throws(ZynqError) {
            guard try system.tryLockExclusive(fd: fd, path: path) else {
                var holder = ""
                if let text = try? system.readAttribute(path), let pid = Int(text.trimmingWhitespace()) { holder = " (pid \(pid))" }
                throw ZynqError(file: path, key: device, "the device is in use by another zynqnet process\(holder); wait for it to finish or stop it")
            }
        } catch {
            system.close(fd)
            throw error
        }
        self.fd = fd
        // Record the holder for the message above (best effort; the lock itself is the flock).
        let text = String("\(system.processID())".leftPadded(to: 11, with: " ")) + "\n"
        _ = try? Array(text.utf8).withBytes { (b) throws(ZynqError) in try system.write(fd: fd, from: b, path: path) }
    }

    deinit {
        if removeOnRelease { system.unlink(path) }
        system.unlock(fd: fd)
        system.close(fd)
    }
}
