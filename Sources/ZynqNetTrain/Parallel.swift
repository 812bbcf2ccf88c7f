import CZynqNetTrainKernels
import Dispatch
import Foundation

/// Deterministic data-parallel helpers. Work is split by output rows only: every output
/// element is computed by exactly one task with a fixed order of operations, so results
/// are identical for any number of threads.
public enum Parallel {
    /// Threads used by default: the machine's active processor count.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(lo, hi)` on disjoint row ranges covering 0..<rows, in parallel when
    /// `threads > 1` and the work (in multiply-adds) is large enough to pay for it.
    /// Range boundaries are multiples of `tile` (except the last).
    static func forRows(_ rows: Int, threads: Int, work: Double, tile: Int = 4, _ body: @Sendable (Int, Int) -> Void) {
        guard rows > 0 else { return }
        let tiles = (rows + tile - 1) / tile
        let tasks = min(tiles, threads > 1 && work >= 131072 ? threads * 2 : 1)
        if tasks <= 1 {
            body(0, rows)
            return
        }
        let perTask = (tiles + tasks - 1) / tasks
        DispatchQueue.concurrentPerform(iterations: tasks) { t in
            let lo = t * perTask * tile
            let hi = min(rows, (t + 1) * perTask * tile)
            if lo < hi { body(lo, hi) }
        }
    }

    /// C[0..<m, 0..<n] (+)= A[m×k] · B[k×n], row-major, split over rows of C.
    static func gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false, threads: Int
    ) {
        let acc: Int32 = accumulate ? 1 : 0
        let ptrs = UnsafeSendable((a, b, c))
        // The work estimate in Double: m·n·k can exceed Int on 32-bit platforms.
        let work = Double(m) * Double(n) * Double(k)
        forRows(m, threads: threads, work: work) { lo, hi in
            let (a, b, c) = ptrs.value
            zn_gemm_rows(Int32(lo), Int32(hi), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), c, Int32(ldc), acc)
        }
    }

    /// The SGEMM code path in use ("avx2-fma" or "portable").
    public static var gemmPath: String { String(cString: zn_gemm_path()) }
}

/// Carries raw pointers into a parallel loop whose tasks write disjoint rows.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A fixed-size, uninitialized-then-zeroed float buffer owned by one trainer.
final class FloatBuffer {
    let count: Int
    let p: UnsafeMutablePointer<Float>

    init(_ count: Int) {
        self.count = count
        p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.update(from: base, count: values.count) }
        }
    }

    deinit { p.deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    func zero() { p.update(repeating: 0, count: count) }
}

final class ByteBuffer {
    let count: Int
    let p: UnsafeMutablePointer<UInt8>
    init(_ count: Int) {
        self.count = count
        p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { p.deallocate() }
}

extension Parallel {
    /// `requested` worker threads capped at `cores` (more only time-slice the same cores), with
    /// the note to print when capped.
    public static func capped(threads requested: Int, cores: Int = defaultThreads) -> (threads: Int, note: String?) {
        guard requested > cores else { return (requested, nil) }
        return (cores, "--threads \(requested) capped at this machine's \(cores) core(s)")
    }
}
