#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CZynqNetSys
import ZynqNetBase
import ZynqNetModel

/// Every system call the runtime makes, one small function each (swift-system style), so a
/// test can trace them or make any one of them fail. `LiveSystem` is the real thing.
///
/// Errors are `ZynqError`s naming the path and the call, e.g.
/// `/dev/mem: 'open' Permission denied (errno 13)`.
public protocol SystemCalls: AnyObject, Sendable {
    func open(_ path: String, flags: Int32, mode: UInt32) throws(ZynqError) -> Int32
    func close(_ fd: Int32)
    /// `mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, offset)`; `path` only names errors.
    func mmap(fd: Int32, length: Int, offset: UInt64, path: String) throws(ZynqError) -> UnsafeMutableRawPointer
    func munmap(_ pointer: UnsafeMutableRawPointer, length: Int)
    /// One `pread`; returns the number of bytes read (0 at end of file).
    func pread(fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: UInt64, path: String) throws(ZynqError) -> Int
    /// One `write`; returns the number of bytes written.
    func write(fd: Int32, from buffer: UnsafeRawBufferPointer, path: String) throws(ZynqError) -> Int
    func fsync(fd: Int32, path: String) throws(ZynqError)
    /// `flock(fd, LOCK_EX | LOCK_NB)`: false when another open file holds the lock.
    func tryLockExclusive(fd: Int32, path: String) throws(ZynqError) -> Bool
    func unlock(fd: Int32)
    func rename(_ from: String, _ to: String) throws(ZynqError)
    func unlink(_ path: String)
    /// Entry names of a directory, without `.` and `..`, sorted.
    func listDirectory(_ path: String) throws(ZynqError) -> [String]
    func fileExists(_ path: String) -> Bool
    func effectiveUserID() -> UInt32
    func pageSize() -> Int
    /// Monotonic clock in nanoseconds.
    func monotonicNanoseconds() -> UInt64
    func processID() -> Int32

    // File helpers built from the calls above (default implementations below). They are
    // requirements, not extension-only methods: in Embedded Swift (the board build) an extension
    // method is generic over `Self`, and a call through `any SystemCalls` that the optimizer does
    // not inline reaches an unspecialized stub that traps (zynqnet-board's `load` did, in
    // writeAttribute); a requirement is called through the conformer's witness, which is compiled.
    /// Reads a whole (small) file, e.g. a sysfs attribute, with `pread`.
    func readText(_ path: String, limit: Int) throws(ZynqError) -> String
    func readBytes(_ path: String, limit: Int) throws(ZynqError) -> [UInt8]
    /// Reads a sysfs attribute and strips the trailing newline/whitespace.
    func readAttribute(_ path: String) throws(ZynqError) -> String
    /// Writes a string to an existing file (a sysfs attribute) in one `write`.
    func writeAttribute(_ path: String, _ value: String) throws(ZynqError)
    /// Writes `bytes` to `path.tmp-PID`, fsyncs, and renames it over `path`: nothing half-written.
    func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(ZynqError)
}

public enum OpenFlags {
    public static var readOnly: Int32 { O_RDONLY }
    public static var writeOnly: Int32 { O_WRONLY }
    public static var readWrite: Int32 { O_RDWR }
    public static var sync: Int32 { O_SYNC }
    public static var create: Int32 { O_CREAT }
    public static var truncate: Int32 { O_TRUNC }
    public static var exclusive: Int32 { O_EXCL }
    public static var closeOnExec: Int32 { O_CLOEXEC }
}

/// `path: 'name': Permission denied (errno 13)`, with the errno as a value in `reason`.
func systemCallError(_ path: String, _ name: String, _ code: Int32) -> ZynqError {
    ZynqError(file: path, key: name, errnoText(code), reason: .systemCall(name: name, errno: code))
}

func errnoText(_ code: Int32) -> String {
    if let s = strerror(code) { return "\(String(cString: s)) (errno \(code))" }
    return "errno \(code)"
}

/// The real system calls (Glibc on Linux; Darwin works for the loopback-only paths).
public final class LiveSystem: SystemCalls {
    public init() {}

    public func open(_ path: String, flags: Int32, mode: UInt32) throws(ZynqError) -> Int32 {
        #if canImport(Darwin)
        let fd = Darwin.open(path, flags, mode_t(mode))
        #else
        let fd = Glibc.open(path, flags, mode_t(mode))
        #endif
        if fd < 0 { throw systemCallError(path, "open", errno) }
        return fd
    }

    public func close(_ fd: Int32) {
        #if canImport(Darwin)
        _ = Darwin.close(fd)
        #else
        _ = Glibc.close(fd)
        #endif
    }

    public func mmap(fd: Int32, length: Int, offset: UInt64, path: String) throws(ZynqError) -> UnsafeMutableRawPointer {
        guard let p = zn_mmap_shared(fd, length, offset) else {
            let code = errno
            throw ZynqError(file: path, key: "mmap", "\(errnoText(code)) mapping \(length) bytes at offset \(hex(offset))",
                            reason: .systemCall(name: "mmap", errno: code))
        }
        return p
    }

    public func munmap(_ pointer: UnsafeMutableRawPointer, length: Int) {
        #if canImport(Darwin)
        _ = Darwin.munmap(pointer, length)
        #else
        _ = Glibc.munmap(pointer, length)
        #endif
    }

    public func pread(fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: UInt64, path: String) throws(ZynqError) -> Int {
        guard offset <= UInt64(Int.max) else { throw ZynqError(file: path, key: "pread", "offset too large") }
        while true {
            #if canImport(Darwin)
            let n = Darwin.pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            #else
            let n = Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            #endif
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw systemCallError(path, "read", errno)
        }
    }

    public func write(fd: Int32, from buffer: UnsafeRawBufferPointer, path: String) throws(ZynqError) -> Int {
        while true {
            #if canImport(Darwin)
            let n = Darwin.write(fd, buffer.baseAddress, buffer.count)
            #else
            let n = Glibc.write(fd, buffer.baseAddress, buffer.count)
            #endif
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw systemCallError(path, "write", errno)
        }
    }

    public func fsync(fd: Int32, path: String) throws(ZynqError) {
        #if canImport(Darwin)
        let r = Darwin.fsync(fd)
        #else
        let r = Glibc.fsync(fd)
        #endif
        if r != 0 { throw systemCallError(path, "fsync", errno) }
    }

    public func tryLockExclusive(fd: Int32, path: String) throws(ZynqError) -> Bool {
        switch zn_try_lock_exclusive(fd) {
        case 0: return true
        case 1: return false
        default: throw systemCallError(path, "flock", errno)
        }
    }

    public func unlock(fd: Int32) { zn_unlock(fd) }

    public func rename(_ from: String, _ to: String) throws(ZynqError) {
        #if canImport(Darwin)
        let r = Darwin.rename(from, to)
        #else
        let r = Glibc.rename(from, to)
        #endif
        if r != 0 {
            let code = errno
            throw ZynqError(file: to, key: "rename", "\(errnoText(code)) renaming \(from)", reason: .systemCall(name: "rename", errno: code))
        }
    }

    public func unlink(_ path: String) {
        #if canImport(Darwin)
        _ = Darwin.unlink(path)
        #else
        _ = Glibc.unlink(path)
        #endif
    }

    public func listDirectory(_ path: String) throws(ZynqError) -> [String] {
        guard let dir = opendir(path) else { throw systemCallError(path, "opendir", errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.bindMemory(to: UInt8.self)
                let end = bytes.firstIndex(of: 0) ?? bytes.count
                return String(decoding: bytes[0..<end], as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public func effectiveUserID() -> UInt32 { UInt32(geteuid()) }

    public func pageSize() -> Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    public func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    public func processID() -> Int32 { Int32(getpid()) }
}

// MARK: - Helpers built from the calls above

// The default implementations of the file helpers (requirements of SystemCalls, see there).
extension SystemCalls {
    /// Reads a whole (small) file, e.g. a sysfs attribute, with `pread`.
    public func readText(_ path: String, limit: Int) throws(ZynqError) -> String {
        let bytes = try readBytes(path, limit: limit)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func readBytes(_ path: String, limit: Int) throws(ZynqError) -> [UInt8] {
        let fd = try open(path, flags: OpenFlags.readOnly | OpenFlags.closeOnExec, mode: 0)
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset: UInt64 = 0
        while true {
            let n = try chunk.withMutableBytes { (b) throws(ZynqError) in try pread(fd: fd, into: b, offset: offset, path: path) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            offset += UInt64(n)
            if out.count > limit { throw ZynqError(file: path, "file larger than \(limit) bytes") }
        }
        return out
    }

    /// Reads a sysfs attribute and strips the trailing newline/whitespace.
    public func readAttribute(_ path: String) throws(ZynqError) -> String {
        let text = try readText(path, limit: 4096)
        var s = Substring(text)
        while let last = s.last, last == "\n" || last == " " || last == "\t" || last == "\r" || last == "\0" { s.removeLast() }
        return String(s)
    }

    /// Writes a string to an existing file (a sysfs attribute) in one `write`.
    public func writeAttribute(_ path: String, _ value: String) throws(ZynqError) {
        let fd = try open(path, flags: OpenFlags.writeOnly | OpenFlags.closeOnExec, mode: 0)
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let n = try bytes.withBytes { (b) throws(ZynqError) in try write(fd: fd, from: b, path: path) }
        if n != bytes.count { throw ZynqError(file: path, key: "write", "short write (\(n) of \(bytes.count) bytes)") }
    }

    /// Writes `bytes` to `path.tmp-PID`, fsyncs, and renames it over `path`: nothing half-written.
    public func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(ZynqError) {
        let tmp = "\(path).tmp-\(processID())"
        let fd = try open(tmp, flags: OpenFlags.writeOnly | OpenFlags.create | OpenFlags.truncate | OpenFlags.closeOnExec, mode: mode)
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tmp) }
        }
        var done = 0
        while done < bytes.count {
            let n = try bytes.withBytes { (raw) throws(ZynqError) in
                try write(fd: fd, from: UnsafeRawBufferPointer(rebasing: raw[done...]), path: tmp)
            }
            if n <= 0 { throw ZynqError(file: tmp, key: "write", "no progress") }
            done += n
        }
        try fsync(fd: fd, path: tmp)
        try rename(tmp, path)
        ok = true
    }
}

/// `0x40400000`-style hex, for messages.
public func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16, uppercase: true).leftPadded(to: 8) }
public func hex(_ v: UInt32) -> String { hex(UInt64(v)) }

extension String {
    public func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}

/// Parses `0x1e900000` / `1e900000` (hex) — sysfs `phys_addr`, UIO `addr`/`size`/`offset`.
public func parseHex(_ text: String) -> UInt64? {
    var s = Substring(text.trimmingWhitespace())
    if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
    guard !s.isEmpty, s.count <= 16 else { return nil }
    return UInt64(s, radix: 16)
}

/// Parses a decimal unsigned number (sysfs `size` of u-dma-buf).
public func parseDecimal(_ text: String) -> UInt64? {
    let s = text.trimmingWhitespace()
    guard !s.isEmpty, s.count <= 20 else { return nil }
    return UInt64(s, radix: 10)
}

extension String {
    public func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" || f == "\r" || f == "\0" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" || l == "\r" || l == "\0" { s.removeLast() }
        return String(s)
    }
}
