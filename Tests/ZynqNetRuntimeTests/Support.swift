import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
@testable import ZynqNetRuntime
import ZynqNetModel

func writeFile(_ path: String, _ text: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

func readFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// Makes a sparse file of `size` bytes (stands in for /dev/mem or /dev/uioN).
func makeSparseFile(_ path: String, size: UInt64) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try h.truncate(atOffset: size)
    try h.close()
}

/// Reads a little-endian UInt32 at `offset` of a file.
func readWord(_ path: String, at offset: UInt64) throws -> UInt32 {
    let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? h.close() }
    try h.seek(toOffset: offset)
    let d = h.readData(ofLength: 4)
    return d.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
}

func writeWord(_ path: String, at offset: UInt64, _ v: UInt32) throws {
    let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? h.close() }
    try h.seek(toOffset: offset)
    h.write(Data([UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]))
}

/// Wraps the real system calls: records each call and fails the ones named in `failing`.
final class TracingSystem: SystemCalls, @unchecked Sendable {
    let live = LiveSystem()
    let lock = NSLock()
    private var _calls: [String] = []
    var failing: Set<String>
    var euid: UInt32?

    init(failing: Set<String> = [], euid: UInt32? = nil) {
        self.failing = failing
        self.euid = euid
    }

    var calls: [String] { lock.withLock { _calls } }

    /// Adds an event of another source (e.g. a register write) to the same ordered log.
    func note(_ s: String) { lock.withLock { _calls.append(s) } }

    func record(_ s: String, _ name: String, _ path: String) throws(ZynqError) {
        lock.withLock { _calls.append(s) }
        // EIO, reported the way LiveSystem reports a failed call.
        if failing.contains(name) { throw systemCallError(path, name, 5) }
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws(ZynqError) -> Int32 {
        try record("open \(path) \(flags & OpenFlags.sync != 0 ? "O_SYNC" : "")", "open", path)
        return try live.open(path, flags: flags, mode: mode)
    }
    func close(_ fd: Int32) { lock.withLock { _calls.append("close") }; live.close(fd) }
    func mmap(fd: Int32, length: Int, offset: UInt64, path: String) throws(ZynqError) -> UnsafeMutableRawPointer {
        try record("mmap \(path) \(length) \(hex(offset))", "mmap", path)
        return try live.mmap(fd: fd, length: length, offset: offset, path: path)
    }
    func munmap(_ pointer: UnsafeMutableRawPointer, length: Int) { lock.withLock { _calls.append("munmap \(length)") }; live.munmap(pointer, length: length) }
    func pread(fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: UInt64, path: String) throws(ZynqError) -> Int {
        try record("pread \(path)", "pread", path)
        return try live.pread(fd: fd, into: buffer, offset: offset, path: path)
    }
    func write(fd: Int32, from buffer: UnsafeRawBufferPointer, path: String) throws(ZynqError) -> Int {
        try record("write \(path) \(String(decoding: buffer, as: UTF8.self))", "write", path)
        return try live.write(fd: fd, from: buffer, path: path)
    }
    func fsync(fd: Int32, path: String) throws(ZynqError) { try record("fsync \(path)", "fsync", path); try live.fsync(fd: fd, path: path) }
    func tryLockExclusive(fd: Int32, path: String) throws(ZynqError) -> Bool {
        try record("flock \(path)", "flock", path)
        return try live.tryLockExclusive(fd: fd, path: path)
    }
    func unlock(fd: Int32) { live.unlock(fd: fd) }
    func rename(_ from: String, _ to: String) throws(ZynqError) { try record("rename \(from) \(to)", "rename", to); try live.rename(from, to) }
    func unlink(_ path: String) { lock.withLock { _calls.append("unlink \(path)") }; live.unlink(path) }
    func listDirectory(_ path: String) throws(ZynqError) -> [String] { try record("list \(path)", "list", path); return try live.listDirectory(path) }
    func fileExists(_ path: String) -> Bool { live.fileExists(path) }
    func effectiveUserID() -> UInt32 { euid ?? live.effectiveUserID() }
    func pageSize() -> Int { live.pageSize() }
    /// With a step, the clock advances exactly `clockStep` ns per read (for exact timing tests).
    var clockStep: UInt64?
    private var clockNow: UInt64 = 0
    func monotonicNanoseconds() -> UInt64 {
        guard let step = clockStep else { return live.monotonicNanoseconds() }
        return lock.withLock { clockNow += step; return clockNow }
    }
    func processID() -> Int32 { live.processID() }
}
