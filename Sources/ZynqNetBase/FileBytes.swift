#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits that protect the readers from files that declare absurd sizes.
public enum IOLimits {
    /// The most bytes a decompressed stream (gzip file; all members of an npz together) may
    /// produce: 8 GiB, or this machine's physical memory if that is less.
    public static let maxDecompressedBytes: Int = min(capped(8 << 30), physicalMemory)

    /// The largest file the readers load: this machine's physical memory (files are read whole).
    public static let maxFileBytes: Int = physicalMemory

    /// Physical memory in bytes (Int.max if unknown), so that an absurd size is an error, not an OOM kill.
    public static let physicalMemory: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        let (bytes, overflow) = Int(pages).multipliedReportingOverflow(by: Int(pageSize))
        return overflow ? Int.max : bytes
    }()

    private static func capped(_ v: UInt64) -> Int { UInt64(Int.max) < v ? Int.max : Int(v) }
}

/// Raw file access with one-line errors naming the file (public for the host tools' .bit,
/// bundle and registry files).
public enum FileBytes {
    static func errnoMessage(_ code: Int32) -> String { FileProblem.reason(errno: code) }

    /// Reads a whole regular file into memory.
    public static func read(path: String) throws(ZynqError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ZynqError(file: path, "cannot open: \(errnoMessage(errno))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw ZynqError(file: path, "cannot stat: \(errnoMessage(errno))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw ZynqError(file: path, "not a regular file")
        }
        guard let size = Int(exactly: st.st_size), size >= 0, size <= IOLimits.maxFileBytes else {
            throw ZynqError(file: path, "file of \(st.st_size) bytes is larger than this machine's memory (\(IOLimits.maxFileBytes) bytes)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        try bytes.withMutableBytes { (buf) throws(ZynqError) in
            while filled < size {
                guard let base = buf.baseAddress else { break }
                let want = min(size - filled, 1 << 30)
                let n = Glibc_read(fd, base + filled, want)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ZynqError(file: path, "read failed: \(errnoMessage(errno))")
                }
                if n == 0 { break }  // file shrank while reading
                filled += n
            }
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Calls `body` with the file mapped read-only: only the pages `body` touches are read, so
    /// headers of a huge file can be checked without reading its data.
    public static func withMapped<R>(path: String, _ body: (UnsafeRawBufferPointer) throws(ZynqError) -> R) throws(ZynqError) -> R {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ZynqError(file: path, "cannot open: \(errnoMessage(errno))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ZynqError(file: path, "cannot stat: \(errnoMessage(errno))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ZynqError(file: path, "not a regular file") }
        guard let size = Int(exactly: st.st_size), size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ZynqError(file: path, "cannot map: \(errnoMessage(errno))")
        }
        defer { munmap(base, size) }
        return try body(UnsafeRawBufferPointer(start: base, count: size))
    }

    /// Writes `path` atomically: the data goes to a temporary file in the same directory,
    /// which is flushed and renamed over `path`. Nothing is left behind on failure.
    public static func writeAtomically(path: String, _ produce: (_ tempPath: String) throws(ZynqError) -> Void) throws(ZynqError) {
        let temp = temporaryPath(for: path)
        do throws(ZynqError) {
            try produce(temp)
            let fd = open(temp, O_RDONLY)
            if fd >= 0 {
                _ = fsync(fd)
                close(fd)
            }
            guard rename(temp, path) == 0 else {
                throw ZynqError(file: path, "cannot write: \(errnoMessage(errno))")
            }
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Writes `bytes` to `path` atomically (see `writeAtomically(path:_:)`).
    public static func write(_ bytes: [UInt8], to path: String) throws(ZynqError) {
        try writeAtomically(path: path) { (temp) throws(ZynqError) in
            let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                throw ZynqError(file: path, "cannot create: \(errnoMessage(errno))")
            }
            defer { close(fd) }
            try writeAll(bytes, fd: fd, name: path)
        }
    }

    /// Writes all of `bytes` to `fd` (errors name `name`).
    public static func writeAll(_ bytes: [UInt8], fd: Int32, name: String) throws(ZynqError) {
        var done = 0
        try bytes.withBytes { (buf) throws(ZynqError) in
            while done < buf.count {
                guard let base = buf.baseAddress else { break }
                let n = Glibc_write(fd, base + done, min(buf.count - done, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ZynqError(file: name, "write failed: \(FileProblem.reason(errno: errno))")
                }
                done += n
            }
        }
    }

    static func temporaryPath(for path: String) -> String {
        let token = UInt64.random(in: 0...UInt64.max)
        return path + ".tmp-\(getpid())-" + String(token, radix: 36)
    }
}

// `read`/`write` are shadowed by methods in some contexts; name the C calls explicitly.
@inline(__always)
private func Glibc_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buf, count)
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buf, count)
}
