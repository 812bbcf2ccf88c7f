import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// A deploy bundle's self-test: the board's outputs against the simulator's, bit for bit
/// (`zynqnet deploy` compares what the board wrote; `zynqnet-board selftest` compares on the board).
public enum SelfTest {
    public struct Result: Sendable, Equatable {
        public var images: Int
        public var mismatches: [String]
        public var passed: Bool { mismatches.isEmpty }

        public init(images: Int, mismatches: [String]) {
            self.images = images
            self.mismatches = mismatches
        }

        /// `{"images": N, "passed": bool, "mismatches": [...]}` (the `selftest` object of deploy's report).
        public var json: JSONText {
            .object([("images", .int(Int64(images))), ("passed", .bool(passed)), ("mismatches", .array(mismatches.map { .string($0) }))])
        }

        /// The line a passed self-test prints.
        public var summary: String { "self-test: \(images) images, outputs equal the simulator's bit for bit" }

        /// The error of a failed self-test: how many images differ, the first three.
        public var error: ZynqError {
            ZynqError(key: "selftest", "the board's outputs differ from the simulator's on \(mismatches.count) of \(images) images: "
                      + mismatches.prefix(3).joined(separator: "; "))
        }
    }

    /// `predictions` (int64, N) and `outputs` (int64, N × classes), as `zynqnet infer --output` writes them.
    public static func arrays(_ r: SimResult) -> [(String, NDArray)] {
        [("predictions", NDArray(shape: [r.count], storage: .int64(r.predictions.map { Int64($0) }))),
         ("outputs", NDArray(shape: [r.count, r.classes], storage: .int64(r.outputs.map { Int64($0) })))]
    }

    public static func compare(expectedPath: String, boardPath: String) throws(ZynqError) -> Result {
        try compare(expected: try NPZ.read(path: expectedPath), expectedPath: expectedPath, board: try NPZ.read(path: boardPath), boardPath: boardPath)
    }

    /// The arrays of `expected.npz` against the board's (`predictions`, `outputs`); the paths name errors.
    public static func compare(expected e: [String: NDArray], expectedPath: String, board b: [String: NDArray], boardPath: String) throws(ZynqError) -> Result {
        guard let eo = e["outputs"], let ep = e["predictions"], let ev = eo.integers(), let epv = ep.integers() else {
            throw ZynqError(file: expectedPath, key: "outputs", "missing or not integers")
        }
        guard let bo = b["outputs"], let bv = bo.integers() else { throw ZynqError(file: boardPath, key: "outputs", "missing or not integers") }
        guard let bp = b["predictions"], let bpv = bp.integers() else { throw ZynqError(file: boardPath, key: "predictions", "missing or not integers") }
        let n = ep.shape.first ?? 0
        let classes = eo.shape.count == 2 ? eo.shape[1] : 0
        guard ep.shape.count == 1, eo.shape.count == 2, eo.shape[0] == n, ev.count == n * classes, epv.count == n else {
            throw ZynqError(file: expectedPath, key: "outputs", "shape \(eo.shape) does not go with predictions of shape \(ep.shape) (N × classes and N)")
        }
        var mismatches: [String] = []
        guard bo.shape == eo.shape, bp.shape == ep.shape else {
            return Result(images: n, mismatches: ["the board returned outputs of shape \(bo.shape) and predictions of shape \(bp.shape), expected \(eo.shape) and \(ep.shape)"])
        }
        for i in 0..<n {
            let range = i * classes ..< (i + 1) * classes
            if Array(ev[range]) != Array(bv[range]) {
                let o = range.first { ev[$0] != bv[$0] }.map { $0 - i * classes } ?? 0
                mismatches.append("image \(i): output \(o) is \(bv[i * classes + o]) on the board, \(ev[i * classes + o]) in the simulator")
            } else if epv[i] != bpv[i] {
                mismatches.append("image \(i): prediction \(bpv[i]) on the board, \(epv[i]) in the simulator")
            }
        }
        return Result(images: n, mismatches: mismatches)
    }
}
