#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ZynqNetModel

/// File access for the host tools, with one-line errors naming the file.
public enum HostFiles {
    static func errnoMessage(_ code: Int32) -> String {
        if let c = strerror(code) { return String(cString: c) }
        return "error \(code)"
    }

    /// Reads a whole regular file.
    public static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ZynqError(file: path, "cannot open: \(errnoMessage(errno))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ZynqError(file: path, "cannot stat: \(errnoMessage(errno))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ZynqError(file: path, "not a regular file") }
        guard let size = Int(exactly: st.st_size), size >= 0 else {
            throw ZynqError(file: path, "file of \(st.st_size) bytes is too large for this platform")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buf in
            while filled < size, let base = buf.baseAddress {
                let n = cRead(fd, base + filled, min(size - filled, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ZynqError(file: path, "read failed: \(errnoMessage(errno))")
                }
                if n == 0 { break }
                filled += n
            }
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Writes `bytes` to a temporary file next to `path`, flushes it and renames it over
    /// `path`: readers see the old file or the complete new one, never a partial one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let temp = path + ".tmp-\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw ZynqError(file: path, "cannot create: \(errnoMessage(errno))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var done = 0
            try bytes.withUnsafeBytes { buf in
                while done < buf.count, let base = buf.baseAddress {
                    let n = cWrite(fd, base + done, min(buf.count - done, 1 << 30))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ZynqError(file: path, "write failed: \(errnoMessage(errno))")
                    }
                    done += n
                }
            }
            guard fsync(fd) == 0 else { throw ZynqError(file: path, "cannot flush: \(errnoMessage(errno))") }
        }
        guard rename(temp, path) == 0 else { throw ZynqError(file: path, "cannot write: \(errnoMessage(errno))") }
        ok = true
    }

    /// Whether `path` exists (any type).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Same file (device and inode), for refusing to overwrite an input with an output.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

@inline(__always)
private func cRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buf, count) }
@inline(__always)
private func cWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buf, count) }
